// devices::Vga: host access to video memory (legacy window, planar data
// path, latches, addressing modes, LFB and VBE bank window).
#include <doctest/doctest.h>

#include "test_vga_rig.h"

using vgatest::Rig;

namespace {

uint8_t plane(Rig& r, unsigned p, uint32_t off) { return r.vga.vram()[off * 4 + p]; }

// Store one byte in each plane at `off` (planar mode, write mode 0 defaults).
void fill_planes(Rig& r, uint32_t off, uint8_t p0, uint8_t p1, uint8_t p2, uint8_t p3) {
  const uint8_t v[4] = {p0, p1, p2, p3};
  for (unsigned p = 0; p < 4; ++p) {
    r.seq(2, uint8_t(1u << p));
    r.wb(0xA0000 + off, v[p]);
  }
  r.seq(2, 0x0F);
}

}  // namespace

TEST_CASE("vga: memory map select decodes the legacy window") {
  Rig r;
  r.program(vgatest::kMode3);  // B8000-BFFFF (32 KiB)
  r.wb(0xB8000, 'A');
  r.wb(0xBFFFF, 0x5A);
  CHECK(r.rb(0xB8000) == 'A');
  CHECK(r.rb(0xBFFFF) == 0x5A);
  r.wb(0xA0000, 0x11);
  r.wb(0xB0000, 0x22);
  CHECK(r.rb(0xA0000) == 0xFF);  // outside the selected window: not decoded
  CHECK(r.rb(0xB0000) == 0xFF);
  CHECK(r.vga.vram()[0] == 'A');  // the writes outside the window went nowhere

  r.gc(6, 0x0A);  // B0000-B7FFF (monochrome)
  CHECK(r.rb(0xB0000) == 'A');
  CHECK(r.rb(0xB8000) == 0xFF);
  r.gc(6, 0x06);  // A0000-AFFFF
  CHECK(r.rb(0xA0000) == 'A');
  CHECK(r.rb(0xB0000) == 0xFF);
  r.gc(6, 0x02);  // A0000-BFFFF: B0000 is offset 0x10000, beyond 64 KiB planes: wraps
  CHECK(r.rb(0xA0000) == 'A');
  CHECK(r.rb(0xB0000) == 'A');
  CHECK(r.rb(0xB8000) == 0);

  r.out(0x3C2, 0x65);  // misc output RAM enable clear: nothing answers
  CHECK(r.rb(0xA0000) == 0xFF);
  r.wb(0xA0000, 0x77);
  r.out(0x3C2, 0x67);
  CHECK(r.rb(0xA0000) == 'A');
}

TEST_CASE("vga: odd/even and chain-4 addressing") {
  Rig r;
  r.program(vgatest::kMode3);
  r.wb(0xB8000, 'X'), r.wb(0xB8001, 0x1F), r.wb(0xB8002, 'Y'), r.wb(0xB8003, 0x2E);
  CHECK(plane(r, 0, 0) == 'X');  // even bytes: plane 0 at offset a & ~1
  CHECK(plane(r, 1, 0) == 0x1F);  // odd bytes: plane 1
  CHECK(plane(r, 0, 2) == 'Y');
  CHECK(plane(r, 1, 2) == 0x2E);
  CHECK(plane(r, 0, 1) == 0);
  CHECK(plane(r, 2, 0) == 0);  // map mask 03h keeps the font plane safe
  CHECK(r.rb(0xB8001) == 0x1F);
  CHECK(r.rb(0xB8002) == 'Y');
  r.gc(4, 2);  // read map select bit 1 picks planes 2/3 in odd/even reads
  r.seq(2, 0x0F);
  r.wb(0xB8004, 0x44);  // even: planes 0 and 2
  CHECK(plane(r, 2, 4) == 0x44);
  CHECK(r.rb(0xB8004) == 0x44);
  CHECK(r.rb(0xB8001) == 0);  // plane 3, offset 0

  r.program(vgatest::kMode13);
  r.wb(0xA0005, 0x99);
  r.wb(0xA0000 + 64003, 0x42);
  CHECK(plane(r, 1, 4) == 0x99);  // chain-4: plane a & 3 at offset a & ~3
  CHECK(r.vga.vram()[17] == 0x99);
  CHECK(plane(r, 3, 64000) == 0x42);
  CHECK(r.rb(0xA0005) == 0x99);
  CHECK(r.rb(0xA0007) == 0);
  r.seq(2, 0x0D);  // the map mask still applies: plane 1 disabled
  r.wb(0xA0005, 0x11);
  r.wb(0xA0006, 0x22);
  CHECK(r.rb(0xA0005) == 0x99);
  CHECK(r.rb(0xA0006) == 0x22);
}

