// The muldiv family through the interpreter: MUL/IMUL (one, two and three
// operands) and DIV/IDIV with #DE. Expected values follow the SDM; only CF
// and OF are defined after a multiply and no flag after a divide.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
uint32_t cfof(const xt::TestMachine& t) { return t.c.eflags & (CF | OF); }
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
// After a #DE in real mode: halted in the vector-0 handler, with the pushed
// IP pointing at the faulting instruction.
void check_de(const xt::TestMachine& t, uint16_t fault_ip) {
  CHECK(t.c.halted);
  CHECK(t.c.eip == 0x0500 + kDE + 1u);
  CHECK(t.mem.read<uint16_t>(0x8000 - 6) == fault_ip);
  CHECK(t.mem.read<uint16_t>(0x8000 - 4) == 0);  // CS
}
}  // namespace

TEST_CASE("muldiv: MUL sets CF=OF when the high half is non-zero") {
  xt::TestMachine t;
  real(t);
  t.c.gpr[EAX] = 0xAAAA0080;
  t.c.gpr[EBX] = 2;
  t.run_code({0xF6, 0xE3});  // mul bl
  CHECK(t.r(EAX) == 0xAAAA0100);
  CHECK(cfof(t) == (CF | OF));
  real(t, CF | OF);
  t.c.gpr[EAX] = 0x10;
  t.c.gpr[EBX] = 0x0F;
  t.run_code({0xF6, 0xE3});
  CHECK(t.r(EAX) == 0x00F0);
  CHECK(cfof(t) == 0);
  real(t);
  t.c.gpr[EAX] = 0xFFFF;
  t.c.gpr[ECX] = 0xFFFF;
  t.c.gpr[EDX] = 0x12340000;
  t.run_code({0xF7, 0xE1});  // mul cx
  CHECK(t.r(EAX) == 0x0001);
  CHECK(t.r(EDX) == 0x1234FFFE);
  CHECK(cfof(t) == (CF | OF));
  real(t);
  t.c.gpr[EAX] = 0xFFFFFFFF;
  t.c.gpr[ECX] = 2;
  t.run_code({0x66, 0xF7, 0xE1});  // mul ecx
  CHECK(t.r(EAX) == 0xFFFFFFFE);
  CHECK(t.r(EDX) == 1);
  CHECK(cfof(t) == (CF | OF));
  flat(t, CF | OF);
  t.c.gpr[EAX] = 0x12345678;
  t.c.gpr[ECX] = 1;
  t.c.gpr[EDX] = 0xDEADBEEF;
  t.run_code({0xF7, 0xE1});
  CHECK(t.r(EAX) == 0x12345678);
  CHECK(t.r(EDX) == 0);
  CHECK(cfof(t) == 0);
}

TEST_CASE("muldiv: one-operand IMUL sets CF=OF when the result needs the high half") {
  xt::TestMachine t;
  real(t);
  t.c.gpr[EAX] = 0xFF;  // -1
  t.c.gpr[EBX] = 0x80;  // -128
  t.run_code({0xF6, 0xEB});  // imul bl -> +128: AH = 0 but AL's sign says negative
  CHECK(t.r(EAX) == 0x0080);
  CHECK(cfof(t) == (CF | OF));
  real(t, CF | OF);
  t.c.gpr[EAX] = 0xFF;
  t.c.gpr[EBX] = 0xFF;
  t.run_code({0xF6, 0xEB});  // -1 * -1
  CHECK(t.r(EAX) == 0x0001);
  CHECK(cfof(t) == 0);
  real(t);
  t.c.gpr[EAX] = 0x8000;
  t.c.gpr[ECX] = 0xFFFF;
  t.run_code({0xF7, 0xE9});  // imul cx: -32768 * -1 = +32768
  CHECK(t.r(EAX) == 0x8000);
  CHECK(t.r(EDX) == 0x0000);
  CHECK(cfof(t) == (CF | OF));
  flat(t, CF | OF);
  t.c.gpr[EAX] = 0xFFFFFFFE;
  t.c.gpr[ECX] = 3;
  t.run_code({0xF7, 0xE9});  // imul ecx: -6
  CHECK(t.r(EAX) == 0xFFFFFFFA);
  CHECK(t.r(EDX) == 0xFFFFFFFF);
  CHECK(cfof(t) == 0);
}

