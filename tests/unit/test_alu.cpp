// The alu family through the interpreter: ADD..CMP in every form, TEST, INC,
// DEC, NEG, NOT. Expected values are worked out from the SDM definitions.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
uint32_t arith(const xt::TestMachine& t) { return t.c.eflags & kArithFlags; }
// Reuse a machine for the next snippet (the previous one ended in HLT).
void real(xt::TestMachine& t) { t.real_mode(); t.c.halted = 0; }
void flat(xt::TestMachine& t) { t.flat32(); t.c.halted = 0; }
}  // namespace

TEST_CASE("alu: ADD AL,Ib signed overflow and carry boundaries") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0x1234567F;
  t.run_code({0x04, 0x01});  // add al,1
  CHECK(t.r(EAX) == 0x12345680);
  CHECK(arith(t) == (OF | SF | AF));  // 0x80: one bit, odd parity
  real(t);
  t.c.gpr[EAX] = 0xFF;
  t.run_code({0x04, 0x01});
  CHECK(t.r(EAX) == 0x00);
  CHECK(arith(t) == (CF | ZF | AF | PF));
}

TEST_CASE("alu: ADC/SBB use the carry in, 16-bit keeps the upper half") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0xABCDFFFF;
  t.c.gpr[EBX] = 0;
  t.c.eflags |= CF;
  t.run_code({0x11, 0xD8});  // adc ax,bx
  CHECK(t.r(EAX) == 0xABCD0000);
  CHECK(arith(t) == (CF | ZF | AF | PF));

  real(t);
  t.c.gpr[EAX] = 0;
  t.c.gpr[EBX] = 0;
  t.c.eflags |= CF;
  t.run_code({0x19, 0xD8});  // sbb ax,bx: 0 - 0 - 1
  CHECK(t.r(EAX) == 0xFFFF);
  CHECK(arith(t) == (CF | SF | AF | PF));

  real(t);
  t.c.gpr[EAX] = 0x7FFF;
  t.c.eflags &= ~CF;
  t.run_code({0x15, 0x00, 0x80});  // adc ax,0x8000: no carry in
  CHECK(t.r(EAX) == 0xFFFF);
  CHECK(arith(t) == (SF | PF));
}

TEST_CASE("alu: SUB/CMP 32-bit in flat mode, CMP does not store") {
  xt::TestMachine t;
  flat(t);
  t.c.gpr[EAX] = 0x80000000;
  t.run_code({0x83, 0xE8, 0x01});  // sub eax,1
  CHECK(t.r(EAX) == 0x7FFFFFFF);
  CHECK(arith(t) == (OF | AF | PF));  // low byte 0xFF: even parity

  flat(t);
  t.c.gpr[EAX] = 3;
  t.c.gpr[ECX] = 5;
  t.run_code({0x39, 0xC8});  // cmp eax,ecx
  CHECK(t.r(EAX) == 3);
  CHECK(arith(t) == (CF | SF | AF));  // 3-5 = 0xFFFFFFFE: low byte has seven 1 bits
}

TEST_CASE("alu: CMP parity and the accumulator form") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0x03;
  t.run_code({0x3C, 0x05});  // cmp al,5 -> 0xFE (seven 1 bits: PF=0)
  CHECK(t.r(EAX) == 0x03);
  CHECK(arith(t) == (CF | SF | AF));
}

TEST_CASE("alu: logic ops clear CF and OF") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0x5A;
  t.c.eflags |= CF | OF;
  t.run_code({0x24, 0x00});  // and al,0
  CHECK(t.r(EAX) == 0);
  CHECK((arith(t) & ~AF) == (ZF | PF));

  real(t);
  t.c.gpr[EAX] = 0x1200;
  t.c.gpr[EBX] = 0x0081;
  t.c.eflags |= CF | OF;
  t.run_code({0x09, 0xD8});  // or ax,bx
  CHECK(t.r(EAX) == 0x1281);
  CHECK((arith(t) & ~AF) == PF);  // 0x81: two bits

  real(t);
  t.c.gpr[EAX] = 0x8000FFFF;
  t.run_code({0x66, 0x35, 0xFF, 0xFF, 0x00, 0x00});  // xor eax,0xFFFF
  CHECK(t.r(EAX) == 0x80000000);
  CHECK((arith(t) & ~AF) == (SF | PF));
}

TEST_CASE("alu: group 1 immediates (80, 81, 82 alias, 83 sign-extended)") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 1;
  t.run_code({0x83, 0xC0, 0xFF});  // add ax,-1
  CHECK(t.r(EAX) == 0);
  CHECK(arith(t) == (CF | ZF | AF | PF));

  real(t);
  t.c.gpr[EBX] = 0x1111;
  t.run_code({0x81, 0xC3, 0x34, 0x12});  // add bx,0x1234
  CHECK(t.r(EBX) == 0x2345);

  real(t);
  t.c.gpr[EDX] = 0x10;
  t.run_code({0x82, 0xC2, 0x05, 0x82, 0xEA, 0x01});  // add dl,5 ; sub dl,1 (82 = 80)
  CHECK(t.r(EDX) == 0x14);

  real(t);
  t.c.gpr[EAX] = 0x40;
  t.run_code({0x80, 0xF8, 0x40});  // cmp al,0x40
  CHECK(arith(t) == (ZF | PF));
  CHECK(t.r(EAX) == 0x40);

  flat(t);
  t.c.gpr[ESI] = 0x100;
  t.run_code({0x83, 0xEE, 0x80});  // sub esi,-128
  CHECK(t.r(ESI) == 0x180);
  CHECK(arith(t) == CF);  // 0x100 - 0xFFFFFF80 borrows; 0x80: odd parity
}

