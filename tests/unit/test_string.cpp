// The string family: MOVS/CMPS/SCAS/LODS/STOS/INS/OUTS, REP prefixes,
// direction, address size, and precise faults in the middle of a REP.
#include <doctest/doctest.h>

#include <cstring>

#include "test_machine.h"

using namespace cpu;

namespace {
void fill(xt::TestMachine& t, uint32_t at, const char* s) {
  t.mem.load(at, reinterpret_cast<const uint8_t*>(s), uint32_t(std::strlen(s)));
}
}  // namespace

TEST_CASE("string: REP MOVSB forward, 16-bit addressing") {
  xt::TestMachine t;
  fill(t, 0x2000, "ABCDE");
  t.c.gpr[ESI] = 0xABCD2000;  // upper halves are not used and not changed
  t.c.gpr[EDI] = 0x12343000;
  t.c.gpr[ECX] = 0x00070005;
  t.run_code({0xF3, 0xA4});  // rep movsb
  CHECK(t.c.halted);
  CHECK(t.r(ECX) == 0x00070000);
  CHECK(t.r(ESI) == 0xABCD2005);
  CHECK(t.r(EDI) == 0x12343005);
  CHECK(t.mem.read<uint32_t>(0x3000) == 0x44434241);
  CHECK(t.mem.read<uint8_t>(0x3004) == 'E');
  CHECK(t.mem.read<uint8_t>(0x3005) == 0);
}

TEST_CASE("string: REP MOVSB backward (DF=1)") {
  xt::TestMachine t;
  fill(t, 0x2000, "ABCDE");
  t.c.gpr[ESI] = 0x2004;
  t.c.gpr[EDI] = 0x3004;
  t.c.gpr[ECX] = 5;
  t.run_code({0xFD, 0xF3, 0xA4, 0xFC});  // std ; rep movsb ; cld
  CHECK(t.r(ECX) == 0);
  CHECK(t.r(ESI) == 0x1FFF);
  CHECK(t.r(EDI) == 0x2FFF);
  CHECK(t.mem.read<uint32_t>(0x3000) == 0x44434241);
  CHECK(t.mem.read<uint8_t>(0x3004) == 'E');
  CHECK(!(t.c.eflags & DF));
}

TEST_CASE("string: a long REP MOVSB crosses batches and pages") {
  xt::TestMachine t;
  for (uint32_t k = 0; k < 1000; ++k) t.mem.write<uint8_t>(0x5000 + k, uint8_t(k * 7 + 1));
  t.c.gpr[ESI] = 0x5000;
  t.c.gpr[EDI] = 0x3F10;  // destination crosses the page at 0x4000
  t.c.gpr[ECX] = 1000;
  t.run_code({0xF3, 0xA4});
  CHECK(t.c.halted);
  CHECK(t.r(ECX) == 0);
  CHECK(t.r(ESI) == 0x5000 + 1000);
  CHECK(t.r(EDI) == 0x3F10 + 1000);
  bool same = true;
  for (uint32_t k = 0; k < 1000; ++k) same &= t.mem.read<uint8_t>(0x3F10 + k) == uint8_t(k * 7 + 1);
  CHECK(same);
}

TEST_CASE("string: REP MOVSD with 16- and 32-bit address size") {
  xt::TestMachine t;
  for (uint32_t k = 0; k < 4; ++k) t.mem.write<uint32_t>(0x2000 + 4 * k, 0x11111111u * (k + 1));
  // 16-bit addressing: CX counts, ECX's upper half stays.
  t.c.gpr[ESI] = 0x2000;
  t.c.gpr[EDI] = 0x3000;
  t.c.gpr[ECX] = 0x00010003;
  t.run_code({0x66, 0xF3, 0xA5});  // rep movsd
  CHECK(t.r(ECX) == 0x00010000);
  CHECK(t.r(ESI) == 0x200C);
  CHECK(t.r(EDI) == 0x300C);
  CHECK(t.mem.read<uint32_t>(0x3008) == 0x33333333);
  CHECK(t.mem.read<uint32_t>(0x300C) == 0);

  // 32-bit addressing (67) in protected mode, above 64 KiB, backwards.
  xt::TestMachine p;
  p.flat32();
  for (uint32_t k = 0; k < 4; ++k) p.mem.write<uint32_t>(0x12000 + 4 * k, 0xA0000000u + k);
  p.c.gpr[ESI] = 0x12008;
  p.c.gpr[EDI] = 0x23008;
  p.c.gpr[ECX] = 3;
  p.run_code({0xFD, 0xF3, 0xA5});  // std ; rep movsd (32-bit code: no prefixes needed)
  CHECK(p.r(ECX) == 0);
  CHECK(p.r(ESI) == 0x11FFC);
  CHECK(p.r(EDI) == 0x22FFC);
  CHECK(p.mem.read<uint32_t>(0x23000) == 0xA0000000u);
  CHECK(p.mem.read<uint32_t>(0x23008) == 0xA0000002u);
  CHECK(p.mem.read<uint32_t>(0x2300C) == 0);
  CHECK(p.mem.read<uint32_t>(0x22FFC) == 0);
}

