// REP MOVS / REP STOS in the translator's bulk path (jit/rep_string.*)
// against the interpreter (tests/unit/jit_twin.h): the same state, memory,
// tsc and event boundaries, and against a plain element-by-element model of
// REP for the values themselves. Real mode (16-bit addressing, wrap at 64K)
// and flat 32-bit; counts 0 and 1, page crossings, DF=1, overlapping copies,
// SMC, page faults in mid-copy, interrupts and budget ends in a long REP.
#include <doctest/doctest.h>

#include <vector>

#include "jit/rep_string.h"
#include "tests/unit/jit_rigs.h"
#include "tests/unit/jit_twin.h"

using namespace cpu;
using xt::le32;
using xt::real16;
using xt::Side;
using xt::string_regs;
using xt::Twin;

namespace {

constexpr uint32_t kCode = Twin::kCode;

// A byte pattern over [from, to) in both machines (and in the model).
void pattern(Twin& t, std::vector<uint8_t>& model, uint32_t from, uint32_t to) {
  for (uint32_t p = from; p < to; ++p) model[p] = uint8_t(p * 7 + (p >> 8) * 13 + 1);
  t.load(from, std::vector<uint8_t>(model.begin() + from, model.begin() + to));
}

struct Case {
  const char* name;
  bool a32;        // flat 32-bit protected mode (else real mode, 16-bit addressing)
  uint8_t op;      // 0xA4/0xA5 MOVS, 0xAA/0xAB STOS
  unsigned w;      // element size
  bool down;       // DF
  uint32_t count, si, di;
  uint16_t ds = 0x3000, es = 0x2000;  // real mode only
  uint32_t hi = 0;                    // real mode: upper halves of ECX/ESI/EDI (must survive)
  uint8_t rep = 0xF3;
  uint32_t limit = 0xFFFF;  // real mode: DS/ES limit (4G: "unreal" mode, 16-bit addressing all the same)
};

bool movs(const Case& k) { return k.op == 0xA4 || k.op == 0xA5; }

// REP as the SDM describes it, one element at a time, on a flat copy of memory.
void run_model(std::vector<uint8_t>& m, const Case& k, uint32_t sbase, uint32_t dbase, uint32_t eax, uint32_t& cx,
               uint32_t& si, uint32_t& di) {
  const uint32_t mask = k.a32 ? ~0u : 0xFFFFu;
  const uint32_t step = k.down ? uint32_t(0) - k.w : k.w;
  for (; cx; --cx) {
    uint8_t v[4];
    for (unsigned b = 0; b < k.w; ++b) v[b] = movs(k) ? m[sbase + si + b] : uint8_t(eax >> (8 * b));
    for (unsigned b = 0; b < k.w; ++b) m[dbase + di + b] = v[b];
    si = (si + step) & mask;
    di = (di + step) & mask;
  }
}

// Run one case in both engines; the translator must match the interpreter
// (state, tsc, memory) and the model (registers, memory). Returns the
// number of batches the bulk path did.
uint64_t run_case(const Case& k, const std::string& spec = "") {
  CAPTURE(k.name);
  Twin t(spec);
  std::vector<uint8_t> model(1u << 20);
  if (k.a32) t.flat32();
  else real16(t, k.ds, k.es, k.limit);
  const uint32_t sbase = k.a32 ? 0 : uint32_t(k.ds) << 4, dbase = k.a32 ? 0 : uint32_t(k.es) << 4;
  pattern(t, model, 0x10000, 0x60000);
  const std::vector<uint8_t> code = xt::touch_then_rep(k.a32, k.w, k.rep, k.op);
  t.load(kCode, code);
  for (unsigned b = 0; b < code.size(); ++b) model[kCode + b] = code[b];
  const uint32_t eax = 0x8C4B2A19;
  string_regs(t, k.count | k.hi, k.si | k.hi, k.di | k.hi, eax, k.down ? DF : 0);
  uint32_t cx = k.count, si = k.si, di = k.di;
  run_model(model, k, sbase, dbase, eax, cx, si, di);
  const uint64_t bulk0 = jit::rep_bulk_batches();
  CHECK(t.run(1000000) == Exit::Halted);
  const uint64_t bulk = jit::rep_bulk_batches() - bulk0;
  CHECK(t.diff(0x60000) == "");
  const Cpu& c = t.b.c;
  CHECK(c.gpr[ECX] == (cx | k.hi));
  CHECK(c.gpr[EDI] == (di | k.hi));
  CHECK(c.gpr[ESI] == (movs(k) ? si | k.hi : k.si | k.hi));
  uint32_t bad = 0, nbad = 0;
  for (uint32_t p = 0x10000; p < 0x60000; ++p)
    if (t.b.mem.read8(p) != model[p] && nbad++ == 0) bad = p;
  CHECK_MESSAGE(nbad == 0, "first wrong byte at " << bad);
  // Every element a call of the instruction or part of one: at least one
  // call per 64 elements, plus the HLT.
  CHECK(c.tsc >= 1 + (k.count + 63) / 64);
  return bulk;
}

}  // namespace

