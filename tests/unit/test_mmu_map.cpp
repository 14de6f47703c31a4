// mmu::Memory as a physical map: RAM, ROM, PAM shadowing, MMIO splitting,
// unassigned space, A20, map-change notifications and code-chunk tracking.
#include <doctest/doctest.h>

#include <stdexcept>
#include <tuple>
#include <vector>

#include "mmu/memory.h"

namespace {

// Records every call; reads return a pattern derived from the offset so that
// combined results show which bytes came from which call.
struct RecordingDevice : mmu::MmioHandler {
  unsigned w;
  std::vector<std::tuple<char, uint32_t, unsigned, uint64_t>> calls;  // ('r'|'w', offset, size, value)
  uint8_t regs[64] = {};
  explicit RecordingDevice(unsigned widths) : w(widths) {
    for (unsigned k = 0; k < sizeof regs; ++k) regs[k] = uint8_t(0xA0 + k);
  }
  unsigned widths() const override { return w; }
  uint64_t read(uint32_t off, unsigned size) override {
    uint64_t v = 0;
    for (unsigned k = 0; k < size; ++k) v |= uint64_t(regs[(off + k) % 64]) << (8 * k);
    calls.emplace_back('r', off, size, v);
    return v;
  }
  void write(uint32_t off, unsigned size, uint64_t value) override {
    for (unsigned k = 0; k < size; ++k) regs[(off + k) % 64] = uint8_t(value >> (8 * k));
    calls.emplace_back('w', off, size, value);
  }
};

struct CountingObserver : mmu::MapObserver {
  int changes = 0;
  std::vector<uint32_t> marked;
  void map_changed() override { ++changes; }
  void code_page_marked(uint32_t page) override { marked.push_back(page); }
};

struct CodeLog : mmu::CodeListener {
  std::vector<std::pair<uint32_t, unsigned>> writes;
  void code_written(uint32_t paddr, unsigned size) override { writes.emplace_back(paddr, size); }
};

std::vector<uint8_t> rom_image(uint32_t size, uint8_t seed) {
  std::vector<uint8_t> v(size);
  for (uint32_t k = 0; k < size; ++k) v[k] = uint8_t(seed + k * 7);
  return v;
}

}  // namespace

TEST_CASE("mmu map: RAM below ram_size, unassigned above reads all ones and drops writes") {
  mmu::Memory m(1u << 20);
  m.write<uint32_t>(0x1234, 0xDEADBEEF);
  CHECK(m.read<uint32_t>(0x1234) == 0xDEADBEEFu);
  CHECK(m.read_source(0x1000) == mmu::Memory::Source::Ram);
  CHECK(m.read_source(0x100000) == mmu::Memory::Source::Unassigned);
  CHECK(m.read<uint8_t>(0x100000) == 0xFF);
  CHECK(m.read<uint16_t>(0x200000) == 0xFFFF);
  CHECK(m.read<uint32_t>(0x80000000u) == 0xFFFFFFFFu);
  CHECK(m.read<uint64_t>(0xFFFFF000u) == ~0ull);
  m.write<uint32_t>(0x100000, 0);
  CHECK(m.read<uint32_t>(0x100000) == 0xFFFFFFFFu);
  // A dword straddling the end of RAM: the RAM byte plus three unassigned bytes.
  m.write<uint8_t>(0xFFFFF, 0x5A);
  CHECK(m.read<uint32_t>(0xFFFFF) == 0xFFFFFF5Au);
  // PAE physical addresses above 4 GiB are unassigned.
  CHECK(m.read_phys(0x100000000ull, 4) == 0xFFFFFFFFu);
}

