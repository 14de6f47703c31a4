#include "cpu/icache.h"

#include "cpu/table.h"

namespace cpu {
namespace {

// Handlers for instructions that cannot be decoded: the exception is raised
// when (and only if) execution reaches them, with EIP at the instruction.
template <class T> void raise_ud(Cpu& c, const Insn&) { fault(c, kUD, 0); }
template <class T> void raise_gp(Cpu& c, const Insn&) { fault(c, kGP, 0); }

uint64_t make_key(uint32_t phys, DecodeMode mode) { return uint64_t(phys) | (uint64_t(mode) << 32); }

}  // namespace

ICache::ICache(Cpu& c) : c_(c), fast_(kFastSize, FastEntry{~0ull, nullptr}) {
  c_.mem->set_code_listener(this);
}

ICache::~ICache() {
  if (c_.mem) c_.mem->set_code_listener(nullptr);
}

const Block* ICache::lookup() {
  ++stats_.lookups;
  DecodeMode mode = decode_mode(c_);
  uint32_t lin = c_.seg[CS].base + c_.eip;
  uint32_t phys = lin & c_.mem->a20_mask();
  uint64_t key = make_key(phys, mode);
  FastEntry& fe = fast_[fast_slot(phys)];
  if (fe.key == key) return fe.b;
  auto it = blocks_.find(key);
  const Block* b;
  if (it != blocks_.end()) {
    b = it->second.get();
  } else {
    ++stats_.misses;
    std::unique_ptr<Block> nb = decode_block(c_.eip, phys, mode);
    for (uint32_t p = nb->first_page; p <= nb->last_page; ++p) {
      by_page_[p].push_back(nb.get());
      c_.mem->mark_code_page(p);
    }
    b = nb.get();
    blocks_.emplace(key, std::move(nb));
  }
  fe = FastEntry{key, b};
  return b;
}

std::unique_ptr<Block> ICache::decode_block(uint32_t eip, uint32_t phys, DecodeMode mode) {
  auto b = std::make_unique<Block>();
  b->key = make_key(phys, mode);
  b->first_page = phys >> mmu::kPageShift;
  const Segment& cs = c_.seg[CS];
  uint32_t off = 0;
  for (unsigned n = 0; n < kMaxInsns; ++n) {
    uint32_t at = eip + off;
    // Fetch up to 15 bytes, never past the CS limit.
    uint8_t buf[15];
    size_t avail = 0;
    while (avail < sizeof buf && at + avail >= at && at + avail <= cs.limit) {
      buf[avail] = c_.mem->read8(cs.base + at + uint32_t(avail));
      ++avail;
    }
    Insn in{};
    DecodeStatus st = avail ? decode(mode, buf, avail, in) : DecodeStatus::NeedMore;
    bool stop = false;
    if (st != DecodeStatus::Ok) {
      in = Insn{};
      in.len = 1;
      in.fn = (st == DecodeStatus::Invalid) ? &raise_ud<uint32_t> : &raise_gp<uint32_t>;
      stop = true;
    } else {
      ++stats_.insns_decoded;
      const Row& row = table()[in.row];
      stop = row.attrs & (A_END | A_MODE);
    }
    b->insns.push_back(in);
    off += in.len;
    uint32_t next_phys = phys + off;
    if (stop || (next_phys >> mmu::kPageShift) != b->first_page) break;
  }
  b->bytes = off;
  b->last_page = (phys + off - 1) >> mmu::kPageShift;
  ++stats_.blocks_decoded;
  return b;
}

void ICache::invalidate_page(uint32_t page) {
  auto it = by_page_.find(page);
  if (it == by_page_.end()) return;
  std::vector<Block*> victims = std::move(it->second);
  by_page_.erase(it);
  c_.mem->unmark_code_page(page);
  for (Block* b : victims) {
    auto bi = blocks_.find(b->key);
    if (bi == blocks_.end() || bi->second.get() != b) continue;  // already gone
    // Drop it from the other page it spans, if any.
    for (uint32_t p = b->first_page; p <= b->last_page; ++p) {
      if (p == page) continue;
      auto pi = by_page_.find(p);
      if (pi == by_page_.end()) continue;
      std::erase(pi->second, b);
    }
    ++stats_.invalidations;
    FastEntry& fe = fast_[fast_slot(uint32_t(b->key))];
    if (fe.b == b) fe = FastEntry{~0ull, nullptr};
    graveyard_.push_back(std::move(bi->second));
    blocks_.erase(bi);
  }
  c_.events |= EV_SMC;
}

void ICache::code_written(uint32_t paddr, unsigned size) {
  uint32_t first = paddr >> mmu::kPageShift, last = (paddr + size - 1) >> mmu::kPageShift;
  for (uint32_t p = first; p <= last; ++p) invalidate_page(p);
}

void ICache::flush() {
  for (auto& [p, v] : by_page_) c_.mem->unmark_code_page(p);
  by_page_.clear();
  for (auto& [k, b] : blocks_) graveyard_.push_back(std::move(b));
  blocks_.clear();
  for (auto& fe : fast_) fe = FastEntry{~0ull, nullptr};
  c_.events |= EV_SMC;
}

}  // namespace cpu
