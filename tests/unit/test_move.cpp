// The move family: MOVZX/MOVSX, XCHG, CBW.., LAHF/SAHF, XLAT, BSWAP, CMOVcc
// and the NOP forms.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
constexpr uint32_t kCode = xt::TestMachine::kCode;
// Real mode: did the CPU end up in the HLT of the IVT handler for `vec`, with
// the faulting instruction's IP pushed?
bool real_fault(xt::TestMachine& t, uint8_t vec, uint16_t ip = kCode) {
  return t.c.eip == 0x0500u + vec + 1 && t.mem.read<uint16_t>(0x8000 - 6) == ip;
}
}  // namespace

TEST_CASE("move: MOVZX/MOVSX byte and word sources, 32- and 16-bit destinations") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EBX] = 0x000080F0;
  t.c.gpr[EDI] = 0xAAAA5555;
  t.c.gpr[EBP] = 0x11112222;
  t.run_code({0x0F, 0xB6, 0xC3,         // movzx eax,bl
              0x0F, 0xBE, 0xCB,         // movsx ecx,bl
              0x0F, 0xB7, 0xD3,         // movzx edx,bx
              0x0F, 0xBF, 0xF3,         // movsx esi,bx
              0x66, 0x0F, 0xB6, 0xFF,   // movzx di,bh
              0x66, 0x0F, 0xBE, 0xEF}); // movsx bp,bh
  CHECK(t.c.halted);
  CHECK(t.r(EAX) == 0x000000F0);
  CHECK(t.r(ECX) == 0xFFFFFFF0);
  CHECK(t.r(EDX) == 0x000080F0);
  CHECK(t.r(ESI) == 0xFFFF80F0);
  CHECK(t.r(EDI) == 0xAAAA0080);
  CHECK(t.r(EBP) == 0x1111FF80);
}

TEST_CASE("move: MOVZX/MOVSX from memory and the Gw,Ew forms") {
  xt::TestMachine t;
  t.flat32();
  t.mem.write<uint16_t>(0x2000, 0x9385);
  t.c.gpr[EDX] = 0xCCCCCCCC;
  t.c.gpr[ESI] = 0xDDDDDDDD;
  t.run_code({0x0F, 0xBE, 0x05, 0x00, 0x20, 0x00, 0x00,          // movsx eax,byte [0x2000]
              0x0F, 0xB6, 0x1D, 0x01, 0x20, 0x00, 0x00,          // movzx ebx,byte [0x2001]
              0x0F, 0xBF, 0x0D, 0x00, 0x20, 0x00, 0x00,          // movsx ecx,word [0x2000]
              0x66, 0x0F, 0xB7, 0x15, 0x00, 0x20, 0x00, 0x00,    // movzx dx,word [0x2000]
              0x66, 0x0F, 0xBF, 0x35, 0x00, 0x20, 0x00, 0x00});  // movsx si,word [0x2000]
  CHECK(t.r(EAX) == 0xFFFFFF85);
  CHECK(t.r(EBX) == 0x00000093);
  CHECK(t.r(ECX) == 0xFFFF9385);
  CHECK(t.r(EDX) == 0xCCCC9385);
  CHECK(t.r(ESI) == 0xDDDD9385);
}

TEST_CASE("move: XCHG register, byte-half, accumulator and memory forms") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0xAAAA1234;
  t.c.gpr[EBX] = 0x11111111;
  t.c.gpr[ECX] = 0x22222222;
  t.c.gpr[EDX] = 0x5555BEEF;
  t.c.gpr[ESI] = 0x77770042;
  t.mem.write<uint16_t>(0x2000, 0xCAFE);
  t.run_code({0x86, 0xE0,                    // xchg al,ah
              0x66, 0x87, 0xCB,              // xchg ebx,ecx
              0x92,                          // xchg dx,ax
              0x87, 0x36, 0x00, 0x20});      // xchg [0x2000],si
  CHECK(t.r(EAX) == 0xAAAABEEF);
  CHECK(t.r(EDX) == 0x55553412);
  CHECK(t.r(EBX) == 0x22222222);
  CHECK(t.r(ECX) == 0x11111111);
  CHECK(t.r(ESI) == 0x7777CAFE);
  CHECK(t.mem.read<uint16_t>(0x2000) == 0x0042);
}

