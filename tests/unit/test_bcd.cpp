// The bcd family: DAA, DAS, AAA, AAS, AAM, AAD, SALC.
// Expected values follow the SDM pseudo-code (worked by hand in the comments).
// Only flags the SDM defines are compared.
#include <doctest/doctest.h>

#include <initializer_list>

#include "prot_machine.h"
#include "test_machine.h"

using namespace cpu;

namespace {
constexpr uint32_t kCode = xt::TestMachine::kCode;

struct Out { uint32_t eax, flags; };
// Run `code` in real mode from EAX = eax and the arithmetic flags `fl`;
// return EAX and the flags in `mask`.
Out run(std::initializer_list<uint8_t> code, uint32_t eax, uint32_t fl, uint32_t mask) {
  xt::TestMachine t;
  t.c.gpr[EAX] = eax;
  t.c.eflags = kFlagsFixed1 | fl;
  t.run_code(code);
  REQUIRE(t.c.halted);
  REQUIRE(t.c.eip == kCode + code.size() + 1);
  return {t.r(EAX), t.c.eflags & mask};
}
constexpr uint32_t kDaaFlags = CF | AF | SF | ZF | PF;  // OF is undefined
constexpr uint32_t kAaaFlags = CF | AF;                 // OF, SF, ZF, PF undefined
constexpr uint32_t kAamFlags = SF | ZF | PF;            // OF, AF, CF undefined
}  // namespace

TEST_CASE("bcd: DAA after packed-BCD additions") {
  // 79 + 35: ADD gives AL = AE, AF = 0, CF = 0. Low nibble E > 9: +6 -> B4, AF = 1;
  // AE > 99: +60 -> 14, CF = 1.  (79 + 35 = 114)
  Out o = run({0x27}, 0xABCD00AE, 0, kDaaFlags);
  CHECK(o.eax == 0xABCD0014);
  CHECK(o.flags == (CF | AF | PF));  // 0x14: two bits set, even parity
  // 38 + 49: AL = 81, AF = 1. +6 -> 87, AF = 1; 81 <= 99 and CF = 0 -> CF = 0.
  o = run({0x27}, 0x81, AF, kDaaFlags);
  CHECK(o.eax == 0x87);
  CHECK(o.flags == (AF | SF | PF));  // 0x87 = 10000111: four bits, even
  // 99 + 99: AL = 32, CF = 1, AF = 1. +6 -> 38; CF -> +60 -> 98, CF = 1.
  o = run({0x27}, 0x32, CF | AF, kDaaFlags);
  CHECK(o.eax == 0x98);
  CHECK(o.flags == (CF | AF | SF));  // 0x98 = 10011000: three bits, odd
  // 50 + 50: AL = A0, no AF. Low nibble 0: AF = 0; A0 > 99: +60 -> 00, CF = 1.
  o = run({0x27}, 0xA0, 0, kDaaFlags);
  CHECK(o.eax == 0x00);
  CHECK(o.flags == (CF | ZF | PF));
  // Already valid BCD, no flags in: unchanged, CF = AF = 0.
  o = run({0x27}, 0x42, SF | ZF, kDaaFlags);
  CHECK(o.eax == 0x42);
  CHECK(o.flags == PF);  // 0x42: two bits
}

TEST_CASE("bcd: DAS after packed-BCD subtractions, including the borrow out of AL - 6") {
  // 35 - 47: AL = EE, CF = 1, AF = 1. -6 -> E8 (CF stays 1); old AL > 99 -> -60 -> 88.
  Out o = run({0x2F}, 0x1234EE, CF | AF, kDaaFlags);
  CHECK(o.eax == 0x123488);
  CHECK(o.flags == (CF | AF | SF | PF));  // 0x88: two bits
  // 83 - 38: AL = 4B, AF = 1, CF = 0. -6 -> 45, no borrow: CF = 0.
  o = run({0x2F}, 0x4B, AF, kDaaFlags);
  CHECK(o.eax == 0x45);
  CHECK(o.flags == AF);  // 0x45: three bits, odd
  // AL = 03 with AF = 1: -6 borrows -> FD, CF = 1; old AL <= 99 and old CF = 0: no -60.
  o = run({0x2F}, 0x03, AF, kDaaFlags);
  CHECK(o.eax == 0xFD);
  CHECK(o.flags == (CF | AF | SF));  // 0xFD: seven bits, odd
  // AL = 00 with CF = 1, AF = 0: low step skipped (AF = 0); CF -> -60 -> A0, CF = 1.
  o = run({0x2F}, 0x00, CF, kDaaFlags);
  CHECK(o.eax == 0xA0);
  CHECK(o.flags == (CF | SF | PF));
  // AL = 66, nothing to adjust: ZF clear, CF = AF = 0.
  o = run({0x2F}, 0x66, ZF, kDaaFlags);
  CHECK(o.eax == 0x66);
  CHECK(o.flags == PF);
}

TEST_CASE("bcd: AAA adds 0x106 to AX (the carry out of AL reaches AH)") {
  // 9 + 8: AL = 11, AF = 1 -> AX = 0011 + 0106 = 0117 -> AL &= 0F -> 0107.
  Out o = run({0x37}, 0xFFFF0011, AF, kAaaFlags);
  CHECK(o.eax == 0xFFFF0107);
  CHECK(o.flags == (CF | AF));
  // AL = FF: nibble F > 9 -> AX = 00FF + 0106 = 0205 -> 0205 (an 8086 gives 0105).
  o = run({0x37}, 0x00FF, 0, kAaaFlags);
  CHECK(o.eax == 0x0205);
  CHECK(o.flags == (CF | AF));
  // Nothing to adjust: AL's high nibble is cleared, CF = AF = 0.
  o = run({0x37}, 0x1234, CF, kAaaFlags);
  CHECK(o.eax == 0x1204);
  CHECK(o.flags == 0);
}

