// mmu::Tlb: hits and misses, the SDM flush rules, dirty-bit handling through
// the write tag, page-crossing accesses, faults, MMIO/ROM/code pages.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "mmu/tlb.h"

namespace {

constexpr uint32_t P = uint32_t(mmu::kPteP), W = uint32_t(mmu::kPteW), U = uint32_t(mmu::kPteU);
constexpr uint32_t A = uint32_t(mmu::kPteA), D = uint32_t(mmu::kPteD);
constexpr uint32_t PS = uint32_t(mmu::kPtePs), G = uint32_t(mmu::kPteG);
constexpr uint32_t kPG = mmu::kCr0Pg | 1;  // PG with PE

// 32-bit paging: PD at 0x10000, a page table at 0x11000 for linear 0x00400000-0x007FFFFF.
struct Rig {
  mmu::Memory m{16u << 20};
  std::unique_ptr<mmu::Tlb> tlb = std::make_unique<mmu::Tlb>(m);
  static constexpr uint32_t kPd = 0x10000, kPt = 0x11000;
  Rig() { pde(1, kPt | P | W | U); }
  void pde(unsigned i, uint32_t v) { m.write<uint32_t>(kPd + i * 4, v); }
  void pte(unsigned i, uint32_t v) { m.write<uint32_t>(kPt + i * 4, v); }
  uint32_t pte(unsigned i) { return m.read<uint32_t>(kPt + i * 4); }
  void paging(uint32_t cr4 = 0, uint32_t cr0 = kPG) {
    REQUIRE(tlb->set_cr4(cr4));
    REQUIRE(tlb->set_cr3(kPd));
    REQUIRE(tlb->set_cr0(cr0));
  }
  template <class T> T rd(uint32_t lin, bool user = false) {
    T v{};
    mmu::PageFault pf;
    REQUIRE(tlb->read(lin, user, &v, &pf));
    return v;
  }
  template <class T> void wr(uint32_t lin, T v, bool user = false) {
    mmu::PageFault pf;
    REQUIRE(tlb->write(lin, user, v, &pf));
  }
  uint64_t walks() const { return tlb->stats().walks; }
};

struct Device : mmu::MmioHandler {
  int reads = 0, writes = 0;
  uint64_t last = 0;
  uint64_t read(uint32_t off, unsigned) override { return ++reads, 0x40 + off; }
  void write(uint32_t, unsigned, uint64_t v) override { ++writes, last = v; }
  unsigned widths() const override { return 1; }
};

struct CodeLog : mmu::CodeListener {
  std::vector<std::pair<uint32_t, unsigned>> writes;
  void code_written(uint32_t paddr, unsigned size) override { writes.emplace_back(paddr, size); }
};

}  // namespace

TEST_CASE("mmu tlb: paging off is the identity, hits after the first access, A20 applied") {
  Rig r;
  r.m.write<uint32_t>(0x5000, 0x11223344);
  CHECK(r.rd<uint32_t>(0x5000) == 0x11223344u);
  CHECK(r.walks() == 1);
  CHECK(r.tlb->entry(false, 0x5000).read_tag == 0x5000u);
  CHECK(r.rd<uint16_t>(0x5FFE) == 0);
  r.wr<uint32_t>(0x5004, 0x55667788);
  CHECK(r.walks() == 1);  // all hits
  CHECK(r.m.read<uint32_t>(0x5004) == 0x55667788u);
  CHECK(r.tlb->entry(true, 0x5000).read_tag == mmu::kTagEmpty);  // user table untouched
  // A20 off: linear 0x105000 is physical 0x5000; the A20 change flushed the TLB.
  r.m.set_a20(false);
  CHECK(r.tlb->entry(false, 0x5000).read_tag == mmu::kTagEmpty);
  CHECK(r.rd<uint32_t>(0x105000) == 0x11223344u);
  r.m.set_a20(true);
  CHECK(r.rd<uint32_t>(0x105000) == 0u);
}

