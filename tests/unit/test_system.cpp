// The system family: flag instructions, CLI/STI, CPUID, RDTSC, segment
// register moves and far-pointer loads, CR/DR moves, descriptor-table
// registers, LMSW/SMSW/CLTS, UD2, WAIT and the x87 escapes, and a real-mode ->
// protected-mode switch through LGDT, MOV CR0 and a far jump.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "test_machine.h"

using namespace cpu;

namespace {
// Load `bytes` at kCode and execute exactly `n` instructions.
void step(xt::TestMachine& t, std::initializer_list<uint8_t> bytes, uint64_t n = 1) {
  t.load(xt::TestMachine::kCode, bytes);
  t.engine->run(t.c, n);
}
constexpr uint32_t kHaltAt(uint8_t vec) { return 0x0500u + vec + 1; }  // EIP after an ivt_halt HLT
}  // namespace

TEST_CASE("system: CLC STC CMC CLD STD") {
  xt::TestMachine t;
  t.run_code({0xF9, 0xF5, 0xF5, 0xFD});  // stc ; cmc ; cmc ; std
  CHECK((t.c.eflags & CF));
  CHECK((t.c.eflags & DF));
  xt::TestMachine u;
  u.c.eflags |= CF | DF;
  u.run_code({0xF8, 0xFC});  // clc ; cld
  CHECK(!(u.c.eflags & (CF | DF)));
  xt::TestMachine w;
  w.run_code({0xF5});  // cmc from 0
  CHECK((w.c.eflags & CF));
}

TEST_CASE("system: STI inhibits interrupts for one instruction only when IF was 0") {
  xt::TestMachine t;
  step(t, {0xFB});  // sti
  CHECK((t.c.eflags & IF));
  CHECK(t.c.inhibit == 1);
  xt::TestMachine u;
  u.c.eflags |= IF;
  step(u, {0xFB});
  CHECK(u.c.inhibit == 0);
  xt::TestMachine w;
  w.c.eflags |= IF;
  step(w, {0xFA});  // cli
  CHECK(!(w.c.eflags & IF));
}

TEST_CASE("system: CLI/STI in protected mode need CPL <= IOPL") {
  xt::TestMachine t;
  t.flat32();
  t.c.cpl = 3;
  t.c.eflags |= IF;  // IOPL 0
  step(t, {0xFA});
  CHECK(t.c.fault_vec == kGP);
  CHECK((t.c.eflags & IF));  // unchanged
  xt::TestMachine u;
  u.flat32();
  u.c.cpl = 3;
  u.c.eflags |= IF | IOPL;  // IOPL 3: allowed
  step(u, {0xFA});
  CHECK(!(u.c.eflags & IF));
  CHECK(u.c.eip == xt::TestMachine::kCode + 1);
}

TEST_CASE("system: CPUID leaves 0, 1, 2 and above the maximum") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0;
  t.run_code({0x0F, 0xA2});
  CHECK(t.r(EAX) == 2);
  char vendor[13] = {};
  uint32_t regs[3] = {t.r(EBX), t.r(EDX), t.r(ECX)};
  std::memcpy(vendor, regs, 12);
  CHECK(std::string(vendor) == "GenuineIntel");

  xt::TestMachine u;
  u.c.gpr[EAX] = 1;
  u.c.gpr[ECX] = 0x55;
  u.run_code({0x0F, 0xA2});
  CHECK(u.r(EAX) == 0x633);  // family 6, model 3, stepping 3
  // DE PSE TSC MSR PAE CX8 SEP MTRR PGE CMOV; no FPU/VME/MCE/APIC/MCA/PAT/MMX yet
  CHECK(u.r(EDX) == 0x0000B97Cu);
  CHECK(u.r(ECX) == 0);
  CHECK(u.r(EBX) == 0);

  xt::TestMachine w;
  w.c.gpr[EAX] = 0x80000000u;
  w.run_code({0x0F, 0xA2});
  CHECK(w.r(EAX) == 0x03020101);  // the highest basic leaf (2)
  CHECK(w.r(EDX) == 0x0C040843);
}

