// devices::I440fx / Piix3Isa / Piix3Ide on a PciBus, driven through ports
// 0xCF8/0xCFC the way SeaBIOS's pciinit.c and shadow.c drive them.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "devices/i440fx.h"
#include "devices/iobus.h"
#include "devices/pci.h"
#include "mmu/memory.h"

namespace pci = devices::pci;
using Src = mmu::Memory::Source;

namespace {

struct IrqLog : devices::IrqSink {
  std::vector<std::pair<unsigned, bool>> calls;
  bool level[16] = {};
  void set_irq(unsigned line, bool l) override { calls.emplace_back(line, l), level[line] = l; }
};

// A plain PCI function with INTA#, to raise PCI interrupts.
struct IntDev : devices::PciDevice {
  IntDev() : PciDevice(0x1234, 0x0001, 0xFF0000, 0) { reset(); }
  void reset_registers() override { init8(pci::kIntPin, 1); }
};

struct Chipset {
  mmu::Memory mem{2u << 20};
  devices::IoBus io;
  devices::PciBus bus;
  IrqLog irqs;
  devices::I440fx host{mem};
  devices::Piix3Isa isa{&irqs};
  devices::Piix3Ide ide;
  std::vector<uint8_t> bios;
  Chipset() {
    bus.map(io);
    bus.attach(0, 0, &host);
    bus.attach(1, 0, &isa);
    bus.attach(1, 1, &ide);
    bus.set_pirq_sink(&isa);
    isa.map(io);
    // A 128 KiB "BIOS" at the top of 4 GiB and its last 128 KiB below 1 MiB.
    bios.resize(0x20000);
    for (size_t i = 0; i < bios.size(); ++i) bios[i] = uint8_t(i * 7 + (i >> 12));
    int rom = mem.add_rom(bios.data(), uint32_t(bios.size()));
    mem.map_rom(0xFFFE0000u, 0x20000, rom);
    mem.map_rom(0xE0000, 0x20000, rom);
  }
  static uint32_t addr(unsigned bdf, unsigned reg) { return 0x80000000u | bdf << 8 | (reg & 0xFC); }
  uint32_t readl(unsigned bdf, unsigned reg) { io.out(0xCF8, 4, addr(bdf, reg)); return io.in(0xCFC, 4); }
  uint16_t readw(unsigned bdf, unsigned reg) { io.out(0xCF8, 4, addr(bdf, reg)); return uint16_t(io.in(uint16_t(0xCFC + (reg & 2)), 2)); }
  uint8_t readb(unsigned bdf, unsigned reg) { io.out(0xCF8, 4, addr(bdf, reg)); return uint8_t(io.in(uint16_t(0xCFC + (reg & 3)), 1)); }
  void writel(unsigned bdf, unsigned reg, uint32_t v) { io.out(0xCF8, 4, addr(bdf, reg)); io.out(0xCFC, 4, v); }
  void writew(unsigned bdf, unsigned reg, uint16_t v) { io.out(0xCF8, 4, addr(bdf, reg)); io.out(uint16_t(0xCFC + (reg & 2)), 2, v); }
  void writeb(unsigned bdf, unsigned reg, uint8_t v) { io.out(0xCF8, 4, addr(bdf, reg)); io.out(uint16_t(0xCFC + (reg & 3)), 1, v); }
  // SeaBIOS's pci_next(): skip functions 1-7 unless function 0 is multi-function.
  std::vector<unsigned> scan() {
    std::vector<unsigned> found;
    for (unsigned bdf = 0; bdf < 256;) {
      uint16_t v = readw(bdf, 0);
      bool present = v != 0 && v != 0xFFFF;
      if (present) found.push_back(bdf);
      if ((bdf & 7) == 0 && (!present || !(readb(bdf, 0x0E) & 0x80)))
        bdf += 8;
      else
        ++bdf;
    }
    return found;
  }
};

constexpr unsigned kHost = 0x00, kIsa = 0x08, kIde = 0x09;

}  // namespace

