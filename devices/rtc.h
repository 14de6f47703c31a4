// devices::Rtc: the Motorola MC146818 real-time clock with 128 bytes of CMOS
// RAM at ports 0x70 (index; bit 7 masks NMI) and 0x71 (data).
//
// Wiring (for the Machine):
//   Rtc rtc(sched, pic, Rtc::host_time());   // or a fixed UTC time for tests / determinism
//   rtc.map(bus);                            // claims 0x70-0x71
//   rtc.set_memory(below_4g, above_4g);      // CMOS bytes SeaBIOS reads
//   rtc.set_floppy_types(Rtc::kFloppy1440, Rtc::kFloppyNone);
//   rtc.set_hard_disk(0, cyl, heads, spt);   // optional
//   rtc.set_boot_order("cad");               // QEMU-style -boot letters
//   rtc.set_equipment(Rtc::equipment_byte(1, true));
// The IRQ goes to IrqSink line 8; nmi_enabled() reports port 0x70 bit 7.
//
// Time: the clock is a calendar in the time registers themselves, in the
// format register B selects (BCD or binary, 12 or 24 hours), as on the chip:
// changing the format does not convert what is there. It advances only in
// VIRTUAL time: a scheduler timer ("rtc-update") fires once per second and
// performs the update cycle (unless SET is 1 or the divider is not running).
// The update instant E is where the registers change and the update-ended flag
// is set; UIP (register A bit 7) reads 1 during the 244 + 1984 us before E.
// The initial time is the constructor's UTC seconds; the first update comes one
// second after construction, or 500 ms after the divider leaves reset.
//
// Register A: divider DV = 010 runs (anything else stops the clock; 11x is the
// divider reset), rate select RS gives the periodic rate (RS 1, 2: 256, 128 Hz;
// RS 3..15: 32768 >> (RS - 1) Hz). Register B: SET (also clears UIE), PIE, AIE,
// UIE, SQWE (stored; the pin is not connected on a PC), DM, 24/12, DSE (the
// datasheet's US daylight-saving rule: last Sunday in April 1:59:59 -> 3:00:00,
// last Sunday in October 1:59:59 -> 1:00:00 once). Register C: IRQF PF AF UF,
// cleared by reading it, which also releases IRQ8. PF is set at the periodic
// rate whether or not PIE is set (computed when C is read; the "rtc-periodic"
// timer runs only while PIE is 1). Register D: VRT = 1. Alarm bytes with the
// two top bits set (0xC0-0xFF) match any value. The century byte (0x32) is
// advanced when the year wraps from 99 to 00.
#pragma once
#include <cstdint>
#include <string_view>

#include "devices/iobus.h"
#include "devices/scheduler.h"

namespace devices {

class Rtc {
 public:
  static constexpr unsigned kIrq = 8;
  // CMOS floppy drive types (byte 0x10: drive A in the high nibble).
  enum : uint8_t { kFloppyNone = 0, kFloppy360 = 1, kFloppy1200 = 2, kFloppy720 = 3,
                   kFloppy1440 = 4, kFloppy2880 = 5 };

  // `unix_time`: UTC seconds since 1970-01-01 shown at construction.
  Rtc(Scheduler& sched, IrqSink& irq, int64_t unix_time);
  Rtc(const Rtc&) = delete;  // port handlers and timers hold `this`
  Rtc& operator=(const Rtc&) = delete;
  static int64_t host_time();  // the host clock (UTC); only for the initial time

  void map(IoBus& bus);
  uint8_t read(uint16_t port);
  void write(uint16_t port, uint8_t value);
  bool nmi_enabled() const { return !nmi_disabled_; }

  // Platform setup. Every setter recomputes the checksum at 0x2E-0x2F.
  uint8_t cmos(unsigned index) const { return cmos_[index & 0x7F]; }
  void set_cmos(unsigned index, uint8_t value);
  // RAM below 4 GiB and above 4 GiB, in bytes: base memory (0x15-0x16, 640 KiB),
  // extended KiB above 1 MiB (0x17-0x18 and 0x30-0x31, at most 65535), 64 KiB
  // units above 16 MiB (0x34-0x35) and above 4 GiB (0x5B-0x5D), as SeaBIOS reads.
  void set_memory(uint64_t below_4g, uint64_t above_4g);
  void set_floppy_types(uint8_t drive_a, uint8_t drive_b);
  void set_equipment(uint8_t value) { set_cmos(0x14, value); }
  // The AT equipment byte: floppy present and count, FPU, VGA/EGA display.
  static uint8_t equipment_byte(unsigned floppies, bool fpu);
  // Hard disk 0 or 1 (type 47, user-defined geometry at 0x1B / 0x24).
  void set_hard_disk(unsigned drive, uint16_t cylinders, uint8_t heads, uint8_t sectors);
  // Up to three boot devices, QEMU -boot letters: a floppy, c disk, d CD-ROM,
  // n network; SeaBIOS reads them from 0x3D (first two) and 0x38 bits 7:4;
  // 0x38 bit 0 = 1 skips the floppy boot-signature check. Throws
  // std::invalid_argument on other letters or more than three.
  void set_boot_order(std::string_view order, bool check_floppy_signature = true);
  void update_checksum();  // sum of 0x10..0x2D, big-endian at 0x2E-0x2F

  // Write the time registers and the century byte (UTC seconds) in the current format.
  void set_time(int64_t unix_time);

 private:
  bool running() const { return ((cmos_[0x0A] >> 4) & 7) == 2; }
  bool binary() const { return cmos_[0x0B] & 0x04; }
  bool hour24() const { return cmos_[0x0B] & 0x02; }
  uint8_t enc(unsigned v) const;
  unsigned dec(uint8_t b) const;
  uint8_t enc_hour(unsigned h24) const;
  unsigned dec_hour(uint8_t b) const;
  uint64_t next_update(uint64_t now) const;  // the first update instant after now
  bool uip(uint64_t now) const;
  uint64_t periodic_ticks() const;           // 32.768 kHz ticks per periodic interrupt; 0 = off
  uint64_t div_ticks(uint64_t t) const;      // 32.768 kHz ticks since the divider started
  void pf_sync(uint64_t now);                // set PF if a periodic boundary passed
  void arm_periodic(uint64_t now);
  void arm_update(uint64_t now);
  void update_cycle();
  void advance_second();
  void update_irq();
  void write_reg(unsigned index, uint8_t value);
  uint8_t read_reg(unsigned index);

  Scheduler& sched_;
  IrqSink& irq_;
  Scheduler::TimerId update_timer_, periodic_timer_;
  uint8_t cmos_[128] = {};
  uint8_t index_ = 0;
  bool nmi_disabled_ = false;
  bool irq_level_ = false;
  bool dse_fell_back_ = false;   // the October fall-back hour has been repeated
  uint64_t second_base_ = 0;     // an update instant; the others are whole seconds apart
  uint64_t div_base_ = 0;        // when the divider chain started (periodic phase)
  uint64_t pf_checked_ = 0;      // PF accounts for periodic boundaries up to here
};

}  // namespace devices
