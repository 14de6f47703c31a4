// System Control Port A (0x92): fast A20 and fast reset.
#include "devices/port92.h"

namespace devices {

void Port92::map(IoBus& bus) {
  bus.map(kPort, kPort, [this](uint16_t, unsigned) { return 0xFFFFFF00u | read(); },
          [this](uint16_t, unsigned, uint32_t v) { write(uint8_t(v)); });
}

void Port92::reset() {
  value_ = 0;
  if (on_a20) on_a20(false);
}

void Port92::write(uint8_t v) {
  uint8_t old = value_;
  value_ = v & 0x03;
  if (((old ^ value_) & 0x02) && on_a20) on_a20(a20());
  if (!(old & 0x01) && (value_ & 0x01) && on_reset) on_reset();
}

}  // namespace devices
