// devices::Fdc: data commands with DMA channel 2 and image files.
#include <doctest/doctest.h>

#include "test_fdc_rig.h"

using namespace fdc_test;
using devices::Fdc;

TEST_CASE("fdc: READ DATA of sector 1 by DMA into memory (the SeaBIOS boot read)") {
  FdcRig r;
  TempImage img(k144);
  r.insert(0, img.path);
  r.enable();
  r.out(0x3F2, 0x1C);
  r.cmd({0x07, 0x00});
  REQUIRE(r.wait_irq());
  r.cmd({0x08});
  r.results(2);
  r.out(0x3F7, 0x00);  // 500 kb/s
  r.cmd({0x4A, 0x00});  // READ ID (media sense)
  REQUIRE(r.wait_irq());
  Bytes id = r.results(7);
  CHECK(id[0] == 0x00);
  CHECK(id[3] == 0);
  CHECK(id[6] == 2);
  r.dma_setup(0x7C00, 512, true);
  Bytes res = r.data_cmd({0xE6, 0x00, 0, 0, 1, 2, 1, 0x1B, 0xFF});
  CHECK(res == Bytes{0x00, 0x00, 0x00, 0, 1, 1, 2});  // MT and R = EOT: next is head 1, sector 1
  CHECK(sector_in_memory(r.mem, 0x7C00, 0));
  CHECK(r.mem.read8(0x7E00) == 0);  // no more than the DMA count
  CHECK(r.in(0x08) == 0x04);        // channel 2 reached TC
}

TEST_CASE("fdc: multi-track read across heads, EOT without TC, read errors") {
  FdcRig r;
  TempImage img(k144);
  r.insert(0, img.path);
  r.enable();
  r.out(0x3F7, 0x00);
  r.seek(0, 5);
  SUBCASE("MT: sectors 17-18 of head 0 then 1-2 of head 1, ended by TC") {
    r.dma_setup(0x10000, 4 * 512, true);
    Bytes res = r.data_cmd({0xE6, 0x00, 5, 0, 17, 2, 18, 0x1B, 0xFF});
    CHECK(res == Bytes{0x04, 0x00, 0x00, 5, 1, 3, 2});  // ends on head 1
    size_t lba0 = (5 * 2 + 0) * 18;
    CHECK(sector_in_memory(r.mem, 0x10000, lba0 + 16));
    CHECK(sector_in_memory(r.mem, 0x10200, lba0 + 17));
    CHECK(sector_in_memory(r.mem, 0x10400, lba0 + 18));  // head 1, sector 1
    CHECK(sector_in_memory(r.mem, 0x10600, lba0 + 19));
  }
  SUBCASE("TC on the last sector of the cylinder: C+1, head 0, R 1") {
    r.dma_setup(0x10000, 2 * 512, true);
    Bytes res = r.data_cmd({0xE6, 0x04, 5, 1, 17, 2, 18, 0x1B, 0xFF});
    CHECK(res == Bytes{0x04, 0x00, 0x00, 6, 0, 1, 2});
  }
  SUBCASE("no MT, EOT reached before TC: abnormal with EN") {
    r.dma_setup(0x10000, 8 * 512, true);
    Bytes res = r.data_cmd({0x46, 0x00, 5, 0, 17, 2, 18, 0x1B, 0xFF});
    CHECK(res == Bytes{0x40, 0x80, 0x00, 6, 0, 1, 2});
    CHECK(sector_in_memory(r.mem, 0x10200, (5 * 2) * 18 + 17));
    CHECK(r.in(0x08) == 0x00);  // the DMA never reached TC
  }
  SUBCASE("sector past the track's end: no data") {
    r.dma_setup(0x10000, 3 * 512, true);
    Bytes res = r.data_cmd({0x46, 0x00, 5, 0, 18, 2, 20, 0x1B, 0xFF});
    CHECK(res == Bytes{0x40, 0x04, 0x00, 5, 0, 19, 2});
  }
  SUBCASE("wrong cylinder in the command: ND and WC") {
    r.dma_setup(0x10000, 512, true);
    Bytes res = r.data_cmd({0x46, 0x00, 4, 0, 1, 2, 1, 0x1B, 0xFF});
    CHECK(res == Bytes{0x40, 0x04, 0x10, 4, 0, 1, 2});
  }
  SUBCASE("wrong data rate: no address mark") {
    r.out(0x3F7, 0x02);
    r.dma_setup(0x10000, 512, true);
    Bytes res = r.data_cmd({0x46, 0x00, 5, 0, 1, 2, 1, 0x1B, 0xFF});
    CHECK(res[0] == 0x40);
    CHECK(res[1] == 0x01);
    r.cmd({0x4A, 0x00});
    REQUIRE(r.wait_irq());
    CHECK(r.results(7)[1] == 0x01);
  }
  SUBCASE("implied seek (CONFIGURE EIS)") {
    r.cmd({0x13, 0x00, 0x60, 0x00});
    r.dma_setup(0x10000, 512, true);
    Bytes res = r.data_cmd({0x46, 0x00, 40, 0, 3, 2, 3, 0x1B, 0xFF});
    CHECK(res == Bytes{0x20, 0x00, 0x00, 41, 0, 1, 2});  // SE; TC at EOT
    CHECK(sector_in_memory(r.mem, 0x10000, 40 * 36 + 2));
    CHECK(r.fdc.drive(0).pcn == 40);
  }
}

