// devices::IdeChannel with ATA disks, driven through the ports (ATA/ATAPI-6
// register protocol) on temporary image files.
#include "test_ide_rig.h"

namespace {

struct DiskRig : IdeRig {
  TempFile file;
  std::unique_ptr<DiskImage> img;
  explicit DiskRig(uint64_t size = 4 << 20, bool read_only = false) : file(size, fill_disk) {
    img = DiskImage::open(file.path, false, read_only);
    ide.channel(0).attach_disk(0, img.get());
  }
  std::vector<uint8_t> identify() {
    select(0);
    out(7, 0xEC);
    REQUIRE(status() == 0x58);
    auto id = read_words(512);
    CHECK(status() == 0x50);
    return id;
  }
  // READ SECTORS (0x20) of `n` sectors at LBA28 `lba`: the data.
  std::vector<uint8_t> read_lba28(uint32_t lba, uint8_t n, uint8_t cmd = 0x20) {
    select(0, uint8_t(lba >> 24), true);
    taskfile(n, uint8_t(lba), uint8_t(lba >> 8), uint8_t(lba >> 16));
    out(7, cmd);
    std::vector<uint8_t> d;
    while (status() & 0x08) {
      auto s = read_words(512);
      d.insert(d.end(), s.begin(), s.end());
    }
    return d;
  }
};

bool sectors_match(const std::vector<uint8_t>& d, uint64_t first, size_t count) {
  if (d.size() != count * 512) return false;
  for (size_t i = 0; i < d.size(); ++i)
    if (d[i] != disk_byte(first + i / 512, unsigned(i % 512))) return false;
  return true;
}

}  // namespace

TEST_CASE("ide: IDENTIFY DEVICE fields") {
  DiskRig r(10 << 20);  // 20480 sectors: 20 cylinders of 16 x 63
  auto id = r.identify();
  CHECK(IdeRig::word(id, 0) == 0x0040);
  CHECK(IdeRig::word(id, 1) == 20);
  CHECK(IdeRig::word(id, 3) == 16);
  CHECK(IdeRig::word(id, 6) == 63);
  CHECK(IdeRig::ata_string(id, 10, 10) == "XLAT86-HD1          ");
  CHECK(IdeRig::ata_string(id, 23, 4) == "1.0     ");
  CHECK(IdeRig::ata_string(id, 27, 20) == "XLAT86 HARDDISK                         ");
  CHECK(IdeRig::word(id, 47) == 0x8010);
  CHECK(IdeRig::word(id, 49) == 0x0A00);  // LBA, IORDY
  CHECK(IdeRig::word(id, 53) == 0x0003);
  CHECK(IdeRig::word(id, 54) == 20);
  CHECK(IdeRig::word(id, 55) == 16);
  CHECK(IdeRig::word(id, 56) == 63);
  CHECK((IdeRig::word(id, 57) | IdeRig::word(id, 58) << 16) == 20 * 16 * 63);
  CHECK(IdeRig::word(id, 59) == 0);
  CHECK((IdeRig::word(id, 60) | IdeRig::word(id, 61) << 16) == 20480);
  CHECK(IdeRig::word(id, 64) == 0x0003);
  CHECK((IdeRig::word(id, 82) & 0x0020) != 0);  // write cache
  CHECK(IdeRig::word(id, 83) == 0x7400);
  CHECK(IdeRig::word(id, 86) == 0x3400);
  CHECK((IdeRig::word(id, 85) & 0x0020) != 0);
  CHECK(IdeRig::word(id, 93) == 0x4049);  // no device 1: device 0 answers for it
  CHECK(IdeRig::word(id, 100) == 20480);
  CHECK(IdeRig::word(id, 101) == 0);
  CHECK(IdeRig::word(id, 102) == 0);
  CHECK(IdeRig::word(id, 103) == 0);
  uint8_t sum = 0;
  for (uint8_t b : id) sum = uint8_t(sum + b);
  CHECK(id[510] == 0xA5);
  CHECK(sum == 0);
  // The interrupt came with DRQ and went with the status read.
  CHECK(r.irq.rises[14] == 1);
  CHECK_FALSE(r.irq.level[14]);

  // SET MULTIPLE MODE, INITIALIZE DEVICE PARAMETERS and SET FEATURES show up.
  r.out(2, 8), r.out(7, 0xC6);
  CHECK(r.status() == 0x50);
  r.select(0, 3), r.out(2, 17), r.out(7, 0x91);  // 4 heads, 17 sectors
  CHECK(r.status() == 0x50);
  r.out(1, 0x82), r.out(7, 0xEF);  // write cache off
  CHECK(r.status() == 0x50);
  id = r.identify();
  CHECK(IdeRig::word(id, 59) == 0x0108);
  CHECK(IdeRig::word(id, 54) == 20480 / 68);
  CHECK(IdeRig::word(id, 55) == 4);
  CHECK(IdeRig::word(id, 56) == 17);
  CHECK((IdeRig::word(id, 57) | IdeRig::word(id, 58) << 16) == (20480 / 68) * 68);
  CHECK((IdeRig::word(id, 85) & 0x0020) == 0);
  CHECK(IdeRig::word(id, 1) == 20);  // the default translation stays
}

