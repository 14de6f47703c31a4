// Guest registers in host registers within a block (`--jit no-reg-cache`
// turns it off).
//
// Before a block is emitted, plan_registers() counts how often each guest
// GPR is used by the block's inline instructions and gives the most used
// ones (two uses at least) a host register of their own: rsi, rdi, r8-r11.
// The block loads them after its entry checks (except those it first writes
// whole: their host register is simply written); inline code then works on
// the host registers (`add r8d, esi` instead of a load and a read-modify-
// write of CpuState); Emission::greg() hands out the operand, a host
// register or CpuState memory for a guest register that has none.
//
// CpuState is brought up to date (the dirty ones stored) wherever something
// else reads it: before a handler call (which then reloads all of them: a
// handler may change any register, and the host registers are caller-saved),
// on a slow path before its handler, and at every exit. A guest register
// whose high byte (AH, CH, DH, BH) an inline instruction uses is not given
// a host register: those live in CpuState only.
#pragma once
#include <asmjit/x86.h>

#include <cstdint>
#include <vector>

#include "cpu/decode.h"
#include "jit/config.h"

namespace jit {

struct RegCache {
  asmjit::x86::Gp host[8];  // the host register (32-bit view) of a mapped guest register
  uint8_t mapped = 0;       // bit per guest register
  uint8_t dirty = 0;        // written since last stored to CpuState
  uint8_t write_first = 0;  // mapped ones the block writes whole before reading: not loaded at entry
  bool has(unsigned r) const { return (mapped >> r) & 1; }
};

// The mapping for the first `n` instructions of a block.
RegCache plan_registers(const std::vector<cpu::Insn>& insns, uint32_t n, const Config& cfg);

}  // namespace jit
