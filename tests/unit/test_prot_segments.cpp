// Protected-mode segmentation: checked segment loads and their error codes,
// limits (expand-down, granularity), far JMP/CALL/RETF through code segments
// and call gates with privilege changes and parameter copying.
#include <doctest/doctest.h>

#include <vector>

#include "prot_machine.h"

using namespace cpu;
using xt::ProtMachine;

namespace {
constexpr uint16_t FREE = ProtMachine::FREE;

// mov ax,sel ; mov <sreg>,ax ; int 40h
std::vector<uint8_t> load_sreg(unsigned sreg, uint16_t sel) {
  return {0x66, 0xB8, uint8_t(sel), uint8_t(sel >> 8), 0x8E, uint8_t(0xC0 | (sreg << 3)), 0xCD, 0x40};
}
// Run and report the vector taken and the error code on top of the handler's stack.
struct Outcome {
  int vec;
  uint32_t err;
};
Outcome outcome(ProtMachine& t, const std::vector<uint8_t>& code) {
  t.run(code);
  return {t.vector(), t.stack(0)};
}
}  // namespace

TEST_CASE("prot: segment loads check presence, type and privilege, with selector error codes") {
  struct Case {
    const char* what;
    bool ring3;
    unsigned sreg;
    uint16_t sel;
    uint8_t access;  // descriptor put at FREE (0 = leave the GDT alone)
    int vec;
    uint32_t err;
  };
  const Case cases[] = {
      {"DS: beyond the GDT limit", false, DS, 0x100, 0, kGP, 0x100},
      {"DS: not present", false, DS, FREE, 0x12, kNP, FREE},
      {"DS: execute-only code", false, DS, FREE, 0x98, kGP, FREE},
      {"DS: readable code is fine", false, DS, FREE, 0x9A, 0x40, 0},
      {"DS: a TSS descriptor", false, DS, ProtMachine::TSS, 0, kGP, ProtMachine::TSS},
      {"DS: LDT selector without an LDT", false, DS, 0x44, 0, kGP, 0x44},
      {"SS: null", false, SS, 0, 0, kGP, 0},
      {"SS: RPL != CPL", false, SS, ProtMachine::DATA3, 0, kGP, ProtMachine::DATA3 & ~3},
      {"SS: read-only data", false, SS, FREE, 0x90, kGP, FREE},
      {"SS: not present", false, SS, FREE, 0x12, kSS, FREE},
      {"SS: code", false, SS, ProtMachine::CODE0, 0, kGP, ProtMachine::CODE0},
      {"ring 3 DS: DPL 0 data", true, DS, ProtMachine::DATA0, 0, kGP, ProtMachine::DATA0},
      {"ring 3 ES: RPL 3 does not help", true, ES, ProtMachine::DATA0 | 3, 0, kGP, ProtMachine::DATA0},
      {"ring 3 FS: conforming readable code of DPL 0", true, FS, FREE | 3, 0x9E, 0x40, 0},
      {"ring 3 SS: DPL 0 stack", true, SS, FREE | 3, 0x92, kGP, FREE},
      {"ring 0 GS: RPL 3 > DPL 0", false, GS, ProtMachine::DATA0 | 3, 0, kGP, ProtMachine::DATA0},
  };
  for (const Case& k : cases) {
    CAPTURE(k.what);
    ProtMachine t;
    if (k.access) t.gdt(FREE, xt::seg_desc(0x40000, 0xFFFF, k.access));
    if (k.ring3) t.ring3();
    Outcome o = outcome(t, load_sreg(k.sreg, k.sel));
    CHECK(o.vec == k.vec);
    if (k.vec != 0x40) {
      CHECK(o.err == k.err);
      CHECK(t.stack(1) == ProtMachine::kCode + 4);  // EIP of the MOV Sreg
    } else {
      CHECK(t.c.seg[k.sreg].sel == k.sel);
    }
  }
}

