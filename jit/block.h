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
  uint8_t* code = nullptr;      // entry point in the code cache
  uint32_t code_size = 0;
  std::vector<std::unique_ptr<ChainSlot>> slots;
  std::vector<ChainSlot*> incoming;
  JitBlock* next_same_block = nullptr;  // other EIPs the same physical block was entered at
};

}  // namespace jit
