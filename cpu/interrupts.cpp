// Interrupt and exception delivery, IRET, and EFLAGS writes.
//
// Real mode: through the IVT at IDTR.base (FLAGS, CS, IP pushed; IF, TF, AC
// cleared). Protected and V86 mode: through the IDT (SDM vol. 3, 6.10-6.14):
// interrupt and trap gates to a code segment at the same level or, for a
// non-conforming segment with DPL < CPL, at that level on the stack the TSS
// gives (from V86 mode only to ring 0, pushing GS, FS, DS and ES and nulling
// them); task gates switch tasks. INT n, INT3 and INTO need gate DPL >= CPL.
// Exceptions 8, 10-14 and 17 push an error code. A fault while delivering
// escalates in the interpreter (cpu/interp.cpp handle_fault: double fault,
// then shutdown).
#include "cpu/descriptors.h"

namespace cpu {

void fault(Cpu& c, uint8_t vector, uint32_t error_code) {
  c.fault_vec = vector;
  c.fault_err = error_code;
  std::longjmp(*c.fault_jmp, 1);
}

void write_eflags(Cpu& c, uint32_t value, uint32_t mask) {
  // Bits that never change: 1 (always 1), 3, 5, 15, 22-31 (always 0), VM/RF
  // only through IRET/task switch (callers mask them).
  constexpr uint32_t kWritable = CF | PF | AF | ZF | SF | TF | IF | DF | OF | IOPL | NT | RF |
                                 VM | AC | VIF | VIP | ID;
  mask &= kWritable;
  uint32_t old = c.eflags;
  c.eflags = ((old & ~mask) | (value & mask) | kFlagsFixed1) & (kWritable | kFlagsFixed1);
  // TF and VM change how the engine runs; IF going 0 -> 1 opens the window
  // for a pending interrupt, which the engine looks at between blocks.
  if (((old ^ c.eflags) & (TF | VM)) || (~old & c.eflags & IF)) c.events |= EV_MODE;
}

namespace {

void real_mode_interrupt(Cpu& c, uint8_t vec) {
  uint32_t entry = c.idtr.base + uint32_t(vec) * 4;
  if (uint32_t(vec) * 4 + 3 > c.idtr.limit) fault(c, vec == kDF ? kDF : kGP, vec * 8 + 2);
  uint16_t ip = lin_read<uint16_t>(c, entry);
  uint16_t cs = lin_read<uint16_t>(c, entry + 2);
  // The three pushes must all fit before any is made.
  StackFrame f = current_stack(c);
  f.push(uint16_t(c.eflags), 2);
  f.push(c.seg[CS].sel, 2);
  f.push(uint16_t(c.eip), 2);
  f.check(c);
  f.write(c);
  set_stack_pointer(c, f.sp);
  c.eflags &= ~(IF | TF | AC | RF);
  c.seg[CS].sel = cs;
  c.seg[CS].base = uint32_t(cs) << 4;
  c.eip = ip;
  c.events |= EV_MODE;  // TF may have changed
}

// Exceptions that push an error code (when raised by the CPU, not INT n).
bool pushes_error(uint8_t vec) { return vec == kDF || (vec >= kTS && vec <= kPF) || vec == kAC; }
// Fault-class exceptions: the EFLAGS image they push has RF set (SDM vol. 3,
// 17.3.1.1), so IRET back to the restarted instruction skips its breakpoint.
bool fault_class(uint8_t vec) {
  return vec == kDE || vec == kBR || vec == kUD || vec == kNM || (vec >= kTS && vec <= kPF) ||
         vec == kMF || vec == kAC;
}

void protected_interrupt(Cpu& c, uint8_t vec, IntKind kind, uint32_t err) {
  const bool soft = kind == IntKind::Software || kind == IntKind::Int3 || kind == IntKind::Into;
  const bool ext = !soft;
  const bool has_err = kind == IntKind::Exception && pushes_error(vec);
  const bool v86 = c.v86();
  const unsigned cpl = v86 ? 3 : c.cpl;  // V86 code runs at CPL 3
  if (uint32_t(vec) * 8 + 7 > c.idtr.limit) fault(c, kGP, idt_error(vec, ext));
  Descriptor g;
  g.lo = lin_read<uint32_t>(c, c.idtr.base + uint32_t(vec) * 8);
  g.hi = lin_read<uint32_t>(c, c.idtr.base + uint32_t(vec) * 8 + 4);
  const unsigned type = g.type();
  // Task gates, and interrupt/trap gates: 6/7 (16-bit), E/F (32-bit).
  const bool gate = g.system() && (type == kTaskGate || (type & 7) == 6 || (type & 7) == 7);
  if (!gate) fault(c, kGP, idt_error(vec, ext));
  if (soft && g.dpl() < cpl) fault(c, kGP, idt_error(vec, false));
  if (!g.present()) fault(c, kNP, idt_error(vec, ext));

  if (type == kTaskGate) {
    const uint16_t ts = g.gate_sel();
    DescRef t = task_gate_tss(c, ts, ext);
    const bool trap = task_switch(c, ts, t, TaskReason::Int, ext);
    if (has_err) {
      StackFrame f = current_stack(c);
      f.err = ext ? 1 : 0;
      f.push(err, (t.d.type() & 8) ? 4 : 2);
      f.check(c);
      f.write(c);
      set_stack_pointer(c, f.sp);
    }
    if (trap) task_debug_trap(c);
    return;
  }

  const uint16_t cs = g.gate_sel();
  if (null_sel(cs)) fault(c, kGP, ext ? 1 : 0);
  DescRef t = read_descriptor(c, cs, kGP, ext);
  if (!t.d.code() || t.d.dpl() > cpl) fault(c, kGP, sel_error(cs, ext));
  if (!t.d.present()) fault(c, kNP, sel_error(cs, ext));
  const unsigned size = g.gate32() ? 4 : 2;
  const uint32_t off = g.gate_offset();
  uint32_t image = c.eflags;
  if (kind == IntKind::Exception && fault_class(vec)) image |= RF;
  if (soft) image &= ~RF;

  if (!t.d.conforming() && t.d.dpl() < cpl) {
    // To an inner level on the stack the TSS holds for it.
    if (v86 && t.d.dpl() != 0) fault(c, kGP, sel_error(cs, ext));
    const unsigned ncpl = t.d.dpl();
    uint16_t nss;
    uint32_t nesp;
    tss_stack(c, ncpl, ext, &nss, &nesp);
    DescRef s = check_stack_segment(c, nss, ncpl, kTS, ext);
    StackFrame f(make_segment(nss, s.d), nesp, false, sel_error(nss, ext));
    if (v86) {
      f.push(c.seg[GS].sel, size);
      f.push(c.seg[FS].sel, size);
      f.push(c.seg[DS].sel, size);
      f.push(c.seg[ES].sel, size);
    }
    f.push(c.seg[SS].sel, size);
    f.push(c.gpr[ESP], size);
    f.push(image, size);
    f.push(c.seg[CS].sel, size);
    f.push(c.eip, size);
    if (has_err) f.push(err, size);
    f.check(c);
    if (off > t.d.limit()) fault(c, kGP, ext ? 1 : 0);
    f.write(c);
    if (v86) {
      for (unsigned seg : {ES, DS, FS, GS}) load_null(c, seg, 0);
    }
    commit_segment(c, SS, nss, s);
    set_stack_pointer(c, f.sp);
    commit_segment(c, CS, uint16_t((cs & ~3u) | ncpl), t);
    set_cpl(c, ncpl);
  } else {
    // Same level (conforming code keeps CPL); never from V86 mode.
    if (v86) fault(c, kGP, sel_error(cs, ext));
    StackFrame f = current_stack(c);
    f.err = ext ? 1 : 0;
    f.push(image, size);
    f.push(c.seg[CS].sel, size);
    f.push(c.eip, size);
    if (has_err) f.push(err, size);
    f.check(c);
    if (off > t.d.limit()) fault(c, kGP, ext ? 1 : 0);
    f.write(c);
    set_stack_pointer(c, f.sp);
    commit_segment(c, CS, uint16_t((cs & ~3u) | c.cpl), t);
  }
  c.eip = off;
  uint32_t clear = TF | NT | RF | VM;
  if ((type & 7) == 6) clear |= IF;  // interrupt gate (trap gates keep IF)
  c.eflags &= ~clear;
  c.events |= EV_MODE;
}

// IRET with EFLAGS.NT: back to the task in the current TSS's link field.
void task_return(Cpu& c) {
  const uint16_t link = lin_read<uint16_t>(c, c.tr.base);
  DescRef t;
  if ((link & 4) || !fetch_descriptor(c, link, &t)) fault(c, kTS, sel_error(link, false));
  if (!t.d.tss_busy()) fault(c, kTS, sel_error(link, false));
  if (!t.d.present()) fault(c, kNP, sel_error(link, false));
  if (task_switch(c, link, t, TaskReason::Iret, false)) task_debug_trap(c);
}

// IRETD at CPL 0 with VM set in the popped EFLAGS: EIP, CS, EFLAGS, ESP,
// SS, ES, DS, FS, GS (all dwords) and on to V86 mode at CPL 3.
void iret_to_v86(Cpu& c, uint32_t sp, uint32_t eip, uint16_t cs, uint32_t fl) {
  uint32_t v[6];  // ESP SS ES DS FS GS
  for (unsigned k = 0; k < 6; ++k) v[k] = read_mem<uint32_t>(c, SS, sp_add(c, sp, int32_t(12 + 4 * k)));
  if (eip > 0xFFFF) fault(c, kGP, 0);
  write_eflags(c, fl, ~0u);
  load_v86(c, CS, cs);
  load_v86(c, SS, uint16_t(v[1]));
  load_v86(c, ES, uint16_t(v[2]));
  load_v86(c, DS, uint16_t(v[3]));
  load_v86(c, FS, uint16_t(v[4]));
  load_v86(c, GS, uint16_t(v[5]));
  c.gpr[ESP] = v[0];
  c.eip = eip;
  set_cpl(c, 3);
}

}  // namespace

void deliver_interrupt(Cpu& c, uint8_t vec, IntKind kind, uint32_t err) {
  c.halted = 0;
  if (c.real_mode()) real_mode_interrupt(c, vec);
  else protected_interrupt(c, vec, kind, err);
}

// IRET/IRETD (SDM vol. 2 IRET operation).
void iret(Cpu& c, bool osz32) {
  const unsigned size = osz32 ? 4 : 2;
  const uint32_t sp = sp_value(c);
  auto pop_at = [&](unsigned k) -> uint32_t {
    uint32_t at = sp_add(c, sp, int32_t(k * size));
    return osz32 ? read_mem<uint32_t>(c, SS, at) : read_mem<uint16_t>(c, SS, at);
  };
  if (c.real_mode() || c.v86()) {
    // V86 mode needs IOPL 3 (no VME) and cannot change IOPL; IRETD keeps
    // VM, VIF and VIP (SDM mask 257FD5h), IRET loads FLAGS[15:0].
    if (c.v86() && ((c.eflags & IOPL) >> 12) < 3) fault(c, kGP, 0);
    const uint32_t eip = pop_at(0);
    const uint16_t cs = uint16_t(pop_at(1));
    const uint32_t fl = pop_at(2);
    if (eip > (c.v86() ? 0xFFFFu : c.seg[CS].limit)) fault(c, kGP, 0);
    uint32_t mask = osz32 ? 0x257FD5u : 0xFFFFu;
    if (c.v86()) mask &= ~IOPL;
    set_sp(c, sp_add(c, sp, int32_t(3 * size)));
    load_segment(c, CS, cs);
    c.eip = eip;
    write_eflags(c, fl, mask);
    c.events |= EV_MODE;
    return;
  }
  if (c.eflags & NT) {
    task_return(c);
    return;
  }
  const uint32_t eip = pop_at(0);
  const uint16_t cs = uint16_t(pop_at(1));
  const uint32_t fl = pop_at(2);
  if (osz32 && (fl & VM) && c.cpl == 0) {
    iret_to_v86(c, sp, eip, cs, fl);
    return;
  }
  DescRef t = check_return_code(c, cs);
  const unsigned rpl = cs & 3u;
  // The flags this level may change (decided by the CPL before the return).
  const unsigned io = (c.eflags & IOPL) >> 12;
  uint32_t mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT;
  if (osz32) mask |= RF | AC | ID;
  if (c.cpl <= io) mask |= IF;
  if (c.cpl == 0) mask |= IOPL | (osz32 ? (VIF | VIP) : 0);
  if (rpl == c.cpl) {
    if (eip > t.d.limit()) fault(c, kGP, 0);
    set_sp(c, sp_add(c, sp, int32_t(3 * size)));
    commit_segment(c, CS, cs, t);
    c.eip = eip;
    write_eflags(c, fl, mask);
    return;
  }
  // To an outer level: SS:ESP follow EFLAGS.
  const uint32_t nesp = pop_at(3);
  const uint16_t nss = uint16_t(pop_at(4));
  DescRef s = check_stack_segment(c, nss, rpl, kGP, false);
  if (eip > t.d.limit()) fault(c, kGP, 0);
  write_eflags(c, fl, mask);
  commit_segment(c, CS, cs, t);
  set_cpl(c, rpl);
  commit_segment(c, SS, nss, s);
  set_stack_pointer(c, nesp);
  c.eip = eip;
  drop_inaccessible_segments(c);
}

}  // namespace cpu
