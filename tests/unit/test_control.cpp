// The control family: JMP, Jcc, JCXZ, LOOPcc, CALL/RET near and far,
// INT n/INT3/INTO/INT1, IRET, BOUND.
#include <doctest/doctest.h>

#include "prot_machine.h"
#include "test_machine.h"

using namespace cpu;

namespace {
constexpr uint32_t kCode = xt::TestMachine::kCode;
constexpr uint32_t kHaltAt(uint8_t vec) { return 0x0500u + vec + 1; }

// Run `code` with the given arithmetic flags; report whether the branch at
// the start (a 2-byte Jcc rel8 over a 2-byte "mov bl,1") was taken.
bool jcc_taken(uint8_t opcode, uint32_t flags) {
  xt::TestMachine t;
  t.c.eflags |= flags;
  t.c.gpr[EBX] = 0;
  t.run_code({opcode, 0x02, 0xB3, 0x01});  // jcc +2 ; mov bl,1 ; hlt
  return t.r(EBX) == 0;
}
}  // namespace

TEST_CASE("control: JMP rel8/rel16 and a 16-bit target wraps at 64 KiB") {
  xt::TestMachine t;
  // jmp +2 ; mov al,1 ; jmp -? no: jmp short over mov, then jmp near forward
  t.run_code({0xEB, 0x02, 0xB0, 0x01, 0xE9, 0x02, 0x00, 0xB1, 0x01});
  CHECK((t.r(EAX) & 0xFF) == 0);
  CHECK((t.r(ECX) & 0xFF) == 0);
  CHECK(t.c.eip == kCode + 10);

  xt::TestMachine w;
  w.c.seg[CS].sel = 0x1000;
  w.c.seg[CS].base = 0x10000;
  w.c.eip = 0xFFF0;
  w.load(0x1FFF0, {0xE9, 0x20, 0x00});  // jmp near +0x20 from 0xFFF3 -> 0x0013
  w.load(0x10013, {0xF4});
  w.engine->run(w.c, 10);
  CHECK(w.c.halted);
  CHECK(w.c.eip == 0x0014);

  // With 32-bit operand size the same target is beyond the CS limit: #GP(0).
  xt::TestMachine g;
  g.ivt_halt(kGP);
  g.c.seg[CS].sel = 0x1000;
  g.c.seg[CS].base = 0x10000;
  g.c.eip = 0xFFF0;
  g.load(0x1FFF0, {0x66, 0xE9, 0x20, 0x00, 0x00, 0x00});
  g.engine->run(g.c, 10);
  CHECK(g.c.eip == kHaltAt(kGP));
  CHECK(g.mem.read<uint16_t>(0x8000 - 6) == 0xFFF0);  // IP of the JMP
  CHECK(g.mem.read<uint16_t>(0x8000 - 4) == 0x1000);  // its CS
}

TEST_CASE("control: Jcc taken and not taken") {
  CHECK(jcc_taken(0x74, ZF));         // jz
  CHECK(!jcc_taken(0x74, 0));
  CHECK(jcc_taken(0x75, 0));          // jnz
  CHECK(jcc_taken(0x72, CF));         // jb
  CHECK(!jcc_taken(0x73, CF));        // jnb
  CHECK(jcc_taken(0x76, ZF));         // jbe
  CHECK(jcc_taken(0x77, 0));          // jnbe
  CHECK(!jcc_taken(0x77, CF));
  CHECK(jcc_taken(0x7C, SF));         // jl: SF != OF
  CHECK(!jcc_taken(0x7C, SF | OF));
  CHECK(jcc_taken(0x7D, SF | OF));    // jnl
  CHECK(jcc_taken(0x7E, ZF));         // jle
  CHECK(jcc_taken(0x7E, OF));
  CHECK(!jcc_taken(0x7F, ZF));        // jnle
  CHECK(jcc_taken(0x7F, 0));
  CHECK(jcc_taken(0x70, OF));         // jo
  CHECK(jcc_taken(0x7A, PF));         // jp
  CHECK(!jcc_taken(0x7B, PF));        // jnp
  CHECK(jcc_taken(0x78, SF));         // js
  CHECK(!jcc_taken(0x79, SF));        // jns

  // 0F 8x rel16, backwards: jz -? over nothing: jump back to a HLT before it.
  xt::TestMachine t;
  t.c.eflags |= ZF;
  t.load(kCode, {0xEB, 0x01, 0xF4, 0x0F, 0x84, 0xFB, 0xFF});  // jmp +1 ; hlt ; jz -5 (to the hlt)
  t.engine->run(t.c, 10);
  CHECK(t.c.halted);
  CHECK(t.c.eip == kCode + 3);
}