TEST_CASE("mmu tlb: a stale entry is used until INVLPG, which drops it from both tables") {
  Rig r;
  r.pte(1, 0x200000 | P | W | U);
  r.m.write<uint32_t>(0x200010, 0xAAAA);
  r.m.write<uint32_t>(0x300010, 0xBBBB);
  r.paging();
  CHECK(r.rd<uint32_t>(0x401010) == 0xAAAAu);
  CHECK(r.rd<uint32_t>(0x401010, true) == 0xAAAAu);
  uint64_t w = r.walks();
  r.pte(1, 0x300000 | P | W | U);  // no invalidation yet
  CHECK(r.rd<uint32_t>(0x401010) == 0xAAAAu);
  CHECK(r.walks() == w);
  r.tlb->invlpg(0x401FFF);
  CHECK(r.rd<uint32_t>(0x401010) == 0xBBBBu);
  CHECK(r.rd<uint32_t>(0x401010, true) == 0xBBBBu);
  CHECK(r.walks() == w + 2);
}

TEST_CASE("mmu tlb: MOV CR3 keeps global entries; CR4.PGE change flushes them") {
  Rig r;
  r.pte(1, 0x200000 | P | W | G);
  r.pte(2, 0x201000 | P | W);
  r.paging(mmu::kCr4Pge);
  r.rd<uint8_t>(0x401000);
  r.rd<uint8_t>(0x402000);
  uint64_t w = r.walks();
  REQUIRE(r.tlb->set_cr3(Rig::kPd));
  r.rd<uint8_t>(0x401000);
  CHECK(r.walks() == w);  // global: still cached
  r.rd<uint8_t>(0x402000);
  CHECK(r.walks() == w + 1);  // non-global: walked again
  REQUIRE(r.tlb->set_cr4(0));
  r.rd<uint8_t>(0x401000);
  CHECK(r.walks() == w + 2);
  // Without PGE the G bit means nothing: CR3 drops the entry.
  REQUIRE(r.tlb->set_cr3(Rig::kPd));
  r.rd<uint8_t>(0x401000);
  CHECK(r.walks() == w + 3);
  // flush_all drops globals too.
  REQUIRE(r.tlb->set_cr4(mmu::kCr4Pge));
  r.rd<uint8_t>(0x401000);
  r.tlb->flush_all();
  r.rd<uint8_t>(0x401000);
  CHECK(r.walks() == w + 5);
}

TEST_CASE("mmu tlb: the dirty bit is set by the first write after a read-filled entry") {
  Rig r;
  r.pte(1, 0x200000 | P | W | U);
  r.paging();
  r.rd<uint32_t>(0x401000);
  CHECK(r.pte(1) == (0x200000 | P | W | U | A));
  CHECK((r.tlb->entry(false, 0x401000).write_tag & mmu::kTagNoWrite) != 0);
  uint64_t w = r.walks();
  r.wr<uint32_t>(0x401008, 0x12345678);
  CHECK(r.walks() == w + 1);
  CHECK(r.pte(1) == (0x200000 | P | W | U | A | D));
  CHECK(r.m.read<uint32_t>(0x200008) == 0x12345678u);
  CHECK(r.tlb->entry(false, 0x401000).write_tag == 0x401000u);
  r.wr<uint32_t>(0x40100C, 1);
  CHECK(r.walks() == w + 1);  // now a fast-path hit
  // A page whose D bit is already set is writable straight from a read fill.
  r.pte(2, 0x201000 | P | W | A | D);
  r.rd<uint8_t>(0x402000);
  CHECK(r.tlb->entry(false, 0x402000).write_tag == 0x402000u);
}

