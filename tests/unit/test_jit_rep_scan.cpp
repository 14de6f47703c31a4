// REPE/REPNE SCAS and CMPS in the translator's bulk path (jit/rep_string.*)
// against the interpreter (tests/unit/jit_twin.h: all state, tsc, memory)
// and against a plain element-by-element model of the repetition for where
// it stops (ECX/ESI/EDI, ZF, CF). Byte/word/dword, REPE and REPNE, DF both
// ways, real mode (16-bit addressing, 64K wrap) and flat 32-bit; counts
// 0/1/2 and long ones crossing pages and batches; stops at the first, a
// middle and the last element and at batch edges; `--jit no-emit=rep`.
// Segment limits, page faults mid-scan, events and TF call by call and
// interrupts in long scans are in test_jit_rep_scan_events.cpp, the REP
// MOVS/STOS tests in test_jit_rep.cpp.
#include <doctest/doctest.h>

#include <vector>

#include "jit/rep_string.h"
#include "tests/unit/jit_rigs.h"
#include "tests/unit/jit_twin.h"

using namespace cpu;
using xt::real16;
using xt::Side;
using xt::Twin;

namespace {

constexpr uint32_t kCode = Twin::kCode;
constexpr uint32_t kEax = 0x8C4B2A19;

struct Scan {
  const char* name;
  bool a32;        // flat 32-bit protected mode (else real mode, 16-bit addressing)
  uint8_t op;      // 0xAE/0xAF SCAS, 0xA6/0xA7 CMPS
  unsigned w;      // element size
  bool down;       // DF
  uint8_t rep;     // 0xF3 REPE, 0xF2 REPNE
  uint32_t count, si, di;
  int64_t stop;    // the element whose comparison ends the repetition; -1: none
  uint16_t ds = 0x3000, es = 0x2000;  // real mode only
  uint32_t hi = 0;                    // real mode: upper halves of ECX/ESI/EDI (must survive)
  uint32_t limit = 0xFFFF;  // real mode: DS/ES limit (4G: "unreal" mode, 16-bit addressing all the same)
};

bool cmps(const Scan& k) { return k.op == 0xA6 || k.op == 0xA7; }

// Little-endian elements of w bytes in a flat byte image.
uint32_t get(const std::vector<uint8_t>& m, uint32_t at, unsigned w) {
  uint32_t v = 0;
  for (unsigned b = 0; b < w; ++b) v |= uint32_t(m[at + b]) << (8 * b);
  return v;
}
void put(std::vector<uint8_t>& m, uint32_t at, unsigned w, uint32_t v) {
  for (unsigned b = 0; b < w; ++b) m[at + b] = uint8_t(v >> (8 * b));
}

struct Result {
  uint32_t cx, si, di;
  bool zf, cf;
};

// The repetition as the SDM describes it, one element at a time.
Result run_model(const std::vector<uint8_t>& m, const Scan& k, uint32_t sbase, uint32_t dbase, uint32_t ef) {
  const uint32_t mask = k.a32 ? ~0u : 0xFFFFu, vmask = k.w == 4 ? ~0u : (1u << (8 * k.w)) - 1;
  const uint32_t step = k.down ? uint32_t(0) - k.w : k.w;
  Result r{k.count, k.si, k.di, bool(ef & ZF), bool(ef & CF)};
  while (r.cx) {
    uint32_t a = cmps(k) ? get(m, sbase + r.si, k.w) : kEax & vmask, b = get(m, dbase + r.di, k.w);
    r.zf = a == b;
    r.cf = a < b;
    if (cmps(k)) r.si = (r.si + step) & mask;
    r.di = (r.di + step) & mask;
    --r.cx;
    if (k.rep == 0xF2 ? r.zf : !r.zf) break;
  }
  return r;
}

// Memory for a case: elements 0..stop (or all `count`) made to continue the
// repetition, element `stop` made to end it, all with varied values (so
// that every flag of the last comparison matters).
void plant(std::vector<uint8_t>& m, const Scan& k, uint32_t sbase, uint32_t dbase) {
  const uint32_t mask = k.a32 ? ~0u : 0xFFFFu, vmask = k.w == 4 ? ~0u : (1u << (8 * k.w)) - 1;
  const uint32_t step = k.down ? uint32_t(0) - k.w : k.w;
  const bool repne = k.rep == 0xF2;
  const uint64_t last = k.stop >= 0 ? uint64_t(k.stop) : uint64_t(k.count) - 1;
  for (uint64_t e = 0; k.count && e <= last; ++e) {
    const uint32_t s = sbase + ((k.si + uint32_t(e) * step) & mask);
    const uint32_t d = dbase + ((k.di + uint32_t(e) * step) & mask);
    const bool ends = int64_t(e) == k.stop;
    const uint32_t a = cmps(k) ? get(m, s, k.w) : kEax & vmask;
    const uint32_t x = (uint32_t(e) * 0x9E3779B1u | 1u) & vmask;  // a nonzero difference
    put(m, d, k.w, ends == repne ? a : a ^ x);
  }
}

// Run one case in both engines; the translator must match the interpreter
// (state, tsc, memory) and the model. Returns the batches done in bulk.
uint64_t run_case(const Scan& k, const std::string& spec = "") {
  const std::string name = k.name;
  CAPTURE(name);
  Twin t(spec);
  std::vector<uint8_t> m(1u << 20);
  if (k.a32) t.flat32();
  else real16(t, k.ds, k.es, k.limit);
  const uint32_t sbase = k.a32 ? 0 : uint32_t(k.ds) << 4, dbase = k.a32 ? 0 : uint32_t(k.es) << 4;
  for (uint32_t p = 0x10000; p < 0x90000; ++p) m[p] = uint8_t(p * 7 + (p >> 8) * 13 + 1);
  plant(m, k, sbase, dbase);
  const std::vector<uint8_t> code = xt::touch_then_rep(k.a32, k.w, k.rep, k.op);
  for (unsigned b = 0; b < code.size(); ++b) m[kCode + b] = code[b];
  t.load(0x10000, std::vector<uint8_t>(m.begin() + 0x10000, m.begin() + 0x90000));
  t.load(kCode, code);
  const uint32_t ef0 = 0x2 | CF | PF | AF | SF | (k.down ? DF : 0);  // ZF clear, OF clear
  t.both([&](Side& s) { s.c.eflags = ef0; });
  xt::string_regs(t, k.count | k.hi, k.si | k.hi, k.di | k.hi, kEax);
  const Result r = run_model(m, k, sbase, dbase, ef0);
  const uint64_t bulk0 = jit::rep_bulk_batches();
  CHECK(t.run(1000000) == Exit::Halted);
  const uint64_t bulk = jit::rep_bulk_batches() - bulk0;
  CHECK(t.diff(0x90000) == "");
  const Cpu& c = t.b.c;
  CHECK(c.gpr[ECX] == (r.cx | k.hi));
  CHECK(c.gpr[EDI] == (r.di | k.hi));
  CHECK(c.gpr[ESI] == (r.si | k.hi));
  CHECK(bool(c.eflags & ZF) == r.zf);
  CHECK(bool(c.eflags & CF) == r.cf);
  if (k.count == 0) CHECK(c.eflags == ef0);
  CHECK(c.eip == kCode + code.size());  // past the HLT
  return bulk;
}

}  // namespace

