// Byte-wide port helpers for devices whose registers are 8 bits wide.
//
// On the ISA bus a 16- or 32-bit IN/OUT to an 8-bit device becomes a series of
// byte cycles at port, port+1, ... (lowest byte first). The IoBus hands the
// whole access to the device that owns the first port, so a byte-wide device
// splits wider accesses with these helpers; each byte goes back through the
// bus, so a byte that falls past the device's range reaches its own owner.
#pragma once
#include <cstdint>

#include "devices/iobus.h"

namespace devices {

inline uint32_t split_in(IoBus& bus, uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= (bus.in(uint16_t(port + i), 1) & 0xFFu) << (8 * i);
  return v;
}

inline void split_out(IoBus& bus, uint16_t port, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) bus.out(uint16_t(port + i), 1, (value >> (8 * i)) & 0xFFu);
}

// Map [first, last] to byte handlers `read(port) -> uint8_t` and
// `write(port, uint8_t)`; wider accesses are split through the bus.
template <class R, class W>
void map_bytes(IoBus& bus, uint16_t first, uint16_t last, R read, W write) {
  IoBus* b = &bus;
  bus.map(
      first, last,
      [b, read](uint16_t port, unsigned size) -> uint32_t {
        return size == 1 ? uint32_t(read(port)) : split_in(*b, port, size);
      },
      [b, write](uint16_t port, unsigned size, uint32_t value) {
        if (size == 1)
          write(port, uint8_t(value));
        else
          split_out(*b, port, size, value);
      });
}

}  // namespace devices