TEST_CASE("control: JCXZ/JECXZ use the address size") {
  xt::TestMachine t;
  t.c.gpr[ECX] = 0x10000;  // CX = 0
  t.c.gpr[EBX] = 0;
  t.run_code({0xE3, 0x02, 0xB3, 0x01});  // jcxz +2 ; mov bl,1
  CHECK(t.r(EBX) == 0);
  xt::TestMachine u;
  u.c.gpr[ECX] = 0x10000;  // ECX != 0
  u.c.gpr[EBX] = 0;
  u.run_code({0x67, 0xE3, 0x02, 0xB3, 0x01});  // jecxz +2 ; mov bl,1
  CHECK(u.r(EBX) == 1);
}

TEST_CASE("control: LOOP, LOOPNE, and LOOP with 32-bit address size") {
  xt::TestMachine t;
  t.c.gpr[ESI] = 0x2000;
  // mov cx,5 ; lodsb ; loop -3
  t.run_code({0xB9, 0x05, 0x00, 0xAC, 0xE2, 0xFD});
  CHECK(t.r(ECX) == 0);
  CHECK(t.r(ESI) == 0x2005);

  xt::TestMachine u;
  u.load(0x3000, {'a', 'b', 'c', 'd'});
  u.c.gpr[EAX] = 'c';
  u.c.gpr[EDI] = 0x3000;
  u.c.gpr[ECX] = 10;
  u.run_code({0xAE, 0xE0, 0xFD});  // scasb ; loopne -3
  CHECK(u.r(ECX) == 7);
  CHECK(u.r(EDI) == 0x3003);
  CHECK((u.c.eflags & ZF));

  // LOOPE stops when ZF = 0 after the first compare.
  xt::TestMachine e;
  e.load(0x3000, {'x', 'x'});
  e.c.gpr[EAX] = 'y';
  e.c.gpr[EDI] = 0x3000;
  e.c.gpr[ECX] = 10;
  e.run_code({0xAE, 0xE1, 0xFD});  // scasb ; loope -3
  CHECK(e.r(ECX) == 9);
  CHECK(e.r(EDI) == 0x3001);

  // 67 LOOP counts ECX: 0x10001 -> 0x10000, not zero, so it branches.
  xt::TestMachine w;
  w.c.gpr[ECX] = 0x10001;
  w.c.gpr[EBX] = 0;
  w.run_code({0x67, 0xE2, 0x02, 0xB3, 0x01});  // loop +2 (ECX) ; mov bl,1
  CHECK(w.r(ECX) == 0x10000);
  CHECK(w.r(EBX) == 0);
  // Without 67, CX 0x0001 -> 0: falls through; ECX's upper half is kept.
  xt::TestMachine x;
  x.c.gpr[ECX] = 0x10001;
  x.c.gpr[EBX] = 0;
  x.run_code({0xE2, 0x02, 0xB3, 0x01});
  CHECK(x.r(ECX) == 0x10000);
  CHECK(x.r(EBX) == 1);
}

TEST_CASE("control: near CALL/RET, RET imm16, CALL/JMP through a register and memory") {
  xt::TestMachine t;
  // 1000: call 1006 ; 1003: hlt ; 1004: nop nop ; 1006: mov al,7 ; ret
  t.load(kCode, {0xE8, 0x03, 0x00, 0xF4, 0x90, 0x90, 0xB0, 0x07, 0xC3});
  t.engine->run(t.c, 100);
  CHECK((t.r(EAX) & 0xFF) == 7);
  CHECK(t.c.eip == kCode + 4);
  CHECK(t.r(ESP) == 0x8000);
  CHECK(t.mem.read<uint16_t>(0x7FFE) == kCode + 3);

  xt::TestMachine r;
  // push 1 ; push 2 ; call 100A ; hlt(1008) ; nop ; 100A: ret 4
  r.load(kCode, {0x6A, 0x01, 0x6A, 0x02, 0xE8, 0x01, 0x00, 0xF4, 0x90, 0xC2, 0x04, 0x00});
  r.engine->run(r.c, 100);
  CHECK(r.c.eip == kCode + 8);
  CHECK(r.r(ESP) == 0x8000);

  xt::TestMachine m;
  m.mem.write<uint16_t>(0x2000, 0x1010);
  m.c.gpr[EBX] = 0x1020;
  // call [0x2000] ; hlt ; ... 1010: jmp bx ; ... 1020: mov al,9 ; ret
  m.load(kCode, {0xFF, 0x16, 0x00, 0x20, 0xF4});
  m.load(0x1010, {0xFF, 0xE3});
  m.load(0x1020, {0xB0, 0x09, 0xC3});
  m.engine->run(m.c, 100);
  CHECK(m.c.eip == kCode + 5);
  CHECK((m.r(EAX) & 0xFF) == 9);

  // 32-bit code: CALL pushes 4 bytes; call edx.
  xt::TestMachine p;
  p.flat32();
  p.c.gpr[EDX] = 0x1100;
  p.load(kCode, {0xFF, 0xD2, 0xF4});
  p.load(0x1100, {0xC3});
  p.engine->run(p.c, 100);
  CHECK(p.c.eip == kCode + 3);
  CHECK(p.mem.read<uint32_t>(0x7FFC) == kCode + 2);
}

