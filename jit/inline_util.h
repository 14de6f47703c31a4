// Small pieces every inline emitter file shares (inline_ops.cpp,
// inline_arith.cpp, ...): which instructions are genuine, their widths,
// guest registers and immediates as host operands.
#pragma once
#include <asmjit/x86.h>

#include "cpu/decode.h"
#include "cpu/table.h"
#include "jit/emission.h"

namespace jit {

// Is `in` the row's own handler (not a #UD/#GP stand-in that borrows a row)?
inline bool genuine(const cpu::Insn& in) {
  const cpu::Row& r = cpu::table()[in.row];
  return in.fn && (in.fn == r.h8 || in.fn == r.h16 || in.fn == r.h32);
}

// The operand width in bytes: 1 for byte rows, else by operand size.
inline unsigned width(const cpu::Insn& in) {
  if (cpu::table()[in.row].size == cpu::Size::B) return 1;
  return in.osz32() ? 4 : 2;
}

// A guest register (ModRM numbering: 8-bit 4..7 are AH CH DH BH) as a memory
// operand of the access width in CpuState.
inline x86::Mem reg_mem(const CpuOffsets& off, unsigned r, unsigned w) {
  int32_t at = off.gpr + int32_t(w == 1 && r >= 4 ? 4 * (r - 4) + 1 : 4 * r);
  return x86::ptr(kCpu, at, w);
}

// rax / rdx at a width.
inline x86::Gp scratch(unsigned w) {
  if (w == 1) return x86::al;
  if (w == 2) return x86::ax;
  return x86::eax;
}
inline x86::Gp scratch_d(unsigned w) {
  if (w == 1) return x86::dl;
  if (w == 2) return x86::dx;
  return x86::edx;
}

// The instruction's immediate at the operand width.
inline asmjit::Imm imm_of(const cpu::Insn& in, unsigned w) {
  if (w == 1) return asmjit::imm(int8_t(uint8_t(in.imm)));
  if (w == 2) return asmjit::imm(int16_t(uint16_t(in.imm)));
  return asmjit::imm(int32_t(in.imm));
}

// The mnemonic (first word) and operand forms of a row's FORM.
inline std::string_view row_mnemonic(const cpu::Row& r) {
  std::string_view f(r.form);
  return f.substr(0, f.find(' '));
}
inline std::string_view row_operands(const cpu::Row& r) {
  std::string_view f(r.form);
  size_t sp = f.find(' ');
  return sp == std::string_view::npos ? std::string_view() : f.substr(sp + 1);
}

}  // namespace jit