TEST_CASE("fdc: multi-sector WRITE DATA reaches the file") {
  FdcRig r;
  TempImage img(k144);
  r.insert(0, img.path);
  r.enable();
  r.out(0x3F7, 0x00);
  r.seek(0x04, 2);
  for (uint32_t i = 0; i < 3 * 512; ++i) r.mem.write8(0x20000 + i, uint8_t(0xC3 ^ i ^ (i >> 9)));
  r.dma_setup(0x20000, 3 * 512, false);
  Bytes res = r.data_cmd({0xC5, 0x04, 2, 1, 5, 2, 18, 0x1B, 0xFF});
  CHECK(res == Bytes{0x04, 0x00, 0x00, 2, 1, 8, 2});
  r.fdc.image(0)->flush();
  size_t lba = (2 * 2 + 1) * 18 + 4;
  for (unsigned s = 0; s < 3; ++s) {
    Bytes d = img.sector(lba + s);
    bool same = true;
    for (uint32_t i = 0; i < 512; ++i) same &= d[i] == uint8_t(0xC3 ^ (s * 512 + i) ^ s);
    CHECK(same);
  }
  CHECK(img.sector(lba + 3)[0] == uint8_t(lba + 3));  // untouched after the count
  CHECK(img.sector(lba - 1)[0] == uint8_t(lba - 1));
  // Read back through the controller.
  r.dma_setup(0x30000, 512, true);
  res = r.data_cmd({0xE6, 0x04, 2, 1, 6, 2, 18, 0x1B, 0xFF});
  CHECK(res[0] == 0x04);
  CHECK(r.mem.read8(0x30000) == uint8_t(0xC3 ^ 512 ^ 1));
}

TEST_CASE("fdc: write protection and snapshot media") {
  FdcRig r;
  TempImage img(k144);
  SUBCASE("read-only image: NW, file untouched") {
    r.insert(0, img.path, false, true);
    r.enable();
    r.out(0x3F7, 0x00);
    r.cmd({0x04, 0x00});
    CHECK(r.results(1) == Bytes{0x28 | 0x40 | 0x10});
    r.dma_setup(0x20000, 512, false);
    Bytes res = r.data_cmd({0xC5, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF});
    CHECK(res[0] == 0x40);
    CHECK(res[1] == 0x02);
  }
  SUBCASE("snapshot: the guest sees its writes, the file does not change") {
    r.insert(0, img.path, true, false);
    r.enable();
    r.out(0x3F7, 0x00);
    for (uint32_t i = 0; i < 512; ++i) r.mem.write8(0x20000 + i, 0xEE);
    r.dma_setup(0x20000, 512, false);
    CHECK(r.data_cmd({0xC5, 0x00, 0, 0, 3, 2, 18, 0x1B, 0xFF})[0] == 0x00);
    r.dma_setup(0x30000, 512, true);
    CHECK(r.data_cmd({0xE6, 0x00, 0, 0, 3, 2, 18, 0x1B, 0xFF})[0] == 0x00);
    CHECK(r.mem.read8(0x30000) == 0xEE);
    CHECK(r.mem.read8(0x301FF) == 0xEE);
    CHECK(img.sector(2)[0] == 2);
    CHECK(img.sector(2)[100] == uint8_t(2 + 100));
  }
}

TEST_CASE("fdc: the command waits for DMA channel 2") {
  FdcRig r;
  TempImage img(k144);
  r.insert(0, img.path);
  r.enable();
  r.out(0x3F7, 0x00);
  r.dma_setup(0x7C00, 512, true);
  r.out(0x0A, 0x06);  // masked again
  r.cmd({0x46, 0x00, 0, 0, 1, 2, 1, 0x1B, 0xFF});
  r.run(10 * Fdc::kCommandDelayNs);
  CHECK_FALSE(r.irq6());
  CHECK(r.msr() == 0x10);
  r.out(0x0A, 0x02);  // unmask: the transfer runs
  REQUIRE(r.wait_irq());
  CHECK(r.results(7) == Bytes{0x00, 0x00, 0x00, 1, 0, 1, 2});  // no MT, R = EOT: C + 1
  CHECK(sector_in_memory(r.mem, 0x7C00, 0));
}