TEST_CASE("mmu tlb: faults are returned with CR2 and the error code, memory untouched") {
  Rig r;
  r.pte(1, 0x200000 | P | U);      // read-only user page
  r.pte(2, 0x201000 | P | W);      // supervisor page
  r.paging();
  mmu::PageFault pf;
  uint32_t v = 0;
  CHECK_FALSE(r.tlb->write<uint32_t>(0x401010, true, 5, &pf));
  CHECK(pf.lin == 0x401010u);
  CHECK(pf.error == 7u);
  CHECK(r.m.read<uint32_t>(0x200010) == 0u);
  CHECK(r.tlb->read<uint32_t>(0x401010, true, &v, &pf));  // reads are fine
  CHECK_FALSE(r.tlb->write<uint32_t>(0x401010, true, 5, &pf));  // still, after the read fill
  CHECK(pf.error == 7u);
  CHECK_FALSE(r.tlb->read<uint32_t>(0x402000, true, &v, &pf));
  CHECK(pf.error == 5u);
  CHECK_FALSE(r.tlb->read<uint32_t>(0x403000, false, &v, &pf));
  CHECK(pf.lin == 0x403000u);
  CHECK(pf.error == 0u);
  // Supervisor write to the read-only page: allowed with WP=0, a fault once
  // WP is set (the CR0.WP change flushes the cached permission).
  r.wr<uint32_t>(0x401020, 0x99);
  CHECK(r.m.read<uint32_t>(0x200020) == 0x99u);
  REQUIRE(r.tlb->set_cr0(kPG | mmu::kCr0Wp));
  CHECK_FALSE(r.tlb->write<uint32_t>(0x401020, false, 0x77, &pf));
  CHECK(pf.error == 3u);
  CHECK(r.m.read<uint32_t>(0x200020) == 0x99u);
}

TEST_CASE("mmu tlb: a page-crossing write that faults on the second page changes nothing") {
  Rig r;
  r.pte(1, 0x200000 | P | W);  // 0x401000 -> 0x200000, writable
  r.pte(2, 0x205000 | P);      // 0x402000 -> 0x205000, read-only
  r.paging(0, kPG | mmu::kCr0Wp);
  r.m.write<uint32_t>(0x200FFC, 0xA1A2A3A4);
  mmu::PageFault pf;
  CHECK_FALSE(r.tlb->write<uint32_t>(0x401FFE, false, 0x11223344, &pf));
  CHECK(pf.lin == 0x402000u);  // CR2: the first byte in the faulting page
  CHECK(pf.error == 3u);
  CHECK(r.m.read<uint32_t>(0x200FFC) == 0xA1A2A3A4u);
  CHECK(r.pte(1) == (0x200000 | P | W));  // not even A/D on the first page
  CHECK(r.pte(2) == (0x205000 | P));
  // Not present second page: same.
  r.pte(2, 0);
  r.tlb->invlpg(0x402000);
  CHECK_FALSE(r.tlb->write<uint64_t>(0x401FFC, false, 0, &pf));
  CHECK(pf.lin == 0x402000u);
  CHECK(pf.error == 2u);
  CHECK(r.m.read<uint32_t>(0x200FFC) == 0xA1A2A3A4u);
  // Once both pages allow it, the halves land in two non-adjacent physical pages.
  r.pte(2, 0x205000 | P | W);
  r.tlb->invlpg(0x402000);
  r.wr<uint32_t>(0x401FFE, 0x11223344);
  CHECK(r.m.read<uint16_t>(0x200FFE) == 0x3344);
  CHECK(r.m.read<uint16_t>(0x205000) == 0x1122);
  CHECK(r.rd<uint32_t>(0x401FFE) == 0x11223344u);
  CHECK(r.pte(1) == (0x200000 | P | W | A | D));
  CHECK(r.pte(2) == (0x205000 | P | W | A | D));
  // A crossing read whose first page faults reports the first page.
  r.pte(1, 0);
  r.tlb->invlpg(0x401000);
  uint32_t v;
  CHECK_FALSE(r.tlb->read<uint32_t>(0x401FFE, false, &v, &pf));
  CHECK(pf.lin == 0x401FFEu);
  CHECK(pf.error == 0u);
}

