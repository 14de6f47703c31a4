// The interpreter's decoded-instruction cache.
//
// Guest code is decoded once into blocks of Insns (straight-line runs that end
// at a control transfer, a mode-changing instruction, a page boundary or a size
// cap) keyed by the physical address of their first byte plus the decode mode.
// Code is fetched through the soft TLB (paging, A20, the physical map).
//
// Self-modifying code: each block marks the 128-byte chunks its bytes occupy
// (mmu::Memory::mark_code). A guest write to a marked chunk reaches
// code_written(), which invalidates exactly the blocks whose bytes it
// overlaps, re-marks what is left of the page, and raises EV_SMC so that a
// running block stops after the writing instruction. Invalidated blocks are
// freed only between blocks, never under the interpreter's feet.
//
// An instruction that crosses a page boundary is a block of its own that
// records the physical page of its second half (or that it was unmapped);
// lookup() revalidates it, so a remap of the second page is never missed.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cpu/cpu.h"

namespace cpu {

struct Block {
  static constexpr uint32_t kNoPage = ~0u;
  // phys2 of a block whose second page is at or above 4 GiB (PAE): nothing is
  // there, so those bytes read as all ones.
  static constexpr uint32_t kHighPage = ~0u - 1;
  uint64_t key;
  uint32_t phys;        // physical address of the first byte
  uint32_t bytes;       // total length of the instructions
  uint32_t phys2;       // crossing block: physical page base of the second part, kNoPage or kHighPage
  bool crosses;         // the last instruction continues on the next linear page
  bool limit_cut;       // decoding stopped at the CS limit: valid for that limit only
  bool cached = false;  // held by the cache (blocks decoded for one use are not)
  std::vector<Insn> insns;
  void* engine = nullptr;  // the translator's data for this block (jit/), owned there

  // The second part is in (32-bit) physical memory.
  bool has_phys2() const { return crosses && phys2 < kHighPage; }
};

// Told about every cached block the ICache drops (self-modifying code, a
// remapped second page, flush), before the block is retired. The translator
// unlinks and forgets its code for the block here.
class BlockObserver {
 public:
  virtual ~BlockObserver() = default;
  virtual void block_dropped(Block& b) = 0;
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

  // The block at CS:EIP in the current mode, decoding it if needed. Raises
  // #PF (through fault()) only if the first byte cannot be fetched; bytes
  // that are undecodable, past the CS limit or on an unmapped second page
  // become Insns that raise the right exception when executed.
  const Block* lookup();
  void flush();
  void collect_garbage() { graveyard_.clear(); }
  void set_observer(BlockObserver* o) { observer_ = o; }
  const ICacheStats& stats() const { return stats_; }

  void code_written(uint32_t paddr, unsigned size) override;

 private:
  std::unique_ptr<Block> decode_block(uint32_t eip, uint32_t lin, uint32_t phys, DecodeMode mode);
  uint32_t fetch_phys(uint32_t lin);                // faults (#PF; #UD at or above 4 GiB)
  bool try_phys(uint32_t lin, uint64_t* phys);      // no fault; up to 36 bits (PAE)
  void add_block(std::unique_ptr<Block> b);
  void drop_block(Block* b);
  void remark_page(uint32_t page);
  static bool overlaps(const Block& b, uint32_t pa, uint32_t end);
  static unsigned fast_slot(uint32_t phys) { return (phys ^ (phys >> 12)) & (kFastSize - 1); }

  Cpu& c_;
  std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks_;
  std::unordered_map<uint32_t, std::vector<Block*>> by_page_;
  std::vector<std::unique_ptr<Block>> graveyard_;
  static constexpr unsigned kFastSize = 4096;
  struct FastEntry { uint64_t key; Block* b; };
  std::vector<FastEntry> fast_;
  ICacheStats stats_;
  BlockObserver* observer_ = nullptr;
};

// The decode mode for the CPU's current state.
inline DecodeMode decode_mode(const Cpu& c) {
  if (c.real_mode() || c.v86()) return DecodeMode::Real16;
  return c.code32() ? DecodeMode::Prot32 : DecodeMode::Prot16;
}

}  // namespace cpu
