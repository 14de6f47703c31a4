// devices::Pic: the PC/AT pair of Intel 8259A interrupt controllers as found
// in the PIIX3: master at 0x20/0x21, slave at 0xA0/0xA1 cascaded on the
// master's IR2, and the PIIX3 edge/level control registers (ELCR) at
// 0x4D0/0x4D1.
//
// Wiring (for the Machine):
//   Pic pic;                                    // power-on state
//   pic.map(bus);                               // claims 0x20-21, 0xA0-A1, 0x4D0-4D1
//   pic.set_intr_callback([&] { cpu.events |= cpu::EV_IRQ; });
//   cpu.intr = &pic;                            // cpu::IntrSource
//   devices raise/lower lines through the IrqSink: pic.set_irq(line 0..15, level)
//
// The callback is called every time the INTR output rises (an INTA cycle
// counts as INTR dropping, so it is called again after intr_ack() when another
// request is still pending).
//
// Behaviour (Intel 8259A datasheet; PIIX3 datasheet for the ELCR):
// - ICW1..ICW4 initialization (ICW1 resets IMR/ISR, the edge sense latches,
//   priority, special mask mode and the status-read selection); ICW1's LTIM bit
//   is ignored as on the PIIX3 (trigger mode comes from the ELCR), and so are
//   the 8080-mode fields. The cascade is hard-wired: the slave's INT drives the
//   master's IR2 whatever ICW3 says.
// - OCW1 (IMR), OCW2 (non-specific/specific EOI, rotate on EOI, rotate in
//   automatic EOI mode, set priority), OCW3 (read IRR/ISR, poll, special mask).
// - Automatic EOI (ICW4 AEOI) and special fully nested mode (ICW4 SFNM, master).
// - Special mask mode: a level whose IMR bit is set is invisible to the
//   priority logic while in service, so it no longer inhibits lower levels and
//   a non-specific EOI skips it (a specific EOI resets it); an unmasked level
//   in service still inhibits the levels below it.
// - Edge-triggered lines latch a rising edge in the IRR; the latch holds until
//   the INTA cycle (so a device may pulse a line high then low), and a line held
//   high must fall and rise again to request again. Level-triggered lines
//   (ELCR bit set) request while high and the request vanishes when the line
//   falls. ELCR bits for IRQ0, 1, 2, 8 and 13 are reserved (read 0, edge).
// - A request that has vanished by the INTA cycle gives the spurious vector
//   IR7 of that chip: master base+7 with no ISR bit set, or, when the master
//   had latched the slave's request on IR2, slave base+7 with only the
//   master's ISR bit 2 set (the classic spurious IRQ 7 / IRQ 15).
// - ISA IRQ2 is wired to IRQ9 on the AT; set_irq(2, ...) drives IRQ9.
#pragma once
#include <cstdint>
#include <functional>

#include "cpu/cpu.h"
#include "devices/iobus.h"
#include "devices/scheduler.h"

namespace devices {

class Pic final : public IrqSink, public cpu::IntrSource {
 public:
  // One 8259A. Plain data (save/restore).
  struct Chip {
    uint8_t irr = 0, isr = 0, imr = 0;
    uint8_t input = 0;      // levels on IR0..7 (master IR2: the slave's INT)
    uint8_t elcr = 0;       // 1 = level triggered (PIIX3 ELCR)
    uint8_t vector_base = 0;  // ICW2 & 0xF8
    uint8_t icw3 = 0;
    uint8_t init_step = 0;  // 0 = operational; 2, 3, 4 = next write is that ICW
    uint8_t lowest = 7;     // the IR level with the lowest priority
    bool icw4_needed = false, single = false;
    bool auto_eoi = false, rotate_on_aeoi = false, sfnm = false;
    bool special_mask = false, poll = false, read_isr = false;
  };

  using IntrCallback = std::function<void()>;

  Pic();
  Pic(const Pic&) = delete;  // the port handlers hold `this`
  Pic& operator=(const Pic&) = delete;
  void reset();  // power-on state (both chips uninitialized, all masks clear)
  void map(IoBus& bus);
  void set_intr_callback(IntrCallback cb) { intr_cb_ = std::move(cb); }

  // IrqSink: line 0..15 (2 is redirected to 9).
  void set_irq(unsigned line, bool level) override;
  // cpu::IntrSource.
  bool intr_pending() override { return intr_; }
  uint8_t intr_ack() override;

  // Byte-wide register access (what the port handlers call).
  uint8_t read(uint16_t port);
  void write(uint16_t port, uint8_t value);

  const Chip& chip(unsigned i) const { return chip_[i]; }

 private:
  int pending_level(unsigned c) const;  // highest request that may interrupt, or -1
  int ack_chip(unsigned c);             // INTA on one chip: level acknowledged, -1 = spurious
  void set_input(unsigned c, unsigned level, bool high);
  void write_command(unsigned c, uint8_t v);
  void write_data(unsigned c, uint8_t v);
  void eoi(unsigned c, int level, bool rotate);
  void update();  // propagate the slave's INT to IR2 and recompute INTR

  Chip chip_[2];
  bool intr_ = false;
  IntrCallback intr_cb_;
};

}  // namespace devices