TEST_CASE("mmu tlb: probe checks every page without side effects") {
  Rig r;
  r.pte(1, 0x200000 | P | W);
  r.pte(2, 0x201000 | P);
  r.paging(0, kPG | mmu::kCr0Wp);
  mmu::PageFault pf;
  CHECK(r.tlb->probe(0x401000, 0x1000, mmu::Access::Write, false, &pf));
  CHECK_FALSE(r.tlb->probe(0x401F00, 0x200, mmu::Access::Write, false, &pf));
  CHECK(pf.lin == 0x402000u);
  CHECK(pf.error == 3u);
  CHECK(r.tlb->probe(0x401F00, 0x200, mmu::Access::Read, false, &pf));
  CHECK(r.pte(1) == (0x200000 | P | W));
  uint64_t pa = 0;
  CHECK(r.tlb->translate(0x402123, mmu::Access::Fetch, false, &pa, &pf));
  CHECK(pa == 0x201123u);
}

TEST_CASE("mmu tlb: INVLPG drops every piece of a 4 MiB page") {
  Rig r;
  r.pde(3, 0x00800000 | P | W | PS);  // linear 0x00C00000 -> 0x00800000
  r.m.write<uint32_t>(0x00801000, 1);
  r.m.write<uint32_t>(0x00A00000, 2);
  r.paging(mmu::kCr4Pse);
  CHECK(r.rd<uint32_t>(0x00C01000) == 1u);
  CHECK(r.rd<uint32_t>(0x00E00000) == 2u);
  uint64_t w = r.walks();
  r.pde(3, 0x00400000 | P | W | PS);
  r.tlb->invlpg(0x00FFFFFF);  // any address inside the large page
  r.rd<uint32_t>(0x00C01000);
  r.rd<uint32_t>(0x00E00000);
  CHECK(r.walks() == w + 2);
  CHECK(r.tlb->entry(false, 0x00C01000).ppn == 0x401u);
}

TEST_CASE("mmu tlb: MMIO and ROM pages, map changes flush") {
  Rig r;
  Device dev;
  r.m.map_mmio(0xA0000, 0x1000, &dev);
  std::vector<uint8_t> img(0x1000, 0x5A);
  r.m.map_rom(0xC0000, 0x1000, r.m.add_rom(img.data(), uint32_t(img.size())));
  CHECK(r.rd<uint16_t>(0xA0002) == 0x4342);
  CHECK(dev.reads == 2);  // split into bytes by the map
  CHECK(r.rd<uint8_t>(0xA0000) == 0x40);
  CHECK(dev.reads == 3);  // never cached: every access reaches the device
  CHECK((r.tlb->entry(false, 0xA0000).read_tag & mmu::kTagSlow) != 0);
  r.wr<uint8_t>(0xA0001, 0x77);
  CHECK(dev.writes == 1);
  CHECK(dev.last == 0x77u);
  CHECK(r.rd<uint32_t>(0xC0000) == 0x5A5A5A5Au);
  CHECK(r.tlb->entry(false, 0xC0000).read_tag == 0xC0000u);  // ROM reads are direct
  r.wr<uint32_t>(0xC0000, 0);
  CHECK(r.rd<uint32_t>(0xC0000) == 0x5A5A5A5Au);
  // A PAM switch changes what the page is: the TLB is flushed.
  r.m.set_shadow(0xC0000, 0x1000, true, true);
  CHECK(r.tlb->entry(false, 0xC0000).read_tag == mmu::kTagEmpty);
  CHECK(r.rd<uint32_t>(0xC0000) == 0u);
}

