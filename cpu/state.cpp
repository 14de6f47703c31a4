#include "cpu/state.h"

#include <cstring>

namespace cpu {

void reset_state(CpuState& s) {
  std::memset(&s, 0, sizeof s);
  s.eflags = kFlagsFixed1;
  s.eip = 0xFFF0;
  for (auto& sg : s.seg) {
    sg.sel = 0;
    sg.base = 0;
    sg.limit = 0xFFFF;
    sg.attr = SEG_P | SEG_S | SEG_RW | SEG_ACCESSED;  // present read/write data
  }
  s.seg[CS].sel = 0xF000;
  s.seg[CS].base = 0xFFFF0000;
  s.seg[CS].attr = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_ACCESSED;
  s.ldtr.limit = s.tr.limit = 0xFFFF;
  s.ldtr.attr = SEG_P | 0x2;   // LDT
  s.tr.attr = SEG_P | 0x3;     // busy 16-bit TSS
  s.idtr.limit = 0x3FF;
  s.gdtr.limit = 0xFFFF;
  s.cr[0] = 0x60000010;  // CD, NW, ET
  s.dr[6] = 0xFFFF0FF0;
  s.dr[7] = 0x00000400;
  s.gpr[EDX] = 0x00000633;  // family 6, model 3, stepping 3 (Pentium II "Klamath")
  s.msr.apic_base = 0xFEE00900;
  s.msr.pat = 0x0007040600070406ull;
  s.msr.mtrr_cap = 0x508;  // 8 variable ranges, fixed ranges, write-combining
  s.a20 = 1;
}

}  // namespace cpu
