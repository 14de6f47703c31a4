// A tiny machine for unit tests: RAM, a port bus that records OUTs, a CPU in
// real mode or flat 32-bit protected mode, and helpers to run code bytes.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "cpu/interp.h"
#include "devices/iobus.h"

namespace xt {

struct TestMachine {
  mmu::Memory mem;
  devices::IoBus io;
  cpu::Cpu c;
  std::unique_ptr<cpu::Interpreter> engine;
  std::vector<std::pair<uint16_t, uint32_t>> outs;  // (port, value) of every OUT to 0xE0..0xEF

  static constexpr uint32_t kCode = 0x1000;  // code is loaded here (CS base 0)

  explicit TestMachine(uint32_t ram = 1u << 20) : mem(ram) {
    cpu::reset_state(c);
    c.mem = &mem;
    c.io = &io;
    io.map(0xE0, 0xEF, nullptr, [this](uint16_t p, unsigned, uint32_t v) { outs.emplace_back(p, v); });
    engine = std::make_unique<cpu::Interpreter>(c);
    real_mode();
  }

  // Real mode, all segments 0, CS:IP = 0:kCode, SS:SP = 0:0x8000.
  void real_mode() {
    c.cr[0] &= ~cpu::CR0_PE;
    for (auto& s : c.seg) s = cpu::Segment{0, 0, 0, 0xFFFF, cpu::SEG_P | cpu::SEG_S | cpu::SEG_RW | cpu::SEG_ACCESSED};
    c.seg[cpu::CS].attr |= cpu::SEG_CODE;
    c.eip = kCode;
    c.gpr[cpu::ESP] = 0x8000;
  }
  // Protected mode, CPL 0, flat 4 GiB segments; 32-bit code and stack unless told otherwise.
  void flat32(bool code32 = true, bool stack32 = true) {
    c.cr[0] |= cpu::CR0_PE;
    c.cpl = 0;
    for (auto& s : c.seg)
      s = cpu::Segment{0x10, 0, 0, 0xFFFFFFFF,
                       cpu::SEG_P | cpu::SEG_S | cpu::SEG_RW | cpu::SEG_ACCESSED | cpu::SEG_DB | cpu::SEG_G};
    c.seg[cpu::CS] = cpu::Segment{0x08, 0, 0, 0xFFFFFFFF,
                                  cpu::SEG_P | cpu::SEG_S | cpu::SEG_CODE | cpu::SEG_RW | cpu::SEG_ACCESSED |
                                      cpu::SEG_G | (code32 ? cpu::SEG_DB : 0)};
    if (!stack32) c.seg[cpu::SS].attr &= ~cpu::SEG_DB;
    c.eip = kCode;
    c.gpr[cpu::ESP] = 0x8000;
  }

  void load(uint32_t addr, std::initializer_list<uint8_t> bytes) {
    std::vector<uint8_t> v(bytes);
    mem.load(addr, v.data(), uint32_t(v.size()));
  }
  // Load code at kCode followed by HLT, run until the HLT, return the exit.
  cpu::Exit run_code(std::initializer_list<uint8_t> bytes, uint64_t max_insns = 100000) {
    std::vector<uint8_t> v(bytes);
    v.push_back(0xF4);
    mem.load(kCode, v.data(), uint32_t(v.size()));
    return engine->run(c, max_insns);
  }
  // Install a real-mode IVT entry for `vec` pointing at a HLT at 0:0x0500+vec.
  void ivt_halt(uint8_t vec) {
    uint16_t off = uint16_t(0x0500 + vec);
    mem.write<uint16_t>(vec * 4u, off);
    mem.write<uint16_t>(vec * 4u + 2, 0);
    mem.write<uint8_t>(off, 0xF4);
  }
  uint32_t r(unsigned reg) const { return c.gpr[reg]; }
};

}  // namespace xt
