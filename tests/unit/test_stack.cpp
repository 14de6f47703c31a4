// The stack family: PUSH/POP (registers, immediates, memory, segment
// registers), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE.
#include <doctest/doctest.h>

#include "prot_machine.h"
#include "test_machine.h"

using namespace cpu;

namespace {
void step(xt::TestMachine& t, std::initializer_list<uint8_t> bytes, uint64_t n = 1) {
  t.load(xt::TestMachine::kCode, bytes);
  t.engine->run(t.c, n);
}
}  // namespace

TEST_CASE("stack: PUSH/POP registers; PUSH SP pushes the old SP; POP SP") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0xAAAA1234;
  t.c.gpr[EBX] = 0xBBBB0000;
  // push ax ; pop bx ; push sp ; 66 push eax ; 66 pop ecx ; pop dx
  t.run_code({0x50, 0x5B, 0x54, 0x66, 0x50, 0x66, 0x59, 0x5A});
  CHECK(t.r(EBX) == 0xBBBB1234);
  CHECK(t.r(ECX) == 0xAAAA1234);
  CHECK((t.r(EDX) & 0xFFFF) == 0x8000);  // the SP value before PUSH SP
  CHECK(t.r(ESP) == 0x8000);
  CHECK(t.mem.read<uint16_t>(0x7FFE) == 0x8000);

  xt::TestMachine u;
  u.mem.write<uint16_t>(0x8000, 0x4444);
  u.run_code({0x5C});  // pop sp
  CHECK(u.r(ESP) == 0x4444);
}

TEST_CASE("stack: PUSH imm8 is sign-extended to the operand size; PUSH imm16/32") {
  xt::TestMachine t;
  // push -1 (6A FF) ; 66 push -2 ; push 0x1234
  t.run_code({0x6A, 0xFF, 0x66, 0x6A, 0xFE, 0x68, 0x34, 0x12});
  CHECK(t.r(ESP) == 0x8000 - 8);
  CHECK(t.mem.read<uint16_t>(0x7FFE) == 0xFFFF);
  CHECK(t.mem.read<uint32_t>(0x7FFA) == 0xFFFFFFFEu);
  CHECK(t.mem.read<uint16_t>(0x7FF8) == 0x1234);

  xt::TestMachine p;
  p.flat32();
  p.run_code({0x6A, 0x80, 0x68, 0x78, 0x56, 0x34, 0x12});  // push -128 ; push 0x12345678
  CHECK(p.r(ESP) == 0x8000 - 8);
  CHECK(p.mem.read<uint32_t>(0x7FFC) == 0xFFFFFF80u);
  CHECK(p.mem.read<uint32_t>(0x7FF8) == 0x12345678u);
}

TEST_CASE("stack: PUSH/POP Ev; POP [esp] addresses with the incremented ESP") {
  xt::TestMachine t;
  t.mem.write<uint16_t>(0x2000, 0x5A5A);
  t.run_code({0xFF, 0x36, 0x00, 0x20, 0x8F, 0x06, 0x00, 0x30});  // push [0x2000] ; pop [0x3000]
  CHECK(t.mem.read<uint16_t>(0x3000) == 0x5A5A);
  CHECK(t.r(ESP) == 0x8000);

  xt::TestMachine p;
  p.flat32();
  p.mem.write<uint32_t>(0x8000, 0x11111111);
  p.mem.write<uint32_t>(0x8004, 0x22222222);
  p.mem.write<uint32_t>(0x8008, 0x33333333);
  p.run_code({0x8F, 0x44, 0x24, 0x04});  // pop dword [esp+4]
  CHECK(p.r(ESP) == 0x8004);
  CHECK(p.mem.read<uint32_t>(0x8008) == 0x11111111);  // [new esp + 4]
  CHECK(p.mem.read<uint32_t>(0x8004) == 0x22222222);
}

