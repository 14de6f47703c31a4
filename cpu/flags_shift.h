// Shift and rotate algorithms with their flags (SDM vol. 2: RCL/RCR/ROL/ROR,
// SAL/SAR/SHL/SHR, SHLD, SHRD).
//
// Each function takes the raw count operand (CL or imm8), masks it to 5 bits
// as every CPU since the 80386 does, and returns the result, updating only the
// flags the instruction writes. A masked count of 0 changes no flag.
//
// Flags the SDM leaves undefined follow what Intel cores do (measured on a
// current Intel core with native shifts of random operands; the P6 is assumed
// to behave the same):
//  - Rotates: OF for any non-zero count comes from the RESULT, as the count-1
//    definition reads it: ROL/RCL: MSB(r) ^ CF out; ROR/RCR: MSB(r) ^ bit N-2
//    of r. This is what the 80286 (SingleStepTests) and the 80386 (the
//    test386.asm reference output) do; for a count of 1 it is the SDM's
//    definition. (A current Intel core differs for counts > 1; the P6 is
//    taken to behave as its microcoded predecessors.)
//  - Shifts: OF for any non-zero count is the count-1 formula applied to the
//    ORIGINAL operands: SHL/SHLD: MSB(v) ^ bit N-2 of v; SHR: MSB(v); SHRD:
//    MSB(dest) ^ bit 0 of src; SAR: 0.
//  - AF after a non-zero shift (SHL/SHR/SAR/SHLD/SHRD) is cleared.
//  - CF for SHL/SHR counts >= the operand size is the last bit shifted out
//    of the operand as the SDM's bit-by-bit loop describes (0 once every bit
//    has left).
//  - SHLD/SHRD r/m16 with a count of 17..31 shift the 48-bit value
//    dest:src:dest, so bits of dest come in again after those of src (result
//    and CF checked the same way).
#pragma once
#include <cstdint>

#include "cpu/flags.h"

