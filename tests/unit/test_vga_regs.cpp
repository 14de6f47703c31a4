// devices::Vga: the register ports, input status 1 in virtual time, the dispi
// interface and the BAR2 register mirror.
#include <doctest/doctest.h>

#include "test_vga_rig.h"

using vgatest::Rig;

TEST_CASE("vga: sequencer, graphics controller and CRTC through index/data ports") {
  Rig r;
  r.bus.out(0x3C4, 2, 0x0F02);  // OUT DX,AX: index 02h then data 0Fh
  CHECK(r.vga.regs().seq[2] == 0x0F);
  CHECK(r.in(0x3C4) == 0x02);
  CHECK(r.in(0x3C5) == 0x0F);
  r.bus.out(0x3CE, 2, 0xAA08);
  CHECK(r.bus.in(0x3CE, 2) == 0xAA08);  // 16-bit IN reads index and data
  r.crtc(0x0E, 0x12), r.crtc(0x0F, 0x34);
  r.out(0x3D4, 0x0E);
  CHECK(r.in(0x3D5) == 0x12);
  CHECK(r.vga.regs().crtc[0x0F] == 0x34);
  r.out(0x3C3, 0x01);
  CHECK(r.in(0x3C3) == 0x01);
  r.out(0x3C2, 0xE3);
  CHECK(r.in(0x3CC) == 0xE3);
  r.out(0x3DA, 0x00);  // feature control write, read at 3CAh
  CHECK(r.in(0x3CA) == 0x00);
}

TEST_CASE("vga: misc output I/O address select moves the CRTC and status ports") {
  Rig r;
  r.out(0x3C2, 0x66);  // monochrome: CRTC at 3B4h/3B5h, status at 3BAh
  r.out(0x3B4, 0x0A), r.out(0x3B5, 0x0B);
  CHECK(r.vga.regs().crtc[0x0A] == 0x0B);
  CHECK(r.in(0x3D5) == 0xFF);  // the colour ports do not answer
  r.out(0x3D4, 0x0A), r.out(0x3D5, 0x77);
  CHECK(r.vga.regs().crtc[0x0A] == 0x0B);
  CHECK(r.in(0x3B5) == 0x0B);
  CHECK(r.in(0x3DA) == 0xFF);  // not decoded: floating bus
  r.out(0x3C2, 0x67);
  CHECK(r.in(0x3B5) == 0xFF);
  CHECK(r.in(0x3D5) == 0x0B);
  // Only the VGA's own ports are claimed: a printer port fits at 3BCh.
  CHECK_NOTHROW(r.bus.map(0x3BC, 0x3BE, nullptr, nullptr));
  CHECK_THROWS(r.bus.map(0x3BA, 0x3BA, nullptr, nullptr));
}

TEST_CASE("vga: attribute controller flip-flop and palette address source") {
  Rig r;
  r.in(0x3DA);  // reset the flip-flop: next 3C0h write is the index
  r.out(0x3C0, 0x01), r.out(0x3C0, 0x3A);
  CHECK(r.vga.regs().ac[1] == 0x3A);
  CHECK(r.in(0x3C0) == 0x01);
  CHECK(r.in(0x3C1) == 0x3A);
  r.out(0x3C0, 0x12), r.out(0x3C0, 0xFF);  // colour plane enable keeps 6 bits
  CHECK(r.vga.regs().ac[0x12] == 0x3F);
  r.out(0x3C0, 0x13);
  r.out(0x3C0, 0x05);
  CHECK(r.vga.regs().ac[0x13] == 0x05);
  r.out(0x3C0, 0x14);  // index
  r.in(0x3BA);         // the monochrome status port is not decoded in colour mode
  r.out(0x3C0, 0x02);  // data: colour select
  CHECK(r.vga.regs().ac[0x14] == 0x02);
  r.in(0x3DA);
  r.out(0x3C0, 0x13);
  r.in(0x3DA);         // reset between index and data: the next write is an index again
  r.out(0x3C0, 0x10);
  r.out(0x3C0, 0x41);
  CHECK(r.vga.regs().ac[0x10] == 0x41);
  CHECK(r.vga.regs().ac[0x13] == 0x05);

  // With the palette address source set the palette registers are read-only.
  r.in(0x3DA);
  r.out(0x3C0, 0x22), r.out(0x3C0, 0x15);
  CHECK(r.vga.regs().ac[2] == 0x02);
  CHECK(r.in(0x3C0) == 0x22);
  r.out(0x3C0, 0x02), r.out(0x3C0, 0x15);
  CHECK(r.vga.regs().ac[2] == 0x15);
  r.out(0x3C0, 0x30), r.out(0x3C0, 0x01);  // 10h with PAS set: writable
  CHECK(r.vga.regs().ac[0x10] == 0x01);
}

