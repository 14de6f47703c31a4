#include "devices/parallel.h"

#include "devices/byteio.h"

namespace devices {

void Parallel::map(IoBus& bus) {
  map_bytes(bus, base_, uint16_t(base_ + 2),
            [this](uint16_t p) { return read(unsigned(p - base_)); },
            [this](uint16_t p, uint8_t v) { write(unsigned(p - base_), v); });
}

uint8_t Parallel::read(unsigned off) const {
  switch (off) {
    case 0: return data_;
    case 1: return kStatusReady & ~0x07;  // bits 0-2 reserved (read 1 on some boards; 0 here)
    default: return uint8_t(0xC0 | control_);
  }
}

void Parallel::write(unsigned off, uint8_t v) {
  if (off == 0) {
    data_ = v;
    if (on_data) on_data(v);
  } else if (off == 2) {
    control_ = v & 0x3F;
  }
}

}  // namespace devices