TEST_CASE("prot: a null data selector loads, and using it is #GP(0); loads set the accessed bit") {
  ProtMachine t;
  t.gdt(FREE, xt::seg_desc(0x40000, 0xFFFF, 0x92));  // accessed bit clear
  t.run({0x66, 0xB8, 0x40, 0x00, 0x8E, 0xC0,          // mov ax,FREE ; mov es,ax
         0x66, 0x31, 0xC0, 0x8E, 0xD8,                // xor ax,ax ; mov ds,ax
         0xA1, 0x00, 0x00, 0x04, 0x00});              // mov eax,[0x40000] -> #GP(0)
  CHECK(t.vector() == kGP);
  CHECK(t.stack(0) == 0);
  CHECK(t.stack(1) == ProtMachine::kCode + 11);
  CHECK(t.c.seg[DS].sel == 0);
  CHECK(t.c.seg[ES].base == 0x40000);
  CHECK(((t.gdt_entry(FREE) >> 40) & 1) == 1u);  // accessed
}

TEST_CASE("prot: expand-down and page-granular limits") {
  // Expand-down data, limit 0xFFF, B = 1: valid offsets 0x1000..0xFFFFFFFF.
  ProtMachine t;
  t.gdt(FREE, xt::seg_desc(0x40000, 0xFFF, 0x96));
  t.set_seg(DS, FREE);
  t.mem.write<uint32_t>(0x41000, 0xCAFEF00D);
  t.run({0x3E, 0xA1, 0x00, 0x10, 0x00, 0x00,   // mov eax,[0x1000]  fine
         0x3E, 0x8B, 0x1D, 0xFF, 0x0F, 0x00, 0x00});  // mov ebx,[0xfff]  #GP(0)
  CHECK(t.r(EAX) == 0xCAFEF00D);
  CHECK(t.vector() == kGP);
  CHECK(t.stack(0) == 0);
  CHECK(t.stack(1) == ProtMachine::kCode + 6);

  // 4 KiB granularity: limit field 0 means bytes 0..0xFFF.
  ProtMachine g;
  g.gdt(FREE, xt::seg_desc(0x40000, 0xFFF, 0x92, true, true));
  g.set_seg(DS, FREE);
  CHECK(g.c.seg[DS].limit == 0xFFF);
  g.run({0xA1, 0xFC, 0x0F, 0x00, 0x00, 0xA1, 0xFD, 0x0F, 0x00, 0x00});  // [0xffc] ok, [0xffd] #GP
  CHECK(g.vector() == kGP);
  CHECK(g.stack(1) == ProtMachine::kCode + 5);

  // The same through SS is #SS(0).
  ProtMachine s;
  s.gdt(FREE, xt::seg_desc(0x40000, 0xFFF, 0x96));
  s.set_seg(SS, FREE);
  s.c.gpr[ESP] = 0x1002;  // a dword push needs 0xFFE..0x1001: below the lower bound
  s.run({0x50});          // push eax
  // #SS on the faulting stack cannot be delivered on it either: #SS again ->
  // double fault (contributory twice), which also needs the stack -> shutdown.
  CHECK((s.c.events & EV_SHUTDOWN) != 0);
  CHECK(s.c.fault_vec == kSS);
}

TEST_CASE("prot: far JMP, CALL and RETF to code segments at the same level") {
  ProtMachine t;
  t.gdt(FREE, xt::seg_desc(0, 0xFFFFF, xt::kCode0, false, true));  // 16-bit code
  // call 0x08:0x1100 ; int 40h   /  at 0x1100: retf-less check via jmp far 0x40:0x1200
  t.load(0x1100, {0xEA, 0x00, 0x12, 0x00, 0x00, 0x40, 0x00});  // jmp 0x40:0x1200 (32-bit operand)
  t.load(0x1200, {0x66, 0xEA, 0x00, 0x13, 0x00, 0x00, 0x08, 0x00});  // 16-bit code: jmp dword 0x08:0x1300
  t.load(0x1300, {0xCB});  // retf
  t.run({0x9A, 0x00, 0x11, 0x00, 0x00, 0x08, 0x00, 0xCD, 0x40});
  CHECK(t.vector() == 0x40);
  CHECK(t.stack(0) == ProtMachine::kCode + 9);  // INT 40h's return EIP: back after the CALL
  CHECK(t.c.gpr[ESP] == ProtMachine::kStack0 - 0x100 - 12);
  CHECK(t.c.seg[CS].sel == ProtMachine::CODE0);

  // RPL of the selector is replaced by CPL; a non-conforming segment of another DPL is #GP(sel).
  ProtMachine r;
  r.ring3();
  r.run({0xEA, 0x00, 0x11, 0x00, 0x00, 0x08, 0x00});  // ring 3: jmp 0x08:... (DPL 0)
  CHECK(r.vector() == kGP);
  CHECK(r.stack(0) == 0x08);
  ProtMachine n;
  n.gdt(FREE, xt::seg_desc(0, 0xFFFFF, 0x1A, true, true));  // not present code
  n.run({0xEA, 0x00, 0x11, 0x00, 0x00, 0x40, 0x00});
  CHECK(n.vector() == kNP);
  CHECK(n.stack(0) == FREE);
  ProtMachine l;
  l.gdt(FREE, xt::seg_desc(0, 0xFFF, xt::kCode0));  // limit 0xFFF: target 0x1100 is beyond it
  l.run({0xEA, 0x00, 0x11, 0x00, 0x00, 0x40, 0x00});
  CHECK(l.vector() == kGP);
  CHECK(l.stack(0) == 0);
}

