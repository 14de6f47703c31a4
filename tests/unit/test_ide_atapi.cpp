// devices::IdeChannel with an ATAPI CD-ROM drive: the PACKET protocol and the
// MMC commands SeaBIOS and OS drivers send, on temporary ISO images.
#include "test_ide_rig.h"

namespace {

constexpr unsigned kIsoSectors = 300;

struct CdRig : IdeRig {
  TempFile file;
  std::unique_ptr<DiskImage> img;
  explicit CdRig(bool with_disc = true) : file(kIsoSectors * 2048, fill_cd) {
    use_secondary();
    img = DiskImage::open(file.path, false, true);
    ide.channel(1).attach_cdrom(0, with_disc ? img.get() : nullptr);
    select(0);
  }
  // REQUEST SENSE: key, ASC, ASCQ.
  std::vector<int> sense() {
    auto p = packet({0x03, 0, 0, 0, 18}, 0xFFFE);
    REQUIRE(p.data.size() == 18);
    CHECK(p.data[0] == 0x70);
    CHECK(p.data[7] == 10);
    return {p.data[2], p.data[12], p.data[13]};
  }
};

std::vector<uint8_t> read10(uint32_t lba, uint16_t n) {
  return {0x28, 0, uint8_t(lba >> 24), uint8_t(lba >> 16), uint8_t(lba >> 8), uint8_t(lba), 0,
          uint8_t(n >> 8), uint8_t(n)};
}

bool cd_match(const std::vector<uint8_t>& d, uint32_t lba, unsigned n) {
  if (d.size() != n * 2048u) return false;
  for (size_t i = 0; i < d.size(); ++i)
    if (d[i] != cd_byte(lba + i / 2048, unsigned(i % 2048))) return false;
  return true;
}

}  // namespace

TEST_CASE("ide: ATAPI signature, IDENTIFY DEVICE refused, IDENTIFY PACKET DEVICE") {
  CdRig r;
  CHECK(r.status() == 0x00);  // DRDY clear until the first command
  CHECK(r.in(4) == 0x14);
  CHECK(r.in(5) == 0xEB);
  // IDENTIFY DEVICE: aborted, with the signature in the registers.
  r.taskfile(0, 0, 0, 0);
  r.out(7, 0xEC);
  CHECK(r.status() == 0x51);
  CHECK(r.error() == 0x04);
  CHECK(r.in(2) == 1);
  CHECK(r.in(3) == 1);
  CHECK(r.in(4) == 0x14);
  CHECK(r.in(5) == 0xEB);
  r.out(7, 0xA1);
  REQUIRE(r.status() == 0x58);
  auto id = r.read_words(512);
  CHECK(r.status() == 0x50);
  CHECK(IdeRig::word(id, 0) == 0x85C0);
  CHECK(((IdeRig::word(id, 0) >> 8) & 0x1F) == 0x05);  // what SeaBIOS tests for a CD
  CHECK(IdeRig::ata_string(id, 27, 20) == "XLAT86 CD-ROM                           ");
  CHECK(IdeRig::ata_string(id, 10, 5) == "XLAT86-CD3");
  CHECK(IdeRig::word(id, 49) == 0x0A00);
  CHECK((IdeRig::word(id, 82) & 0x0010) != 0);  // PACKET
  CHECK(IdeRig::word(id, 93) == 0x4049);
  uint8_t sum = 0;
  for (uint8_t b : id) sum = uint8_t(sum + b);
  CHECK(sum == 0);
  // DEVICE RESET: the signature again, no interrupt, DRDY clear.
  int rises = r.irq.rises[15];
  r.taskfile(9, 9, 9, 9);
  r.out(7, 0x08);
  CHECK(r.irq.rises[15] == rises);
  CHECK(r.alt() == 0x00);
  CHECK(r.in(4) == 0x14);
  // DMA packets are refused.
  r.out(1, 0x01), r.out(7, 0xA0);
  CHECK(r.status() == 0x51);
}