TEST_CASE("bcd: AAS subtracts 6 from AX and 1 from AH") {
  // AX = 0200, AF = 1: AX - 6 = 01FA, AH - 1 -> 00FA, AL &= 0F -> 000A.
  Out o = run({0x3F}, 0x55550200, AF, kAaaFlags);
  CHECK(o.eax == 0x5555000A);
  CHECK(o.flags == (CF | AF));
  // AX = 050B: nibble B > 9: 0505, AH - 1 -> 0405.
  o = run({0x3F}, 0x050B, 0, kAaaFlags);
  CHECK(o.eax == 0x0405);
  CHECK(o.flags == (CF | AF));
  // AX = 0000, AF = 1: 0000 - 6 = FFFA, AH - 1 -> FEFA -> FE0A.
  o = run({0x3F}, 0x0000, AF, kAaaFlags);
  CHECK(o.eax == 0xFE0A);
  // Nothing to adjust.
  o = run({0x3F}, 0x0534, CF, kAaaFlags);
  CHECK(o.eax == 0x0504);
  CHECK(o.flags == 0);
}

TEST_CASE("bcd: AAM with base 10, 16, 7") {
  Out o = run({0xD4, 0x0A}, 0x8888004F, 0, kAamFlags);  // 79 -> 7, 9
  CHECK(o.eax == 0x88880709);
  CHECK(o.flags == PF);  // AL = 9: two bits
  o = run({0xD4, 0x10}, 0x00AB, 0, kAamFlags);
  CHECK(o.eax == 0x0A0B);
  CHECK(o.flags == 0);  // 0x0B: three bits
  o = run({0xD4, 0x07}, 0xFF32, 0, kAamFlags);  // 50 = 7 * 7 + 1; AH is replaced
  CHECK(o.eax == 0x0701);
  o = run({0xD4, 0x0A}, 0x000A, SF, kAamFlags);
  CHECK(o.eax == 0x0100);
  CHECK(o.flags == (ZF | PF));
  o = run({0xD4, 0x01}, 0x0080, 0, kAamFlags);  // base 1: AH = AL, AL = 0
  CHECK(o.eax == 0x8000);
}

TEST_CASE("bcd: AAM 0 raises #DE at the AAM, registers unchanged") {
  SUBCASE("real mode") {
    xt::TestMachine t;
    t.ivt_halt(kDE);
    t.c.gpr[EAX] = 0x1234;
    t.run_code({0x90, 0xD4, 0x00});
    CHECK(t.c.eip == 0x0500u + kDE + 1);
    CHECK(t.mem.read<uint16_t>(0x8000 - 6) == kCode + 1);  // the AAM, not the next insn
    CHECK(t.r(EAX) == 0x1234);
  }
  SUBCASE("protected mode") {
    xt::ProtMachine t;  // flat ring 0 with an IDT of HLT stubs
    t.c.gpr[EAX] = 0x1234;
    t.run({0xD4, 0x00});
    CHECK(t.vector() == kDE);
    CHECK(t.stack(0) == kCode);  // the pushed EIP is the AAM's
    CHECK(t.r(EAX) == 0x1234);
  }
}

TEST_CASE("bcd: AAD with base 10, 16 and an 8-bit wrap") {
  Out o = run({0xD5, 0x0A}, 0x77770709, 0, kAamFlags);  // 7 * 10 + 9 = 79
  CHECK(o.eax == 0x7777004F);
  CHECK(o.flags == 0);  // 0x4F: five bits, odd
  o = run({0xD5, 0x10}, 0x0A0B, 0, kAamFlags);
  CHECK(o.eax == 0x00AB);
  CHECK(o.flags == SF);  // 0xAB: five bits
  o = run({0xD5, 0x0A}, 0x1A06, 0, kAamFlags);  // 26 * 10 = 260 -> 04, + 6 = 0A
  CHECK(o.eax == 0x000A);
  CHECK(o.flags == PF);
  o = run({0xD5, 0x0A}, 0x0000, SF, kAamFlags);
  CHECK(o.eax == 0);
  CHECK(o.flags == (ZF | PF));
}

TEST_CASE("bcd: SALC sets AL from CF and changes no flags") {
  Out o = run({0xD6}, 0x12345678, CF | ZF, 0xFFFFFFFF);
  CHECK(o.eax == 0x123456FF);
  CHECK(o.flags == (kFlagsFixed1 | CF | ZF));
  o = run({0xD6}, 0x123456FF, SF, 0xFFFFFFFF);
  CHECK(o.eax == 0x12345600);
  CHECK(o.flags == (kFlagsFixed1 | SF));
}

TEST_CASE("bcd: 32-bit code keeps the upper half of EAX") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EAX] = 0xDEAD00FF;
  t.c.eflags = kFlagsFixed1;
  t.run_code({0x37, 0xD5, 0x0A});  // aaa -> AX = 0205; aad -> AL = 25 = 0x19
  CHECK(t.r(EAX) == 0xDEAD0019);
}
