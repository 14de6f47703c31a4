#include "cpu/icache.h"

#include <algorithm>

#include "cpu/table.h"

namespace cpu {
namespace {

// Handlers for instructions that cannot be decoded: the exception is raised
// when (and only if) execution reaches them, with EIP at the instruction.
template <class T> void raise_ud(Cpu& c, const Insn&) { fault(c, kUD, 0); }
template <class T> void raise_gp(Cpu& c, const Insn&) { fault(c, kGP, 0); }
// The instruction continues on a page that was not mapped when it was
// decoded: raise that page's #PF, or, if it is mapped now, go round again
// (lookup() sees the stale block and decodes it anew).
template <class T> void raise_fetch_pf(Cpu& c, const Insn&) {
  uint32_t lin2 = ((c.seg[CS].base + c.snap[8]) | mmu::kPageMask) + 1;
  uint64_t pa;
  mmu::PageFault pf;
  if (!c.tlb->translate(lin2, mmu::Access::Fetch, c.user(), &pa, &pf)) page_fault(c, pf);
  c.eip = c.snap[8];
  c.events |= EV_SMC;
}

uint64_t make_key(uint32_t phys, DecodeMode mode) { return uint64_t(phys) | (uint64_t(mode) << 32); }
uint32_t page_of(uint32_t pa) { return pa >> mmu::kPageShift; }
// A crossing block's phys2 for the second page at physical address `pa`.
uint32_t page2_of(uint64_t pa) { return pa >> 32 ? Block::kHighPage : uint32_t(pa) & ~mmu::kPageMask; }

}  // namespace

ICache::ICache(Cpu& c) : c_(c), fast_(kFastSize, FastEntry{~0ull, nullptr}) {
  c_.mem->set_code_listener(this);
}

ICache::~ICache() {
  if (c_.mem) c_.mem->set_code_listener(nullptr);
}

bool ICache::try_phys(uint32_t lin, uint64_t* phys) {
  const mmu::TlbEntry& e = c_.tlb->entry(c_.user(), lin);
  if (e.read_tag == mmu::Tlb::tag_for(lin, 1)) {
    *phys = (uint64_t(e.ppn) << mmu::kPageShift) | (lin & mmu::kPageMask);
    return true;
  }
  uint64_t pa;
  mmu::PageFault pf;
  if (!c_.tlb->translate(lin, mmu::Access::Fetch, c_.user(), &pa, &pf)) return false;
  *phys = pa;
  return true;
}

uint32_t ICache::fetch_phys(uint32_t lin) {
  uint64_t phys;
  if (try_phys(lin, &phys)) [[likely]] {
    // Nothing is mapped at or above 4 GiB (PAE): code there reads as all
    // ones, and FF FF is FF /7, an invalid opcode in every mode.
    if (phys >> 32) [[unlikely]] fault(c_, kUD, 0);
    return uint32_t(phys);
  }
  uint64_t pa;
  mmu::PageFault pf;
  c_.tlb->translate(lin, mmu::Access::Fetch, c_.user(), &pa, &pf);
  page_fault(c_, pf);
}

const Block* ICache::lookup() {
  ++stats_.lookups;
  DecodeMode mode = decode_mode(c_);
  const Segment& cs = c_.seg[CS];
  uint32_t lin = cs.base + c_.eip;
  if (c_.eip > cs.limit) fault(c_, kGP, 0);
  uint32_t phys = fetch_phys(lin);
  uint64_t key = make_key(phys, mode);
  FastEntry& fe = fast_[fast_slot(phys)];
  Block* b = nullptr;
  if (fe.key == key) {
    b = fe.b;
  } else if (auto it = blocks_.find(key); it != blocks_.end()) {
    b = it->second.get();
  }
  if (b && b->crosses) {
    uint64_t p2;
    uint32_t want = try_phys((lin | mmu::kPageMask) + 1, &p2) ? page2_of(p2) : Block::kNoPage;
    if (want != b->phys2) {
      drop_block(b);
      b = nullptr;
    }
  }
  if (b && c_.eip + (b->bytes - 1) > cs.limit) {
    // Cached under a larger CS limit: decode privately for this limit.
    graveyard_.push_back(decode_block(c_.eip, lin, phys, mode));
    return graveyard_.back().get();
  }
  if (!b) {
    ++stats_.misses;
    std::unique_ptr<Block> nb = decode_block(c_.eip, lin, phys, mode);
    b = nb.get();
    if (b->limit_cut) {
      // Cut by the CS limit: valid for this limit only, not cached.
      graveyard_.push_back(std::move(nb));
      return b;
    }
    add_block(std::move(nb));
  }
  fe = FastEntry{key, b};
  return b;
}

std::unique_ptr<Block> ICache::decode_block(uint32_t eip, uint32_t lin, uint32_t phys, DecodeMode mode) {
  auto b = std::make_unique<Block>();
  b->key = make_key(phys, mode);
  b->phys = phys;
  b->phys2 = Block::kNoPage;
  b->crosses = false;
  b->limit_cut = false;
  const uint32_t limit = c_.seg[CS].limit;
  const uint32_t page_end = (lin | mmu::kPageMask) + 1;  // linear; 0 when lin is in the last page
  uint32_t off = 0;
  for (unsigned n = 0; n < kMaxInsns; ++n) {
    uint32_t at = eip + off;
    uint32_t l = lin + off;
    uint32_t lim_avail = at > limit ? 0 : std::min<uint32_t>(15, limit - at + 1);
    uint32_t in_page = page_end - l;  // wraps correctly for the last page
    uint32_t n1 = std::min(lim_avail, in_page);
    uint8_t buf[15];
    for (uint32_t k = 0; k < n1; ++k) buf[k] = c_.mem->read8(phys + off + k);
    Insn in{};
    DecodeStatus st = n1 ? decode(mode, buf, n1, in) : DecodeStatus::NeedMore;
    bool stop = false;
    if (st == DecodeStatus::NeedMore && n1 < lim_avail) {
      // The instruction continues on the next page: it gets a block of its own.
      if (n > 0) break;
      b->crosses = true;
      uint64_t p2;
      if (try_phys(page_end, &p2)) {
        b->phys2 = page2_of(p2);
        for (uint32_t k = n1; k < lim_avail; ++k)
          buf[k] = b->phys2 == Block::kHighPage ? 0xFF : c_.mem->read8(b->phys2 + (k - n1));
        st = decode(mode, buf, lim_avail, in);
      } else {
        in = Insn{};
        in.len = 1;
        in.fn = &raise_fetch_pf<uint32_t>;
        st = DecodeStatus::Ok;
      }
      stop = true;
    }
    if (st != DecodeStatus::Ok) {
      if (st == DecodeStatus::NeedMore) b->limit_cut = true;  // fetch past the CS limit
      in = Insn{};
      in.len = 1;
      in.fn = (st == DecodeStatus::Invalid) ? &raise_ud<uint32_t> : &raise_gp<uint32_t>;
      stop = true;
    } else if (in.fn != &raise_fetch_pf<uint32_t>) {
      ++stats_.insns_decoded;
      stop = stop || (table()[in.row].attrs & (A_END | A_MODE));
    }
    b->insns.push_back(in);
    off += in.len;
    if (stop || b->crosses || lin + off == page_end) break;
  }
  b->bytes = off;
  ++stats_.blocks_decoded;
  return b;
}

// The block's bytes as (physical start, length) parts: one, or two for a block
// whose instruction crosses into a mapped second page.
bool ICache::overlaps(const Block& b, uint32_t pa, uint32_t end) {
  uint32_t len1 = std::min<uint32_t>(b.bytes, mmu::kPageSize - (b.phys & mmu::kPageMask));
  if (pa < b.phys + len1 && b.phys < end) return true;
  if (b.has_phys2() && b.bytes > len1)
    return pa < b.phys2 + (b.bytes - len1) && b.phys2 < end;
  return false;
}

void ICache::add_block(std::unique_ptr<Block> nb) {
  Block* b = nb.get();
  uint32_t len1 = std::min<uint32_t>(b->bytes, mmu::kPageSize - (b->phys & mmu::kPageMask));
  b->cached = true;
  by_page_[page_of(b->phys)].push_back(b);
  c_.mem->mark_code(b->phys, len1);
  if (b->has_phys2() && b->bytes > len1) {
    by_page_[page_of(b->phys2)].push_back(b);
    c_.mem->mark_code(b->phys2, b->bytes - len1);
  }
  blocks_.emplace(b->key, std::move(nb));
}

void ICache::drop_block(Block* b) {
  for (uint32_t p : {page_of(b->phys), b->has_phys2() ? page_of(b->phys2) : ~0u}) {
    auto pi = by_page_.find(p);
    if (pi != by_page_.end()) std::erase(pi->second, b);
  }
  FastEntry& fe = fast_[fast_slot(b->phys)];
  if (fe.b == b) fe = FastEntry{~0ull, nullptr};
  ++stats_.invalidations;
  if (observer_) observer_->block_dropped(*b);
  auto bi = blocks_.find(b->key);
  if (bi != blocks_.end() && bi->second.get() == b) {
    graveyard_.push_back(std::move(bi->second));
    blocks_.erase(bi);
  }
}

// Mark exactly the chunks the page's remaining blocks cover. Chunks are only
// ever unmarked, never all at once, so a page that still holds code is not
// reported to the TLBs again.
void ICache::remark_page(uint32_t page) {
  uint32_t base = page << mmu::kPageShift;
  uint32_t want = 0;
  auto pi = by_page_.find(page);
  if (pi != by_page_.end()) {
    for (Block* b : pi->second) {
      for (uint32_t k = 0; k < mmu::kPageSize / mmu::kCodeChunk; ++k) {
        uint32_t cs = base + k * mmu::kCodeChunk;
        if (overlaps(*b, cs, cs + mmu::kCodeChunk)) want |= 1u << k;
      }
    }
    if (pi->second.empty()) by_page_.erase(pi);
  }
  uint32_t stale = c_.mem->code_mask(page) & ~want;
  for (uint32_t k = 0; stale; ++k, stale >>= 1)
    if (stale & 1) c_.mem->unmark_code(base + k * mmu::kCodeChunk, mmu::kCodeChunk);
}

void ICache::code_written(uint32_t paddr, unsigned size) {
  uint32_t end = paddr + size;
  std::vector<uint32_t> pages;
  for (uint32_t p = page_of(paddr); p <= page_of(end - 1); ++p) {
    auto pi = by_page_.find(p);
    if (pi == by_page_.end()) continue;
    std::vector<Block*> victims;
    for (Block* b : pi->second)
      if (overlaps(*b, paddr, end)) victims.push_back(b);
    for (Block* b : victims) {
      pages.push_back(page_of(b->phys));
      if (b->has_phys2()) pages.push_back(page_of(b->phys2));
      drop_block(b);
    }
  }
  for (uint32_t p : pages) remark_page(p);
  if (!pages.empty()) c_.events |= EV_SMC;
}

void ICache::flush() {
  for (auto& [p, v] : by_page_) c_.mem->unmark_code(p << mmu::kPageShift, mmu::kPageSize);
  by_page_.clear();
  for (auto& [k, b] : blocks_) {
    if (observer_) observer_->block_dropped(*b);
    graveyard_.push_back(std::move(b));
  }
  blocks_.clear();
  for (auto& fe : fast_) fe = FastEntry{~0ull, nullptr};
  c_.events |= EV_SMC;
}

}  // namespace cpu