TEST_CASE("i440fx: identities as SeaBIOS probes them") {
  Chipset c;
  CHECK(c.readl(kHost, 0x00) == 0x12378086u);
  CHECK(c.readl(kHost, 0x08) == 0x06000002u);
  CHECK(c.readw(kHost, 0x2C) == 0x1AF4);  // subsystem: "Running on QEMU (i440fx)"
  CHECK(c.readw(kHost, 0x2E) == 0x1100);
  CHECK(c.readw(kHost, 0x04) == 0x0006);
  CHECK(c.readw(kHost, 0x06) == 0x0280);
  CHECK(c.readl(kIsa, 0x00) == 0x70008086u);
  CHECK(c.readw(kIsa, 0x0A) == 0x0601);  // ISA bridge
  CHECK(c.readb(kIsa, 0x0E) == 0x80);    // multi-function
  CHECK(c.readl(kIde, 0x00) == 0x70108086u);
  CHECK(c.readl(kIde, 0x08) == 0x01018000u);  // IDE, legacy mode, bus master
  CHECK(c.readl(0x0A, 0x00) == 0xFFFFFFFFu);  // 00:01.2 (USB) absent
  CHECK(c.scan() == std::vector<unsigned>{kHost, kIsa, kIde});
  // The host bridge ignores writes to its identity and fixed command bits.
  c.writel(kHost, 0x00, 0);
  c.writew(kHost, 0x04, 0);
  CHECK(c.readl(kHost, 0x00) == 0x12378086u);
  CHECK(c.readw(kHost, 0x04) == 0x0006);
  // DRB: 2 MiB of RAM rounds up to one 8 MiB unit.
  CHECK(c.readl(kHost, 0x60) == 0x01010101u);
}

TEST_CASE("i440fx: PAM at power-on leaves 0xC0000-0xFFFFF to the ROM side") {
  Chipset c;
  CHECK(c.readl(kHost, 0x58) == 0x00000010u);  // DRAMT, PAM0-2
  CHECK(c.readl(kHost, 0x5C) == 0u);
  CHECK(c.mem.read_source(0xF0000) == Src::Rom);
  CHECK(c.mem.read<uint32_t>(0xFFFF0) == c.mem.read<uint32_t>(0xFFFFFFF0u));
  c.mem.write<uint8_t>(0xF0000, uint8_t(~c.bios[0x10000]));
  CHECK(c.mem.read<uint8_t>(0xF0000) == c.bios[0x10000]);  // ROM: write dropped
  // Without an overlay the PCI side is empty: 0xC0000 reads all ones.
  CHECK(c.mem.read_source(0xC0000) == Src::Unassigned);
  CHECK(c.mem.read<uint16_t>(0xC0000) == 0xFFFF);
  c.mem.write<uint16_t>(0xC0000, 0x1234);
  CHECK(c.mem.read<uint16_t>(0xC0000) == 0xFFFF);
}