TEST_CASE("fdc: FORMAT TRACK by DMA fills the sectors") {
  FdcRig r;
  TempImage img(k144);
  r.insert(0, img.path);
  r.enable();
  r.out(0x3F7, 0x00);
  r.seek(0x04, 3);
  for (uint8_t s = 0; s < 18; ++s) {  // the ID table: C H R N per sector
    uint32_t a = 0x40000 + 4u * s;
    r.mem.write8(a, 3), r.mem.write8(a + 1, 1), r.mem.write8(a + 2, uint8_t(s + 1)), r.mem.write8(a + 3, 2);
  }
  r.dma_setup(0x40000, 18 * 4, false);
  Bytes res = r.data_cmd({0x4D, 0x04, 2, 18, 0x6C, 0xF6});
  CHECK(res[0] == 0x04);
  CHECK(res[1] == 0x00);
  size_t lba = (3 * 2 + 1) * 18;
  CHECK(img.sector(lba) == Bytes(512, 0xF6));
  CHECK(img.sector(lba + 17) == Bytes(512, 0xF6));
  CHECK(img.sector(lba + 18)[0] == uint8_t(lba + 18));
  CHECK(img.sector(lba - 1)[0] == uint8_t(lba - 1));
}

TEST_CASE("fdc: non-DMA READ and WRITE through the FIFO") {
  FdcRig r;
  TempImage img(737280);  // 720 KB: 250 kb/s, 9 sectors
  r.insert(0, img.path);
  r.enable();
  r.out(0x3F7, 0x02);
  r.cmd({0x03, 0xAF, 0x03});  // SPECIFY ND = 1
  r.seek(0, 1);
  r.cmd({0x46, 0x00, 1, 0, 8, 2, 9, 0x1B, 0xFF});
  REQUIRE(r.wait_irq());
  CHECK(r.msr() == 0xF0);  // RQM, DIO, NON-DMA, busy
  std::vector<uint8_t> data;
  while (r.msr() == 0xF0) data.push_back(r.in(0x3F5));
  CHECK(r.irq6());  // the first byte lowered INT, the result phase raised it again
  REQUIRE(data.size() == 1024);
  CHECK(data[0] == 9 * 2 + 7);
  CHECK(data[512] == 9 * 2 + 8);
  // EOT without TC: the chip reports EN.
  Bytes res = r.results(7);
  CHECK(res == Bytes{0x40, 0x80, 0x00, 2, 0, 1, 2});
  // Write one sector.
  r.cmd({0x45, 0x00, 1, 0, 9, 2, 9, 0x1B, 0xFF});
  REQUIRE(r.wait_irq());
  CHECK(r.msr() == 0xB0);
  for (int i = 0; i < 512; ++i) r.out(0x3F5, uint8_t(i * 5));
  CHECK(r.results(7) == Bytes{0x40, 0x80, 0x00, 2, 0, 1, 2});
  Bytes s = img.sector(9 * 2 + 8);
  CHECK(s[1] == 5);
  CHECK(s[511] == uint8_t(511 * 5));
}

TEST_CASE("fdc: media rates for 2.88 MB and 360 KB, empty drive") {
  FdcRig r;
  TempImage big(2949120), small(368640);
  r.insert(0, big.path);
  r.insert(1, small.path);
  r.enable();
  r.out(0x3F7, 0x03);  // 1 Mb/s
  r.dma_setup(0x7C00, 512, true);
  CHECK(r.data_cmd({0x46, 0x00, 0, 0, 36, 2, 36, 0x1B, 0xFF})[0] == 0x00);
  CHECK(sector_in_memory(r.mem, 0x7C00, 35));
  r.cmd({0x4A, 0x01});  // 360 KB at 1 Mb/s: nothing found
  REQUIRE(r.wait_irq());
  CHECK(r.results(7)[1] == 0x01);
  r.out(0x3F7, 0x01);  // 300 kb/s
  r.cmd({0x4A, 0x01});
  REQUIRE(r.wait_irq());
  CHECK(r.results(7)[0] == 0x01);
  r.fdc.eject(1);
  r.cmd({0x4A, 0x01});
  REQUIRE(r.wait_irq());
  CHECK(r.results(7)[0] == 0x41);
}
