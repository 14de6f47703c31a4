// The translator against the interpreter (tests/unit/jit_twin.h): the same
// code and state in both engines must give the same architectural state,
// memory, port output and instruction count, including self-modifying code,
// a full code cache, mid-block page faults and interrupts.
#include <doctest/doctest.h>

#include <stdexcept>

#include "tests/unit/jit_rigs.h"
#include "tests/unit/jit_twin.h"

using namespace cpu;
using xt::le32;
using xt::Side;
using xt::Twin;

namespace {

// sum = 1000 + 999 + ... + 1 with ADD/ADC/DEC/JNZ: a register loop.
const std::vector<uint8_t> kSumLoop = {
    0xB9, 0xE8, 0x03, 0x00, 0x00,  // mov ecx, 1000
    0x31, 0xC0,                    // xor eax, eax
    0x31, 0xD2,                    // xor edx, edx
    0x01, 0xC8,                    // l: add eax, ecx
    0x83, 0xD2, 0x00,              // adc edx, 0
    0x49,                          // dec ecx
    0x75, 0xF8,                    // jnz l
    0xF4};                         // hlt

}  // namespace

TEST_CASE("jit: a register loop runs in generated code, chained, as the interpreter runs it") {
  Twin t;
  t.flat32();
  t.load(Twin::kCode, kSumLoop);
  CHECK(t.run(100000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.c.gpr[EAX] == 500500);
  const jit::JitStats& s = t.b.jit->jit_stats();
  CHECK(s.insns_generated >= 4000);
  CHECK(s.chains_patched >= 1);
  CHECK(t.b.jit->block_entries() > s.dispatches + 900);  // the loop ran through its chained exit
  CHECK(t.b.jit->helper_calls() < 10);                    // ADD/ADC/DEC/JNZ all inline
}

TEST_CASE("jit: every optimization switched off gives the same result") {
  for (const char* spec : {"no-chain", "no-inline", "no-flag-elision", "max-insns=1", "no-chain,no-inline,max-insns=2",
                           "no-emit=add,no-emit=adc", "no-emit=jcc", "no-emit=dec,no-jump-cache", "no-reg-cache",
                           "no-flat", "no-reg-cache,no-flag-elision,no-flat"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    t.load(Twin::kCode, kSumLoop);
    CHECK(t.run(100000) == Exit::Halted);
    CHECK(t.diff() == "");
  }
  Twin off("no-inline");
  off.flat32();
  off.load(Twin::kCode, kSumLoop);
  off.run(100000);
  CHECK(off.b.jit->helper_calls() >= 4000);  // every instruction through its handler
}

TEST_CASE("jit: a write into the running block takes effect at the next instruction") {
  Twin t;
  t.flat32();
  std::vector<uint8_t> code = {0xC6, 0x05};  // mov byte [kCode+8], 6
  le32(code, Twin::kCode + 8);
  code.push_back(0x06);
  code.insert(code.end(), {0xB0, 0x05,  // mov al, 5  (its immediate is at kCode+8)
                           0xF4});
  t.load(Twin::kCode, code);
  CHECK(t.run(1000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK((t.b.c.gpr[EAX] & 0xFF) == 6);
  CHECK(t.b.jit->jit_stats().invalidations >= 1);
}

TEST_CASE("jit: a chained target that is rewritten is unlinked and retranslated") {
  // l: inc eax ; jmp m ; m: dec ecx ; jnz l ; hlt   -- then patch `inc eax` to `inc edx` from outside
  Twin t;
  t.flat32();
  t.load(Twin::kCode, {0x40, 0xEB, 0x00, 0x49, 0x75, 0xFA, 0xF4});
  t.both([](Side& s) {
    s.c.gpr[ECX] = 100;
    s.c.gpr[EAX] = s.c.gpr[EDX] = 0;
  });
  CHECK(t.run(150) == Exit::Budget);  // 50 iterations: chains are in place
  CHECK(t.b.jit->jit_stats().chains_patched >= 2);
  t.both([](Side& s) { s.mem.write8(Twin::kCode, 0x42); });  // inc edx
  CHECK(t.run(100000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.c.gpr[EAX] + t.b.c.gpr[EDX] == 100);
  CHECK(t.b.c.gpr[EDX] > 0);
  CHECK(t.b.jit->jit_stats().chains_unpatched >= 1);
}

TEST_CASE("jit: a code cache that fills up is flushed and everything still runs") {
  // 600 two-instruction blocks (inc eax ; jmp short next) run 4 times over.
  Twin t("cache=16K");
  t.flat32();
  std::vector<uint8_t> code;
  for (int k = 0; k < 600; ++k) code.insert(code.end(), {0x40, 0xEB, 0x00});
  code.insert(code.end(), {0x49, 0x0F, 0x85});  // dec ecx ; jnz rel32 back to the start
  le32(code, uint32_t(-int32_t(code.size() + 4)));
  code.push_back(0xF4);
  t.load(Twin::kCode, code);
  t.both([](Side& s) { s.c.gpr[ECX] = 4; });
  CHECK(t.run(1000000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.c.gpr[EAX] == 2400);
  CHECK(t.b.jit->jit_stats().cache_flushes >= 1);
}

TEST_CASE("jit: a page fault in the middle of a block restarts the instruction") {
  // 0x200000 is not present; the #PF handler makes it present and returns.
  Twin t;
  xt::paged_pf_recorder(t);
  t.both([](Side& s) { s.mem.write<uint32_t>(0x200000, 0x1234); });
  std::vector<uint8_t> code = {0xBB, 0x01, 0x00, 0x00, 0x00,  // mov ebx, 1
                               0xB9, 0x02, 0x00, 0x00, 0x00,  // mov ecx, 2
                               0xA1};                          // mov eax, [0x200000]
  le32(code, 0x200000);
  code.insert(code.end(), {0x01, 0xD8, 0x01, 0xC8, 0xF4});  // add eax, ebx ; add eax, ecx ; hlt
  t.load(Twin::kCode, code);
  CHECK(t.run(1000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.c.gpr[EAX] == 0x1234 + 3);
  CHECK(t.b.c.cr[2] == 0x200000);
  CHECK(t.b.jit->jit_stats().faults == 1);
}

TEST_CASE("jit: interrupts are taken at the same instruction in both engines") {
  // A long register loop with IF set; an interrupt is raised between budget
  // slices, as the Machine does; the handler counts in memory and IRETs.
  Twin t;
  t.flat32();
  t.counting_irq();
  std::vector<uint8_t> loop = kSumLoop;
  loop[1] = 0x40;  // mov ecx, 0x0D40 ... a longer loop
  loop[2] = 0x0D;
  t.load(Twin::kCode, loop);
  for (uint64_t slice : {7u, 131u, 1000u, 3u, 577u, 1u, 2000u}) {
    CAPTURE(slice);
    CHECK(t.run(slice) == Exit::Budget);
    t.raise_irq();
    CHECK(t.diff() == "");
  }
  CHECK(t.run(100000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.mem.read<uint32_t>(0x4000) == 7);
}

TEST_CASE("jit: configuration strings") {
  jit::Config c = jit::parse_config("no-chain,no-inline,max-insns=4,cache=1M,no-flag-elision");
  CHECK(!c.chain);
  CHECK(!c.inline_ops);
  CHECK(!c.flag_elision);
  CHECK(c.max_insns == 4);
  CHECK(c.cache_bytes == (1u << 20));
  CHECK_THROWS_AS(jit::parse_config("no-such-thing"), std::invalid_argument);
  CHECK_THROWS_AS(jit::parse_config("max-insns=0"), std::invalid_argument);
  CHECK_THROWS_AS(jit::parse_config("cache=1K"), std::invalid_argument);
  CHECK_THROWS_AS(jit::parse_config("cache=12Q"), std::invalid_argument);
  jit::Config e = jit::parse_config("no-emit=add,no-emit=jcc");
  CHECK(!e.emits(jit::Emitter::Add));
  CHECK(!e.emits(jit::Emitter::Jcc));
  CHECK(e.emits(jit::Emitter::Sub));
  CHECK_THROWS_AS(jit::parse_config("no-emit=frobnicate"), std::invalid_argument);
}

TEST_CASE("jit: memory operands and the stack take the inline soft-TLB path") {
  // Sum 256 dwords at 0x20000 through [ebx+ecx*4], push/pop around it, store the
  // result with a read-modify-write: all inline, no handler calls in the loop.
  Twin t;
  t.flat32();
  std::vector<uint8_t> data;
  for (uint32_t k = 0; k < 256; ++k) le32(data, k * 3 + 1);
  t.load(0x20000, data);
  t.load(Twin::kCode, {0xBB, 0x00, 0x00, 0x02, 0x00,  // mov ebx, 0x20000
                       0xB9, 0x00, 0x01, 0x00, 0x00,  // mov ecx, 256
                       0x31, 0xC0,                    // xor eax, eax
                       0x51,                          // l: push ecx
                       0x49,                          // dec ecx
                       0x03, 0x04, 0x8B,              // add eax, [ebx+ecx*4]
                       0x59,                          // pop ecx
                       0x01, 0x43, 0xFC,              // add [ebx-4], eax
                       0x49,                          // dec ecx
                       0x75, 0xF4,                    // jnz l
                       0x89, 0x03,                    // mov [ebx], eax
                       0xF4});
  CHECK(t.run(100000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.c.gpr[EAX] == 256 * 1 + 3 * (255 * 256 / 2));
  CHECK(t.b.jit->helper_calls() < 10);
  // The same with the inline memory path off: every memory instruction calls its handler.
  Twin u("no-inline-mem");
  u.flat32();
  u.load(0x20000, data);
  u.load(Twin::kCode, {0xBB, 0x00, 0x00, 0x02, 0x00, 0xB9, 0x00, 0x01, 0x00, 0x00, 0x31, 0xC0, 0x51, 0x49, 0x03,
                       0x04, 0x8B, 0x59, 0x01, 0x43, 0xFC, 0x49, 0x75, 0xF4, 0x89, 0x03, 0xF4});
  CHECK(u.run(100000) == Exit::Halted);
  CHECK(u.diff() == "");
  CHECK(u.b.jit->helper_calls() >= 4 * 256);
}

TEST_CASE("jit: inline memory accesses that must not take the fast path") {
  // A misaligned access at CPL 3 with AC (alignment check), a segment limit
  // (a 16-bit data segment), and a write into a code page: all through the
  // slow path, with the interpreter's results.
  Twin t;
  t.flat32();
  t.both([](Side& s) {
    s.c.seg[DS].limit = 0x0FFF;  // byte-granular 4 KiB data segment
    s.c.seg[DS].attr &= ~SEG_G;
  });
  // mov eax, [0xFFE] (crosses the limit: #GP(0) -> no IDT -> shutdown in both)
  t.load(Twin::kCode, {0xA1, 0xFE, 0x0F, 0x00, 0x00, 0xF4});
  t.load(Twin::kCode, {0x8B, 0x05, 0xFE, 0x0F, 0x00, 0x00, 0xF4});
  Exit e = t.run(1000);
  CHECK(e == Exit::Shutdown);
  CHECK(t.diff() == "");
}

TEST_CASE("jit: the jump cache follows a remapped page (INVLPG) and a new CR3") {
  // call eax into linear 0x400000, which maps first to a page returning 1,
  // then (PTE + INVLPG) to one returning 2, then (a new CR3) to one returning 3.
  Twin t;
  t.flat32();
  const uint32_t pd = 0x10000, pt = 0x11000, pd2 = 0x12000;
  t.both([&](Side& s) {
    mmu::Memory& m = s.mem;
    m.write<uint32_t>(pd, pt | 3);
    m.write<uint32_t>(pd2, pt | 3);
    for (uint32_t p = 0; p < 1024; ++p) m.write<uint32_t>(pt + 4 * p, (p << 12) | 3);
    m.write<uint32_t>(pd + 4, 0x13000 | 3);   // 0x400000 -> page table 0x13000
    m.write<uint32_t>(0x13000, 0x30000 | 3);  //   -> 0x30000
    m.write<uint32_t>(pd2 + 4, 0x14000 | 3);  // in pd2: -> page table 0x14000
    m.write<uint32_t>(0x14000, 0x32000 | 3);  //   -> 0x32000
    s.c.cr[3] = pd;
    s.c.cr[0] |= CR0_PG;
    s.c.sync_paging();
  });
  t.load(0x30000, {0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3});  // mov eax, 1 ; ret
  t.load(0x31000, {0xB8, 0x02, 0x00, 0x00, 0x00, 0xC3});  // mov eax, 2 ; ret
  t.load(0x32000, {0xB8, 0x03, 0x00, 0x00, 0x00, 0xC3});  // mov eax, 3 ; ret
  std::vector<uint8_t> code;
  auto call_into = [&](uint8_t save_reg) {  // mov eax, 0x400000 ; call eax ; mov reg, eax
    code.insert(code.end(), {0xB8, 0x00, 0x00, 0x40, 0x00, 0xFF, 0xD0, 0x89, uint8_t(0xC0 | save_reg)});
  };
  for (int k = 0; k < 3; ++k) call_into(1);  // ecx = 1, three times (the cache fills)
  code.insert(code.end(), {0xC7, 0x05});     // mov dword [0x13000], 0x31003
  le32(code, 0x13000);
  le32(code, 0x31003);
  code.insert(code.end(), {0x0F, 0x01, 0x3D});  // invlpg [0x400000]
  le32(code, 0x400000);
  for (int k = 0; k < 2; ++k) call_into(2);  // edx = 2
  code.insert(code.end(), {0xB8});           // mov eax, pd2 ; mov cr3, eax
  le32(code, pd2);
  code.insert(code.end(), {0x0F, 0x22, 0xD8});
  for (int k = 0; k < 2; ++k) call_into(7);  // edi = 3
  code.push_back(0xF4);
  t.load(Twin::kCode, code);
  CHECK(t.run(10000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.c.gpr[ECX] == 1);
  CHECK(t.b.c.gpr[EDX] == 2);
  CHECK(t.b.c.gpr[EDI] == 3);
  CHECK(t.b.jit->block_entries() > t.b.jit->jit_stats().dispatches);  // some exits did not go through the dispatcher
}

TEST_CASE("jit: a page whose code is rewritten again and again is interpreted, with the same results") {
  // l: mov eax, imm32 (patched each time) ; add ebx, eax ; inc dword [imm] ; dec ecx ; jnz l
  Twin t;
  t.flat32();
  std::vector<uint8_t> code = {0xB8, 0x05, 0x00, 0x00, 0x00,  // l: mov eax, 5
                               0x01, 0xC3,                    // add ebx, eax
                               0xFF, 0x05};                   // inc dword [l+1]
  le32(code, Twin::kCode + 1);
  code.insert(code.end(), {0x49, 0x75, 0xF0, 0xF4});  // dec ecx ; jnz l ; hlt
  t.load(Twin::kCode, code);
  t.both([](Side& s) {
    s.c.gpr[ECX] = 200;
    s.c.gpr[EBX] = 0;
  });
  CHECK(t.run(100000) == Exit::Halted);
  CHECK(t.diff() == "");
  CHECK(t.b.c.gpr[EBX] == 200 * 5 + 199 * 200 / 2);
  CHECK(t.b.jit->jit_stats().interp_smc > 0);
}
