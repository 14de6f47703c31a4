// Flag algorithms (cpu/flags.h) checked against values worked out from the SDM.
#include <doctest/doctest.h>

#include "cpu/flags.h"

using namespace cpu;
namespace fl = cpu::flags;

TEST_CASE("flags: ADD carry, overflow, auxiliary carry, parity") {
  uint32_t ef = kFlagsFixed1;
  CHECK(fl::add<uint8_t>(ef, 0x7F, 0x01) == 0x80);
  CHECK((ef & kArithFlags) == (OF | SF | AF));  // 0x80 has one bit set: odd parity, PF=0
  CHECK(fl::add<uint8_t>(ef, 0xFF, 0x01) == 0x00);
  CHECK((ef & kArithFlags) == (CF | ZF | AF | PF));
  CHECK(fl::add<uint16_t>(ef, 0x8000, 0x8000) == 0);
  CHECK((ef & kArithFlags) == (CF | OF | ZF | PF));
  CHECK(fl::add<uint32_t>(ef, 0xFFFFFFFFu, 0, 1) == 0);  // ADC with carry-in wraps
  CHECK((ef & (CF | ZF)) == (CF | ZF));
  CHECK(fl::add<uint32_t>(ef, 0x7FFFFFFFu, 0, 1) == 0x80000000u);
  CHECK((ef & OF));
  CHECK((ef & kFlagsFixed1) != 0);  // bits outside the arithmetic flags survive
}

TEST_CASE("flags: SUB/SBB/CMP borrow and overflow") {
  uint32_t ef = 0;
  CHECK(fl::sub<uint8_t>(ef, 0x00, 0x01) == 0xFF);
  CHECK((ef & kArithFlags) == (CF | SF | AF | PF));
  CHECK(fl::sub<uint8_t>(ef, 0x80, 0x01) == 0x7F);
  CHECK((ef & kArithFlags) == (OF | AF));  // 0x7F: seven bits, odd parity
  CHECK(fl::sub<uint16_t>(ef, 5, 5) == 0);
  CHECK((ef & kArithFlags) == (ZF | PF));
  CHECK(fl::sub<uint32_t>(ef, 5, 5, 1) == 0xFFFFFFFFu);  // SBB borrow-in
  CHECK((ef & CF) != 0);
  CHECK(fl::sub<uint32_t>(ef, 0, 0xFFFFFFFFu, 1) == 0);  // 0 - (-1) - 1 = 0 with borrow
  CHECK((ef & (CF | ZF)) == (CF | ZF));
}

TEST_CASE("flags: logic clears CF/OF; INC/DEC keep CF") {
  uint32_t ef = CF | OF | AF;
  CHECK(fl::logic<uint8_t>(ef, 0x03) == 0x03);
  CHECK((ef & kArithFlags) == PF);
  ef = CF;
  CHECK(fl::inc<uint16_t>(ef, 0x7FFF) == 0x8000);
  CHECK((ef & kArithFlags) == (CF | OF | SF | AF | PF));
  ef = 0;
  CHECK(fl::dec<uint8_t>(ef, 0x00) == 0xFF);
  CHECK((ef & CF) == 0);
  CHECK((ef & (SF | AF | PF)) == (SF | AF | PF));
}

TEST_CASE("flags: condition codes") {
  CHECK(fl::cond(OF, 0));
  CHECK(!fl::cond(OF, 1));
  CHECK(fl::cond(CF, 2));         // B
  CHECK(fl::cond(0, 3));          // NB
  CHECK(fl::cond(ZF, 4));         // Z
  CHECK(fl::cond(CF, 6));         // BE
  CHECK(fl::cond(0, 7));          // NBE
  CHECK(fl::cond(SF, 8));         // S
  CHECK(fl::cond(PF, 10));        // P
  CHECK(fl::cond(SF, 12));        // L: SF != OF
  CHECK(!fl::cond(SF | OF, 12));
  CHECK(fl::cond(SF | OF, 13));   // NL
  CHECK(fl::cond(ZF, 14));        // LE
  CHECK(fl::cond(OF, 14));
  CHECK(fl::cond(0, 15));         // NLE
  CHECK(!fl::cond(ZF, 15));
}
