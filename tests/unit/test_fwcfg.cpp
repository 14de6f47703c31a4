// devices::FwCfg read the way SeaBIOS's paravirt.c reads it: a 16-bit select
// on 0x510, then bytes from 0x511.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "devices/fwcfg.h"
#include "devices/iobus.h"

using devices::FwCfg;

namespace {

struct Rig {
  devices::IoBus io;
  FwCfg fw;
  explicit Rig(uint64_t ram = 32u << 20, uint16_t cpus = 1) : fw(ram, cpus) { fw.map(io); }
  std::vector<uint8_t> read(uint16_t key, size_t n) {
    io.out(0x510, 2, key);
    return more(n);
  }
  std::vector<uint8_t> more(size_t n) {
    std::vector<uint8_t> v;
    for (size_t i = 0; i < n; ++i) v.push_back(uint8_t(io.in(0x511, 1)));
    return v;
  }
  static uint64_t le(const std::vector<uint8_t>& v, size_t at, unsigned n) {
    uint64_t x = 0;
    for (unsigned i = 0; i < n; ++i) x |= uint64_t(v[at + i]) << (8 * i);
    return x;
  }
  static uint64_t be(const std::vector<uint8_t>& v, size_t at, unsigned n) {
    uint64_t x = 0;
    for (unsigned i = 0; i < n; ++i) x = x << 8 | v[at + i];
    return x;
  }
  struct DirEntry {
    uint32_t size;
    uint16_t select;
    std::string name;
  };
  // qemu_cfg_init's walk of the file directory.
  std::vector<DirEntry> directory() {
    uint32_t count = uint32_t(be(read(FwCfg::kFileDir, 4), 0, 4));
    std::vector<DirEntry> out;
    for (uint32_t i = 0; i < count; ++i) {
      std::vector<uint8_t> e = more(64);
      CHECK(be(e, 6, 2) == 0u);  // reserved
      out.push_back({uint32_t(be(e, 0, 4)), uint16_t(be(e, 4, 2)),
                     std::string(reinterpret_cast<const char*>(&e[8]), strnlen(reinterpret_cast<const char*>(&e[8]), 56))});
    }
    return out;
  }
};

}  // namespace

TEST_CASE("fwcfg: signature, id and the numeric items") {
  Rig r(64u << 20, 1);
  CHECK(r.read(FwCfg::kSignature, 5) == std::vector<uint8_t>{'Q', 'E', 'M', 'U', 0});
  std::vector<uint8_t> id = r.read(FwCfg::kId, 4);
  CHECK(Rig::le(id, 0, 4) == 1u);  // traditional interface; bit 1 (DMA) clear
  CHECK(Rig::le(r.read(FwCfg::kRamSize, 8), 0, 8) == (64ull << 20));
  CHECK(Rig::le(r.read(FwCfg::kNbCpus, 2), 0, 2) == 1u);
  CHECK(Rig::le(r.read(FwCfg::kMaxCpus, 2), 0, 2) == 1u);
  CHECK(Rig::le(r.read(FwCfg::kBootMenu, 2), 0, 2) == 0u);  // no "Press ESC" wait
  CHECK(Rig::le(r.read(FwCfg::kNoGraphic, 2), 0, 2) == 0u);
  r.fw.set_boot_menu(true);
  r.fw.set_nographic(true);
  CHECK(r.read(FwCfg::kBootMenu, 3) == std::vector<uint8_t>{1, 0, 0});
  CHECK(r.read(FwCfg::kNoGraphic, 2) == std::vector<uint8_t>{1, 0});
  // Items SeaBIOS asks for that we do not have read as zeros (NUMA count,
  // ACPI table and SMBIOS entry counts, the legacy e820 table).
  CHECK(r.read(0x000D, 8) == std::vector<uint8_t>(8, 0));
  CHECK(r.read(0x8000, 2) == std::vector<uint8_t>(2, 0));
  CHECK(r.read(0x8001, 2) == std::vector<uint8_t>(2, 0));
  CHECK(r.read(0x8003, 4) == std::vector<uint8_t>(4, 0));
  CHECK(r.read(0xFFFF, 1) == std::vector<uint8_t>{0});
}

TEST_CASE("fwcfg: selector semantics and port widths") {
  Rig r;
  CHECK(r.read(FwCfg::kSignature, 2) == std::vector<uint8_t>{'Q', 'E'});
  CHECK(r.fw.offset() == 2u);
  // Selecting again rewinds, even the same item.
  CHECK(r.read(FwCfg::kSignature, 1) == std::vector<uint8_t>{'Q'});
  // The write-channel bit does not change which item is read.
  CHECK(r.read(0x4000 | FwCfg::kSignature, 4) == std::vector<uint8_t>{'Q', 'E', 'M', 'U'});
  // A byte write to 0x510 does not select; writes to 0x511 are dropped.
  r.io.out(0x510, 2, FwCfg::kId);
  r.io.out(0x510, 1, FwCfg::kSignature);
  CHECK(r.fw.selector() == FwCfg::kId);
  r.io.out(0x511, 1, 0x77);
  CHECK(r.more(4) == std::vector<uint8_t>{1, 0, 0, 0});
  // A dword write selects with its low 16 bits.
  r.io.out(0x510, 4, 0xABCD0000u | FwCfg::kSignature);
  CHECK(r.fw.selector() == FwCfg::kSignature);
  // 0x510 is write-only; a word read of 0x511 yields one data byte.
  CHECK(r.io.in(0x510, 1) == 0xFFu);
  CHECK(r.io.in(0x511, 2) == 0xFF51u);  // 'Q'
  CHECK(r.more(1) == std::vector<uint8_t>{'E'});
  // Power-on selection is the signature.
  FwCfg fresh(1u << 20);
  CHECK(fresh.read_data() == 'Q');
}

