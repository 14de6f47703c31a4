// Page walks (32-bit with PSE, PAE) and PDPTE loading.
#include "mmu/paging.h"

namespace mmu {
namespace {

// One paging-structure entry read during a walk: where it is and what it held.
struct Used {
  uint64_t addr;
  uint64_t value;
};

// Set A in the non-final entries and A (plus D for a write) in the final one,
// as a read-modify-write of the entry's current value (an entry may be used
// twice, e.g. a page directory that maps itself). Only the low dword is
// written: A and D live there in both formats.
void set_accessed_dirty(Memory& mem, const Used* used, unsigned n, bool write) {
  for (unsigned k = 0; k < n; ++k) {
    uint32_t bits = uint32_t(kPteA) | (k == n - 1 && write ? uint32_t(kPteD) : 0);
    if ((uint32_t(used[k].value) & bits) == bits) continue;
    uint32_t now = uint32_t(mem.read_phys(used[k].addr, 4));
    if ((now & bits) != bits) mem.write_phys(used[k].addr, 4, now | bits);
  }
}

}  // namespace

Translation walk(Memory& mem, uint32_t lin, Access acc, bool user, const PagingRegs& r, bool set_ad) {
  Translation t;
  bool write = acc == Access::Write;
  if (!r.paging()) {
    t.ok = t.writable = t.user = t.dirty = true;
    t.paddr = lin;
    return t;
  }
  uint32_t err = (write ? kPfWrite : 0) | (user ? kPfUser : 0);
  auto fail = [&](uint32_t bits) {
    t.error = err | bits;
    return t;
  };
  Used used[2];
  unsigned n = 0;
  uint64_t final_entry;
  bool w, u;

  if (r.cr4 & kCr4Pae) {
    uint64_t pdpte = r.pdpte[lin >> 30];
    if (!(pdpte & kPteP)) return fail(0);
    if (pdpte & kPdpteRsvd) return fail(kPfPresent | kPfRsvd);
    uint64_t pde_addr = (pdpte & 0xFFFFFF000ull) + ((lin >> 21) & 511) * 8;
    uint64_t pde = mem.read_phys(pde_addr, 8);
    if (!(pde & kPteP)) return fail(0);
    used[n++] = {pde_addr, pde};
    if (pde & kPtePs) {
      if (pde & kPaePde2MRsvd) return fail(kPfPresent | kPfRsvd);
      t.paddr = (pde & 0xFFFE00000ull) | (lin & 0x1FFFFFu);
      t.page_size = 2u << 20;
      final_entry = pde;
      w = pde & kPteW;
      u = pde & kPteU;
    } else {
      if (pde & kPaeAddrRsvd) return fail(kPfPresent | kPfRsvd);
      uint64_t pte_addr = (pde & 0xFFFFFF000ull) + ((lin >> 12) & 511) * 8;
      uint64_t pte = mem.read_phys(pte_addr, 8);
      if (!(pte & kPteP)) return fail(0);
      if (pte & kPaeAddrRsvd) return fail(kPfPresent | kPfRsvd);
      used[n++] = {pte_addr, pte};
      t.paddr = (pte & 0xFFFFFF000ull) | (lin & 0xFFFu);
      final_entry = pte;
      w = (pde & kPteW) && (pte & kPteW);
      u = (pde & kPteU) && (pte & kPteU);
    }
  } else {
    uint64_t pde_addr = (r.cr3 & 0xFFFFF000u) | ((lin >> 22) << 2);
    uint32_t pde = uint32_t(mem.read_phys(pde_addr, 4));
    if (!(pde & kPteP)) return fail(0);
    used[n++] = {pde_addr, pde};
    if ((pde & kPtePs) && (r.cr4 & kCr4Pse)) {
      if (pde & kPde4MRsvd) return fail(kPfPresent | kPfRsvd);
      t.paddr = (pde & 0xFFC00000u) | (lin & 0x3FFFFFu);
      t.page_size = 4u << 20;
      final_entry = pde;
      w = pde & kPteW;
      u = pde & kPteU;
    } else {
      uint64_t pte_addr = (pde & 0xFFFFF000u) | (((lin >> 12) & 1023) << 2);
      uint32_t pte = uint32_t(mem.read_phys(pte_addr, 4));
      if (!(pte & kPteP)) return fail(0);
      used[n++] = {pte_addr, pte};
      t.paddr = (pte & 0xFFFFF000u) | (lin & 0xFFFu);
      final_entry = pte;
      w = (pde & kPteW) && (pte & kPteW);
      u = (pde & kPteU) && (pte & kPteU);
    }
  }

  t.writable = w;
  t.user = u;
  if (!access_allowed(t, acc, user, r.cr0)) return fail(kPfPresent);
  t.ok = true;
  t.global = (final_entry & kPteG) && (r.cr4 & kCr4Pge);
  t.dirty = (final_entry & kPteD) || write;
  if (set_ad) set_accessed_dirty(mem, used, n, write);
  return t;
}

bool load_pdptes(Memory& mem, uint32_t cr3, uint64_t out[4]) {
  uint64_t p[4];
  for (unsigned k = 0; k < 4; ++k) {
    p[k] = mem.read_phys((cr3 & 0xFFFFFFE0u) + k * 8, 8);
    if ((p[k] & kPteP) && (p[k] & kPdpteRsvd)) return false;
  }
  for (unsigned k = 0; k < 4; ++k) out[k] = p[k];
  return true;
}

}  // namespace mmu
