// Two identical small machines, one on the interpreter and one on the
// translator, for differential tests: load the same code and state into
// both, run both, compare the whole architectural state and memory.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cpu/interp.h"
#include "devices/iobus.h"
#include "jit/engine.h"

namespace xt {

struct Side {
  mmu::Memory mem;
  devices::IoBus io;
  cpu::Cpu c;
  std::unique_ptr<cpu::Engine> engine;
  jit::JitEngine* jit = nullptr;
  std::vector<std::pair<uint16_t, uint32_t>> outs;

  Side(bool use_jit, const std::string& spec, uint32_t ram) : mem(ram) {
    cpu::reset_state(c);
    c.mem = &mem;
    c.io = &io;
    io.map(0xE0, 0xEF, nullptr, [this](uint16_t p, unsigned, uint32_t v) { outs.emplace_back(p, v); });
    if (use_jit) {
      auto j = std::make_unique<jit::JitEngine>(c, jit::parse_config(spec));
      jit = j.get();
      engine = std::move(j);
    } else {
      engine = std::make_unique<cpu::Interpreter>(c);
    }
  }
};

// An interrupt source with one request line (vector 0x20), as the PIC is.
struct OneIrq : cpu::IntrSource {
  bool pending = false;
  bool intr_pending() override { return pending; }
  uint8_t intr_ack() override {
    pending = false;
    return 0x20;
  }
};

struct Twin {
  Side a, b;  // a: the interpreter, b: the translator
  static constexpr uint32_t kCode = 0x1000;

  explicit Twin(const std::string& spec = "", uint32_t ram = 4u << 20) : a(false, spec, ram), b(true, spec, ram) {}

