// devices::IdeChannel: ATA writes, multiple mode, flush, errors and the
// non-data commands.
#include "test_ide_rig.h"

namespace {

struct DiskRig : IdeRig {
  TempFile file;
  std::unique_ptr<DiskImage> img;
  explicit DiskRig(bool read_only = false) : file(1 << 20, fill_disk) {
    img = DiskImage::open(file.path, false, read_only);
    ide.channel(0).attach_disk(0, img.get());
  }
};

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = uint8_t(seed + i * 13 + (i >> 7));
  return d;
}

}  // namespace

TEST_CASE("ide: WRITE SECTORS reaches the file sector by sector; FLUSH CACHE") {
  DiskRig r;
  auto data = pattern(3 * 512, 0x40);
  r.select(0, 0, true);
  r.taskfile(3, 100, 0, 0);
  r.out(7, 0x30);
  // The first block is asked for without an interrupt.
  CHECK(r.irq.rises[14] == 0);
  REQUIRE(r.alt() == 0x58);
  r.write_words({data.begin(), data.begin() + 512});
  // Sector 100 is in the file as soon as its data is complete.
  CHECK(r.file.get(100 * 512, 512) == std::vector<uint8_t>(data.begin(), data.begin() + 512));
  CHECK(r.file.get(101 * 512, 4)[0] == disk_byte(101, 0));
  CHECK(r.irq.rises[14] == 1);
  REQUIRE(r.status() == 0x58);
  r.write_dwords({data.begin() + 512, data.begin() + 1024});
  CHECK(r.irq.rises[14] == 2);
  REQUIRE(r.status() == 0x58);
  r.write_words({data.begin() + 1024, data.end()});
  // The last block ends the command with an interrupt.
  CHECK(r.irq.rises[14] == 3);
  CHECK(r.status() == 0x50);
  CHECK(r.in(3) == 102);
  CHECK(r.file.get(100 * 512, 3 * 512) == data);
  CHECK(r.file.get(103 * 512, 1)[0] == disk_byte(103, 0));
  // FLUSH CACHE and FLUSH CACHE EXT complete with an interrupt.
  r.out(7, 0xE7);
  CHECK(r.irq.rises[14] == 4);
  CHECK(r.status() == 0x50);
  r.out(7, 0xEA);
  CHECK(r.status() == 0x50);
  // WRITE SECTORS EXT at a 48-bit address (here below 2^24).
  auto d2 = pattern(512, 0x77);
  r.taskfile(0, 0, 0, 0), r.taskfile(1, 0x10, 0x02, 0x00);  // LBA 0x210
  r.out(7, 0x34);
  REQUIRE(r.alt() == 0x58);
  r.write_words(d2);
  CHECK(r.status() == 0x50);
  CHECK(r.file.get(0x210 * 512, 512) == d2);
  // The data read back through the drive.
  r.taskfile(1, 0x10, 0x02, 0x00), r.out(7, 0x20);
  REQUIRE(r.status() == 0x58);
  CHECK(r.read_words(512) == d2);
}

TEST_CASE("ide: READ/WRITE MULTIPLE in blocks of the multiple count") {
  DiskRig r;
  // Without SET MULTIPLE MODE, READ MULTIPLE is aborted.
  r.select(0, 0, true), r.taskfile(1, 0, 0, 0), r.out(7, 0xC4);
  CHECK(r.status() == 0x51);
  CHECK(r.error() == 0x04);
  // Block sizes must be powers of two up to 16.
  r.out(2, 3), r.out(7, 0xC6);
  CHECK(r.error() == 0x04);
  r.out(2, 32), r.out(7, 0xC6);
  CHECK(r.error() == 0x04);
  r.out(2, 4), r.out(7, 0xC6);
  CHECK(r.status() == 0x50);
  // 10 sectors: blocks of 4, 4, 2, one interrupt each.
  int rises = r.irq.rises[14];
  r.select(0, 0, true), r.taskfile(10, 20, 0, 0), r.out(7, 0xC4);
  std::vector<unsigned> blocks;
  std::vector<uint8_t> d;
  while (r.status() & 0x08) {  // a block: read until DRQ drops or the next one interrupts
    int at = r.irq.rises[14];
    size_t before = d.size();
    while ((r.alt() & 0x08) && r.irq.rises[14] == at) {
      auto w = r.read_words(2);
      d.insert(d.end(), w.begin(), w.end());
    }
    blocks.push_back(unsigned(d.size() - before) / 512);
  }
  CHECK(blocks == std::vector<unsigned>{4, 4, 2});
  CHECK(r.irq.rises[14] - rises == 3);
  REQUIRE(d.size() == 10 * 512);
  for (size_t i = 0; i < d.size(); ++i) REQUIRE(d[i] == disk_byte(20 + i / 512, i % 512));
  // WRITE MULTIPLE EXT: 6 sectors in blocks of 4 and 2.
  auto data = pattern(6 * 512, 0x11);
  rises = r.irq.rises[14];
  r.taskfile(0, 0, 0, 0), r.taskfile(6, 50, 0, 0), r.out(7, 0x39);
  REQUIRE(r.alt() == 0x58);
  r.write_words({data.begin(), data.begin() + 512 + 100});
  // The first sector of the block is in the file, the second not yet.
  CHECK(r.file.get(50 * 512, 512) == std::vector<uint8_t>(data.begin(), data.begin() + 512));
  CHECK(r.file.get(51 * 512, 1)[0] == disk_byte(51, 0));
  CHECK(r.irq.rises[14] - rises == 0);
  r.write_words({data.begin() + 512 + 100, data.begin() + 4 * 512});
  CHECK(r.irq.rises[14] - rises == 1);
  CHECK(r.file.get(50 * 512, 4 * 512) == std::vector<uint8_t>(data.begin(), data.begin() + 2048));
  REQUIRE(r.status() == 0x58);
  r.write_words({data.begin() + 4 * 512, data.end()});
  CHECK(r.irq.rises[14] - rises == 2);
  CHECK(r.status() == 0x50);
  CHECK(r.file.get(50 * 512, 6 * 512) == data);
  // SET MULTIPLE MODE 0 disables it again.
  r.out(2, 0), r.out(7, 0xC6);
  r.taskfile(1, 0, 0, 0), r.out(7, 0xC5);
  CHECK(r.error() == 0x04);
}