TEST_CASE("prot: CALL through a call gate to ring 0 copies parameters; RETF n returns to ring 3") {
  ProtMachine t;
  t.gdt(FREE, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kCallGate32 | 0x60, 2));  // DPL 3, 2 dwords
  // Ring 0 target: hlt ; mov ax,0x10 ; mov ds,ax ; retf 8
  t.load(0x2000, {0xF4, 0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0xCA, 0x08, 0x00});
  t.ring3();
  const uint32_t esp3 = ProtMachine::kStack3;
  t.run({0x68, 0x01, 0x00, 0xAA, 0xAA, 0x68, 0x02, 0x00, 0xBB, 0xBB,  // push 2 params
         0x9A, 0x00, 0x00, 0x00, 0x00, 0x43, 0x00,                    // call 0x43:0
         0xCD, 0x40});                                                 // int 40h
  REQUIRE(t.c.halted);
  CHECK(t.c.cpl == 0);
  CHECK(t.c.seg[CS].sel == ProtMachine::CODE0);
  CHECK(t.c.seg[SS].sel == ProtMachine::DATA0);
  CHECK(t.r(ESP) == ProtMachine::kStack0 - 24);
  CHECK(t.stack(0) == ProtMachine::kCode + 17);  // return EIP
  CHECK(t.stack(1) == ProtMachine::CODE3);
  CHECK(t.stack(2) == 0xBBBB0002);               // parameters in the caller's order
  CHECK(t.stack(3) == 0xAAAA0001);
  CHECK(t.stack(4) == esp3 - 8);                 // caller's ESP (after the pushes)
  CHECK(t.stack(5) == ProtMachine::DATA3);
  t.c.halted = 0;
  t.engine->run(t.c, 100);
  CHECK(t.vector() == 0x40);
  // Back in ring 3 with the parameters released; DS (DPL 0) became null.
  CHECK(t.stack(1) == ProtMachine::CODE3);       // INT 40h frame: EIP, CS, EFLAGS, ESP, SS
  CHECK(t.stack(3) == esp3);
  CHECK(t.stack(4) == ProtMachine::DATA3);
  CHECK(t.c.seg[DS].sel == 0);
  CHECK(t.c.seg[ES].sel == ProtMachine::DATA3);
}

TEST_CASE("prot: 16-bit call gate from 16-bit ring-3 code copies words") {
  ProtMachine t;
  const uint16_t CODE16_3 = 0x48 | 3, GATE = 0x50 | 3;
  t.gdt(CODE16_3, xt::seg_desc(0, 0xFFFF, xt::kCode3, false));
  t.gdt(GATE, xt::gate_desc(ProtMachine::CODE0, 0x2000, xt::kCallGate16 | 0x60, 2));
  t.load(0x2000, {0xF4});
  t.ring3();
  t.set_seg(CS, CODE16_3);
  t.run({0x68, 0x11, 0x11, 0x68, 0x22, 0x22, 0x9A, 0x00, 0x00, 0x53, 0x00});  // push w; push w; call 0x53:0
  REQUIRE(t.c.halted);
  CHECK(t.c.eip == 0x2001);
  CHECK(t.r(ESP) == ProtMachine::kStack0 - 12);
  CHECK(t.stack16(0) == ProtMachine::kCode + 11);
  CHECK(t.stack16(1) == CODE16_3);
  CHECK(t.stack16(2) == 0x2222);
  CHECK(t.stack16(3) == 0x1111);
  CHECK(t.stack16(4) == uint16_t(ProtMachine::kStack3 - 4));
  CHECK(t.stack16(5) == ProtMachine::DATA3);
}

