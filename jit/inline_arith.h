// Pieces inline_arith.cpp and inline_shift.cpp share (the public entry
// points are can_inline_arith / emit_inline_arith in inline_ops.h).
//
// Flags the SDM leaves undefined are not taken from the host: every emitter
// here builds the guest's flags from defined host results. The tools:
//   LAHF/SAHF  move SF ZF AF PF CF between AH and RFLAGS (bits 7 6 4 2 0, the
//              layout of EFLAGS' low byte) and leave OF alone;
//   ADD        sets OF alone where it matters: `add al, 0x7F` with al = 0/1
//              gives OF = al; `add x, x` gives OF = bit N-1 ^ bit N-2 of x;
//              `add x, 1 << (N-1)` gives OF = bit N-1 of x.
// So a result's flags are: the host op, LAHF, fix AH (AND/OR/ADC), an ADD
// that sets OF, SAHF.
#pragma once
#include <asmjit/x86.h>

#include <cstdint>

#include "cpu/decode.h"
#include "jit/emission.h"

namespace jit {

enum class ShiftOp : uint8_t { Shl, Shr, Sar, Rol, Ror, Rcl, Rcr };
enum class CountKind : uint8_t { One, Imm, Cl };  // D0/D1, C0/C1, D2/D3

// Whether the shift or rotate of width `w` bytes has an inline form.
bool can_inline_shift(ShiftOp op, CountKind k, unsigned w);
// Emit it (register or memory operand); leaves the guest's flags in RFLAGS
// unless the count is a constant 0 (no flags written).
void emit_inline_shift(Emission& e, const cpu::Insn& in, ShiftOp op, CountKind k, uint32_t at, uint32_t next);

// The guest's SF ZF AF PF CF (and OF if `with_of`) into RFLAGS from where
// they are (rbx or CpuState; not RFLAGS already), without POPF (clobbers
// rax; leaves `st` as it is: the caller says where they are afterwards).
void load_guest_flags(x86::Assembler& a, const CpuOffsets& off, const InlineState& st, bool with_of);

// edx := the operand zero-extended (or sign-extended) to 32 bits.
void load_ext(x86::Assembler& a, const asmjit::Operand& src, unsigned w, bool sign = false);

// rdx at a width (dl, dx, edx).
inline x86::Gp dx_w(unsigned w) {
  if (w == 1) return x86::dl;
  return w == 2 ? x86::Gp(x86::dx) : x86::Gp(x86::edx);
}
inline x86::Gp cx_w(unsigned w) {
  if (w == 1) return x86::cl;
  return w == 2 ? x86::Gp(x86::cx) : x86::Gp(x86::ecx);
}

}  // namespace jit
