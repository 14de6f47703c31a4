// devices::Pit: the Intel 8254 programmable interval timer at 0x40-0x43.
//
// Wiring (for the Machine):
//   Pit pit(sched, pic);   // the scheduler gives virtual time; OUT0 drives IRQ line 0
//   pit.map(bus);          // claims 0x40-0x43
//   Port61 port61(pit);    // system control port B (devices/port61.h): gate 2,
//   port61.map(bus);       // speaker enable, OUT2 and the refresh toggle
//
// Time: the input clock is 1.193182 MHz of VIRTUAL time (Scheduler::now()).
// Nothing ticks: every channel keeps the clock at which its counting element
// was loaded and the number of clocks counted by then, and its count and OUT
// are computed from now() when asked. The only scheduler timer ("pit-irq0") is
// armed at the next rising edge of OUT0; when it fires the PIT pulses IRQ line
// 0 (low then high: the PIC's IRQ0 is edge triggered) and re-arms. Falling
// edges of OUT0 are sent only when programming changes OUT0 (the rising edge
// is what requests the interrupt).
//
// Behaviour (Intel 8254 datasheet): modes 0-5 (6 and 7 alias 2 and 3), binary
// or BCD counting, LSB / MSB / LSB-then-MSB access, a count written in mode 0
// or 4 loads on the next clock (the first byte of a two-byte count stops mode 0
// counting with OUT low), in modes 2 and 3 a new count waits for the end of the
// period (mode 2) or half-period (mode 3), modes 1 and 5 start on a gate rising
// edge; gate low suspends counting in modes 0, 2, 3, 4 and holds OUT high in
// modes 2 and 3, whose gate rising edge reloads the count. Counter latch and
// read-back (count and status latches, first latch wins; status = OUT, NULL
// COUNT, RW/mode/BCD) are supported.
//
// Gates: channels 0 and 1 are tied high; channel 2's gate is port 0x61 bit 0
// (low at reset).
// Channel 1 drives the refresh request: port 0x61 bit 4 flips on every rising
// edge of OUT1. SeaBIOS (written for QEMU) never programs channel 1, so the
// power-on state is what a PC BIOS POST leaves: mode 2, count 18 (a rising edge
// every 15.085 us). Channels 0 and 2 power on in mode 3 with no count (OUT high,
// not counting). The IRQ0 line is first driven at the first access to the PIT.
#pragma once
#include <cstdint>

#include "devices/iobus.h"
#include "devices/scheduler.h"

namespace devices {

class Pit {
 public:
  static constexpr uint64_t kClockHz = 1193182;

  // One counter. Plain data (save/restore).
  struct Channel {
    uint8_t control = 0;    // RW1 RW0 M2 M1 M0 BCD of the last control word (status byte)
    uint8_t mode = 0;       // 0..5
    uint8_t rw = 3;         // 1 = LSB, 2 = MSB, 3 = LSB then MSB
    bool bcd = false;
    bool gate = true;
    // Count register (the value written).
    uint32_t cr = 0;        // binary, 1..10000/65536 (a written 0 is the maximum)
    bool cr_valid = false;  // a complete count was written since the control word
    bool write_msb = false; // two-byte access: the next write is the MSB
    uint8_t write_lsb = 0;
    bool null_pending = true;
    uint64_t null_until = 0;  // NULL COUNT reads 1 before this clock (kNever: until an event)
    // Read side.
    bool read_msb = false;  // two-byte access: the next read is the MSB
    bool count_latched = false, status_latched = false;
    uint16_t latch = 0;
    uint8_t status = 0;
    // Counting element.
    bool loaded = false;    // holds a count (modes 1, 5: triggered)
    bool counting = false;  // clocks are counted after `ref`
    uint32_t n = 0;         // the count it was loaded with (binary)
    uint64_t ref = 0;       // clock at which `k_ref` clocks had been counted
    uint64_t k_ref = 0;
    uint32_t phase = 0;     // mode 3: clocks into the period at load (a low half first)
    uint32_t hold = 0;      // the value read while nothing is loaded
    bool pending = false;   // modes 2, 3: `cr` loads at clock `pending_at`
    uint64_t pending_at = 0;
    uint32_t phase_next = 0;
    bool rise_parity = false;  // parity of OUT rising edges (channel 1: refresh toggle)
  };

  Pit(Scheduler& sched, IrqSink& irq);
  Pit(const Pit&) = delete;  // port handlers and timers hold `this`
  Pit& operator=(const Pit&) = delete;
  void reset();
  void map(IoBus& bus);

  uint8_t read(uint16_t port);
  void write(uint16_t port, uint8_t value);

  void set_gate(unsigned ch, bool level);
  bool gate(unsigned ch) const { return ch_[ch].gate; }
  bool out(unsigned ch);        // OUT level now
  uint16_t count(unsigned ch);  // the counting element now, as a read would return it
  bool refresh_toggle();        // port 0x61 bit 4
  const Channel& channel(unsigned ch) const { return ch_[ch]; }

  uint64_t clock_now() const;              // input clocks since virtual time 0
  static uint64_t clock_time_ns(uint64_t clk);  // virtual time of an input clock

 private:
  struct Eval {
    uint32_t ce;
    bool out;
  };
  static uint32_t modulus(const Channel& c) { return c.bcd ? 10000 : 65536; }
  static uint64_t elapsed(const Channel& c, uint64_t t);
  static uint64_t rises(const Channel& c, uint64_t t);
  static void sync(Channel& c, uint64_t t);
  static Eval eval(const Channel& c, uint64_t t);
  static uint64_t next_rise(Channel c, uint64_t t);
  static void start(Channel& c, uint64_t t, bool counting);
  uint16_t read_value(const Channel& c, uint64_t t) const;
  void load(Channel& c, uint32_t value, uint64_t t);
  void latch_count(Channel& c, uint64_t t);
  void latch_status(Channel& c, uint64_t t);
  void control(uint8_t v, uint64_t t);
  void irq0_changed(uint64_t t);  // OUT0 may have changed: drive the line, re-arm
  void irq0_timer();

  Scheduler& sched_;
  IrqSink& irq_;
  Scheduler::TimerId timer_;
  Channel ch_[3];
  bool irq_level_ = false;  // what IRQ line 0 was last driven to
};

}  // namespace devices