TEST_CASE("mmu map: RAM size not a page multiple") {
  mmu::Memory m(0x1800);
  m.write<uint16_t>(0x17FE, 0x1122);
  CHECK(m.read<uint16_t>(0x17FE) == 0x1122);
  CHECK(m.read<uint16_t>(0x17FF) == 0xFF11);
  m.write<uint16_t>(0x17FF, 0x3344);  // the byte past RAM is dropped
  CHECK(m.read<uint8_t>(0x17FF) == 0x44);
  CHECK(m.read<uint8_t>(0x1800) == 0xFF);
}

TEST_CASE("mmu map: ROM below 1 MiB and aliased at the top of 4 GiB, writes ignored") {
  mmu::Memory m(2u << 20);
  m.write<uint32_t>(0xF0000, 0x11111111);  // RAM under the ROM
  auto img = rom_image(0x10000, 3);
  int rom = m.add_rom(img.data(), uint32_t(img.size()));
  m.map_rom(0xF0000, 0x10000, rom);
  m.map_rom(0xFFFF0000u, 0x10000, rom);
  CHECK(m.read_source(0xF0000) == mmu::Memory::Source::Rom);
  CHECK(m.read<uint8_t>(0xF0000) == img[0]);
  CHECK(m.read<uint32_t>(0xFFFF0) == (img[0xFFF0] | img[0xFFF1] << 8 | img[0xFFF2] << 16 | uint32_t(img[0xFFF3]) << 24));
  CHECK(m.read<uint32_t>(0xFFFFFFF0u) == m.read<uint32_t>(0xFFFF0));
  m.write<uint32_t>(0xF0010, 0);
  m.write<uint8_t>(0xFFFFFFF0u, uint8_t(~img[0xFFF0]));
  CHECK(m.read<uint8_t>(0xF0010) == img[0x10]);
  CHECK(m.read<uint8_t>(0xFFFFFFF0u) == img[0xFFF0]);
  // A ROM mapping larger than its image reads 0xFF past the end.
  m.map_rom(0xE0000, 0x10000, rom, 0xF000);
  CHECK(m.read<uint8_t>(0xE0000) == img[0xF000]);
  CHECK(m.read<uint8_t>(0xE1000) == 0xFF);
  // Unmapping shows the RAM underneath again, unchanged.
  m.unmap(0xF0000, 0x10000);
  CHECK(m.read<uint32_t>(0xF0000) == 0x11111111u);
  CHECK_THROWS_AS(m.map_rom(0xF0800, 0x1000, rom), std::invalid_argument);
  CHECK_THROWS_AS(m.map_rom(0xF0000, 0x1000, 7), std::out_of_range);
}

TEST_CASE("mmu map: PAM shadowing switches reads and writes between ROM and RAM") {
  mmu::Memory m(2u << 20);
  auto img = rom_image(0x10000, 0x40);
  int rom = m.add_rom(img.data(), uint32_t(img.size()));
  m.map_rom(0xF0000, 0x10000, rom);
  // Reset state of the i440FX: everything goes to the ROM.
  m.set_shadow(0xF0000, 0x10000, false, false);
  m.write<uint32_t>(0xF1000, 0xCAFEF00D);
  CHECK(m.read<uint32_t>(0xF1000) != 0xCAFEF00Du);
  CHECK(m.read<uint8_t>(0xF1000) == img[0x1000]);
  // Write-only to RAM (the BIOS copies itself): reads still see ROM.
  m.set_shadow(0xF0000, 0x10000, false, true);
  m.write<uint32_t>(0xF1000, 0xCAFEF00D);
  CHECK(m.read<uint8_t>(0xF1000) == img[0x1000]);
  CHECK(m.write_source(0xF1000) == mmu::Memory::Source::Ram);
  // Read from RAM, writes ignored (write-protected shadow).
  m.set_shadow(0xF0000, 0x10000, true, false);
  CHECK(m.read<uint32_t>(0xF1000) == 0xCAFEF00Du);
  m.write<uint32_t>(0xF1000, 0x12345678);
  CHECK(m.read<uint32_t>(0xF1000) == 0xCAFEF00Du);
  // Both to RAM.
  m.set_shadow(0xF0000, 0x10000, true, true);
  m.write<uint32_t>(0xF1000, 0x12345678);
  CHECK(m.read<uint32_t>(0xF1000) == 0x12345678u);
  // 16 KiB granularity below 0xF0000; without an overlay the PCI side is unassigned.
  m.write<uint8_t>(0xC4000, 0x77);
  m.set_shadow(0xC4000, 0x4000, false, false);
  CHECK(m.read<uint8_t>(0xC4000) == 0xFF);
  m.write<uint8_t>(0xC4000, 0x99);
  CHECK(m.read<uint8_t>(0xC0000) == 0x00);  // neighbouring 16 KiB piece is untouched RAM
  m.clear_shadow(0xC4000, 0x4000);
  CHECK(m.read<uint8_t>(0xC4000) == 0x77);
}