TEST_CASE("alu: byte registers AH..BH and G,E forms") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0x3005;
  t.run_code({0x00, 0xE0});  // add al,ah
  CHECK(t.r(EAX) == 0x3035);
  real(t);
  t.c.gpr[EBX] = 0x0200;
  t.c.gpr[ECX] = 0x0001;
  t.run_code({0x2A, 0xF9});  // sub bh,cl
  CHECK(t.r(EBX) == 0x0100);
  CHECK(arith(t) == 0);
}

TEST_CASE("alu: memory destinations, with and without LOCK") {
  xt::TestMachine t;
  t.mem.write<uint16_t>(0x2000, 0xFFFF);
  t.c.gpr[EAX] = 2;
  t.run_code({0x01, 0x06, 0x00, 0x20, 0xF0, 0x01, 0x06, 0x00, 0x20});  // add [0x2000],ax twice
  CHECK(t.mem.read<uint16_t>(0x2000) == 0x0003);
  CHECK(arith(t) == PF);  // 1 + 2 = 3, no carry
  real(t);
  t.mem.write<uint8_t>(0x2002, 0x10);
  t.run_code({0x80, 0x2E, 0x02, 0x20, 0x11});  // sub byte [0x2002],0x11
  CHECK(t.mem.read<uint8_t>(0x2002) == 0xFF);
  CHECK(arith(t) == (CF | SF | AF | PF));
  real(t);
  t.c.gpr[ECX] = 0;
  t.mem.write<uint16_t>(0x2004, 0x1234);
  t.run_code({0x3B, 0x0E, 0x04, 0x20});  // cmp cx,[0x2004]
  CHECK(t.mem.read<uint16_t>(0x2004) == 0x1234);
  CHECK((arith(t) & CF));
}

TEST_CASE("alu: TEST forms, including the F6 /1 alias") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0x80;
  t.c.eflags |= CF | OF;
  t.run_code({0xF6, 0xC8, 0x80});  // test al,0x80 (F6 /1)
  CHECK(t.r(EAX) == 0x80);
  CHECK((arith(t) & ~AF) == SF);
  real(t);
  t.c.gpr[EAX] = 0x0F0F;
  t.c.gpr[EDX] = 0xF0F0;
  t.run_code({0x85, 0xD0});  // test ax,dx
  CHECK((arith(t) & ~AF) == (ZF | PF));
  real(t);
  t.c.gpr[EAX] = 0x8001;
  t.run_code({0xA9, 0x01, 0x80});  // test ax,0x8001
  CHECK((arith(t) & ~AF) == (SF));  // result 0x8001: low byte 0x01 odd parity
}

TEST_CASE("alu: INC/DEC keep CF and set OF at the signed boundary") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0xFFFF;
  t.c.eflags |= CF;
  t.run_code({0x40});  // inc ax
  CHECK(t.r(EAX) == 0);
  CHECK(arith(t) == (CF | ZF | AF | PF));
  real(t);
  t.c.gpr[EAX] = 0x7FFF;
  t.c.eflags &= ~CF;
  t.run_code({0xFF, 0xC0});  // inc ax
  CHECK(t.r(EAX) == 0x8000);
  CHECK(arith(t) == (OF | SF | AF | PF));
  real(t);
  t.c.gpr[EAX] = 0x80;
  t.run_code({0xFE, 0xC8});  // dec al
  CHECK(t.r(EAX) == 0x7F);
  CHECK(arith(t) == (OF | AF));
  flat(t);
  t.c.gpr[EBX] = 0;
  t.c.eflags |= CF;
  t.run_code({0x4B});  // dec ebx
  CHECK(t.r(EBX) == 0xFFFFFFFF);
  CHECK(arith(t) == (CF | SF | AF | PF));
  real(t);
  t.mem.write<uint8_t>(0x2000, 0x0F);
  t.run_code({0xFE, 0x06, 0x00, 0x20});  // inc byte [0x2000]
  CHECK(t.mem.read<uint8_t>(0x2000) == 0x10);
  CHECK((arith(t) & AF));
}

TEST_CASE("alu: NEG and NOT") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0;
  t.c.eflags |= CF;
  t.run_code({0xF6, 0xD8});  // neg al
  CHECK(t.r(EAX) == 0);
  CHECK(arith(t) == (ZF | PF));  // CF = (operand != 0)
  real(t);
  t.c.gpr[EAX] = 0x80;
  t.run_code({0xF6, 0xD8});
  CHECK(t.r(EAX) == 0x80);
  CHECK(arith(t) == (CF | OF | SF));
  real(t);
  t.c.gpr[EAX] = 1;
  t.run_code({0x66, 0xF7, 0xD8});  // neg eax
  CHECK(t.r(EAX) == 0xFFFFFFFF);
  CHECK(arith(t) == (CF | SF | AF | PF));
  real(t);
  t.c.gpr[EAX] = 0x12340F0F;
  t.c.eflags = kFlagsFixed1 | ZF | CF;
  t.run_code({0xF7, 0xD0});  // not ax: no flags
  CHECK(t.r(EAX) == 0x1234F0F0);
  CHECK(arith(t) == (ZF | CF));
}
