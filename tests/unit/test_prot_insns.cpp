// The protected-mode instruction family: LAR/LSL/VERR/VERW, ARPL,
// LLDT/SLDT/LTR/STR, RDMSR/WRMSR, SYSENTER/SYSEXIT; and the alignment-check
// helper.
#include <doctest/doctest.h>

#include <csetjmp>
#include <vector>

#include "cpu/descriptors.h"
#include "prot_machine.h"

using namespace cpu;
using xt::ProtMachine;

namespace {
constexpr uint16_t FREE = ProtMachine::FREE;

struct Query {
  uint32_t eax;
  bool zf;
};
// Run `insn` (operating on EBX = sel, result in EAX) then INT 40h.
Query query(ProtMachine& t, std::vector<uint8_t> insn, uint16_t sel, uint32_t eax = 0xDEADBEEF) {
  t.c.gpr[EBX] = sel;
  t.c.gpr[EAX] = eax;
  insn.push_back(0xCD);
  insn.push_back(0x40);
  t.run(insn);
  REQUIRE(t.vector() == 0x40);
  return {t.r(EAX), (t.c.eflags & ZF) != 0};
}
const std::vector<uint8_t> kLar = {0x0F, 0x02, 0xC3}, kLsl = {0x0F, 0x03, 0xC3},
                           kVerr = {0x0F, 0x00, 0xE3}, kVerw = {0x0F, 0x00, 0xEB};
}  // namespace

TEST_CASE("prot insn: LAR and LSL") {
  struct Case {
    const char* what;
    uint8_t access;  // put at FREE (0: none)
    uint16_t sel;
    bool ring3;
    bool lar_ok;
    uint32_t lar;
    bool lsl_ok;
    uint32_t lsl;
  };
  const Case cases[] = {
      {"flat data", 0, ProtMachine::DATA0, false, true, 0x00C09200, true, 0xFFFFFFFF},
      {"busy 32-bit TSS", 0, ProtMachine::TSS, false, true, 0x00008B00, true, 0x2068},
      {"LDT", 0, ProtMachine::LDT, false, true, 0x00008200, true, 0xFF},
      {"interrupt gate", xt::kIntGate32, FREE, false, false, 0, false, 0},
      {"call gate", xt::kCallGate32, FREE, false, true, 0x00008C00, false, 0},
      {"null selector", 0, 0, false, false, 0, false, 0},
      {"beyond the GDT", 0, 0x100, false, false, 0, false, 0},
      {"LDT selector, no LDT", 0, 0x0C, false, false, 0, false, 0},
      {"RPL 3 > DPL 0", 0, ProtMachine::DATA0 | 3, false, false, 0, false, 0},
      {"ring 3: DPL 0 data", 0, ProtMachine::DATA0 | 3, true, false, 0, false, 0},
      {"ring 3: conforming DPL 0 code", xt::kConf0, FREE | 3, true, true, 0x00409E00, true, 0xFFFF},
  };
  for (const Case& k : cases) {
    CAPTURE(k.what);
    for (int op = 0; op < 2; ++op) {
      ProtMachine t;
      if (k.access) {
        uint64_t d = (k.access & 0x10) ? xt::seg_desc(0, 0xFFFF, k.access)
                                       : xt::gate_desc(ProtMachine::CODE0, 0x2000, k.access);
        t.gdt(FREE, d);
      }
      if (k.ring3) t.ring3();
      Query q = query(t, op ? kLsl : kLar, k.sel);
      bool ok = op ? k.lsl_ok : k.lar_ok;
      CHECK(q.zf == ok);
      CHECK(q.eax == (ok ? (op ? k.lsl : k.lar) : 0xDEADBEEF));
    }
  }
  // 16-bit operand size: the low word only.
  ProtMachine t;
  Query q = query(t, {0x66, 0x0F, 0x02, 0xC3}, ProtMachine::DATA0, 0x12345678);
  CHECK(q.eax == 0x12349200);
  ProtMachine l;
  q = query(l, {0x66, 0x0F, 0x03, 0xC3}, ProtMachine::TSS, 0x12345678);
  CHECK(q.eax == 0x12342068);
}