TEST_CASE("vga: write mode 0: map mask, set/reset, rotate, logical operations, bit mask") {
  Rig r;
  r.program(vgatest::kMode12);
  r.seq(2, 0x05);
  r.wb(0xA0000, 0xA5);
  CHECK(plane(r, 0, 0) == 0xA5);
  CHECK(plane(r, 1, 0) == 0x00);
  CHECK(plane(r, 2, 0) == 0xA5);
  CHECK(plane(r, 3, 0) == 0x00);

  r.seq(2, 0x0F);
  r.gc(0, 0x0C), r.gc(1, 0x0F);  // set/reset planes 2 and 3, enabled on all planes
  r.wb(0xA0001, 0x5A);           // the data byte is ignored
  CHECK(plane(r, 0, 1) == 0x00);
  CHECK(plane(r, 1, 1) == 0x00);
  CHECK(plane(r, 2, 1) == 0xFF);
  CHECK(plane(r, 3, 1) == 0xFF);
  r.gc(1, 0x01);  // only plane 0 from set/reset (0), the others from the data
  r.wb(0xA0002, 0x3C);
  CHECK(plane(r, 0, 2) == 0x00);
  CHECK(plane(r, 1, 2) == 0x3C);
  CHECK(plane(r, 3, 2) == 0x3C);
  r.gc(1, 0x00);

  r.gc(3, 0x03);  // rotate right by 3
  r.wb(0xA0003, 0x01);
  CHECK(plane(r, 0, 3) == 0x20);
  r.gc(3, 0x00);

  // Bit mask: unmasked bits come from the latches (loaded by the read).
  fill_planes(r, 4, 0xF0, 0x0F, 0xAA, 0x55);
  CHECK(r.rb(0xA0004) == 0xF0);  // read mode 0, map 0; loads all four latches
  r.gc(8, 0x0F);
  r.wb(0xA0004, 0x00);
  CHECK(plane(r, 0, 4) == 0xF0);
  CHECK(plane(r, 1, 4) == 0x00);
  CHECK(plane(r, 2, 4) == 0xA0);
  CHECK(plane(r, 3, 4) == 0x50);
  r.gc(8, 0xFF);

  // Logical operations with the latches: AND, OR, XOR.
  fill_planes(r, 5, 0xF0, 0x0F, 0xAA, 0x55);
  r.rb(0xA0005);
  r.gc(3, 0x08), r.wb(0xA0006, 0x3C);
  CHECK(plane(r, 0, 6) == 0x30);
  CHECK(plane(r, 2, 6) == 0x28);
  r.gc(3, 0x10), r.wb(0xA0007, 0x3C);
  CHECK(plane(r, 1, 7) == 0x3F);
  CHECK(plane(r, 3, 7) == 0x7D);
  r.gc(3, 0x18), r.wb(0xA0008, 0xFF);
  CHECK(plane(r, 0, 8) == 0x0F);
  CHECK(plane(r, 3, 8) == 0xAA);
  r.gc(3, 0x1B), r.wb(0xA0009, 0x01);  // rotate then XOR
  CHECK(plane(r, 0, 9) == 0xD0);
}

TEST_CASE("vga: latches and write mode 1 copy all planes") {
  Rig r;
  r.program(vgatest::kMode12);
  fill_planes(r, 10, 0x12, 0x34, 0x56, 0x78);
  r.rb(0xA000A);
  CHECK(r.vga.regs().latch[2] == 0x56);
  r.gc(5, 0x01);
  r.gc(8, 0x00);               // the bit mask does not apply in write mode 1
  r.wb(0xA0014, 0xEE);         // the CPU data is ignored
  CHECK(plane(r, 0, 20) == 0x12);
  CHECK(plane(r, 1, 20) == 0x34);
  CHECK(plane(r, 2, 20) == 0x56);
  CHECK(plane(r, 3, 20) == 0x78);
  r.seq(2, 0x03);              // the map mask does
  r.rb(0xA0000);               // latches now all zero
  r.wb(0xA0014, 0);
  CHECK(plane(r, 0, 20) == 0x00);
  CHECK(plane(r, 1, 20) == 0x00);
  CHECK(plane(r, 2, 20) == 0x56);
  CHECK(plane(r, 3, 20) == 0x78);
  // Writes never load the latches.
  r.seq(2, 0x0F);
  r.rb(0xA000A);
  r.gc(5, 0x00), r.gc(8, 0xFF);
  r.wb(0xA0000, 0x99);
  r.gc(5, 0x01);
  r.wb(0xA0015, 0);
  CHECK(plane(r, 3, 21) == 0x78);
}