TEST_CASE("ide: ATAPI INQUIRY and READ CAPACITY") {
  CdRig r;
  auto p = r.packet({0x12, 0, 0, 0, 96}, 0xFFFE);
  CHECK(p.status == 0x50);
  CHECK(p.error == 0x00);
  REQUIRE(p.data.size() == 36);
  CHECK(p.blocks == std::vector<unsigned>{36});
  CHECK(p.irqs == 2);  // the data block and the completion
  CHECK(p.data[0] == 0x05);  // CD/DVD device
  CHECK(p.data[1] == 0x80);  // removable
  CHECK(p.data[4] == 31);
  CHECK(std::string(p.data.begin() + 8, p.data.begin() + 16) == "XLAT86  ");
  CHECK(std::string(p.data.begin() + 16, p.data.begin() + 32) == "XLAT86 CD-ROM   ");
  // The allocation length cuts the reply; the byte count limit splits it.
  p = r.packet({0x12, 0, 0, 0, 20}, 8);
  CHECK(p.blocks == std::vector<unsigned>{8, 8, 4});
  CHECK(p.data[0] == 0x05);
  CHECK(p.data[16] == 'X');
  // Vital product data pages are not offered.
  p = r.packet({0x12, 0x01, 0x80, 0, 96}, 0xFFFE);
  CHECK(p.status == 0x51);
  CHECK(r.sense() == std::vector<int>{0x05, 0x24, 0x00});

  p = r.packet({0x25}, 8);
  REQUIRE(p.data.size() == 8);
  CHECK(p.data == std::vector<uint8_t>{0, 0, 0x01, 0x2B, 0, 0, 0x08, 0x00});  // 299, 2048
}

TEST_CASE("ide: ATAPI READ(10) split by the byte count limit, READ(12)") {
  CdRig r;
  // SeaBIOS's way: the limit is one sector, one DRQ block per sector.
  auto p = r.packet(read10(16, 3), 2048);
  CHECK(p.status == 0x50);
  CHECK(p.blocks == std::vector<unsigned>{2048, 2048, 2048});
  CHECK(p.irqs == 4);
  CHECK(cd_match(p.data, 16, 3));
  // A limit that is no multiple of the sector size, and an odd one.
  p = r.packet(read10(100, 3), 5000);
  CHECK(p.blocks == std::vector<unsigned>{5000, 1144});
  CHECK(cd_match(p.data, 100, 3));
  p = r.packet(read10(7, 1), 1001);
  CHECK(p.blocks == std::vector<unsigned>{1000, 1000, 48});
  CHECK(cd_match(p.data, 7, 1));
  // The whole transfer in one block when the limit allows.
  p = r.packet(read10(0, 4), 0xFFFF);
  CHECK(p.blocks == std::vector<unsigned>{8192});
  CHECK(cd_match(p.data, 0, 4));
  // 32-bit data reads.
  r.out(4, 0x00), r.out(5, 0x08), r.out(7, 0xA0);
  auto cdb = read10(42, 1);
  cdb.resize(12);
  r.write_words(cdb);
  REQUIRE(r.status() == 0x58);
  CHECK(r.in(4) == 0x00);
  CHECK(r.in(5) == 0x08);
  CHECK(cd_match(r.read_dwords(2048), 42, 1));
  CHECK(r.status() == 0x50);
  CHECK(r.in(2) == 3);
  // READ(12), zero-length reads and reads past the end.
  p = r.packet({0xA8, 0, 0, 0, 1, 0x2A, 0, 0, 0, 2}, 0xFFFE);  // LBA 298, 2 sectors
  CHECK(cd_match(p.data, 298, 2));
  p = r.packet(read10(5, 0), 2048);
  CHECK(p.status == 0x50);
  CHECK(p.data.empty());
  p = r.packet(read10(299, 2), 2048);
  CHECK(p.status == 0x51);
  CHECK(p.error == 0x50);  // ILLEGAL REQUEST
  CHECK(p.data.empty());
  CHECK(r.sense() == std::vector<int>{0x05, 0x21, 0x00});
  CHECK(r.sense() == std::vector<int>{0x00, 0x00, 0x00});  // reported once
}

