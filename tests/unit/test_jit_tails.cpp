// The translator against the interpreter (tests/unit/jit_twin.h) for the
// block ends it emits inline (jit/tails.cpp), the segment key (jit/segkey.h)
// and guest flags held in host registers across a faulting memory access.
#include <doctest/doctest.h>

#include "tests/unit/jit_twin.h"

using namespace cpu;
using xt::Side;
using xt::Twin;

namespace {

// Code pieces placed at fixed addresses.
struct Code {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> parts;
  Code& at(uint32_t addr, std::vector<uint8_t> bytes) {
    parts.emplace_back(addr, std::move(bytes));
    return *this;
  }
  void load(Twin& t) const {
    for (auto& [a, b] : parts) t.load(a, b);
  }
};

// A handler for #PF and #GP at 0x3000: the faulting frame's EFLAGS into
// [0x4000], the error code into [0x4004], the EIP into [0x4008], then HLT
// (with the flat data segment: the fault may come from a small DS).
const std::vector<uint8_t> kRecordAndHalt = {
    0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8,  // mov ax, 0x10 ; mov ds, ax
    0x8B, 0x44, 0x24, 0x0C,              // mov eax, [esp+12]  (EFLAGS)
    0xA3, 0x00, 0x40, 0x00, 0x00,        // mov [0x4000], eax
    0x8B, 0x04, 0x24,                    // mov eax, [esp]     (error code)
    0xA3, 0x04, 0x40, 0x00, 0x00,        // mov [0x4004], eax
    0x8B, 0x44, 0x24, 0x04,              // mov eax, [esp+4]   (EIP)
    0xA3, 0x08, 0x40, 0x00, 0x00,        // mov [0x4008], eax
    0xF4};                               // hlt

uint32_t rd32(Side& s, uint32_t a) { return s.mem.read<uint32_t>(a); }

}  // namespace

