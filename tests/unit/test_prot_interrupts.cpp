// Protected-mode interrupts and exceptions: IDT gates, privilege changes to
// ring 0 and IRET back, error codes (IDT and EXT bits), V86 mode (IRET into
// it, INT and faults out of it, IOPL-sensitive instructions), the I/O
// permission bitmap, double and triple faults.
#include <doctest/doctest.h>

#include <vector>

#include "prot_machine.h"

using namespace cpu;
using xt::ProtMachine;

namespace {
constexpr uint32_t kCode = ProtMachine::kCode;
constexpr uint32_t kV86Code = 0x1200;  // CS:IP = 0100:0200

// Enter V86 mode with IRETD from ring 0: CS:IP = 0100:0200, SS:SP = 0500:1000,
// DS = ES = FS = GS = 0x0300, EFLAGS = VM | IOPL(iopl) | IF.
void enter_v86(ProtMachine& t, unsigned iopl, const std::vector<uint8_t>& v86_code) {
  uint32_t sp = ProtMachine::kStack0 - 0x100 - 36;
  const uint32_t frame[9] = {0x0200, 0x0100, VM | (iopl << 12) | IF | kFlagsFixed1, 0x1000, 0x0500,
                             0x0300, 0x0300, 0x0300, 0x0300};
  for (unsigned k = 0; k < 9; ++k) t.mem.write<uint32_t>(sp + 4 * k, frame[k]);
  t.c.gpr[ESP] = sp;
  t.mem.load(kV86Code, v86_code.data(), uint32_t(v86_code.size()));
  t.run({0xCF});  // iretd
}
}  // namespace

TEST_CASE("prot int: INT n from ring 3 through a DPL-3 gate to ring 0, and IRETD back") {
  ProtMachine t;
  t.idt(0x41, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 | 0x60));
  t.load(0x2000, {0xF4, 0x83, 0xC0, 0x01, 0xCF});  // hlt ; add eax,1 ; iretd
  t.ring3();
  t.c.eflags |= IF;
  t.run({0xB8, 0x05, 0x00, 0x00, 0x00, 0xCD, 0x41, 0xCD, 0x40});  // mov eax,5 ; int 41h ; int 40h
  REQUIRE(t.c.eip == 0x2001);
  CHECK(t.c.cpl == 0);
  CHECK(t.c.seg[SS].sel == ProtMachine::DATA0);
  CHECK(t.r(ESP) == ProtMachine::kStack0 - 20);
  CHECK(t.stack(0) == kCode + 7);
  CHECK(t.stack(1) == ProtMachine::CODE3);
  CHECK((t.stack(2) & (IF | RF)) == IF);  // software INT: RF is pushed clear
  CHECK(t.stack(3) == ProtMachine::kStack3);
  CHECK(t.stack(4) == ProtMachine::DATA3);
  CHECK((t.c.eflags & IF) == 0);          // interrupt gate
  t.c.halted = 0;
  t.engine->run(t.c, 100);
  CHECK(t.vector() == 0x40);
  CHECK(t.r(EAX) == 6);
  CHECK(t.stack(1) == ProtMachine::CODE3);  // INT 40h came from ring 3 again,
  CHECK(t.stack(3) == ProtMachine::kStack3);  // with ring 3's stack restored
  CHECK((t.stack(2) & IF) == IF);

  // A trap gate keeps IF.
  ProtMachine g;
  g.idt(0x42, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kTrapGate32 | 0x60));
  g.load(0x2000, {0xF4});
  g.ring3();
  g.c.eflags |= IF;
  g.run({0xCD, 0x42});
  CHECK(g.c.eip == 0x2001);
  CHECK((g.c.eflags & IF) == IF);
}