namespace cpu::flags {

inline constexpr unsigned kCountMask = 0x1F;

template <class T> inline uint32_t msb(T v) { return (v >> (kBits<T> - 1)) & 1; }
// Bit N-2, just below the sign.
template <class T> inline uint32_t msb2(T v) { return (v >> (kBits<T> - 2)) & 1; }
inline void set_cf_of(uint32_t& ef, uint32_t cf, uint32_t of) {
  ef = (ef & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
}
// SZP from the result, AF cleared, CF/OF as given.
template <class T> inline void set_shift(uint32_t& ef, T r, uint32_t cf, uint32_t of) {
  set_arith(ef, szp(r) | (cf ? CF : 0) | (of ? OF : 0));
}

// ROL/ROR: only CF and OF. The flags are written whenever the masked count is
// non-zero, even when it is a multiple of the operand size.
template <class T> inline T rol(uint32_t& ef, T v, unsigned count) {
  unsigned c = count & kCountMask;
  if (!c) return v;
  unsigned n = c % kBits<T>;
  T r = n ? T((v << n) | (v >> (kBits<T> - n))) : v;
  set_cf_of(ef, r & 1, msb(r) ^ (r & 1));
  return r;
}
template <class T> inline T ror(uint32_t& ef, T v, unsigned count) {
  unsigned c = count & kCountMask;
  if (!c) return v;
  unsigned n = c % kBits<T>;
  T r = n ? T((v >> n) | (v << (kBits<T> - n))) : v;
  set_cf_of(ef, msb(r), msb(r) ^ msb2(r));
  return r;
}

// RCL/RCR rotate the N+1-bit value CF:v; for 8- and 16-bit operands the
// masked count is taken modulo 9 or 17, and a count that becomes 0 changes
// nothing.
template <class T> inline unsigned rc_count(unsigned count) {
  unsigned c = count & kCountMask;
  return kBits<T> < 32 ? c % (kBits<T> + 1) : c;
}
template <class T> inline T rcl(uint32_t& ef, T v, unsigned count) {
  unsigned c = rc_count<T>(count);
  if (!c) return v;
  constexpr unsigned W = kBits<T> + 1;
  constexpr uint64_t mask = (uint64_t(1) << W) - 1;
  uint64_t x = (uint64_t(ef & CF) << kBits<T>) | v;
  x = ((x << c) | (x >> (W - c))) & mask;
  T r = T(x);
  uint32_t cf = uint32_t(x >> kBits<T>) & 1;
  set_cf_of(ef, cf, msb(r) ^ cf);
  return r;
}
template <class T> inline T rcr(uint32_t& ef, T v, unsigned count) {
  unsigned c = rc_count<T>(count);
  if (!c) return v;
  constexpr unsigned W = kBits<T> + 1;
  constexpr uint64_t mask = (uint64_t(1) << W) - 1;
  uint32_t cf_in = ef & CF;
  uint64_t x = (uint64_t(cf_in) << kBits<T>) | v;
  x = ((x >> c) | (x << (W - c))) & mask;
  T r = T(x);
  set_cf_of(ef, uint32_t(x >> kBits<T>) & 1, msb(r) ^ msb2(r));
  return r;
}

// SHL/SAL.
template <class T> inline T shl(uint32_t& ef, T v, unsigned count) {
  unsigned c = count & kCountMask;
  if (!c) return v;
  T r = c < kBits<T> ? T(v << c) : T(0);
  uint32_t cf = c <= kBits<T> ? uint32_t(v >> (kBits<T> - c)) & 1 : 0;
  set_shift<T>(ef, r, cf, msb(v) ^ msb2(v));
  return r;
}
// SHR: OF is the operand's original sign.
template <class T> inline T shr(uint32_t& ef, T v, unsigned count) {
  unsigned c = count & kCountMask;
  if (!c) return v;
  T r = c < kBits<T> ? T(v >> c) : T(0);
  uint32_t cf = c <= kBits<T> ? uint32_t(v >> (c - 1)) & 1 : 0;
  set_shift<T>(ef, r, cf, msb(v));
  return r;
}
// SAR: OF = 0; counts past the size fill with the sign.
template <class T> inline T sar(uint32_t& ef, T v, unsigned count) {
  unsigned c = count & kCountMask;
  if (!c) return v;
  using ST = std::make_signed_t<T>;
  ST s = ST(v);
  unsigned k = c < kBits<T> ? c : kBits<T> - 1;
  T r = T(ST(s >> k));
  uint32_t cf = uint32_t(s >> (c - 1 < kBits<T> ? c - 1 : kBits<T> - 1)) & 1;
  set_shift<T>(ef, r, cf, 0);
  return r;
}

// SHLD dest,src,count: dest shifted left, bits of src come in from the right.
template <class T> inline T shld(uint32_t& ef, T dst, T src, unsigned count) {
  static_assert(sizeof(T) >= 2);
  unsigned c = count & kCountMask;
  if (!c) return dst;
  T r;
  uint32_t cf;
  if constexpr (sizeof(T) == 4) {
    uint64_t x = (uint64_t(dst) << 32) | src;
    r = T((x << c) >> 32);
    cf = uint32_t(x >> (64 - c)) & 1;
  } else {
    uint64_t x = (uint64_t(dst) << 32) | (uint64_t(src) << 16) | dst;  // 48 bits
    r = T((x << c) >> 32);
    cf = uint32_t(x >> (48 - c)) & 1;
  }
  set_shift<T>(ef, r, cf, msb(dst) ^ msb2(dst));
  return r;
}
// SHRD dest,src,count: dest shifted right, bits of src come in from the left.
template <class T> inline T shrd(uint32_t& ef, T dst, T src, unsigned count) {
  static_assert(sizeof(T) >= 2);
  unsigned c = count & kCountMask;
  if (!c) return dst;
  uint64_t x;
  if constexpr (sizeof(T) == 4) x = (uint64_t(src) << 32) | dst;
  else x = (uint64_t(dst) << 32) | (uint64_t(src) << 16) | dst;  // 48 bits
  T r = T(x >> c);
  uint32_t cf = uint32_t(x >> (c - 1)) & 1;
  set_shift<T>(ef, r, cf, msb(dst) ^ (src & 1));
  return r;
}

}  // namespace cpu::flags
