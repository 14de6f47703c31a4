// Reference handlers: the shift family (rows in cpu/table/shift.inc).
//
// Group 2 (C0/C1 count imm8, D0/D1 count 1, D2/D3 count CL) and SHLD/SHRD.
// The algorithms and their flags are in cpu/flags_shift.h. A memory operand
// is written back even when the count is 0 (the access is a read-modify-write
// either way, so a read-only destination faults).
#include <vector>

#include "cpu/flags_shift.h"
#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

template <class T> using ShiftFn = T (*)(uint32_t&, T, unsigned);
template <class T> using DoubleFn = T (*)(uint32_t&, T, T, unsigned);

template <class T> inline void shift_E(Cpu& c, const Insn& i, ShiftFn<T> f, unsigned count) {
  uint32_t ef = c.eflags;
  T r = f(ef, read_rm<T>(c, i), count);
  write_rm<T>(c, i, r);
  c.eflags = ef;
}

#define XLAT86_SHIFT_FORMS(name)                                                                        \
  template <class T> void name##_I(Cpu& c, const Insn& i) { shift_E<T>(c, i, &flags::name<T>, uint8_t(i.imm)); } \
  template <class T> void name##_1(Cpu& c, const Insn& i) { shift_E<T>(c, i, &flags::name<T>, 1); }              \
  template <class T> void name##_CL(Cpu& c, const Insn& i) {                                                     \
    shift_E<T>(c, i, &flags::name<T>, uint8_t(c.gpr[ECX]));                                                      \
  }
XLAT86_SHIFT_FORMS(rol)
XLAT86_SHIFT_FORMS(ror)
XLAT86_SHIFT_FORMS(rcl)
XLAT86_SHIFT_FORMS(rcr)
XLAT86_SHIFT_FORMS(shl)
XLAT86_SHIFT_FORMS(shr)
XLAT86_SHIFT_FORMS(sar)
#undef XLAT86_SHIFT_FORMS

// SHLD/SHRD Ev,Gv,Ib and Ev,Gv,CL.
template <class T> inline void double_E(Cpu& c, const Insn& i, DoubleFn<T> f, unsigned count) {
  uint32_t ef = c.eflags;
  T r = f(ef, read_rm<T>(c, i), read_reg<T>(c, i), count);
  write_rm<T>(c, i, r);
  c.eflags = ef;
}
template <class T> void shld_I(Cpu& c, const Insn& i) { double_E<T>(c, i, &flags::shld<T>, uint8_t(i.imm)); }
template <class T> void shld_CL(Cpu& c, const Insn& i) { double_E<T>(c, i, &flags::shld<T>, uint8_t(c.gpr[ECX])); }
template <class T> void shrd_I(Cpu& c, const Insn& i) { double_E<T>(c, i, &flags::shrd<T>, uint8_t(i.imm)); }
template <class T> void shrd_CL(Cpu& c, const Insn& i) { double_E<T>(c, i, &flags::shrd<T>, uint8_t(c.gpr[ECX])); }

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_shift() {
  static const std::vector<Row> rows = {
#include "cpu/table/shift.inc"
  };
  return rows;
}
}  // namespace cpu