TEST_CASE("vga: write modes 2 and 3") {
  Rig r;
  r.program(vgatest::kMode12);
  fill_planes(r, 0, 0x0F, 0xF0, 0x00, 0xFF);
  r.rb(0xA0000);
  r.gc(5, 0x02), r.gc(8, 0x81);
  r.wb(0xA0000, 0x05);  // colour 5 (planes 0 and 2) into pixels 0 and 7
  CHECK(plane(r, 0, 0) == 0x8F);
  CHECK(plane(r, 1, 0) == 0x70);
  CHECK(plane(r, 2, 0) == 0x81);
  CHECK(plane(r, 3, 0) == 0x7E);

  r.gc(5, 0x00), r.gc(8, 0xFF);
  fill_planes(r, 1, 0x0F, 0xF0, 0x00, 0xFF);
  r.rb(0xA0001);
  r.gc(5, 0x03), r.gc(8, 0xF0), r.gc(0, 0x0A);  // set/reset colour 0Ah
  r.wb(0xA0001, 0x3C);  // mask = 3Ch & F0h = 30h
  CHECK(plane(r, 0, 1) == 0x0F);
  CHECK(plane(r, 1, 1) == 0xF0);
  CHECK(plane(r, 2, 1) == 0x00);
  CHECK(plane(r, 3, 1) == 0xFF);
  r.gc(0, 0x05);
  r.wb(0xA0001, 0x3C);
  CHECK(plane(r, 0, 1) == 0x3F);
  CHECK(plane(r, 1, 1) == 0xC0);
  CHECK(plane(r, 2, 1) == 0x30);
  CHECK(plane(r, 3, 1) == 0xCF);
  r.gc(3, 0x02);  // rotate applies to the mask source in mode 3
  r.gc(0, 0x00);
  r.wb(0xA0001, 0xC0);  // rotated: 30h
  CHECK(plane(r, 0, 1) == 0x0F);
}

TEST_CASE("vga: read mode 0 map select and read mode 1 colour compare") {
  Rig r;
  r.program(vgatest::kMode12);
  // Pixels 0-7 have colours 0, 5, 5, 15, 4, 1, 5, 0.
  fill_planes(r, 3, 0x76, 0x10, 0x7A, 0x10);
  for (uint8_t p = 0; p < 4; ++p) {
    r.gc(4, p);
    CHECK(r.rb(0xA0003) == (const uint8_t[]){0x76, 0x10, 0x7A, 0x10}[p]);
  }
  r.gc(5, 0x08), r.gc(2, 0x05), r.gc(7, 0x0F);
  CHECK(r.rb(0xA0003) == 0x62);
  r.gc(7, 0x05);  // compare planes 0 and 2 only: colour 15 matches too
  CHECK(r.rb(0xA0003) == 0x72);
  r.gc(7, 0x00);  // nothing compared: all bits match
  CHECK(r.rb(0xA0003) == 0xFF);
}

TEST_CASE("vga: linear framebuffer and the VBE bank window") {
  Rig r;
  r.mem.map_mmio(0xE0000000, r.vga.vram_size(), &r.vga.lfb());
  r.mem.write<uint32_t>(0xE0001000, 0x11223344);
  r.mem.write<uint64_t>(0xE0FFFFF8, 0x8877665544332211ull);
  CHECK(r.vga.vram()[0x1000] == 0x44);
  CHECK(r.vga.vram()[0x1003] == 0x11);
  CHECK(r.mem.read<uint16_t>(0xE0001001) == 0x2233);
  CHECK(r.mem.read<uint64_t>(0xE0FFFFF8) == 0x8877665544332211ull);

  r.dispi(Rig::kXres, 640), r.dispi(Rig::kYres, 480), r.dispi(Rig::kBpp, 8);
  r.dispi(Rig::kEnable, devices::Vga::kEnabled | devices::Vga::kNoClearMem);
  CHECK(r.rb(0xA1000) == 0x44);  // bank 0: the window is VRAM bytes 0-64K
  r.dispi(Rig::kBank, 0xFF);     // 256 banks of 64 KiB: the last one
  CHECK(r.dispi(Rig::kBank) == 0xFF);
  CHECK(r.rb(0xAFFFF) == 0x88);
  r.wb(0xA0010, 0xAB);
  CHECK(r.vga.vram()[0xFF0010] == 0xAB);
  CHECK(r.rb(0xB8000) == 0xFF);  // enabling VBE selected the A0000 64 KiB window
  r.dispi(Rig::kBank, 0x101);    // masked to the VRAM size
  CHECK(r.dispi(Rig::kBank) == 0x01);
}
