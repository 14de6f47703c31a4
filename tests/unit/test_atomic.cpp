// The atomic family: XADD, CMPXCHG, CMPXCHG8B.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
constexpr uint32_t kCode = xt::TestMachine::kCode;
}  // namespace

TEST_CASE("atomic: XADD register forms exchange and add, with ADD flags") {
  struct Case { uint32_t dst, src, sum, flags; };
  const Case cases[] = {
      {5, 7, 12, PF},                                 // 12 = 1100b: even parity
      {0x7FFFFFFF, 1, 0x80000000, OF | SF | AF | PF},  // signed overflow; low byte 00
      {0xFFFFFFFF, 1, 0, CF | ZF | AF | PF},
  };
  for (const Case& k : cases) {
    xt::TestMachine t;
    t.flat32();
    t.c.gpr[EBX] = k.dst;
    t.c.gpr[ECX] = k.src;
    t.run_code({0x0F, 0xC1, 0xCB});  // xadd ebx,ecx
    CAPTURE(k.dst);
    CHECK(t.r(EBX) == k.sum);
    CHECK(t.r(ECX) == k.dst);
    CHECK((t.c.eflags & kArithFlags) == k.flags);
  }
}

TEST_CASE("atomic: XADD with the same register, byte halves and 16-bit operands") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EAX] = 3;
  t.run_code({0x0F, 0xC1, 0xC0});  // xadd eax,eax: SRC = 3, then DEST = 6
  CHECK(t.r(EAX) == 6);

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0x12349080;  // AH = 90, AL = 80
  t.run_code({0x0F, 0xC0, 0xE0});  // xadd al,ah
  CHECK(t.r(EAX) == 0x12348010);
  CHECK((t.c.eflags & (CF | OF | SF | ZF)) == (CF | OF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EBX] = 0xAAAA0001;
  t.c.gpr[ECX] = 0xBBBBFFFF;
  t.run_code({0x66, 0x0F, 0xC1, 0xCB});  // xadd bx,cx
  CHECK(t.r(EBX) == 0xAAAA0000);
  CHECK(t.r(ECX) == 0xBBBB0001);
  CHECK((t.c.eflags & (CF | ZF)) == (CF | ZF));
}

TEST_CASE("atomic: LOCK XADD memory; a read-only destination faults and changes nothing") {
  xt::TestMachine t;
  t.flat32();
  t.mem.write<uint32_t>(0x2000, 10);
  t.c.gpr[EAX] = 0xFFFFFFFF;
  t.run_code({0xF0, 0x0F, 0xC1, 0x05, 0x00, 0x20, 0x00, 0x00});  // lock xadd [0x2000],eax
  CHECK(t.c.halted);
  CHECK(t.mem.read<uint32_t>(0x2000) == 9);
  CHECK(t.r(EAX) == 10);
  CHECK((t.c.eflags & CF));

  xt::TestMachine r;
  r.flat32();
  r.c.seg[DS].attr &= ~SEG_RW;
  r.mem.write<uint32_t>(0x2000, 10);
  r.c.gpr[EAX] = 1;
  CHECK(r.run_code({0x0F, 0xC1, 0x05, 0x00, 0x20, 0x00, 0x00}) == Exit::Shutdown);
  CHECK(r.c.fault_vec == kGP);
  CHECK(r.r(EAX) == 1);
  CHECK(r.mem.read<uint32_t>(0x2000) == 10);
}

