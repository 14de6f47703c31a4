// Privilege helpers shared by the system, string and control families:
// the current privilege level as the checks see it, and the port I/O
// permission check used by IN/OUT/INS/OUTS.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/descriptors.h"

namespace cpu::ops {

// CPL for privilege checks: 0 in real mode, 3 in V86 mode.
inline unsigned cur_cpl(const Cpu& c) {
  if (c.real_mode()) return 0;
  if (c.v86()) return 3;
  return c.cpl;
}
inline unsigned iopl(const Cpu& c) { return (c.eflags & IOPL) >> 12; }

// Port I/O permission (SDM vol. 1, 18.5): real mode always; protected mode
// with CPL <= IOPL; otherwise (CPL > IOPL, or any V86 code) every byte of
// the access must be allowed by the TSS I/O permission bitmap, else #GP(0).
inline void check_io(Cpu& c, uint16_t port, unsigned size) {
  if (c.real_mode()) return;
  if (!c.v86() && c.cpl <= iopl(c)) return;
  if (!io_bitmap_allows(c, port, size)) fault(c, kGP, 0);
}

}  // namespace cpu::ops
