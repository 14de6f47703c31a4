// devices::Vga: rendering graphics modes: planar 16 colours (mode 12h), CGA
// 4 colours (mode 4), mode 13h, mode X, and VBE linear modes.
#include <doctest/doctest.h>

#include "test_vga_rig.h"

using vgatest::ega;
using vgatest::rgb6;
using vgatest::Rig;

namespace {

// Mode 12h pixel through set/reset and the bit mask (read to load the latches).
void put12(Rig& r, unsigned x, unsigned y, uint8_t colour) {
  uint32_t a = 0xA0000 + y * 80 + x / 8;
  r.gc(0, colour), r.gc(1, 0x0F), r.gc(8, uint8_t(0x80 >> (x & 7)));
  r.rb(a);
  r.wb(a, 0);
}

void modex(Rig& r) {  // 320x240 unchained 256 colours
  r.program(vgatest::kMode13);
  r.seq(4, 0x06);                    // chain-4 off
  r.crtc(0x14, 0x00), r.crtc(0x17, 0xE3);  // doubleword off, byte mode
  r.out(0x3C2, 0xE3);
  r.crtc(0x11, 0x2C);
  const uint8_t regs[][2] = {{0x06, 0x0D}, {0x07, 0x3E}, {0x10, 0xEA}, {0x11, 0xAC},
                             {0x12, 0xDF}, {0x15, 0xE7}, {0x16, 0x06}};
  for (auto& rv : regs) r.crtc(rv[0], rv[1]);
}

void putx(Rig& r, unsigned x, unsigned y, uint8_t c, uint32_t page = 0) {
  r.seq(2, uint8_t(1u << (x & 3)));
  r.wb(0xA0000 + page + y * 80 + x / 4, c);
}

}  // namespace

TEST_CASE("vga: mode 12h planar 16 colours through the attribute palette") {
  Rig r;
  r.program(vgatest::kMode12);
  r.load_ega_palette();
  put12(r, 0, 0, 14);
  put12(r, 7, 0, 6);
  put12(r, 8, 0, 1);
  put12(r, 639, 479, 15);
  put12(r, 321, 200, 9);
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 640);
  REQUIRE(f.height == 480);
  CHECK(f.at(0, 0) == ega(0x3E));
  CHECK(f.at(1, 0) == 0);
  CHECK(f.at(7, 0) == ega(0x14));  // colour 6 is brown (palette 14h)
  CHECK(f.at(8, 0) == ega(0x01));
  CHECK(f.at(639, 479) == ega(0x3F));
  CHECK(f.at(321, 200) == ega(0x39));
  CHECK(f.at(320, 200) == 0);

  r.ac(0x12, 0x07);  // colour plane enable: plane 3 masked off
  f = r.vga.render();
  CHECK(f.at(0, 0) == ega(0x14));
  CHECK(f.at(321, 200) == ega(0x01));
  r.ac(0x12, 0x0F);
  r.ac(0x10, 0x81), r.ac(0x14, 0x0E);  // P5/P4 from colour select (2), P7/P6 = 3
  r.dac(0xE1, 1, 2, 3);                // C0h | 20h | palette[1] & 0Fh
  f = r.vga.render();
  CHECK(f.at(8, 0) == rgb6(1, 2, 3));
  r.ac(0x10, 0x01), r.ac(0x14, 0x00);
  // Pixel panning by 3 and a split screen below line 99 (line compare bits
  // 8 and 9 live in the overflow and maximum scan line registers).
  put12(r, 100, 51, 12);
  r.crtc(0x11, 0x0C), r.crtc(0x07, 0x2E), r.crtc(0x09, 0x00);
  r.crtc(0x18, 99);
  r.ac(0x13, 0x03);
  r.ac(0x10, 0x21);  // panning applies above the split only
  r.crtc(0x0C, 0x00), r.crtc(0x0D, 0x50);  // upper part starts one line later
  f = r.vga.render();
  CHECK(f.at(97, 50) == ega(0x3C));  // memory line 51 shown as 50, shifted left by 3
  CHECK(f.at(100, 50) == 0);
  CHECK(f.at(0, 100) == ega(0x3E));  // below the split: memory from address 0, no pan
  CHECK(f.at(7, 100) == ega(0x14));
  CHECK(f.at(0, 99) == 0);
}

