// The interpreter's decoded-instruction cache.
//
// Guest code is decoded once into blocks of Insns (straight-line runs that end
// at a control transfer, a mode-changing instruction, a page boundary or a size
// cap) keyed by physical address plus the decode mode. Pages holding blocks are
// marked in mmu::Memory; a guest write to such a page invalidates every block
// on it and raises EV_SMC so that a running block stops after the writing
// instruction. Invalidated blocks are freed only between blocks.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cpu/cpu.h"

namespace cpu {

struct Block {
  uint64_t key;
  uint32_t first_page, last_page;  // physical pages the bytes occupy
  uint32_t bytes;                  // total length of the instructions
  std::vector<Insn> insns;
};

struct ICacheStats {
  uint64_t blocks_decoded = 0;
  uint64_t insns_decoded = 0;
  uint64_t invalidations = 0;
  uint64_t lookups = 0;
  uint64_t misses = 0;
};

class ICache final : public mmu::CodeListener {
 public:
  static constexpr unsigned kMaxInsns = 32;

  explicit ICache(Cpu& c);
  ~ICache() override;

  // The block at CS:EIP in the current mode, decoding it if needed. Never
  // faults: undecodable or out-of-limit instructions become Insns whose
  // handler raises the right exception when executed.
  const Block* lookup();
  void flush();
  void collect_garbage() { graveyard_.clear(); }
  const ICacheStats& stats() const { return stats_; }

  void code_written(uint32_t paddr, unsigned size) override;

 private:
  std::unique_ptr<Block> decode_block(uint32_t eip, uint32_t phys, DecodeMode mode);
  void invalidate_page(uint32_t page);
  static unsigned fast_slot(uint32_t phys) { return (phys ^ (phys >> 12)) & (kFastSize - 1); }

  Cpu& c_;
  std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks_;
  std::unordered_map<uint32_t, std::vector<Block*>> by_page_;
  std::vector<std::unique_ptr<Block>> graveyard_;
  static constexpr unsigned kFastSize = 4096;
  struct FastEntry { uint64_t key; const Block* b; };
  std::vector<FastEntry> fast_;
  ICacheStats stats_;
};

// The decode mode for the CPU's current state.
inline DecodeMode decode_mode(const Cpu& c) {
  if (c.real_mode() || c.v86()) return DecodeMode::Real16;
  return c.code32() ? DecodeMode::Prot32 : DecodeMode::Prot16;
}

}  // namespace cpu
