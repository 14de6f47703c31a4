// The physical map: overlays (ROM, MMIO), PAM shadowing, the A20 gate, and
// the notifications that keep cached translations honest.
#include <algorithm>
#include <stdexcept>

#include "mmu/memory.h"

namespace mmu {

Memory::Slot& Memory::slot(uint32_t pa) {
  std::unique_ptr<Slot[]>& d = dir_[pa >> kDirShift];
  if (!d) d = std::make_unique<Slot[]>(kSlotsPerDir);
  return d[(pa >> kPageShift) & (kSlotsPerDir - 1)];
}

Memory::Source Memory::source(uint32_t pa, const Slot* s, bool write) const {
  bool ram = pa < ram_size_;
  if (!s) return ram ? Source::Ram : Source::Unassigned;
  if (s->shadow & kShadowOn) {
    if (s->shadow & (write ? kShadowWriteRam : kShadowReadRam)) return ram ? Source::Ram : Source::Unassigned;
    return s->overlay ? regions_[s->overlay].kind : Source::Unassigned;
  }
  if (s->overlay) return regions_[s->overlay].kind;
  return ram ? Source::Ram : Source::Unassigned;
}

Memory::Source Memory::read_source(uint32_t pa) const { return source(pa, slot_if(pa), false); }
Memory::Source Memory::write_source(uint32_t pa) const { return source(pa, slot_if(pa), true); }

void Memory::refresh_fast(uint32_t pa, Slot& s) {
  uint32_t page = pa & ~(kPageSize - 1);
  s.fast = 0;
  if (uint64_t(page) + kPageSize > ram_size_) return;  // partial or no RAM: bounds-checked path
  if (source(page, &s, false) == Source::Ram) s.fast |= kFastRead;
  if (source(page, &s, true) == Source::Ram && !s.code) s.fast |= kFastWrite;
}

PageInfo Memory::page_info(uint32_t pa) const {
  PageInfo info;
  uint32_t page = pa & ~(kPageSize - 1);
  const Slot* s = slot_if(page);
  bool whole_ram = uint64_t(page) + kPageSize <= ram_size_;
  switch (source(page, s, false)) {
    case Source::Ram:
      if (whole_ram) info.read_host = ram_.get() + page;
      break;
    case Source::Rom: {
      const Region& r = regions_[s->overlay];
      uint64_t at = uint64_t(r.rom_offset) + (page - r.base);
      const std::vector<uint8_t>& img = roms_[size_t(r.rom)];
      if (at + kPageSize <= img.size()) info.read_host = img.data() + at;
      break;
    }
    default:
      break;
  }
  if (source(page, s, true) == Source::Ram && whole_ram) info.write_host = ram_.get() + page;
  info.code = s && s->code;
  return info;
}

void Memory::check_range(uint32_t base, uint32_t size) {
  if ((base | size) & (kPageSize - 1)) throw std::invalid_argument("memory map: base/size not 4 KiB aligned");
  if (size && uint64_t(base) + size > (1ull << 32)) throw std::invalid_argument("memory map: range past 4 GiB");
}

uint16_t Memory::new_region(const Region& r) {
  for (size_t i = 1; i < regions_.size(); ++i)
    if (regions_[i].pages == 0) {
      regions_[i] = r;
      return uint16_t(i);
    }
  if (regions_.size() >= 0xFFFF) throw std::length_error("memory map: too many regions");
  regions_.push_back(r);
  return uint16_t(regions_.size() - 1);
}

// A key per page naming what its reads come from (kind and overlay), to tell
// which pages changed content as seen by reads.
std::vector<uint8_t> Memory::read_sources(uint32_t base, uint32_t size) const {
  std::vector<uint8_t> keys;
  keys.reserve(size_t(size >> kPageShift) * 3);
  for (uint64_t pa = base; pa < uint64_t(base) + size; pa += kPageSize) {
    const Slot* s = slot_if(uint32_t(pa));
    Source src = source(uint32_t(pa), s, false);
    uint16_t ov = (src == Source::Rom || src == Source::Mmio) ? s->overlay : 0;
    keys.push_back(uint8_t(src));
    keys.push_back(uint8_t(ov));
    keys.push_back(uint8_t(ov >> 8));
  }
  return keys;
}

void Memory::map_changed(uint32_t base, uint32_t size, const std::vector<uint8_t>& old_keys) {
  ++generation_;
  for (MapObserver* o : observers_) o->map_changed();
  std::vector<uint8_t> now = read_sources(base, size);
  size_t i = 0;
  for (uint64_t pa = base; pa < uint64_t(base) + size; pa += kPageSize, i += 3) {
    const Slot* s = slot_if(uint32_t(pa));
    if (s && s->code && !std::equal(now.begin() + long(i), now.begin() + long(i) + 3, old_keys.begin() + long(i)))
      notify_code_write(uint32_t(pa), kPageSize);
  }
}

void Memory::set_overlay(uint32_t base, uint32_t size, uint16_t region) {
  std::vector<uint8_t> old = read_sources(base, size);
  for (uint64_t pa = base; pa < uint64_t(base) + size; pa += kPageSize) {
    Slot& s = slot(uint32_t(pa));
    if (s.overlay) --regions_[s.overlay].pages;
    s.overlay = region;
    if (region) ++regions_[region].pages;
    refresh_fast(uint32_t(pa), s);
  }
  map_changed(base, size, old);
}

int Memory::add_rom(const void* data, uint32_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  roms_.emplace_back(p, p + len);
  return int(roms_.size() - 1);
}

const uint8_t* Memory::rom_data(int rom) const {
  if (rom < 0 || size_t(rom) >= roms_.size()) throw std::out_of_range("no such ROM");
  return roms_[size_t(rom)].data();
}

void Memory::map_rom(uint32_t base, uint32_t size, int rom, uint32_t rom_offset) {
  check_range(base, size);
  if (rom < 0 || size_t(rom) >= roms_.size()) throw std::out_of_range("no such ROM");
  Region r;
  r.kind = Source::Rom;
  r.base = base;
  r.rom = rom;
  r.rom_offset = rom_offset;
  set_overlay(base, size, new_region(r));
}

void Memory::map_mmio(uint32_t base, uint32_t size, MmioHandler* h) {
  check_range(base, size);
  if (!h) throw std::invalid_argument("map_mmio: no handler");
  Region r;
  r.kind = Source::Mmio;
  r.base = base;
  r.mmio = h;
  set_overlay(base, size, new_region(r));
}

void Memory::unmap(uint32_t base, uint32_t size) {
  check_range(base, size);
  set_overlay(base, size, 0);
}

void Memory::set_shadow(uint32_t base, uint32_t size, bool read_ram, bool write_ram) {
  check_range(base, size);
  std::vector<uint8_t> old = read_sources(base, size);
  uint8_t mode = uint8_t(kShadowOn | (read_ram ? kShadowReadRam : 0) | (write_ram ? kShadowWriteRam : 0));
  for (uint64_t pa = base; pa < uint64_t(base) + size; pa += kPageSize) {
    Slot& s = slot(uint32_t(pa));
    s.shadow = mode;
    refresh_fast(uint32_t(pa), s);
  }
  map_changed(base, size, old);
}

void Memory::clear_shadow(uint32_t base, uint32_t size) {
  check_range(base, size);
  std::vector<uint8_t> old = read_sources(base, size);
  for (uint64_t pa = base; pa < uint64_t(base) + size; pa += kPageSize) {
    Slot& s = slot(uint32_t(pa));
    s.shadow = 0;
    refresh_fast(uint32_t(pa), s);
  }
  map_changed(base, size, old);
}

void Memory::set_a20(bool on) {
  uint32_t mask = on ? 0xFFFFFFFFu : 0xFFEFFFFFu;
  if (mask == a20_mask_) return;
  a20_mask_ = mask;
  ++generation_;
  for (MapObserver* o : observers_) o->map_changed();
}

void Memory::add_observer(MapObserver* o) {
  if (std::find(observers_.begin(), observers_.end(), o) == observers_.end()) observers_.push_back(o);
}

void Memory::remove_observer(MapObserver* o) { std::erase(observers_, o); }

// ---- code tracking ----

namespace {
template <class F> void for_pages(uint32_t paddr, uint32_t len, F f) {
  uint64_t at = paddr, end = uint64_t(paddr) + len;
  if (end > (1ull << 32)) end = 1ull << 32;
  while (at < end) {
    uint32_t off = uint32_t(at) & (kPageSize - 1);
    uint64_t n = std::min<uint64_t>(end - at, kPageSize - off);
    f(uint32_t(at) & ~(kPageSize - 1), code_chunks(off, uint32_t(n)));
    at += n;
  }
}
}  // namespace

void Memory::mark_code(uint32_t paddr, uint32_t len) {
  for_pages(paddr, len, [&](uint32_t page, uint32_t m) {
    Slot& s = slot(page);
    bool first = !s.code;
    s.code |= m;
    if (first) {
      refresh_fast(page, s);
      for (MapObserver* o : observers_) o->code_page_marked(page >> kPageShift);
    }
  });
}

void Memory::unmark_code(uint32_t paddr, uint32_t len) {
  for_pages(paddr, len, [&](uint32_t page, uint32_t m) {
    if (!dir_[page >> kDirShift]) return;
    Slot& s = slot(page);
    if (!s.code) return;
    s.code &= ~m;
    if (!s.code) refresh_fast(page, s);
  });
}

bool Memory::is_code(uint32_t paddr, uint32_t len) const {
  bool any = false;
  for_pages(paddr, len, [&](uint32_t page, uint32_t m) {
    const Slot* s = slot_if(page);
    if (s && (s->code & m)) any = true;
  });
  return any;
}

uint32_t Memory::code_mask(uint32_t page) const {
  if (page >= (1u << (32 - kPageShift))) return 0;
  const Slot* s = slot_if(page << kPageShift);
  return s ? s->code : 0;
}

bool Memory::is_code_page(uint32_t page) const { return code_mask(page) != 0; }

}  // namespace mmu