TEST_CASE("jit rep scan: REPNE SCASB finds the byte or not, real mode and flat, DF both ways") {
  const Scan cases[] = {
      {"not found 0", false, 0xAE, 1, false, 0xF2, 0, 0, 0x100, -1},
      {"found 1", false, 0xAE, 1, false, 0xF2, 1, 0, 0x100, 0},
      {"not found 1", false, 0xAE, 1, false, 0xF2, 1, 0, 0x100, -1},
      {"found 2nd of 2", false, 0xAE, 1, false, 0xF2, 2, 0, 0x100, 1},
      {"found first", false, 0xAE, 1, false, 0xF2, 5000, 0, 0x0123, 0},
      {"found middle", false, 0xAE, 1, false, 0xF2, 5000, 0, 0x0123, 2222},
      {"found last", false, 0xAE, 1, false, 0xF2, 5000, 0, 0x0123, 4999},
      {"found at 63", false, 0xAE, 1, false, 0xF2, 5000, 0, 0x0100, 63},
      {"found at 64", false, 0xAE, 1, false, 0xF2, 5000, 0, 0x0100, 64},
      {"found at a page end", false, 0xAE, 1, false, 0xF2, 5000, 0, 0x0123, 0x1000 - 0x123 - 1},
      {"not found 5000", false, 0xAE, 1, false, 0xF2, 5000, 0, 0x0123, -1, 0x3000, 0x2000, 0x77770000},
      {"down found middle", false, 0xAE, 1, true, 0xF2, 5000, 0, 0xF123, 1717},
      {"down not found", false, 0xAE, 1, true, 0xF2, 5000, 0, 0xF123, -1},
      {"down found at 64", false, 0xAE, 1, true, 0xF2, 3000, 0, 0xC040, 64},
      {"down found at 63", false, 0xAE, 1, true, 0xF2, 3000, 0, 0xC040, 63},
      {"down found first", false, 0xAE, 1, true, 0xF2, 3000, 0, 0xF123, 0},
      {"down found at 64 mid-page", false, 0xAE, 1, true, 0xF2, 3000, 0, 0xF123, 64},
      {"down found at a page start", false, 0xAE, 1, true, 0xF2, 3000, 0, 0xC020, 32},
      {"flat found", true, 0xAE, 1, false, 0xF2, 20000, 0, 0x20F00, 15000},
      {"flat down not found", true, 0xAE, 1, true, 0xF2, 9000, 0, 0x3FFF0, -1},
      {"rmode bench: count 0xFFFF, found", false, 0xAE, 1, false, 0xF2, 0xFFFF, 0, 0, 40000},
  };
  uint64_t bulk = 0;
  for (const Scan& k : cases) bulk += run_case(k);
  CHECK(bulk > 500);  // the long ones ran in bulk, not through the fallback
}