TEST_CASE("prot int: gate checks give IDT error codes; EXT marks CPU-raised events") {
  {  // INT n with gate DPL 0 from ring 3: #GP(vector*8+2)
    ProtMachine t;
    t.ring3();
    t.run({0xCD, 0x41});
    CHECK(t.vector() == kGP);
    CHECK(t.stack(0) == 0x41 * 8 + 2);
    CHECK(t.stack(1) == kCode);  // the INT itself
  }
  {  // vector beyond the IDT limit
    ProtMachine t;
    t.c.idtr.limit = 0x40 * 8 + 7;
    t.run({0xCD, 0x41});
    CHECK(t.vector() == kGP);
    CHECK(t.stack(0) == 0x41 * 8 + 2);
  }
  {  // gate not present: #NP
    ProtMachine t;
    t.idt(0x41, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 & 0x7F));
    t.run({0xCD, 0x41});
    CHECK(t.vector() == kNP);
    CHECK(t.stack(0) == 0x41 * 8 + 2);
  }
  {  // #UD (raised by the CPU) through a not-present gate: #NP with EXT set
    ProtMachine t;
    t.idt(kUD, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 & 0x7F));
    t.run({0x0F, 0x0B});  // ud2
    CHECK(t.vector() == kNP);
    CHECK(t.stack(0) == kUD * 8 + 2 + 1);
    CHECK(t.stack(1) == kCode);
  }
  {  // a gate whose code segment is a data segment: #GP(selector | EXT)
    ProtMachine t;
    t.idt(kUD, xt::gate_desc(ProtMachine::DATA0, 0x2000, xt::kIntGate32));
    t.run({0x0F, 0x0B});
    CHECK(t.vector() == kGP);
    CHECK(t.stack(0) == (ProtMachine::DATA0 | 1));
  }
}

TEST_CASE("prot int: a fault in ring 3 pushes SS, ESP, EFLAGS (RF set), CS, EIP and the error code") {
  ProtMachine t;
  t.ring3();
  t.c.gpr[EBX] = 0x77;
  t.run({0x43, 0xFA});  // inc ebx ; cli (IOPL 0 < CPL 3: #GP(0))
  CHECK(t.vector() == kGP);
  CHECK(t.r(EBX) == 0x78);
  CHECK(t.r(ESP) == ProtMachine::kStack0 - 24);
  CHECK(t.stack(0) == 0);
  CHECK(t.stack(1) == kCode + 1);
  CHECK(t.stack(2) == ProtMachine::CODE3);
  CHECK((t.stack(3) & RF) == RF);
  CHECK(t.stack(4) == ProtMachine::kStack3);
  CHECK(t.stack(5) == ProtMachine::DATA3);
}

TEST_CASE("prot int: a 16-bit interrupt gate pushes a 16-bit frame") {
  ProtMachine t;
  t.idt(0x41, xt::gate_desc(ProtMachine::CODE0, 0x12345, xt::kIntGate16));
  t.load(0x2345, {0xF4});  // a 16-bit gate uses only the low word of the offset
  t.run({0xCD, 0x41});
  CHECK(t.c.eip == 0x2346);
  CHECK(t.r(ESP) == ProtMachine::kStack0 - 0x100 - 6);
  CHECK(t.stack16(0) == kCode + 2);
  CHECK(t.stack16(1) == ProtMachine::CODE0);
}

TEST_CASE("prot int: IRETD into V86 mode, INT n out of it to ring 0") {
  ProtMachine t;
  t.idt(0x41, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 | 0x60));
  t.load(0x2000, {0xF4});
  // V86: mov ax,0x2000 ; mov ds,ax ; int 41h
  enter_v86(t, 3, {0xB8, 0x00, 0x20, 0x8E, 0xD8, 0xCD, 0x41});
  REQUIRE(t.c.eip == 0x2001);
  CHECK((t.c.eflags & VM) == 0);
  CHECK(t.c.cpl == 0);
  CHECK(t.r(ESP) == ProtMachine::kStack0 - 36);
  CHECK(t.stack(0) == 0x0207);  // IP after the INT
  CHECK(t.stack(1) == 0x0100);
  CHECK((t.stack(2) & VM) == VM);
  CHECK(t.stack(3) == 0x1000);
  CHECK(t.stack(4) == 0x0500);
  CHECK(t.stack(5) == 0x0300);  // ES
  CHECK(t.stack(6) == 0x2000);  // DS as loaded in V86 mode
  CHECK(t.stack(7) == 0x0300);  // FS
  CHECK(t.stack(8) == 0x0300);  // GS
  for (unsigned s : {ES, DS, FS, GS}) CHECK(t.c.seg[s].sel == 0);
}

TEST_CASE("prot int: V86 mode with IOPL < 3: CLI, STI, PUSHF, POPF, INT n and IRET are #GP(0)") {
  const std::vector<std::vector<uint8_t>> sensitive = {{0xFA}, {0xFB}, {0x9C}, {0x9D}, {0xCD, 0x21}, {0xCF}};
  for (const auto& code : sensitive) {
    CAPTURE(int(code[0]));
    ProtMachine t;
    enter_v86(t, 0, code);
    CHECK(t.vector() == kGP);
    CHECK(t.stack(0) == 0);
    CHECK(t.stack(1) == 0x0200);  // the instruction, in V86 terms
    CHECK(t.stack(2) == 0x0100);
  }
  // With IOPL 3 they run: cli ; pushf ; int 41h (to a ring-0 HLT).
  ProtMachine t;
  t.idt(0x41, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 | 0x60));
  t.load(0x2000, {0xF4});
  enter_v86(t, 3, {0xFA, 0x9C, 0xCD, 0x41});
  CHECK(t.c.eip == 0x2001);
  CHECK((t.stack(2) & IF) == 0);
  CHECK(t.mem.read<uint16_t>(0x5000 + 0x1000 - 2) == ((3u << 12) | kFlagsFixed1));  // PUSHF image
}

