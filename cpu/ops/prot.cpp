// Reference handlers: the protected-mode family (rows in cpu/table/prot.inc).
//
// LLDT/SLDT/LTR/STR, LAR/LSL/VERR/VERW, ARPL (all protected mode only: the
// Real16 decoder rejects them, which is #UD in real and V86 mode, as on a
// P6), RDMSR/WRMSR and SYSENTER/SYSEXIT.
#include <vector>

#include "cpu/descriptors.h"
#include "cpu/ops/common.h"
#include "cpu/ops/privilege.h"

namespace cpu::ops {
namespace {

inline void require_cpl0(Cpu& c) {
  if (cur_cpl(c) != 0) fault(c, kGP, 0);
}
inline void set_zf(Cpu& c, bool z) { c.eflags = z ? (c.eflags | ZF) : (c.eflags & ~ZF); }

// ---- LDTR and TR ----
// SLDT/STR Ew: a memory destination gets 16 bits, a 32-bit register the
// selector zero-extended (P6).
template <class T> void store_sel(Cpu& c, const Insn& i, uint16_t sel) {
  if (i.mem()) write_mem<uint16_t>(c, i.seg, ea(c, i), sel);
  else setr<T>(c, i.rm, T(sel));
}
template <class T> void sldt(Cpu& c, const Insn& i) { store_sel<T>(c, i, c.ldtr.sel); }
template <class T> void str(Cpu& c, const Insn& i) { store_sel<T>(c, i, c.tr.sel); }

// LLDT Ew: a null selector leaves LDTR unusable; otherwise a present LDT
// descriptor in the GDT.
template <class T> void lldt(Cpu& c, const Insn& i) {
  require_cpl0(c);
  uint16_t sel = read_rm<uint16_t>(c, i);
  if (null_sel(sel)) {
    c.ldtr = Segment{sel, 0, 0, 0, 0};
    return;
  }
  if (sel & 4) fault(c, kGP, sel_error(sel, false));
  DescRef r = read_descriptor(c, sel, kGP, false);
  if (!r.d.system() || r.d.type() != kLdtDesc) fault(c, kGP, sel_error(sel, false));
  if (!r.d.present()) fault(c, kNP, sel_error(sel, false));
  c.ldtr = Segment{sel, 0, r.d.base(), r.d.limit(), r.d.attr()};
}

// LTR Ew: an available TSS in the GDT, which becomes busy.
template <class T> void ltr(Cpu& c, const Insn& i) {
  require_cpl0(c);
  uint16_t sel = read_rm<uint16_t>(c, i);
  if (null_sel(sel)) fault(c, kGP, 0);
  if (sel & 4) fault(c, kGP, sel_error(sel, false));
  DescRef r = read_descriptor(c, sel, kGP, false);
  if (!r.d.tss_available()) fault(c, kGP, sel_error(sel, false));
  if (!r.d.present()) fault(c, kNP, sel_error(sel, false));
  set_busy(c, r, true);
  c.tr = Segment{sel, 0, r.d.base(), r.d.limit(), r.d.attr()};
}

// ---- descriptor queries: ZF = 1 when the descriptor may be looked at ----
// Visible at this privilege: conforming code always, anything else needs
// DPL >= CPL and DPL >= RPL. A null selector or one outside its table fails.
bool visible(Cpu& c, uint16_t sel, DescRef* r) {
  if (null_sel(sel) || !fetch_descriptor(c, sel, r)) return false;
  if (r->d.conforming()) return true;
  return r->d.dpl() >= c.cpl && r->d.dpl() >= (sel & 3u);
}

// LAR Gv,Ew: the access rights (descriptor bits 8-23, limit 16-19 masked)
// of segments and of TSS, LDT, call and task gate descriptors.
template <class T> void lar(Cpu& c, const Insn& i) {
  uint16_t sel = read_rm<uint16_t>(c, i);
  DescRef r;
  bool ok = visible(c, sel, &r);
  if (ok && r.d.system()) {
    unsigned t = r.d.type();
    ok = t == kTss16 || t == kLdtDesc || t == kTss16Busy || t == kCallGate16 || t == kTaskGate ||
         t == kTss32 || t == kTss32Busy || t == kCallGate32;
  }
  if (ok) write_reg<T>(c, i, T(r.d.hi & 0x00F0FF00u));
  set_zf(c, ok);
}

// LSL Gv,Ew: the byte-granular limit of segments, TSSs and LDTs.
template <class T> void lsl(Cpu& c, const Insn& i) {
  uint16_t sel = read_rm<uint16_t>(c, i);
  DescRef r;
  bool ok = visible(c, sel, &r);
  if (ok && r.d.system()) {
    unsigned t = r.d.type();
    ok = t == kTss16 || t == kLdtDesc || t == kTss16Busy || t == kTss32 || t == kTss32Busy;
  }
  if (ok) write_reg<T>(c, i, T(r.d.limit()));
  set_zf(c, ok);
}

// VERR/VERW Ew: readable (data, readable code) / writable data segment.
template <class T> void verr(Cpu& c, const Insn& i) {
  uint16_t sel = read_rm<uint16_t>(c, i);
  DescRef r;
  set_zf(c, visible(c, sel, &r) && r.d.readable());
}
template <class T> void verw(Cpu& c, const Insn& i) {
  uint16_t sel = read_rm<uint16_t>(c, i);
  DescRef r;
  set_zf(c, visible(c, sel, &r) && r.d.writable());
}

// ARPL Ew,Gw: raise the destination selector's RPL to the source's.
template <class T> void arpl(Cpu& c, const Insn& i) {
  uint16_t d = read_rm<uint16_t>(c, i);
  uint16_t s = read_reg<uint16_t>(c, i);
  bool raise = (d & 3) < (s & 3);
  if (raise) write_rm<uint16_t>(c, i, uint16_t((d & ~3u) | (s & 3u)));
  set_zf(c, raise);
}

// ---- model-specific registers ----
// MTRR memory types: UC 0, WC 1, WT 4, WP 5, WB 6; PAT also has UC- (7).
bool mtrr_type(uint64_t t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }
bool mtrr_types(uint64_t v) {  // eight type bytes (fixed-range MTRRs)
  for (unsigned k = 0; k < 8; ++k)
    if (!mtrr_type((v >> (8 * k)) & 0xFF)) return false;
  return true;
}
bool pat_types(uint64_t v) {
  for (unsigned k = 0; k < 8; ++k) {
    uint64_t t = (v >> (8 * k)) & 0xFF;
    if (!(mtrr_type(t) || t == 7)) return false;
  }
  return true;
}
uint64_t* fixed_mtrr(Cpu& c, uint32_t idx) {
  if (idx == 0x250) return &c.msr.mtrr_fixed[0];
  if (idx == 0x258 || idx == 0x259) return &c.msr.mtrr_fixed[1 + (idx - 0x258)];
  if (idx >= 0x268 && idx <= 0x26F) return &c.msr.mtrr_fixed[3 + (idx - 0x268)];
  return nullptr;
}
constexpr uint64_t kPhysMask = 0xFFFFFF000ull;  // a P6 has 36 physical address bits

bool msr_read(Cpu& c, uint32_t idx, uint64_t* v) {
  switch (idx) {
    case 0x10: *v = c.tsc + c.msr.tsc_adjust; return true;
    case 0x1B: *v = c.msr.apic_base; return true;
    case 0xFE: *v = c.msr.mtrr_cap; return true;
    case 0x174: *v = c.msr.sysenter_cs; return true;
    case 0x175: *v = c.msr.sysenter_esp; return true;
    case 0x176: *v = c.msr.sysenter_eip; return true;
    case 0x277: *v = c.msr.pat; return true;
    case 0x2FF: *v = c.msr.mtrr_def_type; return true;
  }
  if (idx >= 0x200 && idx <= 0x20F) {
    *v = c.msr.mtrr_var[idx - 0x200];
    return true;
  }
  if (uint64_t* f = fixed_mtrr(c, idx)) {
    *v = *f;
    return true;
  }
  return false;
}

// Reserved bits or invalid memory types are #GP(0) (false).
bool msr_write(Cpu& c, uint32_t idx, uint64_t v) {
  switch (idx) {
    case 0x10: c.msr.tsc_adjust = uint32_t(v) - c.tsc; return true;  // P6: the upper half is cleared
    case 0x1B:  // BSP (bit 8) is read-only; enable (11) and base (12-35) are kept
      if (v & ~(kPhysMask | 0x900ull)) return false;
      c.msr.apic_base = (v & (kPhysMask | 0x800)) | (c.msr.apic_base & 0x100);
      return true;
    case 0x174: c.msr.sysenter_cs = uint32_t(v); return true;
    case 0x175: c.msr.sysenter_esp = uint32_t(v); return true;
    case 0x176: c.msr.sysenter_eip = uint32_t(v); return true;
    case 0x277:
      if (!pat_types(v)) return false;
      c.msr.pat = v;
      return true;
    case 0x2FF:  // type (0-7), fixed-range enable (10), enable (11)
      if ((v & ~0xCFFull) || !mtrr_type(v & 0xFF)) return false;
      c.msr.mtrr_def_type = v;
      return true;
  }
  if (idx >= 0x200 && idx <= 0x20F) {
    bool base = !(idx & 1);
    uint64_t allowed = base ? (kPhysMask | 0xFF) : (kPhysMask | 0x800);
    if ((v & ~allowed) || (base && !mtrr_type(v & 0xFF))) return false;
    c.msr.mtrr_var[idx - 0x200] = v;
    return true;
  }
  if (uint64_t* f = fixed_mtrr(c, idx)) {
    if (!mtrr_types(v)) return false;
    *f = v;
    return true;
  }
  return false;  // unknown MSR (MTRRcap is read-only)
}

template <class T> void rdmsr(Cpu& c, const Insn&) {
  require_cpl0(c);
  uint64_t v;
  if (!msr_read(c, c.gpr[ECX], &v)) fault(c, kGP, 0);
  c.gpr[EAX] = uint32_t(v);
  c.gpr[EDX] = uint32_t(v >> 32);
}
template <class T> void wrmsr(Cpu& c, const Insn&) {
  require_cpl0(c);
  uint64_t v = (uint64_t(c.gpr[EDX]) << 32) | c.gpr[EAX];
  if (!msr_write(c, c.gpr[ECX], v)) fault(c, kGP, 0);
}

// ---- SYSENTER/SYSEXIT: flat segments derived from SYSENTER_CS ----
Segment flat(uint16_t sel, bool code, unsigned dpl) {
  return Segment{sel, 0, 0, 0xFFFFFFFFu,
                 SEG_P | SEG_S | SEG_RW | SEG_ACCESSED | SEG_DB | SEG_G | (code ? SEG_CODE : 0) |
                     (dpl << SEG_DPL_SHIFT)};
}

template <class T> void sysenter(Cpu& c, const Insn&) {
  const uint16_t cs = uint16_t(c.msr.sysenter_cs);
  if (c.real_mode() || null_sel(cs)) fault(c, kGP, 0);
  c.eflags &= ~(VM | IF | RF);
  c.seg[CS] = flat(cs & 0xFFFC, true, 0);
  c.seg[SS] = flat(uint16_t((cs + 8) & 0xFFFC), false, 0);
  c.gpr[ESP] = uint32_t(c.msr.sysenter_esp);
  c.eip = uint32_t(c.msr.sysenter_eip);
  set_cpl(c, 0);
}

template <class T> void sysexit(Cpu& c, const Insn&) {
  const uint16_t cs = uint16_t(c.msr.sysenter_cs);
  if (c.real_mode() || cur_cpl(c) != 0 || null_sel(cs)) fault(c, kGP, 0);
  c.seg[CS] = flat(uint16_t((cs + 16) | 3), true, 3);
  c.seg[SS] = flat(uint16_t((cs + 24) | 3), false, 3);
  c.gpr[ESP] = c.gpr[ECX];
  c.eip = c.gpr[EDX];
  set_cpl(c, 3);
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_prot() {
  static const std::vector<Row> rows = {
#include "cpu/table/prot.inc"
  };
  return rows;
}
}  // namespace cpu