TEST_CASE("system: RDTSC, and CR4.TSD at CPL 3") {
  xt::TestMachine t;
  t.c.tsc = 0x100000005ull;
  t.run_code({0x0F, 0x31});
  CHECK(t.r(EAX) == 5);
  CHECK(t.r(EDX) == 1);
  xt::TestMachine u;
  u.flat32();
  u.c.cpl = 3;
  u.c.cr[4] = 1u << 2;
  u.c.gpr[EAX] = 0x77;
  step(u, {0x0F, 0x31});
  CHECK(u.c.fault_vec == kGP);
  CHECK(u.r(EAX) == 0x77);
}

TEST_CASE("system: MOV Sreg both ways; MOV SS inhibits") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0xFFFF1234;
  // mov ds,ax ; mov es,ax ; mov [0x3000],es ; 66 mov ecx,cs ; mov dx,ds
  t.run_code({0x8E, 0xD8, 0x8E, 0xC0, 0x8C, 0x06, 0x00, 0x30, 0x66, 0x8C, 0xC9, 0x8C, 0xDA});
  CHECK(t.c.seg[DS].sel == 0x1234);
  CHECK(t.c.seg[DS].base == 0x12340);
  CHECK(t.c.seg[ES].base == 0x12340);
  // ES base is 0x12340 now, but 8C 06 uses DS, also 0x12340.
  CHECK(t.mem.read<uint16_t>(0x12340 + 0x3000) == 0x1234);
  CHECK(t.mem.read<uint16_t>(0x12340 + 0x3002) == 0);  // only 16 bits stored
  CHECK(t.r(ECX) == 0);                                 // CS = 0, zero-extended
  CHECK((t.r(EDX) & 0xFFFF) == 0x1234);

  xt::TestMachine u;
  u.c.gpr[EAX] = 0x0700;
  step(u, {0x8E, 0xD0});  // mov ss,ax
  CHECK(u.c.seg[SS].sel == 0x0700);
  CHECK(u.c.seg[SS].base == 0x7000);
  CHECK(u.c.inhibit == 1);
}

TEST_CASE("system: LDS, LES with 32-bit offset, LSS, LFS, LGS") {
  xt::TestMachine t;
  t.mem.write<uint16_t>(0x2000, 0x1234);
  t.mem.write<uint16_t>(0x2002, 0x5678);
  t.mem.write<uint32_t>(0x2010, 0x89ABCDEF);
  t.mem.write<uint16_t>(0x2014, 0x0042);
  t.c.gpr[ESI] = 0xFFFF0000;
  // lds si,[0x2000] -> DS changes, so the next loads use absolute linear via 0x5678:...
  // Do the DS load last: les/lfs/lgs/lss first.
  t.run_code({0x66, 0xC4, 0x3E, 0x10, 0x20,        // les edi,[0x2010]
              0x0F, 0xB4, 0x1E, 0x00, 0x20,        // lfs bx,[0x2000]
              0x0F, 0xB5, 0x0E, 0x00, 0x20,        // lgs cx,[0x2000]
              0x0F, 0xB2, 0x26, 0x00, 0x20,        // lss sp,[0x2000]
              0xC5, 0x36, 0x00, 0x20});            // lds si,[0x2000]
  CHECK(t.r(EDI) == 0x89ABCDEF);
  CHECK(t.c.seg[ES].sel == 0x0042);
  CHECK(t.c.seg[ES].base == 0x420);
  CHECK((t.r(EBX) & 0xFFFF) == 0x1234);
  CHECK(t.c.seg[FS].sel == 0x5678);
  CHECK(t.c.seg[GS].base == 0x56780);
  CHECK((t.r(ESP) & 0xFFFF) == 0x1234);
  CHECK(t.c.seg[SS].sel == 0x5678);
  CHECK(t.r(ESI) == 0xFFFF1234);
  CHECK(t.c.seg[DS].sel == 0x5678);
}

