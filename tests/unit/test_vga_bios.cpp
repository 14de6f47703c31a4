// devices::Vga under the real VGA BIOS (Debian's seabios vgabios-stdvga.bin,
// when installed): the interpreter runs the ROM's initialization and INT 10h
// services against the device, which must end with the expected screen.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "devices/scheduler.h"
#include "devices/vga.h"
#include "test_machine.h"

namespace {

std::vector<uint8_t> vga_bios() {
  std::ifstream in("/usr/share/seabios/vgabios-stdvga.bin", std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

struct BiosRig {
  xt::TestMachine tm;
  devices::Scheduler sched{&tm.c.tsc, 100'000'000};
  std::vector<uint8_t> rom = vga_bios();
  devices::Vga vga{sched, rom};

  BiosRig() {
    vga.map(tm.io);
    vga.map_legacy(tm.mem);
    if (!rom.empty()) tm.mem.load(0xC0000, rom.data(), uint32_t(rom.size()));  // shadowed
    // Every interrupt vector points at an IRET, as before a system BIOS sets them up.
    tm.mem.write<uint8_t>(0x600, 0xCF);
    for (unsigned v = 0; v < 256; ++v) tm.mem.write<uint32_t>(v * 4, 0x00000600);
  }
};

}  // namespace

TEST_CASE("vga: the SeaBIOS VGA BIOS initializes the device, sets mode 3 and prints") {
  BiosRig r;
  if (r.rom.empty()) {
    MESSAGE("vgabios-stdvga.bin not installed: skipped");
    return;
  }
  REQUIRE(r.rom.size() >= 0x8000);
  REQUIRE(r.rom[0] == 0x55);
  REQUIRE(r.rom[1] == 0xAA);
  cpu::Exit e = r.tm.run_code(
      {
          0xB8, 0x10, 0x00,              // mov ax, 0010h (PCI 00:02.0)
          0x9A, 0x03, 0x00, 0x00, 0xC0,  // call far C000:0003 (option ROM init)
          0xB8, 0x03, 0x00,              // mov ax, 0003h
          0xCD, 0x10,                    // int 10h: set mode 3
          0xB8, 0x48, 0x0E, 0xCD, 0x10,  // int 10h AH=0Eh 'H'
          0xB8, 0x69, 0x0E, 0xCD, 0x10,  // 'i'
          0xB8, 0xC9, 0x0E, 0xCD, 0x10,  // CP437 C9h: double box corner
          0xB8, 0x0D, 0x0E, 0xCD, 0x10,  // CR
          0xB8, 0x0A, 0x0E, 0xCD, 0x10,  // LF
          0xB8, 0xB3, 0x0E, 0xCD, 0x10,  // CP437 B3h: vertical line
      },
      50'000'000);
  REQUIRE(e == cpu::Exit::Halted);
  CHECK(r.vga.text_mode());
  CHECK(r.vga.text_cols() == 80);
  CHECK(r.vga.text_rows() == 25);
  std::string dump = r.vga.text_dump();
  CHECK(dump.substr(0, dump.find('\n')) == "Hi╔");
  CHECK(dump.substr(dump.find('\n') + 1, 4) == "│\n");

  // The BIOS loaded its 8x16 font into plane 2: 'H' has lit dots, in the
  // BIOS's light grey (DAC 2Ah) on black, with the 9th column empty.
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 720);
  REQUIRE(f.height == 400);
  unsigned lit = 0, other = 0;
  for (unsigned y = 0; y < 16; ++y)
    for (unsigned x = 0; x < 9; ++x) {
      uint32_t p = f.at(x, y);
      if (p == 0xAAAAAA) ++lit;
      else if (p != 0) ++other;
      if (x == 8) CHECK(p == 0);
    }
  CHECK(lit > 20);
  CHECK(other == 0);
  // The box corner extends into the 9th dot (line graphics).
  bool ninth = false;
  for (unsigned y = 0; y < 16; ++y) ninth |= f.at(2 * 9 + 8, y) == 0xAAAAAA;
  CHECK(ninth);
}

TEST_CASE("vga: the SeaBIOS VGA BIOS sets mode 13h and a VBE 1024x768 mode through dispi") {
  BiosRig r;
  if (r.rom.empty()) {
    MESSAGE("vgabios-stdvga.bin not installed: skipped");
    return;
  }
  cpu::Exit e = r.tm.run_code(
      {
          0xB8, 0x10, 0x00, 0x9A, 0x03, 0x00, 0x00, 0xC0,  // ROM init
          0xB8, 0x13, 0x00, 0xCD, 0x10,                    // mode 13h
          0xB8, 0x0C, 0x0C, 0xB9, 0x05, 0x00, 0xBA, 0x03, 0x00, 0xCD, 0x10,  // pixel (5,3) = 12
          0xF4,
      },
      50'000'000);
  REQUIRE(e == cpu::Exit::Halted);
  CHECK(!r.vga.text_mode());
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 320);
  REQUIRE(f.height == 200);
  CHECK(f.at(5, 3) == 0xFF5555);  // default palette entry 12: light red
  CHECK(f.at(4, 3) == 0);

  r.tm.c.halted = 0;
  r.tm.real_mode();
  e = r.tm.run_code(
      {
          0xB8, 0x02, 0x4F, 0xBB, 0x17, 0x41, 0xCD, 0x10,  // VBE set mode 117h + LFB
      },
      50'000'000);
  REQUIRE(e == cpu::Exit::Halted);
  CHECK((r.tm.r(cpu::EAX) & 0xFFFF) == 0x004F);
  CHECK(r.vga.vbe_enabled());
  CHECK(r.vga.vbe().reg[devices::Vga::kDispiXres] == 1024);
  CHECK(r.vga.vbe().reg[devices::Vga::kDispiYres] == 768);
  CHECK(r.vga.vbe().reg[devices::Vga::kDispiBpp] == 16);
  CHECK(r.vga.render().width == 1024);
}
