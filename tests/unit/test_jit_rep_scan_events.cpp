// REPE/REPNE SCAS and CMPS in the translator's bulk path (jit/rep_string.*),
// the other half (the values, wraps and switches are in
// test_jit_rep_scan.cpp): segment limits and page faults in mid-scan, events
// and TF call by call, interrupts and budget ends in long scans; always
// against the interpreter (tests/unit/jit_twin.h) and expected values.
#include <doctest/doctest.h>

#include <vector>

#include "jit/rep_string.h"
#include "tests/unit/jit_rigs.h"
#include "tests/unit/jit_twin.h"

using namespace cpu;
using xt::string_regs;
using xt::Twin;

namespace {

constexpr uint32_t kCode = Twin::kCode;

}  // namespace

TEST_CASE("jit rep scan: a segment limit in mid-scan faults at the same element, unless the scan stops first") {
  // ES (or DS) ends at 0x20F7F, mid-page. A scan running into 0x20F80
  // raises #GP(0) (no IDT: a triple fault) with ECX/ESI/EDI/EFLAGS those of
  // the faulting element; one that stops before it finishes.
  for (bool src_limited : {false, true}) {
    for (bool stops_before : {false, true}) {
      CAPTURE(src_limited);
      CAPTURE(stops_before);
      Twin t;
      xt::limit_rig(t, src_limited, 0x5A5A5A5A, 0x5A, src_limited ? 0xA7 : 0xAF);  // repe cmpsd / repe scasd
      // The 0x50th dword differs when the scan should stop before the limit.
      if (stops_before) t.load((src_limited ? 0x40000 : 0x20E00) + 0x50 * 4, {0x11, 0x22, 0x33, 0x44});
      CHECK(t.run(10000) == (stops_before ? Exit::Halted : Exit::Shutdown));
      CHECK(t.diff(0x50000) == "");
      CHECK(t.b.c.gpr[ECX] == (stops_before ? 0x180u - 0x51 : 0x120u));  // 0x60 dwords up to the limit
      CHECK(bool(t.b.c.eflags & ZF) == !stops_before);
    }
  }
}

TEST_CASE("jit rep scan: a page fault in mid-scan leaves ECX/ESI/EDI/EFLAGS as the interpreter does, then resumes") {
  // Linear 0x200000 not present; the #PF handler (xt::paged_pf_recorder)
  // records ECX/ESI/EDI/CR2 and the EIP/EFLAGS of the fault at 0x5000, maps
  // the page and returns.
  // Memory: 0x1F0000..0x210000 all 0x00 but for one 0xEE byte at 0x200123
  // (found by REPNE SCASB with AL = 0xEE) and, mirrored 0x10000 lower, the
  // source of the CMPS cases: equal except at 0x1F0123 vs 0x200123.
  const xt::PfCase cases[] = {
      // REPNE SCASB from 0x1FF000 up: 0x1000 bytes before 0x200000.
      {"repne scasb", {0xF2, 0xAE}, 0x2000, 0, 0x1FF000, false, 0x1000, 0, 0x200000, 0x2000 - 0x1124, 50},
      // REPE CMPSB reading ES:EDI across into 0x200000.
      {"repe cmpsb dst", {0xF3, 0xA6}, 0x3000, 0x1EF000, 0x1FF000, false, 0x2000, 0x1F0000, 0x200000, 0x2000 - 0x124, 50},
      // REPE CMPSD with the source crossing 0x200000 (reversed roles).
      {"repe cmpsd src", {0xF3, 0xA7}, 0x800, 0x1FFC00, 0x1EFC00, false, 0x700, 0x200000, 0x1F0000, 0x700 - 0x49, 3},
      // REPE CMPSW going down from 0x200FFE: the first element faults at once.
      {"repe cmpsw down first", {0x66, 0xF3, 0xA7}, 0x900, 0x200FFE, 0x1F0FFE, true, 0x900, 0x200FFE, 0x1F0FFE,
       0x900 - ((0xFFE - 0x122) / 2 + 1), 25},
  };
  for (const xt::PfCase& k : cases) {
    const std::string name = k.name;
    CAPTURE(name);
    Twin t;
    xt::paged_pf_recorder(t);
    t.load(0x1E0000, std::vector<uint8_t>(0x30000, 0));
    t.load(0x200123, {0xEE});
    const uint64_t bulk0 = jit::rep_bulk_batches();
    xt::run_pf_case(t, k, 0x5A5A5AEE, CF | SF);
    const mmu::Memory& m = t.b.mem;
    CHECK(m.read<uint32_t>(0x5010) == kCode);  // EIP of the faulting instruction
    // EFLAGS at the fault: those of the last comparison done (0xEE - 0:
    // SF, PF; 0 - 0: ZF, PF), or the initial ones when the first element
    // faults.
    const bool scas = k.insn[0] == 0xF2;
    const uint32_t arith = m.read<uint32_t>(0x5014) & kArithFlags;
    CHECK(arith == (k.at_ecx == k.ecx ? uint32_t(CF | SF) : scas ? uint32_t(SF | PF) : uint32_t(ZF | PF)));
    CHECK(t.b.c.gpr[ECX] == k.end_ecx);
    CHECK(t.b.c.eip == kCode + k.insn.size() + 1);  // past the HLT
    CHECK(bool(t.b.c.eflags & ZF) == scas);  // the scan ended on the odd element
    CHECK(t.b.jit->jit_stats().faults == 1);
    CHECK(jit::rep_bulk_batches() - bulk0 >= k.min_bulk);
  }
}

