// Reference handlers: bit test and scan, SETcc (rows in cpu/table/bit.inc).
//
// BT/BTS/BTR/BTC set CF to the selected bit; ZF is unchanged (SDM) and so are
// OF/SF/AF/PF (undefined; current Intel CPUs leave them alone). With a memory
// operand and a register bit offset, the offset is signed and may reach
// outside the addressed word/dword: the operand address moves by
// (offset SAR 4) * 2 or (offset SAR 5) * 4 bytes, wrapped to the address
// size. An immediate offset is masked to the operand size and never moves the
// address.
//
// BSF/BSR: a zero source sets ZF and leaves the destination unchanged (as
// Intel CPUs do). Undefined flags as a current Intel CPU sets them (checked
// natively): CF = OF = SF = AF = 0, PF = parity of the index (of 0 when the
// source is zero).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

enum class BitOp { Test, Set, Reset, Complement };

template <class T, BitOp Op> void bit_op(Cpu& c, const Insn& i, T offset, bool reg_offset) {
  unsigned bit = offset & (kBits<T> - 1);
  T v;
  uint32_t addr = 0;
  if (i.mem()) {
    addr = ea(c, i);
    if (reg_offset) {
      int32_t units = int32_t(S<T>(offset)) >> (sizeof(T) == 2 ? 4 : 5);
      addr += uint32_t(units) * uint32_t(sizeof(T));
      if (!i.asz32()) addr &= 0xFFFFu;
    }
    v = read_mem<T>(c, i.seg, addr);
  } else {
    v = getr<T>(c, i.rm);
  }
  uint32_t cf = (v >> bit) & 1u;
  if constexpr (Op != BitOp::Test) {
    T m = T(T(1) << bit);
    T nv = Op == BitOp::Set ? T(v | m) : Op == BitOp::Reset ? T(v & ~m) : T(v ^ m);
    if (i.mem()) write_mem<T>(c, i.seg, addr, nv);
    else setr<T>(c, i.rm, nv);
  }
  c.eflags = (c.eflags & ~CF) | (cf ? CF : 0);
}

template <class T> void bt_EG(Cpu& c, const Insn& i) { bit_op<T, BitOp::Test>(c, i, read_reg<T>(c, i), true); }
template <class T> void bts_EG(Cpu& c, const Insn& i) { bit_op<T, BitOp::Set>(c, i, read_reg<T>(c, i), true); }
template <class T> void btr_EG(Cpu& c, const Insn& i) { bit_op<T, BitOp::Reset>(c, i, read_reg<T>(c, i), true); }
template <class T> void btc_EG(Cpu& c, const Insn& i) {
  bit_op<T, BitOp::Complement>(c, i, read_reg<T>(c, i), true);
}
template <class T> void bt_EI(Cpu& c, const Insn& i) { bit_op<T, BitOp::Test>(c, i, T(i.imm), false); }
template <class T> void bts_EI(Cpu& c, const Insn& i) { bit_op<T, BitOp::Set>(c, i, T(i.imm), false); }
template <class T> void btr_EI(Cpu& c, const Insn& i) { bit_op<T, BitOp::Reset>(c, i, T(i.imm), false); }
template <class T> void btc_EI(Cpu& c, const Insn& i) { bit_op<T, BitOp::Complement>(c, i, T(i.imm), false); }

// BSF/BSR Gv,Ev (and F3 0F BC/BD, which Zydis calls TZCNT/LZCNT: a Pentium II
// ignores the F3 prefix and executes BSF/BSR).
template <class T, bool Reverse> void bit_scan(Cpu& c, const Insn& i) {
  T s = read_rm<T>(c, i);
  if (s == 0) {
    flags::set_arith(c.eflags, ZF | flags::parity(0));
    return;
  }
  unsigned r = Reverse ? unsigned(31 - __builtin_clz(uint32_t(s))) : unsigned(__builtin_ctz(uint32_t(s)));
  write_reg<T>(c, i, T(r));
  flags::set_arith(c.eflags, flags::parity(r));
}
template <class T> void bsf(Cpu& c, const Insn& i) { bit_scan<T, false>(c, i); }
template <class T> void bsr(Cpu& c, const Insn& i) { bit_scan<T, true>(c, i); }

// SETcc Eb.
template <class T> void setcc(Cpu& c, const Insn& i, unsigned cc) {
  write_rm<uint8_t>(c, i, flags::cond(c.eflags, cc) ? 1 : 0);
}
#define XLAT86_SETCC(name, cc) \
  template <class T> void name(Cpu& c, const Insn& i) { setcc<T>(c, i, cc); }
XLAT86_SETCC(seto, 0)
XLAT86_SETCC(setno, 1)
XLAT86_SETCC(setb, 2)
XLAT86_SETCC(setnb, 3)
XLAT86_SETCC(setz, 4)
XLAT86_SETCC(setnz, 5)
XLAT86_SETCC(setbe, 6)
XLAT86_SETCC(setnbe, 7)
XLAT86_SETCC(sets, 8)
XLAT86_SETCC(setns, 9)
XLAT86_SETCC(setp, 10)
XLAT86_SETCC(setnp, 11)
XLAT86_SETCC(setl, 12)
XLAT86_SETCC(setnl, 13)
XLAT86_SETCC(setle, 14)
XLAT86_SETCC(setnle, 15)
#undef XLAT86_SETCC

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_bit() {
  static const std::vector<Row> rows = {
#include "cpu/table/bit.inc"
  };
  return rows;
}
}  // namespace cpu