TEST_CASE("control: far CALL/RETF and far JMP in real mode") {
  xt::TestMachine t;
  // call 0x0200:0x0010 ; hlt
  t.load(kCode, {0x9A, 0x10, 0x00, 0x00, 0x02, 0xF4});
  t.load(0x2010, {0xB0, 0x09, 0x8C, 0xCB, 0xCB});  // mov al,9 ; mov bx,cs ; retf
  t.engine->run(t.c, 100);
  CHECK(t.c.halted);
  CHECK((t.r(EAX) & 0xFF) == 9);
  CHECK((t.r(EBX) & 0xFFFF) == 0x0200);
  CHECK(t.c.seg[CS].sel == 0);
  CHECK(t.c.seg[CS].base == 0);
  CHECK(t.c.eip == kCode + 6);
  CHECK(t.mem.read<uint16_t>(0x7FFC) == kCode + 5);  // IP
  CHECK(t.mem.read<uint16_t>(0x7FFE) == 0);          // CS
  CHECK(t.r(ESP) == 0x8000);

  // 32-bit far call (66 9A) and RETF imm with 66: 8-byte frame + 4 released.
  xt::TestMachine u;
  u.load(kCode, {0x66, 0x6A, 0x05, 0x66, 0x9A, 0x10, 0x00, 0x00, 0x00, 0x00, 0x02, 0xF4});
  u.load(0x2010, {0x66, 0xCA, 0x04, 0x00});  // retf 4 (32-bit)
  u.engine->run(u.c, 100);
  CHECK(u.c.halted);
  CHECK(u.c.eip == kCode + 12);
  CHECK(u.r(ESP) == 0x8000);
  CHECK(u.mem.read<uint32_t>(0x7FF8) == 0);              // CS slot, zero-extended
  CHECK(u.mem.read<uint32_t>(0x7FF4) == kCode + 11);     // EIP

  // Far indirect CALL and JMP through memory pointers.
  xt::TestMachine m;
  m.load(0x2000, {0x10, 0x00, 0x00, 0x03});  // 0300:0010
  m.load(0x2004, {0x20, 0x00, 0x00, 0x04});  // 0400:0020
  m.load(kCode, {0xFF, 0x1E, 0x00, 0x20, 0xF4});  // call far [0x2000] ; hlt
  m.load(0x3010, {0xFF, 0x2E, 0x04, 0x20});       // jmp far [0x2004] (DS = 0)
  m.load(0x4020, {0xB1, 0x44, 0xCB});              // mov cl,0x44 ; retf
  m.engine->run(m.c, 100);
  CHECK(m.c.halted);
  CHECK((m.r(ECX) & 0xFF) == 0x44);
  CHECK(m.c.eip == kCode + 5);

  xt::TestMachine j;
  j.load(kCode, {0xEA, 0x05, 0x00, 0x00, 0x05});  // jmp 0500:0005
  j.load(0x5005, {0xF4});
  j.engine->run(j.c, 10);
  CHECK(j.c.seg[CS].sel == 0x0500);
  CHECK(j.c.eip == 6);
}

