// Far JMP, CALL and RET (SDM vol. 2 JMP/CALL/RET operation; vol. 3, 5.8).
//
// Real and V86 mode: CS = selector, base = selector << 4. Protected mode:
// straight to a code segment at the same privilege (conforming: DPL <= CPL),
// through a call gate (CALL may enter a more privileged non-conforming
// segment: the new stack comes from the TSS and the gate's parameter count
// of words/dwords is copied from the caller's stack), or to another task
// through a task gate or a TSS. RET may return to an outer level: SS:ESP
// is popped too, and data segment registers the outer level may not use
// become null.
#include "cpu/descriptors.h"

namespace cpu {

void segment_fault(Cpu& c, unsigned seg) { fault(c, seg == SS ? kSS : kGP, 0); }

namespace {

// A code segment named directly by JMP/CALL: same privilege, or conforming
// with DPL <= CPL.
void check_direct_code(Cpu& c, uint16_t sel, const Descriptor& d) {
  if (!d.code()) fault(c, kGP, sel_error(sel, false));
  if (d.conforming() ? d.dpl() > c.cpl : ((sel & 3u) > c.cpl || d.dpl() != c.cpl))
    fault(c, kGP, sel_error(sel, false));
  if (!d.present()) fault(c, kNP, sel_error(sel, false));
}

// A call gate, task gate or TSS named by JMP/CALL: DPL >= max(CPL, RPL).
void check_gate_access(Cpu& c, uint16_t sel, const Descriptor& d) {
  if (d.dpl() < c.cpl || d.dpl() < (sel & 3u)) fault(c, kGP, sel_error(sel, false));
  if (!d.present()) fault(c, kNP, sel_error(sel, false));
}

// The code segment a call gate points to.
DescRef gate_code_target(Cpu& c, uint16_t cs) {
  if (null_sel(cs)) fault(c, kGP, 0);
  DescRef t = read_descriptor(c, cs, kGP, false);
  if (!t.d.code() || t.d.dpl() > c.cpl) fault(c, kGP, sel_error(cs, false));
  if (!t.d.present()) fault(c, kNP, sel_error(cs, false));
  return t;
}

// CS := sel with RPL = cpl, and CPL := cpl.
void load_cs(Cpu& c, uint16_t sel, DescRef& r, unsigned cpl) {
  commit_segment(c, CS, uint16_t((sel & ~3u) | cpl), r);
  set_cpl(c, cpl);
}

// CALL through a call gate (its DPL/presence already checked).
void call_gate(Cpu& c, const Descriptor& g, uint16_t old_cs, uint32_t ret) {
  const uint16_t cs = g.gate_sel();
  DescRef t = gate_code_target(c, cs);
  const unsigned size = g.gate32() ? 4 : 2;
  const uint32_t off = g.gate_offset();
  if (!t.d.conforming() && t.d.dpl() < c.cpl) {
    // More privileged: switch to the TSS stack of the target's level.
    const unsigned ncpl = t.d.dpl();
    uint16_t nss;
    uint32_t nesp;
    tss_stack(c, ncpl, false, &nss, &nesp);
    DescRef s = check_stack_segment(c, nss, ncpl, kTS, false);
    StackFrame f(make_segment(nss, s.d), nesp, false, sel_error(nss, false));
    f.push(c.seg[SS].sel, size);
    f.push(c.gpr[ESP], size);
    // The parameters, read from the caller's stack at the caller's privilege.
    const unsigned n = g.gate_params();
    uint32_t params[32];
    const uint32_t sp = sp_value(c);
    for (unsigned k = 0; k < n; ++k) {
      uint32_t at = sp_add(c, sp, int32_t(k * size));
      params[k] = size == 4 ? read_mem<uint32_t>(c, SS, at) : read_mem<uint16_t>(c, SS, at);
    }
    for (unsigned k = n; k-- > 0;) f.push(params[k], size);
    f.push(old_cs, size);
    f.push(ret, size);
    f.check(c);
    if (off > t.d.limit()) fault(c, kGP, 0);
    f.write(c);
    commit_segment(c, SS, nss, s);
    set_stack_pointer(c, f.sp);
    load_cs(c, cs, t, ncpl);
    c.eip = off;
    return;
  }
  if (!t.d.conforming() && t.d.dpl() != c.cpl) fault(c, kGP, sel_error(cs, false));
  StackFrame f = current_stack(c);
  f.push(old_cs, size);
  f.push(ret, size);
  f.check(c);
  if (off > t.d.limit()) fault(c, kGP, 0);
  f.write(c);
  set_stack_pointer(c, f.sp);
  load_cs(c, cs, t, c.cpl);
  c.eip = off;
}

}  // namespace

// JMP/CALL to a task gate or directly to a TSS: the same checks and task
// switch for both, differing only in the reason (busy bit, back link, NT).
static void far_task_transfer(Cpu& c, uint16_t sel, DescRef& r, TaskReason why) {
  const Descriptor& d = r.d;
  check_gate_access(c, sel, d);
  if (d.type() == kTaskGate) {
    const uint16_t ts = d.gate_sel();
    DescRef t = task_gate_tss(c, ts, false);
    if (task_switch(c, ts, t, why, false)) task_debug_trap(c);
  } else if (task_switch(c, sel, r, why, false)) {
    task_debug_trap(c);
  }
}

void far_jump(Cpu& c, uint16_t sel, uint32_t eip, bool osz32) {
  if (!osz32) eip &= 0xFFFF;
  if (c.real_mode() || c.v86()) {
    if (eip > c.seg[CS].limit) fault(c, kGP, 0);
    load_segment(c, CS, sel);
    c.eip = eip;
    c.events |= EV_MODE;
    return;
  }
  if (null_sel(sel)) fault(c, kGP, 0);
  DescRef r = read_descriptor(c, sel, kGP, false);
  const Descriptor& d = r.d;
  if (!d.system()) {
    check_direct_code(c, sel, d);
    if (eip > d.limit()) fault(c, kGP, 0);
    load_cs(c, sel, r, c.cpl);
    c.eip = eip;
    return;
  }
  switch (d.type()) {
    case kCallGate16:
    case kCallGate32: {
      // JMP through a call gate never changes privilege.
      check_gate_access(c, sel, d);
      const uint16_t cs = d.gate_sel();
      DescRef t = gate_code_target(c, cs);
      if (!t.d.conforming() && t.d.dpl() != c.cpl) fault(c, kGP, sel_error(cs, false));
      const uint32_t off = d.gate_offset();
      if (off > t.d.limit()) fault(c, kGP, 0);
      load_cs(c, cs, t, c.cpl);
      c.eip = off;
      return;
    }
    case kTaskGate:
    case kTss16:
    case kTss32:
      far_task_transfer(c, sel, r, TaskReason::Jmp);
      return;
    default:
      fault(c, kGP, sel_error(sel, false));  // busy TSS, LDT, interrupt gates ...
  }
}

void far_call(Cpu& c, uint16_t sel, uint32_t off, bool osz32) {
  const unsigned size = osz32 ? 4 : 2;
  const uint16_t old_cs = c.seg[CS].sel;
  const uint32_t ret = c.eip;
  if (!osz32) off &= 0xFFFF;
  if (c.real_mode() || c.v86()) {
    StackFrame f = current_stack(c);
    f.push(old_cs, size);  // zero-extended with 32-bit operand size
    f.push(ret, size);
    f.check(c);
    if (off > c.seg[CS].limit) fault(c, kGP, 0);
    f.write(c);
    set_stack_pointer(c, f.sp);
    load_segment(c, CS, sel);
    c.eip = off;
    c.events |= EV_MODE;
    return;
  }
  if (null_sel(sel)) fault(c, kGP, 0);
  DescRef r = read_descriptor(c, sel, kGP, false);
  const Descriptor& d = r.d;
  if (!d.system()) {
    check_direct_code(c, sel, d);
    StackFrame f = current_stack(c);
    f.push(old_cs, size);
    f.push(ret, size);
    f.check(c);
    if (off > d.limit()) fault(c, kGP, 0);
    f.write(c);
    set_stack_pointer(c, f.sp);
    load_cs(c, sel, r, c.cpl);
    c.eip = off;
    return;
  }
  switch (d.type()) {
    case kCallGate16:
    case kCallGate32:
      check_gate_access(c, sel, d);
      call_gate(c, d, old_cs, ret);
      return;
    case kTaskGate:
    case kTss16:
    case kTss32:
      far_task_transfer(c, sel, r, TaskReason::Call);
      return;
    default:
      fault(c, kGP, sel_error(sel, false));
  }
}

void far_return(Cpu& c, bool osz32, uint16_t release) {
  const unsigned size = osz32 ? 4 : 2;
  const uint32_t sp = sp_value(c);
  const uint32_t eip = osz32 ? read_mem<uint32_t>(c, SS, sp) : read_mem<uint16_t>(c, SS, sp);
  const uint16_t cs = read_mem<uint16_t>(c, SS, sp_add(c, sp, int32_t(size)));
  const uint32_t after = sp_add(c, sp, int32_t(2 * size + release));
  if (c.real_mode() || c.v86()) {
    if (eip > c.seg[CS].limit) fault(c, kGP, 0);
    set_sp(c, after);
    load_segment(c, CS, cs);
    c.eip = eip;
    c.events |= EV_MODE;
    return;
  }
  DescRef t = check_return_code(c, cs);
  const unsigned rpl = cs & 3u;
  if (rpl == c.cpl) {
    if (eip > t.d.limit()) fault(c, kGP, 0);
    set_sp(c, after);
    load_cs(c, cs, t, rpl);
    c.eip = eip;
    return;
  }
  // Return to an outer level: the caller's SS:ESP follow the parameters.
  const uint32_t at = sp_add(c, sp, int32_t(2 * size + release));
  const uint32_t nesp = osz32 ? read_mem<uint32_t>(c, SS, at) : read_mem<uint16_t>(c, SS, at);
  const uint16_t nss = read_mem<uint16_t>(c, SS, sp_add(c, at, int32_t(size)));
  DescRef s = check_stack_segment(c, nss, rpl, kGP, false);
  if (eip > t.d.limit()) fault(c, kGP, 0);
  load_cs(c, cs, t, rpl);
  commit_segment(c, SS, nss, s);
  set_stack_pointer(c, nesp + release);
  c.eip = eip;
  drop_inaccessible_segments(c);
}

}  // namespace cpu
