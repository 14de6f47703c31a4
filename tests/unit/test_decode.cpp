// The decode wrapper: Zydis results mapped onto Insn fields and table rows.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cpu/decode.h"
#include "cpu/table.h"

using namespace cpu;

namespace {
DecodeStatus dec(DecodeMode m, std::vector<uint8_t> b, Insn& i) { return decode(m, b.data(), b.size(), i); }
const char* form(const Insn& i) { return table()[i.row].form; }
}  // namespace

TEST_CASE("decode: operand and address size per mode and prefix") {
  Insn i;
  REQUIRE(dec(DecodeMode::Real16, {0xB8, 0x34, 0x12}, i) == DecodeStatus::Ok);
  CHECK(i.len == 3);
  CHECK(!i.osz32());
  CHECK(i.imm == 0x1234);
  REQUIRE(dec(DecodeMode::Real16, {0x66, 0xB8, 0x78, 0x56, 0x34, 0x12}, i) == DecodeStatus::Ok);
  CHECK(i.osz32());
  CHECK(i.imm == 0x12345678);
  REQUIRE(dec(DecodeMode::Prot32, {0xB8, 0x78, 0x56, 0x34, 0x12}, i) == DecodeStatus::Ok);
  CHECK(i.osz32());
  REQUIRE(dec(DecodeMode::Prot32, {0x66, 0xB8, 0x34, 0x12}, i) == DecodeStatus::Ok);
  CHECK(!i.osz32());
  CHECK(i.len == 4);
  REQUIRE(dec(DecodeMode::Prot16, {0x67, 0x8B, 0x44, 0x24, 0x04}, i) == DecodeStatus::Ok);
  CHECK(i.asz32());
  CHECK(i.base == ESP);
  CHECK(i.seg == SS);
  CHECK(i.disp == 4);
}

TEST_CASE("decode: 16-bit addressing forms and default segments") {
  Insn i;
  REQUIRE(dec(DecodeMode::Real16, {0x8B, 0x00}, i) == DecodeStatus::Ok);  // mov ax,[bx+si]
  CHECK(i.mem());
  CHECK(i.base == EBX);
  CHECK(i.index == ESI);
  CHECK(i.seg == DS);
  REQUIRE(dec(DecodeMode::Real16, {0x8B, 0x46, 0xFE}, i) == DecodeStatus::Ok);  // mov ax,[bp-2]
  CHECK(i.base == EBP);
  CHECK(i.index == kNoReg);
  CHECK(i.seg == SS);
  CHECK(uint16_t(i.disp) == 0xFFFE);
  REQUIRE(dec(DecodeMode::Real16, {0x8B, 0x06, 0x34, 0x12}, i) == DecodeStatus::Ok);  // mov ax,[0x1234]
  CHECK(i.base == kNoReg);
  CHECK(i.disp == 0x1234);
  REQUIRE(dec(DecodeMode::Real16, {0x26, 0x8B, 0x46, 0x00}, i) == DecodeStatus::Ok);  // mov ax,es:[bp]
  CHECK(i.seg == ES);
  CHECK((i.flags & I_SEGOVR));
  REQUIRE(dec(DecodeMode::Real16, {0x89, 0xD8}, i) == DecodeStatus::Ok);  // mov ax,bx (reg form)
  CHECK(!i.mem());
  CHECK(i.rm == EAX);
  CHECK(i.reg == EBX);
}