TEST_CASE("ide: geometry and capacities of small and large disks") {
  DiskRig small(300 * 512);  // less than a cylinder
  auto id = small.identify();
  CHECK(IdeRig::word(id, 1) == 1);
  CHECK((IdeRig::word(id, 60) | IdeRig::word(id, 61) << 16) == 300);
  // 2^28 + 64 sectors (a sparse file): LBA28 capacity saturates, LBA48 holds all.
  DiskRig big((uint64_t(1) << 28 | 64) * 512);
  id = big.identify();
  CHECK(IdeRig::word(id, 1) == 16383);
  CHECK(IdeRig::word(id, 54) == 16383);
  CHECK((IdeRig::word(id, 57) | IdeRig::word(id, 58) << 16) == 16383 * 16 * 63);
  CHECK((IdeRig::word(id, 60) | IdeRig::word(id, 61) << 16) == 0x0FFFFFFF);
  CHECK(IdeRig::word(id, 100) == 64);
  CHECK(IdeRig::word(id, 101) == 0x1000);
  CHECK(IdeRig::word(id, 102) == 0);
}

TEST_CASE("ide: reset signatures, SRST, nIEN and absent devices") {
  TempFile disk(1 << 20, fill_disk), iso(64 * 2048, fill_cd);
  auto hd = DiskImage::open(disk.path), cd = DiskImage::open(iso.path);
  IdeRig r;
  // A channel with nothing on it floats.
  CHECK(r.status() == 0xFF);
  CHECK(r.in(2) == 0xFF);
  r.ide.channel(0).attach_disk(0, hd.get());
  r.ide.channel(0).attach_cdrom(1, cd.get());
  // Power-on: ATA signature, status DRDY|DSC; ATAPI signature, status 0.
  r.select(0);
  CHECK(r.status() == 0x50);
  CHECK(r.error() == 0x01);
  CHECK((std::vector<int>{r.in(2), r.in(3), r.in(4), r.in(5)}) == std::vector<int>{1, 1, 0, 0});
  r.select(1);
  CHECK(r.status() == 0x00);
  CHECK((std::vector<int>{r.in(2), r.in(3), r.in(4), r.in(5)}) ==
        std::vector<int>{1, 1, 0x14, 0xEB});
  // Registers written while device 1 is selected reach both devices.
  r.taskfile(0x55, 0xAA, 0x12, 0x34);
  CHECK(r.in(2) == 0x55);
  r.select(0);
  CHECK(r.in(3) == 0xAA);
  CHECK(r.in(6) == 0xA0);
  // SRST: BSY while asserted, writes ignored; the signatures after release,
  // device 0 selected, no interrupt.
  r.control(0x06);
  CHECK(r.alt() == 0x80);
  r.out(2, 0x99);
  r.control(0x02);
  CHECK(r.ide.channel(0).selected() == 0);
  CHECK(r.in(6) == 0x00);
  CHECK(r.status() == 0x50);
  CHECK((std::vector<int>{r.in(2), r.in(3), r.in(4), r.in(5)}) == std::vector<int>{1, 1, 0, 0});
  r.select(1);
  CHECK(r.status() == 0x00);
  CHECK(r.in(4) == 0x14);
  CHECK(r.in(5) == 0xEB);
  CHECK(r.irq.rises[14] == 0);
  // nIEN holds the line low; clearing it lets the pending interrupt through.
  r.select(0);
  r.out(7, 0xE7);  // FLUSH CACHE, interrupts disabled
  CHECK_FALSE(r.irq.level[14]);
  r.control(0x00);
  CHECK(r.irq.level[14]);
  CHECK(r.alt() == 0x50);
  CHECK(r.irq.level[14]);  // the alternate status leaves it
  CHECK(r.status() == 0x50);
  CHECK_FALSE(r.irq.level[14]);
  // EXECUTE DEVICE DIAGNOSTIC: signatures on both, device 0 interrupts.
  r.select(1);
  r.out(7, 0x90);
  CHECK(r.irq.level[14]);
  CHECK(r.ide.channel(0).selected() == 0);
  CHECK(r.error() == 0x01);
  CHECK(r.status() == 0x50);
  r.select(1);
  CHECK(r.in(5) == 0xEB);
  // An absent device 1 next to device 0 reads 0 and takes no commands.
  r.ide.channel(0).detach(1);
  r.select(1);
  CHECK(r.status() == 0x00);
  r.taskfile(0x55, 0xAA, 0, 0);
  CHECK(r.in(2) == 0x00);
  CHECK(r.in(6) == 0x00);
  r.out(7, 0xEC);
  CHECK(r.alt() == 0x00);
  r.select(0);
  CHECK(r.in(2) == 0x55);  // device 0 latched the writes
  CHECK(r.status() == 0x50);
}

