// devices::Port61: system control port B at 0x61 (the PIIX3's NMI status and
// control register), kept apart from the PIT because it also carries NMI bits.
//
// Wiring: Port61 port61(pit); port61.map(bus);
//
//   bit 0  R/W  timer 2 gate (the PIT channel 2 GATE input)
//   bit 1  R/W  speaker data enable (the speaker sounds OUT2 AND this bit)
//   bit 2  R/W  PCI SERR# NMI enable (stored; no NMI sources are modelled)
//   bit 3  R/W  IOCHK# NMI enable (stored)
//   bit 4  RO   refresh cycle toggle: flips on every rising edge of PIT OUT1
//   bit 5  RO   PIT OUT2
//   bit 6  RO   IOCHK# NMI source (0)
//   bit 7  RO   SERR# NMI source (0)
#pragma once
#include <cstdint>

#include "devices/iobus.h"
#include "devices/pit.h"

namespace devices {

class Port61 {
 public:
  explicit Port61(Pit& pit) : pit_(pit) {}
  Port61(const Port61&) = delete;  // the port handler holds `this`
  Port61& operator=(const Port61&) = delete;
  void map(IoBus& bus);
  void reset();

  uint8_t read();
  void write(uint8_t value);

  bool speaker_enabled() const { return (control_ & 3) == 3; }  // gate 2 and data enable
  bool speaker_level() { return (control_ & 2) && pit_.out(2); }  // the speaker input now
  uint8_t control() const { return control_; }

 private:
  Pit& pit_;
  uint8_t control_ = 0;  // bits 0-3 as written
};

}  // namespace devices