TEST_CASE("muldiv: two- and three-operand IMUL truncate and flag signed overflow") {
  xt::TestMachine t;
  real(t, CF | OF);
  t.c.gpr[EAX] = 0x55550000;
  t.c.gpr[EBX] = 0x4000;
  t.run_code({0x6B, 0xC3, 0xFE});  // imul ax,bx,-2 = -32768: fits
  CHECK(t.r(EAX) == 0x55558000);
  CHECK(cfof(t) == 0);
  real(t);
  t.c.gpr[EBX] = 0x4001;
  t.run_code({0x6B, 0xC3, 0xFE});  // -32770 does not fit
  CHECK((t.r(EAX) & 0xFFFF) == 0x7FFE);
  CHECK(cfof(t) == (CF | OF));
  real(t, CF | OF);
  t.c.gpr[EBX] = 0x0123;
  t.run_code({0x69, 0xC3, 0x10, 0x00});  // imul ax,bx,16
  CHECK((t.r(EAX) & 0xFFFF) == 0x1230);
  CHECK(cfof(t) == 0);
  flat(t);
  t.c.gpr[EAX] = 0x10000;
  t.c.gpr[ECX] = 0x10000;
  t.run_code({0x0F, 0xAF, 0xC1});  // imul eax,ecx
  CHECK(t.r(EAX) == 0);
  CHECK(cfof(t) == (CF | OF));
  flat(t);
  t.c.gpr[ESI] = 0x8000;
  t.run_code({0x69, 0xD6, 0x00, 0x00, 0x01, 0x00});  // imul edx,esi,0x10000 = 2^31
  CHECK(t.r(EDX) == 0x80000000);
  CHECK(cfof(t) == (CF | OF));
  flat(t, CF);
  t.c.gpr[ESI] = 0xFFFF8000;
  t.run_code({0x69, 0xD6, 0x00, 0x00, 0x01, 0x00});  // -2^31 fits
  CHECK(t.r(EDX) == 0x80000000);
  CHECK(cfof(t) == 0);
  real(t);
  t.mem.write<uint16_t>(0x2000, 0xFFFD);
  t.c.gpr[ECX] = 7;
  t.run_code({0x0F, 0xAF, 0x0E, 0x00, 0x20});  // imul cx,[0x2000] = -21
  CHECK(t.r(ECX) == 0xFFEB);
  CHECK(cfof(t) == 0);
}

TEST_CASE("muldiv: DIV quotient and remainder, flags unchanged") {
  xt::TestMachine t;
  const uint32_t all = kArithFlags;
  real(t, all);
  t.c.gpr[EAX] = 1000;
  t.c.gpr[EBX] = 7;
  t.run_code({0xF6, 0xF3});  // div bl
  CHECK(t.r(EAX) == 0x068E);  // 142 rem 6
  CHECK((t.c.eflags & all) == all);
  real(t);
  t.c.gpr[EAX] = 0;
  t.c.gpr[EDX] = 1;
  t.c.gpr[ECX] = 0x100;
  t.run_code({0xF7, 0xF1});  // div cx: 65536 / 256
  CHECK(t.r(EAX) == 0x0100);
  CHECK(t.r(EDX) == 0);
  real(t);
  t.c.gpr[EAX] = 5;
  t.c.gpr[EDX] = 1;
  t.c.gpr[ECX] = 0x10;
  t.run_code({0x66, 0xF7, 0xF1});  // div ecx: (2^32 + 5) / 16
  CHECK(t.r(EAX) == 0x10000000);
  CHECK(t.r(EDX) == 5);
  real(t);
  t.mem.write<uint8_t>(0x2000, 0x10);
  t.c.gpr[EAX] = 0x0123;
  t.run_code({0xF6, 0x36, 0x00, 0x20});  // div byte [0x2000]
  CHECK(t.r(EAX) == 0x0312);
  real(t);
  t.c.gpr[EAX] = 0xFFFF;
  t.c.gpr[EDX] = 0xFFFE;
  t.c.gpr[ECX] = 0xFFFF;
  t.run_code({0xF7, 0xF1});  // largest quotient that fits: 0xFFFEFFFF / 0xFFFF
  CHECK(t.r(EAX) == 0xFFFF);
  CHECK(t.r(EDX) == 0xFFFE);
}