TEST_CASE("prot insn: VERR and VERW") {
  struct Case {
    const char* what;
    uint8_t access;
    uint16_t sel;
    bool ring3, r, w;
  };
  const Case cases[] = {
      {"writable data", 0, ProtMachine::DATA0, false, true, true},
      {"readable code", 0, ProtMachine::CODE0, false, true, false},
      {"execute-only code", 0x98, FREE, false, false, false},
      {"read-only data", 0x90, FREE, false, true, false},
      {"TSS", 0, ProtMachine::TSS, false, false, false},
      {"ring 3: DPL 0 data", 0, ProtMachine::DATA0 | 3, true, false, false},
      {"ring 3: DPL 3 data", 0, ProtMachine::DATA3, true, true, true},
      {"ring 3: conforming DPL 0 code", xt::kConf0, FREE | 3, true, true, false},
      {"null", 0, 0, false, false, false},
  };
  for (const Case& k : cases) {
    CAPTURE(k.what);
    for (int op = 0; op < 2; ++op) {
      ProtMachine t;
      if (k.access) t.gdt(FREE, xt::seg_desc(0, 0xFFFF, k.access));
      if (k.ring3) t.ring3();
      CHECK(query(t, op ? kVerw : kVerr, k.sel).zf == (op ? k.w : k.r));
    }
  }
}

TEST_CASE("prot insn: ARPL raises the RPL; it is #UD in real mode") {
  ProtMachine t;
  t.c.gpr[ECX] = 0;
  Query q = query(t, {0x63, 0xD8}, 0x0003, 0xAAAA0010);  // arpl ax,bx
  CHECK(q.eax == 0xAAAA0013);
  CHECK(q.zf);
  ProtMachine u;
  q = query(u, {0x63, 0xD8}, 0x0001, 0x0013);
  CHECK(q.eax == 0x0013);
  CHECK(!q.zf);

  xt::TestMachine r;
  r.ivt_halt(kUD);
  r.run_code({0x63, 0xD8});
  CHECK(r.c.eip == 0x0500u + kUD + 1);
}

TEST_CASE("prot insn: LLDT, SLDT, LTR, STR") {
  ProtMachine t;
  t.ldt(0x0C, xt::seg_desc(0x40000, 0xFFFF, xt::kData0));
  t.gdt(ProtMachine::TSS2, xt::seg_desc(ProtMachine::kTss2, 0x67, xt::kTss32Avail, false));
  // lldt bx (0x38) ; mov ax,0x0C ; mov ds,ax ; sldt ecx ; ltr dx (TSS2) ; str esi ; sldt [0x10] (DS base 0x40000)
  t.c.gpr[EBX] = ProtMachine::LDT;
  t.c.gpr[EDX] = ProtMachine::TSS2;
  t.c.gpr[ECX] = t.c.gpr[ESI] = 0xFFFFFFFF;
  t.run({0x0F, 0x00, 0xD3, 0x66, 0xB8, 0x0C, 0x00, 0x8E, 0xD8, 0x0F, 0x00, 0xC1, 0x0F, 0x00, 0xDA,
         0x0F, 0x00, 0xCE, 0x0F, 0x00, 0x05, 0x10, 0x00, 0x00, 0x00, 0xCD, 0x40});
  REQUIRE(t.vector() == 0x40);
  CHECK(t.c.ldtr.base == ProtMachine::kLdt);
  CHECK(t.c.seg[DS].base == 0x40000);
  CHECK(t.r(ECX) == ProtMachine::LDT);  // zero-extended into a 32-bit register
  CHECK(t.c.tr.sel == ProtMachine::TSS2);
  CHECK(t.c.tr.base == ProtMachine::kTss2);
  CHECK(((t.gdt_entry(ProtMachine::TSS2) >> 41) & 1) == 1u);  // now busy
  CHECK(t.r(ESI) == ProtMachine::TSS2);
  CHECK(t.mem.read<uint16_t>(0x40010) == ProtMachine::LDT);

  struct Case {
    const char* what;
    std::vector<uint8_t> code;
    uint16_t sel;
    bool ring3;
    int vec;
    uint32_t err;
  };
  const std::vector<Case> errors = {
      {"LTR of a busy TSS", {0x0F, 0x00, 0xDB}, ProtMachine::TSS, false, kGP, ProtMachine::TSS},
      {"LTR of a data segment", {0x0F, 0x00, 0xDB}, ProtMachine::DATA0, false, kGP, ProtMachine::DATA0},
      {"LTR null", {0x0F, 0x00, 0xDB}, 0, false, kGP, 0},
      {"LTR of an LDT selector", {0x0F, 0x00, 0xDB}, 0x2C, false, kGP, 0x2C},
      {"LLDT of a data segment", {0x0F, 0x00, 0xD3}, ProtMachine::DATA0, false, kGP, ProtMachine::DATA0},
      {"LLDT in ring 3", {0x0F, 0x00, 0xD3}, ProtMachine::LDT, true, kGP, 0},
      {"LLDT of a not-present LDT", {0x0F, 0x00, 0xD3}, FREE, false, kNP, FREE},
  };
  for (const Case& k : errors) {
    CAPTURE(k.what);
    ProtMachine e;
    e.gdt(FREE, xt::seg_desc(ProtMachine::kLdt, 0xFF, xt::kLdtAcc & 0x7F));
    if (k.ring3) e.ring3();
    e.c.gpr[EBX] = k.sel;
    e.run(k.code);
    CHECK(e.vector() == k.vec);
    CHECK(e.stack(0) == k.err);
  }
  // LLDT with a null selector makes LDT references fault.
  ProtMachine n;
  n.c.gpr[EBX] = 0;
  n.run({0x0F, 0x00, 0xD3, 0x66, 0xB8, 0x0C, 0x00, 0x8E, 0xD8});
  CHECK(n.vector() == kGP);
  CHECK(n.stack(0) == 0x0C);
}

