// devices::Pit and devices::Port61: the 8254 in virtual time, through its ports.
#include <doctest/doctest.h>

#include "devices/iobus.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/port61.h"
#include "devices/scheduler.h"

using devices::Pit;

namespace {

struct IrqLog : devices::IrqSink {
  bool level[16] = {};
  int rises[16] = {};
  void set_irq(unsigned line, bool v) override {
    if (v && !level[line]) ++rises[line];
    level[line] = v;
  }
};

struct PitRig {
  uint64_t clock = 0;  // instructions = ns (1 GHz virtual CPU)
  devices::Scheduler sched{&clock, 1'000'000'000};
  IrqLog irq;
  devices::IoBus bus;
  Pit pit{sched, irq};
  devices::Port61 p61{pit};

  PitRig() { pit.map(bus), p61.map(bus); }
  void out(uint16_t p, uint8_t v) { bus.out(p, 1, v); }
  uint8_t in(uint16_t p) { return uint8_t(bus.in(p, 1)); }
  uint16_t read16(uint16_t p) { uint16_t lo = in(p); return uint16_t(lo | in(p) << 8); }
  void count16(uint16_t p, uint16_t n) { out(p, uint8_t(n)), out(p, uint8_t(n >> 8)); }
  bool out2() { return in(0x61) & 0x20; }
  // Run to PIT input clock `clk`, firing every timer on the way at its deadline.
  void to_clock(uint64_t clk) {
    uint64_t target = Pit::clock_time_ns(clk);
    REQUIRE(target >= clock);
    while (clock < target) {
      clock += sched.instructions_until_next(target - clock);
      sched.run_due();
    }
    REQUIRE(pit.clock_now() == clk);
  }
};

}  // namespace

TEST_CASE("pit: clock conversion") {
  CHECK(Pit::clock_time_ns(0) == 0);
  CHECK(Pit::clock_time_ns(18) == 15086);  // the refresh period, ~15 us
  CHECK(Pit::clock_time_ns(1193182) == 1'000'000'000);
  PitRig r;
  r.clock = 15085;
  CHECK(r.pit.clock_now() == 17);
  r.clock = 15086;
  CHECK(r.pit.clock_now() == 18);
}

TEST_CASE("pit: mode 0 on channel 2, OUT2 on port 0x61 bit 5") {
  PitRig r;
  r.to_clock(100);
  r.out(0x61, 0x01);  // gate 2 on
  r.out(0x43, 0xB0);  // channel 2, LSB then MSB, mode 0, binary
  CHECK(!r.out2());
  r.out(0x42, 0x00);
  r.out(0x42, 0x08);  // 2048, loaded on the next clock
  r.to_clock(101);
  CHECK(r.read16(0x42) == 2048);
  r.to_clock(101 + 2047);
  CHECK(r.read16(0x42) == 1);
  CHECK(!r.out2());
  r.to_clock(101 + 2048);  // N + 1 clocks after the write
  CHECK(r.read16(0x42) == 0);
  CHECK(r.out2());
  r.to_clock(101 + 2049);
  CHECK(r.read16(0x42) == 0xFFFF);  // keeps counting, OUT stays high
  CHECK(r.out2());
  // The first byte of a new count stops the counter and drops OUT.
  r.out(0x42, 0x10);
  CHECK(!r.out2());
  r.to_clock(3000);
  CHECK(r.read16(0x42) == 0xFFFF);
  r.out(0x42, 0x00);  // 16
  r.to_clock(3000 + 16);
  CHECK(!r.out2());
  r.to_clock(3001 + 16);
  CHECK(r.out2());
}

TEST_CASE("pit: mode 0 gate low suspends counting") {
  PitRig r;
  r.out(0x61, 0x01);
  r.out(0x43, 0xB0);
  r.count16(0x42, 100);
  r.to_clock(51);
  CHECK(r.read16(0x42) == 50);
  r.out(0x61, 0x00);
  r.to_clock(200);
  CHECK(r.read16(0x42) == 50);
  CHECK(!r.out2());
  r.out(0x61, 0x01);
  r.to_clock(249);
  CHECK(r.read16(0x42) == 1);
  CHECK(!r.out2());
  r.to_clock(250);
  CHECK(r.out2());
}

TEST_CASE("pit: mode 0 on channel 0 raises IRQ0 once at terminal count") {
  PitRig r;
  r.out(0x43, 0x30);
  CHECK(!r.irq.level[0]);
  r.count16(0x40, 500);
  r.to_clock(500);
  CHECK(r.irq.rises[0] == 0);
  r.to_clock(501);
  CHECK(r.irq.rises[0] == 1);
  CHECK(r.irq.level[0]);
  r.to_clock(200000);
  CHECK(r.irq.rises[0] == 1);
  r.out(0x43, 0x30);  // a control word drops OUT0
  CHECK(!r.irq.level[0]);
}

TEST_CASE("pit: mode 2 rate generator pulses IRQ0 every period") {
  PitRig r;
  r.out(0x43, 0x34);  // channel 0, LSB then MSB, mode 2
  r.count16(0x40, 1000);
  int base = r.irq.rises[0];  // OUT0 high after the mode write
  r.to_clock(1000);
  CHECK(r.irq.rises[0] == base);
  r.out(0x43, 0xE2);           // read-back: status of channel 0 only
  CHECK(r.in(0x40) == 0x34);   // OUT low (count 1), null count clear
  CHECK(r.read16(0x40) == 1);  // the status latch does not latch the count
  r.to_clock(1001);
  CHECK(r.irq.rises[0] == base + 1);
  CHECK(r.read16(0x40) == 1000);
  r.to_clock(10001);
  CHECK(r.irq.rises[0] == base + 10);
  r.to_clock(10501);
  CHECK(r.read16(0x40) == 500);
  // The timer is armed exactly at the next rising edge of OUT0.
  CHECK(r.clock + r.sched.instructions_until_next(1ull << 40) == Pit::clock_time_ns(11001));
}

TEST_CASE("pit: mode 2 new count takes effect at the end of the period") {
  PitRig r;
  r.out(0x43, 0x34);
  r.count16(0x40, 1000);
  int base = r.irq.rises[0];
  r.to_clock(500);
  r.count16(0x40, 100);
  r.to_clock(600);
  r.out(0x43, 0xE2);
  CHECK(r.in(0x40) == 0xF4);  // OUT high, NULL COUNT set, RW 3, mode 2
  CHECK(r.read16(0x40) == 401);
  r.to_clock(1001);
  CHECK(r.irq.rises[0] == base + 1);
  CHECK(r.read16(0x40) == 100);
  r.out(0x43, 0xE2);
  CHECK(r.in(0x40) == 0xB4);
  r.to_clock(1201);
  CHECK(r.irq.rises[0] == base + 3);
}

TEST_CASE("pit: mode 3 square wave, even and odd counts") {
  PitRig r;
  r.out(0x61, 0x01);
  r.out(0x43, 0xB6);  // channel 2, mode 3
  r.count16(0x42, 10);
  const uint16_t even_ce[10] = {10, 8, 6, 4, 2, 10, 8, 6, 4, 2};
  for (unsigned k = 0; k < 10; ++k) {
    r.to_clock(1 + k);
    CHECK(r.read16(0x42) == even_ce[k]);
    CHECK(r.out2() == (k < 5));
  }
  r.to_clock(11);
  CHECK(r.out2());
  r.to_clock(100);
  r.out(0x43, 0xB6);
  r.count16(0x42, 9);  // high for 5 clocks, low for 4
  const uint16_t odd_ce[10] = {9, 8, 6, 4, 2, 9, 6, 4, 2, 9};
  for (unsigned k = 0; k < 10; ++k) {
    r.to_clock(101 + k);
    CHECK(r.read16(0x42) == odd_ce[k]);
    CHECK(r.out2() == (k < 5 || k == 9));
  }
}

TEST_CASE("pit: mode 3 new count waits for the end of the half period") {
  PitRig r;
  r.out(0x61, 0x01);
  r.out(0x43, 0xB6);
  r.count16(0x42, 10);  // high at clocks 1-5, low 6-10
  r.to_clock(3);
  r.count16(0x42, 4);
  r.to_clock(5);
  CHECK(r.out2());
  CHECK(r.read16(0x42) == 2);
  r.to_clock(6);  // the high half ends; the new count starts with its low half
  CHECK(!r.out2());
  CHECK(r.read16(0x42) == 4);
  r.to_clock(7);
  CHECK(!r.out2());
  r.to_clock(8);
  CHECK(r.out2());
  r.to_clock(10);
  CHECK(!r.out2());
}

TEST_CASE("pit: mode 3 count 0 on channel 0 is the 18.2 Hz BIOS tick") {
  PitRig r;
  r.out(0x43, 0x36);
  r.count16(0x40, 0);
  int base = r.irq.rises[0];
  r.to_clock(1 + 32767);
  CHECK(r.read16(0x40) == 2);
  r.to_clock(1 + 32768);  // second half: low, reloaded
  CHECK(r.read16(0x40) == 0);
  r.out(0x43, 0xE2);
  CHECK((r.in(0x40) & 0x80) == 0);
  r.to_clock(65536);
  CHECK(r.irq.rises[0] == base);
  r.to_clock(65537);
  CHECK(r.irq.rises[0] == base + 1);
  r.to_clock(1 + 65536 * 5);
  CHECK(r.irq.rises[0] == base + 5);
}

TEST_CASE("pit: modes 1 and 5 are started by the gate; mode 2 gate reloads") {
  PitRig r;
  r.out(0x43, 0xB2);  // channel 2 mode 1; gate low
  r.count16(0x42, 50);
  r.to_clock(1000);
  CHECK(r.out2());
  r.out(0x61, 0x01);  // trigger
  r.to_clock(1001);
  CHECK(!r.out2());
  CHECK(r.read16(0x42) == 50);
  r.to_clock(1020);
  r.out(0x61, 0x00);
  r.to_clock(1030);
  CHECK(r.read16(0x42) == 21);  // gate low does not stop mode 1
  r.out(0x61, 0x01);            // retrigger
  r.to_clock(1080);
  CHECK(!r.out2());
  r.to_clock(1081);
  CHECK(r.out2());
  CHECK(r.read16(0x42) == 0);

  r.out(0x61, 0x00);
  r.out(0x43, 0xBA);  // mode 5
  r.count16(0x42, 20);
  r.to_clock(1100);
  r.out(0x61, 0x01);
  r.to_clock(1100 + 20);
  CHECK(r.out2());
  r.to_clock(1101 + 20);
  CHECK(!r.out2());  // one clock strobe
  r.to_clock(1102 + 20);
  CHECK(r.out2());

  r.to_clock(1200);
  r.out(0x43, 0xB4);  // mode 2, gate high
  r.count16(0x42, 10);
  r.to_clock(1200 + 9);
  CHECK(r.out2());
  r.to_clock(1200 + 10);
  CHECK(!r.out2());
  r.out(0x61, 0x00);  // gate low forces OUT high
  CHECK(r.out2());
  r.to_clock(1300);
  r.out(0x61, 0x01);  // reload on the next clock
  r.to_clock(1301);
  CHECK(r.read16(0x42) == 10);
  r.to_clock(1309);
  CHECK(r.out2());
  r.to_clock(1310);
  CHECK(!r.out2());
}

TEST_CASE("pit: mode 4 software triggered strobe") {
  PitRig r;
  r.out(0x61, 0x01);
  r.to_clock(10);
  r.out(0x43, 0xB8);
  CHECK(r.out2());
  r.count16(0x42, 30);
  r.to_clock(40);
  CHECK(r.out2());
  r.to_clock(41);
  CHECK(!r.out2());
  r.to_clock(42);
  CHECK(r.out2());
  CHECK(r.read16(0x42) == 0xFFFF);
  r.to_clock(50);
  r.count16(0x42, 5);  // a new count restarts the counter
  r.to_clock(56);
  CHECK(!r.out2());
}

TEST_CASE("pit: counter latch and read-back") {
  PitRig r;
  r.out(0x43, 0x34);
  r.count16(0x40, 1000);
  r.to_clock(101);
  r.out(0x43, 0x00);  // latch channel 0
  r.to_clock(301);
  r.out(0x43, 0x00);  // ignored: a latch is already held
  CHECK(r.read16(0x40) == 900);
  CHECK(r.read16(0x40) == 700);  // released: live again
  r.to_clock(401);
  r.out(0x43, 0xCA);  // read-back count and status of channels 0 and 2
  CHECK(r.in(0x40) == 0xB4);
  CHECK(r.read16(0x40) == 600);
  CHECK(r.in(0x42) == 0xF6);  // reset state: mode 3 without a count: OUT high, NULL COUNT
  CHECK(r.read16(0x42) == 0);
  // Status only, then the count is read live.
  r.to_clock(501);
  r.out(0x43, 0xE2);
  CHECK(r.in(0x40) == 0xB4);
  CHECK(r.read16(0x40) == 500);
  // A control word sets NULL COUNT until a count is written and loaded.
  r.out(0x43, 0x34);
  r.out(0x43, 0xE2);
  CHECK(r.in(0x40) == 0xF4);
  r.count16(0x40, 7);
  r.out(0x43, 0xE2);
  CHECK(r.in(0x40) == 0xF4);
  r.to_clock(502);
  r.out(0x43, 0xE2);
  CHECK(r.in(0x40) == 0xB4);
}

TEST_CASE("pit: BCD counting and one-byte access") {
  PitRig r;
  r.out(0x61, 0x01);
  r.out(0x43, 0x91);  // channel 2, LSB only, mode 0, BCD
  r.out(0x42, 0x99);
  r.to_clock(11);
  CHECK(r.in(0x42) == 0x89);
  r.to_clock(100);
  CHECK(r.in(0x42) == 0x00);
  CHECK(r.out2());
  r.to_clock(101);
  CHECK(r.in(0x42) == 0x99);  // 9999
  r.to_clock(200);
  r.out(0x43, 0xA1);  // MSB only, BCD
  r.out(0x42, 0x12);  // 1200
  r.to_clock(201);
  CHECK(r.in(0x42) == 0x12);
  r.to_clock(201 + 201);
  CHECK(r.in(0x42) == 0x09);  // 999
  r.out(0x43, 0xB1);         // both bytes, BCD; 0 means 10000
  r.count16(0x42, 0);
  r.to_clock(201 + 203);
  CHECK(r.read16(0x42) == 0x9999);
}

TEST_CASE("pit: port 0x61 bits, speaker enable and refresh toggle") {
  PitRig r;
  CHECK(r.in(0x61) == 0x20);  // channel 2 has no count yet: OUT2 high
  CHECK(!r.pit.gate(2));
  r.out(0x61, 0xFF);
  CHECK((r.in(0x61) & 0xCF) == 0x0F);
  CHECK(r.pit.gate(2));
  CHECK(r.p61.speaker_enabled());
  r.out(0x61, 0x01);
  CHECK(!r.p61.speaker_enabled());
  // Refresh: OUT1 rises every 18 clocks (15.085 us); bit 4 flips on each rise.
  r.to_clock(17);
  CHECK((r.in(0x61) & 0x10) == 0);
  r.to_clock(18);
  CHECK((r.in(0x61) & 0x10) == 0x10);
  r.to_clock(35);
  CHECK((r.in(0x61) & 0x10) == 0x10);
  r.to_clock(36);
  CHECK((r.in(0x61) & 0x10) == 0);
  r.to_clock(18 * 1001);
  CHECK((r.in(0x61) & 0x10) == 0x10);
  // Reprogramming channel 1 changes the rate: count 100 in mode 2.
  r.out(0x43, 0x54);
  r.out(0x41, 100);  // loaded at the next clock
  uint8_t b0 = r.in(0x61) & 0x10;
  r.to_clock(18 * 1001 + 100);
  CHECK((r.in(0x61) & 0x10) == b0);
  r.to_clock(18 * 1001 + 101);
  CHECK((r.in(0x61) & 0x10) != b0);
}

TEST_CASE("pit: IRQ0 through the 8259A, acknowledged and ended each tick") {
  uint64_t clock = 0;
  devices::Scheduler sched(&clock, 1'000'000'000);
  devices::Pic pic;
  devices::IoBus bus;
  Pit pit(sched, pic);
  pic.map(bus), pit.map(bus);
  for (uint8_t v : {0x11, 0x08, 0x04, 0x01}) bus.out(v == 0x11 ? 0x20 : 0x21, 1, v);
  auto run_to = [&](uint64_t clk) {
    uint64_t end = Pit::clock_time_ns(clk);
    while (clock < end) {
      clock += sched.instructions_until_next(end - clock);
      sched.run_due();
    }
  };
  bus.out(0x43, 1, 0x34);  // mode 2: OUT0 rises (a real edge)
  CHECK(pic.intr_ack() == 0x08);
  bus.out(0x20, 1, 0x20);
  bus.out(0x40, 1, 100);  // 100 clocks
  bus.out(0x40, 1, 0);
  int taken = 0;
  uint64_t end = Pit::clock_time_ns(1 + 100 * 50);
  while (clock < end) {
    clock += sched.instructions_until_next(end - clock);
    sched.run_due();
    if (pic.intr_pending()) {
      CHECK(pic.intr_ack() == 0x08);
      bus.out(0x20, 1, 0x20);
      ++taken;
    }
  }
  CHECK(taken == 50);
  // Without an EOI the next edge is latched in the IRR but not delivered.
  run_to(1 + 100 * 51);
  CHECK(pic.intr_ack() == 0x08);
  run_to(1 + 100 * 52);
  CHECK(!pic.intr_pending());
  CHECK(pic.chip(0).irr == 0x01);
  bus.out(0x20, 1, 0x20);
  CHECK(pic.intr_pending());
}