TEST_CASE("move: XCHG with the same register twice, and 32-bit accumulator forms") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EAX] = 0x01020304;
  t.c.gpr[EDI] = 0x0A0B0C0D;
  t.c.gpr[ECX] = 0x55667788;
  t.run_code({0x97,          // xchg edi,eax
              0x87, 0xC9,    // xchg ecx,ecx
              0x86, 0xED});  // xchg ch,ch
  CHECK(t.r(EAX) == 0x0A0B0C0D);
  CHECK(t.r(EDI) == 0x01020304);
  CHECK(t.r(ECX) == 0x55667788);
}

TEST_CASE("move: XCHG with a read-only memory operand faults and changes nothing") {
  xt::TestMachine t;
  t.flat32();
  t.c.seg[DS].attr &= ~SEG_RW;  // read-only data segment
  t.c.gpr[EAX] = 0x12345678;
  t.mem.write<uint32_t>(0x2000, 0xAABBCCDD);
  CHECK(t.run_code({0x87, 0x05, 0x00, 0x20, 0x00, 0x00}) == Exit::Shutdown);  // xchg [0x2000],eax
  CHECK(t.c.fault_vec == kGP);
  CHECK(t.c.eip == kCode);
  CHECK(t.r(EAX) == 0x12345678);
  CHECK(t.mem.read<uint32_t>(0x2000) == 0xAABBCCDD);
}

TEST_CASE("move: 66 90 and F3 90 (PAUSE) are NOPs, not XCHG") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EAX] = 0x12345678;
  t.run_code({0x66, 0x90, 0xF3, 0x90, 0x90});
  CHECK(t.c.halted);
  CHECK(t.c.eip == kCode + 6);
  CHECK(t.r(EAX) == 0x12345678);
}

TEST_CASE("move: CBW, CWD, CWDE, CDQ keep the bits above their operand size") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0xDEAD0080;
  t.c.gpr[EDX] = 0x12345678;
  t.run_code({0x98});  // cbw
  CHECK(t.r(EAX) == 0xDEADFF80);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.run_code({0x99});  // cwd
  CHECK(t.r(EDX) == 0x1234FFFF);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0xDEAD7F80;
  t.run_code({0x98, 0x99, 0x66, 0x98, 0x66, 0x99});  // cbw; cwd; cwde; cdq
  CHECK(t.r(EAX) == 0xFFFFFF80);
  CHECK(t.r(EDX) == 0xFFFFFFFF);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0x80007FFF;
  t.c.gpr[EDX] = 0xFFFFFFFF;
  t.run_code({0x66, 0x98, 0x66, 0x99});  // cwde; cdq
  CHECK(t.r(EAX) == 0x00007FFF);
  CHECK(t.r(EDX) == 0);
}

TEST_CASE("move: LAHF and SAHF") {
  xt::TestMachine t;
  t.c.eflags = kFlagsFixed1 | CF | ZF | OF | IF;
  t.c.gpr[EAX] = 0x1111FF22;
  t.run_code({0x9F});  // lahf
  CHECK(t.r(EAX) == 0x11114322);  // ZF | bit 1 | CF
  t.c.halted = 0;
  t.c.eip = kCode;
  t.run_code({0xB4, 0xFF, 0x9E});  // mov ah,0xff ; sahf
  CHECK((t.c.eflags & (kArithFlags | IF)) == (kArithFlags | IF));  // OF untouched (was set)
  CHECK((t.c.eflags & 0x28) == 0);  // bits 3 and 5 stay clear
  t.c.halted = 0;
  t.c.eip = kCode;
  t.run_code({0xB4, 0x00, 0x9E});  // mov ah,0 ; sahf
  CHECK((t.c.eflags & kArithFlags) == OF);
}

TEST_CASE("move: XLAT, 16-bit offsets wrap, segment override") {
  xt::TestMachine t;
  t.c.seg[DS].base = 0x3000;
  t.c.seg[ES].base = 0x5000;
  t.mem.write<uint8_t>(0x3000 + 0x2085, 0x77);
  t.mem.write<uint8_t>(0x3000 + 0x0001, 0x66);
  t.mem.write<uint8_t>(0x5000 + 0x2085, 0x55);
  t.c.gpr[EBX] = 0x00012000;  // the upper half of EBX is ignored with 16-bit addresses
  t.c.gpr[EAX] = 0xABCD0085;
  t.run_code({0xD7});  // xlat
  CHECK(t.r(EAX) == 0xABCD0077);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0x85;
  t.run_code({0x26, 0xD7});  // xlat es:
  CHECK(t.r(EAX) == 0x55);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EBX] = 0xFFFF;
  t.c.gpr[EAX] = 0x02;
  t.run_code({0xD7});  // 0xFFFF + 2 wraps to 0x0001
  CHECK(t.r(EAX) == 0x66);
}