TEST_CASE("jit rep scan: REPE CMPSB equal, or differing at the first, a middle or the last element") {
  const Scan cases[] = {
      {"equal 0", false, 0xA6, 1, false, 0xF3, 0, 0x10, 0x20, -1},
      {"equal 1", false, 0xA6, 1, false, 0xF3, 1, 0x10, 0x20, -1},
      {"differ 1", false, 0xA6, 1, false, 0xF3, 1, 0x10, 0x20, 0},
      {"equal 7000", false, 0xA6, 1, false, 0xF3, 7000, 0x0123, 0x0F80, -1},
      {"differ first", false, 0xA6, 1, false, 0xF3, 7000, 0x0123, 0x0F80, 0},
      {"differ middle", false, 0xA6, 1, false, 0xF3, 7000, 0x0123, 0x0F80, 3456},
      {"differ last", false, 0xA6, 1, false, 0xF3, 7000, 0x0123, 0x0F80, 6999},
      {"differ at 63", false, 0xA6, 1, false, 0xF3, 7000, 0x0000, 0x0000, 63},
      {"differ at 64", false, 0xA6, 1, false, 0xF3, 7000, 0x0000, 0x0000, 64},
      {"down differ middle", false, 0xA6, 1, true, 0xF3, 7000, 0xE001, 0xF7FE, 5000, 0x3000, 0x2000, 0xABCD0000},
      {"down equal", false, 0xA6, 1, true, 0xF3, 7000, 0xE001, 0xF7FE, -1},
      {"flat differ middle", true, 0xA6, 1, false, 0xF3, 12345, 0x30123, 0x45F80, 9999},
      {"flat down equal", true, 0xA6, 1, true, 0xF3, 12345, 0x3FF00, 0x57004, -1},
      {"repne: equal at middle", false, 0xA6, 1, false, 0xF2, 3000, 0x0100, 0x0200, 700},
      {"repne: never equal", true, 0xA6, 1, true, 0xF2, 3000, 0x38000, 0x48000, -1},
      {"rmode bench: count 0xFFFF", false, 0xA6, 1, false, 0xF3, 0xFFFF, 0, 0, 0x3210, 0x2000, 0x3000},
  };
  uint64_t bulk = 0;
  for (const Scan& k : cases) bulk += run_case(k);
  CHECK(bulk > 600);
}