TEST_CASE("mmu map: MMIO accesses are split into the widths the device implements") {
  mmu::Memory m(1u << 20);
  RecordingDevice byte_dev(1), dword_dev(4), any_dev(1 | 2 | 4);
  m.map_mmio(0xA0000, 0x1000, &byte_dev);
  m.map_mmio(0xA1000, 0x1000, &dword_dev);
  m.map_mmio(0xA2000, 0x1000, &any_dev);
  CHECK(m.read_source(0xA0000) == mmu::Memory::Source::Mmio);

  SUBCASE("a dword read of a byte-wide device is four byte reads, combined little-endian") {
    CHECK(m.read<uint32_t>(0xA0004) == 0xA7A6A5A4u);
    REQUIRE(byte_dev.calls.size() == 4);
    for (unsigned k = 0; k < 4; ++k) {
      CHECK(std::get<0>(byte_dev.calls[k]) == 'r');
      CHECK(std::get<1>(byte_dev.calls[k]) == 4 + k);
      CHECK(std::get<2>(byte_dev.calls[k]) == 1);
    }
  }
  SUBCASE("a dword write to a byte-wide device is four byte writes") {
    m.write<uint32_t>(0xA0010, 0x44332211);
    REQUIRE(byte_dev.calls.size() == 4);
    for (unsigned k = 0; k < 4; ++k) {
      CHECK(std::get<1>(byte_dev.calls[k]) == 0x10 + k);
      CHECK(std::get<3>(byte_dev.calls[k]) == 0x11 * (k + 1));
    }
  }
  SUBCASE("an unaligned dword on a 1/2/4-wide device becomes 1+2+1") {
    CHECK(m.read<uint32_t>(0xA2001) == 0xA4A3A2A1u);
    REQUIRE(any_dev.calls.size() == 3);
    CHECK(std::get<1>(any_dev.calls[0]) == 1);
    CHECK(std::get<2>(any_dev.calls[0]) == 1);
    CHECK(std::get<1>(any_dev.calls[1]) == 2);
    CHECK(std::get<2>(any_dev.calls[1]) == 2);
    CHECK(std::get<1>(any_dev.calls[2]) == 4);
    CHECK(std::get<2>(any_dev.calls[2]) == 1);
  }
  SUBCASE("an aligned dword on a 1/2/4-wide device is one call") {
    m.write<uint32_t>(0xA2008, 0x01020304);
    REQUIRE(any_dev.calls.size() == 1);
    CHECK(std::get<2>(any_dev.calls[0]) == 4);
  }
  SUBCASE("a qword read of a dword-wide device is two dword reads") {
    CHECK(m.read<uint64_t>(0xA1008) == 0xAFAEADACABAAA9A8ull);
    REQUIRE(dword_dev.calls.size() == 2);
    CHECK(std::get<1>(dword_dev.calls[0]) == 8);
    CHECK(std::get<1>(dword_dev.calls[1]) == 12);
  }
  SUBCASE("a narrow access to a dword-only device is widened (read-modify-write)") {
    CHECK(m.read<uint16_t>(0xA1001) == 0xA2A1);
    REQUIRE(dword_dev.calls.size() == 1);
    CHECK(std::get<1>(dword_dev.calls[0]) == 0);
    CHECK(std::get<2>(dword_dev.calls[0]) == 4);
    dword_dev.calls.clear();
    m.write<uint16_t>(0xA1001, 0x5566);
    REQUIRE(dword_dev.calls.size() == 2);
    CHECK(std::get<0>(dword_dev.calls[1]) == 'w');
    CHECK(std::get<2>(dword_dev.calls[1]) == 4);
    CHECK(std::get<3>(dword_dev.calls[1]) == 0xA3556600u + 0xA0);
  }
  SUBCASE("an access straddling RAM and a device splits at the page") {
    m.write<uint16_t>(0x9FFFE, 0xBBAA);
    CHECK(m.read<uint32_t>(0x9FFFE) == 0xA1A0BBAAu);
    REQUIRE(byte_dev.calls.size() == 2);
    CHECK(std::get<1>(byte_dev.calls[0]) == 0);
  }
  SUBCASE("unmapping the device restores RAM") {
    m.unmap(0xA0000, 0x3000);
    m.write<uint32_t>(0xA0000, 0x01020304);
    CHECK(m.read<uint32_t>(0xA0000) == 0x01020304u);
    CHECK(byte_dev.calls.empty());
  }
}

