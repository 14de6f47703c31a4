// The segment key: what the translator may assume about the data segments
// and alignment checking for the code it emits (issue 5: "segment checks
// specialised away when the key says the segments are flat").
//
// Two bits per segment register (ES CS SS DS FS GS, bits 2*seg):
//   0  generic: every access tests the attributes and the limit
//   1  usable:  present, data, writable, expand-up; only the limit is tested
//   2  flat:    usable with base 0 and a 4 GiB limit; no test, no base to add
// and kSegKeyNoAC when an access can never raise #AC (EFLAGS.AC, CR0.AM and
// CPL 3 are not all set), so the alignment test is left out too; and for
// the code segment's limit, which every branch target is checked against:
// kSegKeyCs4G (4 GiB: no target can be past it) and kSegKeyCs64K (at least
// 0xFFFF: no 16-bit target can be past it); kSegKeyCsBase0 when CS is flat
// (a jump-cache probe then needs no base: linear address = EIP).
//
// The key depends on segment attributes, limits, EFLAGS.AC, CR0.AM and CPL,
// and on a base only where the limit is 4 GiB, so an ordinary real-mode
// segment load does not change it (one with a 4 GiB limit, "unreal mode",
// raises EV_MODE). Everything else that can change it raises EV_MODE too
// (protected-mode segment loads, POPF and
// IRET end their blocks as A_MODE, CR0 writes, CPL changes, task switches),
// so generated code returns to the dispatcher, which computes the key again
// and picks (or translates) the block variant made for it. A translated
// block records its key; the jump cache and chains only connect blocks of
// the same key because the key cannot change between two chained blocks.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"
#include "jit/config.h"

namespace jit {

constexpr uint32_t kSegGeneric = 0, kSegUsable = 1, kSegFlat = 2;
constexpr uint32_t kSegKeyNoAC = 1u << 12;
constexpr uint32_t kSegKeyCs4G = 1u << 13;
constexpr uint32_t kSegKeyCs64K = 1u << 14;
constexpr uint32_t kSegKeyCsBase0 = 1u << 15;

inline uint32_t seg_class(uint32_t key, unsigned seg) { return (key >> (2 * seg)) & 3; }
// Must a branch target of this width (2: a 16-bit EIP) be checked against
// the CS limit?
inline bool cs_limit_check(uint32_t key, unsigned w) {
  return !(key & kSegKeyCs4G) && !(w == 2 && (key & kSegKeyCs64K));
}

inline uint32_t segment_key(const cpu::Cpu& c, const Config& cfg) {
  if (!cfg.flat_segments) return 0;
  uint32_t key = 0;
  for (unsigned s = 0; s < 6; ++s) {
    const cpu::Segment& g = c.seg[s];
    const uint32_t mask = cpu::SEG_P | cpu::SEG_DC | cpu::SEG_CODE | cpu::SEG_RW;
    if ((g.attr & mask) != (cpu::SEG_P | cpu::SEG_RW)) continue;
    key |= (g.limit == 0xFFFFFFFFu && g.base == 0 ? kSegFlat : kSegUsable) << (2 * s);
  }
  bool ac = (c.eflags & cpu::AC) && (c.cr[0] & cpu::CR0_AM) && c.cpl == 3;
  if (!ac) key |= kSegKeyNoAC;
  if (c.seg[cpu::CS].limit == 0xFFFFFFFFu) key |= kSegKeyCs4G;
  if (c.seg[cpu::CS].limit >= 0xFFFFu) key |= kSegKeyCs64K;
  if (c.seg[cpu::CS].base == 0 && c.seg[cpu::CS].limit == 0xFFFFFFFFu) key |= kSegKeyCsBase0;
  return key;
}

}  // namespace jit
