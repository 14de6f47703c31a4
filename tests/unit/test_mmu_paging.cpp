// mmu::walk on hand-built page tables: 32-bit paging with 4 KiB and 4 MiB
// pages, PAE with 4 KiB and 2 MiB pages, A/D bits, #PF error codes, CR0.WP,
// reserved bits, global pages.
#include <doctest/doctest.h>

#include "mmu/paging.h"

using mmu::Access;
using mmu::kPteA;
using mmu::kPteD;
using mmu::kPteG;
using mmu::kPteP;
using mmu::kPtePs;
using mmu::kPteU;
using mmu::kPteW;

namespace {

constexpr uint32_t P = uint32_t(kPteP), W = uint32_t(kPteW), U = uint32_t(kPteU);
constexpr uint32_t A = uint32_t(kPteA), D = uint32_t(kPteD), PS = uint32_t(kPtePs), G = uint32_t(kPteG);

// 32-bit paging: page directory at 0x10000, one page table at 0x11000 for
// linear 0x00400000-0x007FFFFF (PD index 1).
struct Paging32 {
  mmu::Memory m{32u << 20};
  mmu::PagingRegs r;
  static constexpr uint32_t kPd = 0x10000, kPt = 0x11000;
  Paging32() {
    r.cr0 = mmu::kCr0Pg | 1;
    r.cr3 = kPd;
  }
  void pde(unsigned i, uint32_t v) { m.write<uint32_t>(kPd + i * 4, v); }
  uint32_t pde(unsigned i) { return m.read<uint32_t>(kPd + i * 4); }
  void pte(unsigned i, uint32_t v) { m.write<uint32_t>(kPt + i * 4, v); }
  uint32_t pte(unsigned i) { return m.read<uint32_t>(kPt + i * 4); }
  mmu::Translation walk(uint32_t lin, Access acc, bool user = false) { return mmu::walk(m, lin, acc, user, r); }
};

// PAE: PDPT at 0x20020 (32-byte aligned, not page aligned), PD at 0x21000 for
// linear 0x00000000-0x3FFFFFFF, PT at 0x22000 for 0x00400000-0x005FFFFF.
struct PagingPae {
  mmu::Memory m{16u << 20};
  mmu::PagingRegs r;
  static constexpr uint32_t kPdpt = 0x20020, kPd = 0x21000, kPt = 0x22000;
  PagingPae() {
    r.cr0 = mmu::kCr0Pg | 1;
    r.cr4 = mmu::kCr4Pae;
    r.cr3 = kPdpt;
    m.write<uint64_t>(kPdpt, kPd | P);
    m.write<uint64_t>(kPd + 2 * 8, kPt | P | W | U);
  }
  void load() { REQUIRE(mmu::load_pdptes(m, r.cr3, r.pdpte)); }
  void pde(unsigned i, uint64_t v) { m.write<uint64_t>(kPd + i * 8, v); }
  uint64_t pde(unsigned i) { return m.read<uint64_t>(kPd + i * 8); }
  void pte(unsigned i, uint64_t v) { m.write<uint64_t>(kPt + i * 8, v); }
  uint64_t pte(unsigned i) { return m.read<uint64_t>(kPt + i * 8); }
  mmu::Translation walk(uint32_t lin, Access acc, bool user = false) { return mmu::walk(m, lin, acc, user, r); }
};

}  // namespace

TEST_CASE("mmu paging: paging off is the identity") {
  mmu::Memory m(1u << 20);
  mmu::PagingRegs r;
  mmu::Translation t = mmu::walk(m, 0xFFFFF123u, Access::Write, true, r);
  CHECK(t.ok);
  CHECK(t.paddr == 0xFFFFF123u);
  CHECK(t.writable);
  CHECK(t.user);
}