TEST_CASE("jit rep: REP STOS, byte/word/dword, real mode and flat, counts 0 and 1 to page crossings, DF=1") {
  const Case cases[] = {
      {"stosb 0", false, 0xAA, 1, false, 0, 0, 0x100},
      {"stosb 1", false, 0xAA, 1, false, 1, 0, 0x100},
      {"stosb 2", false, 0xAA, 1, false, 2, 0, 0x1FF},
      {"stosb 5000", false, 0xAA, 1, false, 5000, 0, 0x0123},
      {"stosw 3000 odd", false, 0xAB, 2, false, 3000, 0, 0x0F81},
      {"stosd 4000", false, 0xAB, 4, false, 4000, 0, 0x0040, 0x3000, 0x2000, 0xABCD0000},
      {"stosw down", false, 0xAB, 2, true, 3000, 0, 0xF002},
      {"stosd down odd", false, 0xAB, 4, true, 2500, 0, 0xEFFF},
      {"stosw 0x8000 (rmode bench)", false, 0xAB, 2, false, 0x8000, 0, 0},
      {"stosb flat", true, 0xAA, 1, false, 9000, 0, 0x20F00},
      {"stosw flat", true, 0xAB, 2, false, 4097, 0, 0x21001},
      {"stosd flat down", true, 0xAB, 4, true, 3333, 0, 0x3FFFC},
      {"stosd flat straddling", true, 0xAB, 4, false, 2000, 0, 0x20FFE},
      {"stosb repne", false, 0xAA, 1, false, 700, 0, 0x10, 0x3000, 0x2000, 0, 0xF2},
      // The reference's page test looks at DS:SI even for STOS: a word there
      // straddling a page ends every batch after one element (tsc shows it).
      {"stosw, DS:SI straddling", false, 0xAB, 2, false, 700, 0x0FFF, 0x0100},
  };
  uint64_t bulk = 0;
  for (const Case& k : cases) bulk += run_case(k);
  CHECK(bulk > 400);  // the long ones ran in bulk, not through the fallback
}

TEST_CASE("jit rep: REP MOVS, byte/word/dword, page crossings, DF=1, real mode and flat") {
  const Case cases[] = {
      {"movsb 0", false, 0xA4, 1, false, 0, 0x10, 0x20},
      {"movsb 1", false, 0xA4, 1, false, 1, 0x10, 0x20},
      {"movsb 7000", false, 0xA4, 1, false, 7000, 0x0123, 0x0F80},
      {"movsw 0x8000 (rmode bench)", false, 0xA5, 2, false, 0x8000, 0, 0, 0x2000, 0x3000},
      {"movsd 3000", false, 0xA5, 4, false, 3000, 0x0002, 0x0801, 0x3000, 0x2000, 0x12340000},
      {"movsw down", false, 0xA5, 2, true, 5000, 0xE001, 0xF7FE},
      {"movsb flat", true, 0xA4, 1, false, 12345, 0x30123, 0x45F80},
      {"movsd flat down", true, 0xA5, 4, true, 4000, 0x3FF00, 0x50004},
      {"movsw flat", true, 0xA5, 2, false, 6000, 0x30001, 0x40FFF},
      {"movsb repne", true, 0xA4, 1, false, 500, 0x30000, 0x40000, 0, 0, 0, 0xF2},
  };
  uint64_t bulk = 0;
  for (const Case& k : cases) bulk += run_case(k);
  CHECK(bulk > 500);
}