TEST_CASE("atomic: CMPXCHG memory, success and failure") {
  xt::TestMachine t;
  t.flat32();
  t.mem.write<uint32_t>(0x2000, 5);
  t.c.gpr[EAX] = 5;
  t.c.gpr[ECX] = 9;
  t.c.eflags = kFlagsFixed1 | CF;
  t.run_code({0x0F, 0xB1, 0x0D, 0x00, 0x20, 0x00, 0x00});  // cmpxchg [0x2000],ecx
  CHECK(t.mem.read<uint32_t>(0x2000) == 9);
  CHECK(t.r(EAX) == 5);
  CHECK((t.c.eflags & kArithFlags) == (ZF | PF));  // CMP 5,5

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 8;  // 8 - 9: CF, SF, AF (borrow from bit 4), result FF..FF: PF
  t.run_code({0x0F, 0xB1, 0x0D, 0x00, 0x20, 0x00, 0x00});
  CHECK(t.mem.read<uint32_t>(0x2000) == 9);
  CHECK(t.r(EAX) == 9);
  CHECK((t.c.eflags & kArithFlags) == (CF | SF | AF | PF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.mem.write<uint32_t>(0x2000, 1);
  t.c.gpr[EAX] = 0x80000000;  // 0x80000000 - 1 = 0x7FFFFFFF: OF, AF, PF (low byte FF)
  t.run_code({0x0F, 0xB1, 0x0D, 0x00, 0x20, 0x00, 0x00});
  CHECK(t.r(EAX) == 1);
  CHECK((t.c.eflags & kArithFlags) == (OF | AF | PF));
}

TEST_CASE("atomic: CMPXCHG writes its destination even when the comparison fails") {
  xt::TestMachine t;
  t.flat32();
  t.c.seg[DS].attr &= ~SEG_RW;
  t.mem.write<uint32_t>(0x2000, 5);
  t.c.gpr[EAX] = 4;
  t.c.gpr[ECX] = 9;
  CHECK(t.run_code({0x0F, 0xB1, 0x0D, 0x00, 0x20, 0x00, 0x00}) == Exit::Shutdown);
  CHECK(t.c.fault_vec == kGP);
  CHECK(t.c.eip == kCode);
  CHECK(t.r(EAX) == 4);  // the accumulator load was undone
  CHECK(t.mem.read<uint32_t>(0x2000) == 5);
}

TEST_CASE("atomic: CMPXCHG register, byte and word forms") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EAX] = 7;
  t.c.gpr[EBX] = 7;
  t.c.gpr[ECX] = 0x1234;
  t.run_code({0x0F, 0xB1, 0xCB});  // cmpxchg ebx,ecx: equal
  CHECK(t.r(EBX) == 0x1234);
  CHECK(t.r(EAX) == 7);
  CHECK((t.c.eflags & ZF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 1;
  t.c.gpr[EBX] = 2;
  t.run_code({0x0F, 0xB1, 0xCB});  // not equal: EAX = EBX
  CHECK(t.r(EAX) == 2);
  CHECK(t.r(EBX) == 2);
  CHECK(!(t.c.eflags & ZF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0x11111142;
  t.c.gpr[EBX] = 0x22222243;
  t.c.gpr[ECX] = 0x33333344;
  t.run_code({0x0F, 0xB0, 0xCB});  // cmpxchg bl,cl: 42 != 43 -> AL = 43
  CHECK(t.r(EAX) == 0x11111143);
  CHECK(t.r(EBX) == 0x22222243);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.run_code({0x0F, 0xB0, 0xCB});  // now equal: BL = CL
  CHECK(t.r(EBX) == 0x22222244);

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0xAAAA0001;
  t.c.gpr[EBX] = 0xBBBB0002;
  t.run_code({0x66, 0x0F, 0xB1, 0xCB});  // cmpxchg bx,cx: not equal -> AX = 2
  CHECK(t.r(EAX) == 0xAAAA0002);

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0x55;
  t.c.gpr[ECX] = 0x66;
  t.run_code({0x0F, 0xB1, 0xC8});  // cmpxchg eax,ecx: always equal -> EAX = ECX
  CHECK(t.r(EAX) == 0x66);
  CHECK((t.c.eflags & ZF));
}

TEST_CASE("atomic: CMPXCHG8B success and failure; only ZF changes") {
  xt::TestMachine t;
  t.flat32();
  t.mem.write<uint64_t>(0x2000, 0x1122334455667788ull);
  t.c.gpr[EDX] = 0x11223344;
  t.c.gpr[EAX] = 0x55667788;
  t.c.gpr[ECX] = 0xCAFEBABE;
  t.c.gpr[EBX] = 0xDEADBEEF;
  t.c.eflags = kFlagsFixed1 | CF | SF;
  t.run_code({0x0F, 0xC7, 0x0D, 0x00, 0x20, 0x00, 0x00});  // cmpxchg8b [0x2000]
  CHECK(t.mem.read<uint64_t>(0x2000) == 0xCAFEBABEDEADBEEFull);
  CHECK(t.r(EDX) == 0x11223344);
  CHECK(t.r(EAX) == 0x55667788);
  CHECK((t.c.eflags & kArithFlags) == (CF | SF | ZF));

  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.eflags = kFlagsFixed1 | ZF | OF;
  t.run_code({0x0F, 0xC7, 0x0D, 0x00, 0x20, 0x00, 0x00});  // now different: load EDX:EAX
  CHECK(t.mem.read<uint64_t>(0x2000) == 0xCAFEBABEDEADBEEFull);
  CHECK(t.r(EDX) == 0xCAFEBABE);
  CHECK(t.r(EAX) == 0xDEADBEEF);
  CHECK((t.c.eflags & kArithFlags) == OF);
}

TEST_CASE("atomic: CMPXCHG8B faults: read-only destination, limit, register form") {
  SUBCASE("a failing compare still writes: #GP on a read-only segment") {
    xt::TestMachine t;
    t.flat32();
    t.c.seg[DS].attr &= ~SEG_RW;
    t.mem.write<uint64_t>(0x2000, 1);
    CHECK(t.run_code({0x0F, 0xC7, 0x0D, 0x00, 0x20, 0x00, 0x00}) == Exit::Shutdown);
    CHECK(t.c.fault_vec == kGP);
    CHECK(t.r(EAX) == 0);
  }
  SUBCASE("real mode: all 8 bytes must be inside the limit") {
    xt::TestMachine t;
    t.ivt_halt(kGP);
    t.run_code({0x0F, 0xC7, 0x0E, 0xF9, 0xFF});  // cmpxchg8b [0xFFF9]
    CHECK(t.c.eip == 0x0500u + kGP + 1);
    CHECK(t.mem.read<uint16_t>(0x8000 - 6) == kCode);
  }
  SUBCASE("real mode works with full 32-bit registers, 66 changes nothing") {
    xt::TestMachine t;
    t.mem.write<uint64_t>(0x2000, 0x0000000100000002ull);
    t.c.gpr[EDX] = 1;
    t.c.gpr[EAX] = 2;
    t.c.gpr[ECX] = 0x80000000;
    t.c.gpr[EBX] = 0x70000000;
    t.run_code({0x66, 0x0F, 0xC7, 0x0E, 0x00, 0x20});
    CHECK(t.mem.read<uint64_t>(0x2000) == 0x8000000070000000ull);
    CHECK((t.c.eflags & ZF));
  }
  SUBCASE("register operand is #UD") {
    xt::TestMachine t;
    t.ivt_halt(kUD);
    t.run_code({0x0F, 0xC7, 0xC8});
    CHECK(t.c.eip == 0x0500u + kUD + 1);
    CHECK(t.mem.read<uint16_t>(0x8000 - 6) == kCode);
  }
}

TEST_CASE("atomic: XADD whose register is part of the address writes the old address") {
  xt::TestMachine t;
  t.flat32();
  // xadd [esi+edx*4], edx with esi=0x3000, edx=4: address 0x3010 computed before EDX changes.
  t.c.gpr[cpu::ESI] = 0x3000;
  t.c.gpr[cpu::EDX] = 4;
  t.mem.write<uint32_t>(0x3010, 100);
  t.run_code({0x0F, 0xC1, 0x14, 0x96});
  CHECK(t.mem.read<uint32_t>(0x3010) == 104);
  CHECK(t.r(cpu::EDX) == 100);
}
