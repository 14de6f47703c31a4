// Rigs shared by the translator's differential tests (test_jit*.cpp) on top
// of the Twin (jit_twin.h): code bytes, real-mode and segment-limit set-ups,
// paging with a #PF handler that records the fault, handlers called one batch
// at a time, and budget slices with interrupts between them.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "cpu/decode.h"
#include "tests/unit/jit_twin.h"

namespace xt {

// 32-bit little-endian bytes of x, appended to v.
inline void le32(std::vector<uint8_t>& v, uint32_t x) {
  for (int k = 0; k < 4; ++k) v.push_back(uint8_t(x >> (8 * k)));
}

// Real mode with CS = 0 (code at Twin::kCode), DS and ES at `ds` and `es`
// with the limit `limit` (4G: "unreal" mode), SP = 0x0800.
inline void real16(Twin& t, uint16_t ds, uint16_t es, uint32_t limit = 0xFFFF) {
  t.both([&](Side& s) {
    cpu::Cpu& c = s.c;
    c.seg[cpu::CS] = cpu::Segment{0, 0, 0, 0xFFFF,
                                  cpu::SEG_P | cpu::SEG_S | cpu::SEG_CODE | cpu::SEG_RW | cpu::SEG_ACCESSED};
    c.seg[cpu::DS].sel = ds;
    c.seg[cpu::DS].base = uint32_t(ds) << 4;
    c.seg[cpu::ES].sel = es;
    c.seg[cpu::ES].base = uint32_t(es) << 4;
    c.seg[cpu::DS].limit = c.seg[cpu::ES].limit = limit;
    c.eip = Twin::kCode;
    c.gpr[cpu::ESP] = 0x0800;
  });
}

// ECX, ESI, EDI and EAX of both machines, and EFLAGS bits to set.
inline void string_regs(Twin& t, uint32_t ecx, uint32_t esi, uint32_t edi, uint32_t eax, uint32_t set_flags = 0) {
  t.both([&](Side& s) {
    s.c.gpr[cpu::ECX] = ecx;
    s.c.gpr[cpu::ESI] = esi;
    s.c.gpr[cpu::EDI] = edi;
    s.c.gpr[cpu::EAX] = eax;
    s.c.eflags |= set_flags;
  });
}

// mov bl, es:[(e)di] ; mov bl, [(e)si] (the soft TLB then has both pages,
// so the very first batch can go in bulk), `rep op` with w-byte elements
// (a 66h prefix where that is the other operand size) ; hlt.
inline std::vector<uint8_t> touch_then_rep(bool a32, unsigned w, uint8_t rep, uint8_t op) {
  std::vector<uint8_t> code = {0x26, 0x8A, uint8_t(a32 ? 0x1F : 0x1D), 0x8A, uint8_t(a32 ? 0x1E : 0x1C)};
  if (w == 4 ? !a32 : (w == 2 && a32)) code.push_back(0x66);
  code.push_back(rep);
  code.push_back(op);
  code.push_back(0xF4);
  return code;
}

// Flat 32-bit where DS (src_limited) or ES ends at 0x20F7F, mid-page and
// byte-granular; the limited operand starts at 0x20E00, the other at 0x30000
// (source) or 0x40000 (destination). ECX = 0x180, EAX = eax; 16 KiB of 0x5A
// at 0x20000 and 0x30000, of `fill40` at 0x40000. The code:
// mov bl, es:[edi] ; mov bl, [esi] ; F3 `op` ; hlt.
inline void limit_rig(Twin& t, bool src_limited, uint32_t eax, uint8_t fill40, uint8_t op) {
  t.flat32();
  t.both([&](Side& s) {
    cpu::Segment& g = s.c.seg[src_limited ? cpu::DS : cpu::ES];
    g.limit = 0x20F7F;
    g.attr &= ~cpu::SEG_G;
  });
  string_regs(t, 0x180, src_limited ? 0x20E00 : 0x30000, src_limited ? 0x40000 : 0x20E00, eax);
  t.load(0x20000, std::vector<uint8_t>(0x4000, 0x5A));
  t.load(0x30000, std::vector<uint8_t>(0x4000, 0x5A));
  t.load(0x40000, std::vector<uint8_t>(0x4000, fill40));
  t.load(Twin::kCode, {0x26, 0x8A, 0x1F, 0x8A, 0x1E, 0xF3, op, 0xF4});
}

// Flat 32-bit with paging (Twin::paged: 0x200000 not present) and a #PF
// handler at 0x3000 that records ECX, ESI, EDI, CR2 and the EIP and EFLAGS
// of the fault at 0x5000, 0x5004, ... 0x5014, makes the page present and
// returns to the faulting instruction.
inline void paged_pf_recorder(Twin& t) {
  t.flat32();
  const uint32_t handler = 0x3000;
  t.paged(handler, [](Side&) {});
  std::vector<uint8_t> h = {0x50, 0x89, 0x0D};  // push eax ; mov [0x5000], ecx
  le32(h, 0x5000);
  h.insert(h.end(), {0x89, 0x35});  // mov [0x5004], esi
  le32(h, 0x5004);
  h.insert(h.end(), {0x89, 0x3D});  // mov [0x5008], edi
  le32(h, 0x5008);
  h.insert(h.end(), {0x0F, 0x20, 0xD0, 0xA3});  // mov eax, cr2 ; mov [0x500C], eax
  le32(h, 0x500C);
  h.insert(h.end(), {0x8B, 0x44, 0x24, 0x08, 0xA3});  // mov eax, [esp+8] ; mov [0x5010], eax (EIP)
  le32(h, 0x5010);
  h.insert(h.end(), {0x8B, 0x44, 0x24, 0x10, 0xA3});  // mov eax, [esp+16] ; mov [0x5014], eax (EFLAGS)
  le32(h, 0x5014);
  h.insert(h.end(), {0x83, 0x0D});  // or dword [pte], 1
  le32(h, Twin::kPte);
  h.push_back(0x01);
  h.insert(h.end(), {0x58, 0x83, 0xC4, 0x04, 0xCF});  // pop eax ; add esp, 4 ; iretd
  t.load(handler, h);
}

// A string instruction that runs into the page paged_pf_recorder leaves
// out: the index registers before it and at the fault.
struct PfCase {
  const char* name;
  std::vector<uint8_t> insn;
  uint32_t ecx, esi, edi;
  bool down;
  uint32_t at_ecx, at_esi, at_edi;  // at the fault
  uint32_t end_ecx = 0;             // after the instruction (checked by the caller)
  uint64_t min_bulk = 0;            // batches done in bulk, at least (checked by the caller)
};

// k.insn ; hlt at Twin::kCode with ECX/ESI/EDI from k, EAX = eax, the
// EFLAGS bits `set_flags` and DF if k.down, in a machine made by
// paged_pf_recorder: both machines halt and agree (up to 0x220000), and the
// handler saw the registers k.at_* and CR2 = the page's first byte (0x200FFE
// going down).
inline void run_pf_case(Twin& t, const PfCase& k, uint32_t eax, uint32_t set_flags = 0) {
  std::vector<uint8_t> code = k.insn;
  code.push_back(0xF4);
  t.load(Twin::kCode, code);
  string_regs(t, k.ecx, k.esi, k.edi, eax, set_flags | (k.down ? cpu::DF : 0));
  CHECK(t.run(100000) == cpu::Exit::Halted);
  CHECK(t.diff(0x220000) == "");
  const mmu::Memory& m = t.b.mem;
  CHECK(m.read<uint32_t>(0x5000) == k.at_ecx);
  CHECK(m.read<uint32_t>(0x5004) == k.at_esi);
  CHECK(m.read<uint32_t>(0x5008) == k.at_edi);
  CHECK(m.read<uint32_t>(0x500C) == (k.down ? 0x200FFEu : 0x200000u));
}

// The instruction `bytes` decoded in `mode` (it must decode).
inline cpu::Insn decoded(cpu::DecodeMode mode, const std::vector<uint8_t>& bytes) {
  cpu::Insn in{};
  REQUIRE(cpu::decode(mode, bytes.data(), bytes.size(), in) == cpu::DecodeStatus::Ok);
  return in;
}

// One call of a string instruction of `len` bytes at Twin::kCode in each
// machine, as generated code makes it: the interpreter's machine through the
// reference handler, the translator's through `bulk`, with `ev` pending.
// Returns whether the translator's call asked to run the instruction again.
inline bool call_both(Twin& t, const cpu::Insn& in, cpu::Handler bulk, uint32_t ev, uint32_t len) {
  bool more = false;
  for (Side* s : {&t.a, &t.b}) {
    cpu::Cpu& c = s->c;
    c.eip = Twin::kCode;
    cpu::take_snapshot(c);
    c.eip = Twin::kCode + len;
    c.events = ev;
    (s == &t.a ? in.fn : bulk)(c, in);
    more = c.events & cpu::EV_MODE;
    c.events &= ~(cpu::EV_MODE | cpu::EV_IRQ);
  }
  return more;
}

// Runs both machines (set up with Twin::counting_irq) in budget slices of
// odd sizes, each ending the budget, checking after each that they agree
// (registers, tsc and the first 64 KiB) and then raising the interrupt.
// `mid` is set when a slice ended at `eip` with ECX neither 0 nor `ecx0`
// (in the middle of a REP there). Returns the number of interrupts raised.
inline int irq_slices(Twin& t, uint32_t eip, uint32_t ecx0, bool& mid) {
  int irqs = 0;
  mid = false;
  for (uint64_t slice : {7u, 131u, 1u, 100u, 3u, 577u, 64u, 2u, 1000u, 5u, 333u, 17u}) {
    CAPTURE(slice);
    CHECK(t.run(slice) == cpu::Exit::Budget);
    CHECK(t.diff(0x10000) == "");
    const uint32_t ecx = t.b.c.gpr[cpu::ECX];
    mid |= t.b.c.eip == eip && ecx != 0 && ecx != ecx0;
    t.raise_irq();
    ++irqs;
  }
  return irqs;
}

}  // namespace xt