TEST_CASE("jit rep: overlapping copies keep REP's element-by-element meaning") {
  // Same segment both sides: destination ahead of the source in the direction
  // of travel replicates (dst = src + 1 repeats the first byte); behind it is
  // a memmove.
  const Case cases[] = {
      {"movsb dst=src+1", false, 0xA4, 1, false, 3000, 0x0100, 0x0101, 0x2000, 0x2000},
      {"movsw dst=src+1", false, 0xA5, 2, false, 2000, 0x0100, 0x0101, 0x2000, 0x2000},
      {"movsw dst=src+2", false, 0xA5, 2, false, 2000, 0x0100, 0x0102, 0x2000, 0x2000},
      {"movsd dst=src+2", false, 0xA5, 4, false, 1500, 0x0100, 0x0102, 0x2000, 0x2000},
      {"movsd dst=src+4", false, 0xA5, 4, false, 1500, 0x0100, 0x0104, 0x2000, 0x2000},
      {"movsd dst=src+7", false, 0xA5, 4, false, 1500, 0x0100, 0x0107, 0x2000, 0x2000},
      {"movsb dst=src-1", false, 0xA4, 1, false, 3000, 0x0101, 0x0100, 0x2000, 0x2000},
      {"movsb down dst=src-1", false, 0xA4, 1, true, 3000, 0x2000, 0x1FFF, 0x2000, 0x2000},
      {"movsw down dst=src-2", false, 0xA5, 2, true, 3000, 0x3000, 0x2FFE, 0x2000, 0x2000},
      {"movsd down dst=src-3", false, 0xA5, 4, true, 1000, 0x3000, 0x2FFD, 0x2000, 0x2000},
      {"movsb down dst=src+1", false, 0xA4, 1, true, 3000, 0x2000, 0x2001, 0x2000, 0x2000},
      {"movsd flat dst=src+1", true, 0xA5, 4, false, 2000, 0x30000, 0x30001},
      {"movsb flat dst=src", true, 0xA4, 1, false, 2000, 0x30010, 0x30010},
  };
  uint64_t bulk = 0;
  for (const Case& k : cases) bulk += run_case(k);
  CHECK(bulk > 200);
}

TEST_CASE("jit rep: 16-bit addressing wraps at 64K") {
  const Case cases[] = {
      {"stosb wrap", false, 0xAA, 1, false, 0x300, 0, 0xFF80},
      {"stosw wrap even", false, 0xAB, 2, false, 0x200, 0, 0xFF00, 0x3000, 0x2000, 0xFFFF0000},
      {"stosb down wrap", false, 0xAA, 1, true, 0x300, 0, 0x0040},
      {"movsw wrap", false, 0xA5, 2, false, 0x400, 0xFE00, 0xFF00},
      {"movsd down wrap", false, 0xA5, 4, true, 0x300, 0x0100, 0x0010},
      {"movsb both wrap", false, 0xA4, 1, false, 0x10000 - 1, 0x8000, 0xC000},
      // Segment bases off a page boundary: the wrap happens inside a page.
      {"stosb wrap mid-page", false, 0xAA, 1, false, 0x300, 0, 0xFFF0, 0x3003, 0x2001},
      {"stosw down wrap mid-page", false, 0xAB, 2, true, 0x300, 0, 0x0008, 0x3003, 0x2001},
      {"movsd wrap mid-page", false, 0xA5, 4, false, 0x300, 0xFFE0, 0xFE00, 0x3003, 0x2001},
      {"movsb down wrap mid-page", false, 0xA4, 1, true, 0x300, 0x0020, 0x8000, 0x3003, 0x2001},
      // 4 GiB limits: only the address size wraps the index.
      {"unreal stosb wrap", false, 0xAA, 1, false, 0x300, 0, 0xFFF0, 0x3003, 0x2001, 0, 0xF3, ~0u},
      {"unreal stosw down wrap", false, 0xAB, 2, true, 0x300, 0, 0x0008, 0x3003, 0x2001, 0, 0xF3, ~0u},
      {"unreal movsd wrap", false, 0xA5, 4, false, 0x300, 0xFFE0, 0xFE00, 0x3003, 0x2001, 0, 0xF3, ~0u},
      {"unreal movsb down wrap", false, 0xA4, 1, true, 0x300, 0x0020, 0x8000, 0x3003, 0x2001, 0, 0xF3, ~0u},
      {"unreal movsw straddling 64K", false, 0xA5, 2, false, 0x300, 0xFFFF, 0x1001, 0x3003, 0x2001, 0, 0xF3, ~0u},
  };
  for (const Case& k : cases) run_case(k);
}