TEST_CASE("ide: ATAPI READ TOC formats 0, 1 and 2") {
  CdRig r;
  // Format 0, LBA: track 1 at 0, lead-out (AAh) at 300.
  auto p = r.packet({0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24}, 0xFFFE);
  CHECK(p.data == std::vector<uint8_t>{0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0,
                                       0, 0x14, 0xAA, 0, 0, 0, 0x01, 0x2C});
  // MSF: 00:02:00 and 300 + 150 frames = 00:06:00.
  p = r.packet({0x43, 0x02, 0, 0, 0, 0, 0, 0x03, 0x24}, 0xFFFE);
  CHECK(p.data == std::vector<uint8_t>{0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 2, 0,
                                       0, 0x14, 0xAA, 0, 0, 0, 6, 0});
  // Starting at the lead-out; an allocation length of 4 gives the header only.
  p = r.packet({0x43, 0, 0, 0, 0, 0, 0xAA, 0, 12}, 0xFFFE);
  CHECK(p.data == std::vector<uint8_t>{0, 10, 1, 1, 0, 0x14, 0xAA, 0, 0, 0, 0x01, 0x2C});
  p = r.packet({0x43, 0, 0, 0, 0, 0, 0, 0, 4}, 0xFFFE);
  CHECK(p.data == std::vector<uint8_t>{0, 18, 1, 1});
  p = r.packet({0x43, 0, 0, 0, 0, 0, 5, 0, 12}, 0xFFFE);  // no track 5
  CHECK(p.status == 0x51);
  // Format 1: session information; also given in the old place (byte 9).
  std::vector<uint8_t> session = {0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0};
  CHECK(r.packet({0x43, 0, 1, 0, 0, 0, 0, 0, 12}, 0xFFFE).data == session);
  CHECK(r.packet({0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0x40}, 0xFFFE).data == session);
  // Format 2 (full TOC): A0, A1, A2 (lead-out 00:06:00) and track 1.
  p = r.packet({0x43, 0x02, 2, 0, 0, 0, 0, 0, 48}, 0xFFFE);
  REQUIRE(p.data.size() == 48);
  CHECK(p.data[1] == 46);
  CHECK(p.data[4 + 3] == 0xA0);
  CHECK(p.data[4 + 22 + 3] == 0xA2);
  CHECK(p.data[4 + 22 + 8] == 0);
  CHECK(p.data[4 + 22 + 9] == 6);
  CHECK(p.data[4 + 33 + 3] == 0x01);
  CHECK(p.data[4 + 33 + 9] == 2);
}

TEST_CASE("ide: ATAPI no medium, insertion with UNIT ATTENTION, eject and lock") {
  CdRig r(false);
  auto p = r.packet({0x00}, 0);
  CHECK(p.status == 0x51);
  CHECK(p.error == 0x20);  // NOT READY, what SeaBIOS looks for
  CHECK(r.sense() == std::vector<int>{0x02, 0x3A, 0x01});
  CHECK(r.packet({0x25}, 8).status == 0x51);
  CHECK(r.packet(read10(0, 1), 2048).status == 0x51);
  CHECK(r.packet({0x43, 0, 0, 0, 0, 0, 0, 0, 12}, 0xFFFE).status == 0x51);
  CHECK_FALSE(r.ide.channel(1).medium_present(0));
  // INQUIRY works without a disc.
  CHECK(r.packet({0x12, 0, 0, 0, 36}, 0xFFFE).status == 0x50);

  r.ide.channel(1).insert_medium(0, r.img.get());
  CHECK(r.ide.channel(1).medium_present(0));
  // GET EVENT STATUS NOTIFICATION (polled, media class): new media, once.
  p = r.packet({0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8}, 0xFFFE);
  CHECK(p.data == std::vector<uint8_t>{0, 6, 0x04, 0x10, 0x02, 0x02, 0, 0});
  p = r.packet({0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8}, 0xFFFE);
  CHECK(p.data[4] == 0x00);
  CHECK(r.packet({0x4A, 0x00, 0, 0, 0x10, 0, 0, 0, 8}, 0xFFFE).status == 0x51);  // async
  // The first other command gets UNIT ATTENTION; then the unit is ready.
  p = r.packet({0x00}, 0);
  CHECK(p.status == 0x51);
  CHECK(p.error == 0x60);
  CHECK(r.sense() == std::vector<int>{0x06, 0x28, 0x00});
  p = r.packet({0x00}, 0);
  CHECK(p.status == 0x50);
  CHECK(p.irqs == 1);
  CHECK(cd_match(r.packet(read10(3, 1), 2048).data, 3, 1));
  // REQUEST SENSE reports a pending UNIT ATTENTION itself.
  r.ide.channel(1).insert_medium(0, r.img.get());
  CHECK(r.sense() == std::vector<int>{0x06, 0x28, 0x00});
  CHECK(r.packet({0x00}, 0).status == 0x50);

  // PREVENT MEDIUM REMOVAL blocks START STOP UNIT's eject.
  CHECK(r.packet({0x1E, 0, 0, 0, 1}, 0).status == 0x50);
  p = r.packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 28}, 0xFFFE);  // MODE SENSE(10) capabilities
  REQUIRE(p.data.size() == 28);
  CHECK(p.data[8] == 0x2A);
  CHECK(p.data[14] == 0x2B);  // tray, eject, lock, locked
  CHECK(r.packet({0x1B, 0, 0, 0, 0x02}, 0).status == 0x51);
  CHECK(r.sense() == std::vector<int>{0x05, 0x53, 0x02});
  CHECK(r.packet({0x1E, 0, 0, 0, 0}, 0).status == 0x50);
  CHECK(r.packet({0x1B, 0, 0, 0, 0x02}, 0).status == 0x50);
  CHECK_FALSE(r.ide.channel(1).medium_present(0));
  CHECK(r.sense() == std::vector<int>{0x00, 0x00, 0x00});
  r.packet({0x00}, 0);
  CHECK(r.sense() == std::vector<int>{0x02, 0x3A, 0x02});  // tray open
  p = r.packet({0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8}, 0xFFFE);  // MECHANISM STATUS
  CHECK(p.data[1] == 0x10);
  // Closing the tray brings the disc back with UNIT ATTENTION.
  CHECK(r.packet({0x1B, 0, 0, 0, 0x03}, 0).status == 0x50);
  CHECK(r.packet({0x00}, 0).error == 0x60);
  CHECK(r.packet({0x00}, 0).status == 0x50);
  // A host eject: media removal event, NOT READY.
  r.ide.channel(1).eject_medium(0);
  p = r.packet({0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8}, 0xFFFE);
  CHECK(p.data == std::vector<uint8_t>{0, 6, 0x04, 0x10, 0x03, 0x01, 0, 0});
  CHECK(r.packet({0x00}, 0).error == 0x20);
}