TEST_CASE("i440fx: SeaBIOS's make_bios_writable / make_bios_readonly sequence") {
  Chipset c;
  // __make_bios_writable_intel: read both dwords, PAM1-6 = 0x33, PAM0 = 0x30.
  uint32_t lo = c.readl(kHost, 0x58), hi = c.readl(kHost, 0x5C);
  bool ram_present = (lo >> 8) & 0x10;
  CHECK(!ram_present);
  lo = (lo & 0x000000FFu) | 0x30u << 8 | 0x33u << 16 | 0x33u << 24;
  hi = 0x33333333u;
  c.writel(kHost, 0x58, lo);
  c.writel(kHost, 0x5C, hi);
  CHECK(c.readl(kHost, 0x58) == 0x33333010u);  // DRAMT kept
  CHECK(c.host.pam(0) == 0x30);
  for (uint32_t a = 0xC0000; a < 0x100000; a += 0x4000) {
    CHECK(c.mem.read_source(a) == Src::Ram);
    CHECK(c.mem.write_source(a) == Src::Ram);
  }
  // The BIOS copies itself from the high alias into the shadow RAM.
  for (uint32_t i = 0; i < 0x10000; i += 4)
    c.mem.write<uint32_t>(0xF0000 + i, c.mem.read<uint32_t>(0xFFFF0000u + i));
  CHECK(c.mem.read<uint32_t>(0xFFFF0) == c.mem.read<uint32_t>(0xFFFFFFF0u));
  c.mem.write<uint8_t>(0xF1234, 0x5A);  // writable now
  CHECK(c.mem.read<uint8_t>(0xF1234) == 0x5A);
  c.mem.write<uint16_t>(0xC0000, 0xAA55);  // the VGA BIOS copy lands in RAM
  // make_bios_readonly_intel: ROMs up to 0xC8000 read-only, 0xF0000 read-only.
  lo = c.readl(kHost, 0x58);
  hi = c.readl(kHost, 0x5C);
  lo = (lo & 0x0000FFFFu) | 0x11u << 16 | 0x31u << 24;
  lo = (lo & ~0x0000FF00u) | 0x10u << 8;
  c.writel(kHost, 0x58, lo);
  c.writel(kHost, 0x5C, hi);
  CHECK(c.host.pam(0) == 0x10);
  c.mem.write<uint8_t>(0xF1234, 0x00);  // read-only: the write is dropped
  CHECK(c.mem.read<uint8_t>(0xF1234) == 0x5A);
  CHECK(c.mem.read_source(0xF0000) == Src::Ram);
  c.mem.write<uint16_t>(0xC0000, 0);
  CHECK(c.mem.read<uint16_t>(0xC0000) == 0xAA55);  // PAM1 = 0x11: both halves read-only
  c.mem.write<uint16_t>(0xC4000, 0x4444);
  CHECK(c.mem.read<uint16_t>(0xC4000) == 0x0000);
  c.mem.write<uint16_t>(0xC8000, 0x8888);           // PAM2 = 0x31: low half read-only,
  CHECK(c.mem.read<uint16_t>(0xC8000) == 0x0000);
  c.mem.write<uint16_t>(0xCC000, 0xCCCC);           // high half read/write
  CHECK(c.mem.read<uint16_t>(0xCC000) == 0xCCCC);
  c.mem.write<uint16_t>(0xE0000, 0xEEEE);           // PAM5 still 0x33
  CHECK(c.mem.read<uint16_t>(0xE0000) == 0xEEEE);
}

TEST_CASE("i440fx: each PAM nibble controls its own 16 KiB (or 64 KiB) region") {
  Chipset c;
  struct Case { unsigned pam; unsigned shift; uint32_t base, size; };
  const Case cases[] = {
      {0, 4, 0xF0000, 0x10000}, {1, 0, 0xC0000, 0x4000}, {1, 4, 0xC4000, 0x4000},
      {3, 0, 0xD0000, 0x4000},  {4, 4, 0xDC000, 0x4000}, {6, 0, 0xE8000, 0x4000},
      {6, 4, 0xEC000, 0x4000},
  };
  for (const Case& k : cases) {
    CAPTURE(k.base);
    for (unsigned mode = 0; mode < 4; ++mode) {
      c.writeb(kHost, 0x59 + k.pam, uint8_t(mode << k.shift));
      bool rom_side = k.base >= 0xE0000;
      Src other = rom_side ? Src::Rom : Src::Unassigned;
      CHECK(c.mem.read_source(k.base) == ((mode & 1) ? Src::Ram : other));
      CHECK(c.mem.read_source(k.base + k.size - 1) == ((mode & 1) ? Src::Ram : other));
      CHECK(c.mem.write_source(k.base) == ((mode & 2) ? Src::Ram : other));
      // The neighbours are untouched (still power-on: not RAM).
      if (k.base > 0xC0000) CHECK(c.mem.read_source(k.base - 1) != Src::Ram);
      if (k.base + k.size < 0x100000) CHECK(c.mem.read_source(k.base + k.size) != Src::Ram);
    }
    c.writeb(kHost, 0x59 + k.pam, 0);
  }
  // Reserved bits do not stick: PAM0 bits 3:0 and bits 7/3 of the others.
  c.writeb(kHost, 0x59, 0xFF);
  c.writeb(kHost, 0x5A, 0xFF);
  CHECK(c.host.pam(0) == 0x70);
  CHECK(c.host.pam(1) == 0x77);
  // A reset goes back to the ROM.
  c.bus.reset();
  CHECK(c.host.pam(0) == 0);
  CHECK(c.mem.read_source(0xF0000) == Src::Rom);
  CHECK(c.mem.read_source(0xC0000) == Src::Unassigned);
}