TEST_CASE("jit rep: a segment limit in mid-REP faults at the same element") {
  // ES (or DS) ends at 0x20F7F, mid-page: the element at 0x20F80 raises #GP(0); with no
  // IDT that becomes a triple fault. Nothing past the limit is written, and
  // ECX/ESI/EDI are those of the faulting element in both engines.
  for (bool src_limited : {false, true}) {
    CAPTURE(src_limited);
    Twin t;
    xt::limit_rig(t, src_limited, 0x11223344, 0xEE, src_limited ? 0xA5 : 0xAB);  // rep movsd / rep stosd
    CHECK(t.run(10000) == Exit::Shutdown);
    CHECK(t.diff(0x50000) == "");
    CHECK(t.b.c.gpr[ECX] == 0x120);  // 0x60 dwords up to the limit
    if (src_limited) {
      CHECK(t.b.mem.read<uint32_t>(0x40000 + 0x17C) == 0x5A5A5A5A);
      CHECK(t.b.mem.read<uint32_t>(0x40000 + 0x180) == 0xEEEEEEEE);
    } else {
      CHECK(t.b.mem.read<uint32_t>(0x20F7C) == 0x11223344);
      CHECK(t.b.mem.read<uint32_t>(0x20F80) == 0x5A5A5A5A);
    }
  }
}

TEST_CASE("jit rep: alignment checking at CPL 3 faults on the first misaligned element") {
  // CR0.AM and EFLAGS.AC at CPL 3: a misaligned REP STOSD raises #AC before
  // it writes anything (no IDT: a triple fault); an aligned one runs (and
  // the HLT after it, privileged, ends that run with a triple fault too).
  for (uint32_t edi : {0x20001u, 0x20000u}) {
    CAPTURE(edi);
    Twin t;
    t.flat32();
    t.both([&](Side& s) {
      s.c.cpl = 3;
      s.c.cr[0] |= CR0_AM;
      s.c.eflags |= AC;
      s.c.gpr[EDI] = edi;
      s.c.gpr[ECX] = 0x100;
      s.c.gpr[EAX] = 0x11223344;
    });
    t.load(kCode, {0x26, 0x8A, 0x1F, 0xF3, 0xAB, 0xF4});  // mov bl, es:[edi] ; rep stosd ; hlt
    CHECK(t.run(10000) == Exit::Shutdown);
    CHECK(t.diff(0x30000) == "");
    CHECK(t.b.c.gpr[ECX] == (edi & 3 ? 0x100u : 0u));
    CHECK(t.b.mem.read<uint32_t>(0x20004) == (edi & 3 ? 0u : 0x11223344u));
  }
}

namespace {
// A device whose reads count up and whose writes are logged: MOVS from it
// and STOS to it must make every access, in order, as the interpreter does.
struct Counter : mmu::MmioHandler {
  uint32_t next = 0x1000;
  std::vector<std::pair<uint32_t, uint64_t>> writes;
  uint64_t read(uint32_t, unsigned) override { return next++; }
  void write(uint32_t off, unsigned, uint64_t v) override { writes.emplace_back(off, v); }
};
}  // namespace

