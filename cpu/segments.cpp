// Segment register loads and far jumps.
//
// Real and V86 mode: base = selector << 4. Protected mode: the descriptor is
// read from the GDT or LDT and checked (SDM vol. 3, 5.4-5.6) for the
// same-privilege cases; call gates, task gates and privilege changes belong to
// the system-architecture layer (issue 3).
#include "cpu/cpu.h"

namespace cpu {

void segment_fault(Cpu& c, unsigned seg) { fault(c, seg == SS ? kSS : kGP, 0); }

namespace {

struct Descriptor {
  uint32_t lo, hi;
  uint32_t base() const { return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u); }
  uint32_t limit() const {
    uint32_t l = (lo & 0xFFFF) | (hi & 0x000F0000u);
    return (hi & (1u << 23)) ? (l << 12) | 0xFFF : l;
  }
  uint32_t attr() const { return (hi >> 8) & 0xF0FF; }
  unsigned dpl() const { return (hi >> 13) & 3; }
  bool present() const { return hi & (1u << 15); }
  bool system() const { return !(hi & (1u << 12)); }
  bool code() const { return hi & (1u << 11); }
  bool conforming() const { return code() && (hi & (1u << 10)); }
  bool readable() const { return !code() || (hi & (1u << 9)); }
  bool writable() const { return !code() && (hi & (1u << 9)); }
};

// Read the descriptor for `sel` (#GP(sel) if outside its table).
Descriptor read_descriptor(Cpu& c, uint16_t sel, uint32_t* addr) {
  bool ldt = sel & 4;
  uint32_t base = ldt ? c.ldtr.base : c.gdtr.base;
  uint32_t limit = ldt ? c.ldtr.limit : c.gdtr.limit;
  if (ldt && !(c.ldtr.attr & SEG_P)) fault(c, kGP, sel & 0xFFFC);
  uint32_t off = sel & 0xFFF8;
  if (off + 7 > limit) fault(c, kGP, sel & 0xFFFC);
  *addr = base + off;
  return Descriptor{lin_read<uint32_t>(c, base + off), lin_read<uint32_t>(c, base + off + 4)};
}

void set_accessed(Cpu& c, Descriptor& d, uint32_t addr) {
  if (!(d.hi & 0x100)) {
    d.hi |= 0x100;
    lin_write<uint32_t>(c, addr + 4, d.hi);
  }
}

void load_cache(Segment& s, uint16_t sel, const Descriptor& d) {
  s.sel = sel;
  s.base = d.base();
  s.limit = d.limit();
  s.attr = d.attr();
}

}  // namespace

void load_segment(Cpu& c, unsigned seg, uint16_t sel) {
  Segment& s = c.seg[seg];
  if (c.real_mode() || c.v86()) {
    s.sel = sel;
    s.base = uint32_t(sel) << 4;
    if (c.v86()) {
      s.limit = 0xFFFF;
      s.attr = SEG_P | SEG_S | SEG_RW | SEG_ACCESSED | (3u << SEG_DPL_SHIFT) |
               (seg == CS ? SEG_CODE : 0);
    }
    return;
  }
  unsigned rpl = sel & 3;
  if ((sel & 0xFFFC) == 0) {  // null selector
    if (seg == SS || seg == CS) fault(c, kGP, 0);
    s.sel = sel;
    s.base = 0;
    s.limit = 0;
    s.attr = 0;  // not present: any use faults
    return;
  }
  uint32_t addr;
  Descriptor d = read_descriptor(c, sel, &addr);
  if (seg == SS) {
    if (rpl != c.cpl || d.system() || !d.writable() || d.dpl() != c.cpl) fault(c, kGP, sel & 0xFFFC);
    if (!d.present()) fault(c, kSS, sel & 0xFFFC);
  } else {
    if (d.system() || !d.readable()) fault(c, kGP, sel & 0xFFFC);
    if (!d.conforming() && (rpl > d.dpl() || c.cpl > d.dpl())) fault(c, kGP, sel & 0xFFFC);
    if (!d.present()) fault(c, kNP, sel & 0xFFFC);
  }
  set_accessed(c, d, addr);
  load_cache(s, sel, d);
  s.attr |= SEG_ACCESSED;
  if (seg == SS) c.events |= EV_MODE;  // SS.B is part of the block key
}

void far_jump(Cpu& c, uint16_t sel, uint32_t eip, bool osz32) {
  if (!osz32) eip &= 0xFFFF;
  if (c.real_mode() || c.v86()) {
    if (eip > c.seg[CS].limit) fault(c, kGP, 0);
    load_segment(c, CS, sel);
    c.eip = eip;
    return;
  }
  if ((sel & 0xFFFC) == 0) fault(c, kGP, 0);
  uint32_t addr;
  Descriptor d = read_descriptor(c, sel, &addr);
  if (d.system() || !d.code()) fault(c, kGP, sel & 0xFFFC);  // gates/TSS: issue 3
  if (d.conforming() ? d.dpl() > c.cpl : ((sel & 3) > c.cpl || d.dpl() != c.cpl))
    fault(c, kGP, sel & 0xFFFC);
  if (!d.present()) fault(c, kNP, sel & 0xFFFC);
  if (eip > d.limit()) fault(c, kGP, 0);
  set_accessed(c, d, addr);
  load_cache(c.seg[CS], uint16_t((sel & ~3) | c.cpl), d);
  c.seg[CS].attr |= SEG_ACCESSED;
  c.eip = eip;
  c.events |= EV_MODE;
}

}  // namespace cpu
