// devices::I8042 with its PS/2 keyboard and mouse, driven through ports 0x60
// and 0x64 on an IoBus with a fake virtual clock (1 instruction = 1 ns).
#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "devices/i8042.h"
#include "devices/iobus.h"
#include "devices/scheduler.h"

using devices::I8042;
using devices::IoBus;
using devices::Scheduler;

namespace {

struct FakeIrq : devices::IrqSink {
  bool level[16] = {};
  int rises[16] = {};
  void set_irq(unsigned line, bool l) override {
    if (l && !level[line]) ++rises[line];
    level[line] = l;
  }
};

struct Rig {
  uint64_t clock = 0;
  Scheduler sched{&clock, 1'000'000'000};
  FakeIrq irq;
  IoBus bus;
  I8042 kbc{sched, irq};
  int resets = 0;
  std::vector<bool> a20_calls;
  Rig() {
    kbc.map(bus);
    kbc.on_reset = [this] { ++resets; };
    kbc.on_a20 = [this](bool on) { a20_calls.push_back(on); };
  }
  void run_until(uint64_t t) {
    while (clock < t) {
      clock += sched.instructions_until_next(t - clock);
      sched.run_due();
    }
  }
  void wait(uint64_t ns) { run_until(clock + ns); }
  uint8_t status() { return uint8_t(bus.in(0x64, 1)); }
  uint8_t data() { return uint8_t(bus.in(0x60, 1)); }
  void cmd(uint8_t v) { bus.out(0x64, 1, v); }
  void put(uint8_t v) { bus.out(0x60, 1, v); }
  void set_cb(uint8_t v) {
    cmd(0x60);
    put(v);
  }
  // Waits for each byte (at most 10 transfer times) and reads it.
  std::vector<uint8_t> read_bytes(size_t n) {
    std::vector<uint8_t> out;
    for (size_t k = 0; k < n; ++k) {
      for (int t = 0; t < 1000 && !(status() & I8042::ST_OBF); ++t) wait(kbc.byte_delay_ns / 100);
      if (!(status() & I8042::ST_OBF)) break;
      out.push_back(data());
    }
    return out;
  }
  // Everything that arrives within `ns`.
  std::vector<uint8_t> drain(uint64_t ns = 50'000'000) {
    std::vector<uint8_t> out;
    uint64_t end = clock + ns;
    while (clock < end) {
      if (status() & I8042::ST_OBF) out.push_back(data());
      else wait(kbc.byte_delay_ns / 4);
    }
    return out;
  }
};

using Bytes = std::vector<uint8_t>;

}  // namespace

TEST_CASE("i8042: self test, port tests, command byte and controller RAM") {
  Rig r;
  CHECK(r.status() == I8042::ST_UNLOCK);  // power-on: empty, system flag clear
  r.cmd(0x20);
  CHECK(r.status() == (I8042::ST_UNLOCK | I8042::ST_CMD | I8042::ST_OBF));
  CHECK(r.data() == 0x40);  // translation on, ports enabled, interrupts off
  r.cmd(0xAA);
  CHECK((r.status() & I8042::ST_OBF));  // controller responses are immediate
  CHECK(r.data() == 0x55);
  CHECK((r.status() & I8042::ST_SYS));
  r.cmd(0xA9);
  CHECK(r.data() == 0x00);
  r.cmd(0xAB);
  CHECK(r.data() == 0x00);
  r.cmd(0xA4);
  CHECK(r.data() == 0xF1);  // no password
  r.cmd(0xC0);
  CHECK(r.data() == 0xA0);
  r.set_cb(0x47);
  CHECK(!(r.status() & I8042::ST_CMD));  // last write went to 0x60
  r.cmd(0x20);
  CHECK(r.data() == 0x47);
  r.cmd(0x65);  // RAM byte 5
  r.put(0x9C);
  r.cmd(0x25);
  CHECK(r.data() == 0x9C);
  // An empty output buffer reads its last byte again, with OBF clear.
  CHECK(!(r.status() & I8042::ST_OBF));
  CHECK(r.data() == 0x9C);
  CHECK(r.kbc.command_byte() == 0x47);
  // A7/A8 and AD/AE flip command byte bits 5 and 4.
  r.cmd(0xA7);
  r.cmd(0xAD);
  CHECK(r.kbc.command_byte() == 0x77);
  r.cmd(0xA8);
  r.cmd(0xAE);
  CHECK(r.kbc.command_byte() == 0x47);
}

TEST_CASE("i8042: keyboard reset and identify, raw and translated, one byte per transfer time") {
  Rig r;
  r.set_cb(0x00);  // no translation, no interrupts
  r.put(0xFF);
  CHECK(!(r.status() & I8042::ST_OBF));
  r.wait(r.kbc.byte_delay_ns - 1);
  CHECK(!(r.status() & I8042::ST_OBF));
  r.wait(1);
  CHECK((r.status() & I8042::ST_OBF));
  CHECK(!(r.status() & I8042::ST_AUX));
  CHECK(r.data() == 0xFA);
  r.wait(r.kbc.byte_delay_ns - 1);  // the next byte follows one transfer after the read
  CHECK(!(r.status() & I8042::ST_OBF));
  r.wait(1);
  CHECK(r.data() == 0xAA);
  r.put(0xF2);
  CHECK(r.read_bytes(3) == Bytes{0xFA, 0xAB, 0x83});
  r.set_cb(I8042::CB_XLATE);  // the controller translates the ID byte 83 -> 41
  r.put(0xF2);
  CHECK(r.read_bytes(3) == Bytes{0xFA, 0xAB, 0x41});
  CHECK(r.drain().empty());
}

TEST_CASE("i8042: the set 2 to set 1 table") {
  std::set<uint8_t> seen;
  for (unsigned c = 1; c < 0x80; ++c) {
    uint8_t v = devices::ps2_set2_to_set1(uint8_t(c));
    CHECK(v >= 0x01);
    CHECK(v <= 0x7F);
    seen.insert(v);
  }
  CHECK(seen.size() == 0x7F);  // a permutation of the set-1 codes
  CHECK(devices::ps2_set2_to_set1(0x00) == 0xFF);  // overrun
  CHECK(devices::ps2_set2_to_set1(0x1C) == 0x1E);  // A
  CHECK(devices::ps2_set2_to_set1(0x76) == 0x01);  // Esc
  CHECK(devices::ps2_set2_to_set1(0x5A) == 0x1C);  // Enter
  CHECK(devices::ps2_set2_to_set1(0x29) == 0x39);  // Space
  CHECK(devices::ps2_set2_to_set1(0x78) == 0x57);  // F11
  CHECK(devices::ps2_set2_to_set1(0x83) == 0x41);  // F7
  CHECK(devices::ps2_set2_to_set1(0x84) == 0x54);  // SysRq
  CHECK(devices::ps2_set2_to_set1(0xE0) == 0xE0);
  CHECK(devices::ps2_set2_to_set1(0xFA) == 0xFA);
  CHECK(devices::ps2_set2_to_set1(0xAA) == 0xAA);
}

TEST_CASE("i8042: translated scan codes raise IRQ 1 per byte") {
  Rig r;
  r.set_cb(I8042::CB_XLATE | I8042::CB_KBD_INT);
  r.kbc.key({0x1C});           // A make
  r.kbc.key({0xF0, 0x1C});     // A break
  r.kbc.key({0xE0, 0x75});     // Up make
  r.kbc.key({0xE0, 0xF0, 0x75});  // Up break
  r.wait(r.kbc.byte_delay_ns);
  CHECK(r.irq.level[1]);
  CHECK(r.irq.rises[1] == 1);
  CHECK(r.data() == 0x1E);
  CHECK(!r.irq.level[1]);
  Bytes rest = r.drain();
  CHECK(rest == Bytes{0x9E, 0xE0, 0x48, 0xE0, 0xC8});
  CHECK(r.irq.rises[1] == 6);
  CHECK(r.irq.rises[12] == 0);
  // A controller response also raises IRQ 1 when it is enabled.
  r.cmd(0x20);
  CHECK(r.irq.level[1]);
  CHECK(r.data() == 0x41);
  // Enabling the interrupt with a byte already waiting raises the line then.
  r.set_cb(I8042::CB_XLATE);
  r.kbc.key({0x29});
  r.wait(r.kbc.byte_delay_ns);
  CHECK(!r.irq.level[1]);
  r.set_cb(I8042::CB_XLATE | I8042::CB_KBD_INT);
  CHECK(r.irq.level[1]);
  CHECK(r.data() == 0x39);
}

TEST_CASE("i8042: raw set 2, keyboard-selected set 1, typing text") {
  Rig r;
  r.set_cb(0x00);
  r.kbc.key({0xF0, 0x1C});
  CHECK(r.drain() == Bytes{0xF0, 0x1C});
  r.put(0xF0);  // get scan code set
  r.put(0x00);
  CHECK(r.drain() == Bytes{0xFA, 0xFA, 0x02});
  r.put(0xF0);  // select set 1 in the keyboard itself
  r.put(0x01);
  CHECK(r.drain() == Bytes{0xFA, 0xFA});
  CHECK(r.kbc.keyboard().scan_set() == 1);
  r.kbc.key({0x1C});
  r.kbc.key({0xF0, 0x1C});
  r.kbc.key({0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77});  // Pause
  CHECK(r.drain() == Bytes{0x1E, 0x9E, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5});
  r.put(0xF0);
  r.put(0x04);  // no such set
  CHECK(r.drain() == Bytes{0xFA, 0xFE});
  r.put(0xF6);  // defaults: back to set 2
  CHECK(r.drain() == Bytes{0xFA});
  CHECK(r.kbc.keyboard().scan_set() == 2);
  r.set_cb(I8042::CB_XLATE);
  CHECK(r.kbc.type_text("aA\n"));
  CHECK(r.drain() == Bytes{0x1E, 0x9E, 0x2A, 0x1E, 0x9E, 0xAA, 0x1C, 0x9C});
  CHECK(!r.kbc.type_text("\x01"));
}

TEST_CASE("i8042: keyboard commands") {
  Rig r;
  r.set_cb(0x00);
  r.put(0xED);
  r.put(0x05);
  CHECK(r.drain() == Bytes{0xFA, 0xFA});
  CHECK(r.kbc.keyboard().leds() == 5);
  r.put(0xEE);
  CHECK(r.drain() == Bytes{0xEE});  // echo: no ACK
  r.put(0xF3);
  r.put(0x20);
  CHECK(r.drain() == Bytes{0xFA, 0xFA});
  CHECK(r.kbc.keyboard().typematic() == 0x20);
  r.put(0xFE);  // resend the last byte
  CHECK(r.drain() == Bytes{0xFA});
  r.put(0xEF);  // not a command
  CHECK(r.drain() == Bytes{0xFE});
  r.put(0xF5);  // disable: defaults, keys are dropped
  CHECK(r.drain() == Bytes{0xFA});
  CHECK(!r.kbc.keyboard().scanning());
  CHECK(r.kbc.keyboard().typematic() == 0x2B);
  r.kbc.key({0x1C});
  CHECK(r.drain().empty());
  r.put(0xF4);
  CHECK(r.drain() == Bytes{0xFA});
  r.kbc.key({0x1C});
  CHECK(r.drain() == Bytes{0x1C});
  // Reset: LEDs off, queued keys discarded, ACK then BAT passed.
  r.put(0xED);
  r.put(0x07);
  r.kbc.key({0x1C});
  CHECK(r.read_bytes(2) == Bytes{0xFA, 0xFA});
  r.put(0xFF);
  CHECK(r.drain() == Bytes{0xFA, 0xAA});
  CHECK(r.kbc.keyboard().leds() == 0);
}

TEST_CASE("i8042: a response waits for the end of a key sequence, then precedes queued keys") {
  Rig r;
  r.set_cb(0x00);
  r.kbc.key({0xE0, 0x75});
  r.kbc.key({0x1C});
  CHECK(r.read_bytes(1) == Bytes{0xE0});
  r.put(0xED);
  CHECK(r.drain() == Bytes{0x75, 0xFA, 0x1C});
  r.put(0x02);
  CHECK(r.drain() == Bytes{0xFA});
}

TEST_CASE("i8042: a disabled keyboard port keeps its data; writing to the keyboard enables it") {
  Rig r;
  r.set_cb(0x00);
  r.cmd(0xAD);
  r.kbc.key({0x1C});
  CHECK(r.drain().empty());
  r.cmd(0xAE);
  CHECK(r.drain() == Bytes{0x1C});
  r.cmd(0xAD);
  r.put(0xEE);
  CHECK(!(r.kbc.command_byte() & I8042::CB_KBD_DIS));
  CHECK(r.drain() == Bytes{0xEE});
}

TEST_CASE("i8042: D2/D3 load the output buffer as keyboard or mouse data") {
  Rig r;
  r.set_cb(I8042::CB_KBD_INT | I8042::CB_AUX_INT);
  r.cmd(0xD2);
  r.put(0x12);
  CHECK((r.status() & (I8042::ST_OBF | I8042::ST_AUX)) == I8042::ST_OBF);
  CHECK(r.irq.level[1]);
  CHECK(r.data() == 0x12);  // not translated
  r.cmd(0xD3);
  r.put(0x5A);
  CHECK((r.status() & (I8042::ST_OBF | I8042::ST_AUX)) == (I8042::ST_OBF | I8042::ST_AUX));
  CHECK(r.irq.level[12]);
  CHECK(!r.irq.level[1]);
  CHECK(r.data() == 0x5A);
  CHECK(!r.irq.level[12]);
  CHECK(!(r.status() & I8042::ST_AUX));
}

TEST_CASE("i8042: output port, A20 gate and reset line") {
  Rig r;
  r.kbc.reset();
  CHECK(r.a20_calls == std::vector<bool>{true});
  CHECK(r.kbc.a20());  // on at power-on, as the reset vector needs
  r.cmd(0xD0);
  CHECK(r.data() == 0xCF);  // reset released, A20 on, no buffer-full bits
  r.cmd(0xD1);
  r.put(0xDD);
  CHECK(!r.kbc.a20());
  CHECK(r.a20_calls == std::vector<bool>{true, false});
  CHECK(r.resets == 0);
  r.cmd(0xDD);  // already off: no call
  CHECK(r.a20_calls.size() == 2);
  r.cmd(0xDF);
  CHECK(r.kbc.a20());
  r.cmd(0xDD);
  CHECK(r.a20_calls == std::vector<bool>{true, false, true, false});
  r.cmd(0xDF);
  r.cmd(0xD2);  // a keyboard byte in the buffer shows as output port bit 4
  r.put(0x00);
  r.cmd(0xD0);
  CHECK(r.data() == 0x00);
  CHECK(r.data() == 0xDF);
  r.cmd(0xD3);
  r.put(0x00);
  CHECK(r.kbc.output_port() == 0xEF);
  r.data();
  // Reset: writing bit 0 low, or pulsing it.
  r.cmd(0xD1);
  r.put(0xDE);
  CHECK(r.resets == 1);
  r.cmd(0xD0);
  CHECK(r.data() == 0xCF);  // the reset line is released again; A20 kept
  r.cmd(0xFE);
  CHECK(r.resets == 2);
  r.cmd(0xF0);
  CHECK(r.resets == 3);
  r.cmd(0xFF);
  r.cmd(0xFD);
  CHECK(r.resets == 3);
  CHECK(r.kbc.a20());
}

TEST_CASE("i8042: mouse reset, identify and movement packets on IRQ 12") {
  Rig r;
  r.set_cb(I8042::CB_KBD_INT | I8042::CB_AUX_INT);
  r.cmd(0xD4);
  r.put(0xFF);
  r.wait(r.kbc.byte_delay_ns);
  CHECK((r.status() & I8042::ST_AUX));
  CHECK(r.irq.level[12]);
  CHECK(r.data() == 0xFA);
  CHECK(r.drain() == Bytes{0xAA, 0x00});
  CHECK(r.irq.rises[12] == 3);
  CHECK(r.irq.rises[1] == 0);
  r.cmd(0xD4);
  r.put(0xF2);
  CHECK(r.drain() == Bytes{0xFA, 0x00});
  r.kbc.mouse_move(5, 3, 1);  // reporting still disabled
  CHECK(r.drain().empty());
  r.cmd(0xD4);
  r.put(0xF4);
  CHECK(r.drain() == Bytes{0xFA});
  r.kbc.mouse_move(5, -3, 1);  // right and up, left button
  CHECK(r.drain() == Bytes{0x09, 0x05, 0x03});
  r.kbc.mouse_move(-2, 4, 0);  // left and down
  CHECK(r.drain() == Bytes{0x38, 0xFE, 0xFC});
  r.kbc.mouse_move(300, 0, 0);  // split into packets of at most 255
  CHECK(r.drain() == Bytes{0x08, 0xFF, 0x00, 0x08, 45, 0x00});
  // Motion reported while a packet is in flight is coalesced.
  r.kbc.mouse_move(1, 0, 2);
  r.wait(r.kbc.byte_delay_ns);
  r.kbc.mouse_move(1, 0, 2);
  r.kbc.mouse_move(1, 0, 2);
  CHECK(r.drain() == Bytes{0x0A, 0x01, 0x00, 0x0A, 0x02, 0x00});
  // With the aux port disabled, mouse data waits; the keyboard still works.
  r.cmd(0xA7);
  r.kbc.mouse_move(0, 0, 0);
  r.kbc.key({0x29});
  CHECK(r.drain() == Bytes{0x29});
  r.cmd(0xA8);
  CHECK(r.drain() == Bytes{0x08, 0x00, 0x00});
}

TEST_CASE("i8042: mouse commands (status, rate, resolution, scaling, remote, wrap, wheel)") {
  Rig r;
  r.set_cb(0x00);
  auto mouse = [&](std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) {
      r.cmd(0xD4);
      r.put(b);
    }
    return r.drain();
  };
  CHECK(mouse({0xE9}) == Bytes{0xFA, 0x00, 0x02, 100});
  CHECK(mouse({0xF3, 40, 0xE8, 3, 0xE7, 0xF4}) == Bytes{0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA});
  r.kbc.mouse_move(0, 0, 5);  // left + middle
  CHECK(r.drain() == Bytes{0x0D, 0x00, 0x00});
  CHECK(mouse({0xE9}) == Bytes{0xFA, 0x36, 0x03, 40});
  CHECK(mouse({0xF3, 41}) == Bytes{0xFA, 0xFE});  // invalid rate
  CHECK(mouse({0xE8, 4}) == Bytes{0xFA, 0xFE});
  CHECK(mouse({0xE1}) == Bytes{0xFE});  // unknown command
  // 2:1 scaling: 1->1, 2->1, 3->3, 4->6, 5->9, n->2n.
  r.kbc.mouse_move(4, 0, 5);
  CHECK(r.drain() == Bytes{0x0D, 6, 0});
  r.kbc.mouse_move(-10, 0, 5);
  CHECK(r.drain() == Bytes{0x1D, uint8_t(-20), 0});
  CHECK(mouse({0xE6}) == Bytes{0xFA});
  r.kbc.mouse_move(4, 0, 5);
  CHECK(r.drain() == Bytes{0x0D, 4, 0});
  // Remote mode: no stream; Read Data returns the accumulated motion.
  CHECK(mouse({0xF0}) == Bytes{0xFA});
  r.kbc.mouse_move(7, 0, 0);
  CHECK(r.drain().empty());
  CHECK(mouse({0xEB}) == Bytes{0xFA, 0x08, 0x07, 0x00});
  CHECK(mouse({0xEA}) == Bytes{0xFA});
  // Wrap mode echoes everything but EC and FF.
  CHECK(mouse({0xEE, 0x12, 0xF2, 0xEC}) == Bytes{0xFA, 0x12, 0xF2, 0xFA});
  // IntelliMouse knock: rates 200, 100, 80 make ID 3 and 4-byte packets.
  CHECK(mouse({0xF3, 200, 0xF3, 100, 0xF3, 80}).size() == 6);
  CHECK(mouse({0xF2}) == Bytes{0xFA, 0x03});
  r.kbc.mouse_move(1, 0, 0, 1);  // wheel up
  CHECK(r.drain() == Bytes{0x08, 0x01, 0x00, 0xFF});
  CHECK(mouse({0xF5}) == Bytes{0xFA});
  r.kbc.mouse_move(1, 1, 0);
  CHECK(r.drain().empty());
  CHECK(mouse({0xF6, 0xE9}) == Bytes{0xFA, 0xFA, 0x00, 0x02, 100});
  CHECK(mouse({0xFF}) == Bytes{0xFA, 0xAA, 0x00});
  CHECK(r.kbc.mouse().id() == 0);
}

TEST_CASE("i8042: the key gap paces host events") {
  Rig r;
  r.set_cb(I8042::CB_XLATE);
  r.kbc.set_key_gap(10'000'000);  // 10 ms between key events
  r.kbc.type_text("ab");
  std::vector<std::pair<uint64_t, uint8_t>> got;
  uint64_t start = r.clock;
  while (r.clock < start + 100'000'000) {
    if (r.status() & I8042::ST_OBF) got.emplace_back(r.clock - start, r.data());
    else r.wait(100'000);
  }
  REQUIRE(got.size() == 4);
  CHECK(got[0].second == 0x1E);
  CHECK(got[1].second == 0x9E);
  CHECK(got[2].second == 0x30);
  CHECK(got[3].second == 0xB0);
  CHECK(got[0].first == 500'000);
  CHECK(got[1].first >= 10'500'000);  // F0 1C: two transfers after the gap
  CHECK(got[1].first <= 11'100'000);
  CHECK(got[2].first >= 20'000'000);
  CHECK(got[3].first >= 30'000'000);
  CHECK(r.kbc.input_idle());
}