TEST_CASE("jit rep scan: the bulk handler against the reference handler, call by call, with events pending and TF") {
  // Called directly, as generated code calls them: each call is one batch.
  // With an event pending (or TF set) the reference stops after one
  // iteration; the bulk handler must too. Without, both do 64 at a time and
  // stop at the element that ends the repetition.
  struct CallCase {
    const char* name;
    std::vector<uint8_t> insn;
    uint32_t cx, si, di;
    uint32_t elements;  // compared in all
  };
  const CallCase cases[] = {
      // REPNE SCASB: AL = 0x42 first at ES:0x0100 + 250.
      {"repne scasb", {0xF2, 0xAE}, 300, 0x0000, 0x0100, 251},
      // REPE CMPSW over 300 equal words: ECX runs out.
      {"repe cmpsw", {0xF3, 0xA7}, 300, 0x0200, 0x0200, 300},
      // REPE CMPSD going down, differing at element 130.
      {"repe cmpsd down", {0x66, 0xF3, 0xA7}, 200, 0x0F00, 0x0F00, 131},
  };
  for (const CallCase& k : cases) {
    for (uint32_t ev : {0u, uint32_t(EV_IRQ)}) {
      for (bool tf : {false, true}) {
        const std::string name = k.name;
        CAPTURE(name);
        CAPTURE(ev);
        CAPTURE(tf);
        Twin t;
        xt::real16(t, 0x3000, 0x2000);
        const bool down = k.insn.size() == 3;
        // DS and ES hold the same bytes (no 0x42) but for two plants.
        std::vector<uint8_t> mem(0x10000);
        for (uint32_t p = 0; p < mem.size(); ++p) mem[p] = uint8_t(p * 5 + (p >> 9)) == 0x42 ? 0x43 : uint8_t(p * 5 + (p >> 9));
        t.load(0x30000, mem);
        mem[0x0100 + 250] = 0x42;           // for the SCASB
        mem[0x0F00 - 130 * 4 + 1] ^= 0x10;  // for the CMPSD
        t.load(0x20000, mem);
        const Insn in = xt::decoded(DecodeMode::Real16, k.insn);
        cpu::Handler bulk = jit::rep_handler(in, jit::Config{});
        REQUIRE(bool(bulk));
        string_regs(t, k.cx, k.si, k.di, 0x42, (tf ? TF : 0) | (down ? DF : 0));
        const uint32_t len = uint32_t(k.insn.size());
        const uint64_t bulk0 = jit::rep_bulk_batches();
        unsigned calls = 0;
        for (bool more = true; more;) {
          REQUIRE(calls < 1000);
          more = xt::call_both(t, in, bulk, ev, len);
          ++calls;
          REQUIRE(t.diff(0) == "");  // registers and flags after every call
        }
        CHECK(t.b.c.eip == kCode + len);
        CHECK(t.b.c.gpr[ECX] == k.cx - k.elements);
        const unsigned batches = (k.elements + 63) / 64;
        CHECK(calls == (ev || tf ? k.elements : batches));
        // The first call filled the TLB through the reference handler.
        CHECK(jit::rep_bulk_batches() - bulk0 == (ev || tf ? 0u : batches - 1));
      }
    }
  }
}

TEST_CASE("jit rep scan: interrupts and budget ends in long scans come at the same iteration") {
  // REPE CMPSD over 40000 equal dwords, then REPNE SCASB over 200000 bytes
  // without the byte, with IF set; slices of odd sizes end the budget in
  // mid-scan and raise an interrupt whose handler counts in memory (and
  // changes the flags). After every slice both machines agree.
  Twin t;
  t.flat32();
  t.counting_irq();
  std::vector<uint8_t> src(200000);
  for (uint32_t p = 0; p < src.size(); ++p) src[p] = uint8_t(p * 31 + (p >> 11)) | 1;  // never 0x00
  t.load(0x100000, src);
  t.load(0x200000, src);
  std::vector<uint8_t> code = {0xBE, 0x00, 0x00, 0x10, 0x00,  // mov esi, 0x100000
                               0xBF, 0x00, 0x00, 0x20, 0x00,  // mov edi, 0x200000
                               0xB9, 0x40, 0x9C, 0x00, 0x00,  // mov ecx, 40000
                               0xF3, 0xA7,                    // repe cmpsd      (kCode + 15)
                               0x31, 0xC0,                    // xor eax, eax
                               0xB9, 0x40, 0x0D, 0x03, 0x00,  // mov ecx, 200000
                               0xBF, 0x00, 0x00, 0x10, 0x00,  // mov edi, 0x100000
                               0xF2, 0xAE,                    // repne scasb     (kCode + 29)
                               0xF4};
  t.load(kCode, code);
  const uint64_t bulk0 = jit::rep_bulk_batches();
  bool in_cmps;
  const int irqs = xt::irq_slices(t, kCode + 15, 40000, in_cmps);
  CHECK(in_cmps);                  // slices ended in the middle of the REPE CMPSD
  CHECK(t.b.c.eip == kCode + 29);  // and now in the middle of the REPNE SCASB
  CHECK(t.b.c.gpr[ECX] != 0);
  CHECK(t.run(1000000) == Exit::Halted);
  CHECK(t.diff(0x240000) == "");
  CHECK(t.b.mem.read<uint32_t>(0x4000) == uint32_t(irqs));
  CHECK(t.b.c.gpr[ECX] == 0);
  CHECK(t.b.c.gpr[EDI] == 0x100000 + 200000);
  CHECK(!(t.b.c.eflags & ZF));
  CHECK(jit::rep_bulk_batches() - bulk0 > 3000);
  CHECK(t.b.c.tsc >= 40000 / 64 + 200000 / 64);
}