TEST_CASE("vga: CRTC protect bit guards registers 0-7 except line compare bit 8") {
  Rig r;
  r.crtc(0x11, 0x8E);
  r.crtc(0x00, 0x11), r.crtc(0x06, 0x22), r.crtc(0x07, 0xEF);
  CHECK(r.vga.regs().crtc[0x00] == 0x5F);
  CHECK(r.vga.regs().crtc[0x06] == 0xBF);
  CHECK(r.vga.regs().crtc[0x07] == 0x0F);  // 1Fh with bit 4 cleared (written 0)
  r.crtc(0x08, 0x03);                       // 08h is not protected
  CHECK(r.vga.regs().crtc[0x08] == 0x03);
  r.crtc(0x11, 0x0E);
  r.crtc(0x00, 0x11);
  CHECK(r.vga.regs().crtc[0x00] == 0x11);
}

TEST_CASE("vga: DAC write and read with auto-increment, pixel mask and state") {
  Rig r;
  r.out(0x3C8, 0xFE);
  for (uint8_t v : {0x01, 0x02, 0x03, 0x3F, 0x7F, 0xC5}) r.out(0x3C9, v);
  CHECK(r.in(0x3C8) == 0x00);  // the index wrapped past FFh
  CHECK(r.in(0x3C7) == 0x00);  // write mode
  r.out(0x3C9, 0x07);
  CHECK(r.vga.regs().dac[0] == 0);  // an entry is stored when its blue value arrives
  r.out(0x3C9, 0x08), r.out(0x3C9, 0x09);
  CHECK(r.vga.regs().dac[0] == 0x07);
  CHECK(r.vga.regs().dac[2] == 0x09);
  CHECK(r.in(0x3C8) == 0x01);
  r.out(0x3C7, 0xFE);
  CHECK(r.in(0x3C7) == 0x03);  // read mode
  const uint8_t expect[9] = {0x01, 0x02, 0x03, 0x3F, 0x3F, 0x05, 0x07, 0x08, 0x09};  // 6 bits
  for (uint8_t e : expect) CHECK(r.in(0x3C9) == e);
  r.out(0x3C6, 0x0F);
  CHECK(r.in(0x3C6) == 0x0F);
  // The 8-bit DAC (dispi ENABLE bit 5) reads back full bytes.
  r.dispi(Rig::kEnable, devices::Vga::kDac8Bit);
  r.out(0x3C7, 0xFF);
  CHECK(r.in(0x3C9) == 0x3F);
  CHECK(r.in(0x3C9) == 0x7F);
  CHECK(r.in(0x3C9) == 0xC5);
}

TEST_CASE("vga: retrace and display enable follow virtual time") {
  Rig r;
  r.program(vgatest::kMode3);
  // 28.322 MHz, 100 character clocks of 9 dots: 31.777 us per line; 449
  // lines per frame; display 400 lines x 80 characters; retrace on lines
  // 412-413 (start 19Ch, end when the line counter's low nibble is 0Eh).
  const double line_ns = 900.0 * 1e9 / 28322000.0;
  auto at = [&](double lines) {
    r.clock = uint64_t(lines * line_ns);
    return r.in(0x3DA);
  };
  CHECK((at(10.2) & 0x09) == 0x00);   // displaying
  CHECK((at(10.9) & 0x09) == 0x01);   // horizontal blanking (character 90)
  CHECK((at(400.5) & 0x09) == 0x01);  // vertical blanking
  CHECK((at(411.5) & 0x09) == 0x01);
  CHECK((at(412.5) & 0x09) == 0x09);  // vertical retrace
  CHECK((at(413.5) & 0x09) == 0x09);
  CHECK((at(414.5) & 0x09) == 0x01);
  CHECK((at(449 + 412.5) & 0x08) == 0x08);  // next frame

  // A guest polling loop (wait for the end of retrace, then for its start)
  // terminates as virtual time advances, one frame apart.
  r.clock = 0;
  auto wait_for = [&](bool set) {
    for (int i = 0; i < 1000000; ++i) {
      if (bool(r.in(0x3DA) & 8) == set) return r.clock;
      r.clock += 500;  // the instructions of one loop iteration
    }
    FAIL("retrace polling did not terminate");
    return uint64_t(0);
  };
  wait_for(false);
  uint64_t first = wait_for(true);
  wait_for(false);
  uint64_t second = wait_for(true);
  CHECK(double(first) == doctest::Approx(412 * line_ns).epsilon(0.001));
  CHECK(double(second - first) == doctest::Approx(449 * line_ns).epsilon(0.001));
  CHECK(1e9 / (449 * line_ns) == doctest::Approx(70.08).epsilon(0.001));
}