TEST_CASE("jit rep scan: word and dword SCAS and CMPS, REPE and REPNE, DF both ways") {
  const Scan cases[] = {
      {"repne scasw found", false, 0xAF, 2, false, 0xF2, 3000, 0, 0x0F81, 1500},
      {"repne scasw not found", false, 0xAF, 2, false, 0xF2, 3000, 0, 0x0F81, -1},
      {"repe scasw differ", false, 0xAF, 2, true, 0xF3, 3000, 0, 0xF002, 2900},
      {"repe scasd equal", false, 0xAF, 4, false, 0xF3, 4000, 0, 0x0040, -1, 0x3000, 0x2000, 0x12340000},
      {"repne scasd found down", false, 0xAF, 4, true, 0xF2, 2500, 0, 0xEFFF, 2000},
      {"flat repe scasd differ", true, 0xAF, 4, false, 0xF3, 5000, 0, 0x20FFE, 4321},
      {"flat repne scasw down", true, 0xAF, 2, true, 0xF2, 5000, 0, 0x3FFFC, 4000},
      {"repe cmpsw differ", false, 0xA7, 2, false, 0xF3, 5000, 0x0001, 0x0FFE, 4444},
      {"repe cmpsw down equal", false, 0xA7, 2, true, 0xF3, 5000, 0xE001, 0xF7FE, -1},
      {"repe cmpsd differ", false, 0xA7, 4, false, 0xF3, 3000, 0x0002, 0x0801, 2999, 0x3000, 0x2000, 0x5A5A0000},
      {"repne cmpsd equal", false, 0xA7, 4, true, 0xF2, 3000, 0xC002, 0xB801, 1000},
      {"flat repe cmpsd down differ", true, 0xA7, 4, true, 0xF3, 4000, 0x3FF00, 0x60004, 3000},
      {"flat repe cmpsw equal", true, 0xA7, 2, false, 0xF3, 6000, 0x30001, 0x40FFF, -1},
      {"flat repne cmpsw equal", true, 0xA7, 2, false, 0xF2, 6000, 0x30000, 0x41000, 5000},
  };
  uint64_t bulk = 0;
  for (const Scan& k : cases) bulk += run_case(k);
  CHECK(bulk > 500);
}

