// Flag algorithms, apart from the per-opcode glue in cpu/ops/.
//
// Each function computes a result and the EFLAGS bits the SDM defines for it,
// writing only the arithmetic flags it owns. Bits the SDM leaves undefined are
// set as a Pentium II-class Intel CPU sets them where that is known (noted at
// each function); the conformance tests mask them.
#pragma once
#include <cstdint>
#include <type_traits>

#include "cpu/state.h"

namespace cpu::flags {

template <class T> constexpr unsigned kBits = sizeof(T) * 8;
template <class T> constexpr T kSign = T(T(1) << (kBits<T> - 1));

inline uint32_t parity(uint32_t v) {
  // PF is set when the low byte has an even number of 1 bits.
  return (__builtin_parity(v & 0xFFu) ? 0 : PF);
}
template <class T> inline uint32_t szp(T r) {
  return parity(r) | (r == 0 ? ZF : 0) | ((r & kSign<T>) ? SF : 0);
}
inline void set_arith(uint32_t& ef, uint32_t bits) { ef = (ef & ~kArithFlags) | bits; }

// ADD/ADC: r = a + b + carry_in.
template <class T> inline T add(uint32_t& ef, T a, T b, unsigned carry_in = 0) {
  T r = T(a + b + carry_in);
  bool cf = carry_in ? (r <= a) : (r < a);
  uint32_t f = szp(r) | (cf ? CF : 0) | (((a ^ b ^ r) & 0x10) ? AF : 0) |
               (((~(a ^ b) & (a ^ r)) & kSign<T>) ? OF : 0);
  set_arith(ef, f);
  return r;
}
// SUB/SBB/CMP/NEG: r = a - b - borrow_in.
template <class T> inline T sub(uint32_t& ef, T a, T b, unsigned borrow_in = 0) {
  T r = T(a - b - borrow_in);
  bool cf = borrow_in ? (a <= b) : (a < b);
  uint32_t f = szp(r) | (cf ? CF : 0) | (((a ^ b ^ r) & 0x10) ? AF : 0) |
               ((((a ^ b) & (a ^ r)) & kSign<T>) ? OF : 0);
  set_arith(ef, f);
  return r;
}
// AND/OR/XOR/TEST: CF = OF = 0, AF undefined (Intel: 0).
template <class T> inline T logic(uint32_t& ef, T r) {
  set_arith(ef, szp(r));
  return r;
}
// INC/DEC: like ADD/SUB 1 but CF is preserved.
template <class T> inline T inc(uint32_t& ef, T a) {
  uint32_t cf = ef & CF;
  T r = add<T>(ef, a, 1);
  ef = (ef & ~CF) | cf;
  return r;
}
template <class T> inline T dec(uint32_t& ef, T a) {
  uint32_t cf = ef & CF;
  T r = sub<T>(ef, a, 1);
  ef = (ef & ~CF) | cf;
  return r;
}

// Condition codes 0..15 in Jcc/SETcc/CMOVcc order (O, NO, B, NB, Z, NZ, BE, NBE,
// S, NS, P, NP, L, NL, LE, NLE).
inline bool cond(uint32_t ef, unsigned cc) {
  bool r;
  switch (cc >> 1) {
    case 0: r = ef & OF; break;
    case 1: r = ef & CF; break;
    case 2: r = ef & ZF; break;
    case 3: r = ef & (CF | ZF); break;
    case 4: r = ef & SF; break;
    case 5: r = ef & PF; break;
    case 6: r = bool(ef & SF) != bool(ef & OF); break;
    default: r = (ef & ZF) || (bool(ef & SF) != bool(ef & OF)); break;
  }
  return r != bool(cc & 1);
}

}  // namespace cpu::flags