TEST_CASE("ide: out-of-range sectors, unknown commands and read-only images") {
  DiskRig r;  // 2048 sectors
  r.select(0, 0, true);
  r.taskfile(2, 0xFF, 0x07, 0), r.out(7, 0x20);  // sectors 2047-2048
  CHECK(r.status() == 0x51);
  CHECK(r.error() == 0x10);
  CHECK(r.irq.level[14] == false);  // cleared by that status read
  r.taskfile(1, 0xFF, 0x07, 0), r.out(7, 0x20);  // the last sector is fine
  CHECK(r.status() == 0x58);
  r.read_words(512);
  r.taskfile(1, 0x00, 0x08, 0), r.out(7, 0x30);  // writing past the end
  CHECK(r.error() == 0x10);
  r.taskfile(1, 0x00, 0x08, 0), r.out(7, 0x70);  // SEEK past the end
  CHECK(r.error() == 0x10);
  r.taskfile(1, 0x00, 0x07, 0), r.out(7, 0x70);
  CHECK(r.status() == 0x50);
  r.taskfile(4, 0xFE, 0x07, 0), r.out(7, 0x40);  // READ VERIFY past the end
  CHECK(r.error() == 0x10);
  // Unknown, DMA and ATAPI-only commands: ABRT with an interrupt.
  for (uint8_t cmd : {0x00, 0xC8, 0xCA, 0x25, 0xA0, 0xA1, 0x08, 0xFF}) {
    int rises = r.irq.rises[14];
    r.out(7, cmd);
    CHECK(r.irq.rises[14] == rises + 1);
    CHECK(r.status() == 0x51);
    CHECK(r.error() == 0x04);
  }
  // A new command clears the error.
  r.out(7, 0x10);  // RECALIBRATE
  CHECK(r.status() == 0x50);
  CHECK(r.error() == 0x00);
  // SET FEATURES: PIO modes only.
  r.out(1, 0x03), r.out(2, 0x0C), r.out(7, 0xEF);  // PIO 4
  CHECK(r.status() == 0x50);
  r.out(1, 0x03), r.out(2, 0x42), r.out(7, 0xEF);  // UDMA 2
  CHECK(r.status() == 0x51);
  r.out(1, 0x99), r.out(7, 0xEF);
  CHECK(r.status() == 0x51);
  // Power management: CHECK POWER MODE follows STANDBY and IDLE.
  r.out(7, 0xE0);
  CHECK(r.status() == 0x50);
  r.out(2, 0x33), r.out(7, 0xE5);
  CHECK(r.in(2) == 0x00);
  r.out(7, 0xE1), r.out(7, 0xE5);
  CHECK(r.in(2) == 0xFF);

  DiskRig ro(true);
  ro.select(0, 0, true), ro.taskfile(1, 0, 0, 0), ro.out(7, 0x30);
  CHECK(ro.status() == 0x51);
  CHECK(ro.error() == 0x04);
  ro.out(7, 0x20);  // reading is fine
  CHECK(ro.status() == 0x58);
}

TEST_CASE("ide: secondary channel on IRQ 15, device 1 only") {
  TempFile f(1 << 20, fill_disk);
  auto img = DiskImage::open(f.path);
  IdeRig r;
  r.use_secondary();
  r.ide.channel(1).attach_disk(1, img.get());
  // Device 0 is absent: zeros; device 1 answers on 0x170.
  CHECK(r.status() == 0x00);
  r.select(1, 0, true), r.taskfile(1, 9, 0, 0), r.out(7, 0x20);
  CHECK(r.irq.level[15]);
  CHECK_FALSE(r.irq.level[14]);
  REQUIRE(r.status() == 0x58);
  auto d = r.read_words(512);
  for (unsigned i = 0; i < 512; ++i) REQUIRE(d[i] == disk_byte(9, i));
  r.out(7, 0xEC);
  REQUIRE(r.status() == 0x58);
  auto id = r.read_words(512);
  CHECK(IdeRig::word(id, 93) == 0x4B00);  // device 1's reset result
  CHECK(IdeRig::ata_string(id, 10, 5) == "XLAT86-HD4");
  // A 16-bit access to 0x176 reads device and status registers.
  CHECK(r.bus.in(0x176, 2) == 0x50F0);
}