TEST_CASE("control: INT n and IRET in real mode") {
  xt::TestMachine t;
  t.mem.write<uint16_t>(0x21 * 4, 0x0000);
  t.mem.write<uint16_t>(0x21 * 4 + 2, 0x0300);
  // handler at 0300:0000: mov al,10 ; pushf ; pop bx ; iret
  t.load(0x3000, {0xB0, 0x0A, 0x9C, 0x5B, 0xCF});
  t.c.eflags |= IF | CF;
  t.load(kCode, {0xCD, 0x21, 0xF4});
  t.engine->run(t.c, 100);
  CHECK(t.c.halted);
  CHECK((t.r(EAX) & 0xFF) == 10);
  CHECK(!(t.r(EBX) & IF));  // IF was clear inside the handler
  CHECK((t.c.eflags & (IF | CF)) == (IF | CF));
  CHECK(t.c.seg[CS].sel == 0);
  CHECK(t.c.eip == kCode + 3);
  CHECK(t.r(ESP) == 0x8000);
  CHECK(t.mem.read<uint16_t>(0x7FFA) == kCode + 2);  // the pushed IP: next instruction
  CHECK(t.mem.read<uint16_t>(0x7FFC) == 0);
  CHECK((t.mem.read<uint16_t>(0x7FFE) & (IF | CF)) == (IF | CF));
}

TEST_CASE("control: INT3, INTO and INT1 push the next IP") {
  xt::TestMachine t;
  t.ivt_halt(kBP);
  t.run_code({0x90, 0xCC});
  CHECK(t.c.eip == kHaltAt(kBP));
  CHECK(t.mem.read<uint16_t>(0x7FFA) == kCode + 2);

  xt::TestMachine o;
  o.ivt_halt(kOF);
  o.run_code({0xCE});  // OF = 0: no interrupt
  CHECK(o.c.eip == kCode + 2);
  xt::TestMachine o2;
  o2.ivt_halt(kOF);
  o2.c.eflags |= OF;
  o2.run_code({0xCE});
  CHECK(o2.c.eip == kHaltAt(kOF));
  CHECK(o2.mem.read<uint16_t>(0x7FFA) == kCode + 1);

  xt::TestMachine d;
  d.ivt_halt(kDB);
  d.run_code({0xF1});
  CHECK(d.c.eip == kHaltAt(kDB));
  CHECK(d.mem.read<uint16_t>(0x7FFA) == kCode + 1);
}

TEST_CASE("control: IRETD in real mode keeps VM/VIF/VIP; IRET loads IOPL/NT") {
  xt::TestMachine t;
  // Frame at 0x7FF4: EIP=0x1100, CS=0, EFLAGS = VM|VIF|AC|IOPL|CF.
  t.mem.write<uint32_t>(0x7FF4, 0x1100);
  t.mem.write<uint32_t>(0x7FF8, 0);
  t.mem.write<uint32_t>(0x7FFC, VM | VIF | AC | IOPL | CF);
  t.c.gpr[ESP] = 0x7FF4;
  t.load(kCode, {0x66, 0xCF});
  t.load(0x1100, {0xF4});
  t.engine->run(t.c, 10);
  CHECK(t.c.eip == 0x1101);
  CHECK(t.r(ESP) == 0x8000);
  CHECK(!(t.c.eflags & (VM | VIF)));
  CHECK((t.c.eflags & (AC | IOPL | CF)) == (AC | IOPL | CF));

  xt::TestMachine u;
  u.mem.write<uint16_t>(0x7FFA, 0x1100);
  u.mem.write<uint16_t>(0x7FFC, 0);
  u.mem.write<uint16_t>(0x7FFE, uint16_t(NT | IOPL | ZF));
  u.c.gpr[ESP] = 0x7FFA;
  u.load(kCode, {0xCF});
  u.load(0x1100, {0xF4});
  u.engine->run(u.c, 10);
  CHECK(u.c.eip == 0x1101);
  CHECK((u.c.eflags & (NT | IOPL | ZF)) == (NT | IOPL | ZF));
}

