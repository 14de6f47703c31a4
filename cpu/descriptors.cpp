// Descriptor tables and checked segment-register loads (SDM vol. 3, 3.4-3.5,
// 5.4-5.6), and stack frames that are checked before they are written.
#include "cpu/descriptors.h"

namespace cpu {

bool fetch_descriptor(Cpu& c, uint16_t sel, DescRef* out) {
  uint32_t base, limit;
  if (sel & 4) {
    if (!(c.ldtr.attr & SEG_P)) return false;  // no usable LDT
    base = c.ldtr.base;
    limit = c.ldtr.limit;
  } else {
    base = c.gdtr.base;
    limit = c.gdtr.limit;
  }
  uint32_t off = sel & 0xFFF8u;
  if (off + 7 > limit) return false;
  out->addr = base + off;
  out->d.lo = lin_read<uint32_t>(c, out->addr);
  out->d.hi = lin_read<uint32_t>(c, out->addr + 4);
  return true;
}

DescRef read_descriptor(Cpu& c, uint16_t sel, uint8_t vec, bool ext) {
  DescRef r;
  if (!fetch_descriptor(c, sel, &r)) fault(c, vec, sel_error(sel, ext));
  return r;
}

// The access byte (descriptor byte 5) holds both the accessed and the busy
// bit; the CPU rewrites just that byte.
void set_accessed(Cpu& c, DescRef& r) {
  if (r.d.hi & 0x100) return;
  r.d.hi |= 0x100;
  lin_write<uint8_t>(c, r.addr + 5, uint8_t(r.d.hi >> 8));
}

void set_busy(Cpu& c, DescRef& r, bool busy) {
  r.d.hi = busy ? (r.d.hi | 0x200) : (r.d.hi & ~0x200u);
  lin_write<uint8_t>(c, r.addr + 5, uint8_t(r.d.hi >> 8));
}

void commit_segment(Cpu& c, unsigned seg, uint16_t sel, DescRef& r) {
  set_accessed(c, r);
  c.seg[seg] = make_segment(sel, r.d);
  // CS.D and SS.B are part of the block key; every segment's attributes and
  // limit are part of the translator's segment key (jit/segkey.h).
  c.events |= EV_MODE;
}

void load_null(Cpu& c, unsigned seg, uint16_t sel) {
  c.seg[seg] = Segment{sel, 0, 0, 0, 0};  // not present: any use faults
  c.events |= EV_MODE;                    // as commit_segment
}

void load_v86(Cpu& c, unsigned seg, uint16_t sel) {
  c.seg[seg] = Segment{sel, 0, uint32_t(sel) << 4, 0xFFFF,
                       SEG_P | SEG_S | SEG_RW | SEG_ACCESSED | (3u << SEG_DPL_SHIFT) |
                           (seg == CS ? SEG_CODE : 0)};
  if (seg == CS || seg == SS) c.events |= EV_MODE;
}

DescRef check_stack_segment(Cpu& c, uint16_t sel, unsigned cpl, uint8_t bad, bool ext) {
  if (null_sel(sel)) fault(c, bad, ext ? 1 : 0);
  DescRef r = read_descriptor(c, sel, bad, ext);
  if ((sel & 3u) != cpl || !r.d.writable() || r.d.dpl() != cpl) fault(c, bad, sel_error(sel, ext));
  if (!r.d.present()) fault(c, kSS, sel_error(sel, ext));
  return r;
}

DescRef check_data_segment(Cpu& c, uint16_t sel, unsigned cpl, uint8_t bad, bool ext) {
  if (null_sel(sel)) return DescRef{};
  DescRef r = read_descriptor(c, sel, bad, ext);
  if (!r.d.readable()) fault(c, bad, sel_error(sel, ext));  // system or execute-only code
  if (!r.d.conforming() && ((sel & 3u) > r.d.dpl() || cpl > r.d.dpl()))
    fault(c, bad, sel_error(sel, ext));
  if (!r.d.present()) fault(c, kNP, sel_error(sel, ext));
  return r;
}

DescRef check_return_code(Cpu& c, uint16_t sel) {
  if (null_sel(sel)) fault(c, kGP, 0);
  DescRef r = read_descriptor(c, sel, kGP, false);
  unsigned rpl = sel & 3u;
  if (!r.d.code() || rpl < c.cpl) fault(c, kGP, sel_error(sel, false));
  if (r.d.conforming() ? r.d.dpl() > rpl : r.d.dpl() != rpl) fault(c, kGP, sel_error(sel, false));
  if (!r.d.present()) fault(c, kNP, sel_error(sel, false));
  return r;
}

void drop_inaccessible_segments(Cpu& c) {
  static constexpr unsigned kData[] = {ES, DS, FS, GS};
  for (unsigned seg : kData) {
    const Segment& s = c.seg[seg];
    if (!(s.attr & SEG_S)) continue;  // already null
    bool conforming_code = (s.attr & (SEG_CODE | SEG_DC)) == (SEG_CODE | SEG_DC);
    unsigned dpl = (s.attr >> SEG_DPL_SHIFT) & 3;
    if (!conforming_code && dpl < c.cpl) load_null(c, seg, 0);
  }
}

// MOV/POP Sreg, LDS..LGS (cpu.h): real and V86 mode compute the base from
// the selector; protected mode checks the descriptor (#GP/#SS/#NP with the
// selector; a null selector is #GP(0) for SS).
void load_segment(Cpu& c, unsigned seg, uint16_t sel) {
  if (c.v86()) {
    load_v86(c, seg, sel);
    return;
  }
  if (c.real_mode()) {
    Segment& s = c.seg[seg];  // limit and attributes stay (big real mode)
    s.sel = sel;
    s.base = uint32_t(sel) << 4;
    if (s.limit == 0xFFFFFFFFu) c.events |= EV_MODE;  // a flat segment's base is in the jit's segment key
    return;
  }
  if (seg == SS) {
    DescRef r = check_stack_segment(c, sel, c.cpl, kGP, false);
    commit_segment(c, SS, sel, r);
    return;
  }
  if (null_sel(sel)) {
    load_null(c, seg, sel);
    return;
  }
  DescRef r = check_data_segment(c, sel, c.cpl, kGP, false);
  commit_segment(c, seg, sel, r);
}

// ---- stack frames ----
void StackFrame::check(Cpu& c) const {
  for (unsigned k = 0; k < n; ++k) {
    const Slot& s = slot[k];
    if (!seg_ok(ss, s.off, s.size - 1u)) fault(c, kSS, err);
    if (user) alignment_check(c, ss.base + s.off, s.size);
    mmu::PageFault pf;
    if (!c.tlb->probe(ss.base + s.off, s.size, mmu::Access::Write, user, &pf)) page_fault(c, pf);
  }
}

void StackFrame::write(Cpu& c) const {
  for (unsigned k = 0; k < n; ++k) {
    const Slot& s = slot[k];
    mmu::PageFault pf;
    uint32_t lin = ss.base + s.off;
    bool ok = s.size == 4 ? c.tlb->write<uint32_t>(lin, user, s.value, &pf)
                          : c.tlb->write<uint16_t>(lin, user, uint16_t(s.value), &pf);
    if (!ok) page_fault(c, pf);  // not after a successful check()
  }
}

}  // namespace cpu
