// Reference handlers: the alu family (rows in cpu/table/alu.inc).
//
// ADD, OR, ADC, SBB, AND, SUB, XOR, CMP in their four forms (E,G / G,E /
// accumulator,imm / E,imm), TEST, INC, DEC, NEG and NOT. Flags come from
// cpu/flags.h. A memory destination is read, the result and flags computed,
// then written; a failing write faults with EFLAGS restored from the snapshot.
// LOCK needs no special handling on a single CPU (Zydis rejects LOCK where it
// is #UD: register destinations, CMP, TEST).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

enum AluOp : unsigned { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp };

// Compute `a op b` into ef; returns the result (CMP returns a - b, not stored).
template <unsigned Op, class T> inline T alu(uint32_t& ef, T a, T b) {
  if constexpr (Op == kAdd) return flags::add<T>(ef, a, b);
  if constexpr (Op == kOr) return flags::logic<T>(ef, T(a | b));
  if constexpr (Op == kAdc) return flags::add<T>(ef, a, b, ef & CF);
  if constexpr (Op == kSbb) return flags::sub<T>(ef, a, b, ef & CF);
  if constexpr (Op == kAnd) return flags::logic<T>(ef, T(a & b));
  if constexpr (Op == kSub || Op == kCmp) return flags::sub<T>(ef, a, b);
  if constexpr (Op == kXor) return flags::logic<T>(ef, T(a ^ b));
}

// E op= G
template <unsigned Op, class T> inline void alu_EG(Cpu& c, const Insn& i) {
  uint32_t ef = c.eflags;
  T r = alu<Op, T>(ef, read_rm<T>(c, i), read_reg<T>(c, i));
  if constexpr (Op != kCmp) write_rm<T>(c, i, r);
  c.eflags = ef;
}
// G op= E
template <unsigned Op, class T> inline void alu_GE(Cpu& c, const Insn& i) {
  uint32_t ef = c.eflags;
  T r = alu<Op, T>(ef, read_reg<T>(c, i), read_rm<T>(c, i));
  if constexpr (Op != kCmp) write_reg<T>(c, i, r);
  c.eflags = ef;
}
// AL/eAX op= imm
template <unsigned Op, class T> inline void alu_AI(Cpu& c, const Insn& i) {
  uint32_t ef = c.eflags;
  T r = alu<Op, T>(ef, getr<T>(c, EAX), imm<T>(i));
  if constexpr (Op != kCmp) setr<T>(c, EAX, r);
  c.eflags = ef;
}
// E op= imm (groups 80, 81, 82, 83; imm already sign-extended for 83)
template <unsigned Op, class T> inline void alu_EI(Cpu& c, const Insn& i) {
  uint32_t ef = c.eflags;
  T r = alu<Op, T>(ef, read_rm<T>(c, i), imm<T>(i));
  if constexpr (Op != kCmp) write_rm<T>(c, i, r);
  c.eflags = ef;
}

#define XLAT86_ALU_FORMS(name, op)                                                     \
  template <class T> void name##EG(Cpu& c, const Insn& i) { alu_EG<op, T>(c, i); } \
  template <class T> void name##GE(Cpu& c, const Insn& i) { alu_GE<op, T>(c, i); } \
  template <class T> void name##AI(Cpu& c, const Insn& i) { alu_AI<op, T>(c, i); } \
  template <class T> void name##EI(Cpu& c, const Insn& i) { alu_EI<op, T>(c, i); }
XLAT86_ALU_FORMS(add_, kAdd)
XLAT86_ALU_FORMS(or_, kOr)
XLAT86_ALU_FORMS(adc_, kAdc)
XLAT86_ALU_FORMS(sbb_, kSbb)
XLAT86_ALU_FORMS(and_, kAnd)
XLAT86_ALU_FORMS(sub_, kSub)
XLAT86_ALU_FORMS(xor_, kXor)
XLAT86_ALU_FORMS(cmp_, kCmp)
#undef XLAT86_ALU_FORMS

// TEST: AND without storing.
template <class T> void test_EG(Cpu& c, const Insn& i) {
  T r = T(read_rm<T>(c, i) & read_reg<T>(c, i));
  flags::logic<T>(c.eflags, r);
}
template <class T> void test_AI(Cpu& c, const Insn& i) {
  flags::logic<T>(c.eflags, T(getr<T>(c, EAX) & imm<T>(i)));
}
template <class T> void test_EI(Cpu& c, const Insn& i) {
  T r = T(read_rm<T>(c, i) & imm<T>(i));
  flags::logic<T>(c.eflags, r);
}

// INC/DEC r (40+r, 48+r: the register is in the opcode) and E (FE/FF /0 /1).
template <class T> void inc_Z(Cpu& c, const Insn& i) { setr<T>(c, i.reg, flags::inc<T>(c.eflags, getr<T>(c, i.reg))); }
template <class T> void dec_Z(Cpu& c, const Insn& i) { setr<T>(c, i.reg, flags::dec<T>(c.eflags, getr<T>(c, i.reg))); }
template <class T> void inc_E(Cpu& c, const Insn& i) {
  uint32_t ef = c.eflags;
  T r = flags::inc<T>(ef, read_rm<T>(c, i));
  write_rm<T>(c, i, r);
  c.eflags = ef;
}
template <class T> void dec_E(Cpu& c, const Insn& i) {
  uint32_t ef = c.eflags;
  T r = flags::dec<T>(ef, read_rm<T>(c, i));
  write_rm<T>(c, i, r);
  c.eflags = ef;
}

// NOT: no flags. NEG: 0 - x with SUB flags (CF = x != 0).
template <class T> void not_E(Cpu& c, const Insn& i) { write_rm<T>(c, i, T(~read_rm<T>(c, i))); }
template <class T> void neg_E(Cpu& c, const Insn& i) {
  uint32_t ef = c.eflags;
  T r = flags::sub<T>(ef, T(0), read_rm<T>(c, i));
  write_rm<T>(c, i, r);
  c.eflags = ef;
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_alu() {
  static const std::vector<Row> rows = {
#include "cpu/table/alu.inc"
  };
  return rows;
}
}  // namespace cpu
