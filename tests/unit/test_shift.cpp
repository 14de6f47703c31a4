// The shift family through the interpreter: group 2 (ROL..SAR, count 1, CL,
// imm8) and SHLD/SHRD. Expected values follow the SDM's definitions; flags
// the SDM leaves undefined are masked unless the test says otherwise.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
uint32_t arith(const xt::TestMachine& t) { return t.c.eflags & kArithFlags; }
void real(xt::TestMachine& t, uint32_t flags = 0) {
  t.real_mode();
  t.c.halted = 0;
  t.c.eflags = kFlagsFixed1 | flags;
}
void flat(xt::TestMachine& t, uint32_t flags = 0) {
  t.flat32();
  t.c.halted = 0;
  t.c.eflags = kFlagsFixed1 | flags;
}
}  // namespace

TEST_CASE("shift: SHL/SHR/SAR/SAL by 1 set CF and OF as defined") {
  xt::TestMachine t;
  real(t);
  t.c.gpr[EAX] = 0x80;
  t.run_code({0xD0, 0xE0});  // shl al,1
  CHECK(t.r(EAX) == 0x00);
  CHECK((arith(t) & ~AF) == (CF | OF | ZF | PF));
  real(t);
  t.c.gpr[EAX] = 0x81;
  t.run_code({0xD0, 0xE8});  // shr al,1: OF = original sign
  CHECK(t.r(EAX) == 0x40);
  CHECK((arith(t) & ~AF) == (CF | OF));
  real(t, OF);
  t.c.gpr[EAX] = 0x81;
  t.run_code({0xD0, 0xF8});  // sar al,1: OF = 0
  CHECK(t.r(EAX) == 0xC0);
  CHECK((arith(t) & ~AF) == (CF | SF | PF));
  real(t, CF);
  t.c.gpr[EAX] = 0x40;
  t.run_code({0xD0, 0xF0});  // D0 /6 (SAL alias)
  CHECK(t.r(EAX) == 0x80);
  CHECK((arith(t) & ~AF) == (OF | SF));
}

TEST_CASE("shift: a count of 0, or one masked to 0, changes nothing") {
  xt::TestMachine t;
  const uint32_t all = kArithFlags;
  real(t, all);
  t.c.gpr[EAX] = 0x1234;
  t.c.gpr[ECX] = 0;
  t.run_code({0xD3, 0xE0, 0xD3, 0xD8});  // shl ax,cl ; rcr ax,cl
  CHECK(t.r(EAX) == 0x1234);
  CHECK(arith(t) == all);
  real(t, all);
  t.c.gpr[ECX] = 0x40;  // masked to 0
  t.run_code({0xC1, 0xE0, 0x20, 0xD3, 0xC0, 0xC0, 0xF8, 0xE0});  // shl ax,32 ; rol ax,cl ; sar al,0xE0
  CHECK(t.r(EAX) == 0x1234);
  CHECK(arith(t) == all);
  real(t);
  t.c.gpr[EAX] = 0x1234;
  t.c.gpr[EBX] = 0xFFFF;
  t.run_code({0x0F, 0xAC, 0xD8, 0x00});  // shrd ax,bx,0
  CHECK(t.r(EAX) == 0x1234);
  CHECK(arith(t) == 0);
}

TEST_CASE("shift: count 31 and counts at or past the operand size") {
  xt::TestMachine t;
  flat(t);
  t.c.gpr[EAX] = 3;
  t.run_code({0xC1, 0xE0, 0x1F});  // shl eax,31: CF = bit 1
  CHECK(t.r(EAX) == 0x80000000);
  CHECK((arith(t) & ~(AF | OF)) == (CF | SF | PF));
  flat(t, CF);
  t.c.gpr[EAX] = 0x80000000;
  t.run_code({0xC1, 0xE8, 0x1F});  // shr eax,31: CF = bit 30
  CHECK(t.r(EAX) == 1);
  CHECK((arith(t) & ~(AF | OF)) == 0);
  flat(t);
  t.c.gpr[EAX] = 0x80000000;
  t.run_code({0xC1, 0xF8, 0x1F});  // sar eax,31
  CHECK(t.r(EAX) == 0xFFFFFFFF);
  CHECK((arith(t) & ~(AF | OF)) == (SF | PF));
  real(t);
  t.c.gpr[EAX] = 0xAAAA0001;
  t.c.gpr[ECX] = 16;
  t.run_code({0xD3, 0xE0});  // shl ax,cl (16): everything leaves
  CHECK(t.r(EAX) == 0xAAAA0000);
  CHECK((arith(t) & (ZF | SF | PF)) == (ZF | PF));
  real(t);
  t.c.gpr[EAX] = 0x80;
  t.c.gpr[ECX] = 20;
  t.run_code({0xD2, 0xF8});  // sar al,cl (20): sign fills, CF = sign
  CHECK(t.r(EAX) == 0xFF);
  CHECK((arith(t) & ~(AF | OF)) == (CF | SF | PF));
  real(t);
  t.c.gpr[EAX] = 0x80;
  t.c.gpr[ECX] = 8;
  t.run_code({0xD2, 0xE8});  // shr al,cl (8)
  CHECK(t.r(EAX) == 0x00);
  CHECK((arith(t) & (ZF | SF | PF)) == (ZF | PF));
}

