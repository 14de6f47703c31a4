// Task switches: JMP/CALL to a TSS or through a task gate, INT and
// exceptions through task gates (error code on the new task's stack), IRET
// with NT back to the caller; busy bits, back link, NT, CR0.TS, the LDT,
// 16-bit TSSs, a V86 task, and the faults on bad TSS contents.
#include <doctest/doctest.h>

#include <vector>

#include "prot_machine.h"

using namespace cpu;
using xt::ProtMachine;

namespace {
constexpr uint32_t kCode = ProtMachine::kCode;
constexpr uint32_t kTss2 = ProtMachine::kTss2;
constexpr uint16_t TSS = ProtMachine::TSS, TSS2 = ProtMachine::TSS2;

bool busy(ProtMachine& t, uint16_t sel) { return ((t.gdt_entry(sel) >> 41) & 1) != 0; }

// TSS2: a 32-bit task at 0x2000 (hlt ; iretd) in ring 0, EAX = 0x1111,
// stack top 0x19000, DS = LDT entry 1 (base 0x40000).
void make_task2(ProtMachine& t) {
  t.gdt(TSS2, xt::seg_desc(kTss2, 0x67, xt::kTss32Avail, false));
  for (uint32_t a = 0; a < 0x68; a += 4) t.mem.write<uint32_t>(kTss2 + a, 0);
  t.mem.write<uint32_t>(kTss2 + 0x04, 0x1A000);  // ESP0/SS0 for interrupts in this task
  t.mem.write<uint16_t>(kTss2 + 0x08, ProtMachine::DATA0);
  t.mem.write<uint32_t>(kTss2 + 0x20, 0x2000);   // EIP
  t.mem.write<uint32_t>(kTss2 + 0x24, kFlagsFixed1);
  t.mem.write<uint32_t>(kTss2 + 0x28, 0x1111);   // EAX
  t.mem.write<uint32_t>(kTss2 + 0x38, 0x19000);  // ESP
  const uint16_t sregs[6] = {ProtMachine::DATA0, ProtMachine::CODE0, ProtMachine::DATA0, 0x0C,
                             ProtMachine::DATA0, 0};
  for (unsigned s = 0; s < 6; ++s) t.mem.write<uint16_t>(kTss2 + 0x48 + 4 * s, sregs[s]);
  t.mem.write<uint16_t>(kTss2 + 0x60, ProtMachine::LDT);
  t.ldt(0x0C, xt::seg_desc(0x40000, 0xFFFF, xt::kData0));
  t.load(0x2000, {0xF4, 0xCF});  // hlt ; iretd
}
}  // namespace

TEST_CASE("prot task: CALL to a TSS nests, IRET with NT returns and clears busy") {
  ProtMachine t;
  make_task2(t);
  t.c.gpr[EAX] = 0xAAAA;
  t.c.gpr[EBX] = 0xBBBB;
  t.run({0x9A, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0xCD, 0x40});  // call 0x30:0 ; int 40h
  REQUIRE(t.c.eip == 0x2001);
  CHECK(t.c.tr.sel == TSS2);
  CHECK(t.r(EAX) == 0x1111);
  CHECK(t.r(EBX) == 0);
  CHECK(t.r(ESP) == 0x19000);
  CHECK((t.c.eflags & NT) == NT);
  CHECK((t.c.cr[0] & CR0_TS) == CR0_TS);
  CHECK(t.c.ldtr.sel == ProtMachine::LDT);
  CHECK(t.c.seg[DS].sel == 0x0C);
  CHECK(t.c.seg[DS].base == 0x40000);
  CHECK(t.c.seg[GS].sel == 0);
  CHECK(t.mem.read<uint16_t>(kTss2) == TSS);  // back link
  CHECK(busy(t, TSS));
  CHECK(busy(t, TSS2));
  // The outgoing state went to the old TSS.
  CHECK(t.mem.read<uint32_t>(ProtMachine::kTss + 0x20) == kCode + 7);
  CHECK(t.mem.read<uint32_t>(ProtMachine::kTss + 0x28) == 0xAAAA);
  CHECK(t.mem.read<uint32_t>(ProtMachine::kTss + 0x34) == 0xBBBB);
  CHECK(t.mem.read<uint16_t>(ProtMachine::kTss + 0x4C) == ProtMachine::CODE0);

  t.c.halted = 0;
  t.engine->run(t.c, 100);  // iretd (NT) -> back to the caller, then int 40h
  CHECK(t.vector() == 0x40);
  CHECK(t.c.tr.sel == TSS);
  CHECK(t.r(EAX) == 0xAAAA);
  CHECK(t.r(EBX) == 0xBBBB);
  CHECK(t.stack(0) == kCode + 9);
  CHECK(!busy(t, TSS2));
  CHECK(busy(t, TSS));
  CHECK(t.mem.read<uint32_t>(kTss2 + 0x20) == 0x2002);             // saved after the IRETD
  CHECK((t.mem.read<uint32_t>(kTss2 + 0x24) & NT) == 0);            // with NT cleared
}

