// The bit family: BT/BTS/BTR/BTC (register and immediate bit offsets,
// register and memory operands), BSF/BSR, SETcc.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
constexpr uint32_t kCode = xt::TestMachine::kCode;
}  // namespace

TEST_CASE("bit: BT/BTS/BTR/BTC on registers; offsets are taken modulo the operand size") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EAX] = 0x12345678;
  t.c.gpr[ECX] = 35;  // -> bit 3 of 0x...78 = 0111'1000: set
  t.c.eflags = kFlagsFixed1 | ZF;
  t.run_code({0x0F, 0xA3, 0xC8});  // bt eax,ecx
  CHECK((t.c.eflags & CF));
  CHECK((t.c.eflags & ZF));  // ZF is unaffected
  CHECK(t.r(EAX) == 0x12345678);

  xt::TestMachine u;
  u.flat32();
  u.c.gpr[EAX] = 0x12345678;
  u.c.gpr[EDX] = 0xFFFF0000;
  u.run_code({0x0F, 0xBA, 0xE8, 0x00,          // bts eax,0   CF=0 -> ...79
              0x0F, 0xBA, 0xF0, 0x03,          // btr eax,3   CF=1 -> ...71
              0x0F, 0xBA, 0xF8, 0x1F,          // btc eax,31  CF=0 -> 92...
              0x0F, 0xBA, 0xF8, 0x3F,          // btc eax,63 (= 31) CF=1 -> 12...
              0x66, 0x0F, 0xBA, 0xEA, 0x11});  // bts dx,17 (= 1)   CF=0
  CHECK(u.r(EAX) == 0x12345671);
  CHECK(u.r(EDX) == 0xFFFF0002);
  CHECK(!(u.c.eflags & CF));
}

TEST_CASE("bit: CF from each of BTS/BTR/BTC is the old bit value") {
  struct Case { uint8_t op; uint32_t in; unsigned bit; uint32_t out; bool cf; };
  const Case cases[] = {
      {0xAB, 0x00000000, 7, 0x00000080, false},  // bts
      {0xAB, 0x00000080, 7, 0x00000080, true},
      {0xB3, 0x00000080, 7, 0x00000000, true},   // btr
      {0xB3, 0x00000000, 7, 0x00000000, false},
      {0xBB, 0x80000000, 31, 0x00000000, true},  // btc
      {0xBB, 0x00000000, 31, 0x80000000, false},
  };
  for (const Case& k : cases) {
    xt::TestMachine t;
    t.flat32();
    t.c.gpr[EBX] = k.in;
    t.c.gpr[ECX] = k.bit;
    t.c.eflags = kFlagsFixed1 | (k.cf ? 0 : CF);  // the opposite of the expected CF
    t.run_code({0x0F, k.op, 0xCB});  // btx ebx,ecx
    CAPTURE(k.op);
    CHECK(t.r(EBX) == k.out);
    CHECK(bool(t.c.eflags & CF) == k.cf);
  }
}

TEST_CASE("bit: BT memory with a register offset addresses outside the dword (signed)") {
  auto machine = [] {
    auto t = std::make_unique<xt::TestMachine>();
    t->flat32();
    t->mem.write<uint32_t>(0x200C, 0x00000010);  // bit 100 from 0x2000
    t->mem.write<uint32_t>(0x1FFC, 0x80000000);  // bit -1 from 0x2000
    t->mem.write<uint32_t>(0x12000, 0xFF);
    return t;
  };
  SUBCASE("offset 100 -> dword at +12, bit 4") {
    auto t = machine();
    t->c.gpr[ECX] = 100;
    t->run_code({0x0F, 0xA3, 0x0D, 0x00, 0x20, 0x00, 0x00});  // bt [0x2000],ecx
    CHECK((t->c.eflags & CF));
    t->c.halted = 0;
    t->c.eip = kCode;
    t->c.gpr[ECX] = 101;
    t->run_code({0x0F, 0xA3, 0x0D, 0x00, 0x20, 0x00, 0x00});
    CHECK(!(t->c.eflags & CF));
  }
  SUBCASE("offset -1 -> dword at -4, bit 31") {
    auto t = machine();
    t->c.gpr[ECX] = 0xFFFFFFFF;
    t->run_code({0x0F, 0xA3, 0x0D, 0x00, 0x20, 0x00, 0x00});  // bt [0x2000],ecx
    CHECK((t->c.eflags & CF));
    t->c.halted = 0;
    t->c.eip = kCode;
    t->run_code({0x0F, 0xB3, 0x0D, 0x00, 0x20, 0x00, 0x00});  // btr [0x2000],ecx
    CHECK((t->c.eflags & CF));
    CHECK(t->mem.read<uint32_t>(0x1FFC) == 0);
  }
  SUBCASE("BTS offset -33 -> dword at -8, bit 31") {
    auto t = machine();
    t->c.gpr[ECX] = uint32_t(-33);
    t->run_code({0x0F, 0xAB, 0x0D, 0x00, 0x20, 0x00, 0x00});  // bts [0x2000],ecx
    CHECK(!(t->c.eflags & CF));
    CHECK(t->mem.read<uint32_t>(0x1FF8) == 0x80000000);
    CHECK(t->mem.read<uint32_t>(0x2000) == 0);
  }
  SUBCASE("BTC offset -59 -> dword at -8, bit 5") {
    auto t = machine();
    t->c.gpr[ECX] = uint32_t(-59);
    t->run_code({0x0F, 0xBB, 0x0D, 0x00, 0x20, 0x00, 0x00});  // btc [0x2000],ecx
    CHECK(t->mem.read<uint32_t>(0x1FF8) == 0x20);
  }
  SUBCASE("BTR offset 0x80003 -> 64 KiB further, bit 3") {
    auto t = machine();
    t->c.gpr[ECX] = 0x80003;
    t->run_code({0x0F, 0xB3, 0x0D, 0x00, 0x20, 0x00, 0x00});  // btr [0x2000],ecx
    CHECK((t->c.eflags & CF));
    CHECK(t->mem.read<uint32_t>(0x12000) == 0xF7);
  }
  SUBCASE("16-bit operand: the offset is the signed word CX, steps of 2 bytes") {
    auto t = machine();
    t->c.gpr[ECX] = 0x0001FFFF;  // CX = -1 -> word at 0x1FFE, bit 15 (= 0x80 at 0x1FFF)
    t->run_code({0x66, 0x0F, 0xA3, 0x0D, 0x00, 0x20, 0x00, 0x00});  // bt word [0x2000],cx
    CHECK((t->c.eflags & CF));
  }
  SUBCASE("far offsets are limit-checked at the moved address") {
    auto t = machine();
    t->c.seg[DS].limit = 0xFFFF;
    t->c.gpr[ECX] = 0x80000000;  // -2^31 bits: 256 MiB below 0x2000
    CHECK(t->run_code({0x0F, 0xA3, 0x0D, 0x00, 0x20, 0x00, 0x00}) == Exit::Shutdown);
    CHECK(t->c.fault_vec == kGP);
    CHECK(t->c.eip == kCode);
  }
}