TEST_CASE("decode: 32-bit SIB forms") {
  Insn i;
  // mov eax,[ebx+ecx*4+0x10]
  REQUIRE(dec(DecodeMode::Prot32, {0x8B, 0x44, 0x8B, 0x10}, i) == DecodeStatus::Ok);
  CHECK(i.base == EBX);
  CHECK(i.index == ECX);
  CHECK(i.scale == 2);
  CHECK(i.disp == 0x10);
  // mov eax,[ecx*8+0x12345678] (no base)
  REQUIRE(dec(DecodeMode::Prot32, {0x8B, 0x04, 0xCD, 0x78, 0x56, 0x34, 0x12}, i) == DecodeStatus::Ok);
  CHECK(i.base == kNoReg);
  CHECK(i.index == ECX);
  CHECK(i.scale == 3);
  CHECK(i.disp == 0x12345678);
  // mov eax,[ebp-4] defaults to SS; fs: override wins
  REQUIRE(dec(DecodeMode::Prot32, {0x8B, 0x45, 0xFC}, i) == DecodeStatus::Ok);
  CHECK(i.seg == SS);
  CHECK(i.disp == 0xFFFFFFFCu);
  REQUIRE(dec(DecodeMode::Prot32, {0x64, 0x8B, 0x45, 0xFC}, i) == DecodeStatus::Ok);
  CHECK(i.seg == FS);
}

TEST_CASE("decode: rows are bound by mnemonic, so other ISAs are #UD") {
  Insn i;
  REQUIRE(dec(DecodeMode::Prot32, {0x89, 0xC3}, i) == DecodeStatus::Ok);
  CHECK(std::string(form(i)) == "MOV Ev,Gv");
  // SSSE3 pshufb, AVX vzeroupper, LOCK on MOV, 3DNow! are never executed as anything.
  CHECK(dec(DecodeMode::Prot32, {0x0F, 0x38, 0x00, 0xC1}, i) == DecodeStatus::Invalid);
  CHECK(dec(DecodeMode::Prot32, {0xC5, 0xF8, 0x77}, i) == DecodeStatus::Invalid);
  CHECK(dec(DecodeMode::Prot32, {0xF0, 0x89, 0x18}, i) == DecodeStatus::Invalid);
  CHECK(dec(DecodeMode::Prot32, {0x0F, 0x0F, 0xC1, 0xB4}, i) == DecodeStatus::Invalid);
  // 66 0F xx (SSE2 with a mandatory prefix) must not reach an integer row.
  CHECK(dec(DecodeMode::Prot32, {0x66, 0x0F, 0x6F, 0xC1}, i) == DecodeStatus::Invalid);
}

TEST_CASE("decode: truncated and over-long instructions") {
  Insn i;
  CHECK(dec(DecodeMode::Prot32, {0xB8, 0x78, 0x56}, i) == DecodeStatus::NeedMore);
  std::vector<uint8_t> longest(14, 0x26);
  longest.push_back(0x90);
  CHECK(dec(DecodeMode::Prot32, longest, i) == DecodeStatus::Ok);
  CHECK(i.len == 15);
  std::vector<uint8_t> too_long(15, 0x26);
  too_long.push_back(0x90);
  CHECK(dec(DecodeMode::Prot32, too_long, i) == DecodeStatus::TooLong);
}

TEST_CASE("decode: every table row names a Zydis mnemonic and has its handlers") {
  for (const Row& r : table()) {
    CAPTURE(r.form);
    switch (r.size) {
      case Size::B: CHECK(bool(r.h8)); break;
      default: CHECK(bool(r.h16)); CHECK(bool(r.h32)); break;
    }
  }
  Insn i;
  (void)dec(DecodeMode::Real16, {0x90}, i);  // builds the row index: aborts on an unknown mnemonic
  CHECK(table().size() > 0);
}

TEST_CASE("decode: 3E on an indirect branch is a DS override (Zydis calls it NOTRACK)") {
  Insn i;
  REQUIRE(dec(DecodeMode::Real16, {0x3E, 0xFF, 0x12}, i) == DecodeStatus::Ok);  // call [ds:bp+si]
  CHECK(i.seg == DS);
  REQUIRE(dec(DecodeMode::Real16, {0xFF, 0x12}, i) == DecodeStatus::Ok);  // call [bp+si]: SS
  CHECK(i.seg == SS);
}