TEST_CASE("mmu map: A20 and map changes bump the generation and notify observers") {
  mmu::Memory m(2u << 20);
  CountingObserver obs;
  m.add_observer(&obs);
  uint64_t g = m.generation();
  m.set_a20(true);  // no change
  CHECK(obs.changes == 0);
  m.set_a20(false);
  CHECK(obs.changes == 1);
  CHECK(m.generation() == g + 1);
  m.write<uint8_t>(0x000005, 0x11);
  CHECK(m.read<uint8_t>(0x100005) == 0x11);
  m.set_a20(true);
  CHECK(obs.changes == 2);
  RecordingDevice dev(1);
  m.map_mmio(0xB8000, 0x8000, &dev);
  m.unmap(0xB8000, 0x8000);
  m.set_shadow(0xF0000, 0x10000, true, false);
  CHECK(obs.changes == 5);
  CHECK(m.generation() == g + 5);
  m.remove_observer(&obs);
  m.set_a20(false);
  CHECK(obs.changes == 5);
}

TEST_CASE("mmu map: page_info tells a TLB what may be accessed directly") {
  mmu::Memory m(2u << 20);
  auto img = rom_image(0x10000, 9);
  int rom = m.add_rom(img.data(), uint32_t(img.size()));
  m.map_rom(0xF0000, 0x10000, rom);
  RecordingDevice dev(4);
  m.map_mmio(0xA0000, 0x1000, &dev);
  mmu::PageInfo ram = m.page_info(0x5000);
  CHECK(ram.read_host == m.ram() + 0x5000);
  CHECK(ram.write_host == m.ram() + 0x5000);
  CHECK_FALSE(ram.code);
  mmu::PageInfo r = m.page_info(0xF2000);
  CHECK(r.read_host == m.rom_data(rom) + 0x2000);
  CHECK(r.write_host == nullptr);
  mmu::PageInfo d = m.page_info(0xA0000);
  CHECK(d.read_host == nullptr);
  CHECK(d.write_host == nullptr);
  m.set_shadow(0xF0000, 0x10000, false, true);
  CHECK(m.page_info(0xF2000).write_host == m.ram() + 0xF2000);
  m.mark_code(0x5010, 1);
  CHECK(m.page_info(0x5000).code);
  CHECK(m.page_info(0x5000).write_host == m.ram() + 0x5000);
  CHECK(m.page_info(0x300000).read_host == nullptr);
}

