// A protected-mode test machine: TestMachine plus a GDT, an IDT whose
// gates lead to one HLT stub per vector, a 32-bit TSS (ring-0 stack, I/O
// bitmap) and helpers to build descriptors, enter ring 3 and read frames.
//
// Memory map (1 MiB): code at 0x1000 (TestMachine::kCode), handler stubs at
// 0x3000 + 16 * vector, GDT 0x10000, IDT 0x11000, TSS 0x12000 (I/O bitmap at
// +0x68, 8 KiB + terminator), second TSS 0x15000, LDT 0x17000, ring-0 stack
// top 0x20000, ring-3 stack top 0x30000, data 0x40000.
#pragma once
#include <cstdint>

#include "test_machine.h"

namespace xt {

// Access bytes (P, DPL, S, type).
enum : uint8_t {
  kCode0 = 0x9A, kData0 = 0x92, kCode3 = 0xFA, kData3 = 0xF2, kConf0 = 0x9E,
  kTss32Avail = 0x89, kTss16Avail = 0x81, kLdtAcc = 0x82, kCallGate32 = 0x8C, kCallGate16 = 0x84,
  kIntGate32 = 0x8E, kTrapGate32 = 0x8F, kTaskGateAcc = 0x85, kIntGate16 = 0x86,
};

inline uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, bool db = true, bool gran = false) {
  if (gran) limit >>= 12;
  uint32_t lo = (limit & 0xFFFF) | (base << 16);
  uint32_t hi = ((base >> 16) & 0xFF) | (uint32_t(access) << 8) | (limit & 0xF0000) |
                (db ? 1u << 22 : 0) | (gran ? 1u << 23 : 0) | (base & 0xFF000000u);
  return uint64_t(hi) << 32 | lo;
}
inline uint64_t gate_desc(uint16_t sel, uint32_t off, uint8_t access, uint8_t params = 0) {
  uint32_t lo = (off & 0xFFFF) | (uint32_t(sel) << 16);
  uint32_t hi = (off & 0xFFFF0000u) | (uint32_t(access) << 8) | params;
  return uint64_t(hi) << 32 | lo;
}

struct ProtMachine : TestMachine {
  static constexpr uint32_t kHandlers = 0x3000, kGdt = 0x10000, kIdt = 0x11000, kTss = 0x12000,
                            kTss2 = 0x15000, kLdt = 0x17000, kStack0 = 0x20000, kStack3 = 0x30000,
                            kData = 0x40000;
  // GDT selectors.
  enum : uint16_t {
    CODE0 = 0x08, DATA0 = 0x10, CODE3 = 0x1B, DATA3 = 0x23, TSS = 0x28, TSS2 = 0x30, LDT = 0x38,
    FREE = 0x40,  // entries from here on are free for the tests (up to 0xF8)
  };
  static constexpr uint8_t kExitVec = 0x40;  // INT 40h (DPL 3): the end of a test program

  ProtMachine() {
    for (uint32_t a = 0; a < 0x100; a += 8) mem.write<uint64_t>(kGdt + a, 0);
    gdt(CODE0, seg_desc(0, 0xFFFFFFFF, kCode0, true, true));
    gdt(DATA0, seg_desc(0, 0xFFFFFFFF, kData0, true, true));
    gdt(CODE3, seg_desc(0, 0xFFFFFFFF, kCode3, true, true));
    gdt(DATA3, seg_desc(0, 0xFFFFFFFF, kData3, true, true));
    gdt(TSS, seg_desc(kTss, 0x68 + 0x2000, 0x8B, false));  // busy: it is the current task
    gdt(LDT, seg_desc(kLdt, 0xFF, kLdtAcc, false));
    c.gdtr = cpu::DescTable{kGdt, 0xFF};
    c.idtr = cpu::DescTable{kIdt, 0x7FF};
    for (unsigned v = 0; v < 256; ++v) {
      idt(uint8_t(v), gate_desc(CODE0, kHandlers + 16 * v, v == kExitVec ? (kIntGate32 | 0x60) : kIntGate32));
      mem.write<uint8_t>(kHandlers + 16 * v, 0xF4);  // hlt
    }
    // The current TSS: ring-0 stack, I/O bitmap allowing every port.
    for (uint32_t a = 0; a < 0x68; a += 4) mem.write<uint32_t>(kTss + a, 0);
    mem.write<uint32_t>(kTss + 4, kStack0);
    mem.write<uint16_t>(kTss + 8, DATA0);
    mem.write<uint16_t>(kTss + 0x66, 0x68);
    for (uint32_t a = 0; a <= 0x2000; ++a) mem.write<uint8_t>(kTss + 0x68 + a, a == 0x2000 ? 0xFF : 0);
    c.tr = cpu::Segment{TSS, 0, kTss, 0x68 + 0x2000, cpu::SEG_P | 0xB};
    c.ldtr = cpu::Segment{0, 0, 0, 0, 0};
    ring0();
  }

