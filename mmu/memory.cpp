// Physical accesses: per-page dispatch to RAM, ROM, MMIO (with width
// splitting) or unassigned space, and the bulk loader.
#include "mmu/memory.h"

#include <stdexcept>

namespace mmu {
namespace {

uint64_t byte_mask(unsigned n) { return n >= 8 ? ~0ull : (1ull << (8 * n)) - 1; }

// The largest width the device implements that fits `rem` bytes at an offset
// aligned to it; 0 if none does.
unsigned pick_width(unsigned widths, uint32_t off, unsigned rem) {
  for (unsigned w = 8; w; w >>= 1)
    if ((widths & w) && w <= rem && (off & (w - 1)) == 0) return w;
  return 0;
}
unsigned smallest_width(unsigned widths) {
  for (unsigned w = 1; w <= 8; w <<= 1)
    if (widths & w) return w;
  return 1;
}

// Split an access of n bytes at device offset `off` into calls the device
// implements. An access narrower than the device's smallest width is widened:
// the aligned unit containing it is read (and, for a write, written back with
// the new bytes merged in).
uint64_t mmio_read(MmioHandler& h, uint32_t off, unsigned n) {
  unsigned widths = h.widths() & 15u;
  if (!widths) widths = 1;
  uint64_t v = 0;
  unsigned done = 0;
  while (done < n) {
    uint32_t o = off + done;
    unsigned rem = n - done;
    if (unsigned w = pick_width(widths, o, rem)) {
      v |= (h.read(o, w) & byte_mask(w)) << (8 * done);
      done += w;
      continue;
    }
    unsigned u = smallest_width(widths);
    uint32_t base = o & ~(u - 1);
    unsigned skip = o - base, take = u - skip < rem ? u - skip : rem;
    uint64_t x = h.read(base, u) >> (8 * skip);
    v |= (x & byte_mask(take)) << (8 * done);
    done += take;
  }
  return v;
}

void mmio_write(MmioHandler& h, uint32_t off, unsigned n, uint64_t v) {
  unsigned widths = h.widths() & 15u;
  if (!widths) widths = 1;
  unsigned done = 0;
  while (done < n) {
    uint32_t o = off + done;
    unsigned rem = n - done;
    if (unsigned w = pick_width(widths, o, rem)) {
      h.write(o, w, (v >> (8 * done)) & byte_mask(w));
      done += w;
      continue;
    }
    unsigned u = smallest_width(widths);
    uint32_t base = o & ~(u - 1);
    unsigned skip = o - base, take = u - skip < rem ? u - skip : rem;
    uint64_t field = byte_mask(take) << (8 * skip);
    uint64_t old = h.read(base, u);
    uint64_t part = ((v >> (8 * done)) << (8 * skip)) & field;
    h.write(base, u, ((old & ~field) | part) & byte_mask(u));
    done += take;
  }
}

}  // namespace

Memory::Memory(uint32_t ram_bytes)
    : ram_(new uint8_t[ram_bytes < 16 ? 16 : ram_bytes]()), ram_size_(ram_bytes < 16 ? 16 : ram_bytes) {
  regions_.emplace_back();  // id 0: no overlay
  for (uint64_t pa = 0; pa < ram_size_; pa += kPageSize) refresh_fast(uint32_t(pa), slot(uint32_t(pa)));
}

Memory::~Memory() = default;

uint64_t Memory::read_page(uint32_t pa, unsigned n) const {
  const Slot* s = slot_if(pa);
  uint64_t v = 0;
  switch (source(pa, s, false)) {
    case Source::Ram:
      for (unsigned k = 0; k < n; ++k)
        v |= uint64_t(pa + k < ram_size_ ? ram_[pa + k] : 0xFF) << (8 * k);
      return v;
    case Source::Rom: {
      const Region& r = regions_[s->overlay];
      const std::vector<uint8_t>& img = roms_[size_t(r.rom)];
      uint64_t at = uint64_t(r.rom_offset) + (pa - r.base);
      for (unsigned k = 0; k < n; ++k)
        v |= uint64_t(at + k < img.size() ? img[at + k] : 0xFF) << (8 * k);
      return v;
    }
    case Source::Mmio: {
      const Region& r = regions_[s->overlay];
      return mmio_read(*r.mmio, pa - r.base, n);
    }
    case Source::Unassigned:
      break;
  }
  return byte_mask(n);
}

void Memory::write_page(uint32_t pa, unsigned n, uint64_t v) {
  const Slot* s = slot_if(pa);
  Source src = source(pa, s, true);
  // Dropped writes (ROM, unassigned) change nothing, so only real ones are reported.
  if ((src == Source::Ram || src == Source::Mmio) && s && (s->code & code_chunks(pa & (kPageSize - 1), n)))
    notify_code_write(pa, n);
  if (src == Source::Ram) {
    for (unsigned k = 0; k < n; ++k)
      if (pa + k < ram_size_) ram_[pa + k] = uint8_t(v >> (8 * k));
  } else if (src == Source::Mmio) {
    const Region& r = regions_[s->overlay];
    mmio_write(*r.mmio, pa - r.base, n, v);
  }
  // ROM and unassigned: dropped.
}

uint64_t Memory::read_phys(uint64_t pa, unsigned size) const {
  uint64_t v = 0;
  unsigned done = 0;
  while (done < size) {
    uint64_t at = pa + done;
    unsigned n = size - done;
    if (pa >= (1ull << 32)) {
      v |= byte_mask(n) << (8 * done);
      break;
    }
    uint32_t a = uint32_t(at) & a20_mask_;  // wraps at 4 GiB like a 32-bit bus
    unsigned room = kPageSize - (a & (kPageSize - 1));
    if (n > room) n = room;
    v |= read_page(a, n) << (8 * done);
    done += n;
  }
  return v;
}

void Memory::write_phys(uint64_t pa, unsigned size, uint64_t v) {
  if (pa >= (1ull << 32)) return;
  unsigned done = 0;
  while (done < size) {
    uint32_t a = uint32_t(pa + done) & a20_mask_;
    unsigned n = size - done, room = kPageSize - (a & (kPageSize - 1));
    if (n > room) n = room;
    write_page(a, n, v >> (8 * done));
    done += n;
  }
}

void Memory::load(uint32_t pa, const void* data, uint32_t len) {
  if (pa > ram_size_ || len > ram_size_ - pa) throw std::out_of_range("image does not fit in guest RAM");
  for (uint32_t done = 0; done < len;) {
    uint32_t a = pa + done, n = len - done, room = kPageSize - (a & (kPageSize - 1));
    if (n > room) n = room;
    const Slot* s = slot_if(a);
    if (s && (s->code & code_chunks(a & (kPageSize - 1), n))) notify_code_write(a, n);
    done += n;
  }
  std::memcpy(ram_.get() + pa, data, len);
}

void Memory::notify_code_write(uint32_t pa, unsigned n) {
  if (listener_) listener_->code_written(pa, n);
}

}  // namespace mmu
