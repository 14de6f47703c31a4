// Core plumbing: memory, the decode wrapper's basics, the interpreter loop.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

TEST_CASE("memory: A20 off wraps at 1 MiB, unassigned reads all ones") {
  mmu::Memory m(2u << 20);
  m.write<uint8_t>(0x000000, 0x11);
  m.write<uint8_t>(0x100000, 0x22);
  CHECK(m.read<uint8_t>(0x100000) == 0x22);
  m.set_a20(false);
  CHECK(m.read<uint8_t>(0x100000) == 0x11);
  m.write<uint8_t>(0x0FFFFF, 0x33);
  CHECK(m.read<uint16_t>(0x0FFFFF) == 0x1133);  // second byte wraps to 0
  m.set_a20(true);
  CHECK(m.read<uint32_t>(0xFFFFFFF0u) == 0xFFFFFFFFu);
  m.write<uint32_t>(0xFFFFFFF0u, 0);  // ignored, no crash
  CHECK(m.read<uint16_t>((2u << 20) - 1) == 0xFF00 + m.read<uint8_t>((2u << 20) - 1));
}

TEST_CASE("decode: unknown encodings are #UD, never something else") {
  xt::TestMachine t;
  t.ivt_halt(kUD);
  // 0F 0B = UD2 has no handler unless the system family defines it; 0F 38 00 (SSSE3) never does.
  t.run_code({0x0F, 0x38, 0x00, 0xC0});
  CHECK(t.c.seg[CS].sel == 0);
  CHECK(t.c.eip == 0x0500 + kUD + 1);  // halted in the #UD handler
  // The pushed IP is the faulting instruction.
  CHECK(t.mem.read<uint16_t>(0x8000 - 6) == xt::TestMachine::kCode);
}

TEST_CASE("interp: MOV forms and HLT") {
  xt::TestMachine t;
  // mov ax,0x1234 ; mov bx,ax ; mov [0x2000],bx ; mov cl,[0x2001] ; mov eax,0x89abcdef (66 prefix)
  t.run_code({0xB8, 0x34, 0x12, 0x89, 0xC3, 0x89, 0x1E, 0x00, 0x20, 0x8A, 0x0E, 0x01, 0x20,
              0x66, 0xB8, 0xEF, 0xCD, 0xAB, 0x89});
  CHECK(t.c.halted);
  CHECK(t.r(EBX) == 0x1234);
  CHECK((t.r(ECX) & 0xFF) == 0x12);
  CHECK(t.r(EAX) == 0x89ABCDEF);
  CHECK(t.mem.read<uint16_t>(0x2000) == 0x1234);
}

TEST_CASE("interp: a word access at offset 0xFFFF is #GP in real mode") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  t.run_code({0xA1, 0xFF, 0xFF});  // mov ax,[0xFFFF]
  CHECK(t.c.eip == 0x0500 + kGP + 1);
  CHECK(t.mem.read<uint16_t>(0x8000 - 6) == xt::TestMachine::kCode);
}

TEST_CASE("interp: writing the running block is seen by the next instruction") {
  xt::TestMachine t;
  // mov byte [0x1008], 0x40 ; (at 0x1005) nop ; nop ; nop ; (0x1008) nop -> becomes inc ax
  t.c.gpr[EAX] = 5;
  t.run_code({0xC6, 0x06, 0x08, 0x10, 0x40, 0x90, 0x90, 0x90, 0x90});
  // The block holding all five instructions was decoded before the store; the
  // patched byte must still run as INC AX.
  CHECK(t.c.halted);
  CHECK((t.r(EAX) & 0xFFFF) == 6);
  CHECK(t.engine->icache().stats().invalidations >= 1);
}