TEST_CASE("mmu tlb: code pages force the write slow path, which reports only marked chunks") {
  Rig r;
  CodeLog log;
  r.m.set_code_listener(&log);
  r.pte(1, 0x200000 | P | W | D);
  r.paging();
  r.wr<uint32_t>(0x401100, 1);
  CHECK(r.tlb->entry(false, 0x401000).write_tag == 0x401000u);
  // Marking code revokes the direct write of the cached entry.
  r.m.mark_code(0x200080, 0x20);  // chunk 1
  CHECK(r.tlb->entry(false, 0x401000).write_tag == (0x401000u | mmu::kTagCode));
  r.wr<uint32_t>(0x401100, 2);  // chunk 2: no report
  CHECK(log.writes.empty());
  CHECK(r.m.read<uint32_t>(0x200100) == 2u);
  r.wr<uint16_t>(0x40107F, 0xBEEF);  // bytes 0x7F-0x80: touches chunk 1
  REQUIRE(log.writes.size() == 1);
  CHECK(log.writes[0] == std::make_pair(0x20007Fu, 2u));
  CHECK(r.m.read<uint16_t>(0x20007F) == 0xBEEF);
  // Reads stay on the fast path.
  uint64_t w = r.walks();
  CHECK(r.rd<uint32_t>(0x401080) == 0xBE);
  CHECK(r.walks() == w);
  // Once the code is gone, the next write restores the plain tag.
  r.m.unmark_code(0x200000, 0x1000);
  r.wr<uint8_t>(0x401000, 3);
  CHECK(r.tlb->entry(false, 0x401000).write_tag == 0x401000u);
  // A fill of a page that already holds code carries the flag.
  r.m.mark_code(0x300080, 1);  // chunk 1 of the page
  r.pte(3, 0x300000 | P | W | D);
  r.wr<uint8_t>(0x40307F, 1);  // chunk 0
  CHECK(r.tlb->entry(false, 0x403000).write_tag == (0x403000u | mmu::kTagCode));
  CHECK(log.writes.size() == 1);
  r.wr<uint8_t>(0x4030FF, 1);  // last byte of chunk 1
  REQUIRE(log.writes.size() == 2);
  CHECK(log.writes[1] == std::make_pair(0x3000FFu, 1u));
  r.wr<uint8_t>(0x403100, 1);  // chunk 2
  CHECK(log.writes.size() == 2);
}

TEST_CASE("mmu tlb: PAE PDPTEs are loaded by CR3 and CR0/CR4 writes; bad ones are refused") {
  Rig r;
  constexpr uint32_t kPdpt = 0x20000, kPd = 0x21000, kPt = 0x22000;
  r.m.write<uint64_t>(kPdpt, kPd | P);
  r.m.write<uint64_t>(kPd + 2 * 8, kPt | P | W);
  r.m.write<uint64_t>(kPt + 3 * 8, 0x250000 | P | W);
  r.m.write<uint64_t>(kPd + 3 * 8, 0xA00000 | P | W | PS);  // linear 0x600000: 2 MiB at 0xA00000
  r.m.write<uint32_t>(0x250010, 0xC0FFEE);
  r.m.write<uint32_t>(0xAFFFF0, 0xF00D);
  REQUIRE(r.tlb->set_cr3(kPdpt));  // PAE not active yet: nothing loaded
  REQUIRE(r.tlb->set_cr4(mmu::kCr4Pae));
  REQUIRE(r.tlb->set_cr0(kPG));  // enabling paging loads the PDPTEs
  CHECK(r.tlb->regs().pdpte[0] == (kPd | P));
  CHECK(r.rd<uint32_t>(0x403010) == 0xC0FFEEu);
  CHECK(r.rd<uint32_t>(0x6FFFF0) == 0xF00Du);
  r.m.write<uint64_t>(0x30000, 0x1000 | P | (1u << 5));  // bit 5 is reserved in a PDPTE
  CHECK_FALSE(r.tlb->set_cr3(0x30000));
  CHECK(r.tlb->regs().cr3 == kPdpt);  // unchanged
  CHECK(r.tlb->regs().pdpte[0] == (kPd | P));
  CHECK(r.rd<uint32_t>(0x403010) == 0xC0FFEEu);
}