TEST_CASE("shift: ROL/ROR write only CF and OF") {
  xt::TestMachine t;
  real(t, ZF | SF | PF | AF);
  t.c.gpr[EAX] = 0x80;
  t.run_code({0xD0, 0xC0});  // rol al,1
  CHECK(t.r(EAX) == 0x01);
  CHECK(arith(t) == (CF | OF | ZF | SF | PF | AF));
  real(t);
  t.c.gpr[EAX] = 0x01;
  t.run_code({0xD0, 0xC8});  // ror al,1: OF = top two result bits differ
  CHECK(t.r(EAX) == 0x80);
  CHECK(arith(t) == (CF | OF));
  real(t);
  t.c.gpr[EAX] = 0x81;
  t.run_code({0xC0, 0xC0, 0x08});  // rol al,8: value unchanged, CF = LSB still written
  CHECK(t.r(EAX) == 0x81);
  CHECK((arith(t) & ~OF) == CF);
  real(t);
  t.c.gpr[EAX] = 0x1234;
  t.c.gpr[ECX] = 4;
  t.run_code({0xD3, 0xC0});  // rol ax,cl
  CHECK(t.r(EAX) == 0x2341);
  CHECK((arith(t) & CF) == CF);
  flat(t, CF);
  t.c.gpr[EAX] = 0x12345678;
  t.run_code({0xC1, 0xC8, 0x08});  // ror eax,8: CF = new MSB = 0
  CHECK(t.r(EAX) == 0x78123456);
  CHECK((arith(t) & CF) == 0);
}

TEST_CASE("shift: RCL/RCR rotate through carry (9, 17 and 33 bits)") {
  xt::TestMachine t;
  real(t, CF);
  t.c.gpr[EAX] = 0x00;
  t.run_code({0xD0, 0xD8});  // rcr al,1: CF into bit 7; OF = MSB ^ CF before
  CHECK(t.r(EAX) == 0x80);
  CHECK((arith(t) & (CF | OF)) == OF);
  real(t);
  t.c.gpr[EAX] = 0x80;
  t.run_code({0xD0, 0xD0});  // rcl al,1
  CHECK(t.r(EAX) == 0x00);
  CHECK((arith(t) & (CF | OF)) == (CF | OF));
  real(t, CF);
  t.c.gpr[EAX] = 0x0F;
  t.c.gpr[ECX] = 4;
  t.run_code({0xD2, 0xD8});  // rcr al,cl (4): 1:00001111 -> 1:11110000
  CHECK(t.r(EAX) == 0xF0);
  CHECK((arith(t) & CF) == CF);
  real(t, CF);
  t.c.gpr[EAX] = 0x55;
  t.run_code({0xC0, 0xD0, 0x09});  // rcl al,9: a full 9-bit turn
  CHECK(t.r(EAX) == 0x55);
  CHECK((arith(t) & CF) == CF);
  real(t);
  t.c.gpr[EAX] = 0x80;
  t.run_code({0xC0, 0xD0, 0x0A});  // rcl al,10 = rcl al,1
  CHECK(t.r(EAX) == 0x00);
  CHECK((arith(t) & CF) == CF);
  real(t, CF);
  t.c.gpr[EAX] = 0x1234;
  t.run_code({0xC1, 0xD8, 0x11});  // rcr ax,17: a full 17-bit turn
  CHECK(t.r(EAX) == 0x1234);
  CHECK((arith(t) & CF) == CF);
  real(t);
  t.c.gpr[EAX] = 0x0001;
  t.run_code({0xC1, 0xD8, 0x12});  // rcr ax,18 = rcr ax,1
  CHECK(t.r(EAX) == 0x0000);
  CHECK((arith(t) & CF) == CF);
  flat(t);
  t.c.gpr[EAX] = 1;
  t.run_code({0xC1, 0xD0, 0x1F});  // rcl eax,31 over 33 bits
  CHECK(t.r(EAX) == 0x80000000);
  CHECK((arith(t) & CF) == 0);
  flat(t, CF);
  t.c.gpr[EAX] = 1;
  t.run_code({0xD1, 0xD8});  // rcr eax,1
  CHECK(t.r(EAX) == 0x80000000);
  CHECK((arith(t) & (CF | OF)) == (CF | OF));
}