TEST_CASE("vga: CGA-compatible mode 4 (interleaved 2-bit pixels, odd lines at 2000h)") {
  Rig r;
  r.program(vgatest::kMode4);
  r.load_ega_palette();
  r.wb(0xB8000, 0x1B);  // pixels 0-3: colours 0, 1, 2, 3
  r.wb(0xB8001, 0xFF);  // pixels 4-7: colour 3
  r.wb(0xBA000, 0xC0);  // line 1, pixel 0
  r.wb(0xB8050, 0x10);  // line 2, pixel 1
  r.wb(0xBBF3F, 0x03);  // line 199, pixel 319
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 320);
  REQUIRE(f.height == 200);
  CHECK(f.at(0, 0) == 0);
  CHECK(f.at(1, 0) == ega(0x13));
  CHECK(f.at(2, 0) == ega(0x15));
  CHECK(f.at(3, 0) == ega(0x17));
  CHECK(f.at(4, 0) == ega(0x17));
  CHECK(f.at(7, 0) == ega(0x17));
  CHECK(f.at(8, 0) == 0);
  CHECK(f.at(0, 1) == ega(0x17));
  CHECK(f.at(1, 1) == 0);
  CHECK(f.at(1, 2) == ega(0x13));
  CHECK(f.at(319, 199) == ega(0x17));
}

TEST_CASE("vga: mode 13h pixels, DAC colours, pixel mask and start address") {
  Rig r;
  r.program(vgatest::kMode13);
  r.dac(1, 63, 0, 0), r.dac(2, 0, 63, 0), r.dac(200, 10, 20, 30), r.dac(8, 5, 5, 5);
  r.wb(0xA0000, 1);
  r.wb(0xA0000 + 199 * 320 + 319, 2);
  r.wb(0xA0000 + 45 * 320 + 123, 200);
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 320);
  REQUIRE(f.height == 200);
  CHECK(f.at(0, 0) == 0xFF0000);
  CHECK(f.at(1, 0) == 0);
  CHECK(f.at(319, 199) == 0x00FF00);
  CHECK(f.at(123, 45) == rgb6(10, 20, 30));
  r.out(0x3C6, 0x0F);  // pixel mask: 200 (C8h) shows entry 8
  f = r.vga.render();
  CHECK(f.at(123, 45) == rgb6(5, 5, 5));
  r.out(0x3C6, 0xFF);
  r.crtc(0x0D, 80);  // start address in doublewords: one line (320 bytes) down
  f = r.vga.render();
  CHECK(f.at(123, 44) == rgb6(10, 20, 30));
  r.dispi(Rig::kEnable, devices::Vga::kDac8Bit);  // 8-bit DAC (VBE off)
  r.dac(2, 0x12, 0x34, 0x56);
  f = r.vga.render();
  CHECK(f.at(319, 198) == 0x123456);
}