TEST_CASE("prot insn: RDMSR and WRMSR round trips, reserved bits, unknown MSRs") {
  struct Case {
    uint32_t msr;
    uint64_t write, read;
  };
  const Case ok[] = {
      {0x174, 0x0008, 0x0008},
      {0x175, 0x12345678, 0x12345678},
      {0x176, 0x9ABCDEF0, 0x9ABCDEF0},
      {0x1B, 0xFEE00800, 0xFEE00900},  // BSP stays set (read-only)
      {0x2FF, 0xC06, 0xC06},
      {0x200, 0x0000000F00000006ull, 0x0000000F00000006ull},
      {0x201, 0x0000000FF0000800ull, 0x0000000FF0000800ull},
      {0x250, 0x0606060606060606ull, 0x0606060606060606ull},
      {0x259, 0x0000000001010404ull, 0x0000000001010404ull},
      {0x26F, 0x0505050505050505ull, 0x0505050505050505ull},
      {0x277, 0x0007010600070106ull, 0x0007010600070106ull},
      {0x10, 0x0000000100000005ull, 0x5},  // P6: the upper half of the TSC is cleared
  };
  for (const Case& k : ok) {
    CAPTURE(k.msr);
    ProtMachine t;
    t.c.gpr[ECX] = k.msr;
    t.c.gpr[EAX] = uint32_t(k.write);
    t.c.gpr[EDX] = uint32_t(k.write >> 32);
    // wrmsr ; xor eax,eax ; xor edx,edx ; rdmsr ; int 40h
    t.run({0x0F, 0x30, 0x31, 0xC0, 0x31, 0xD2, 0x0F, 0x32, 0xCD, 0x40});
    REQUIRE(t.vector() == 0x40);
    uint64_t got = (uint64_t(t.r(EDX)) << 32) | t.r(EAX);
    if (k.msr == 0x10) CHECK(got - k.read < 8);  // the TSC keeps counting
    else CHECK(got == k.read);
  }
  const Case bad[] = {
      {0x12345, 0, 0}, {0xFE, 0x508, 0}, {0x2FF, 0x2, 0}, {0x2FF, 0x1006, 0},
      {0x277, 0x0007010600070102ull, 0}, {0x201, 0x0000001000000800ull, 0}, {0x1B, 0xFEE00001, 0},
      {0x258, 0x0303030303030303ull, 0},
  };
  for (const Case& k : bad) {
    CAPTURE(k.msr);
    CAPTURE(k.write);
    ProtMachine t;
    t.c.gpr[ECX] = k.msr;
    t.c.gpr[EAX] = uint32_t(k.write);
    t.c.gpr[EDX] = uint32_t(k.write >> 32);
    t.run({0x0F, 0x30});
    CHECK(t.vector() == kGP);
    CHECK(t.stack(0) == 0);
  }
  ProtMachine u;  // unknown MSR on read too, and ring 3
  u.c.gpr[ECX] = 0x12345;
  u.run({0x0F, 0x32});
  CHECK(u.vector() == kGP);
  ProtMachine r3;
  r3.ring3();
  r3.c.gpr[ECX] = 0x174;
  r3.run({0x0F, 0x32});
  CHECK(r3.vector() == kGP);
  // Real mode may use them.
  xt::TestMachine rm;
  rm.c.msr.sysenter_eip = 0x11223344;
  rm.c.gpr[ECX] = 0x176;
  rm.run_code({0x0F, 0x32});
  CHECK(rm.r(EAX) == 0x11223344);
}

