// Exception delivery in real mode: vectors, pushed CS:IP/FLAGS, precise state,
// and escalation to double fault and shutdown.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
constexpr uint32_t kCode = xt::TestMachine::kCode;
// The real-mode frame at SS:SP after delivery: IP, CS, FLAGS.
struct Frame { uint16_t ip, cs, flags; };
Frame frame(xt::TestMachine& t) {
  uint32_t sp = t.c.seg[SS].base + (t.r(ESP) & 0xFFFF);
  return {t.mem.read<uint16_t>(sp), t.mem.read<uint16_t>(sp + 2), t.mem.read<uint16_t>(sp + 4)};
}
}  // namespace

TEST_CASE("exceptions: #GP is precise: earlier instructions done, the faulting one undone") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  t.c.eflags |= IF | CF;
  // mov ax,1 ; mov bx,[0xFFFF] (faults) ; mov cx,2 (never runs)
  t.run_code({0xB8, 0x01, 0x00, 0x8B, 0x1E, 0xFF, 0xFF, 0xB9, 0x02, 0x00});
  CHECK(t.r(EAX) == 1);
  CHECK(t.r(EBX) == 0);
  CHECK(t.r(ECX) == 0);
  Frame f = frame(t);
  CHECK(f.ip == kCode + 3);
  CHECK(f.cs == 0);
  CHECK((f.flags & (IF | CF)) == (IF | CF));
  CHECK((t.c.eflags & IF) == 0);  // delivery clears IF and TF
  CHECK(t.r(ESP) == 0x8000 - 6);
}

TEST_CASE("exceptions: #SS for a stack-segment operand past the limit") {
  xt::TestMachine t;
  t.ivt_halt(kSS);
  t.c.gpr[EBP] = 0xFFFF;
  t.run_code({0x8B, 0x46, 0x00});  // mov ax,[bp+0] -> SS:FFFF word
  CHECK(t.c.eip == 0x0500 + kSS + 1);
  CHECK(frame(t).ip == kCode);
}

TEST_CASE("exceptions: #UD pushes the address of the invalid instruction, CS included") {
  xt::TestMachine t;
  t.ivt_halt(kUD);
  t.c.seg[CS].sel = 0x0010;
  t.c.seg[CS].base = 0x0100;
  t.c.eip = kCode - 0x100;
  t.load(kCode, {0x0F, 0x38, 0x00, 0xC0, 0xF4});  // pshufb (not a P6 instruction)
  t.engine->run(t.c, 100);
  Frame f = frame(t);
  CHECK(f.cs == 0x0010);
  CHECK(f.ip == kCode - 0x100);
  CHECK(t.c.seg[CS].sel == 0);
}

TEST_CASE("exceptions: IVT entries come from IDTR.base (LIDT in real mode)") {
  xt::TestMachine t;
  t.c.idtr.base = 0x4000;
  t.mem.write<uint16_t>(0x4000 + kUD * 4, 0x0600);
  t.mem.write<uint16_t>(0x4000 + kUD * 4 + 2, 0x0000);
  t.mem.write<uint8_t>(0x0600, 0xF4);
  t.run_code({0x0F, 0x38, 0x00, 0xC0});
  CHECK(t.c.eip == 0x0601);
}

TEST_CASE("exceptions: a fault while delivering escalates to shutdown") {
  xt::TestMachine t;
  t.ivt_halt(kSS);
  t.ivt_halt(kDF);
  // SP = 1: pushing a word needs SS:FFFF..0x10000 -> #SS; delivering #SS needs the
  // same stack -> #DF; delivering #DF faults again -> shutdown (triple fault).
  t.c.gpr[ESP] = 1;
  Exit e = t.run_code({0x06});  // push es (if the stack family is there), else #UD -> same stack
  CHECK(e == Exit::Shutdown);
  CHECK((t.c.events & EV_SHUTDOWN) != 0);
}

TEST_CASE("exceptions: fetching past the CS limit is #GP(0)") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  t.c.seg[CS].limit = kCode + 1;  // the 3-byte MOV does not fit
  t.run_code({0xB8, 0x01, 0x00});
  CHECK(t.r(EAX) == 0);
  CHECK(frame(t).ip == kCode);
}
