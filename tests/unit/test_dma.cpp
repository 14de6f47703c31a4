// devices::Dma: the 8237A pair through its ports, and device-side transfers.
#include <doctest/doctest.h>

#include <vector>

#include "devices/dma.h"
#include "devices/iobus.h"
#include "mmu/memory.h"

using devices::Dma;

namespace {

struct DmaRig {
  mmu::Memory mem{4u << 20};
  devices::IoBus bus;
  Dma dma{mem};

  DmaRig() {
    dma.map(bus);
    // What SeaBIOS's dma_setup does: master clear both, channel 4 cascade, unmask it.
    out(0x0D, 0), out(0xDA, 0), out(0xD6, 0xC0), out(0xD4, 0x00);
  }
  void out(uint16_t p, uint8_t v) { bus.out(p, 1, v); }
  uint8_t in(uint16_t p) { return uint8_t(bus.in(p, 1)); }
  // Program an 8-bit channel the way dma_floppy() does.
  void setup8(unsigned ch, uint32_t addr, uint16_t count_minus_1, uint8_t mode) {
    static const uint16_t page[4] = {0x87, 0x83, 0x81, 0x82};
    out(0x0A, uint8_t(4 | ch));
    out(0x0C, 0);
    out(uint16_t(2 * ch), uint8_t(addr)), out(uint16_t(2 * ch), uint8_t(addr >> 8));
    out(0x0C, 0);
    out(uint16_t(2 * ch + 1), uint8_t(count_minus_1)), out(uint16_t(2 * ch + 1), uint8_t(count_minus_1 >> 8));
    out(0x0B, uint8_t(mode | ch));
    out(page[ch], uint8_t(addr >> 16));
    out(0x0A, uint8_t(ch));
  }
  // A 16-bit channel (4-7): `word_addr` is the word address, `page` the page register.
  void setup16(unsigned ch, uint8_t pg, uint16_t word_addr, uint16_t words_minus_1, uint8_t mode) {
    static const uint16_t page[4] = {0x8F, 0x8B, 0x89, 0x8A};
    unsigned c = ch - 4;
    out(0xD4, uint8_t(4 | c));
    out(0xD8, 0);
    out(uint16_t(0xC0 + 4 * c), uint8_t(word_addr)), out(uint16_t(0xC0 + 4 * c), uint8_t(word_addr >> 8));
    out(uint16_t(0xC2 + 4 * c), uint8_t(words_minus_1)), out(uint16_t(0xC2 + 4 * c), uint8_t(words_minus_1 >> 8));
    out(0xD6, uint8_t(mode | c));
    out(page[c], pg);
    out(0xD4, uint8_t(c));
  }
  // Device -> memory: the device produces 0x10, 0x11, ...
  uint32_t produce(unsigned ch, uint32_t max, bool* tc = nullptr, uint8_t first = 0x10) {
    return dma.transfer(
        ch, max, [first](uint8_t* b, uint32_t n) { for (uint32_t i = 0; i < n; ++i) b[i] = uint8_t(first + i); },
        tc);
  }
  uint16_t read16(uint16_t p) { uint16_t lo = in(p); return uint16_t(lo | in(p) << 8); }
};

constexpr uint8_t kSingleWrite = 0x44;  // single mode, increment, device -> memory
constexpr uint8_t kSingleRead = 0x48;   // single mode, increment, memory -> device

}  // namespace

TEST_CASE("dma: address and count registers through the flip-flop") {
  DmaRig r;
  r.out(0x0C, 0);
  r.out(0x02, 0x34), r.out(0x02, 0x12);  // channel 1 address
  r.out(0x03, 0xCD), r.out(0x03, 0xAB);  // channel 1 count
  r.out(0x0C, 0);
  CHECK(r.read16(0x02) == 0x1234);
  CHECK(r.read16(0x03) == 0xABCD);
  CHECK(r.dma.chan(1).base_addr == 0x1234);
  CHECK(r.dma.chan(1).base_count == 0xABCD);
  // A read leaves the flip-flop toggled: a lone read returns the low byte,
  // the next read the high byte of whatever register is read.
  r.out(0x0C, 0);
  CHECK(r.in(0x02) == 0x34);
  CHECK(r.in(0x03) == 0xAB);
  // DMA2 registers sit at even ports; odd ports are not decoded.
  r.out(0xD8, 0);
  r.out(0xC8, 0x78), r.out(0xC8, 0x56);  // channel 6 address
  CHECK(r.dma.chan(6).base_addr == 0x5678);
  CHECK(r.in(0xC9) == 0xFF);
  // Page registers read back; 0x8F is channel 4's, 0x84 plain storage.
  r.out(0x83, 0x5A), r.out(0x84, 0x77);
  CHECK(r.in(0x83) == 0x5A);
  CHECK(r.in(0x84) == 0x77);
}

