#include "mmu/memory.h"

#include <stdexcept>

namespace mmu {

Memory::Memory(uint32_t ram_bytes)
    : ram_(new uint8_t[ram_bytes < 16 ? 16 : ram_bytes]()),
      ram_size_(ram_bytes < 16 ? 16 : ram_bytes),
      code_pages_((ram_size_ >> kPageShift) + 2, 0) {}

// Byte-wise access for anything that touches the end of RAM: bytes outside RAM
// read 0xFF (unassigned) and are dropped on write. Each byte is A20-masked on
// its own so a word at 0xFFFFF wraps exactly as hardware does with A20 off.
template <class T> T Memory::read_slow(uint32_t pa) const {
  uint64_t v = 0;
  for (unsigned k = 0; k < sizeof(T); ++k) {
    uint32_t a = (pa + k) & a20_mask_;
    uint8_t b = a < ram_size_ ? ram_[a] : 0xFF;
    v |= uint64_t(b) << (8 * k);
  }
  return T(v);
}

template <class T> void Memory::write_slow(uint32_t pa, T v) {
  for (unsigned k = 0; k < sizeof(T); ++k) {
    uint32_t a = (pa + k) & a20_mask_;
    if (a >= ram_size_) continue;
    if (code_pages_[a >> kPageShift]) notify_code_write(a, 1);
    ram_[a] = uint8_t(uint64_t(v) >> (8 * k));
  }
}

void Memory::notify_code_write(uint32_t pa, unsigned size) {
  if (listener_) listener_->code_written(pa, size);
}

void Memory::load(uint32_t pa, const void* data, uint32_t len) {
  if (pa > ram_size_ || len > ram_size_ - pa)
    throw std::out_of_range("image does not fit in guest RAM");
  for (uint32_t p = pa >> kPageShift; len && p <= (pa + len - 1) >> kPageShift; ++p)
    if (code_pages_[p]) notify_code_write(p << kPageShift, kPageSize);
  std::memcpy(ram_.get() + pa, data, len);
}

template uint8_t Memory::read_slow<uint8_t>(uint32_t) const;
template uint16_t Memory::read_slow<uint16_t>(uint32_t) const;
template uint32_t Memory::read_slow<uint32_t>(uint32_t) const;
template uint64_t Memory::read_slow<uint64_t>(uint32_t) const;
template void Memory::write_slow<uint8_t>(uint32_t, uint8_t);
template void Memory::write_slow<uint16_t>(uint32_t, uint16_t);
template void Memory::write_slow<uint32_t>(uint32_t, uint32_t);
template void Memory::write_slow<uint64_t>(uint32_t, uint64_t);

}  // namespace mmu
