// Privilege helpers shared by the system, string and control families:
// the current privilege level as the checks see it, and the port I/O
// permission check used by IN/OUT/INS/OUTS.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace cpu::ops {

// CPL for privilege checks: 0 in real mode, 3 in V86 mode.
inline unsigned cur_cpl(const Cpu& c) {
  if (c.real_mode()) return 0;
  if (c.v86()) return 3;
  return c.cpl;
}
inline unsigned iopl(const Cpu& c) { return (c.eflags & IOPL) >> 12; }

// Port I/O permission: real mode always; protected mode needs CPL <= IOPL.
// V86 mode and the TSS I/O permission bitmap (which also lets CPL > IOPL code
// through) arrive with the system-architecture layer (issue 3); until then
// V86 port I/O is #GP(0).
inline void check_io(Cpu& c, uint16_t port, unsigned size) {
  if (c.real_mode()) return;
  if (c.v86() || c.cpl > iopl(c)) fault(c, kGP, 0);
  (void)port;
  (void)size;
}

}  // namespace cpu::ops