TEST_CASE("ide: ATAPI MODE SENSE, GET CONFIGURATION, disc information, bad opcodes") {
  CdRig r;
  // All pages: header, error recovery (01h), capabilities (2Ah).
  auto p = r.packet({0x5A, 0, 0x3F, 0, 0, 0, 0, 0x01, 0x00}, 0xFFFE);
  REQUIRE(p.data.size() == 8 + 12 + 20);
  CHECK(p.data[1] == 38);
  CHECK(p.data[2] == 0x01);  // 120 mm data disc
  CHECK(p.data[8] == 0x01);
  CHECK(p.data[9] == 0x0A);
  CHECK(p.data[20] == 0x2A);
  CHECK(p.data[21] == 0x12);
  // Changeable values: all zero; saved values: not supported.
  p = r.packet({0x5A, 0, 0x41, 0, 0, 0, 0, 0, 20}, 0xFFFE);
  CHECK(p.data[8] == 0x01);
  CHECK(p.data[11] == 0x00);
  CHECK(r.packet({0x5A, 0, 0xC1, 0, 0, 0, 0, 0, 20}, 0xFFFE).status == 0x51);
  CHECK(r.sense() == std::vector<int>{0x05, 0x39, 0x00});
  CHECK(r.packet({0x5A, 0, 0x05, 0, 0, 0, 0, 0, 20}, 0xFFFE).status == 0x51);
  // GET CONFIGURATION: current profile CD-ROM; the profile list feature.
  p = r.packet({0x46, 0x02, 0, 0, 0, 0, 0, 0, 16}, 0xFFFE);
  REQUIRE(p.data.size() == 16);
  CHECK(p.data[3] == 12);
  CHECK(p.data[7] == 0x08);
  CHECK(p.data[9] == 0x00);  // feature 0
  CHECK(p.data[11] == 4);
  CHECK(p.data[13] == 0x08);  // profile 0008h, current
  CHECK(p.data[14] == 0x01);
  p = r.packet({0x46, 0x00, 0, 0, 0, 0, 0, 0x01, 0x00}, 0xFFFE);
  CHECK(p.data.size() == 8 + 8 + 12 + 8 + 12 + 8);
  // READ DISC INFORMATION: complete disc, one session.
  p = r.packet({0x51, 0, 0, 0, 0, 0, 0, 0, 34}, 0xFFFE);
  REQUIRE(p.data.size() == 34);
  CHECK(p.data[1] == 32);
  CHECK(p.data[2] == 0x0E);
  CHECK(p.data[4] == 1);
  // Unknown opcodes: CHECK CONDITION, ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE.
  for (uint8_t op : {0x1A, 0x2A, 0x55, 0xFF}) {
    p = r.packet({op}, 0xFFFE);
    CHECK(p.status == 0x51);
    CHECK(p.error == 0x50);
    CHECK(r.sense() == std::vector<int>{0x05, 0x20, 0x00});
  }
}