TEST_CASE("vga: mode X unchained writes, four-pixel writes, latch copies and page flips") {
  Rig r;
  modex(r);
  for (unsigned c = 1; c < 8; ++c) r.dac(uint8_t(c), uint8_t(c * 8), uint8_t(c), 0);
  putx(r, 1, 0, 1);
  putx(r, 2, 239, 2);
  putx(r, 318, 100, 3);
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 320);
  REQUIRE(f.height == 240);
  CHECK(f.at(0, 0) == 0);
  CHECK(f.at(1, 0) == rgb6(8, 1, 0));
  CHECK(f.at(2, 239) == rgb6(16, 2, 0));
  CHECK(f.at(318, 100) == rgb6(24, 3, 0));
  CHECK(f.at(319, 100) == 0);

  r.seq(2, 0x0F);
  r.wb(0xA0000 + 10 * 80 + 5, 4);  // all planes: pixels 20-23
  r.gc(5, 0x41);                   // write mode 1, keeping the 256-colour shift mode
  r.rb(0xA0000 + 10 * 80 + 5);
  r.wb(0xA0000 + 20 * 80 + 7, 0);  // copy to pixels 28-31 of line 20
  r.gc(5, 0x40);
  putx(r, 0, 0, 5, 80 * 240);  // page 2
  f = r.vga.render();
  for (unsigned x = 19; x <= 24; ++x) CHECK(f.at(x, 10) == (x >= 20 && x <= 23 ? rgb6(32, 4, 0) : 0));
  for (unsigned x = 27; x <= 32; ++x) CHECK(f.at(x, 20) == (x >= 28 && x <= 31 ? rgb6(32, 4, 0) : 0));
  r.crtc(0x0C, (80 * 240) >> 8), r.crtc(0x0D, (80 * 240) & 0xFF);
  f = r.vga.render();
  CHECK(f.at(0, 0) == rgb6(40, 5, 0));
  CHECK(f.at(1, 0) == 0);
}

TEST_CASE("vga: VBE 1024x768x32 through dispi with LFB writes") {
  Rig r;
  r.mem.map_mmio(0xE0000000, r.vga.vram_size(), &r.vga.lfb());
  r.mem.write<uint32_t>(0xE0000000, 0xDEADBEEF);
  r.dispi(Rig::kXres, 1024), r.dispi(Rig::kYres, 768), r.dispi(Rig::kBpp, 32);
  r.dispi(Rig::kEnable, devices::Vga::kEnabled | devices::Vga::kLfbEnabled);
  CHECK(r.mem.read<uint32_t>(0xE0000000) == 0);  // enabling cleared the screen
  auto px = [&](unsigned x, unsigned y) { return 0xE0000000 + (y * 1024 + x) * 4; };
  r.mem.write<uint32_t>(px(500, 300), 0x00123456);
  r.mem.write<uint32_t>(px(1023, 767), 0x00FFFFFF);
  r.mem.write<uint64_t>(px(0, 1), 0x00AABBCC00010203ull);
  CHECK(!r.vga.text_mode());
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 1024);
  REQUIRE(f.height == 768);
  CHECK(f.at(500, 300) == 0x123456);
  CHECK(f.at(1023, 767) == 0xFFFFFF);
  CHECK(f.at(0, 1) == 0x010203);
  CHECK(f.at(1, 1) == 0xAABBCC);
  CHECK(f.at(0, 0) == 0);
  r.dispi(Rig::kBank, 1);
  r.wb(0xA0000 + 8, 0x77);  // banked window: VRAM 10008h = pixel 4002h = (2, 16)
  f = r.vga.render();
  CHECK(f.at(2, 16) == 0x000077);
  r.dispi(Rig::kYOffset, 1);  // scroll one line
  f = r.vga.render();
  CHECK(f.at(500, 299) == 0x123456);
  CHECK(f.at(0, 0) == 0x010203);

  // Re-enabling with NOCLEARMEM keeps the contents.
  r.dispi(Rig::kEnable, 0);
  r.dispi(Rig::kEnable, devices::Vga::kEnabled | devices::Vga::kNoClearMem);
  CHECK(r.mem.read<uint32_t>(px(500, 300)) == 0x00123456);
}