TEST_CASE("mmu map: code tracking reports writes at 128-byte granularity") {
  mmu::Memory m(1u << 20);
  CodeLog log;
  CountingObserver obs;
  m.set_code_listener(&log);
  m.add_observer(&obs);
  m.mark_code(0x3080, 0x10);  // chunk 1 of page 3
  CHECK(m.code_mask(3) == 0x2u);
  CHECK(m.is_code_page(3));
  CHECK(obs.marked == std::vector<uint32_t>{3});
  m.mark_code(0x3100, 1);  // a second chunk on the same page: no new page notification
  CHECK(obs.marked.size() == 1);
  CHECK(m.code_mask(3) == 0x6u);

  m.write<uint32_t>(0x3000, 1);  // chunk 0: not code
  m.write<uint32_t>(0x307C, 2);  // bytes 0x7C..0x7F: still chunk 0
  CHECK(log.writes.empty());
  m.write<uint16_t>(0x307F, 3);  // bytes 0x7F..0x80 touch chunk 1
  REQUIRE(log.writes.size() == 1);
  CHECK(log.writes[0] == std::make_pair(0x307Fu, 2u));
  CHECK(m.read<uint16_t>(0x307F) == 3);  // the write itself happened
  m.write<uint8_t>(0x3180, 4);  // chunk 3: not code
  CHECK(log.writes.size() == 1);
  m.write<uint8_t>(0x3100, 5);
  CHECK(log.writes.size() == 2);

  m.unmark_code(0x3080, 0x80);
  CHECK(m.code_mask(3) == 0x4u);
  m.write<uint8_t>(0x3090, 6);
  CHECK(log.writes.size() == 2);
  CHECK(m.is_code(0x3000, 0x1000));
  CHECK_FALSE(m.is_code(0x3000, 0x100));

  // Whole-page forms.
  m.mark_code_page(7);
  CHECK(m.code_mask(7) == 0xFFFFFFFFu);
  m.write<uint8_t>(0x7FFF, 1);
  CHECK(log.writes.back() == std::make_pair(0x7FFFu, 1u));
  m.unmark_code_page(7);
  CHECK_FALSE(m.is_code_page(7));
  // A write crossing into a marked page reports only the part on that page.
  m.mark_code(0x8000, 1);
  m.write<uint32_t>(0x7FFE, 0);
  CHECK(log.writes.back() == std::make_pair(0x8000u, 2u));

  // Bulk loads report the marked chunks they overwrite.
  size_t before = log.writes.size();
  uint8_t buf[0x200] = {};
  m.load(0x3000, buf, 0x100);  // chunks 0 and 1 (unmarked now)
  CHECK(log.writes.size() == before);
  m.load(0x3000, buf, 0x101);  // reaches chunk 2
  REQUIRE(log.writes.size() == before + 1);
  CHECK(log.writes.back() == std::make_pair(0x3000u, 0x101u));
  CHECK_THROWS_AS(m.load(0xFFF00, buf, sizeof buf), std::out_of_range);
}

TEST_CASE("mmu map: switching a code page's read source reports it as written") {
  mmu::Memory m(2u << 20);
  CodeLog log;
  m.set_code_listener(&log);
  auto img = rom_image(0x10000, 1);
  int rom = m.add_rom(img.data(), uint32_t(img.size()));
  m.map_rom(0xF0000, 0x10000, rom);
  m.set_shadow(0xF0000, 0x10000, false, false);
  m.mark_code(0xFE05B, 16);
  m.set_shadow(0xF0000, 0x10000, false, true);  // reads unchanged: nothing to report
  CHECK(log.writes.empty());
  m.set_shadow(0xF0000, 0x10000, true, false);  // reads now come from RAM
  REQUIRE(log.writes.size() == 1);
  CHECK(log.writes[0] == std::make_pair(0xFE000u, mmu::kPageSize));
  // A write dropped by ROM or write-protected shadow RAM changes nothing.
  m.write<uint8_t>(0xFE05B, 0x90);
  CHECK(log.writes.size() == 1);
}