TEST_CASE("jit rep: MMIO and ROM pages go through the memory map, access by access") {
  Twin t;
  t.flat32();
  Counter dev_a, dev_b;
  t.a.mem.map_mmio(0x80000, 0x1000, &dev_a);
  t.b.mem.map_mmio(0x80000, 0x1000, &dev_b);
  const std::vector<uint8_t> rom(0x1000, 0xC7);
  t.both([&](Side& s) { s.mem.map_rom(0x90000, 0x1000, s.mem.add_rom(rom.data(), 0x1000)); });
  std::vector<uint8_t> code = {0xBE, 0x00, 0x00, 0x08, 0x00,  // mov esi, 0x80000
                               0xBF, 0x00, 0x00, 0x02, 0x00,  // mov edi, 0x20000
                               0x8A, 0x1E, 0x26, 0x8A, 0x1F,  // mov bl, [esi] ; mov bl, es:[edi]
                               0xB9, 0xC8, 0x00, 0x00, 0x00,  // mov ecx, 200
                               0xF3, 0xA5,                    // rep movsd (MMIO -> RAM)
                               0xBF, 0x00, 0x01, 0x08, 0x00,  // mov edi, 0x80100
                               0xB8, 0x78, 0x56, 0x34, 0x12,  // mov eax, 0x12345678
                               0xB9, 0x64, 0x00, 0x00, 0x00,  // mov ecx, 100
                               0xF3, 0xAB,                    // rep stosd (RAM -> MMIO)
                               0xBE, 0x00, 0x00, 0x09, 0x00,  // mov esi, 0x90000
                               0xBF, 0x00, 0x00, 0x03, 0x00,  // mov edi, 0x30000
                               0xB9, 0x00, 0x04, 0x00, 0x00,  // mov ecx, 1024
                               0xF3, 0xA5,                    // rep movsd (ROM -> RAM)
                               0xBF, 0x00, 0x00, 0x09, 0x00,  // mov edi, 0x90000
                               0xB9, 0x00, 0x04, 0x00, 0x00,  // mov ecx, 1024
                               0xF3, 0xAB,                    // rep stosd (to ROM: ignored)
                               0xF4};
  t.load(kCode, code);
  CHECK(t.run(100000) == Exit::Halted);
  CHECK(dev_b.next == dev_a.next);
  CHECK(dev_b.next == 0x1000 + 1 + 200);
  CHECK(dev_b.writes == dev_a.writes);
  CHECK(t.diff(0xA0000) == "");  // (its reads of the device come after the checks above)
  REQUIRE(dev_b.writes.size() == 100);
  CHECK(dev_b.writes[99] == std::pair<uint32_t, uint64_t>(0x100 + 99 * 4, 0x12345678));
  CHECK(t.b.mem.read<uint32_t>(0x20000 + 4 * 199) == 0x1000 + 1 + 199);
  CHECK(t.b.mem.read<uint32_t>(0x30000 + 4 * 1023) == 0xC7C7C7C7);
  CHECK(t.b.mem.read<uint32_t>(0x90000) == 0xC7C7C7C7);
}

TEST_CASE("jit rep: the bulk handler against the reference handler, call by call, with events pending and TF") {
  // Called directly, as generated code calls them: each call is one batch.
  // With an event pending (or TF set) the reference stops after one
  // iteration; the bulk handler must too. Without, both do 64 at a time.
  for (uint32_t ev : {0u, uint32_t(EV_IRQ)}) {
    for (bool tf : {false, true}) {
      CAPTURE(ev);
      CAPTURE(tf);
      Twin t;
      real16(t, 0x3000, 0x2000);
      std::vector<uint8_t> model(1u << 20);
      pattern(t, model, 0x20000, 0x40000);
      const Insn in = xt::decoded(DecodeMode::Real16, {0xF3, 0xA5});  // rep movsw
      cpu::Handler bulk = jit::rep_handler(in, jit::Config{});
      REQUIRE(bool(bulk));
      string_regs(t, 300, 0x0100, 0x0200, 0, tf ? TF : 0);
      const uint64_t bulk0 = jit::rep_bulk_batches();
      unsigned calls = 0;
      while (t.a.c.gpr[ECX] & 0xFFFF) {
        REQUIRE(calls < 1000);
        xt::call_both(t, in, bulk, ev, 2);
        ++calls;
        REQUIRE(t.diff(0) == "");  // registers (memory at the end)
      }
      CHECK(t.diff(0x40000) == "");
      CHECK(t.b.c.eip == kCode + 2);
      CHECK(t.b.c.gpr[EDI] == 0x0200 + 600);
      // 300 words from 0x30100 to 0x20200 fit in both pages: batches of 64.
      CHECK(calls == (ev || tf ? 300u : 5u));
      CHECK(jit::rep_bulk_batches() - bulk0 == (ev || tf ? 0u : 4u));  // the first filled the TLB
    }
  }
}