  template <class F> void both(F f) {
    f(a);
    f(b);
  }
  void flat32() {
    both([](Side& s) {
      cpu::Cpu& c = s.c;
      c.cr[0] |= cpu::CR0_PE;
      c.cpl = 0;
      for (auto& g : c.seg)
        g = cpu::Segment{0x10, 0, 0, 0xFFFFFFFF,
                         cpu::SEG_P | cpu::SEG_S | cpu::SEG_RW | cpu::SEG_ACCESSED | cpu::SEG_DB | cpu::SEG_G};
      c.seg[cpu::CS] = cpu::Segment{0x08, 0, 0, 0xFFFFFFFF,
                                    cpu::SEG_P | cpu::SEG_S | cpu::SEG_CODE | cpu::SEG_RW | cpu::SEG_ACCESSED |
                                        cpu::SEG_G | cpu::SEG_DB};
      c.eip = kCode;
      c.gpr[cpu::ESP] = 0x8000;
    });
  }
  // Paging on over an identity map of the first 4 MiB, a flat GDT (code
  // 0x08, data 0x10) and an IDT at 0x600 whose #PF (14) and #GP (13) gates
  // point at `handler`. The page at 0x200000 is not present; its PTE is at
  // kPte. extra(Side&) may add GDT entries or change anything else.
  static constexpr uint32_t kPd = 0x10000, kPt = 0x11000, kGdt = 0x500, kIdt = 0x600;
  static constexpr uint32_t kPte = kPt + 4 * 0x200;
  template <class F> void paged(uint32_t handler, F extra) {
    both([&](Side& s) {
      mmu::Memory& m = s.mem;
      m.write<uint64_t>(kGdt + 8, 0x00CF9A000000FFFFull);
      m.write<uint64_t>(kGdt + 16, 0x00CF92000000FFFFull);
      for (uint32_t v : {13u, 14u}) {
        m.write<uint32_t>(kIdt + v * 8, (handler & 0xFFFF) | (0x08u << 16));
        m.write<uint32_t>(kIdt + v * 8 + 4, (handler & 0xFFFF0000u) | 0x8E00);
      }
      m.write<uint32_t>(kPd, kPt | 3);
      for (uint32_t p = 0; p < 1024; ++p) m.write<uint32_t>(kPt + 4 * p, (p << 12) | 3);
      m.write<uint32_t>(kPte, 0x200000 | 2);  // 0x200000: not present
      s.c.gdtr = cpu::DescTable{kGdt, 63};
      s.c.idtr = cpu::DescTable{kIdt, 256 * 8 - 1};
      s.c.cr[3] = kPd;
      s.c.cr[0] |= cpu::CR0_PG;
      extra(s);
      s.c.sync_paging();
    });
  }
  // An interrupt for each machine: a flat GDT, an IDT whose vector 0x20 gate
  // points at a handler at 0x3000 that counts in [0x4000] and IRETs, and IF
  // set. raise_irq() requests it in both, as the Machine does between slices.
  OneIrq irq_a, irq_b;
  void counting_irq() {
    a.c.intr = &irq_a;
    b.c.intr = &irq_b;
    const uint32_t gdt = 0x500, idt = 0x600, handler = 0x3000;
    both([&](Side& s) {
      s.mem.write<uint64_t>(gdt + 8, 0x00CF9A000000FFFFull);
      s.mem.write<uint64_t>(gdt + 16, 0x00CF92000000FFFFull);
      s.mem.write<uint32_t>(idt + 0x20 * 8, (handler & 0xFFFF) | (0x08u << 16));
      s.mem.write<uint32_t>(idt + 0x20 * 8 + 4, (handler & 0xFFFF0000u) | 0x8E00);
      s.c.gdtr = cpu::DescTable{gdt, 23};
      s.c.idtr = cpu::DescTable{idt, 256 * 8 - 1};
      s.c.eflags |= cpu::IF;
    });
    load(handler, {0xFF, 0x05, 0x00, 0x40, 0x00, 0x00, 0xCF});  // inc dword [0x4000] ; iretd
  }
  void raise_irq() {
    irq_a.pending = irq_b.pending = true;
    a.c.events |= cpu::EV_IRQ;
    b.c.events |= cpu::EV_IRQ;
  }
  void load(uint32_t addr, const std::vector<uint8_t>& bytes) {
    both([&](Side& s) { s.mem.load(addr, bytes.data(), uint32_t(bytes.size())); });
  }
  // Run both with the same budget; the exits must agree.
  cpu::Exit run(uint64_t budget) {
    cpu::Exit ea = a.engine->run(a.c, budget);
    cpu::Exit eb = b.engine->run(b.c, budget);
    if (ea != eb) return cpu::Exit(0xFF);
    return ea;
  }
  // "" when the architectural state, the OUTs and the first `ram` bytes agree;
  // otherwise the first difference.
  std::string diff(uint32_t ram = 1u << 20) const {
    const cpu::Cpu &x = a.c, &y = b.c;
    char buf[160];
    if (b.jit && b.jit->jit_stats().encode_errors) return "the translator could not encode a block";
    for (unsigned r = 0; r < 8; ++r)
      if (x.gpr[r] != y.gpr[r]) {
        std::snprintf(buf, sizeof buf, "gpr %u: %08X vs %08X", r, x.gpr[r], y.gpr[r]);
        return buf;
      }
    if (x.eip != y.eip) return "eip " + std::to_string(x.eip) + " vs " + std::to_string(y.eip);
    if (x.eflags != y.eflags) {
      std::snprintf(buf, sizeof buf, "eflags %08X vs %08X", x.eflags, y.eflags);
      return buf;
    }
    if (x.tsc != y.tsc) return "tsc " + std::to_string(x.tsc) + " vs " + std::to_string(y.tsc);
    if (x.cr[2] != y.cr[2]) return "cr2";
    for (unsigned s = 0; s < 6; ++s)
      if (std::memcmp(&x.seg[s], &y.seg[s], sizeof x.seg[s])) return "segment " + std::to_string(s);
    if (x.halted != y.halted || x.cpl != y.cpl) return "halted/cpl";
    if (a.outs != b.outs) return "port output";
    for (uint32_t p = 0; p < ram; ++p)
      if (a.mem.read8(p) != b.mem.read8(p)) return "memory at " + std::to_string(p);
    return "";
  }
};

}  // namespace xt