TEST_CASE("stack: PUSH/POP segment registers; 32-bit PUSH Sreg writes 16 bits") {
  xt::TestMachine t;
  t.c.seg[ES].sel = 0x1234;
  t.mem.write<uint32_t>(0x7FFC, 0xAAAAAAAA);
  step(t, {0x66, 0x06});  // push es (32-bit)
  CHECK(t.r(ESP) == 0x7FFC);
  CHECK(t.mem.read<uint32_t>(0x7FFC) == 0xAAAA1234u);

  xt::TestMachine u;
  u.mem.write<uint16_t>(0x7FFA, 0x2222);  // popped by pop fs
  u.mem.write<uint16_t>(0x7FFC, 0x0040);  // popped by pop ds
  u.mem.write<uint16_t>(0x7FFE, 0x0700);  // popped by pop ss
  u.c.gpr[ESP] = 0x7FFA;
  u.c.seg[GS].sel = 0x3333;
  u.mem.write<uint32_t>(0x7000 + 0x7FFC, 0xFFFFFFFF);
  u.run_code({0x0F, 0xA1, 0x1F, 0x17, 0x0E, 0x0F, 0xA8});  // pop fs ; pop ds ; pop ss ; push cs ; push gs
  CHECK(u.c.seg[FS].sel == 0x2222);
  CHECK(u.c.seg[DS].base == 0x400);
  CHECK(u.c.seg[SS].sel == 0x0700);
  CHECK(u.c.seg[SS].base == 0x7000);
  CHECK(u.r(ESP) == 0x7FFC);
  CHECK(u.mem.read<uint16_t>(0x7000 + 0x7FFE) == 0);       // CS
  CHECK(u.mem.read<uint16_t>(0x7000 + 0x7FFC) == 0x3333);  // GS

  xt::TestMachine w;
  w.mem.write<uint16_t>(0x8000, 0x0100);
  step(w, {0x17});  // pop ss
  CHECK(w.c.inhibit == 1);
  CHECK(w.c.seg[SS].base == 0x1000);
}

TEST_CASE("stack: PUSHA/POPA (16- and 32-bit)") {
  xt::TestMachine t;
  for (unsigned r = 0; r < 8; ++r) t.c.gpr[r] = 0xABCD0000 + r + 1;
  t.c.gpr[ESP] = 0x8000;
  step(t, {0x60});  // pusha
  CHECK(t.r(ESP) == 0x7FF0);
  CHECK(t.mem.read<uint16_t>(0x7FFE) == 1);       // AX
  CHECK(t.mem.read<uint16_t>(0x7FFC) == 2);       // CX
  CHECK(t.mem.read<uint16_t>(0x7FF6) == 0x8000);  // original SP
  CHECK(t.mem.read<uint16_t>(0x7FF0) == 8);       // DI
  // Change the memory image and registers, then POPA; the SP slot is skipped.
  t.mem.write<uint16_t>(0x7FF6, 0x1111);
  t.mem.write<uint16_t>(0x7FFE, 0x9999);
  for (unsigned r = 0; r < 8; ++r)
    if (r != ESP) t.c.gpr[r] = 0;
  t.c.eip = xt::TestMachine::kCode;
  step(t, {0x61});  // popa
  CHECK(t.r(ESP) == 0x8000);
  CHECK(t.r(EAX) == 0x9999);
  CHECK(t.r(ECX) == 2);
  CHECK(t.r(EDI) == 8);
  CHECK(t.r(EBP) == 6);

  xt::TestMachine p;
  p.flat32();
  for (unsigned r = 0; r < 8; ++r) p.c.gpr[r] = 0x10000000u * (r + 1);
  p.c.gpr[ESP] = 0x8000;
  p.run_code({0x60, 0x61});  // pushad ; popad
  CHECK(p.mem.read<uint32_t>(0x7FFC) == 0x10000000u);
  CHECK(p.mem.read<uint32_t>(0x7FEC) == 0x8000u);  // ESP slot
  CHECK(p.mem.read<uint32_t>(0x7FF0) == 0x40000000u);  // EBX
  CHECK(p.mem.read<uint32_t>(0x7FE0) == 0x80000000u);  // EDI
  CHECK(p.r(ESP) == 0x8000);
  CHECK(p.r(EBX) == 0x40000000u);
}