TEST_CASE("fwcfg: file directory as SeaBIOS walks it") {
  Rig r;
  CHECK(r.directory().empty());
  uint16_t a = r.fw.add_file("etc/zz-last", {1, 2, 3});
  uint16_t b = r.fw.add_file("bootorder", {'x', 0});
  uint16_t c = r.fw.add_file_int("etc/boot-fail-wait", 5000, 4);
  CHECK(a == 0x20);
  CHECK(b == 0x21);
  CHECK(c == 0x22);
  std::vector<Rig::DirEntry> dir = r.directory();
  REQUIRE(dir.size() == 3);
  CHECK(dir[0].name == "bootorder");  // sorted by name
  CHECK(dir[0].select == b);
  CHECK(dir[0].size == 2u);
  CHECK(dir[1].name == "etc/boot-fail-wait");
  CHECK(dir[1].size == 4u);
  CHECK(dir[2].name == "etc/zz-last");
  CHECK(dir[2].select == 0x20);
  CHECK(Rig::le(r.read(c, 4), 0, 4) == 5000u);
  CHECK(r.read(a, 4) == std::vector<uint8_t>{1, 2, 3, 0});
  // Replacing keeps the selector and updates the size.
  CHECK(r.fw.add_file("etc/zz-last", {9, 9, 9, 9, 9}) == 0x20);
  dir = r.directory();
  REQUIRE(dir.size() == 3);
  CHECK(dir[2].size == 5u);
  // Names: 55 bytes fit (56 with the NUL), 56 do not.
  std::string longest(55, 'n');
  uint16_t k = r.fw.add_file(longest, {});
  dir = r.directory();
  REQUIRE(dir.size() == 4);
  CHECK(dir[3].name == longest);
  CHECK(dir[3].select == k);
  CHECK(dir[3].size == 0u);
  CHECK_THROWS(r.fw.add_file(std::string(56, 'n'), {}));
  CHECK_THROWS(r.fw.add_file("", {}));
  CHECK_THROWS(r.fw.set_item(FwCfg::kFileDir, {}));
}

TEST_CASE("fwcfg: etc/e820 in SeaBIOS's 20-byte entry format") {
  Rig r;
  std::vector<FwCfg::E820Entry> e = FwCfg::pc_e820(32u << 20);
  REQUIRE(e.size() == 3);
  r.fw.set_e820(e);
  std::vector<Rig::DirEntry> dir = r.directory();
  REQUIRE(dir.size() == 1);
  CHECK(dir[0].name == "etc/e820");
  REQUIRE(dir[0].size == 60u);
  std::vector<uint8_t> t = r.read(dir[0].select, 60);
  CHECK(Rig::le(t, 0, 8) == 0u);
  CHECK(Rig::le(t, 8, 8) == 0xA0000u);
  CHECK(Rig::le(t, 16, 4) == 1u);  // RAM
  CHECK(Rig::le(t, 20, 8) == 0xA0000u);
  CHECK(Rig::le(t, 28, 8) == 0x60000u);
  CHECK(Rig::le(t, 36, 4) == 2u);  // reserved
  CHECK(Rig::le(t, 40, 8) == 0x100000u);
  CHECK(Rig::le(t, 48, 8) == (32u << 20) - 0x100000u);
  CHECK(Rig::le(t, 56, 4) == 1u);
  // SeaBIOS's RamSize: the end of the highest RAM entry below 4 GiB.
  CHECK(Rig::le(t, 40, 8) + Rig::le(t, 48, 8) == (32u << 20));
  // Tiny machines get no high entry.
  CHECK(FwCfg::pc_e820(512u << 10).size() == 2u);
  CHECK(FwCfg::pc_e820(512u << 10)[0].length == (512u << 10));
}

TEST_CASE("fwcfg: bootorder with the device paths SeaBIOS builds") {
  CHECK(FwCfg::floppy_path(0) == "/pci@i0cf8/isa@1/fdc@03f0/floppy@0");
  CHECK(FwCfg::floppy_path(1) == "/pci@i0cf8/isa@1/fdc@03f0/floppy@1");
  CHECK(FwCfg::ata_path(0, 0) == "/pci@i0cf8/ide@1,1/drive@0/disk@0");
  CHECK(FwCfg::ata_path(1, 0) == "/pci@i0cf8/ide@1,1/drive@1/disk@0");
  CHECK(FwCfg::ata_path(0, 1) == "/pci@i0cf8/ide@1,1/drive@0/disk@1");
  Rig r;
  r.fw.set_boot_order({FwCfg::ata_path(1, 0), FwCfg::floppy_path(0)});
  std::vector<Rig::DirEntry> dir = r.directory();
  REQUIRE(dir.size() == 1);
  CHECK(dir[0].name == "bootorder");
  std::string want = "/pci@i0cf8/ide@1,1/drive@1/disk@0\n/pci@i0cf8/isa@1/fdc@03f0/floppy@0";
  REQUIRE(dir[0].size == want.size() + 1);
  std::vector<uint8_t> got = r.read(dir[0].select, dir[0].size);
  CHECK(std::string(got.begin(), got.end() - 1) == want);
  CHECK(got.back() == 0);
  // Strict order ends with HALT; setting it again replaces the file.
  r.fw.set_boot_order({FwCfg::ata_path(0, 0)}, true);
  dir = r.directory();
  REQUIRE(dir.size() == 1);
  got = r.read(dir[0].select, dir[0].size);
  CHECK(std::string(got.begin(), got.end()) == std::string("/pci@i0cf8/ide@1,1/drive@0/disk@0\nHALT\0", 39));
}