TEST_CASE("mmu paging: 32-bit 4 KiB page, accessed and dirty bits") {
  Paging32 p;
  p.pde(1, Paging32::kPt | P | W | U);
  p.pte(5, 0x00200000 | P | W | U);
  mmu::Translation t = p.walk(0x00405123, Access::Read);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x00200123u);
  CHECK(t.page_size == 4096);
  CHECK(t.writable);
  CHECK(t.user);
  CHECK_FALSE(t.dirty);
  CHECK(p.pde(1) == (Paging32::kPt | P | W | U | A));
  CHECK(p.pte(5) == (0x00200000 | P | W | U | A));  // a read does not set D
  t = p.walk(0x00405FFF, Access::Write);
  REQUIRE(t.ok);
  CHECK(t.dirty);
  CHECK(p.pte(5) == (0x00200000 | P | W | U | A | D));
  CHECK(p.pde(1) == (Paging32::kPt | P | W | U | A));  // D only in the final entry
  // A fetch is a read on a P6.
  p.pte(6, 0x00300000 | P);
  t = p.walk(0x00406000, Access::Fetch);
  CHECK(t.ok);
  CHECK(p.pte(6) == (0x00300000 | P | A));
}

TEST_CASE("mmu paging: #PF error codes and no A/D bits on a faulting access") {
  Paging32 p;
  SUBCASE("not-present PDE and PTE") {
    CHECK(p.walk(0x00C00000, Access::Read).error == 0);  // PDE 3 not present
    p.pde(1, Paging32::kPt | P | W | U);
    mmu::Translation t = p.walk(0x00401000, Access::Write, true);
    CHECK_FALSE(t.ok);
    CHECK(t.error == (mmu::kPfWrite | mmu::kPfUser));
    CHECK(p.pde(1) == (Paging32::kPt | P | W | U));  // PDE A not set either
  }
  SUBCASE("user access to a supervisor page") {
    p.pde(1, Paging32::kPt | P | W | U);
    p.pte(1, 0x5000 | P | W);
    mmu::Translation t = p.walk(0x00401000, Access::Read, true);
    CHECK_FALSE(t.ok);
    CHECK(t.error == (mmu::kPfPresent | mmu::kPfUser));
    CHECK(p.walk(0x00401000, Access::Fetch, true).error == 5);  // no I/D bit on a P6
    CHECK(p.pte(1) == (0x5000 | P | W));
    CHECK(p.pde(1) == (Paging32::kPt | P | W | U));
    CHECK(p.walk(0x00401000, Access::Read, false).ok);  // supervisor may
  }
  SUBCASE("U/S is the AND of both levels") {
    p.pde(1, Paging32::kPt | P | W);  // supervisor PDE
    p.pte(1, 0x5000 | P | W | U);
    CHECK(p.walk(0x00401000, Access::Read, true).error == 5);
  }
  SUBCASE("write protection: user always, supervisor only with CR0.WP") {
    p.pde(1, Paging32::kPt | P | W | U);
    p.pte(1, 0x5000 | P | U);  // read-only user page
    CHECK(p.walk(0x00401000, Access::Write, true).error == 7);
    CHECK(p.walk(0x00401000, Access::Read, true).ok);
    mmu::Translation t = p.walk(0x00401000, Access::Write, false);  // WP=0: supervisor may write
    CHECK(t.ok);
    CHECK_FALSE(t.writable);
    CHECK(p.pte(1) == (0x5000 | P | U | A | D));
    p.pte(1, 0x5000 | P | U);
    p.r.cr0 |= mmu::kCr0Wp;
    t = p.walk(0x00401000, Access::Write, false);
    CHECK_FALSE(t.ok);
    CHECK(t.error == 3);
    CHECK(p.pte(1) == (0x5000 | P | U));  // neither A nor D after the fault
  }
  SUBCASE("R/W is the AND of both levels") {
    p.pde(1, Paging32::kPt | P | U);  // read-only PDE
    p.pte(1, 0x5000 | P | W | U);
    CHECK(p.walk(0x00401000, Access::Write, true).error == 7);
    p.r.cr0 |= mmu::kCr0Wp;
    CHECK(p.walk(0x00401000, Access::Write, false).error == 3);
  }
  SUBCASE("a dry walk checks without setting bits") {
    p.pde(1, Paging32::kPt | P | W | U);
    p.pte(1, 0x5000 | P | W | U);
    CHECK(mmu::walk(p.m, 0x00401000, Access::Write, false, p.r, false).ok);
    CHECK(p.pte(1) == (0x5000 | P | W | U));
    CHECK(p.pde(1) == (Paging32::kPt | P | W | U));
  }
}