TEST_CASE("move: XLAT with a 32-bit address size uses EBX and does not wrap") {
  xt::TestMachine t(2u << 20);
  t.flat32();
  t.mem.write<uint8_t>(0x100080, 0x42);
  t.mem.write<uint8_t>(0x20010, 0x43);
  t.mem.write<uint8_t>(0x00010, 0x44);
  t.c.gpr[EBX] = 0x100000;
  t.c.gpr[EAX] = 0x80;
  t.run_code({0xD7});
  CHECK(t.r(EAX) == 0x42);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EBX] = 0x1FFF0;
  t.c.gpr[EAX] = 0x20;
  t.run_code({0xD7});  // 32-bit: 0x20010
  CHECK(t.r(EAX) == 0x43);
  t.c.halted = 0;
  t.c.eip = kCode;
  t.c.gpr[EAX] = 0x20;
  t.run_code({0x67, 0xD7});  // 16-bit address in 32-bit code: BX + AL wraps to 0x0010
  CHECK(t.r(EAX) == 0x44);
}

TEST_CASE("move: XLAT with 67 in real mode is limit-checked at 32 bits") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  t.c.gpr[EBX] = 0xFFF0;
  t.c.gpr[EAX] = 0x20;
  t.run_code({0x67, 0xD7});  // offset 0x10010 > limit 0xFFFF
  CHECK(real_fault(t, kGP));
  CHECK((t.r(EAX) & 0xFF) == 0x20);
}

TEST_CASE("move: BSWAP; the 16-bit form clears the low word") {
  xt::TestMachine t;
  t.flat32();
  t.c.gpr[EAX] = 0x12345678;
  t.c.gpr[EDI] = 0x80000001;
  t.c.gpr[ECX] = 0xAABBCCDD;
  t.c.gpr[ESP] = 0x11223344;
  t.run_code({0x0F, 0xC8, 0x0F, 0xCF, 0x66, 0x0F, 0xC9, 0x0F, 0xCC});
  CHECK(t.r(EAX) == 0x78563412);
  CHECK(t.r(EDI) == 0x01000080);
  CHECK(t.r(ECX) == 0xAABB0000);
  CHECK(t.r(ESP) == 0x44332211);
}

TEST_CASE("move: CMOVcc register forms, all sixteen conditions") {
  // Flag combinations and, per condition, whether it holds (written out from
  // the SDM's condition table rather than computed).
  struct Case { uint32_t fl; bool holds[16]; };
  //                         O      NO     B      NB     Z      NZ     BE     NBE    S      NS     P      NP     L      NL     LE     NLE
  const Case cases[] = {
      {0,                   {false, true,  false, true,  false, true,  false, true,  false, true,  false, true,  false, true,  false, true}},
      {CF,                  {false, true,  true,  false, false, true,  true,  false, false, true,  false, true,  false, true,  false, true}},
      {ZF | PF,             {false, true,  false, true,  true,  false, true,  false, false, true,  true,  false, false, true,  true,  false}},
      {SF,                  {false, true,  false, true,  false, true,  false, true,  true,  false, false, true,  true,  false, true,  false}},
      {SF | OF,             {true,  false, false, true,  false, true,  false, true,  true,  false, false, true,  false, true,  false, true}},
      {OF,                  {true,  false, false, true,  false, true,  false, true,  false, true,  false, true,  true,  false, true,  false}},
      {SF | OF | ZF | CF,   {true,  false, true,  false, true,  false, true,  false, true,  false, false, true,  false, true,  true,  false}},
  };
  for (const Case& k : cases) {
    for (unsigned cc = 0; cc < 16; ++cc) {
      xt::TestMachine t;
      t.flat32();
      t.c.eflags = kFlagsFixed1 | k.fl;
      t.c.gpr[EAX] = 0x11111111;
      t.c.gpr[EBX] = 0x22222222;
      t.c.gpr[EDX] = 0x33333333;
      t.run_code({0x0F, uint8_t(0x40 + cc), 0xC3,           // cmovcc eax,ebx
                  0x66, 0x0F, uint8_t(0x40 + cc), 0xD3});   // cmovcc dx,bx
      CAPTURE(cc);
      CAPTURE(k.fl);
      CHECK(t.r(EAX) == (k.holds[cc] ? 0x22222222u : 0x11111111u));
      CHECK(t.r(EDX) == (k.holds[cc] ? 0x33332222u : 0x33333333u));
      CHECK(t.c.eflags == (kFlagsFixed1 | k.fl));
    }
  }
}