TEST_CASE("dma: 8-bit write transfer with page, terminal count and self-mask") {
  DmaRig r;
  r.setup8(2, 0x23400, 9, kSingleWrite);  // 10 bytes to 0x23400
  CHECK(r.dma.ready(2));
  CHECK(r.dma.address(2) == 0x23400);
  bool tc = true;
  CHECK(r.produce(2, 4, &tc) == 4);  // a first part
  CHECK_FALSE(tc);
  CHECK(r.mem.read8(0x23400) == 0x10);
  CHECK(r.mem.read8(0x23403) == 0x13);
  CHECK(r.in(0x08) == 0x00);  // no TC yet
  CHECK(r.produce(2, 100, &tc, 0x20) == 6);  // only 6 bytes left
  CHECK(tc);
  CHECK(r.mem.read8(0x23404) == 0x20);
  CHECK(r.mem.read8(0x23409) == 0x25);
  CHECK(r.mem.read8(0x2340A) == 0x00);  // nothing past the count
  // Current registers ran past; TC in the status (cleared by reading it).
  r.out(0x0C, 0);
  CHECK(r.read16(0x04) == 0x340A);
  CHECK(r.read16(0x05) == 0xFFFF);
  CHECK(r.in(0x08) == 0x04);
  CHECK(r.in(0x08) == 0x00);
  // Not auto-initialized: the channel masked itself and refuses more.
  CHECK((r.in(0x0F) & 0x04) != 0);
  CHECK_FALSE(r.dma.ready(2));
  CHECK(r.produce(2, 10) == 0);
}

TEST_CASE("dma: read transfer hands memory to the device") {
  DmaRig r;
  for (unsigned i = 0; i < 8; ++i) r.mem.write8(0x7C00 + i, uint8_t(0xA0 + i));
  r.setup8(1, 0x7C00, 7, kSingleRead);
  std::vector<uint8_t> got;
  bool tc = false;
  CHECK(r.dma.transfer(1, 512, [&](uint8_t* b, uint32_t n) { got.assign(b, b + n); }, &tc) == 8);
  CHECK(tc);
  REQUIRE(got.size() == 8);
  CHECK(got[0] == 0xA0);
  CHECK(got[7] == 0xA7);
  CHECK(r.mem.read8(0x7C00) == 0xA0);  // memory unchanged
}

TEST_CASE("dma: the address wraps inside the 64 KiB page") {
  DmaRig r;
  r.setup8(3, 0x1FFFE, 3, kSingleWrite);
  CHECK(r.produce(3, 4) == 4);
  CHECK(r.mem.read8(0x1FFFE) == 0x10);
  CHECK(r.mem.read8(0x1FFFF) == 0x11);
  CHECK(r.mem.read8(0x10000) == 0x12);  // not 0x20000
  CHECK(r.mem.read8(0x10001) == 0x13);
  CHECK(r.mem.read8(0x20000) == 0x00);
}

TEST_CASE("dma: 16-bit channels move words and wrap at 128 KiB") {
  DmaRig r;
  r.setup16(5, 0x03, 0xFFFF, 2, kSingleWrite);  // 3 words from word 0xFFFF of page 2/3
  CHECK(r.dma.address(5) == 0x3FFFE);           // page bit 0 unused
  bool tc = false;
  CHECK(r.produce(5, 7, &tc) == 6);  // rounded down to words
  CHECK(tc);
  CHECK(r.mem.read8(0x3FFFE) == 0x10);
  CHECK(r.mem.read8(0x3FFFF) == 0x11);
  CHECK(r.mem.read8(0x20000) == 0x12);  // wrapped inside the 128 KiB block
  CHECK(r.mem.read8(0x20003) == 0x15);
  CHECK(r.in(0xD0) == 0x02);  // channel 5's TC bit on DMA2
}