TEST_CASE("bit: BT memory in real mode: word steps and 16-bit address wrap") {
  xt::TestMachine t;
  t.c.seg[DS].base = 0x20000;
  t.mem.write<uint16_t>(0x2FFFE, 0x0002);  // DS:FFFE bit 1
  t.c.gpr[EBX] = 0;
  t.c.gpr[EAX] = 0xFFF1;  // -15: word -1 (DS:0 - 2 wraps to DS:FFFE), bit 1
  t.run_code({0x0F, 0xA3, 0x07});  // bt [bx],ax
  CHECK(t.c.halted);
  CHECK((t.c.eflags & CF));
}

TEST_CASE("bit: BT Ev,Ib never moves the address; the immediate is masked") {
  xt::TestMachine t;
  t.flat32();
  t.mem.write<uint32_t>(0x2000, 0x00000010);
  t.mem.write<uint32_t>(0x200C, 0xFFFFFFFF);
  t.run_code({0x0F, 0xBA, 0x25, 0x00, 0x20, 0x00, 0x00, 0x64});  // bt dword [0x2000],100 (= 4)
  CHECK((t.c.eflags & CF));
  t.c.halted = 0;
  t.c.eip = kCode;
  t.run_code({0x0F, 0xBA, 0x2D, 0x00, 0x20, 0x00, 0x00, 0x65});  // bts dword [0x2000],101 (= 5)
  CHECK(!(t.c.eflags & CF));
  CHECK(t.mem.read<uint32_t>(0x2000) == 0x30);
  CHECK(t.mem.read<uint32_t>(0x200C) == 0xFFFFFFFF);

  xt::TestMachine r;  // real mode, word operand: 0x13 -> bit 3
  r.mem.write<uint16_t>(0x2000, 0x0008);
  r.run_code({0x0F, 0xBA, 0x26, 0x00, 0x20, 0x13});
  CHECK((r.c.eflags & CF));
}

TEST_CASE("bit: BT reads a read-only segment; BTS there faults without writing") {
  xt::TestMachine t;
  t.flat32();
  t.c.seg[DS].attr &= ~SEG_RW;
  t.mem.write<uint32_t>(0x2000, 1);
  t.run_code({0x0F, 0xA3, 0x0D, 0x00, 0x20, 0x00, 0x00});  // bt [0x2000],ecx (ecx = 0)
  CHECK(t.c.halted);
  CHECK((t.c.eflags & CF));
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[ECX] = 1;
  CHECK(t.run_code({0x0F, 0xAB, 0x0D, 0x00, 0x20, 0x00, 0x00}) == Exit::Shutdown);  // bts
  CHECK(t.c.fault_vec == kGP);
  CHECK(t.mem.read<uint32_t>(0x2000) == 1);
}