TEST_CASE("system: real mode -> protected mode with LGDT, MOV CR0 and a far jump") {
  xt::TestMachine t;
  // GDT at 0x2000: null, 0x08 = 32-bit code 4 GiB, 0x10 = data 4 GiB.
  t.load(0x2000, {0, 0, 0, 0, 0, 0, 0, 0,
                  0xFF, 0xFF, 0, 0, 0, 0x9A, 0xCF, 0,
                  0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0});
  t.load(0x2100, {0x17, 0x00, 0x00, 0x20, 0x00, 0x00});  // limit 0x17, base 0x2000
  t.load(0x1000, {0x0F, 0x01, 0x16, 0x00, 0x21,             // lgdt [0x2100]
                  0x66, 0xB8, 0x01, 0x00, 0x00, 0x00,       // mov eax,1
                  0x0F, 0x22, 0xC0,                         // mov cr0,eax
                  0x66, 0xEA, 0x20, 0x10, 0x00, 0x00, 0x08, 0x00});  // jmp dword 0x08:0x1020
  t.load(0x1020, {0x66, 0xB8, 0x10, 0x00,  // mov ax,0x10
                  0x8E, 0xD8,              // mov ds,ax
                  0x8E, 0xD0,              // mov ss,ax
                  0xBC, 0x00, 0x00, 0x09, 0x00,  // mov esp,0x90000
                  0x0F, 0x20, 0xC3,        // mov ebx,cr0
                  0xF4});
  t.engine->run(t.c, 100);
  CHECK(t.c.halted);
  CHECK(t.c.gdtr.base == 0x2000);
  CHECK(t.c.gdtr.limit == 0x17);
  CHECK(!t.c.real_mode());
  CHECK(t.c.cpl == 0);
  CHECK(t.c.seg[CS].sel == 0x08);
  CHECK(t.c.code32());
  CHECK(t.c.seg[DS].limit == 0xFFFFFFFFu);
  CHECK(t.c.stack32());
  CHECK(t.r(ESP) == 0x90000);
  CHECK(t.r(EBX) == (CR0_PE | CR0_ET));
  CHECK(t.c.eip == 0x1020 + 17);
  CHECK(t.mem.read<uint8_t>(0x2008 + 5) == 0x9B);  // accessed bit set in the GDT
}

TEST_CASE("system: MOV CR0 faults: PG without PE, NW without CD; CPL 3") {
  xt::TestMachine t;
  t.ivt_halt(kGP);
  t.c.gpr[EAX] = 0x80000000u;
  t.run_code({0x0F, 0x22, 0xC0});
  CHECK(t.c.eip == kHaltAt(kGP));
  CHECK(t.c.cr[0] == 0x60000010u);
  t.c.gpr[EAX] = CR0_NW;
  t.real_mode();
  t.c.halted = 0;
  t.run_code({0x0F, 0x22, 0xC0});
  CHECK(t.c.eip == kHaltAt(kGP));
  xt::TestMachine u;
  u.flat32();
  u.c.cpl = 3;
  step(u, {0x0F, 0x20, 0xC0});  // mov eax,cr0
  CHECK(u.c.fault_vec == kGP);
}

TEST_CASE("system: LGDT/LIDT 16-bit operand size loads 24 bits; SGDT/SIDT store") {
  xt::TestMachine t;
  t.load(0x2000, {0xFF, 0x03, 0x56, 0x34, 0x12, 0xAB});
  t.run_code({0x0F, 0x01, 0x16, 0x00, 0x20,          // lgdt [0x2000]
              0x66, 0x0F, 0x01, 0x1E, 0x00, 0x20,    // lidt dword [0x2000]
              0x66, 0x0F, 0x01, 0x06, 0x10, 0x20,    // sgdt [0x2010]
              0x66, 0x0F, 0x01, 0x0E, 0x20, 0x20});  // sidt [0x2020]
  CHECK(t.c.gdtr.base == 0x00123456);
  CHECK(t.c.gdtr.limit == 0x3FF);
  CHECK(t.c.idtr.base == 0xAB123456u);
  CHECK(t.mem.read<uint16_t>(0x2010) == 0x3FF);
  CHECK(t.mem.read<uint32_t>(0x2012) == 0x00123456);
  CHECK(t.mem.read<uint32_t>(0x2022) == 0xAB123456u);
}