TEST_CASE("prot: call gate and far return errors") {
  auto gate_call = [](ProtMachine& t, uint8_t gate_access, uint16_t target) {
    t.gdt(FREE, xt::gate_desc(target, 0x2000, gate_access, 0));
    t.ring3();
    return outcome(t, {0x9A, 0x00, 0x00, 0x00, 0x00, 0x43, 0x00});
  };
  {  // gate DPL 0 < CPL 3
    ProtMachine t;
    Outcome o = gate_call(t, xt::kCallGate32, ProtMachine::CODE0);
    CHECK(o.vec == kGP);
    CHECK(o.err == FREE);
  }
  {  // gate not present
    ProtMachine t;
    Outcome o = gate_call(t, (xt::kCallGate32 | 0x60) & 0x7F, ProtMachine::CODE0);
    CHECK(o.vec == kNP);
    CHECK(o.err == FREE);
  }
  {  // target not present
    ProtMachine t;
    t.gdt(0x48, xt::seg_desc(0, 0xFFFFF, 0x1A, true, true));
    Outcome o = gate_call(t, xt::kCallGate32 | 0x60, 0x48);
    CHECK(o.vec == kNP);
    CHECK(o.err == 0x48);
  }
  {  // to a ring-1 segment whose TSS stack (SS1) has RPL 0: #TS(SS1), delivered on SS0
    ProtMachine t;
    t.gdt(0x48, xt::seg_desc(0, 0xFFFFF, 0xBA, true, true));  // DPL 1 code
    t.mem.write<uint32_t>(ProtMachine::kTss + 0x0C, 0x18000);
    t.mem.write<uint16_t>(ProtMachine::kTss + 0x10, ProtMachine::DATA0);
    Outcome o = gate_call(t, xt::kCallGate32 | 0x60, 0x48);
    CHECK(o.vec == kTS);
    CHECK(o.err == ProtMachine::DATA0);
    CHECK(t.stack(1) == ProtMachine::kCode);  // the CALL, in ring 3
    CHECK(t.stack(2) == ProtMachine::CODE3);
  }
  {  // RETF from ring 3 to a ring-0 selector: RPL < CPL is #GP(sel)
    ProtMachine t;
    t.ring3();
    t.mem.write<uint32_t>(ProtMachine::kStack3 - 8, 0x1000);
    t.mem.write<uint32_t>(ProtMachine::kStack3 - 4, ProtMachine::CODE0);
    t.c.gpr[ESP] = ProtMachine::kStack3 - 8;
    Outcome o = outcome(t, {0xCB});
    CHECK(o.vec == kGP);
    CHECK(o.err == ProtMachine::CODE0);
  }
  {  // RETF to ring 3 with a ring-0 SS on the stack: #GP(SS selector)
    ProtMachine t;
    uint32_t sp = ProtMachine::kStack0 - 0x100 - 16;
    t.mem.write<uint32_t>(sp, 0x1000);
    t.mem.write<uint32_t>(sp + 4, ProtMachine::CODE3);
    t.mem.write<uint32_t>(sp + 8, 0x3000);
    t.mem.write<uint32_t>(sp + 12, ProtMachine::DATA0);
    t.c.gpr[ESP] = sp;
    Outcome o = outcome(t, {0xCB});
    CHECK(o.vec == kGP);
    CHECK(o.err == ProtMachine::DATA0);
    CHECK(t.stack(1) == ProtMachine::kCode);  // precise: still at the RETF, in ring 0
    CHECK(t.c.seg[CS].sel == ProtMachine::CODE0);
  }
}