TEST_CASE("string: 16-bit SI wraps at 64 KiB") {
  xt::TestMachine t;
  t.mem.write<uint8_t>(0xFFFF, 0x5A);
  t.mem.write<uint8_t>(0x0000, 0xA5);  // IVT byte 0
  t.c.gpr[ESI] = 0xFFFF;
  t.c.gpr[EDI] = 0x3000;
  t.c.gpr[ECX] = 2;
  t.run_code({0xF3, 0xA4});
  CHECK(t.r(ESI) == 0x0001);
  CHECK(t.mem.read<uint16_t>(0x3000) == 0xA55A);
}

TEST_CASE("string: REPE CMPSB stops at the first mismatch") {
  xt::TestMachine t;
  fill(t, 0x2000, "abcdXfgh");
  fill(t, 0x3000, "abcdYfgh");
  t.c.gpr[ESI] = 0x2000;
  t.c.gpr[EDI] = 0x3000;
  t.c.gpr[ECX] = 8;
  t.run_code({0xF3, 0xA6});  // repe cmpsb
  CHECK(t.r(ECX) == 3);       // five compares done
  CHECK(t.r(ESI) == 0x2005);
  CHECK(t.r(EDI) == 0x3005);
  CHECK(!(t.c.eflags & ZF));
  CHECK((t.c.eflags & CF));   // 'X' - 'Y' borrows
  CHECK((t.c.eflags & SF));

  // Equal strings: runs out the count with ZF = 1.
  xt::TestMachine u;
  fill(u, 0x2000, "same");
  fill(u, 0x3000, "same");
  u.c.gpr[ESI] = 0x2000;
  u.c.gpr[EDI] = 0x3000;
  u.c.gpr[ECX] = 4;
  u.run_code({0xF3, 0xA6});
  CHECK(u.r(ECX) == 0);
  CHECK((u.c.eflags & ZF));
  CHECK(u.r(ESI) == 0x2004);
}

TEST_CASE("string: REPNE SCASB finds a byte; SCASW/CMPSW flags") {
  xt::TestMachine t;
  fill(t, 0x3000, "abcdef");
  t.c.gpr[EAX] = 'd';
  t.c.gpr[EDI] = 0x3000;
  t.c.gpr[ECX] = 6;
  t.run_code({0xF2, 0xAE});  // repne scasb
  CHECK(t.r(ECX) == 2);
  CHECK(t.r(EDI) == 0x3004);
  CHECK((t.c.eflags & ZF));

  // Not found: ECX runs out, ZF = 0.
  xt::TestMachine u;
  fill(u, 0x3000, "abc");
  u.c.gpr[EAX] = 'z';
  u.c.gpr[EDI] = 0x3000;
  u.c.gpr[ECX] = 3;
  u.run_code({0xF2, 0xAE});
  CHECK(u.r(ECX) == 0);
  CHECK(u.r(EDI) == 0x3003);
  CHECK(!(u.c.eflags & ZF));

  // scasw without REP: AX - [DI]: 0x0001 - 0x0002 -> CF, SF; DI += 2.
  xt::TestMachine w;
  w.mem.write<uint16_t>(0x3000, 2);
  w.c.gpr[EAX] = 1;
  w.c.gpr[EDI] = 0x3000;
  w.c.gpr[ECX] = 9;
  w.run_code({0xAF});
  CHECK(w.r(EDI) == 0x3002);
  CHECK(w.r(ECX) == 9);
  CHECK((w.c.eflags & (CF | SF | ZF)) == (CF | SF));
}

TEST_CASE("string: LODS and STOS, REP with ECX = 0 does nothing") {
  xt::TestMachine t;
  t.mem.write<uint32_t>(0x2000, 0xCAFEBABE);
  t.c.gpr[ESI] = 0x2000;
  t.c.gpr[EDI] = 0x3000;
  t.c.gpr[ECX] = 0;
  t.c.gpr[EAX] = 0x11223344;
  // rep stosb with CX = 0 ; lodsw ; 66 stosd
  t.run_code({0xF3, 0xAA, 0xAD, 0x66, 0xAB});
  CHECK(t.mem.read<uint32_t>(0x3000) == 0x1122BABE);
  CHECK(t.r(EAX) == 0x1122BABE);
  CHECK(t.r(ESI) == 0x2002);
  CHECK(t.r(EDI) == 0x3004);
  CHECK(t.r(ECX) == 0);
}