TEST_CASE("mmu paging: 4 MiB pages with CR4.PSE") {
  Paging32 p;
  p.pde(2, 0x01C00000 | P | W | PS | G);  // linear 0x00800000 -> 0x01C00000
  SUBCASE("PSE on") {
    p.r.cr4 = mmu::kCr4Pse;
    mmu::Translation t = p.walk(0x00923456, Access::Write);
    REQUIRE(t.ok);
    CHECK(t.paddr == 0x01D23456u);
    CHECK(t.page_size == 4u << 20);
    CHECK_FALSE(t.global);  // G needs CR4.PGE
    CHECK(p.pde(2) == (0x01C00000 | P | W | PS | G | A | D));
    p.r.cr4 |= mmu::kCr4Pge;
    CHECK(p.walk(0x00923456, Access::Read).global);
  }
  SUBCASE("PSE off: PS is ignored and the PDE points to a page table") {
    // The "page table" at 0x01C00000 maps 0x00923000 via entry 0x123.
    p.m.write<uint32_t>(0x01C00000 + 0x123 * 4, 0x7000 | P);
    mmu::Translation t = p.walk(0x00923456, Access::Read);
    REQUIRE(t.ok);
    CHECK(t.paddr == 0x7456u);
    CHECK(t.page_size == 4096);
  }
  SUBCASE("reserved bits 21:13 of a 4 MiB PDE (no PSE-36)") {
    p.r.cr4 = mmu::kCr4Pse;
    p.pde(2, 0x01C00000 | (1u << 13) | P | W | U | PS);
    mmu::Translation t = p.walk(0x00800000, Access::Read);
    CHECK_FALSE(t.ok);
    CHECK(t.error == (mmu::kPfPresent | mmu::kPfRsvd));
    CHECK(p.walk(0x00800000, Access::Write, true).error == 0xF);
    p.pde(2, 0x01C00000 | (1u << 21) | P | PS);
    CHECK(p.walk(0x00800000, Access::Read).error == 9);
    CHECK((p.pde(2) & A) == 0);
  }
}

TEST_CASE("mmu paging: global bit of a 4 KiB page") {
  Paging32 p;
  p.pde(1, Paging32::kPt | P | W | U | G);  // G in a table-pointing PDE means nothing
  p.pte(1, 0x5000 | P | W);
  CHECK_FALSE(p.walk(0x00401000, Access::Read).global);
  p.r.cr4 = mmu::kCr4Pge;
  CHECK_FALSE(p.walk(0x00401000, Access::Read).global);
  p.pte(1, 0x5000 | P | W | G);
  CHECK(p.walk(0x00401000, Access::Read).global);
}

TEST_CASE("mmu paging: PAE 4 KiB pages, PDPTEs from CR3 load time") {
  PagingPae p;
  p.pte(7, 0x00345000 | P | W | U);
  p.load();
  mmu::Translation t = p.walk(0x00407ABC, Access::Write, true);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x00345ABCu);
  CHECK(t.page_size == 4096);
  CHECK(p.pte(7) == (0x00345000 | P | W | U | A | D));
  CHECK(p.pde(2) == (PagingPae::kPt | P | W | U | A));
  // The PDPTE registers are not re-read: clearing the PDPTE in memory changes nothing...
  p.m.write<uint64_t>(PagingPae::kPdpt, 0);
  CHECK(p.walk(0x00407ABC, Access::Read).ok);
  // ...until they are loaded again.
  p.load();
  mmu::Translation f = p.walk(0x00407ABC, Access::Read);
  CHECK_FALSE(f.ok);
  CHECK(f.error == 0);
  // Physical addresses above 4 GiB (36-bit) come through.
  p.m.write<uint64_t>(PagingPae::kPdpt, PagingPae::kPd | P);
  p.load();
  p.pte(8, 0xF00001000ull | P | W);
  CHECK(p.walk(0x00408010, Access::Read).paddr == 0xF00001010ull);
  // A and D live in the low dword; the high dword is preserved.
  CHECK(p.pte(8) == (0xF00001000ull | P | W | A));
}

