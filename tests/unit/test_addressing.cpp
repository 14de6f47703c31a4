// Addressing forms: LEA through the interpreter for every 16-bit ModRM form
// and the 32-bit SIB shapes, plus wrap-around to the address size.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
void regs16(xt::TestMachine& t) {
  t.c.gpr[EBX] = 0x1000;
  t.c.gpr[EBP] = 0x2000;
  t.c.gpr[ESI] = 0x0300;
  t.c.gpr[EDI] = 0x0040;
}
}  // namespace

TEST_CASE("addressing: the eight 16-bit r/m bases with disp8 and disp16") {
  // lea ax,[base+0x12] (mod=01) for rm = 0..7, then lea ax,[base+0x1234] (mod=10)
  const uint16_t expect[8] = {0x1300, 0x1040, 0x2300, 0x2040, 0x0300, 0x0040, 0x2000, 0x1000};
  for (int rm = 0; rm < 8; ++rm) {
    CAPTURE(rm);
    xt::TestMachine t;
    regs16(t);
    t.run_code({0x8D, uint8_t(0x40 | rm), 0x12});
    CHECK((t.r(EAX) & 0xFFFF) == uint16_t(expect[rm] + 0x12));
    xt::TestMachine u;
    regs16(u);
    u.run_code({0x8D, uint8_t(0x80 | rm), 0x34, 0x12});
    CHECK((u.r(EAX) & 0xFFFF) == uint16_t(expect[rm] + 0x1234));
  }
}

TEST_CASE("addressing: 16-bit effective addresses wrap at 64 KiB") {
  xt::TestMachine t;
  t.c.gpr[EBX] = 0xFFF0;
  t.c.gpr[ESI] = 0x0020;
  t.run_code({0x8D, 0x00});  // lea ax,[bx+si] = 0x10010 -> 0x0010
  CHECK((t.r(EAX) & 0xFFFF) == 0x0010);
  // With a 32-bit operand size the 16-bit address is zero-extended.
  xt::TestMachine u;
  u.c.gpr[EBX] = 0xFFF0;
  u.c.gpr[ESI] = 0x0020;
  u.c.gpr[EAX] = 0xDEADBEEF;
  u.run_code({0x66, 0x8D, 0x00});
  CHECK(u.r(EAX) == 0x0010);
}

TEST_CASE("addressing: 32-bit SIB, no-base and disp32 forms") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EBX] = 0x10000000;
  t.c.gpr[ECX] = 0x00000010;
  t.c.gpr[EBP] = 0x00002000;
  // lea eax,[ebx+ecx*4+0x10]; lea edx,[ecx*8+0x100]; lea esi,[ebp+ecx*2-1]; lea edi,[0x12345678]
  t.run_code({0x8D, 0x44, 0x8B, 0x10, 0x8D, 0x14, 0xCD, 0x00, 0x01, 0x00, 0x00, 0x8D, 0x74, 0x4D, 0xFF,
              0x8D, 0x3D, 0x78, 0x56, 0x34, 0x12});
  CHECK(t.r(EAX) == 0x10000050);
  CHECK(t.r(EDX) == 0x00000180);
  CHECK(t.r(ESI) == 0x0000201F);
  CHECK(t.r(EDI) == 0x12345678);
}

TEST_CASE("addressing: 67 prefix selects 16-bit addressing in 32-bit code") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EBX] = 0xABCDFFFF;
  t.c.gpr[ESI] = 0x00000002;
  t.run_code({0x67, 0x8D, 0x00});  // lea eax,[bx+si] -> 0x0001
  CHECK(t.r(EAX) == 0x0001);
}

TEST_CASE("addressing: memory operands use the segment base") {
  xt::TestMachine t;
  t.c.seg[DS].sel = 0x0200;
  t.c.seg[DS].base = 0x2000;
  t.c.seg[SS].sel = 0x0300;
  t.c.seg[SS].base = 0x3000;
  t.mem.write<uint16_t>(0x2010, 0xAAAA);
  t.mem.write<uint16_t>(0x3010, 0x5555);
  t.c.gpr[EBX] = 0x10;
  t.c.gpr[EBP] = 0x10;
  t.c.gpr[ESP] = 0x100;
  t.run_code({0x8B, 0x07, 0x8B, 0x4E, 0x00});  // mov ax,[bx] ; mov cx,[bp+0]
  CHECK((t.r(EAX) & 0xFFFF) == 0xAAAA);
  CHECK((t.r(ECX) & 0xFFFF) == 0x5555);
}