TEST_CASE("stack: PUSHA checks the whole range before writing (#SS, nothing written)") {
  xt::TestMachine t;
  t.ivt_halt(kSS);
  // Expand-down stack: valid offsets are 0x7FF4..0xFFFF, so the 7th push faults.
  t.c.seg[SS].attr |= SEG_DC;
  t.c.seg[SS].limit = 0x7FF3;
  t.c.gpr[EBX] = 0x4444;
  t.c.gpr[EBP] = 0x6666;
  t.run_code({0x60});
  CHECK(t.c.eip == 0x0500 + kSS + 1);
  CHECK(t.mem.read<uint16_t>(0x7FF8) == 0);  // the BX slot was not written
  CHECK(t.mem.read<uint16_t>(0x7FF4) == 0);  // nor the BP slot
  CHECK(t.mem.read<uint16_t>(0x7FFA) == xt::TestMachine::kCode);  // #SS frame: IP of PUSHA
}

TEST_CASE("stack: PUSHF/POPF in real mode change IOPL and NT; POPFD keeps VM, clears RF") {
  xt::TestMachine t;
  // push 0x7ED5 (all of FLAGS but TF) ; popf ; pushf
  t.run_code({0x68, 0xD5, 0x7E, 0x9D, 0x9C});
  CHECK((t.c.eflags & 0xFFFF) == (0x7ED5 | kFlagsFixed1));
  CHECK(t.mem.read<uint16_t>(0x7FFE) == (0x7ED5 | kFlagsFixed1));

  xt::TestMachine u;
  u.c.eflags |= RF;
  // 66 push 0x00230000|CF (VM, AC, ID, RF... ) ; 66 popf
  u.run_code({0x66, 0x68, 0x01, 0x00, 0x27, 0x00, 0x66, 0x9D});
  CHECK(!(u.c.eflags & VM));
  CHECK(!(u.c.eflags & RF));
  CHECK((u.c.eflags & AC));
  CHECK((u.c.eflags & ID));
  CHECK((u.c.eflags & CF));

  // PUSHFD stores the image without VM and RF.
  xt::TestMachine w;
  w.c.eflags |= RF | CF;
  w.run_code({0x66, 0x9C});
  CHECK(w.mem.read<uint32_t>(0x7FFC) == (CF | kFlagsFixed1));
}

TEST_CASE("stack: POPF at CPL 3 cannot change IOPL, nor IF when CPL > IOPL") {
  xt::TestMachine t;
  t.flat32();
  t.c.cpl = 3;
  t.c.eflags |= IF;  // IOPL 0
  // push 0x3001 (IOPL 3, CF) ; popfd
  t.run_code({0x68, 0x01, 0x30, 0x00, 0x00, 0x9D}, 2);
  CHECK((t.c.eflags & CF));
  CHECK((t.c.eflags & IF));
  CHECK(!(t.c.eflags & IOPL));

  xt::TestMachine u;
  u.flat32();
  u.c.cpl = 3;
  u.c.eflags |= IF | IOPL;  // IOPL 3: IF may change, IOPL still not
  u.run_code({0x6A, 0x00, 0x9D}, 2);
  CHECK(!(u.c.eflags & IF));
  CHECK((u.c.eflags & IOPL) == IOPL);
}

TEST_CASE("stack: ENTER with nesting copies frame pointers (16-bit)") {
  xt::TestMachine t;
  t.c.gpr[EBP] = 0x7000;
  t.c.gpr[ESP] = 0x6000;
  t.mem.write<uint16_t>(0x6FFE, 0xAAAA);
  t.mem.write<uint16_t>(0x6FFC, 0xBBBB);
  t.run_code({0xC8, 0x04, 0x00, 0x03});  // enter 4,3
  CHECK(t.mem.read<uint16_t>(0x5FFE) == 0x7000);  // old BP
  CHECK(t.mem.read<uint16_t>(0x5FFC) == 0xAAAA);
  CHECK(t.mem.read<uint16_t>(0x5FFA) == 0xBBBB);
  CHECK(t.mem.read<uint16_t>(0x5FF8) == 0x5FFE);  // the new frame pointer
  CHECK(t.r(EBP) == 0x5FFE);
  CHECK(t.r(ESP) == 0x5FF4);

  xt::TestMachine z;
  z.c.gpr[EBP] = 0x1234;
  z.run_code({0xC8, 0x08, 0x00, 0x20});  // enter 8,32: level 32 mod 32 = 0
  CHECK(z.r(EBP) == 0x7FFE);
  CHECK(z.r(ESP) == 0x7FFE - 8);
  CHECK(z.mem.read<uint16_t>(0x7FFE) == 0x1234);
}