TEST_CASE("mmu paging: PAE 2 MiB pages, PS honoured without CR4.PSE") {
  PagingPae p;
  p.pde(5, 0x00A00000 | P | W | PS);  // linear 0x00A00000-0x00BFFFFF
  p.load();
  mmu::Translation t = p.walk(0x00B12345, Access::Read);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x00B12345u);
  CHECK(t.page_size == 2u << 20);
  CHECK(p.pde(5) == (0x00A00000 | P | W | PS | A));
  CHECK(p.walk(0x00B12345, Access::Read, true).error == 5);
  p.pde(6, 0x04000000 | P | W | U | PS | G);
  p.r.cr4 |= mmu::kCr4Pge;
  t = p.walk(0x00C00001, Access::Write, true);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x04000001u);
  CHECK(t.global);
  CHECK(p.pde(6) == (0x04000000 | P | W | U | PS | G | A | D));
}

TEST_CASE("mmu paging: PAE reserved bits") {
  PagingPae p;
  p.load();
  SUBCASE("PTE bits 63:36") {
    p.pte(1, (1ull << 40) | 0x5000 | P | W);
    mmu::Translation t = p.walk(0x00401000, Access::Write);
    CHECK_FALSE(t.ok);
    CHECK(t.error == (mmu::kPfPresent | mmu::kPfWrite | mmu::kPfRsvd));
    CHECK(p.pde(2) == (PagingPae::kPt | P | W | U));  // no A on the way
    p.pte(1, (1ull << 63) | 0x5000 | P | W);  // no NX on a P6: bit 63 is reserved
    CHECK(p.walk(0x00401000, Access::Read).error == 9);
    p.pte(1, 0x5000 | W);  // not present: reserved bits are not looked at
    CHECK(p.walk(0x00401000, Access::Read).error == 0);
  }
  SUBCASE("2 MiB PDE bits 20:13") {
    p.pde(5, 0x00A00000 | (1u << 13) | P | PS);
    CHECK(p.walk(0x00A00000, Access::Read, true).error == 0xD);
  }
  SUBCASE("table-pointing PDE bits 63:36") {
    p.pde(2, (1ull << 36) | PagingPae::kPt | P | W | U);
    CHECK(p.walk(0x00400000, Access::Read).error == 9);
  }
  SUBCASE("PDPTE reserved bits make the load fail (#GP), not a walk") {
    uint64_t old[4] = {p.r.pdpte[0], p.r.pdpte[1], p.r.pdpte[2], p.r.pdpte[3]};
    p.m.write<uint64_t>(PagingPae::kPdpt + 8, 0x30000 | P | W);  // bit 1 is reserved in a PDPTE
    CHECK_FALSE(mmu::load_pdptes(p.m, p.r.cr3, p.r.pdpte));
    CHECK(p.r.pdpte[0] == old[0]);  // unchanged on failure
    CHECK(p.r.pdpte[1] == old[1]);
    p.m.write<uint64_t>(PagingPae::kPdpt + 8, 0x30000 | W);  // not present: fine
    CHECK(mmu::load_pdptes(p.m, p.r.cr3, p.r.pdpte));
    p.m.write<uint64_t>(PagingPae::kPdpt + 8, (1ull << 36) | 0x30000 | P);
    CHECK_FALSE(mmu::load_pdptes(p.m, p.r.cr3, p.r.pdpte));
  }
}