TEST_CASE("ide: LBA28 reads with an interrupt per sector, 16- and 32-bit data") {
  DiskRig r;
  r.select(0, 0, true);
  r.taskfile(3, 0x34, 0x12, 0x00);  // LBA 0x1234, 3 sectors
  r.out(7, 0x20);
  std::vector<uint8_t> d;
  for (int s = 0; s < 3; ++s) {
    CHECK(r.irq.level[14]);
    CHECK(r.irq.rises[14] == s + 1);
    REQUIRE(r.status() == 0x58);
    CHECK_FALSE(r.irq.level[14]);
    auto b = s == 1 ? r.read_dwords(512) : r.read_words(512);
    d.insert(d.end(), b.begin(), b.end());
  }
  CHECK(sectors_match(d, 0x1234, 3));
  // The last sector ends the command without another interrupt.
  CHECK(r.status() == 0x50);
  CHECK(r.irq.rises[14] == 3);
  // The task file points at the last sector read, the count at zero.
  CHECK(r.in(2) == 0);
  CHECK(r.in(3) == 0x36);
  CHECK(r.in(4) == 0x12);
  CHECK(r.in(6) == 0xE0);
  // Sector count 0 means 256 sectors.
  auto all = r.read_lba28(0x100, 0);
  CHECK(sectors_match(all, 0x100, 256));
  // The same through READ SECTORS without retry (21h) and READ VERIFY.
  CHECK(sectors_match(r.read_lba28(7, 1, 0x21), 7, 1));
  r.select(0, 0, true), r.taskfile(4, 10, 0, 0), r.out(7, 0x40);
  CHECK(r.status() == 0x50);
  CHECK(r.in(3) == 13);
}