TEST_CASE("prot insn: SYSENTER to ring 0 and SYSEXIT back to ring 3") {
  ProtMachine t;
  t.c.msr.sysenter_cs = ProtMachine::CODE0;
  t.c.msr.sysenter_esp = 0x1C000;
  t.c.msr.sysenter_eip = 0x2000;
  // Ring 0 at 0x2000: hlt ; sysexit (EDX = 0x1100, ECX = 0x31000). Ring 3 at 0x1100: int 40h.
  t.load(0x2000, {0xF4, 0x0F, 0x35});
  t.load(0x1100, {0xCD, 0x40});
  t.ring3();
  t.c.eflags |= IF;
  t.c.gpr[EDX] = 0x1100;
  t.c.gpr[ECX] = 0x31000;
  t.run({0x0F, 0x34});
  REQUIRE(t.c.eip == 0x2001);
  CHECK(t.c.cpl == 0);
  CHECK(t.c.seg[CS].sel == ProtMachine::CODE0);
  CHECK(t.c.seg[SS].sel == ProtMachine::DATA0);
  CHECK(t.r(ESP) == 0x1C000);
  CHECK((t.c.eflags & IF) == 0);
  t.c.halted = 0;
  t.engine->run(t.c, 100);
  CHECK(t.vector() == 0x40);
  CHECK(t.stack(0) == 0x1102);
  CHECK(t.stack(1) == ProtMachine::CODE3);
  CHECK(t.stack(3) == 0x31000);
  CHECK(t.stack(4) == ProtMachine::DATA3);

  ProtMachine z;  // SYSENTER_CS = 0: #GP(0)
  z.ring3();
  z.run({0x0F, 0x34});
  CHECK(z.vector() == kGP);
  ProtMachine x;  // SYSEXIT from ring 3: #GP(0)
  x.c.msr.sysenter_cs = ProtMachine::CODE0;
  x.ring3();
  x.run({0x0F, 0x35});
  CHECK(x.vector() == kGP);
  CHECK(x.stack(1) == ProtMachine::kCode);
}

TEST_CASE("prot insn: the alignment-check helper raises #AC(0) only at CPL 3 with CR0.AM and EFLAGS.AC") {
  auto raises = [](ProtMachine& t, uint32_t lin, unsigned size) {
    std::jmp_buf jb;
    std::jmp_buf* old = t.c.fault_jmp;
    t.c.fault_jmp = &jb;
    t.c.fault_vec = 0xFF;
    if (setjmp(jb) == 0) alignment_check(t.c, lin, size);
    t.c.fault_jmp = old;
    return t.c.fault_vec == kAC;
  };
  ProtMachine t;
  t.ring3();
  t.c.cr[0] |= CR0_AM;
  t.c.eflags |= AC;
  CHECK(raises(t, 0x40001, 4));
  CHECK(raises(t, 0x40002, 4));
  CHECK(raises(t, 0x40001, 2));
  CHECK(raises(t, 0x40004, 8));
  CHECK(!raises(t, 0x40004, 4));
  CHECK(!raises(t, 0x40001, 1));
  t.c.eflags &= ~AC;
  CHECK(!raises(t, 0x40001, 4));
  t.c.eflags |= AC;
  t.c.cr[0] &= ~CR0_AM;
  CHECK(!raises(t, 0x40001, 4));
  ProtMachine k;  // ring 0 never checks
  k.c.cr[0] |= CR0_AM;
  k.c.eflags |= AC;
  CHECK(!raises(k, 0x40001, 4));
}

TEST_CASE("prot insn: a far CALL at CPL 3 with AC set and a misaligned stack is #AC(0)") {
  ProtMachine t;
  t.gdt(FREE, xt::gate_desc(ProtMachine::CODE3, 0x2000, xt::kCallGate32 | 0x60));
  t.load(0x2000, {0xCD, 0x40});
  t.ring3();
  t.c.cr[0] |= CR0_AM;
  t.c.eflags |= AC;
  t.c.gpr[ESP] = ProtMachine::kStack3 - 2;
  t.run({0x9A, 0x00, 0x00, 0x00, 0x00, 0x43, 0x00});  // call FREE|3:0 (same level)
  CHECK(t.vector() == kAC);
  CHECK(t.stack(0) == 0);
  CHECK(t.stack(1) == ProtMachine::kCode);
  ProtMachine a;  // aligned: the call goes through
  a.gdt(FREE, xt::gate_desc(ProtMachine::CODE3, 0x2000, xt::kCallGate32 | 0x60));
  a.load(0x2000, {0xCD, 0x40});
  a.ring3();
  a.c.cr[0] |= CR0_AM;
  a.c.eflags |= AC;
  a.run({0x9A, 0x00, 0x00, 0x00, 0x00, 0x43, 0x00});
  CHECK(a.vector() == 0x40);
  CHECK(a.stack(0) == 0x2002);
}