TEST_CASE("dma: auto-initialize, decrement and verify") {
  DmaRig r;
  SUBCASE("auto-init reloads base address and count at TC") {
    r.setup8(1, 0x5000, 1, kSingleWrite | 0x10);
    bool tc = false;
    CHECK(r.produce(1, 10, &tc) == 2);
    CHECK(tc);
    CHECK(r.dma.ready(1));  // not masked
    CHECK(r.dma.chan(1).cur_addr == 0x5000);
    CHECK(r.dma.chan(1).cur_count == 1);
    CHECK(r.produce(1, 10, &tc, 0x40) == 2);
    CHECK(r.mem.read8(0x5000) == 0x40);
  }
  SUBCASE("decrement walks down") {
    r.setup8(0, 0x6002, 2, kSingleWrite | 0x20);
    CHECK(r.produce(0, 3) == 3);
    CHECK(r.mem.read8(0x6002) == 0x10);
    CHECK(r.mem.read8(0x6001) == 0x11);
    CHECK(r.mem.read8(0x6000) == 0x12);
    CHECK(r.dma.chan(0).cur_addr == 0x5FFF);
  }
  SUBCASE("verify moves no data but runs the count") {
    r.setup8(2, 0x8000, 3, 0x40);
    bool tc = false;
    CHECK(r.produce(2, 4, &tc) == 4);
    CHECK(tc);
    CHECK(r.mem.read8(0x8000) == 0x00);
  }
}

TEST_CASE("dma: masks, controller disable, cascade and master clear") {
  DmaRig r;
  r.setup8(2, 0x1000, 511, kSingleWrite);
  CHECK(r.dma.ready(2));
  r.out(0x0A, 0x06);  // mask channel 2
  CHECK_FALSE(r.dma.ready(2));
  CHECK(r.produce(2, 16) == 0);
  r.out(0x0E, 0);  // clear all masks
  CHECK(r.dma.ready(2));
  r.out(0x08, 0x04);  // controller disable
  CHECK_FALSE(r.dma.ready(2));
  r.out(0x08, 0x00);
  r.out(0xD4, 0x04);  // mask channel 4: DMA1 loses the bus
  CHECK_FALSE(r.dma.ready(2));
  r.out(0xD4, 0x00);
  CHECK(r.dma.ready(2));
  r.out(0x0F, 0x0B);  // write all mask bits
  CHECK(r.in(0x0F) == 0xFB);
  CHECK(r.dma.ready(2));
  r.out(0x09, 0x06);  // software request of channel 2: status bit 6
  CHECK(r.in(0x08) == 0x40);
  r.out(0x0D, 0);  // master clear: everything masked, requests gone
  CHECK(r.in(0x0F) == 0xFF);
  CHECK(r.in(0x08) == 0x00);
  CHECK_FALSE(r.dma.ready(2));
  // Power-on: DMA2 channel 4 not yet set up as cascade, so nothing on DMA1 runs.
  r.dma.reset();
  r.out(0x0E, 0), r.out(0xDC, 0);
  CHECK_FALSE(r.dma.ready(2));
  CHECK(r.dma.ready(5));  // DMA2's own channels do not need the cascade
  r.out(0xD6, 0xC0);
  CHECK(r.dma.ready(2));
  CHECK_FALSE(r.dma.ready(4));  // the cascade channel itself never transfers
}

TEST_CASE("dma: ready callback and POST code port") {
  DmaRig r;
  int calls = 0;
  r.dma.set_ready_callback(2, [&] { ++calls; });
  r.setup8(2, 0x1000, 15, kSingleWrite);  // unmasking makes it ready
  CHECK(calls == 1);
  r.out(0x0B, kSingleWrite | 2);  // still ready: no new call
  CHECK(calls == 1);
  r.out(0x0A, 0x06), r.out(0x0A, 0x02);
  CHECK(calls == 2);
  std::vector<uint8_t> codes;
  r.dma.set_post_callback([&](uint8_t c) { codes.push_back(c); });
  r.out(0x80, 0x12), r.out(0x80, 0x34);
  CHECK(codes == std::vector<uint8_t>{0x12, 0x34});
  CHECK(r.in(0x80) == 0x34);
  CHECK(r.dma.post_code() == 0x34);
}
