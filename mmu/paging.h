// Page walks as a Pentium II (P6) performs them: 2-level 32-bit paging with
// 4 KiB pages and, with CR4.PSE, 4 MiB pages; PAE (3 levels, 4 KiB and 2 MiB
// pages, PDPTEs loaded when CR3 is loaded, 36-bit physical addresses, no NX);
// global pages (CR4.PGE); CR0.WP; user/supervisor and read/write checks;
// accessed and dirty bits; the #PF error code (P, W/R, U/S, RSVD; a P6 has no
// I/D bit).
//
// Accessed/dirty bits: on a successful translation the walk sets A in every
// entry it used (PDE, PTE; PAE PDPTEs have no A bit) and, for a write, D in the
// entry that maps the page (PTE or large PDE). Nothing is written when the
// access faults.
//
// Reserved bits (a present entry with one set gives #PF with P=1 and RSVD=1):
//   32-bit paging: bits 21:13 of a 4 MiB PDE (no PSE-36); nothing else.
//   PAE: bits 63:36 of every entry; a 2 MiB PDE also bits 20:13; PDPTEs also
//   bits 2:1 and 8:5 (checked when they are loaded: #GP(0), not #PF).
#pragma once
#include <cstdint>

#include "mmu/memory.h"

namespace mmu {

// Control-register bits the MMU looks at.
constexpr uint32_t kCr0Wp = 1u << 16;
constexpr uint32_t kCr0Pg = 1u << 31;
constexpr uint32_t kCr4Pse = 1u << 4;
constexpr uint32_t kCr4Pae = 1u << 5;
constexpr uint32_t kCr4Pge = 1u << 7;

// Paging-structure entry bits.
constexpr uint64_t kPteP = 1u << 0;
constexpr uint64_t kPteW = 1u << 1;
constexpr uint64_t kPteU = 1u << 2;
constexpr uint64_t kPteA = 1u << 5;
constexpr uint64_t kPteD = 1u << 6;
constexpr uint64_t kPtePs = 1u << 7;
constexpr uint64_t kPteG = 1u << 8;

// Reserved-bit masks (see the header comment).
constexpr uint64_t kPde4MRsvd = 0x003FE000u;
constexpr uint64_t kPaeAddrRsvd = 0xFFFFFFF000000000ull;
constexpr uint64_t kPaePde2MRsvd = kPaeAddrRsvd | 0x001FE000u;
constexpr uint64_t kPdpteRsvd = kPaeAddrRsvd | 0x1E6u;

// #PF error code bits.
constexpr uint32_t kPfPresent = 1u << 0;  // 0: not present; 1: protection or reserved bit
constexpr uint32_t kPfWrite = 1u << 1;
constexpr uint32_t kPfUser = 1u << 2;
constexpr uint32_t kPfRsvd = 1u << 3;

enum class Access : uint8_t { Read, Write, Fetch };

// What the walk needs of the CPU. pdpte[] are the PDPTE registers of PAE
// paging, filled by load_pdptes() when CR3 is loaded (not re-read per walk).
struct PagingRegs {
  uint32_t cr0 = 0, cr3 = 0, cr4 = 0;
  uint64_t pdpte[4] = {};

  bool paging() const { return cr0 & kCr0Pg; }
  bool pae() const { return (cr0 & kCr0Pg) && (cr4 & kCr4Pae); }
};

struct Translation {
  bool ok = false;
  uint32_t error = 0;       // #PF error code when !ok
  uint64_t paddr = 0;       // physical address of the byte at `lin` (before A20)
  uint32_t page_size = kPageSize;  // 4 KiB, 2 MiB or 4 MiB
  bool writable = false;    // effective R/W (AND over the levels)
  bool user = false;        // effective U/S (AND over the levels)
  bool global = false;      // final entry has G and CR4.PGE is set
  bool dirty = false;       // final entry's D bit after this access
};

// Translate `lin` for an access. `user` is a CPL 3 access (not an implicit
// supervisor access such as a descriptor-table read). With set_ad false the
// walk only checks (no A/D writes): used to probe a page before committing a
// page-crossing access. With paging off the result is the identity.
Translation walk(Memory& mem, uint32_t lin, Access acc, bool user, const PagingRegs& regs, bool set_ad = true);

// Whether a translation (from an earlier successful walk) allows an access.
inline bool access_allowed(const Translation& t, Access acc, bool user, uint32_t cr0) {
  bool write = acc == Access::Write;
  if (user) return t.user && (!write || t.writable);
  return !write || t.writable || !(cr0 & kCr0Wp);
}

// Load the four PDPTEs for PAE paging from the table at CR3 (bits 31:5).
// Returns false if a present PDPTE has a reserved bit set: the CPU raises
// #GP(0) and leaves CR3 (and the PDPTE registers) unchanged.
bool load_pdptes(Memory& mem, uint32_t cr3, uint64_t out[4]);

}  // namespace mmu
