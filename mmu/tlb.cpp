// The soft TLB: fills, slow paths (page-crossing, MMIO, code pages, faults),
// control-register writes and flushes.
#include "mmu/tlb.h"

namespace mmu {
namespace {

constexpr uint32_t kCr0CdNw = (1u << 30) | (1u << 29);
constexpr uint32_t kCr4PagingBits = kCr4Pse | kCr4Pae | kCr4Pge;

uint8_t log2_size(uint32_t size) { return uint8_t(31 - __builtin_clz(size)); }

}  // namespace

Tlb::Tlb(Memory& mem) : mem_(mem) {
  for (auto& set : sets_)
    for (TlbEntry& e : set) clear(e);
  mem_.add_observer(this);
}

Tlb::~Tlb() { mem_.remove_observer(this); }

// ---- fills ----

void Tlb::fill(TlbEntry& e, uint32_t page, const Translation& t, bool user) {
  uint64_t pa = t.paddr & ~uint64_t(kPageSize - 1);
  if (pa < (1ull << 32)) pa &= mem_.a20_mask();
  PageInfo info = pa < (1ull << 32) ? mem_.page_info(uint32_t(pa)) : PageInfo{};
  e.ppn = uint32_t(pa >> kPageShift);
  e.global = t.global;
  e.shift = log2_size(t.page_size);
  e.read_tag = page | (info.read_host ? 0 : kTagSlow);
  e.addend = info.read_host ? uintptr_t(info.read_host) - page : 0;
  uint32_t wflags;
  if (!access_allowed(t, Access::Write, user, regs_.cr0) || !t.dirty)
    wflags = kTagNoWrite;
  else if (!info.write_host || info.write_host != info.read_host)
    wflags = kTagSlow;
  else
    wflags = info.code ? kTagCode : 0;
  e.write_tag = page | wflags;
  large_ |= e.shift > kPageShift;
  globals_ |= e.global != 0;
}

TlbEntry* Tlb::resolve(uint32_t lin, Access acc, bool user, PageFault* pf) {
  uint32_t page = lin & ~(kPageSize - 1);
  TlbEntry& e = entry(user, lin);
  if (valid_for(e, page, acc)) return &e;
  ++stats_.walks;
  Translation t = walk(mem_, lin, acc, user, regs_);
  if (!t.ok) {
    pf->lin = lin;
    pf->error = t.error;
    return nullptr;
  }
  fill(e, page, t, user);
  return &e;
}

// Every page of [lin, lin+len) allows the access; no side effects.
bool Tlb::check_pages(uint32_t lin, uint32_t len, Access acc, bool user, PageFault* pf) {
  uint32_t at = lin;
  uint64_t left = len;
  while (left) {
    uint32_t page = at & ~(kPageSize - 1);
    if (!valid_for(entry(user, at), page, acc)) {
      ++stats_.walks;
      Translation t = walk(mem_, at, acc, user, regs_, false);
      if (!t.ok) {
        pf->lin = at;
        pf->error = t.error;
        return false;
      }
    }
    uint32_t n = kPageSize - (at & (kPageSize - 1));
    if (n > left) n = uint32_t(left);
    left -= n;
    at += n;  // wraps at 4 GiB like a linear address
  }
  return true;
}

// ---- accesses through an entry (one page) ----

uint64_t Tlb::read_entry(const TlbEntry& e, uint32_t lin, unsigned n) {
  if (!(e.read_tag & kTagSlow)) {
    uint64_t v = 0;
    std::memcpy(&v, reinterpret_cast<const void*>(e.addend + lin), n);
    return v;
  }
  return mem_.read_phys((uint64_t(e.ppn) << kPageShift) | (lin & (kPageSize - 1)), n);
}

void Tlb::write_entry(const TlbEntry& e, uint32_t lin, unsigned n, uint64_t v) {
  if (!(e.write_tag & kTagFlags)) {
    std::memcpy(reinterpret_cast<void*>(e.addend + lin), &v, n);
    return;
  }
  // Code pages and everything else: the physical map reports code writes.
  mem_.write_phys((uint64_t(e.ppn) << kPageShift) | (lin & (kPageSize - 1)), n, v);
}

bool Tlb::read_slow(uint32_t lin, unsigned size, bool user, uint64_t* out, PageFault* pf) {
  uint32_t off = lin & (kPageSize - 1);
  if (off + size <= kPageSize) {
    TlbEntry* e = resolve(lin, Access::Read, user, pf);
    if (!e) return false;
    *out = read_entry(*e, lin, size);
    return true;
  }
  unsigned n1 = kPageSize - off;
  uint32_t lin2 = lin + n1;
  if (!check_pages(lin, size, Access::Read, user, pf)) return false;
  TlbEntry* e1 = resolve(lin, Access::Read, user, pf);
  if (!e1) return false;
  TlbEntry c1 = *e1;
  TlbEntry* e2 = resolve(lin2, Access::Read, user, pf);
  if (!e2) return false;
  TlbEntry c2 = *e2;
  uint64_t lo = read_entry(c1, lin, n1);
  uint64_t hi = read_entry(c2, lin2, size - n1);
  *out = lo | (hi << (8 * n1));
  return true;
}

bool Tlb::write_slow(uint32_t lin, unsigned size, bool user, uint64_t v, PageFault* pf) {
  uint32_t off = lin & (kPageSize - 1);
  if (off + size <= kPageSize) {
    TlbEntry* e = resolve(lin, Access::Write, user, pf);
    if (!e) return false;
    if ((e->write_tag & kTagFlags) == kTagCode && !mem_.is_code_page(e->ppn)) {
      e->write_tag &= ~kTagCode;  // the code is gone: plain stores from now on
    }
    write_entry(*e, lin, size, v);
    return true;
  }
  // Both pages must allow the write before either is touched. The entries are
  // copied first: a device write in the first part may change the map.
  unsigned n1 = kPageSize - off;
  uint32_t lin2 = lin + n1;
  if (!check_pages(lin, size, Access::Write, user, pf)) return false;
  TlbEntry* e1 = resolve(lin, Access::Write, user, pf);
  if (!e1) return false;
  TlbEntry c1 = *e1;
  TlbEntry* e2 = resolve(lin2, Access::Write, user, pf);
  if (!e2) return false;
  TlbEntry c2 = *e2;
  write_entry(c1, lin, n1, v);
  write_entry(c2, lin2, size - n1, v >> (8 * n1));
  return true;
}

bool Tlb::translate(uint32_t lin, Access acc, bool user, uint64_t* pa, PageFault* pf) {
  TlbEntry* e = resolve(lin, acc, user, pf);
  if (!e) return false;
  *pa = (uint64_t(e->ppn) << kPageShift) | (lin & (kPageSize - 1));
  return true;
}

bool Tlb::probe(uint32_t lin, uint32_t len, Access acc, bool user, PageFault* pf) {
  return len == 0 || check_pages(lin, len, acc, user, pf);
}

// ---- control registers ----

bool Tlb::set_cr0(uint32_t v) {
  PagingRegs n = regs_;
  n.cr0 = v;
  uint32_t changed = regs_.cr0 ^ v;
  if (n.pae() && (changed & (kCr0Pg | kCr0CdNw)) && !load_pdptes(mem_, n.cr3, n.pdpte)) return false;
  regs_ = n;
  if (changed & (kCr0Pg | kCr0Wp)) flush(false);
  return true;
}

bool Tlb::set_cr3(uint32_t v) {
  PagingRegs n = regs_;
  n.cr3 = v;
  if (n.pae() && !load_pdptes(mem_, v, n.pdpte)) return false;
  regs_ = n;
  flush(true);
  return true;
}

bool Tlb::set_cr4(uint32_t v) {
  PagingRegs n = regs_;
  n.cr4 = v;
  uint32_t changed = regs_.cr4 ^ v;
  if (n.pae() && (changed & kCr4PagingBits) && !load_pdptes(mem_, n.cr3, n.pdpte)) return false;
  regs_ = n;
  if (changed & kCr4PagingBits) flush(false);
  return true;
}

void Tlb::set_regs(const PagingRegs& r) {
  regs_ = r;
  flush(false);
}

// ---- flushes ----

void Tlb::flush(bool keep_global) {
  ++stats_.flushes;
  ++generation_;
  if (!keep_global || !globals_) {
    for (auto& set : sets_)
      for (TlbEntry& e : set) clear(e);
    large_ = globals_ = false;
    return;
  }
  bool large = false;
  for (auto& set : sets_)
    for (TlbEntry& e : set) {
      if (!e.global) clear(e);
      else large |= e.shift > kPageShift;
    }
  large_ = large;
}

void Tlb::invlpg(uint32_t lin) {
  ++generation_;
  uint32_t page = lin & ~(kPageSize - 1);
  for (auto& set : sets_) {
    TlbEntry& e = set[(lin >> kPageShift) & kTlbMask];
    if (!(e.read_tag & kTagEmpty) && (e.read_tag & ~kTagFlags) == page) clear(e);
  }
  if (!large_) return;
  // Entries filled from the large page holding `lin` sit in other slots.
  for (auto& set : sets_)
    for (TlbEntry& e : set)
      if (!(e.read_tag & kTagEmpty) && e.shift > kPageShift && ((e.read_tag ^ lin) >> e.shift) == 0) clear(e);
}

void Tlb::code_page_marked(uint32_t page) {
  for (auto& set : sets_)
    for (TlbEntry& e : set)
      if (!(e.read_tag & kTagEmpty) && e.ppn == page && !(e.write_tag & kTagFlags)) e.write_tag |= kTagCode;
}

}  // namespace mmu
