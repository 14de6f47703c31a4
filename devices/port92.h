// devices::Port92: System Control Port A at I/O port 0x92 (PS/2 and PIIX
// chipsets): bit 1 is the "fast A20" gate, bit 0 the fast reset (a 0->1
// transition resets the CPU; the bit reads back as written). The other bits
// are reserved and read as 0.
//
// Wiring (the Machine):
//   Port92 p92;  p92.map(bus);
//   p92.on_a20 = [&](bool) { /* A20 = kbc.a20() || p92.a20() */ };
//   p92.on_reset = [&] { /* request a CPU reset (not from inside this call) */ };
//   p92.reset();  // power-on: 0, reports A20 off
#pragma once
#include <cstdint>
#include <functional>

#include "devices/iobus.h"

namespace devices {

class Port92 {
 public:
  static constexpr uint16_t kPort = 0x92;

  void map(IoBus& bus);
  void reset();  // power-on value 0; calls on_a20(false)

  uint8_t read() const { return value_; }
  void write(uint8_t v);
  bool a20() const { return value_ & 0x02; }

  std::function<void(bool)> on_a20;  // called when bit 1 changes
  std::function<void()> on_reset;    // called on a 0->1 transition of bit 0

 private:
  uint8_t value_ = 0;
};

}  // namespace devices