TEST_CASE("vga: dispi identification, capabilities and virtual size") {
  Rig r;
  CHECK(r.dispi(Rig::kId) == 0xB0C5);
  r.dispi(Rig::kId, 0xB0C0);
  CHECK(r.dispi(Rig::kId) == 0xB0C0);
  r.dispi(Rig::kId, 0xB0C9);  // unsupported: unchanged
  CHECK(r.dispi(Rig::kId) == 0xB0C0);
  r.dispi(Rig::kId, 0xB0C5);
  CHECK(r.dispi(Rig::kMem64k) == 256);  // 16 MiB
  r.dispi(Rig::kMem64k, 1);
  CHECK(r.dispi(Rig::kMem64k) == 256);

  r.dispi(Rig::kEnable, devices::Vga::kGetCaps);
  CHECK(r.dispi(Rig::kXres) == 2560);
  CHECK(r.dispi(Rig::kYres) == 1600);
  CHECK(r.dispi(Rig::kBpp) == 32);
  r.dispi(Rig::kEnable, 0);

  r.dispi(Rig::kXres, 800), r.dispi(Rig::kYres, 600), r.dispi(Rig::kBpp, 16);
  CHECK(r.dispi(Rig::kXres) == 800);
  r.dispi(Rig::kBpp, 12);  // invalid depth ignored
  CHECK(r.dispi(Rig::kBpp) == 16);
  r.dispi(Rig::kEnable, devices::Vga::kEnabled | devices::Vga::kLfbEnabled);
  CHECK(r.dispi(Rig::kEnable) == 0x41);
  CHECK(r.vga.vbe_enabled());
  CHECK(r.dispi(Rig::kVirtWidth) == 800);
  CHECK(r.dispi(Rig::kVirtHeight) == (16u << 20) / 1600);  // lines VRAM holds
  r.dispi(Rig::kVirtWidth, 1024);
  CHECK(r.dispi(Rig::kVirtHeight) == (16u << 20) / 2048);
  r.dispi(Rig::kVirtWidth, 100);  // never narrower than the mode
  CHECK(r.dispi(Rig::kVirtWidth) == 800);
  r.dispi(Rig::kXOffset, 8), r.dispi(Rig::kYOffset, 16);
  CHECK(r.dispi(Rig::kYOffset) == 16);
  r.bus.out(0x1CE, 4, uint32_t(Rig::kXres) | 1024u << 16);  // 32-bit: index and data
  CHECK(r.bus.in(0x1CE, 4) == (uint32_t(Rig::kXres) | 1024u << 16));
  r.dispi(Rig::kXres, 4000);
  CHECK(r.dispi(Rig::kXres) == 2560);
  r.dispi(Rig::kEnable, 0);
  CHECK(!r.vga.vbe_enabled());
  CHECK(r.dispi(Rig::kVirtWidth) == 2560);
  CHECK(r.dispi(0x20) == 0);  // unknown index
}

TEST_CASE("vga: BAR2 MMIO mirrors the VGA ports and the dispi registers") {
  Rig r;
  r.mem.map_mmio(0xFEBF0000, devices::Vga::kMmioSize, &r.vga.mmio_regs());
  r.mem.write8(0xFEBF0000 + 0x404, 0x02);  // 3C4h
  r.mem.write8(0xFEBF0000 + 0x405, 0x0C);  // 3C5h
  CHECK(r.vga.regs().seq[2] == 0x0C);
  CHECK(r.mem.read<uint16_t>(0xFEBF0000 + 0x404) == 0x0C02);
  r.mem.write<uint16_t>(0xFEBF0000 + 0x500 + 2 * Rig::kXres, 1280);
  r.mem.write<uint16_t>(0xFEBF0000 + 0x500 + 2 * Rig::kYres, 1024);
  CHECK(r.dispi(Rig::kXres) == 1280);
  CHECK(r.mem.read<uint32_t>(0xFEBF0000 + 0x500 + 2 * Rig::kXres) == (1280u | 1024u << 16));
  CHECK(r.mem.read<uint16_t>(0xFEBF0000 + 0x500) == 0xB0C5);
  r.mem.write8(0xFEBF0000 + 0x500 + 2 * Rig::kYres + 1, 0x01);  // high byte only
  CHECK(r.dispi(Rig::kYres) == 0x100);
  CHECK(r.mem.read<uint32_t>(0xFEBF0000 + 0x600) == 8);
  CHECK(r.mem.read<uint32_t>(0xFEBF0000 + 0x604) == 0x1E1E1E1E);
  CHECK(r.mem.read<uint32_t>(0xFEBF0000 + 0x000) == 0);
}