TEST_CASE("jit rep: --jit no-emit=rep (and no-inline) calls the reference handler, same results") {
  const Case k{"movsw", false, 0xA5, 2, false, 0x4000, 0x0010, 0x0020};
  CHECK(run_case(k, "no-emit=rep") == 0);
  CHECK(run_case(k, "no-inline") == 0);
  CHECK(run_case(k) > 100);
  // rep_handler chooses only genuine REP MOVS/STOS rows.
  jit::Config on, off = jit::parse_config("no-emit=rep");
  auto dec = [](const std::vector<uint8_t>& bytes) { return xt::decoded(DecodeMode::Prot32, bytes); };
  CHECK(bool(jit::rep_handler(dec({0xF3, 0xA5}), on)));
  CHECK(bool(jit::rep_handler(dec({0xF3, 0x66, 0xAB}), on)));
  CHECK(bool(jit::rep_handler(dec({0xF2, 0xAA}), on)));
  CHECK(!jit::rep_handler(dec({0xF3, 0xA5}), off));
  CHECK(!jit::rep_handler(dec({0xA5}), on));        // no REP
  CHECK(!jit::rep_handler(dec({0xF3, 0xAD}), on));  // REP LODS
  CHECK(!jit::rep_handler(dec({0xF3, 0x6D}), on));  // REP INS
  CHECK(bool(jit::rep_handler(dec({0xF3, 0xA7}), on)));  // REPE CMPS (test_jit_rep_scan.cpp)
  Insn mv = dec({0xF3, 0xA4});
  CHECK((jit::call_target(mv, off) == mv.fn));
  CHECK((jit::call_target(mv, on) != mv.fn));
}

TEST_CASE("jit rep: a REP STOS into a page of translated code is seen as SMC") {
  // 0x3000 holds `ret`, translated by a first call. REP STOSB then writes 32
  // INC EAX (0x40) over it (a `ret` follows them); the second call must run
  // the new code: EAX = 32.
  Twin t;
  t.flat32();
  std::vector<uint8_t> tail(64, 0xC3);
  t.load(0x3000, tail);
  std::vector<uint8_t> code = {0xE8};  // call 0x3000
  le32(code, 0x3000 - (kCode + 5));
  code.insert(code.end(), {0x31, 0xC0,                    // xor eax, eax
                           0xBF, 0x00, 0x30, 0x00, 0x00,  // mov edi, 0x3000
                           0xB9, 0x20, 0x00, 0x00, 0x00,  // mov ecx, 32
                           0xB0, 0x40,                    // mov al, 0x40
                           0xF3, 0xAA,                    // rep stosb
                           0x31, 0xC0,                    // xor eax, eax
                           0xE8});                        // call 0x3000
  le32(code, 0x3000 - (kCode + uint32_t(code.size()) + 4));
  code.push_back(0xF4);
  t.load(kCode, code);
  CHECK(t.run(10000) == Exit::Halted);
  CHECK(t.diff(0x10000) == "");
  CHECK(t.b.c.gpr[EAX] == 32);
  CHECK(t.b.jit->jit_stats().invalidations >= 1);
}