TEST_CASE("control: BOUND in range, out of range (#BR with the BOUND's IP)") {
  xt::TestMachine t;
  t.ivt_halt(kBR);
  t.mem.write<uint16_t>(0x2000, uint16_t(-5));
  t.mem.write<uint16_t>(0x2002, 10);
  t.c.gpr[EAX] = 10;
  t.run_code({0x62, 0x06, 0x00, 0x20});  // bound ax,[0x2000]
  CHECK(t.c.eip == kCode + 5);          // in range: reached the HLT
  for (uint32_t bad : {11u, 0xFFFAu}) {  // 11 and -6
    xt::TestMachine u;
    u.ivt_halt(kBR);
    u.mem.write<uint16_t>(0x2000, uint16_t(-5));
    u.mem.write<uint16_t>(0x2002, 10);
    u.c.gpr[EAX] = bad;
    u.run_code({0x62, 0x06, 0x00, 0x20});
    CHECK(u.c.eip == kHaltAt(kBR));
    CHECK(u.mem.read<uint16_t>(0x7FFA) == kCode);
  }
  // 32-bit form: bounds are dwords.
  xt::TestMachine p;
  p.ivt_halt(kBR);
  p.mem.write<uint32_t>(0x2000, 0x10000);
  p.mem.write<uint32_t>(0x2004, 0x20000);
  p.c.gpr[EAX] = 0x1FFFF;
  p.run_code({0x66, 0x62, 0x06, 0x00, 0x20});
  CHECK(p.c.eip == kCode + 6);
}

TEST_CASE("control: far JMP/CALL/RETF in protected mode (same privilege)") {
  xt::TestMachine t;
  t.flat32();
  // GDT at 0x2000: null, 0x08 = 32-bit code, 0x10 = data, 0x18 = 16-bit code base 0x10000.
  t.load(0x2000, {0, 0, 0, 0, 0, 0, 0, 0,
                  0xFF, 0xFF, 0, 0, 0, 0x9A, 0xCF, 0,
                  0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0,
                  0xFF, 0xFF, 0, 0, 1, 0x9A, 0x00, 0});
  t.c.gdtr = DescTable{0x2000, 0x1F};
  // call far 0x18:0x0010 ; hlt   (32-bit code)
  t.load(kCode, {0x9A, 0x10, 0x00, 0x00, 0x00, 0x18, 0x00, 0xF4});
  // 16-bit code at 0x10010: mov ax,cs ; 66 retf (back to 32-bit code)
  t.load(0x10010, {0x8C, 0xC8, 0x66, 0xCB});
  t.engine->run(t.c, 100);
  CHECK(t.c.halted);
  CHECK((t.r(EAX) & 0xFFFF) == 0x18);
  CHECK(t.c.seg[CS].sel == 0x08);
  CHECK(t.c.code32());
  CHECK(t.c.eip == kCode + 8);
  CHECK(t.r(ESP) == 0x8000);
  CHECK(t.mem.read<uint32_t>(0x7FF8) == kCode + 7);
  CHECK(t.mem.read<uint32_t>(0x7FFC) == 0x08);
}

TEST_CASE("control: IRETD and RETF in protected mode at the same privilege") {
  auto setup = [](xt::TestMachine& t) {
    t.flat32();
    t.load(0x2000, {0, 0, 0, 0, 0, 0, 0, 0,
                    0xFF, 0xFF, 0, 0, 0, 0x9A, 0xCF, 0,
                    0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0});
    t.c.gdtr = DescTable{0x2000, 0x17};
  };
  // IRETD at CPL 0: EFLAGS IOPL and IF load; VM in the image would be V86 (not here).
  xt::TestMachine t;
  setup(t);
  t.mem.write<uint32_t>(0x7FF4, 0x1100);
  t.mem.write<uint32_t>(0x7FF8, 0x08);
  t.mem.write<uint32_t>(0x7FFC, IF | IOPL | CF | kFlagsFixed1);
  t.c.gpr[ESP] = 0x7FF4;
  t.load(kCode, {0xCF});
  t.load(0x1100, {0xF4});
  t.engine->run(t.c, 10);
  CHECK(t.c.halted);
  CHECK(t.c.eip == 0x1101);
  CHECK((t.c.eflags & (IF | IOPL | CF)) == (IF | IOPL | CF));
  CHECK(t.r(ESP) == 0x8000);

  // RETF to a selector with RPL 3 from CPL 0 (an outer level) whose
  // descriptor has DPL 0: #GP(selector), ESP unchanged (the outer-level
  // return itself is tested in test_prot_segments.cpp).
  xt::ProtMachine r;
  r.c.gpr[ESP] = 0x8000;
  r.mem.write<uint32_t>(0x8000, 0x1100);
  r.mem.write<uint32_t>(0x8004, 0x0B);
  r.run({0xCB});
  CHECK(r.vector() == kGP);
  CHECK(r.stack(0) == 0x08);
  CHECK(r.r(ESP) == 0x8000 - 16);
}
