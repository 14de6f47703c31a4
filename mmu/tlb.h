// mmu::Tlb: the soft TLB ("shadow page table", DESIGN.md principle 5).
//
// Two direct-mapped tables of kTlbSize entries, one for supervisor and one for
// user (CPL 3) accesses, indexed by linear page number. An entry holds a read
// tag and a write tag (the linear page base, plus flag bits in the low 12 bits
// that force the slow path) and a host addend (host address minus linear
// address). The inline fast path is
//
//   const TlbEntry& e = tlb.entry(user, lin);
//   if (e.read_tag == Tlb::tag_for(lin, sizeof(T))) value = *(T*)(e.addend + lin);
//   else ok = tlb.read_slow(lin, sizeof(T), user, &value, &pf);
//
// tag_for() uses the page of the LAST byte, so an access that crosses a page
// boundary never matches (the slot of the first page cannot hold the next
// page) and takes the slow path, which translates both pages before it
// touches either. Read tags are also used for instruction fetches (a P6 has no
// NX). A20 is applied when an entry is filled (it masks a page-number bit),
// and the TLB is flushed when A20 or the physical map changes.
//
// Write-tag flags: kTagSlow (MMIO, ROM, unassigned, a PAM page whose reads and
// writes go to different places, a partial RAM page), kTagCode (the page holds
// marked code: the slow path reports writes to marked chunks), kTagNoWrite
// (the page is not writable at this privilege, or its dirty bit is not set yet:
// the slow path walks again, which sets D or raises #PF). Read tags carry
// kTagSlow for pages without host-memory reads (MMIO, unassigned).
//
// Faults are returned, never thrown: a slow path that returns false filled a
// PageFault (the linear address for CR2 and the #PF error code) and changed no
// memory; the CPU raises #PF itself.
//
// Flushes follow the SDM: set_cr3 keeps global entries; a change of CR0.PG,
// CR0.WP, CR4.PGE, CR4.PSE or CR4.PAE flushes everything, globals included;
// invlpg drops the page in both tables (the whole 2/4 MiB page if it came
// from a large page); A20 and map changes flush everything.
#pragma once
#include <cstdint>
#include <cstring>

#include "mmu/memory.h"
#include "mmu/paging.h"

namespace mmu {

constexpr unsigned kTlbBits = 10;
constexpr uint32_t kTlbSize = 1u << kTlbBits;
constexpr uint32_t kTlbMask = kTlbSize - 1;

constexpr uint32_t kTagEmpty = 1u << 0;    // the entry holds nothing
constexpr uint32_t kTagSlow = 1u << 1;     // not plain host memory: go through the physical map
constexpr uint32_t kTagCode = 1u << 2;     // write tag: the page holds marked code chunks
constexpr uint32_t kTagNoWrite = 1u << 3;  // write tag: not writable here, or D not set yet: walk again
constexpr uint32_t kTagFlags = kPageSize - 1;

struct TlbEntry {
  uint32_t read_tag;   // linear page base | flags
  uint32_t write_tag;  // linear page base | flags
  uintptr_t addend;    // host address - linear address (when the tag has no flags)
  uint32_t ppn;        // physical page number (A20 applied; up to 36-bit addresses)
  uint8_t global;      // kept by a CR3 load
  uint8_t shift;       // log2 of the page it came from: 12, 21 or 22
};

struct PageFault {
  uint32_t lin = 0;    // for CR2: the first byte of the access in the faulting page
  uint32_t error = 0;  // #PF error code
};

struct TlbStats {
  uint64_t walks = 0;    // page walks done by the slow paths (dry probes included)
  uint64_t flushes = 0;  // flushes of whole tables (CR3, CR0/CR4, map changes)
};

class Tlb final : public MapObserver {
 public:
  explicit Tlb(Memory& mem);
  ~Tlb() override;
  Tlb(const Tlb&) = delete;
  Tlb& operator=(const Tlb&) = delete;

  // ---- fast path ----
  static uint32_t tag_for(uint32_t lin, unsigned size) { return (lin + size - 1) & ~(kPageSize - 1); }
  TlbEntry& entry(bool user, uint32_t lin) { return sets_[user][(lin >> kPageShift) & kTlbMask]; }
  TlbEntry* table(bool user) { return sets_[user]; }  // for generated code