TEST_CASE("vga: VBE 8, 15, 16 and 24 bpp pixel formats") {
  Rig r;
  r.mem.map_mmio(0xE0000000, r.vga.vram_size(), &r.vga.lfb());
  auto mode = [&](unsigned bpp, uint16_t extra = 0) {
    r.dispi(Rig::kEnable, 0);
    r.dispi(Rig::kXres, 640), r.dispi(Rig::kYres, 480), r.dispi(Rig::kBpp, uint16_t(bpp));
    r.dispi(Rig::kEnable, devices::Vga::kEnabled | devices::Vga::kLfbEnabled | extra);
  };
  mode(16);
  r.mem.write<uint16_t>(0xE0000000, 0xF800);
  r.mem.write<uint16_t>(0xE0000002, 0x07E0);
  r.mem.write<uint16_t>(0xE0000004, 0x001F);
  r.mem.write<uint16_t>(0xE0000000 + 1280 * 479 + 2 * 639, 0x8410);
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 640);
  CHECK(f.at(0, 0) == 0xFF0000);
  CHECK(f.at(1, 0) == 0x00FF00);
  CHECK(f.at(2, 0) == 0x0000FF);
  CHECK(f.at(639, 479) == 0x848284);
  mode(15);
  r.mem.write<uint16_t>(0xE0000000, 0x7C00);
  r.mem.write<uint16_t>(0xE0000002, 0x03E0);
  r.mem.write<uint16_t>(0xE0000004, 0x4210);
  f = r.vga.render();
  CHECK(f.at(0, 0) == 0xFF0000);
  CHECK(f.at(1, 0) == 0x00FF00);
  CHECK(f.at(2, 0) == 0x848484);
  mode(24);
  r.mem.write<uint32_t>(0xE0000003, 0x00563412);  // pixel 1: B=12h G=34h R=56h
  f = r.vga.render();
  CHECK(f.at(1, 0) == 0x563412);
  CHECK(f.at(0, 0) == 0);
  CHECK(f.at(2, 0) == 0);
  mode(8, devices::Vga::kDac8Bit);
  r.dac(5, 0x12, 0x34, 0x56);  // 8-bit DAC entries
  r.mem.write8(0xE0000000 + 640 * 10 + 20, 5);
  f = r.vga.render();
  CHECK(f.at(20, 10) == 0x123456);
  mode(8);  // 6-bit DAC: the same entry is read as 6-bit values
  r.mem.write8(0xE0000000 + 640 * 10 + 20, 5);
  f = r.vga.render();
  CHECK(f.at(20, 10) == rgb6(0x12, 0x34, 0x16));
}

TEST_CASE("vga: VBE 4 bpp planar mode through the banked window") {
  Rig r;
  r.load_ega_palette();
  r.dispi(Rig::kXres, 1024), r.dispi(Rig::kYres, 768), r.dispi(Rig::kBpp, 4);
  r.dispi(Rig::kEnable, devices::Vga::kEnabled);
  // Planar write path (as the BIOS sets it for a 16-colour mode).
  r.seq(2, 0x0F), r.seq(4, 0x06), r.gc(5, 0x00);
  r.ac(0x10, 0x01);
  CHECK(r.dispi(Rig::kVirtHeight) == (16u << 20) / 512);
  put12(r, 3, 0, 14);  // 80 bytes per line in put12 addressing: x + y*640 works for y = 0
  r.gc(0, 9), r.gc(1, 0x0F), r.gc(8, 0x01);
  r.dispi(Rig::kBank, 1);  // line 767 of 128-byte plane lines: offset 98303 = bank 1 + 7FFFh
  r.rb(0xA7FFF);
  r.wb(0xA7FFF, 0);
  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 1024);
  REQUIRE(f.height == 768);
  CHECK(f.at(3, 0) == ega(0x3E));
  CHECK(f.at(2, 0) == 0);
  CHECK(f.at(1023, 767) == ega(0x39));
  CHECK(f.at(1022, 767) == 0);
  CHECK(r.vga.vram()[(98303u << 2) + 0] == 0x01);  // plane 0 of colour 9
  CHECK(r.vga.vram()[(98303u << 2) + 3] == 0x01);  // plane 3
}