TEST_CASE("bit: BSF/BSR find the lowest/highest set bit; a zero source sets ZF only") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EBX] = 0x00F00000;
  t.c.eflags = kFlagsFixed1 | ZF;
  t.run_code({0x0F, 0xBC, 0xC3, 0x0F, 0xBD, 0xCB});  // bsf eax,ebx ; bsr ecx,ebx
  CHECK(t.r(EAX) == 20);
  CHECK(t.r(ECX) == 23);
  CHECK(!(t.c.eflags & ZF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EBX] = 0;
  t.c.gpr[EAX] = 0xDEADBEEF;
  t.c.gpr[ECX] = 0xCAFEBABE;
  t.c.eflags = kFlagsFixed1;
  t.run_code({0x0F, 0xBC, 0xC3, 0x0F, 0xBD, 0xCB});
  CHECK(t.r(EAX) == 0xDEADBEEF);  // destination unchanged
  CHECK(t.r(ECX) == 0xCAFEBABE);
  CHECK((t.c.eflags & ZF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EBX] = 0x80000001;
  t.run_code({0x0F, 0xBC, 0xC3, 0x0F, 0xBD, 0xCB});
  CHECK(t.r(EAX) == 0);
  CHECK(t.r(ECX) == 31);
}

TEST_CASE("bit: BSF/BSR 16-bit and memory forms") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EBX] = 0x12348000;
  t.c.gpr[EAX] = 0xDEADBEEF;
  t.c.gpr[ECX] = 0xCAFEBABE;
  t.run_code({0x66, 0x0F, 0xBC, 0xC3, 0x66, 0x0F, 0xBD, 0xCB});  // bsf ax,bx ; bsr cx,bx
  CHECK(t.r(EAX) == 0xDEAD000F);
  CHECK(t.r(ECX) == 0xCAFE000F);

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EBX] = 0x00010000;  // BX = 0
  t.run_code({0x66, 0x0F, 0xBC, 0xC3});
  CHECK(t.r(EAX) == 0xDEAD000F);
  CHECK((t.c.eflags & ZF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.mem.write<uint32_t>(0x2000, 0x00000101);
  t.run_code({0x0F, 0xBD, 0x15, 0x00, 0x20, 0x00, 0x00,    // bsr edx,[0x2000]
              0x0F, 0xBC, 0x35, 0x00, 0x20, 0x00, 0x00});  // bsf esi,[0x2000]
  CHECK(t.r(EDX) == 8);
  CHECK(t.r(ESI) == 0);
  CHECK(!(t.c.eflags & ZF));
}

TEST_CASE("bit: F3 0F BC/BD (TZCNT/LZCNT on later CPUs) execute as BSF/BSR") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EBX] = 0x100;
  t.run_code({0xF3, 0x0F, 0xBC, 0xC3, 0xF3, 0x0F, 0xBD, 0xCB});
  CHECK(t.r(EAX) == 8);   // TZCNT would also give 8
  CHECK(t.r(ECX) == 8);   // LZCNT would give 23
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EBX] = 0;
  t.c.gpr[EAX] = 0x55;
  t.run_code({0xF3, 0x0F, 0xBC, 0xC3});
  CHECK(t.r(EAX) == 0x55);  // TZCNT would give 32
  CHECK((t.c.eflags & ZF));
}

TEST_CASE("bit: SETcc, all sixteen conditions, register and memory forms") {
  // Per flag combination, the set of conditions that hold (bit cc), written
  // out from the SDM condition table.
  struct Case { uint32_t fl; uint16_t holds; };
  const Case cases[] = {{0, 0xAAAA},      {CF, 0xAA66},      {ZF | PF, 0x665A},           {SF, 0x59AA},
                        {SF | OF, 0xA9A9}, {OF, 0x5AA9},     {SF | OF | ZF | CF, 0x6955}};
  for (const Case& k : cases) {
    for (unsigned cc = 0; cc < 16; ++cc) {
      xt::TestMachine t;
      t.flat32();
      t.c.eflags = kFlagsFixed1 | k.fl;
      t.c.gpr[EAX] = 0x12345678;
      t.mem.write<uint32_t>(0x2000, 0xAAAAAAAA);
      t.run_code({0x0F, uint8_t(0x90 + cc), 0xC0,                               // setcc al
                  0x0F, uint8_t(0x90 + cc), 0x05, 0x00, 0x20, 0x00, 0x00});    // setcc [0x2000]
      bool holds = (k.holds >> cc) & 1;
      CAPTURE(cc);
      CAPTURE(k.fl);
      CHECK(t.r(EAX) == (0x12345600u | holds));
      CHECK(t.mem.read<uint32_t>(0x2000) == (0xAAAAAA00u | holds));
      CHECK(t.c.eflags == (kFlagsFixed1 | k.fl));
    }
  }
}

TEST_CASE("bit: SETcc ignores ModRM.reg; SETcc AH writes the high byte") {
  xt::TestMachine t;
  t.flat32();
  t.c.eflags = kFlagsFixed1 | ZF;
  t.c.gpr[EAX] = 0xFFFFFFFF;
  t.run_code({0x0F, 0x94, 0xC8, 0x0F, 0x94, 0xE4});  // setz al (reg field 1) ; setz ah
  CHECK(t.r(EAX) == 0xFFFF0101);
}