TEST_CASE("muldiv: DIV raises #DE on zero divisor and quotient overflow") {
  xt::TestMachine t;
  t.ivt_halt(kDE);
  real(t);
  t.c.gpr[EAX] = 0x0200;
  t.c.gpr[EBX] = 2;
  t.run_code({0x90, 0xF6, 0xF3});  // nop ; div bl -> quotient 0x100
  check_de(t, xt::TestMachine::kCode + 1);
  CHECK(t.r(EAX) == 0x0200);
  real(t);
  t.c.gpr[EAX] = 0x1234;
  t.c.gpr[ECX] = 0xFF00;  // cl = 0
  t.run_code({0xF6, 0xF1});  // div cl
  check_de(t, xt::TestMachine::kCode);
  CHECK(t.r(EAX) == 0x1234);
  real(t);
  t.c.gpr[EAX] = 0;
  t.c.gpr[EDX] = 0x10;
  t.c.gpr[ECX] = 0x10;
  t.run_code({0x66, 0xF7, 0xF1});  // div ecx: quotient 2^32
  check_de(t, xt::TestMachine::kCode);
  CHECK(t.r(EDX) == 0x10);
}

TEST_CASE("muldiv: IDIV signed range, remainder sign, and #DE") {
  xt::TestMachine t;
  t.ivt_halt(kDE);
  real(t);
  t.c.gpr[EAX] = 0xFF00;  // -256
  t.c.gpr[EBX] = 2;
  t.run_code({0xF6, 0xFB});  // idiv bl -> -128 fits (286+)
  CHECK(t.r(EAX) == 0x0080);
  CHECK(t.c.eip == xt::TestMachine::kCode + 3);
  real(t);
  t.c.gpr[EAX] = 0xFFF9;  // -7
  t.c.gpr[EBX] = 2;
  t.run_code({0xF6, 0xFB});  // -3 rem -1
  CHECK(t.r(EAX) == 0xFFFD);
  real(t);
  t.c.gpr[EAX] = 7;
  t.c.gpr[EBX] = 0xFE;  // -2
  t.run_code({0xF6, 0xFB});  // -3 rem 1
  CHECK(t.r(EAX) == 0x01FD);
  real(t);
  t.c.gpr[EAX] = 0x8000;
  t.c.gpr[EDX] = 0xFFFF;  // -32768
  t.c.gpr[ECX] = 1;
  t.run_code({0xF7, 0xF9});  // idiv cx
  CHECK(t.r(EAX) == 0x8000);
  CHECK(t.r(EDX) == 0);
  real(t);
  t.c.gpr[EAX] = 0xFFFFFF9C;
  t.c.gpr[EDX] = 0xFFFFFFFF;  // -100
  t.c.gpr[ECX] = 7;
  t.run_code({0x66, 0xF7, 0xF9});  // idiv ecx: -14 rem -2
  CHECK(t.r(EAX) == 0xFFFFFFF2);
  CHECK(t.r(EDX) == 0xFFFFFFFE);

  real(t);
  t.c.gpr[EAX] = 0x0100;  // +256 / 2 = +128: does not fit
  t.c.gpr[EBX] = 2;
  t.run_code({0xF6, 0xFB});
  check_de(t, xt::TestMachine::kCode);
  real(t);
  t.c.gpr[EAX] = 0x80000000;
  t.c.gpr[EDX] = 0xFFFFFFFF;  // -2^31 / -1 = +2^31
  t.c.gpr[ECX] = 0xFFFFFFFF;
  t.run_code({0x66, 0xF7, 0xF9});
  check_de(t, xt::TestMachine::kCode);
  CHECK(t.r(EAX) == 0x80000000);
  real(t);
  t.c.gpr[EAX] = 0;
  t.c.gpr[EDX] = 0x80000000;  // -2^63 / -1: overflows even 64 bits
  t.c.gpr[ECX] = 0xFFFFFFFF;
  t.run_code({0x66, 0xF7, 0xF9});
  check_de(t, xt::TestMachine::kCode);
  real(t);
  t.c.gpr[EAX] = 5;
  t.c.gpr[EBX] = 0;
  t.run_code({0xF6, 0xFB});  // idiv bl by zero
  check_de(t, xt::TestMachine::kCode);
}