TEST_CASE("ide: LBA48 reads past 2^28 and the HOB registers") {
  DiskRig r((uint64_t(1) << 28 | 64) * 512);
  uint64_t lba = (uint64_t(1) << 28) + 5;
  std::vector<uint8_t> sec(1024);
  for (unsigned i = 0; i < 1024; ++i) sec[i] = disk_byte(lba + i / 512, i % 512);
  r.file.put(lba * 512, sec);
  r.select(0, 0, true);
  r.taskfile(0x00, uint8_t(lba >> 24), uint8_t(lba >> 32), uint8_t(lba >> 40));  // previous bytes
  r.taskfile(0x02, uint8_t(lba), uint8_t(lba >> 8), uint8_t(lba >> 16));
  // HOB reads the previous bytes; a register write clears HOB.
  r.control(0x80);
  CHECK(r.in(3) == 0x10);
  CHECK(r.in(2) == 0x00);
  r.control(0x00);
  CHECK(r.in(3) == 0x05);
  r.out(7, 0x24);
  std::vector<uint8_t> d;
  while (r.status() & 0x08) {
    auto b = r.read_words(512);
    d.insert(d.end(), b.begin(), b.end());
  }
  CHECK(d == sec);
  CHECK(r.status() == 0x50);
  // Last sector read: 0x10000006.
  CHECK(r.in(3) == 0x06);
  r.control(0x80);
  CHECK(r.in(3) == 0x10);
  r.control(0x00);
  // Past the end of the disk: IDNF; LBA28 cannot reach past 2^28 - 1.
  r.select(0, 0, true);
  r.taskfile(0, 0x10, 0, 0);
  r.taskfile(65, 0, 0, 0);  // 0x10000000 + 65 sectors > size
  r.out(7, 0x24);
  CHECK(r.status() == 0x51);
  CHECK(r.error() == 0x10);
  r.select(0, 0x0F, true);
  r.taskfile(1, 0xFF, 0xFF, 0xFF);  // LBA 0x0FFFFFFF: beyond the LBA28 capacity
  r.out(7, 0x20);
  CHECK(r.status() == 0x51);
  CHECK(r.error() == 0x10);
}

TEST_CASE("ide: CHS reads in the default and a set translation") {
  DiskRig r;
  // C/H/S 1/2/3 with 16 heads, 63 sectors: LBA (1*16+2)*63+2 = 1136.
  r.select(0, 2);
  r.taskfile(2, 3, 1, 0);
  r.out(7, 0x20);
  std::vector<uint8_t> d;
  while (r.status() & 0x08) {
    auto b = r.read_words(512);
    d.insert(d.end(), b.begin(), b.end());
  }
  CHECK(sectors_match(d, 1136, 2));
  CHECK(r.in(3) == 4);  // the task file holds C/H/S of the last sector
  CHECK(r.in(4) == 1);
  CHECK((r.in(6) & 0x0F) == 2);
  // Sector 63 of head 15 continues on the next cylinder.
  r.select(0, 15), r.taskfile(2, 63, 0, 0), r.out(7, 0x20);
  d.clear();
  while (r.status() & 0x08) {
    auto b = r.read_words(512);
    d.insert(d.end(), b.begin(), b.end());
  }
  CHECK(sectors_match(d, 1007, 2));
  CHECK(r.in(3) == 1);
  CHECK(r.in(4) == 1);
  CHECK((r.in(6) & 0x0F) == 0);
  // Sector 0 and a sector past the track: IDNF.
  r.select(0, 0), r.taskfile(1, 0, 0, 0), r.out(7, 0x20);
  CHECK(r.status() == 0x51);
  CHECK(r.error() == 0x10);
  r.select(0, 0), r.taskfile(1, 64, 0, 0), r.out(7, 0x20);
  CHECK(r.error() == 0x10);
  // INITIALIZE DEVICE PARAMETERS: 8 heads, 32 sectors: 2/5/9 = (2*8+5)*32+8 = 680.
  r.select(0, 7), r.out(2, 32), r.out(7, 0x91);
  CHECK(r.status() == 0x50);
  r.select(0, 5), r.taskfile(1, 9, 2, 0), r.out(7, 0x20);
  REQUIRE(r.status() == 0x58);
  CHECK(sectors_match(r.read_words(512), 680, 1));
  r.out(2, 0), r.out(7, 0x91);  // zero sectors per track: refused
  CHECK(r.error() == 0x04);
}
