// devices::IoBus: dispatch, unclaimed ports, overlap, unmapping from inside a
// handler, write taps.
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "devices/iobus.h"

using devices::IoBus;

TEST_CASE("iobus: dispatch by range, unclaimed ports read all ones") {
  IoBus bus;
  std::vector<uint32_t> writes;
  bus.map(0x60, 0x64, [](uint16_t p, unsigned) { return uint32_t(p); },
          [&](uint16_t p, unsigned s, uint32_t v) { writes.push_back(p * 1000 + s * 100 + v); });
  CHECK(bus.in(0x62, 1) == 0x62);
  CHECK(bus.in(0x65, 1) == 0xFF);
  CHECK(bus.in(0x65, 2) == 0xFFFF);
  CHECK(bus.in(0x65, 4) == 0xFFFFFFFFu);
  bus.out(0x64, 1, 7);
  bus.out(0x70, 1, 7);  // ignored
  CHECK(writes == std::vector<uint32_t>{0x64 * 1000 + 100 + 7});
  CHECK_THROWS_AS(bus.map(0x64, 0x66, nullptr, nullptr), std::logic_error);
}

TEST_CASE("iobus: a handler may move its own ports") {
  IoBus bus;
  int hits = 0;
  bus.map(0x100, 0x103, nullptr, [&](uint16_t, unsigned, uint32_t v) {
    ++hits;
    bus.unmap(0x100, 0x103);  // releases the running handler: must stay alive until it returns
    bus.map(uint16_t(v), uint16_t(v + 3), [](uint16_t, unsigned) { return 0x42u; }, nullptr);
  });
  bus.out(0x100, 2, 0x200);
  CHECK(hits == 1);
  CHECK(bus.in(0x200, 1) == 0x42);
  CHECK(bus.in(0x100, 1) == 0xFF);
}

TEST_CASE("iobus: write taps see writes whoever handles them") {
  IoBus bus;
  std::vector<uint32_t> seen;
  bus.tap_writes(0x80, [&](uint16_t, unsigned, uint32_t v) { seen.push_back(v); });
  bus.out(0x80, 1, 0x12);  // unclaimed
  bus.map(0x80, 0x80, nullptr, [](uint16_t, unsigned, uint32_t) {});
  bus.out(0x80, 1, 0x34);
  bus.out(0x81, 1, 0x56);
  CHECK(seen == std::vector<uint32_t>{0x12, 0x34});
}