TEST_CASE("jit: JMP r/m through a register and memory, at both operand sizes") {
  for (std::string spec : {"", "no-emit=jmp", "no-jump-cache", "no-inline-mem"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    Code()
        .at(0x1000, {0xB8, 0x10, 0x10, 0x00, 0x00, 0xFF, 0xE0, 0xF4})  // mov eax, 0x1010 ; jmp eax
        .at(0x1010, {0xC7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x20, 0x10, 0x00, 0x00,  // mov dword [0x3000], 0x1020
                     0xFF, 0x25, 0x00, 0x30, 0x00, 0x00})                         // jmp [0x3000]
        .at(0x1020, {0xB8, 0x30, 0x10, 0xFF, 0xFF,   // mov eax, 0xFFFF1030
                     0xBA, 0x64, 0x00, 0x00, 0x00,   // mov edx, 100
                     0x66, 0xFF, 0xE0})              // jmp ax: EIP = 0x1030
        .at(0x1030, {0x41, 0x4A, 0x74, 0x07,         // l: inc ecx ; dec edx ; jz done
                     0xB8, 0x30, 0x10, 0x00, 0x00,   // mov eax, l
                     0xFF, 0xE0, 0xF4})              // jmp eax ; done: hlt
        .load(t);
    t.both([](Side& s) { s.c.gpr[ECX] = 0; });
    CHECK(t.run(10000) == Exit::Halted);
    CHECK(t.diff() == "");
    CHECK(t.b.c.gpr[ECX] == 100);
    CHECK(t.b.c.eip == 0x103C);
    if (spec.empty()) CHECK(t.b.jit->helper_calls() < 10);  // all inline
  }
}

TEST_CASE("jit: a branch past the CS limit raises #GP at the branch in both engines") {
  // CS limit 0x1FFF: each form branches to 0x2100 and must fault with the
  // branch's own EIP in the frame.
  const std::vector<std::vector<uint8_t>> forms = {
      {0xE9, 0xFB, 0x10, 0x00, 0x00},                                 // jmp 0x2100
      {0x31, 0xC0, 0x0F, 0x84, 0xF9, 0x10, 0x00, 0x00},               // xor eax, eax ; jz 0x2100
      {0xB8, 0x00, 0x21, 0x00, 0x00, 0xFF, 0xE0},                     // mov eax, 0x2100 ; jmp eax
      {0xE8, 0xFB, 0x10, 0x00, 0x00},                                 // call 0x2100
      {0x68, 0x00, 0x21, 0x00, 0x00, 0xC3}};                          // push 0x2100 ; ret
  const uint32_t fault_eip[] = {0x1000, 0x1002, 0x1005, 0x1000, 0x1005};
  for (size_t k = 0; k < forms.size(); ++k) {
    CAPTURE(k);
    Twin t;
    t.flat32();
    t.paged(0x3000, [](Side& s) { s.c.seg[CS].limit = 0x1FFF; s.c.seg[CS].attr &= ~SEG_G; });
    Code().at(0x1000, forms[k]).at(0x3000, kRecordAndHalt).load(t);
    // The handler runs past the CS limit too: it is reached through the IDT,
    // which loads CS again from the GDT (a 4 GiB code segment).
    CHECK(t.run(1000) == Exit::Halted);
    CHECK(t.diff() == "");
    CHECK(rd32(t.b, 0x4008) == fault_eip[k]);
    CHECK(rd32(t.b, 0x4004) == 0);  // #GP(0)
  }
}

TEST_CASE("jit: a segment load in the middle of a block changes what its accesses may assume") {
  // DS flat, then DS = a 4 KiB data segment: [0x800] is fine, [0x1000] is
  // past the limit and must raise #GP(0) in both engines.
  for (std::string spec : {"", "no-flat"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    t.paged(0x3000, [](Side& s) { s.mem.write<uint64_t>(Twin::kGdt + 24, 0x0040920000000FFFull); });
    Code()
        .at(0x1000, {0xA1, 0x00, 0x08, 0x00, 0x00,         // mov eax, [0x800]
                     0x66, 0xBB, 0x18, 0x00, 0x8E, 0xDB,   // mov bx, 0x18 ; mov ds, bx
                     0x8B, 0x0D, 0x00, 0x08, 0x00, 0x00,   // mov ecx, [0x800]
                     0x8B, 0x15, 0x00, 0x10, 0x00, 0x00,   // mov edx, [0x1000]: #GP(0)
                     0xF4})
        .at(0x800, {0x11, 0x22, 0x33, 0x44})
        .at(0x3000, kRecordAndHalt)
        .load(t);
    CHECK(t.run(1000) == Exit::Halted);
    CHECK(t.diff() == "");
    CHECK(t.b.c.gpr[ECX] == 0x44332211);
    CHECK(rd32(t.b, 0x4008) == 0x1011);
  }
}

TEST_CASE("jit: flags held in host registers are exact in the frame of a fault") {
  // CMP sets CF and SF; the next load faults (#PF). The frame's EFLAGS must
  // be the CMP's, whichever way the translator held them.
  for (std::string spec : {"", "no-flag-elision", "no-inline-mem"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    t.paged(0x3000, [](Side&) {});
    Code()
        .at(0x1000, {0xB8, 0x05, 0x00, 0x00, 0x00,          // mov eax, 5
                     0x83, 0xF8, 0x07,                      // cmp eax, 7
                     0x8B, 0x0D, 0x00, 0x00, 0x20, 0x00,    // mov ecx, [0x200000]: #PF
                     0xF4})
        .at(0x3000, kRecordAndHalt)
        .load(t);
    CHECK(t.run(1000) == Exit::Halted);
    CHECK(t.diff() == "");
    const uint32_t fl = rd32(t.b, 0x4000);
    CHECK((fl & (CF | SF | ZF)) == (CF | SF));
    CHECK(rd32(t.b, 0x4008) == 0x1008);
  }
}

TEST_CASE("jit: flags saved across a memory access reach a later branch and ADC") {
  // CMP, then a store and a load (flags saved around their checks), then
  // JB and ADC read the CMP's CF.
  for (std::string spec : {"", "no-flag-elision", "no-flat"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    Code()
        .at(0x1000, {0x31, 0xD2,                            // xor edx, edx
                     0xB8, 0x05, 0x00, 0x00, 0x00,          // mov eax, 5
                     0x83, 0xF8, 0x07,                      // cmp eax, 7: CF
                     0x89, 0x05, 0x00, 0x20, 0x00, 0x00,    // mov [0x2000], eax
                     0x8B, 0x0D, 0x00, 0x20, 0x00, 0x00,    // mov ecx, [0x2000]
                     0x83, 0xD2, 0x10,                      // adc edx, 0x10: 0x11
                     0x72, 0x01,                            // jb +1 (CF from ADC: clear, not taken)
                     0x42,                                  // inc edx: 0x12
                     0xF4})
        .load(t);
    CHECK(t.run(1000) == Exit::Halted);
    CHECK(t.diff() == "");
    CHECK(t.b.c.gpr[EDX] == 0x12);
    CHECK(t.b.c.gpr[ECX] == 5);
  }
}

TEST_CASE("jit: an instruction that crosses a page is translated, and follows a remap of its second page") {
  // MOV EAX, imm32 at 0x5FFD: its last two immediate bytes are on page 6. The
  // loop runs it 50 times, remaps page 6 to a frame where those bytes differ
  // (the rest of the frame is a copy), INVLPGs, and runs it 50 times more.
  // Each pass enters it from the JMP at 5FF9, on the first page: a chained
  // jump there would miss the remap.
  for (std::string spec : {"", "no-chain", "no-jump-cache"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    const uint32_t pte6 = Twin::kPt + 4 * 6;
    t.paged(0x3000, [](Side&) {});
    std::vector<uint8_t> code = {
        0x31, 0xD2, 0x31, 0xED,              // 5FF0: xor edx, edx ; xor ebp, ebp
        0xB9, 0x32, 0x00, 0x00, 0x00,        // 5FF4: mov ecx, 50
        0xEB, 0x02, 0x90, 0x90,              // 5FF9: jmp 5FFD
        0xB8, 0x11, 0x22, 0x33, 0x44,        // 5FFD: mov eax, 0x44332211 (crosses into page 6)
        0x01, 0xC2, 0x49, 0x75, 0xF2,        // 6002: add edx, eax ; dec ecx ; jnz 5FF9
        0x85, 0xED, 0x75, 0x19, 0x45,        // 6007: test ebp, ebp ; jnz done ; inc ebp
        0xC7, 0x05};                         // 600C: mov dword [pte6], 0x7003
    for (int k = 0; k < 4; ++k) code.push_back(uint8_t(pte6 >> (8 * k)));
    code.insert(code.end(), {0x03, 0x70, 0x00, 0x00,
                             0x0F, 0x01, 0x3D, 0x00, 0x60, 0x00, 0x00,  // 6016: invlpg [0x6000]
                             0xB9, 0x32, 0x00, 0x00, 0x00,              // 601D: mov ecx, 50
                             0xEB, 0xD5,                                // 6022: jmp 5FF9
                             0xF4});                                    // 6024: done: hlt
    t.load(0x5FF0, code);
    t.both([](Side& s) {
      for (uint32_t k = 0; k < 0x100; ++k) s.mem.write<uint8_t>(0x7000 + k, s.mem.read8(0x6000 + k));
      s.mem.write<uint8_t>(0x7000, 0x55);
      s.mem.write<uint8_t>(0x7001, 0x66);
      s.c.eip = 0x5FF0;
    });
    CHECK(t.run(100000) == Exit::Halted);
    CHECK(t.diff() == "");
    CHECK(t.b.c.gpr[EDX] == uint32_t(50u * 0x44332211u + 50u * 0x66552211u));
    CHECK(t.b.c.eip == 0x6025);
    const jit::JitStats& s = t.b.jit->jit_stats();
    CHECK(s.interp_uncached == 0);
    CHECK(s.insns_generated > 300);  // the crossing MOV included
  }
}

TEST_CASE("jit: a 4 GiB segment with a base, and unreal mode's segment loads, keep their bases") {
  for (std::string spec : {"", "no-flat"}) {
    CAPTURE(spec);
    {
      // Protected mode: DS has a 4 GiB limit but base 0x2000 (not flat).
      Twin t(spec);
      t.flat32();
      t.both([](Side& s) { s.c.seg[DS].base = 0x2000; });
      Code().at(0x1000, {0xA1, 0x10, 0x00, 0x00, 0x00, 0xF4})  // mov eax, [0x10] ; hlt
          .at(0x2010, {0x78, 0x56, 0x34, 0x12})
          .load(t);
      CHECK(t.run(100) == Exit::Halted);
      CHECK(t.diff() == "");
      CHECK(t.b.c.gpr[EAX] == 0x12345678);
    }
    {
      // Real mode with a 4 GiB DS limit ("unreal"): a segment load in the
      // middle of a block moves the base of what follows.
      Twin t(spec);
      t.both([](Side& s) {
        s.c.seg[CS].base = 0;
        s.c.seg[CS].sel = 0;
        s.c.seg[DS].limit = 0xFFFFFFFF;
        s.c.eip = 0x1000;
      });
      Code().at(0x1000, {0xA1, 0x10, 0x00,                  // mov ax, [0x10]
                         0xBB, 0x00, 0x01, 0x8E, 0xDB,      // mov bx, 0x100 ; mov ds, bx
                         0x8B, 0x0E, 0x10, 0x00,            // mov cx, [0x10]: DS:0x10 = 0x1010
                         0xF4})
          .at(0x10, {0x11, 0x11})
          .at(0x1010, {0x22, 0x22})
          .load(t);
      CHECK(t.run(100) == Exit::Halted);
      CHECK(t.diff() == "");
      CHECK((t.b.c.gpr[EAX] & 0xFFFF) == 0x1111);
      CHECK((t.b.c.gpr[ECX] & 0xFFFF) == 0x2222);
    }
  }
}

TEST_CASE("jit: LOOP, LOOPE, LOOPNE and JECXZ/JCXZ at both address sizes") {
  // (nasm) l1: 5 x LOOP; l2: LOOPNE stops at EDX = 3 with ECX = 7; l3: LOOPE
  // runs out; l4: a16 LOOP counts CX only; then JECXZ not taken, a16 JCXZ taken.
  const std::vector<uint8_t> code = {
      0xb9, 0x05, 0x00, 0x00, 0x00, 0x31, 0xc0, 0x40, 0xe2, 0xfd, 0xb9, 0x0a, 0x00, 0x00, 0x00, 0x31,
      0xd2, 0x42, 0x83, 0xfa, 0x03, 0xe0, 0xfa, 0xe3, 0x1e, 0xb9, 0x04, 0x00, 0x00, 0x00, 0x31, 0xf6,
      0x46, 0x39, 0xf6, 0xe1, 0xfb, 0xb9, 0x02, 0x00, 0x01, 0x00, 0x31, 0xff, 0x47, 0x67, 0xe2, 0xfc,
      0x31, 0xed, 0xe3, 0x03, 0x67, 0xe3, 0x05, 0xbd, 0xad, 0x0b, 0x00, 0x00, 0xf4};
  for (std::string spec : {"", "no-emit=jcc", "no-reg-cache", "no-chain,no-jump-cache"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    t.load(Twin::kCode, code);
    CHECK(t.run(1000) == Exit::Halted);
    CHECK(t.diff() == "");
    const Cpu& c = t.b.c;
    CHECK(c.gpr[EAX] == 5);
    CHECK(c.gpr[EDX] == 3);
    CHECK(c.gpr[ESI] == 4);
    CHECK(c.gpr[EDI] == 2);
    CHECK(c.gpr[ECX] == 0x10000);
    CHECK(c.gpr[EBP] == 0);
  }
  // A LOOP whose target is past the CS limit faults before ECX changes.
  Twin t;
  t.flat32();
  t.paged(0x3000, [](Side& s) { s.c.seg[CS].limit = 0x1FFF; s.c.seg[CS].attr &= ~SEG_G; s.c.eip = 0x1FF0; });
  Code().at(0x1FF0, {0xB9, 0x02, 0x00, 0x00, 0x00, 0xE2, 0x20}).at(0x3000, kRecordAndHalt).load(t);
  CHECK(t.run(1000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(rd32(t.b, 0x4008) == 0x1FF5);
  CHECK(t.b.c.gpr[ECX] == 2);
}
