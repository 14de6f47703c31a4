// devices::Parallel: a PC parallel port (LPT) as a write-only printer sink.
//
// Data register (base+0): bytes written go to the sink (-parallel file:PATH),
// reads return the last byte written. Status (base+1): a printer that is
// always ready (not busy, selected, no error, no paper-out, ACK inactive).
// Control (base+2): stored and read back (bits 0-5). No interrupts.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/iobus.h"

namespace devices {

class Parallel {
 public:
  explicit Parallel(uint16_t base) : base_(base) {}
  Parallel(const Parallel&) = delete;
  Parallel& operator=(const Parallel&) = delete;

  std::function<void(uint8_t)> on_data;  // every byte written to the data register

  void map(IoBus& bus);
  void reset() { data_ = 0; control_ = 0x0C; }
  uint8_t read(unsigned off) const;
  void write(unsigned off, uint8_t v);

  static constexpr uint8_t kStatusReady = 0xDF;  // BUSY# = 1, ACK# = 1, SELECT = 1, ERROR# = 1

 private:
  uint16_t base_;
  uint8_t data_ = 0;
  uint8_t control_ = 0x0C;
};

}  // namespace devices
