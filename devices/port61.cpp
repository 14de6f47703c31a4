#include "devices/port61.h"

#include "devices/byteio.h"

namespace devices {

void Port61::map(IoBus& bus) {
  map_bytes(bus, 0x61, 0x61, [this](uint16_t) { return read(); },
            [this](uint16_t, uint8_t v) { write(v); });
}

void Port61::reset() { write(0); }

uint8_t Port61::read() {
  return uint8_t(control_ | (pit_.refresh_toggle() ? 0x10 : 0) | (pit_.out(2) ? 0x20 : 0));
}

void Port61::write(uint8_t value) {
  control_ = value & 0x0F;
  pit_.set_gate(2, value & 1);
}

}  // namespace devices