TEST_CASE("stack: ENTER/LEAVE (32-bit), level 2") {
  xt::TestMachine p;
  p.flat32();
  p.c.gpr[EBP] = 0x7000;
  p.c.gpr[ESP] = 0x6000;
  p.mem.write<uint32_t>(0x6FFC, 0x11111111);
  step(p, {0xC8, 0x10, 0x00, 0x02, 0xC9});  // enter 0x10,2
  CHECK(p.mem.read<uint32_t>(0x5FFC) == 0x7000);
  CHECK(p.mem.read<uint32_t>(0x5FF8) == 0x11111111);
  CHECK(p.mem.read<uint32_t>(0x5FF4) == 0x5FFC);
  CHECK(p.r(EBP) == 0x5FFC);
  CHECK(p.r(ESP) == 0x5FE4);
  step(p, {0xC8, 0x10, 0x00, 0x02, 0xC9}, 1);  // (EIP is past ENTER) leave
  CHECK(p.r(ESP) == 0x6000);
  CHECK(p.r(EBP) == 0x7000);
}

TEST_CASE("stack: POP SS fault leaves SP unchanged") {
  xt::ProtMachine t;  // flat ring 0 with an IDT of HLT stubs
  t.c.gpr[ESP] = 0x8000;
  t.mem.write<uint32_t>(0x8000, 0x0008);  // a code selector: not a valid SS
  t.run({0x17});  // pop ss -> #GP(8)
  CHECK(t.vector() == kGP);
  CHECK(t.stack(0) == 8);        // error code
  CHECK(t.stack(1) == xt::TestMachine::kCode);  // EIP of the POP
  CHECK(t.r(ESP) == 0x8000 - 16);  // the #GP frame sits below the unchanged ESP
}

TEST_CASE("stack: ENTER with 32-bit operand on a 16-bit stack keeps ESP's upper half in EBP") {
  // Checked against the host CPU by the native oracle: FrameTemp is the whole
  // ESP register after eBP is pushed.
  xt::TestMachine p;
  p.flat32(true, false);  // 32-bit code, 16-bit stack
  p.c.gpr[ESP] = 0x12340100;
  p.c.gpr[EBP] = 0x55555555;
  step(p, {0xC8, 0x08, 0x00, 0x01});  // enter 8,1
  CHECK(p.r(EBP) == 0x123400FC);
  CHECK(p.mem.read<uint32_t>(0x00FC) == 0x55555555);
  CHECK(p.mem.read<uint32_t>(0x00F8) == 0x123400FC);  // the pushed frame pointer
  CHECK(p.r(ESP) == 0x123400F0);
}

TEST_CASE("stack: ENTER with nesting reads frame pointers it has just pushed") {
  xt::TestMachine t;
  // enter 4,3 with BP = SP: the second copied pointer is the old BP pushed first.
  t.c.gpr[cpu::ESP] = 0x0930;
  t.c.gpr[cpu::EBP] = 0x0930;
  t.mem.write<uint16_t>(0x092E, 0x1111);
  t.run_code({0xC8, 0x04, 0x00, 0x03});
  // pushes: [092E]=old BP (0930), [092C]=word at BP-2 = 0930 (just pushed), [092A]=word at BP-4 = 0930
  // (just pushed), [0928]=frame 092E.
  CHECK(t.mem.read<uint16_t>(0x092E) == 0x0930);
  CHECK(t.mem.read<uint16_t>(0x092C) == 0x0930);
  CHECK(t.mem.read<uint16_t>(0x092A) == 0x0930);
  CHECK(t.mem.read<uint16_t>(0x0928) == 0x092E);
  CHECK((t.r(cpu::EBP) & 0xFFFF) == 0x092E);
  CHECK((t.r(cpu::ESP) & 0xFFFF) == 0x0928 - 4);
}
