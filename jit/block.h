// The translator's per-block records: a translated block and its chain slots.
//
// A ChainSlot is a direct exit of a block whose target EIP is known when the
// block is translated (a taken or not-taken branch, or falling through to the
// next block) and lies in the same linear page as the block's start, so its
// physical address is the source page's plus an offset whatever the mapping
// (DESIGN.md principle 6). In generated code the slot is `jmp rel32`, first
// aimed at a stub that returns the slot to the dispatcher; the dispatcher
// looks the target up and patches the jump to enter the target directly. The
// target records the slot in `incoming`, so when the target is dropped the
// jump is aimed back at its stub before the target's code is forgotten.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace cpu { struct Block; }

namespace jit {

struct JitBlock;

struct ChainSlot {
  JitBlock* from = nullptr;
  uint8_t* jmp = nullptr;   // the E9 byte of the exit's jmp rel32
  uint8_t* stub = nullptr;  // where the unpatched jmp goes
  uint32_t target_eip = 0;
  JitBlock* to = nullptr;   // the block the jump is patched to, or null
};

struct JitBlock {
  cpu::Block* block = nullptr;  // the ICache's decoded block this was translated from
  uint32_t eip = 0;             // EIP it was translated for (EIPs are immediates in the code)
  uint32_t ninsns = 0;          // guest instructions it runs when it runs to its end
  uint32_t segkey = 0;          // the segment key it was translated for (segkey.h)
  uint8_t* code = nullptr;      // entry point in the code cache
  uint32_t code_size = 0;
  std::vector<std::unique_ptr<ChainSlot>> slots;
  std::vector<ChainSlot*> incoming;
  JitBlock* next_same_block = nullptr;  // other EIPs the same physical block was entered at
};

// The jump cache: where an indirect exit (RET, JMP r/m, a branch into another
// page) goes without returning to the dispatcher. Generated code hashes the
// target's linear address into this table and jumps to `code` when the
// entry's linear address, EIP, decode mode and segment key match and the soft TLB has not
// been flushed since the entry was made (its generation is unchanged), so
// the linear address still maps to the block's physical address. The
// dispatcher fills entries; a retired block's entries are cleared.
struct JumpEntry {
  static constexpr uint32_t kInvalid = ~0u;
  uint32_t lin = 0;
  uint32_t eip = 0;
  uint32_t tlb_gen = 0;
  uint32_t mode = kInvalid;  // decode mode | segment key << 8 the target was translated for
  const uint8_t* code = nullptr;
  uint64_t pad = 0;
};
static_assert(sizeof(JumpEntry) == 32);
constexpr unsigned kJumpBits = 10;
constexpr uint32_t kJumpSize = 1u << kJumpBits;
inline uint32_t jump_slot(uint32_t lin) { return (lin ^ (lin >> kJumpBits)) & (kJumpSize - 1); }

}  // namespace jit