  void gdt(uint16_t sel, uint64_t d) { mem.write<uint64_t>(kGdt + (sel & ~7u), d); }
  void ldt(uint16_t sel, uint64_t d) { mem.write<uint64_t>(kLdt + (sel & ~7u), d); }
  void idt(uint8_t vec, uint64_t d) { mem.write<uint64_t>(kIdt + 8u * vec, d); }
  uint64_t gdt_entry(uint16_t sel) { return mem.read<uint64_t>(kGdt + (sel & ~7u)); }

  // The descriptor cache a GDT/LDT selector loads (accessed bit set).
  cpu::Segment cache(uint16_t sel) {
    uint64_t d = mem.read<uint64_t>(((sel & 4) ? kLdt : kGdt) + (sel & ~7u));
    uint32_t lo = uint32_t(d), hi = uint32_t(d >> 32);
    uint32_t limit = (lo & 0xFFFF) | (hi & 0xF0000);
    if (hi & (1u << 23)) limit = (limit << 12) | 0xFFF;
    uint32_t base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u);
    return cpu::Segment{sel, 0, base, limit, ((hi >> 8) & 0xF0FF) | cpu::SEG_ACCESSED};
  }
  void set_seg(unsigned seg, uint16_t sel) { c.seg[seg] = cache(sel); }

  // Ring 0, flat 32-bit segments, code at kCode, ESP = kStack0 - 0x100.
  void ring0() {
    c.cr[0] |= cpu::CR0_PE;
    c.eflags = cpu::kFlagsFixed1;
    set_seg(cpu::CS, CODE0);
    for (unsigned s : {cpu::SS, cpu::DS, cpu::ES, cpu::FS, cpu::GS}) set_seg(s, DATA0);
    c.cpl = 0;
    c.eip = kCode;
    c.gpr[cpu::ESP] = kStack0 - 0x100;
  }
  // Ring 3, flat 32-bit segments, code at kCode, ESP = kStack3.
  void ring3() {
    ring0();
    set_seg(cpu::CS, CODE3);
    for (unsigned s : {cpu::SS, cpu::DS, cpu::ES, cpu::FS, cpu::GS}) set_seg(s, DATA3);
    c.cpl = 3;
    c.gpr[cpu::ESP] = kStack3;
  }

  // Load `bytes` at kCode and run (no HLT appended: end with INT 40h or a fault).
  cpu::Exit run(const std::vector<uint8_t>& v, uint64_t max_insns = 10000) {
    mem.load(kCode, v.data(), uint32_t(v.size()));
    return engine->run(c, max_insns);
  }
  cpu::Exit run(std::initializer_list<uint8_t> bytes, uint64_t max_insns = 10000) {
    return run(std::vector<uint8_t>(bytes), max_insns);
  }
  // The vector whose stub the CPU halted in, or -1.
  int vector() const {
    if (!c.halted || c.seg[cpu::CS].base + c.eip < kHandlers + 1 ||
        c.seg[cpu::CS].base + c.eip > kHandlers + 16 * 256)
      return -1;
    return int((c.seg[cpu::CS].base + c.eip - kHandlers - 1) / 16);
  }
  // Dword k of the current stack (SS:ESP + 4k).
  uint32_t stack(unsigned k) const { return mem.read<uint32_t>(c.seg[cpu::SS].base + c.gpr[cpu::ESP] + 4 * k); }
  uint16_t stack16(unsigned k) const {
    uint32_t sp = (c.seg[cpu::SS].attr & cpu::SEG_DB) ? c.gpr[cpu::ESP] : (c.gpr[cpu::ESP] & 0xFFFF);
    return mem.read<uint16_t>(c.seg[cpu::SS].base + sp + 2 * k);
  }
};

}  // namespace xt
