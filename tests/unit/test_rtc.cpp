// devices::Rtc: the MC146818 and its CMOS bytes, in virtual time, through ports 0x70/0x71.
#include <doctest/doctest.h>

#include <stdexcept>

#include "devices/iobus.h"
#include "devices/rtc.h"
#include "devices/scheduler.h"

using devices::Rtc;

namespace {

constexpr uint64_t kSec = 1'000'000'000;
constexpr int64_t kLeapEve = 1709164798;  // 2024-02-28 23:59:58 UTC, a Wednesday

struct IrqLog : devices::IrqSink {
  bool level[16] = {};
  int rises[16] = {};
  void set_irq(unsigned line, bool v) override {
    if (v && !level[line]) ++rises[line];
    level[line] = v;
  }
};

struct RtcRig {
  uint64_t clock = 0;  // instructions = ns
  devices::Scheduler sched{&clock, 1'000'000'000};
  IrqLog irq;
  devices::IoBus bus;
  Rtc rtc;

  explicit RtcRig(int64_t t = kLeapEve) : rtc(sched, irq, t) { rtc.map(bus); }
  uint8_t rd(uint8_t i) { bus.out(0x70, 1, i | 0x80); return uint8_t(bus.in(0x71, 1)); }
  void wr(uint8_t i, uint8_t v) { bus.out(0x70, 1, i | 0x80), bus.out(0x71, 1, v); }
  // Run to virtual time `ns`, firing timers at their deadlines; with `ack`,
  // read register C whenever IRQ8 is up (an interrupt handler).
  void run_to(uint64_t ns, bool ack = false) {
    while (clock < ns) {
      clock += sched.instructions_until_next(ns - clock);
      sched.run_due();
      if (ack && irq.level[8]) rd(0x0C);
    }
  }
  bool uip() { return rd(0x0A) & 0x80; }
};

}  // namespace

TEST_CASE("rtc: initial time and register defaults") {
  RtcRig r;
  CHECK(r.rd(0x00) == 0x58);
  CHECK(r.rd(0x02) == 0x59);
  CHECK(r.rd(0x04) == 0x23);
  CHECK(r.rd(0x06) == 0x04);  // Wednesday (Sunday = 1)
  CHECK(r.rd(0x07) == 0x28);
  CHECK(r.rd(0x08) == 0x02);
  CHECK(r.rd(0x09) == 0x24);
  CHECK(r.rd(0x32) == 0x20);
  CHECK(r.rd(0x0A) == 0x26);
  CHECK(r.rd(0x0B) == 0x02);
  CHECK(r.rd(0x0C) == 0x00);
  CHECK(r.rd(0x0D) == 0x80);
  r.wr(0x0D, 0x00);  // C and D are read-only
  r.wr(0x0C, 0xFF);
  CHECK(r.rd(0x0D) == 0x80);
  CHECK(r.rd(0x0C) == 0x00);
}

TEST_CASE("rtc: one update per virtual second, UIP before it, leap day") {
  RtcRig r;
  r.run_to(kSec - 2'228'001);
  CHECK(!r.uip());
  r.run_to(kSec - 2'228'000);
  CHECK(r.uip());
  r.run_to(kSec - 1);
  CHECK(r.uip());
  CHECK(r.rd(0x00) == 0x58);
  r.run_to(kSec);
  CHECK(!r.uip());
  CHECK(r.rd(0x00) == 0x59);
  CHECK(r.rd(0x0C) == 0x50);  // update-ended and periodic flags; no interrupt enabled
  CHECK(r.irq.rises[8] == 0);
  r.run_to(2 * kSec);
  CHECK(r.rd(0x00) == 0x00);
  CHECK(r.rd(0x02) == 0x00);
  CHECK(r.rd(0x04) == 0x00);
  CHECK(r.rd(0x06) == 0x05);
  CHECK(r.rd(0x07) == 0x29);  // 2024 is a leap year
  CHECK(r.rd(0x08) == 0x02);
  r.run_to(2 * kSec + 86400 * kSec);
  CHECK(r.rd(0x07) == 0x01);
  CHECK(r.rd(0x08) == 0x03);
  CHECK(r.rd(0x06) == 0x06);
}

TEST_CASE("rtc: century rollover in BCD") {
  RtcRig r(946684799);  // 1999-12-31 23:59:59, Friday
  CHECK(r.rd(0x06) == 0x06);
  CHECK(r.rd(0x32) == 0x19);
  r.run_to(kSec);
  CHECK(r.rd(0x00) == 0x00);
  CHECK(r.rd(0x04) == 0x00);
  CHECK(r.rd(0x06) == 0x07);
  CHECK(r.rd(0x07) == 0x01);
  CHECK(r.rd(0x08) == 0x01);
  CHECK(r.rd(0x09) == 0x00);
  CHECK(r.rd(0x32) == 0x20);
}

TEST_CASE("rtc: binary and 12-hour formats") {
  RtcRig r;
  r.wr(0x0B, 0x84);  // SET, binary, 12-hour
  r.wr(0x00, 59), r.wr(0x02, 59), r.wr(0x04, 0x80 | 11);  // 11:59:59 PM
  r.wr(0x06, 7), r.wr(0x07, 31), r.wr(0x08, 12), r.wr(0x09, 99), r.wr(0x32, 19);
  r.wr(0x0B, 0x04);
  r.run_to(kSec);
  CHECK(r.rd(0x04) == 12);  // 12 AM
  CHECK(r.rd(0x00) == 0);
  CHECK(r.rd(0x06) == 1);
  CHECK(r.rd(0x07) == 1);
  CHECK(r.rd(0x08) == 1);
  CHECK(r.rd(0x09) == 0);
  CHECK(r.rd(0x32) == 20);
  r.wr(0x0B, 0x84);
  r.wr(0x04, 11), r.wr(0x02, 59), r.wr(0x00, 59);  // 11:59:59 AM
  r.wr(0x0B, 0x04);
  r.run_to(2 * kSec);
  CHECK(r.rd(0x04) == (0x80 | 12));  // 12 PM
  r.wr(0x0B, 0x80);                  // BCD, 12-hour
  r.wr(0x04, 0x12), r.wr(0x02, 0x59), r.wr(0x00, 0x59);  // 12:59:59 AM
  r.wr(0x0B, 0x00);
  r.run_to(3 * kSec);
  CHECK(r.rd(0x04) == 0x01);
  CHECK(r.rd(0x02) == 0x00);
  r.wr(0x0B, 0x80);
  r.wr(0x04, 0x91), r.wr(0x02, 0x59), r.wr(0x00, 0x59);  // 11:59:59 PM in BCD
  r.wr(0x0B, 0x00);
  r.run_to(4 * kSec);
  CHECK(r.rd(0x04) == 0x12);  // midnight: 12 AM
}

TEST_CASE("rtc: SET stops updates and UIP and clears UIE") {
  RtcRig r;
  r.wr(0x0B, 0x12);
  CHECK(r.rd(0x0B) == 0x12);
  r.wr(0x0B, 0x92);
  CHECK(r.rd(0x0B) == 0x82);
  r.run_to(3 * kSec - 1'000'000);
  CHECK(!r.uip());
  r.run_to(5 * kSec);
  CHECK(r.rd(0x00) == 0x58);
  CHECK(r.rd(0x0C) == 0x40);  // no update-ended flag (the periodic flag runs on)
  r.wr(0x0B, 0x02);
  r.run_to(6 * kSec);
  CHECK(r.rd(0x00) == 0x59);
}

TEST_CASE("rtc: periodic interrupt at the register A rate") {
  RtcRig r;
  r.wr(0x0B, 0x42);  // PIE; rate 6 = 1024 Hz
  r.run_to(976'562);
  CHECK(r.irq.rises[8] == 0);
  r.run_to(976'563);  // 32 ticks of 32.768 kHz
  CHECK(r.irq.rises[8] == 1);
  CHECK(r.irq.level[8]);
  r.run_to(20'000'000);
  CHECK(r.irq.rises[8] == 1);  // held until register C is read
  CHECK(r.rd(0x0C) == 0xC0);
  CHECK(!r.irq.level[8]);
  r.run_to(20'000'000 + kSec, true);
  CHECK(r.irq.rises[8] == 1 + 1024);
  r.wr(0x0A, 0x2F);  // 2 Hz
  r.run_to(3 * kSec + 20'000'000, true);
  CHECK(r.irq.rises[8] == 1 + 1024 + 4);
  // PF is set at the rate even with PIE clear, without an interrupt.
  r.wr(0x0B, 0x02);
  r.rd(0x0C);
  r.run_to(3 * kSec + 600'000'000);
  CHECK(r.rd(0x0C) == 0x40);
  CHECK(r.irq.rises[8] == 1 + 1024 + 4);
  // Setting PIE while PF is pending interrupts at once.
  r.run_to(4 * kSec + 100'000'000);
  r.rd(0x0C);
  r.run_to(4 * kSec + 600'000'000);
  r.wr(0x0B, 0x42);
  CHECK(r.irq.level[8]);
  CHECK(r.rd(0x0C) == 0xC0);
}

TEST_CASE("rtc: alarm interrupt, exact and don't-care") {
  RtcRig r;  // 23:59:58
  r.wr(0x0A, 0x20);  // periodic rate off: PF stays clear
  r.wr(0x01, 0x00), r.wr(0x03, 0x00), r.wr(0x05, 0x00);
  r.wr(0x0B, 0x22);  // AIE
  r.run_to(kSec);
  CHECK(r.irq.rises[8] == 0);
  r.run_to(2 * kSec);  // 00:00:00
  CHECK(r.irq.rises[8] == 1);
  CHECK(r.rd(0x0C) == 0xB0);  // IRQF, AF, UF
  CHECK(!r.irq.level[8]);
  r.run_to(3 * kSec);
  CHECK(r.rd(0x0C) == 0x10);
  r.wr(0x01, 0x05), r.wr(0x03, 0xC0), r.wr(0x05, 0xFF);  // second 5 of any minute and hour
  r.run_to(6 * kSec);
  CHECK(r.irq.rises[8] == 1);
  r.run_to(7 * kSec);
  CHECK(r.irq.rises[8] == 2);
  CHECK(r.rd(0x00) == 0x05);
  CHECK(r.rd(0x0C) == 0xB0);
}

TEST_CASE("rtc: update-ended interrupt every second while C is read") {
  RtcRig r;
  r.wr(0x0A, 0x20);
  r.wr(0x0B, 0x12);
  r.run_to(kSec);
  CHECK(r.irq.rises[8] == 1);
  CHECK(r.rd(0x0C) == 0x90);
  r.run_to(11 * kSec, true);
  CHECK(r.irq.rises[8] == 11);
  r.run_to(15 * kSec);  // not acknowledged: IRQ8 stays up, no new edges
  CHECK(r.irq.rises[8] == 12);
  CHECK(r.irq.level[8]);
}

TEST_CASE("rtc: divider reset stops the clock; restart updates 500 ms later") {
  RtcRig r;
  r.wr(0x0A, 0x66);
  r.run_to(5 * kSec);
  CHECK(r.rd(0x00) == 0x58);
  CHECK(r.rd(0x0A) == 0x66);
  r.run_to(5 * kSec + 123);
  r.wr(0x0A, 0x26);
  r.run_to(5 * kSec + 500'000'000 + 123 - 2'228'001);
  CHECK(!r.uip());
  r.run_to(5 * kSec + 500'000'000 + 123 - 2'228'000);
  CHECK(r.uip());
  r.run_to(5 * kSec + 500'000'000 + 122);
  CHECK(r.rd(0x00) == 0x58);
  r.run_to(5 * kSec + 500'000'000 + 123);
  CHECK(r.rd(0x00) == 0x59);
  r.run_to(6 * kSec + 500'000'000 + 123);
  CHECK(r.rd(0x00) == 0x00);
}

TEST_CASE("rtc: daylight saving (DSE)") {
  RtcRig spring(1714269599);  // Sunday 2024-04-28 01:59:59, the last Sunday in April
  spring.wr(0x0B, 0x03);
  spring.run_to(kSec);
  CHECK(spring.rd(0x04) == 0x03);
  CHECK(spring.rd(0x02) == 0x00);
  RtcRig early(1713664799);  // Sunday 2024-04-21: not the last one
  early.wr(0x0B, 0x03);
  early.run_to(kSec);
  CHECK(early.rd(0x04) == 0x02);
  RtcRig fall(1729994399);  // Sunday 2024-10-27 01:59:59
  fall.wr(0x0B, 0x03);
  fall.run_to(kSec);
  CHECK(fall.rd(0x04) == 0x01);
  CHECK(fall.rd(0x02) == 0x00);
  fall.run_to(3601 * kSec);  // the repeated hour passes once
  CHECK(fall.rd(0x04) == 0x02);
  CHECK(fall.rd(0x00) == 0x00);
}

TEST_CASE("rtc: index port, NMI mask bit and CMOS RAM") {
  RtcRig r;
  r.bus.out(0x70, 1, 0x8E);
  CHECK(!r.rtc.nmi_enabled());
  r.bus.out(0x71, 1, 0x5A);
  CHECK(r.rtc.cmos(0x0E) == 0x5A);
  r.bus.out(0x70, 1, 0x0E);
  CHECK(r.rtc.nmi_enabled());
  CHECK(r.bus.in(0x71, 1) == 0x5A);
  CHECK(r.bus.in(0x70, 1) == 0xFF);
  r.bus.out(0x70, 2, 0x3C40);  // a word OUT: index 40h, then data 3Ch
  CHECK(r.rtc.cmos(0x40) == 0x3C);
  r.bus.out(0x70, 1, 0x7F);
  r.bus.out(0x71, 1, 0xA5);
  CHECK(r.rtc.cmos(0x7F) == 0xA5);
  uint8_t sum_lo = r.rtc.cmos(0x2F);
  r.wr(0x10, 0x11);  // a guest write does not fix the checksum
  CHECK(r.rtc.cmos(0x2F) == sum_lo);
}

TEST_CASE("rtc: platform CMOS bytes as SeaBIOS reads them") {
  RtcRig r;
  auto extmem2 = [&] { return (uint64_t(r.rtc.cmos(0x34)) << 16 | uint64_t(r.rtc.cmos(0x35)) << 24); };
  auto extmem = [&] { return uint64_t(r.rtc.cmos(0x30)) << 10 | uint64_t(r.rtc.cmos(0x31)) << 18; };
  auto highmem = [&] {
    return uint64_t(r.rtc.cmos(0x5B)) << 16 | uint64_t(r.rtc.cmos(0x5C)) << 24 | uint64_t(r.rtc.cmos(0x5D)) << 32;
  };
  r.rtc.set_memory(128u << 20, 0);
  CHECK(r.rtc.cmos(0x15) == 0x80);
  CHECK(r.rtc.cmos(0x16) == 0x02);
  CHECK(r.rtc.cmos(0x17) == 0xFF);
  CHECK(r.rtc.cmos(0x18) == 0xFF);
  CHECK(r.rtc.cmos(0x34) == 0x00);
  CHECK(r.rtc.cmos(0x35) == 0x07);
  CHECK(extmem2() + (16u << 20) == (128u << 20));
  r.rtc.set_memory(8u << 20, 0);
  CHECK(r.rtc.cmos(0x30) == 0x00);
  CHECK(r.rtc.cmos(0x31) == 0x1C);
  CHECK(extmem2() == 0);
  CHECK(extmem() + (1u << 20) == (8u << 20));
  r.rtc.set_memory(3ull << 30, 6ull << 30);
  CHECK(r.rtc.cmos(0x35) == 0xBF);
  CHECK(extmem2() + (16u << 20) == (3ull << 30));
  CHECK(r.rtc.cmos(0x5B) == 0x00);
  CHECK(r.rtc.cmos(0x5C) == 0x80);
  CHECK(r.rtc.cmos(0x5D) == 0x01);
  CHECK(highmem() == (6ull << 30));

  r.rtc.set_floppy_types(Rtc::kFloppy1440, Rtc::kFloppy720);
  CHECK(r.rtc.cmos(0x10) == 0x43);
  CHECK(Rtc::equipment_byte(2, true) == 0x43);
  CHECK(Rtc::equipment_byte(1, false) == 0x01);
  CHECK(Rtc::equipment_byte(0, true) == 0x02);
  r.rtc.set_equipment(0x41);
  CHECK(r.rtc.cmos(0x14) == 0x41);

  r.rtc.set_hard_disk(0, 1024, 16, 63);
  CHECK(r.rtc.cmos(0x12) == 0xF0);
  CHECK(r.rtc.cmos(0x19) == 47);
  const uint8_t d0[9] = {0x00, 0x04, 16, 0xFF, 0xFF, 0xC8, 0x00, 0x04, 63};
  for (unsigned i = 0; i < 9; ++i) CHECK(r.rtc.cmos(0x1B + i) == d0[i]);
  r.rtc.set_hard_disk(1, 306, 4, 17);
  CHECK(r.rtc.cmos(0x12) == 0xFF);
  CHECK(r.rtc.cmos(0x1A) == 47);
  const uint8_t d1[9] = {0x32, 0x01, 4, 0xFF, 0xFF, 0xC0, 0x32, 0x01, 17};
  for (unsigned i = 0; i < 9; ++i) CHECK(r.rtc.cmos(0x24 + i) == d1[i]);

  r.rtc.set_boot_order("cad");
  CHECK(r.rtc.cmos(0x3D) == 0x12);
  CHECK(r.rtc.cmos(0x38) == 0x30);
  unsigned order = r.rtc.cmos(0x3D) | (r.rtc.cmos(0x38) & 0xF0) << 4;  // SeaBIOS's reading
  CHECK(order == 0x312);
  r.rtc.set_boot_order("d", false);
  CHECK(r.rtc.cmos(0x3D) == 0x03);
  CHECK(r.rtc.cmos(0x38) == 0x01);
  CHECK_THROWS_AS(r.rtc.set_boot_order("x"), std::invalid_argument);
  CHECK_THROWS_AS(r.rtc.set_boot_order("acdn"), std::invalid_argument);

  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2D; ++i) sum += r.rtc.cmos(i);
  CHECK((r.rtc.cmos(0x2E) << 8 | r.rtc.cmos(0x2F)) == sum);
  RtcRig fresh;
  fresh.rtc.set_floppy_types(Rtc::kFloppy1440, Rtc::kFloppyNone);
  CHECK(fresh.rtc.cmos(0x2E) == 0x00);
  CHECK(fresh.rtc.cmos(0x2F) == 0x40);
  fresh.rtc.set_cmos(0x2D, 0xF0);
  CHECK(fresh.rtc.cmos(0x2E) == 0x01);
  CHECK(fresh.rtc.cmos(0x2F) == 0x30);
}
