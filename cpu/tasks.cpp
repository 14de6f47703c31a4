// Task switching (SDM vol. 3, 7.3), the TSS stack pointers for privilege
// changes, and the I/O permission bitmap.
//
// 32-bit TSS: link 0, ESP0/SS0 4/8, ESP1/SS1 0Ch/10h, ESP2/SS2 14h/18h,
// CR3 1Ch, EIP 20h, EFLAGS 24h, EAX..EDI 28h-44h, ES CS SS DS FS GS 48h-5Ch,
// LDT 60h, T bit 64h, I/O map base 66h (limit >= 67h).
// 16-bit TSS: link 0, SP0/SS0 2/4, SP1/SS1 6/8, SP2/SS2 0Ah/0Ch, IP 0Eh,
// FLAGS 10h, AX..DI 12h-20h, ES CS SS DS 22h-28h, LDT 2Ah (limit >= 2Bh).
#include "cpu/descriptors.h"

namespace cpu {

DescRef task_gate_tss(Cpu& c, uint16_t tss_sel, bool ext) {
  DescRef t;
  if ((tss_sel & 4) || !fetch_descriptor(c, tss_sel, &t)) fault(c, kGP, sel_error(tss_sel, ext));
  if (!t.d.tss_available()) fault(c, kGP, sel_error(tss_sel, ext));
  if (!t.d.present()) fault(c, kNP, sel_error(tss_sel, ext));
  return t;
}

void tss_stack(Cpu& c, unsigned dpl, bool ext, uint16_t* ss, uint32_t* esp) {
  const bool tss32 = c.tr.attr & 8;
  if (tss32) {
    uint32_t at = dpl * 8 + 4;
    if (at + 5 > c.tr.limit) fault(c, kTS, sel_error(c.tr.sel, ext));
    *esp = lin_read<uint32_t>(c, c.tr.base + at);
    *ss = lin_read<uint16_t>(c, c.tr.base + at + 4);
  } else {
    uint32_t at = dpl * 4 + 2;
    if (at + 3 > c.tr.limit) fault(c, kTS, sel_error(c.tr.sel, ext));
    *esp = lin_read<uint16_t>(c, c.tr.base + at);
    *ss = lin_read<uint16_t>(c, c.tr.base + at + 2);
  }
}

bool io_bitmap_allows(Cpu& c, uint16_t port, unsigned size) {
  unsigned type = c.tr.attr & 0xF;
  if ((type != kTss32 && type != kTss32Busy) || c.tr.limit < 0x67) return false;
  // Two bytes are always read, so a range ending in the last byte of the
  // TSS needs the byte after it too.
  uint32_t at = lin_read<uint16_t>(c, c.tr.base + 0x66) + uint32_t(port >> 3);
  if (at + 1 > c.tr.limit) return false;
  uint32_t bits = lin_read<uint16_t>(c, c.tr.base + at);
  return !((bits >> (port & 7)) & ((1u << size) - 1));
}

namespace {

struct TaskState {
  uint32_t cr3 = 0, eip, eflags, gpr[8];
  uint16_t sreg[kSegCount], ldt;
  bool trap = false;  // T bit (32-bit TSS only)
};

TaskState read_tss(Cpu& c, uint32_t base, bool tss32) {
  TaskState n;
  if (tss32) {
    n.cr3 = lin_read<uint32_t>(c, base + 0x1C);
    n.eip = lin_read<uint32_t>(c, base + 0x20);
    n.eflags = lin_read<uint32_t>(c, base + 0x24);
    for (unsigned r = 0; r < 8; ++r) n.gpr[r] = lin_read<uint32_t>(c, base + 0x28 + 4 * r);
    for (unsigned s = 0; s < kSegCount; ++s) n.sreg[s] = lin_read<uint16_t>(c, base + 0x48 + 4 * s);
    n.ldt = lin_read<uint16_t>(c, base + 0x60);
    n.trap = lin_read<uint16_t>(c, base + 0x64) & 1;
  } else {
    // A 16-bit TSS: the upper halves of the GPRs read as ones, of EIP and
    // EFLAGS as zeros; FS and GS are null.
    n.eip = lin_read<uint16_t>(c, base + 0x0E);
    n.eflags = lin_read<uint16_t>(c, base + 0x10);
    for (unsigned r = 0; r < 8; ++r) n.gpr[r] = 0xFFFF0000u | lin_read<uint16_t>(c, base + 0x12 + 2 * r);
    for (unsigned s = 0; s < 4; ++s) n.sreg[s] = lin_read<uint16_t>(c, base + 0x22 + 2 * s);
    n.sreg[FS] = n.sreg[GS] = 0;
    n.ldt = lin_read<uint16_t>(c, base + 0x2A);
  }
  return n;
}

void save_tss(Cpu& c, uint32_t base, bool tss32, uint32_t eflags) {
  if (tss32) {
    lin_write<uint32_t>(c, base + 0x20, c.eip);
    lin_write<uint32_t>(c, base + 0x24, eflags);
    for (unsigned r = 0; r < 8; ++r) lin_write<uint32_t>(c, base + 0x28 + 4 * r, c.gpr[r]);
    for (unsigned s = 0; s < kSegCount; ++s) lin_write<uint16_t>(c, base + 0x48 + 4 * s, c.seg[s].sel);
  } else {
    lin_write<uint16_t>(c, base + 0x0E, uint16_t(c.eip));
    lin_write<uint16_t>(c, base + 0x10, uint16_t(eflags));
    for (unsigned r = 0; r < 8; ++r) lin_write<uint16_t>(c, base + 0x12 + 2 * r, uint16_t(c.gpr[r]));
    for (unsigned s = 0; s < 4; ++s) lin_write<uint16_t>(c, base + 0x22 + 2 * s, c.seg[s].sel);
  }
}

void probe_write(Cpu& c, uint32_t lin, uint32_t len) {
  mmu::PageFault pf;
  if (!c.tlb->probe(lin, len, mmu::Access::Write, false, &pf)) page_fault(c, pf);
}

// Load the LDT and the segment registers of the task just entered, with
// the checks of SDM table 7-1 (#TS, #NP or #SS with the selector).
void load_task_segments(Cpu& c, const TaskState& n, bool ext) {
  if (null_sel(n.ldt)) {
    c.ldtr = Segment{n.ldt, 0, 0, 0, 0};
  } else {
    DescRef l;
    if ((n.ldt & 4) || !fetch_descriptor(c, n.ldt, &l) || !l.d.system() || l.d.type() != kLdtDesc ||
        !l.d.present())
      fault(c, kTS, sel_error(n.ldt, ext));
    c.ldtr = Segment{n.ldt, 0, l.d.base(), l.d.limit(), l.d.attr()};
  }
  if (c.eflags & VM) {
    for (unsigned s = 0; s < kSegCount; ++s) load_v86(c, s, n.sreg[s]);
    set_cpl(c, 3);
    return;
  }
  // Each register is loaded as soon as it passes, so an exception on a later
  // one is raised with CS and SS of the new task usable.
  const uint16_t cs = n.sreg[CS];
  const unsigned cpl = cs & 3u;
  DescRef t;
  if (null_sel(cs) || !fetch_descriptor(c, cs, &t) || !t.d.code() ||
      (t.d.conforming() ? t.d.dpl() > cpl : t.d.dpl() != cpl))
    fault(c, kTS, sel_error(cs, ext));
  if (!t.d.present()) fault(c, kNP, sel_error(cs, ext));
  commit_segment(c, CS, cs, t);
  set_cpl(c, cpl);
  DescRef s = check_stack_segment(c, n.sreg[SS], cpl, kTS, ext);
  commit_segment(c, SS, n.sreg[SS], s);
  static constexpr unsigned kData[] = {ES, DS, FS, GS};
  for (unsigned seg : kData) {
    DescRef d = check_data_segment(c, n.sreg[seg], cpl, kTS, ext);
    if (null_sel(n.sreg[seg])) load_null(c, seg, n.sreg[seg]);
    else commit_segment(c, seg, n.sreg[seg], d);
  }
}

}  // namespace

bool task_switch(Cpu& c, uint16_t tss_sel, DescRef nt, TaskReason why, bool ext) {
  const bool new32 = nt.d.type() & 8;
  const bool old32 = c.tr.attr & 8;
  const uint32_t nbase = nt.d.base(), obase = c.tr.base;
  if (nt.d.limit() < (new32 ? 0x67u : 0x2Bu)) fault(c, kTS, sel_error(tss_sel, ext));
  if (c.tr.limit < (old32 ? 0x5Fu : 0x29u)) fault(c, kTS, sel_error(c.tr.sel, ext));

  // Everything that can fault before the commit point: the old TSS
  // descriptor (its busy bit), the new task's state, the pages written.
  DescRef old;
  const bool have_old = fetch_descriptor(c, c.tr.sel, &old) && old.d.tss_busy();
  TaskState n = read_tss(c, nbase, new32);
  probe_write(c, obase + (old32 ? 0x20 : 0x0E), old32 ? 0x40 : 0x1C);
  const bool nest = why == TaskReason::Call || why == TaskReason::Int;
  if (nest) probe_write(c, nbase, 2);

  // Commit: leave the old task.
  uint32_t fl = c.eflags;
  if (why == TaskReason::Iret) fl &= ~NT;
  if ((why == TaskReason::Jmp || why == TaskReason::Iret) && have_old) set_busy(c, old, false);
  save_tss(c, obase, old32, fl);
  if (nest) {
    lin_write<uint16_t>(c, nbase, c.tr.sel);  // back link
    n.eflags |= NT;
  }
  if (why != TaskReason::Iret) set_busy(c, nt, true);
  c.tr = Segment{tss_sel, 0, nbase, nt.d.limit(), nt.d.attr()};
  c.cr[0] |= CR0_TS;

  // Enter the new one: registers first, then the checked segment loads.
  c.eip = n.eip;
  c.eflags = kFlagsFixed1;
  write_eflags(c, n.eflags, ~0u);
  for (unsigned r = 0; r < 8; ++r) c.gpr[r] = n.gpr[r];
  for (unsigned s = 0; s < kSegCount; ++s) c.seg[s] = Segment{n.sreg[s], 0, 0, 0, 0};
  c.ldtr = Segment{n.ldt, 0, 0, 0, 0};
  c.events |= EV_MODE;
  // From here on a fault belongs to the new task (SDM 7.3, step 14): it is
  // raised with the new task's registers and EIP.
  take_snapshot(c);
  if (new32 && (c.cr[0] & CR0_PG)) write_cr3(c, n.cr3);  // without paging CR3 stays
  load_task_segments(c, n, ext);
  if (c.eip > c.seg[CS].limit) fault(c, kGP, ext ? 1 : 0);
  return n.trap;
}

void task_debug_trap(Cpu& c) {
  c.dr[6] |= 1u << 15;  // BT
  deliver_interrupt(c, kDB, IntKind::Exception);
}

}  // namespace cpu