TEST_CASE("i440fx: SMRAM is closed at power-on and honours D_LCK") {
  Chipset c;
  CHECK(c.readb(kHost, 0x72) == 0x02);
  CHECK(!c.host.smram_open());
  c.writeb(kHost, 0x72, 0x02 | 0x48);  // what SeaBIOS's SMM set-up writes: open
  CHECK(c.readb(kHost, 0x72) == 0x4A);
  CHECK(c.host.smram_open());
  c.writeb(kHost, 0x72, 0xFF & ~0x10);  // C_BASE_SEG and bit 7 read-only
  CHECK(c.readb(kHost, 0x72) == 0x6A);
  c.writeb(kHost, 0x72, 0x02 | 0x08);  // closed, enabled
  CHECK(c.readb(kHost, 0x72) == 0x0A);
  c.writeb(kHost, 0x72, 0x02 | 0x08 | 0x10 | 0x40);  // lock (and try to open)
  CHECK(c.readb(kHost, 0x72) == 0x1A);
  c.writeb(kHost, 0x72, 0x02 | 0x40 | 0x20);  // locked: only D_CLS changes
  CHECK(c.readb(kHost, 0x72) == 0x3A);
  CHECK(!c.host.smram_open());
  c.bus.reset();
  CHECK(c.readb(kHost, 0x72) == 0x02);
  c.writeb(kHost, 0x72, 0x4A);
  CHECK(c.host.smram_open());
}

TEST_CASE("i440fx: PIIX3 PIRQ routing as SeaBIOS programs it (10, 10, 11, 11)") {
  Chipset c;
  IntDev d2, d3, d5;
  c.bus.attach(2, 0, &d2);  // INTA# -> PIRQB
  c.bus.attach(3, 0, &d3);  // -> PIRQC
  c.bus.attach(5, 0, &d5);  // -> PIRQA
  CHECK(c.readl(kIsa, 0x60) == 0x80808080u);  // all routes disabled
  d2.set_irq_level(true);
  CHECK(c.irqs.calls.empty());
  CHECK(c.isa.pirq_route(1) == -1);
  const uint8_t irqs[4] = {10, 10, 11, 11};
  for (unsigned i = 0; i < 4; ++i) c.writeb(kIsa, 0x60 + i, irqs[i]);
  CHECK(c.readl(kIsa, 0x60) == 0x0B0B0A0Au);
  REQUIRE(c.irqs.calls.size() == 1);  // PIRQB was already high: IRQ 10 rises
  CHECK(c.irqs.calls[0] == std::make_pair(10u, true));
  d5.set_irq_level(true);  // PIRQA, also IRQ 10: shared, no new edge
  CHECK(c.irqs.calls.size() == 1);
  d2.set_irq_level(false);
  CHECK(c.irqs.calls.size() == 1);
  d5.set_irq_level(false);
  CHECK(c.irqs.calls.back() == std::make_pair(10u, false));
  d3.set_irq_level(true);
  CHECK(c.irqs.calls.back() == std::make_pair(11u, true));
  // Re-routing a high line moves the level.
  c.writeb(kIsa, 0x62, 5);
  CHECK(!c.irqs.level[11]);
  CHECK(c.irqs.level[5]);
  // Disable bit and reserved IRQs (0-2, 8, 13) stop routing.
  c.writeb(kIsa, 0x62, 0x85);
  CHECK(!c.irqs.level[5]);
  c.writeb(kIsa, 0x62, 13);
  CHECK(c.isa.pirq_route(2) == -1);
  c.writeb(kIsa, 0x62, 2);
  CHECK(c.isa.pirq_route(2) == -1);
  for (unsigned i = 0; i < 16; ++i) CHECK(!c.irqs.level[i]);
  c.writeb(kIsa, 0x62, 0x7F);  // bits 6:4 reserved
  CHECK(c.readb(kIsa, 0x62) == 0x0F);
  CHECK(c.irqs.level[15]);
}