TEST_CASE("shift: SHLD/SHRD") {
  xt::TestMachine t;
  real(t);
  t.c.gpr[EAX] = 0x1234;
  t.c.gpr[EBX] = 0xABCD;
  t.run_code({0x0F, 0xA4, 0xD8, 0x04});  // shld ax,bx,4: CF = bit 12 of ax
  CHECK(t.r(EAX) == 0x234A);
  CHECK(t.r(EBX) == 0xABCD);
  CHECK((arith(t) & ~(AF | OF)) == CF);
  flat(t);
  t.c.gpr[EAX] = 0x12345678;
  t.c.gpr[EBX] = 0xAABBCCDD;
  t.c.gpr[ECX] = 8;
  t.run_code({0x0F, 0xAD, 0xD8});  // shrd eax,ebx,cl: CF = bit 7 of eax
  CHECK(t.r(EAX) == 0xDD123456);
  CHECK((arith(t) & ~(AF | OF)) == (SF | PF));
  flat(t);
  t.c.gpr[EAX] = 0x40000000;
  t.c.gpr[EBX] = 0x80000000;
  t.run_code({0x0F, 0xA4, 0xD8, 0x01});  // shld eax,ebx,1: sign change -> OF
  CHECK(t.r(EAX) == 0x80000001);
  CHECK((arith(t) & ~AF) == (OF | SF));
  flat(t, CF);
  t.c.gpr[EAX] = 0x00000001;
  t.c.gpr[EBX] = 0x00000000;
  t.run_code({0x0F, 0xAC, 0xD8, 0x01});  // shrd eax,ebx,1
  CHECK(t.r(EAX) == 0);
  CHECK((arith(t) & ~AF) == (CF | ZF | PF));
  // r/m16 with a count past 16 is undefined in the SDM; Intel cores shift
  // dest:src:dest, so dest's own bits come back in after src's.
  real(t);
  t.c.gpr[EAX] = 0x1234;
  t.c.gpr[EBX] = 0xABCD;
  t.run_code({0x0F, 0xA4, 0xD8, 0x14});  // shld ax,bx,20
  CHECK(t.r(EAX) == 0xBCD1);
  real(t);
  t.c.gpr[EAX] = 0x1234;
  t.c.gpr[EBX] = 0xABCD;
  t.run_code({0x0F, 0xAC, 0xD8, 0x14});  // shrd ax,bx,20: bits 20..35 of 1234:ABCD:1234
  CHECK(t.r(EAX) == 0x4ABC);
}

TEST_CASE("shift: memory operands") {
  xt::TestMachine t;
  real(t);
  t.mem.write<uint16_t>(0x2000, 0x4001);
  t.run_code({0xD1, 0x26, 0x00, 0x20});  // shl word [0x2000],1
  CHECK(t.mem.read<uint16_t>(0x2000) == 0x8002);
  CHECK((arith(t) & (CF | OF | SF)) == (OF | SF));
  real(t);
  t.mem.write<uint32_t>(0x2004, 0x00000001);
  t.c.gpr[EDX] = 0xF0000000;
  t.c.gpr[ECX] = 4;
  t.run_code({0x66, 0x0F, 0xAD, 0x16, 0x04, 0x20});  // shrd dword [0x2004],edx,cl
  CHECK(t.mem.read<uint32_t>(0x2004) == 0x00000000);
  CHECK((arith(t) & (CF | ZF)) == ZF);
}
