// devices::Port92: System Control Port A (fast A20, fast reset) through an IoBus.
#include <doctest/doctest.h>

#include <vector>

#include "devices/iobus.h"
#include "devices/port92.h"

TEST_CASE("port92: fast A20 and fast reset on a 0->1 transition") {
  devices::IoBus bus;
  devices::Port92 p;
  p.map(bus);
  std::vector<bool> a20;
  int resets = 0;
  p.on_a20 = [&](bool on) { a20.push_back(on); };
  p.on_reset = [&] { ++resets; };
  p.reset();
  CHECK(a20 == std::vector<bool>{false});
  CHECK(bus.in(0x92, 1) == 0x00);
  bus.out(0x92, 1, 0x02);
  CHECK(p.a20());
  CHECK(bus.in(0x92, 1) == 0x02);
  CHECK(a20 == std::vector<bool>{false, true});
  bus.out(0x92, 1, 0xF2);  // reserved bits read as 0; A20 unchanged: no call
  CHECK(bus.in(0x92, 1) == 0x02);
  CHECK(a20.size() == 2);
  CHECK(resets == 0);
  bus.out(0x92, 1, 0x03);
  CHECK(resets == 1);
  CHECK(bus.in(0x92, 1) == 0x03);  // bit 0 reads back as written
  bus.out(0x92, 1, 0x03);          // no new transition
  CHECK(resets == 1);
  bus.out(0x92, 1, 0x01);  // A20 off; bit 0 stays 1: no reset
  CHECK(!p.a20());
  CHECK(resets == 1);
  CHECK(a20 == std::vector<bool>{false, true, false});
  bus.out(0x92, 1, 0x00);
  bus.out(0x92, 1, 0x01);
  CHECK(resets == 2);
  p.reset();
  CHECK(bus.in(0x92, 1) == 0x00);
  CHECK(bus.in(0x92, 2) == 0xFF00);  // port 0x93 is nobody's
}