TEST_CASE("prot task: JMP to a TSS does not nest; the old TSS becomes available") {
  ProtMachine t;
  make_task2(t);
  t.mem.write<uint16_t>(kTss2, 0x7777);
  t.run({0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
  REQUIRE(t.c.eip == 0x2001);
  CHECK(t.c.tr.sel == TSS2);
  CHECK((t.c.eflags & NT) == 0);
  CHECK(t.mem.read<uint16_t>(kTss2) == 0x7777);  // no back link
  CHECK(!busy(t, TSS));
  CHECK(busy(t, TSS2));
  // JMP to the (busy) current task is #GP(selector).
  ProtMachine b;
  b.run({0xEA, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00});
  CHECK(b.vector() == kGP);
  CHECK(b.stack(0) == TSS);
}

TEST_CASE("prot task: CALL through a task gate, and INT through a task gate") {
  ProtMachine t;
  make_task2(t);
  t.gdt(ProtMachine::FREE, xt::gate_desc(TSS2, 0, xt::kTaskGateAcc));
  t.run({0x9A, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00});  // call FREE:0
  CHECK(t.c.eip == 0x2001);
  CHECK(t.c.tr.sel == TSS2);
  CHECK(t.mem.read<uint16_t>(kTss2) == TSS);

  ProtMachine i;
  make_task2(i);
  i.idt(0x41, xt::gate_desc(TSS2, 0, xt::kTaskGateAcc));
  i.run({0xCD, 0x41, 0xCD, 0x40});  // int 41h ; int 40h
  REQUIRE(i.c.eip == 0x2001);
  CHECK((i.c.eflags & NT) == NT);
  CHECK(i.r(ESP) == 0x19000);  // INT n pushes no error code
  CHECK(i.mem.read<uint32_t>(ProtMachine::kTss + 0x20) == kCode + 2);
  i.c.halted = 0;
  i.engine->run(i.c, 100);
  CHECK(i.vector() == 0x40);
  CHECK(i.c.tr.sel == TSS);
}

TEST_CASE("prot task: an exception through a task gate pushes its error code on the new task's stack") {
  ProtMachine t;
  make_task2(t);
  t.idt(kGP, xt::gate_desc(TSS2, 0, xt::kTaskGateAcc));
  t.run({0x66, 0xB8, 0x00, 0x01, 0x8E, 0xD8});  // mov ax,0x100 ; mov ds,ax -> #GP(0x100)
  REQUIRE(t.c.eip == 0x2001);
  CHECK(t.r(ESP) == 0x19000 - 4);
  CHECK(t.stack(0) == 0x100);
  CHECK(t.mem.read<uint32_t>(ProtMachine::kTss + 0x20) == kCode + 4);  // the faulting MOV
  CHECK(t.mem.read<uint32_t>(ProtMachine::kTss + 0x28) == 0x100);      // EAX as of the fault
}

TEST_CASE("prot task: a 16-bit TSS") {
  ProtMachine t;
  const uint16_t TSS16 = 0x48;
  const uint32_t b = 0x16000;
  t.gdt(TSS16, xt::seg_desc(b, 0x2B, xt::kTss16Avail, false));
  for (uint32_t a = 0; a < 0x2C; a += 2) t.mem.write<uint16_t>(b + a, 0);
  t.mem.write<uint16_t>(b + 0x0E, 0x2000);  // IP
  t.mem.write<uint16_t>(b + 0x10, uint16_t(kFlagsFixed1 | CF));
  t.mem.write<uint16_t>(b + 0x12, 0x2222);  // AX
  t.mem.write<uint16_t>(b + 0x1A, 0x9000);  // SP
  t.mem.write<uint16_t>(b + 0x22, ProtMachine::DATA0);  // ES
  t.mem.write<uint16_t>(b + 0x24, ProtMachine::CODE0);  // CS
  t.mem.write<uint16_t>(b + 0x26, ProtMachine::DATA0);  // SS
  t.mem.write<uint16_t>(b + 0x28, ProtMachine::DATA0);  // DS
  t.load(0x2000, {0xF4});
  t.c.seg[FS] = t.cache(ProtMachine::DATA0);
  t.run({0xEA, 0x00, 0x00, 0x00, 0x00, 0x48, 0x00});
  REQUIRE(t.c.eip == 0x2001);
  CHECK(t.r(EAX) == 0xFFFF2222);  // upper halves read as ones
  CHECK(t.r(ESP) == 0xFFFF9000);
  CHECK((t.c.eflags & CF) == CF);
  CHECK(t.c.seg[FS].sel == 0);
  CHECK(t.c.seg[FS].attr == 0);
  CHECK(busy(t, TSS16));
}

TEST_CASE("prot task: a V86 task") {
  ProtMachine t;
  make_task2(t);
  t.mem.write<uint32_t>(kTss2 + 0x24, VM | IOPL | kFlagsFixed1);
  t.mem.write<uint32_t>(kTss2 + 0x20, 0x0200);
  t.mem.write<uint32_t>(kTss2 + 0x38, 0x1000);
  const uint16_t sregs[6] = {0x0300, 0x0100, 0x0500, 0x0300, 0x0300, 0x0300};
  for (unsigned s = 0; s < 6; ++s) t.mem.write<uint16_t>(kTss2 + 0x48 + 4 * s, sregs[s]);
  t.load(0x1200, {0xCD, 0x40});  // V86: int 40h -> ring 0 on TSS2's ESP0
  t.run({0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
  CHECK(t.vector() == 0x40);
  CHECK(t.r(ESP) == 0x1A000 - 36);
  CHECK(t.stack(0) == 0x0202);
  CHECK(t.stack(1) == 0x0100);
  CHECK((t.stack(2) & VM) == VM);
  CHECK(t.stack(4) == 0x0500);
}

TEST_CASE("prot task: the T bit raises #DB with DR6.BT at the new task's first instruction") {
  ProtMachine t;
  make_task2(t);
  t.mem.write<uint16_t>(kTss2 + 0x64, 1);
  t.c.dr[6] = 0xFFFF0FF0;
  t.run({0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
  CHECK(t.vector() == kDB);
  CHECK(t.c.tr.sel == TSS2);
  CHECK(t.stack(0) == 0x2000);  // a trap before the new task's first instruction
  CHECK(t.r(ESP) == 0x19000 - 12);
  CHECK((t.c.dr[6] & (1u << 15)) != 0);
}

TEST_CASE("prot task: bad TSS contents fault in the new task") {
  {  // a new TSS limit below 67h: #TS(new TSS), nothing switched
    ProtMachine t;
    make_task2(t);
    t.gdt(TSS2, xt::seg_desc(kTss2, 0x60, xt::kTss32Avail, false));
    t.run({0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
    CHECK(t.vector() == kTS);
    CHECK(t.stack(0) == TSS2);
    CHECK(t.c.tr.sel == TSS);
  }
  {  // DS in the new TSS is a code segment without read access: #TS(DS) after the switch
    ProtMachine t;
    make_task2(t);
    t.gdt(ProtMachine::FREE, xt::seg_desc(0, 0xFFFF, 0x98));
    t.mem.write<uint16_t>(kTss2 + 0x54, ProtMachine::FREE);
    t.run({0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
    CHECK(t.vector() == kTS);
    CHECK(t.stack(0) == ProtMachine::FREE);
    CHECK(t.stack(1) == 0x2000);  // raised at the new task's first instruction
    CHECK(t.c.tr.sel == TSS2);
  }
  {  // IRET with NT and a back link to a TSS that is not busy: #TS(link)
    ProtMachine t;
    make_task2(t);
    t.mem.write<uint16_t>(ProtMachine::kTss, TSS2);
    t.c.eflags |= NT;
    t.run({0xCF});
    CHECK(t.vector() == kTS);
    CHECK(t.stack(0) == TSS2);
  }
}