TEST_CASE("jit rep scan: 16-bit addressing wraps at 64K, elements straddling pages") {
  const Scan cases[] = {
      {"scasb wrap", false, 0xAE, 1, false, 0xF2, 0x300, 0, 0xFF80, 0x200},
      {"scasw down wrap", false, 0xAF, 2, true, 0xF3, 0x300, 0, 0x0040, -1},
      {"cmpsw wrap", false, 0xA7, 2, false, 0xF3, 0x400, 0xFE00, 0xFF00, 0x3F0},
      {"cmpsd down wrap", false, 0xA7, 4, true, 0xF3, 0x300, 0x0100, 0x0010, -1},
      {"cmpsb both wrap", false, 0xA6, 1, false, 0xF3, 0xFFFF, 0x8000, 0xC000, 0xF000},
      // Segment bases off a page boundary: the wrap comes inside a page.
      {"scasb wrap mid-page", false, 0xAE, 1, false, 0xF2, 0x300, 0, 0xFFF0, -1, 0x3003, 0x2001},
      {"cmpsd wrap mid-page", false, 0xA7, 4, false, 0xF3, 0x300, 0xFFE0, 0xFE00, 0x2F0, 0x3003, 0x2001},
      {"cmpsb down wrap mid-page", false, 0xA6, 1, true, 0xF2, 0x300, 0x0020, 0x8000, 0x100, 0x3003, 0x2001},
      // 4 GiB limits: only the address size wraps the index.
      {"unreal scasb wrap", false, 0xAE, 1, false, 0xF3, 0x300, 0, 0xFFF0, 0x200, 0x3003, 0x2001, 0, ~0u},
      {"unreal scasw down wrap", false, 0xAF, 2, true, 0xF3, 0x300, 0, 0x0008, -1, 0x3003, 0x2001, 0, ~0u},
      {"unreal cmpsd wrap", false, 0xA7, 4, false, 0xF3, 0x300, 0xFFE0, 0xFE00, 0x2F0, 0x3003, 0x2001, 0, ~0u},
      {"unreal cmpsb down wrap", false, 0xA6, 1, true, 0xF3, 0x300, 0x0020, 0x8000, -1, 0x3003, 0x2001, 0, ~0u},
      {"unreal cmpsw straddling 64K", false, 0xA7, 2, false, 0xF3, 0x300, 0xFFFF, 0x1001, -1, 0x3003, 0x2001, 0, ~0u},
      // The first element straddles a page (both operands), or a later one.
      {"cmpsw straddling", false, 0xA7, 2, false, 0xF3, 0x900, 0x0FFF, 0x0FEF, -1, 0x3000, 0x2001},
      {"scasd straddling", false, 0xAF, 4, false, 0xF2, 0x900, 0, 0x0FFE, 0x850},
      {"cmpsd straddling later", false, 0xA7, 4, true, 0xF3, 0x900, 0x1F00, 0x2F03, 0x800},
      // SCAS has no source, but the reference's page test looks at DS:SI:
      // a word at DS:SI straddling a page ends every batch after one element.
      {"scasw, DS:SI straddling", false, 0xAF, 2, false, 0xF3, 0x300, 0x0FFF, 0x0100, -1},
      {"scasb, DS:SI at a page end", false, 0xAE, 1, false, 0xF3, 0x300, 0x0FFF, 0x0100, -1},
  };
  for (const Scan& k : cases) run_case(k);
}

TEST_CASE("jit rep scan: --jit no-emit=rep calls the reference handler, and which rows go in bulk") {
  const Scan k{"repne scasb", false, 0xAE, 1, false, 0xF2, 0x4000, 0, 0x0010, 0x3000};
  CHECK(run_case(k, "no-emit=rep") == 0);
  CHECK(run_case(k, "no-inline") == 0);
  CHECK(run_case(k) > 100);
  jit::Config on, off = jit::parse_config("no-emit=rep");
  auto dec = [](const std::vector<uint8_t>& bytes) { return xt::decoded(DecodeMode::Prot32, bytes); };
  for (auto bytes : {std::vector<uint8_t>{0xF3, 0xA6}, {0xF2, 0xA7}, {0x66, 0xF3, 0xA7}, {0xF2, 0xAE},
                     {0xF3, 0xAF}, {0x66, 0xF2, 0xAF}, {0x67, 0xF3, 0xA6}}) {
    CAPTURE(bytes.back());
    CHECK(bool(jit::rep_handler(dec(bytes), on)));
    CHECK(!jit::rep_handler(dec(bytes), off));
  }
  CHECK(!jit::rep_handler(dec({0xA6}), on));        // CMPSB without REP
  CHECK(!jit::rep_handler(dec({0xAF}), on));        // SCASD without REP
  CHECK(!jit::rep_handler(dec({0xF3, 0xAC}), on));  // REP LODSB
  CHECK(!jit::rep_handler(dec({0xF3, 0x6C}), on));  // REP INSB
  CHECK(!jit::rep_handler(dec({0xF3, 0x6F}), on));  // REP OUTSD
  // A REPE CMPSB and a REPNE SCASW (each address size) get distinct handlers.
  CHECK((jit::rep_handler(dec({0xF3, 0xA6}), on) != jit::rep_handler(dec({0x67, 0xF3, 0xA6}), on)));
  CHECK((jit::rep_handler(dec({0xF3, 0xA6}), on) != jit::rep_handler(dec({0x66, 0xF2, 0xAF}), on)));
}