TEST_CASE("string: REP STOSW faulting at the limit leaves CX/DI at the faulting iteration") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  t.c.gpr[EAX] = 0xBEEF;
  t.c.gpr[EDI] = 0xFFF1;  // words at FFF1..FFFD fit; the word at FFFF does not
  t.c.gpr[ECX] = 0x20;
  t.run_code({0xF3, 0xAB});  // rep stosw
  CHECK(t.c.eip == 0x0500 + kGP + 1);                             // in the #GP handler
  CHECK(t.mem.read<uint16_t>(0x8000 - 6) == xt::TestMachine::kCode);  // IP of the REP STOSW
  CHECK(t.r(ECX) == 0x20 - 7);
  CHECK(t.r(EDI) == 0xFFFF);
  CHECK(t.mem.read<uint16_t>(0xFFFD) == 0xBEEF);
  CHECK(t.mem.read<uint16_t>(0xFFF1) == 0xBEEF);
  CHECK(t.mem.read<uint8_t>(0xFFFF) == 0);
}

TEST_CASE("string: REP STOSB fault after several batches (reduced ES limit)") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  // 0xF1 stores fit; the fault is in the middle of a batch, on the same page.
  t.c.seg[ES].limit = 0x20F0;
  t.c.gpr[EAX] = 0x77;
  t.c.gpr[EDI] = 0x2000;
  t.c.gpr[ECX] = 0x200;
  t.run_code({0xF3, 0xAA});
  CHECK(t.c.eip == 0x0500 + kGP + 1);
  CHECK(t.mem.read<uint16_t>(0x8000 - 6) == xt::TestMachine::kCode);
  CHECK(t.r(ECX) == 0x200 - 0xF1);
  CHECK(t.r(EDI) == 0x20F1);
  CHECK(t.mem.read<uint8_t>(0x20F0) == 0x77);
  CHECK(t.mem.read<uint8_t>(0x20F1) == 0);
}

TEST_CASE("string: REP OUTSB and REP INSW use the port bus") {
  xt::TestMachine t;
  fill(t, 0x2000, "xyz");
  uint32_t next = 0x100;
  t.io.map(0x60, 0x61, [&](uint16_t, unsigned size) { CHECK(size == 2); return next++; }, nullptr);
  t.c.gpr[ESI] = 0x2000;
  t.c.gpr[EDX] = 0xE3;
  t.c.gpr[ECX] = 3;
  t.run_code({0xF3, 0x6E});  // rep outsb
  REQUIRE(t.outs.size() == 3);
  CHECK(t.outs[0] == std::pair<uint16_t, uint32_t>(0xE3, 'x'));
  CHECK(t.outs[2] == std::pair<uint16_t, uint32_t>(0xE3, 'z'));
  CHECK(t.r(ESI) == 0x2003);

  xt::TestMachine u;
  uint32_t n2 = 0x100;
  u.io.map(0x60, 0x61, [&](uint16_t, unsigned) { return n2++; }, nullptr);
  u.c.gpr[EDI] = 0x3000;
  u.c.gpr[EDX] = 0x60;
  u.c.gpr[ECX] = 2;
  u.run_code({0xF3, 0x6D});  // rep insw
  CHECK(u.mem.read<uint32_t>(0x3000) == 0x01010100);
  CHECK(u.r(EDI) == 0x3004);
  CHECK(u.r(ECX) == 0);
}

TEST_CASE("string: segment override on the source, ES fixed for the destination") {
  xt::TestMachine t;
  t.c.seg[FS].base = 0x10000;
  t.c.seg[FS].sel = 0x1000;
  t.mem.write<uint16_t>(0x12000, 0x4321);
  t.c.gpr[ESI] = 0x2000;
  t.c.gpr[EDI] = 0x3000;
  t.run_code({0x64, 0xA5});  // movsw fs:[si] -> es:[di]
  CHECK(t.mem.read<uint16_t>(0x3000) == 0x4321);
}

TEST_CASE("string: an interrupt-free REP runs under single-step one iteration at a time") {
  xt::TestMachine t;
  t.ivt_halt(kDB);
  t.c.eflags |= TF;
  t.c.gpr[EAX] = 0x55;
  t.c.gpr[EDI] = 0x3000;
  t.c.gpr[ECX] = 4;
  t.run_code({0xF3, 0xAA});
  // The trap after the first iteration: IP still at the REP STOSB, CX = 3.
  CHECK(t.c.eip == 0x0500 + kDB + 1);
  CHECK(t.mem.read<uint16_t>(0x8000 - 6) == xt::TestMachine::kCode);
  CHECK(t.r(ECX) == 3);
  CHECK(t.r(EDI) == 0x3001);
  CHECK(t.mem.read<uint16_t>(0x3000) == 0x0055);
}