TEST_CASE("i440fx: PIIX3 reset control register at 0xCF9") {
  Chipset c;
  std::vector<bool> resets;
  c.isa.on_reset = [&](bool hard) { resets.push_back(hard); };
  c.io.out(0xCF9, 1, 0x02);  // SeaBIOS's qemu_reboot: select hard reset ...
  CHECK(resets.empty());
  CHECK(c.io.in(0xCF9, 1) == 0x02);
  c.io.out(0xCF9, 1, 0x06);  // ... then RCPU 0 -> 1
  CHECK(resets == std::vector<bool>{true});
  CHECK(c.io.in(0xCF9, 1) == 0x02);
  c.io.out(0xCF9, 1, 0x04);  // soft reset (INIT)
  CHECK(resets == std::vector<bool>{true, false});
  CHECK(c.io.in(0xCF9, 1) == 0x00);
  // 0xCF9 is separate from CONFADD: a dword write to 0xCF8 still selects.
  c.io.out(0xCF8, 4, 0x80000000u);
  CHECK(c.io.in(0xCF8, 4) == 0x80000000u);
  CHECK(resets.size() == 2);
}

TEST_CASE("i440fx: PIIX3 IDE function: BMIBA sizing and decoding, IDETIM") {
  Chipset c;
  std::vector<std::pair<uint32_t, uint32_t>> moves;
  c.ide.set_bar_listener([&](int bar, uint32_t o, uint32_t n) {
    CHECK(bar == 4);
    moves.emplace_back(o, n);
  });
  for (unsigned off = 0x10; off < 0x20; off += 4) {
    c.writel(kIde, off, 0xFFFFFFFFu);
    CHECK(c.readl(kIde, off) == 0u);  // no native-mode BARs
  }
  c.writel(kIde, 0x20, 0xFFFFFFFFu);
  CHECK(c.readl(kIde, 0x20) == 0xFFFFFFF1u);  // 16 bytes of I/O
  c.writel(kIde, 0x20, 0xC000);
  CHECK(c.readl(kIde, 0x20) == 0xC001u);
  CHECK(moves.empty());
  c.writew(kIde, 0x04, pci::kCmdIo | pci::kCmdMemory | pci::kCmdSerr);  // SeaBIOS's enable
  CHECK(c.readw(kIde, 0x04) == pci::kCmdIo);
  REQUIRE(moves.size() == 1);
  CHECK(moves[0] == std::make_pair(pci::kUnmapped, 0xC000u));
  CHECK(c.ide.bmiba() == 0xC000u);
  CHECK(!c.ide.channel_enabled(0));
  c.writew(kIde, 0x40, 0x8000);  // piix_ide_setup
  c.writew(kIde, 0x42, 0x8000);
  CHECK(c.ide.channel_enabled(0));
  CHECK(c.ide.channel_enabled(1));
  CHECK(c.readl(kIde, 0x40) == 0x80008000u);
  c.writew(kIde, 0x40, 0xFFFF);
  CHECK(c.readw(kIde, 0x40) == 0xF377);
}
