// devices::VgaPci: the standard VGA's PCI identity, BAR sizing and the
// mapping of the LFB, the register BAR and the VGA BIOS expansion ROM.
#include <doctest/doctest.h>

#include "devices/pci.h"
#include "devices/vga_pci.h"
#include "test_vga_rig.h"

namespace {

struct PciRig {
  uint64_t clock = 0;
  devices::Scheduler sched{&clock, 1'000'000'000};
  devices::IoBus io;
  mmu::Memory mem{1u << 20};
  devices::PciBus pci;
  devices::Vga vga{sched, std::vector<uint8_t>{0x55, 0xAA, 0x40, 0xE9, 0x12, 0x34}};
  devices::VgaPci dev{vga, mem};

  PciRig() {
    pci.map(io);
    vga.map(io);
    vga.map_legacy(mem);
    pci.attach(2, 0, &dev);
  }
  uint32_t rd(unsigned reg) {
    io.out(0xCF8, 4, 0x80000000u | 2u << 11 | reg);
    return io.in(0xCFC, 4);
  }
  void wr(unsigned reg, uint32_t v) {
    io.out(0xCF8, 4, 0x80000000u | 2u << 11 | reg);
    io.out(0xCFC, 4, v);
  }
};

}  // namespace

TEST_CASE("vga: PCI identity and BAR sizes (1234:1111, class 0300, LFB, MMIO, ROM)") {
  PciRig r;
  CHECK(r.rd(0x00) == 0x11111234);
  CHECK(r.rd(0x08) == 0x03000002);
  CHECK(r.rd(0x2C) == 0x11001AF4);
  CHECK((r.rd(0x3C) & 0xFF00) == 0);  // no interrupt pin
  CHECK(r.rd(0x10) == 0x00000008);    // prefetchable memory
  r.wr(0x10, 0xFFFFFFFF);
  CHECK(r.rd(0x10) == 0xFF000008);  // 16 MiB
  r.wr(0x14, 0xFFFFFFFF);
  CHECK(r.rd(0x14) == 0);  // BAR1 absent
  r.wr(0x18, 0xFFFFFFFF);
  CHECK(r.rd(0x18) == 0xFFFFF000);  // 4 KiB register BAR
  r.wr(0x30, 0xFFFFF800);
  CHECK(r.rd(0x30) == 0xFFFFF000);  // the 6-byte test ROM rounds up to 4 KiB
}

TEST_CASE("vga: PCI BARs map the LFB, the register BAR and the VGA BIOS ROM") {
  PciRig r;
  r.wr(0x10, 0xE0000000);
  r.wr(0x18, 0xFEBF0000);
  r.wr(0x30, 0xFEB00001);
  CHECK(r.mem.read<uint32_t>(0xE0000000) == 0xFFFFFFFF);  // memory decoding still off
  r.wr(0x04, 0x0003);
  r.mem.write<uint32_t>(0xE0000010, 0xCAFEF00D);
  CHECK(r.vga.vram()[0x10] == 0x0D);
  CHECK(r.mem.read<uint32_t>(0xE0FFFFFC) == 0);
  CHECK(r.mem.read<uint16_t>(0xFEBF0500) == 0xB0C5);  // dispi ID through BAR2
  CHECK(r.mem.read<uint32_t>(0xFEB00000) == 0xE940AA55);
  CHECK(r.mem.read8(0xFEB00006) == 0xFF);  // past the image

  r.wr(0x10, 0xD0000000);  // move the LFB
  CHECK(r.mem.read<uint32_t>(0xE0000010) == 0xFFFFFFFF);
  CHECK(r.mem.read<uint32_t>(0xD0000010) == 0xCAFEF00D);
  r.wr(0x04, 0x0000);  // memory decoding off: nothing mapped
  CHECK(r.mem.read<uint32_t>(0xD0000010) == 0xFFFFFFFF);
  CHECK(r.mem.read<uint16_t>(0xFEBF0500) == 0xFFFF);
  CHECK(r.mem.read8(0xFEB00000) == 0xFF);
  // The legacy VGA does not depend on the command register.
  r.io.out(0x3C4, 1, 0x02);
  CHECK(r.io.in(0x3C5, 1) == 0x03);
  r.mem.write8(0xB8000, 'Z');
  CHECK(r.mem.read8(0xB8000) == 'Z');
}