TEST_CASE("move: CMOVcc with a memory source loads when the condition holds") {
  xt::TestMachine t;
  t.flat32();
  t.mem.write<uint32_t>(0x2000, 0xFEEDF00D);
  t.c.eflags = kFlagsFixed1 | CF;
  t.run_code({0x0F, 0x42, 0x05, 0x00, 0x20, 0x00, 0x00,    // cmovb eax,[0x2000]
              0x0F, 0x43, 0x0D, 0x00, 0x20, 0x00, 0x00});  // cmovnb ecx,[0x2000]
  CHECK(t.r(EAX) == 0xFEEDF00D);
  CHECK(t.r(ECX) == 0);
}

TEST_CASE("move: CMOVcc reads its memory source even when the condition is false") {
  SUBCASE("real mode: word at offset 0xFFFF is #GP") {
    xt::TestMachine t;
    t.ivt_halt(kGP);
    t.c.eflags = kFlagsFixed1;  // ZF clear: cmovz is false
    t.c.gpr[EAX] = 0x1234;
    t.run_code({0x0F, 0x44, 0x06, 0xFF, 0xFF});  // cmovz ax,[0xFFFF]
    CHECK(real_fault(t, kGP));
    CHECK(t.r(EAX) == 0x1234);
  }
  SUBCASE("protected mode: offset beyond the DS limit is #GP") {
    xt::TestMachine t;
    t.flat32();
    t.c.seg[DS].limit = 0x2FFF;
    t.c.eflags = kFlagsFixed1 | ZF;  // cmovnz is false
    CHECK(t.run_code({0x0F, 0x45, 0x05, 0x00, 0x30, 0x00, 0x00}) == Exit::Shutdown);
    CHECK(t.c.fault_vec == kGP);
    CHECK(t.c.eip == kCode);
  }
  SUBCASE("stack segment: #SS") {
    xt::TestMachine t;
    t.ivt_halt(kSS);
    t.c.gpr[EBP] = 0xFFFE;
    t.run_code({0x66, 0x0F, 0x40, 0x46, 0x00});  // cmovo eax,[bp+0] (dword at SS:FFFE)
    CHECK(real_fault(t, kSS));
  }
}

TEST_CASE("move: multi-byte NOPs and hint NOPs never touch memory") {
  xt::TestMachine t;
  t.flat32();
  t.c.seg[DS].limit = 0xFFF;  // every memory operand below lies beyond it
  t.c.gpr[EAX] = 0x00100000;
  t.run_code({0x0F, 0x1F, 0x00,                                      // nop [eax]
              0x0F, 0x1F, 0x44, 0x00, 0x00,                          // nop [eax+eax*1+0]
              0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,  // nop word [eax+eax*1+0]
              0x0F, 0x18, 0x00,                                      // prefetchnta [eax]
              0x0F, 0x18, 0x08,                                      // prefetcht0 [eax]
              0x0F, 0x18, 0x38,                                      // nop [eax] (0F 18 /7)
              0x0F, 0x19, 0xC0,                                      // nop eax,eax
              0x0F, 0x1A, 0x00,                                      // 0F 1A (MPX bndldx on later CPUs)
              0x0F, 0x1C, 0x00,                                      // 0F 1C /0 (cldemote)
              0xF3, 0x0F, 0x1E, 0xFB,                                // endbr32
              0x0F, 0x1E, 0xFA,                                      // nop edx,edi
              0x0F, 0x1D, 0x40, 0x10});                              // nop [eax+0x10]
  CHECK(t.c.halted);
  CHECK(t.c.eip == kCode + 47);
  CHECK(t.r(EAX) == 0x00100000);
}

TEST_CASE("move: NOP Ev in real mode at offset 0xFFFF does not fault") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  t.run_code({0x0F, 0x1F, 0x06, 0xFF, 0xFF, 0x0F, 0x18, 0x0E, 0xFF, 0xFF});
  CHECK(t.c.halted);
  CHECK(t.c.eip == kCode + 11);
}

TEST_CASE("move: moffs above 0x7FFF is an unsigned 16-bit offset") {
  xt::TestMachine t;
  t.mem.write<uint16_t>(0x8C42, 0xBEEF);
  t.run_code({0xA1, 0x42, 0x8C, 0xA2, 0x00, 0x90});  // mov ax,[0x8C42] ; mov [0x9000],al
  CHECK((t.r(cpu::EAX) & 0xFFFF) == 0xBEEF);
  CHECK(t.mem.read<uint8_t>(0x9000) == 0xEF);
}
