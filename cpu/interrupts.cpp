// Interrupt and exception delivery, and EFLAGS writes.
//
// Real mode: through the IVT at IDTR.base (FLAGS, CS, IP pushed; IF, TF, AC
// cleared). A fault while delivering becomes #DF, a fault while delivering #DF
// shuts the CPU down (the platform resets it). Protected-mode delivery through
// IDT gates is the system-architecture layer (issue 3); until then a
// protected-mode exception stops the engine with the vector recorded.
#include "cpu/cpu.h"

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

void deliver_interrupt(Cpu& c, uint8_t vec, IntKind kind, uint32_t err) {
  (void)err;
  c.halted = 0;
  if (!c.real_mode()) {
    // Protected-mode gates arrive with the system-architecture layer.
    c.fault_vec = vec;
    c.fault_err = err;
    c.events |= EV_SHUTDOWN;
    return;
  }
  uint32_t entry = c.idtr.base + uint32_t(vec) * 4;
  if (uint32_t(vec) * 4 + 3 > c.idtr.limit) fault(c, vec == kDF ? kDF : kGP, vec * 8 + 2);
  uint16_t ip = lin_read<uint16_t>(c, entry);
  uint16_t cs = lin_read<uint16_t>(c, entry + 2);
  // The three pushes must all fit before any is made.
  uint32_t sp = sp_value(c);
  for (int k = 1; k <= 3; ++k) check_write(c, SS, sp_add(c, sp, -2 * k), 2);
  push<uint16_t>(c, uint16_t(c.eflags));
  push<uint16_t>(c, c.seg[CS].sel);
  push<uint16_t>(c, uint16_t(c.eip));
  c.eflags &= ~(IF | TF | AC | RF);
  c.seg[CS].sel = cs;
  c.seg[CS].base = uint32_t(cs) << 4;
  c.eip = ip;
  c.events |= EV_MODE;  // TF may have changed
  (void)kind;
}

}  // namespace cpu