TEST_CASE("prot int: a gate to a ring-0 conforming or ring-3 segment from V86 mode is #GP(sel)") {
  ProtMachine t;
  t.idt(0x41, xt::gate_desc(ProtMachine::CODE3, 0x2000, xt::kIntGate32 | 0x60));
  enter_v86(t, 3, {0xCD, 0x41});
  CHECK(t.vector() == kGP);
  CHECK(t.stack(0) == (ProtMachine::CODE3 & ~3));
}

TEST_CASE("prot int: the I/O permission bitmap in V86 mode and at CPL > IOPL") {
  auto deny = [](ProtMachine& t, uint16_t port) {
    uint32_t a = ProtMachine::kTss + 0x68 + port / 8;
    t.mem.write<uint8_t>(a, uint8_t(t.mem.read<uint8_t>(a) | (1u << (port & 7))));
  };
  {  // V86 (IOPL 3 does not matter for I/O): out E1 allowed, out E0 denied
    ProtMachine t;
    deny(t, 0xE0);
    enter_v86(t, 3, {0xE6, 0xE1, 0xE6, 0xE0});
    CHECK(t.vector() == kGP);
    CHECK(t.stack(1) == 0x0202);
    REQUIRE(t.outs.size() == 1);
    CHECK(t.outs[0].first == 0xE1);
  }
  {  // ring 3, IOPL 0
    ProtMachine t;
    deny(t, 0xE3);
    t.ring3();
    t.run({0xE6, 0xE2, 0xE6, 0xE3});
    CHECK(t.vector() == kGP);
    CHECK(t.stack(1) == kCode + 2);
    CHECK(t.outs.size() == 1);
  }
  {  // a word access needs both bits clear
    ProtMachine t;
    deny(t, 0xE8);
    t.ring3();
    t.run({0x66, 0xE7, 0xE7});  // out 0xE7,ax
    CHECK(t.vector() == kGP);
    CHECK(t.outs.empty());
  }
  {  // bitmap beyond the TSS limit: everything denied; IOPL 3 bypasses it
    ProtMachine t;
    t.mem.write<uint16_t>(ProtMachine::kTss + 0x66, 0x3000);
    t.ring3();
    t.run({0xE6, 0xE2});
    CHECK(t.vector() == kGP);
    ProtMachine p;
    p.mem.write<uint16_t>(ProtMachine::kTss + 0x66, 0x3000);
    p.ring3();
    p.c.eflags |= IOPL;
    p.run({0xE6, 0xE2, 0xCD, 0x40});
    CHECK(p.vector() == 0x40);
    CHECK(p.outs.size() == 1);
  }
}

TEST_CASE("prot int: double fault and triple fault") {
  ProtMachine t;
  t.idt(kGP, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 & 0x7F));  // #GP gate not present
  t.run({0x66, 0xB8, 0x00, 0x01, 0x8E, 0xD8});  // mov ax,0x100 ; mov ds,ax -> #GP -> #NP -> #DF
  CHECK(t.vector() == kDF);
  CHECK(t.stack(0) == 0);          // #DF pushes a zero error code
  CHECK(t.stack(1) == kCode + 4);  // at the faulting instruction

  ProtMachine s;
  s.idt(kGP, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 & 0x7F));
  s.idt(kDF, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kIntGate32 & 0x7F));
  CHECK(s.run({0x66, 0xB8, 0x00, 0x01, 0x8E, 0xD8}) == Exit::Shutdown);
  CHECK((s.c.events & EV_SHUTDOWN) != 0);

  // A benign exception (#UD) followed by a contributory one while
  // delivering it: the second is delivered normally (serially).
  ProtMachine b;
  b.idt(kUD, xt::gate_desc(0x100, 0x2000, xt::kIntGate32));  // selector beyond the GDT
  b.run({0x0F, 0x0B});
  CHECK(b.vector() == kGP);
  CHECK(b.stack(0) == (0x100 | 1));
}