TEST_CASE("jit rep: a page fault in mid-REP leaves ECX/ESI/EDI as the interpreter does, then resumes") {
  // Linear 0x200000 not present; the #PF handler (xt::paged_pf_recorder)
  // records ECX/ESI/EDI/CR2 at 0x5000, maps the page and returns.
  const xt::PfCase cases[] = {
      // STOSD from 0x1FFC00 up: 0x100 dwords fit before 0x200000.
      {"stosd", {0xF3, 0xAB}, 0x300, 0, 0x1FFC00, false, 0x200, 0, 0x200000},
      // The same after a read of the page: its TLB entry has no write
      // permission yet (D clear), so the first write must walk and set D.
      {"stosd after a read", {0x8B, 0x17, 0xF3, 0xAB}, 0x300, 0, 0x1FFC00, false, 0x200, 0, 0x200000},
      // MOVSB reading across into 0x200000 at byte 0x3000.
      {"movsb src", {0xF3, 0xA4}, 0x4000, 0x1FD000, 0x100000, false, 0x1000, 0x200000, 0x103000},
      // MOVSW writing down from 0x200FFE: the first element faults at once.
      {"movsw down first", {0x66, 0xF3, 0xA5}, 0x800, 0x120000, 0x200FFE, true, 0x800, 0x120000, 0x200FFE},
      // STOSW straddling 0x200000 from below (0x1FFFFF..0x200000).
      {"stosw straddle", {0x66, 0xF3, 0xAB}, 0x900, 0, 0x1FFC01, false, 0x900 - 0x1FF, 0, 0x1FFFFF},
  };
  for (const xt::PfCase& k : cases) {
    CAPTURE(k.name);
    Twin t;
    xt::paged_pf_recorder(t);
    std::vector<uint8_t> data(0x10000);
    for (uint32_t p = 0; p < data.size(); ++p) data[p] = uint8_t(p ^ (p >> 7));
    t.load(0x1F8000, data);
    t.load(0x200000, data);
    const uint64_t bulk0 = jit::rep_bulk_batches();
    xt::run_pf_case(t, k, 0x5A5A5A5A);
    CHECK(t.b.c.gpr[ECX] == 0);
    CHECK(t.b.jit->jit_stats().faults == 1);
    const uint32_t dst_pte = t.b.mem.read<uint32_t>(0x11000 + 4 * (k.edi >> 12));
    CHECK((dst_pte & 0x60) == 0x60);  // accessed and dirty
    CHECK(jit::rep_bulk_batches() > bulk0);
  }
}

TEST_CASE("jit rep: interrupts and budget ends in a long REP come at the same iteration") {
  // REP MOVSD of 40000 dwords, then REP STOSB of 200000 bytes, with IF set;
  // slices of odd sizes end the budget in mid-REP and raise an interrupt
  // whose handler counts in memory. After every slice both machines agree,
  // ECX included.
  Twin t;
  t.flat32();
  t.counting_irq();
  std::vector<uint8_t> src(160000);
  for (uint32_t p = 0; p < src.size(); ++p) src[p] = uint8_t(p * 31 + (p >> 11));
  t.load(0x100000, src);
  std::vector<uint8_t> code = {0xBE, 0x00, 0x00, 0x10, 0x00,  // mov esi, 0x100000
                               0xBF, 0x00, 0x00, 0x20, 0x00,  // mov edi, 0x200000
                               0xB9, 0x40, 0x9C, 0x00, 0x00,  // mov ecx, 40000
                               0xF3, 0xA5,                    // rep movsd        (kCode + 15)
                               0xB0, 0x77,                    // mov al, 0x77
                               0xB9, 0x40, 0x0D, 0x03, 0x00,  // mov ecx, 200000
                               0xBF, 0x00, 0x00, 0x30, 0x00,  // mov edi, 0x300000
                               0xF3, 0xAA,                    // rep stosb        (kCode + 29)
                               0xF4};
  t.load(kCode, code);
  const uint64_t bulk0 = jit::rep_bulk_batches();
  bool in_movs;
  const int irqs = xt::irq_slices(t, kCode + 15, 40000, in_movs);  // (all memory compared at the end)
  CHECK(in_movs);                  // slices ended in the middle of the REP MOVSD
  CHECK(t.b.c.eip == kCode + 29);  // and now in the middle of the REP STOSB
  CHECK(t.b.c.gpr[ECX] != 0);
  CHECK(t.run(1000000) == Exit::Halted);
  CHECK(t.diff(0x340000) == "");
  CHECK(t.b.mem.read<uint32_t>(0x4000) == uint32_t(irqs));
  CHECK(jit::rep_bulk_batches() - bulk0 > 1000);
  bool copied = true, filled = true;
  for (uint32_t p = 0; p < 160000; ++p) copied &= t.b.mem.read8(0x200000 + p) == src[p];
  for (uint32_t p = 0; p < 200000; ++p) filled &= t.b.mem.read8(0x300000 + p) == 0x77;
  CHECK(copied);
  CHECK(filled);
  // Each batch (at most 64 elements, ending at page ends) is one instruction.
  CHECK(t.b.c.tsc >= 40000 / 64 + 200000 / 64);
}