TEST_CASE("system: SMSW, LMSW cannot clear PE, CLTS") {
  xt::TestMachine t;
  t.c.cr[0] |= CR0_TS;
  // smsw bx ; 66 smsw ecx ; smsw [0x3000] ; clts
  t.run_code({0x0F, 0x01, 0xE3, 0x66, 0x0F, 0x01, 0xE1, 0x0F, 0x01, 0x26, 0x00, 0x30, 0x0F, 0x06});
  CHECK((t.r(EBX) & 0xFFFF) == ((0x60000010u | CR0_TS) & 0xFFFF));
  CHECK(t.r(ECX) == (0x60000010u | CR0_TS));
  CHECK(t.mem.read<uint16_t>(0x3000) == ((0x60000010u | CR0_TS) & 0xFFFF));
  CHECK(t.mem.read<uint16_t>(0x3002) == 0);
  CHECK(!(t.c.cr[0] & CR0_TS));

  xt::TestMachine u;
  u.c.gpr[EAX] = 0x000F;  // PE MP EM TS
  step(u, {0x0F, 0x01, 0xF0});  // lmsw ax
  CHECK((u.c.cr[0] & 0xF) == 0xF);
  CHECK(!u.c.real_mode());
  u.c.gpr[EAX] = 0;
  u.c.eip = xt::TestMachine::kCode;
  step(u, {0x0F, 0x01, 0xF0});
  CHECK((u.c.cr[0] & 0xF) == CR0_PE);  // MP EM TS cleared, PE stays
}

TEST_CASE("system: debug registers: DR6/DR7 fixed bits, DR4/DR5 alias") {
  xt::TestMachine t;
  t.c.gpr[EAX] = 0;
  t.c.gpr[EDX] = 0x12345678;
  // mov dr7,eax ; mov dr6,eax ; mov dr0,edx ; mov ebx,dr4 ; mov ecx,dr5 ; mov esi,dr0
  t.run_code({0x0F, 0x23, 0xF8, 0x0F, 0x23, 0xF0, 0x0F, 0x23, 0xC2,
              0x0F, 0x21, 0xE3, 0x0F, 0x21, 0xE9, 0x0F, 0x21, 0xC6});
  CHECK(t.r(EBX) == 0xFFFF0FF0u);
  CHECK(t.r(ECX) == 0x400);
  CHECK(t.r(ESI) == 0x12345678);
  // With CR4.DE, DR4 is #UD.
  xt::TestMachine u;
  u.ivt_halt(kUD);
  u.c.cr[4] = 1u << 3;
  u.run_code({0x0F, 0x21, 0xE3});
  CHECK(u.c.eip == kHaltAt(kUD));
}

TEST_CASE("system: UD2, WAIT and x87 escapes without an FPU") {
  xt::TestMachine t;
  t.ivt_halt(kUD);
  t.run_code({0x0F, 0x0B});
  CHECK(t.c.eip == kHaltAt(kUD));
  CHECK(t.mem.read<uint16_t>(0x8000 - 6) == xt::TestMachine::kCode);

  // WAIT: #NM only with MP and TS.
  xt::TestMachine w;
  w.ivt_halt(kNM);
  w.c.cr[0] |= CR0_TS;
  w.run_code({0x9B});
  CHECK(w.c.eip == xt::TestMachine::kCode + 2);  // ran through to the HLT
  w.real_mode();
  w.c.cr[0] |= CR0_MP;
  w.c.halted = 0;
  w.run_code({0x9B});
  CHECK(w.c.eip == kHaltAt(kNM));

  // fld st0 (D9 C0): #NM with EM, #UD without EM/TS.
  xt::TestMachine f;
  f.ivt_halt(kNM);
  f.ivt_halt(kUD);
  f.c.cr[0] |= CR0_EM;
  f.run_code({0xD9, 0xC0});
  CHECK(f.c.eip == kHaltAt(kNM));
  f.real_mode();
  f.c.cr[0] &= ~CR0_EM;
  f.c.halted = 0;
  f.run_code({0xDD, 0x06, 0x00, 0x20});  // fld qword [0x2000]
  CHECK(f.c.eip == kHaltAt(kUD));
}

TEST_CASE("system: privileged instructions at CPL 3 are #GP(0)") {
  const std::initializer_list<uint8_t> codes[] = {
      {0xF4},                    // hlt
      {0x0F, 0x22, 0xD8},        // mov cr3,eax
      {0x0F, 0x23, 0xC0},        // mov dr0,eax
      {0x0F, 0x01, 0x10},        // lgdt [eax]
      {0x0F, 0x06},              // clts
      {0x0F, 0x09},              // wbinvd
  };
  for (auto& code : codes) {
    xt::TestMachine t;
    t.flat32();
    t.c.cpl = 3;
    t.c.gpr[EAX] = 0x2000;
    step(t, code);
    CHECK(t.c.fault_vec == kGP);
    CHECK(!t.c.halted);
  }
}