  template <class T> bool read(uint32_t lin, bool user, T* out, PageFault* pf) {
    const TlbEntry& e = entry(user, lin);
    if (e.read_tag == tag_for(lin, sizeof(T))) [[likely]] {
      std::memcpy(out, reinterpret_cast<const void*>(e.addend + lin), sizeof(T));
      return true;
    }
    uint64_t v;
    if (!read_slow(lin, sizeof(T), user, &v, pf)) [[unlikely]] return false;
    *out = T(v);
    return true;
  }
  template <class T> bool write(uint32_t lin, bool user, T v, PageFault* pf) {
    const TlbEntry& e = entry(user, lin);
    if (e.write_tag == tag_for(lin, sizeof(T))) [[likely]] {
      std::memcpy(reinterpret_cast<void*>(e.addend + lin), &v, sizeof(T));
      return true;
    }
    return write_slow(lin, sizeof(T), user, uint64_t(v), pf);
  }

  // ---- slow paths (out of line; also called by generated code) ----
  // size 1..8; the access may cross a page boundary.
  bool read_slow(uint32_t lin, unsigned size, bool user, uint64_t* out, PageFault* pf);
  bool write_slow(uint32_t lin, unsigned size, bool user, uint64_t v, PageFault* pf);
  // Translate one address without accessing it (instruction fetch: the
  // physical address a block is keyed by). A Write translation sets D.
  bool translate(uint32_t lin, Access acc, bool user, uint64_t* pa, PageFault* pf);
  // Check that every page of [lin, lin+len) allows the access, with no side
  // effects at all (no A/D bits): for multi-part stores (far pointers, PUSHA,
  // task-switch saves) that must fault before writing anything.
  bool probe(uint32_t lin, uint32_t len, Access acc, bool user, PageFault* pf);

  // ---- control registers (kept here; the CPU calls these on MOV CRn, task
  // switches, LMSW, CLTS) ----
  // They apply the SDM's flush rules and load the PDPTEs when PAE paging is
  // (or becomes) active: on MOV CR3, and on a CR0/CR4 write that changes
  // PG/CD/NW or PAE/PSE/PGE. false = a PDPTE has reserved bits: raise #GP(0);
  // nothing was changed.
  bool set_cr0(uint32_t v);
  bool set_cr3(uint32_t v);
  bool set_cr4(uint32_t v);
  // Restore saved registers (PDPTEs as given, not re-read); flushes everything.
  void set_regs(const PagingRegs& r);
  const PagingRegs& regs() const { return regs_; }

  // ---- flushes ----
  void flush(bool keep_global);
  void flush_all() { flush(false); }
  void invlpg(uint32_t lin);

  const TlbStats& stats() const { return stats_; }
  // Bumped by every flush and INVLPG: a cache of linear-address lookups
  // (the translator's jump cache) is valid while it is unchanged.
  const uint32_t* generation() const { return &generation_; }

  // MapObserver
  void map_changed() override { flush(false); }
  void code_page_marked(uint32_t page) override;

 private:
  static bool valid_for(const TlbEntry& e, uint32_t page, Access acc) {
    uint32_t tag = acc == Access::Write ? e.write_tag : e.read_tag;
    uint32_t bad = acc == Access::Write ? (kTagEmpty | kTagNoWrite) : kTagEmpty;
    return (tag & ~kTagFlags) == page && !(tag & bad);
  }
  static void clear(TlbEntry& e) { e = TlbEntry{kTagEmpty, kTagEmpty, 0, 0, 0, 12}; }
  TlbEntry* resolve(uint32_t lin, Access acc, bool user, PageFault* pf);
  bool check_pages(uint32_t lin, uint32_t len, Access acc, bool user, PageFault* pf);
  void fill(TlbEntry& e, uint32_t page, const Translation& t, bool user);
  uint64_t read_entry(const TlbEntry& e, uint32_t lin, unsigned n);
  void write_entry(const TlbEntry& e, uint32_t lin, unsigned n, uint64_t v);

  Memory& mem_;
  PagingRegs regs_;
  bool large_ = false;    // some entry came from a 2/4 MiB page
  bool globals_ = false;  // some entry is global
  TlbStats stats_;
  uint32_t generation_ = 0;
  TlbEntry sets_[2][kTlbSize];  // [0] supervisor, [1] user
};

}  // namespace mmu
