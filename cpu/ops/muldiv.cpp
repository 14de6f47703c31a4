// Reference handlers: the muldiv family (rows in cpu/table/muldiv.inc).
//
// MUL/IMUL (one-operand F6/F7 /4 /5; IMUL Gv,Ev 0F AF; IMUL Gv,Ev,Iz 69 and
// Gv,Ev,Ib 6B) and DIV/IDIV (F6/F7 /6 /7). The accumulator pair is AX
// (bytes), DX:AX (words) or EDX:EAX (dwords).
//
// Flags: MUL/IMUL define only CF = OF (the product does not fit the low half,
// unsigned for MUL, signed for IMUL). SF, ZF, AF, PF are undefined; we do
// what a current Intel core was measured to do (P6 assumed the same): SF and
// PF from the low half of the product, ZF and AF cleared. DIV/IDIV leave all
// six undefined; the same measurement shows them unchanged, and so do we.
// Divide by zero and a quotient that does not fit raise #DE before anything
// is written (the IDIV quotient range is the full signed range, so -128 for a
// byte is fine, as on every CPU since the 80286).
#include <limits>
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

// Unsigned and signed types wide enough for a product of two Ts.
template <class T> using Wide = std::conditional_t<sizeof(T) == 4, uint64_t, uint32_t>;
template <class T> using SWide = std::make_signed_t<Wide<T>>;

template <class T> inline void mul_flags(Cpu& c, T lo, bool overflow) {
  uint32_t f = (flags::szp<T>(lo) & ~ZF) | (overflow ? (CF | OF) : 0);
  flags::set_arith(c.eflags, f);
}

// Store a double-width product or read a double-width dividend in the
// accumulator pair.
template <class T> inline void set_acc_pair(Cpu& c, Wide<T> v) {
  if constexpr (sizeof(T) == 1) {
    setr<uint16_t>(c, EAX, uint16_t(v));
  } else {
    setr<T>(c, EAX, T(v));
    setr<T>(c, EDX, T(v >> kBits<T>));
  }
}
template <class T> inline Wide<T> acc_pair(const Cpu& c) {
  if constexpr (sizeof(T) == 1) return getr<uint16_t>(c, EAX);
  else return (Wide<T>(getr<T>(c, EDX)) << kBits<T>) | getr<T>(c, EAX);
}

template <class T> void mul_E(Cpu& c, const Insn& i) {
  Wide<T> p = Wide<T>(read_rm<T>(c, i)) * getr<T>(c, EAX);
  set_acc_pair<T>(c, p);
  mul_flags<T>(c, T(p), (p >> kBits<T>) != 0);
}
template <class T> void imul_E(Cpu& c, const Insn& i) {
  SWide<T> p = SWide<T>(S<T>(read_rm<T>(c, i))) * SWide<T>(S<T>(getr<T>(c, EAX)));
  set_acc_pair<T>(c, Wide<T>(p));
  mul_flags<T>(c, T(p), p != SWide<T>(S<T>(T(p))));
}

// Truncated signed product of two operands (IMUL Gv,Ev / Gv,Ev,imm).
template <class T> inline void imul_to_reg(Cpu& c, const Insn& i, T a, T b) {
  SWide<T> p = SWide<T>(S<T>(a)) * SWide<T>(S<T>(b));
  write_reg<T>(c, i, T(p));
  mul_flags<T>(c, T(p), p != SWide<T>(S<T>(T(p))));
}
template <class T> void imul_GE(Cpu& c, const Insn& i) { imul_to_reg<T>(c, i, read_reg<T>(c, i), read_rm<T>(c, i)); }
template <class T> void imul_GEI(Cpu& c, const Insn& i) { imul_to_reg<T>(c, i, read_rm<T>(c, i), imm<T>(i)); }

template <class T> void div_E(Cpu& c, const Insn& i) {
  T d = read_rm<T>(c, i);
  if (d == 0) fault(c, kDE);
  Wide<T> n = acc_pair<T>(c);
  Wide<T> q = n / d;
  if (q >> kBits<T>) fault(c, kDE);
  T r = T(n % d);
  if constexpr (sizeof(T) == 1) {
    setr<uint16_t>(c, EAX, uint16_t((r << 8) | T(q)));
  } else {
    setr<T>(c, EAX, T(q));
    setr<T>(c, EDX, r);
  }
}
template <class T> void idiv_E(Cpu& c, const Insn& i) {
  using SW = SWide<T>;
  SW d = S<T>(read_rm<T>(c, i));
  if (d == 0) fault(c, kDE);
  SW n;  // the dividend, sign-extended from its own width (AX for bytes)
  if constexpr (sizeof(T) == 1) n = int16_t(getr<uint16_t>(c, EAX));
  else n = SW(acc_pair<T>(c));
  // The one quotient that overflows the double width itself: MIN / -1.
  if (d == -1 && n == std::numeric_limits<SW>::min()) fault(c, kDE);
  SW q = n / d;
  if (q < std::numeric_limits<S<T>>::min() || q > std::numeric_limits<S<T>>::max()) fault(c, kDE);
  T r = T(n % d);  // the remainder has the dividend's sign
  if constexpr (sizeof(T) == 1) {
    setr<uint16_t>(c, EAX, uint16_t((r << 8) | T(q)));
  } else {
    setr<T>(c, EAX, T(q));
    setr<T>(c, EDX, r);
  }
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_muldiv() {
  static const std::vector<Row> rows = {
#include "cpu/table/muldiv.inc"
  };
  return rows;
}
}  // namespace cpu
