// devices::PciBus / PciDevice: configuration mechanism #1, write masks, BAR
// sizing and decoding, the expansion ROM BAR and INTx routing.
#include <doctest/doctest.h>

#include <tuple>
#include <vector>

#include "devices/iobus.h"
#include "devices/pci.h"
#include "mmu/memory.h"

using devices::PciDevice;
namespace pci = devices::pci;

namespace {

// A function with every kind of BAR: 0 = I/O 32 bytes, 1 = memory 4 KiB,
// 2 = prefetchable memory 1 MiB, 3-5 absent; interrupt pin INTA#.
struct TestDev : PciDevice {
  std::vector<std::tuple<int, uint32_t, uint32_t>> moves;
  explicit TestDev(mmu::Memory* mem = nullptr, int rom = -1, uint32_t rom_len = 0)
      : PciDevice(0x1234, 0x5678, 0x030000, 0x07) {
    add_bar(0, BarType::Io, 32);
    add_bar(1, BarType::Mem, 0x1000);
    add_bar(2, BarType::MemPrefetch, 0x100000);
    if (mem) set_rom(mem, rom, rom_len);
    reset();
  }
  void reset_registers() override {
    init8(pci::kIntPin, 1);
    init8(0x40, 0x11, 0x0F);  // a device register: low nibble writable
  }
  void bar_moved(int bar, uint32_t o, uint32_t n) override { moves.emplace_back(bar, o, n); }
  void poke16(unsigned off, uint16_t v) { set16(off, v); }  // as the device's hardware would
};

struct Rig {
  devices::IoBus io;
  devices::PciBus bus;
  Rig() { bus.map(io); }
  static uint32_t addr(unsigned dev, unsigned fn, unsigned reg, unsigned b = 0) {
    return 0x80000000u | b << 16 | dev << 11 | fn << 8 | (reg & 0xFC);
  }
  uint32_t rd(unsigned dev, unsigned fn, unsigned reg, unsigned size) {
    io.out(0xCF8, 4, addr(dev, fn, reg));
    return io.in(uint16_t(0xCFC + (reg & 3)), size);
  }
  void wr(unsigned dev, unsigned fn, unsigned reg, unsigned size, uint32_t v) {
    io.out(0xCF8, 4, addr(dev, fn, reg));
    io.out(uint16_t(0xCFC + (reg & 3)), size, v);
  }
};

struct PirqLog : devices::PirqSink {
  std::vector<std::pair<unsigned, bool>> calls;
  void set_pirq(unsigned p, bool l) override { calls.emplace_back(p, l); }
};

}  // namespace

TEST_CASE("pci: CONFADD is a dword register with enable, bus, device, function, register") {
  Rig r;
  TestDev d;
  r.bus.attach(3, 0, &d);
  r.io.out(0xCF8, 4, 0x80000000u);  // SeaBIOS's PCI probe
  CHECK(r.io.in(0xCF8, 4) == 0x80000000u);
  r.io.out(0xCF8, 4, 0xFFFFFFFFu);  // reserved bits 30:24 and 1:0 read 0
  CHECK(r.bus.address() == 0x80FFFFFCu);
  CHECK(r.io.in(0xCF8, 4) == 0x80FFFFFCu);
  // Byte and word accesses to 0xCF8 are not CONFADD.
  r.io.out(0xCF8, 1, 0x00);
  r.io.out(0xCF8, 2, 0x0000);
  CHECK(r.bus.address() == 0x80FFFFFCu);
  CHECK(r.io.in(0xCF8, 1) == 0xFF);
  // Enable bit clear: the data port reads all ones and drops writes.
  r.io.out(0xCF8, 4, 0x00001800u);  // device 3, register 0, not enabled
  CHECK(r.io.in(0xCFC, 4) == 0xFFFFFFFFu);
  r.io.out(0xCFC, 1, 0x05);
  CHECK(d.command() == 0);
  // Enabled: vendor/device at any width and offset.
  CHECK(r.rd(3, 0, 0x00, 4) == 0x56781234u);
  CHECK(r.rd(3, 0, 0x00, 2) == 0x1234u);
  CHECK(r.rd(3, 0, 0x02, 2) == 0x5678u);
  CHECK(r.rd(3, 0, 0x01, 1) == 0x12u);
  CHECK(r.rd(3, 0, 0x03, 1) == 0x56u);
  CHECK(r.rd(3, 0, 0x08, 4) == 0x03000007u);  // class 03 00 00, revision 7
  CHECK(r.rd(3, 0, 0x0E, 1) == 0x00u);
  // Absent: other devices, other functions of a single-function device, bus 1.
  CHECK(r.rd(4, 0, 0x00, 4) == 0xFFFFFFFFu);
  CHECK(r.rd(3, 1, 0x00, 2) == 0xFFFFu);
  r.io.out(0xCF8, 4, Rig::addr(3, 0, 0, 1));
  CHECK(r.io.in(0xCFC, 4) == 0xFFFFFFFFu);
  r.wr(4, 0, 0x04, 2, 0x0007);  // writes to nothing are dropped
  CHECK(r.bus.device(4, 0) == nullptr);
}

TEST_CASE("pci: read-only identity, writable command, status write-one-to-clear, device registers") {
  Rig r;
  TestDev d;
  r.bus.attach(2, 0, &d);
  r.wr(2, 0, 0x00, 4, 0xFFFFFFFFu);
  CHECK(r.rd(2, 0, 0x00, 4) == 0x56781234u);
  r.wr(2, 0, 0x08, 4, 0);
  CHECK(r.rd(2, 0, 0x08, 4) == 0x03000007u);
  // Command: I/O, memory, master, parity, SERR#, INTx disable; bit 3 is fixed 0.
  r.wr(2, 0, 0x04, 2, 0xFFFF);
  CHECK(r.rd(2, 0, 0x04, 2) == 0x0547u);
  r.wr(2, 0, 0x04, 2, 0x0000);
  // Status error bits are cleared by writing 1; other bits ignore writes.
  d.poke16(0x06, 0xF900);  // the device reports errors
  r.wr(2, 0, 0x06, 2, 0x8000);
  CHECK(r.rd(2, 0, 0x06, 2) == 0x7900u);
  r.wr(2, 0, 0x07, 1, 0x79);
  CHECK(r.rd(2, 0, 0x06, 2) == 0x0000u);
  // Cache line, latency and interrupt line are writable; the pin is not.
  r.wr(2, 0, 0x0C, 2, 0x4010);
  CHECK(r.rd(2, 0, 0x0C, 2) == 0x4010u);
  r.wr(2, 0, 0x3C, 2, 0x030B);
  CHECK(r.rd(2, 0, 0x3C, 2) == 0x010Bu);
  // A byte write in the middle of a dword touches only that byte.
  r.wr(2, 0, 0x40, 4, 0xFFFFFFFFu);
  CHECK(r.rd(2, 0, 0x40, 4) == 0x0000001Fu);
  r.wr(2, 0, 0x40, 1, 0x02);
  CHECK(r.rd(2, 0, 0x40, 1) == 0x12u);
  // Reset restores power-on values.
  d.reset();
  CHECK(r.rd(2, 0, 0x3C, 2) == 0x0100u);
  CHECK(r.rd(2, 0, 0x40, 1) == 0x11u);
}

TEST_CASE("pci: BAR sizing reads back the size mask and the type bits") {
  Rig r;
  TestDev d;
  r.bus.attach(1, 0, &d);
  CHECK(r.rd(1, 0, 0x10, 4) == 0x00000001u);  // I/O
  CHECK(r.rd(1, 0, 0x14, 4) == 0x00000000u);  // 32-bit memory
  CHECK(r.rd(1, 0, 0x18, 4) == 0x00000008u);  // prefetchable
  for (unsigned off = 0x10; off <= 0x24; off += 4) r.wr(1, 0, off, 4, 0xFFFFFFFFu);
  CHECK(r.rd(1, 0, 0x10, 4) == 0xFFFFFFE1u);
  CHECK(r.rd(1, 0, 0x14, 4) == 0xFFFFF000u);
  CHECK(r.rd(1, 0, 0x18, 4) == 0xFFF00008u);
  CHECK(r.rd(1, 0, 0x1C, 4) == 0u);  // absent BARs read 0: size 0
  CHECK(r.rd(1, 0, 0x24, 4) == 0u);
  CHECK(r.rd(1, 0, 0x30, 4) == 0u);  // no expansion ROM
  // The size as SeaBIOS computes it: ~(value & mask) + 1.
  CHECK((~(r.rd(1, 0, 0x10, 4) & ~3u) + 1) == 32u);
  CHECK((~(r.rd(1, 0, 0x18, 4) & ~15u) + 1) == 0x100000u);
  // Addresses keep only the bits above the size.
  r.wr(1, 0, 0x10, 4, 0xC0FF);
  CHECK(r.rd(1, 0, 0x10, 4) == 0xC0E1u);
  r.wr(1, 0, 0x14, 2, 0x1234);
  r.wr(1, 0, 0x16, 2, 0xFEB0);
  CHECK(r.rd(1, 0, 0x14, 4) == 0xFEB01000u);
}

TEST_CASE("pci: BARs are decoded only with their space enabled, moves are reported") {
  Rig r;
  TestDev d;
  r.bus.attach(1, 0, &d);
  r.wr(1, 0, 0x10, 4, 0xC000);
  r.wr(1, 0, 0x14, 4, 0xFEBF0000u);
  CHECK(d.moves.empty());  // decoding still off
  CHECK(d.bar_address(0) == pci::kUnmapped);
  r.wr(1, 0, 0x04, 2, pci::kCmdIo);
  REQUIRE(d.moves.size() == 1);
  CHECK(d.moves[0] == std::make_tuple(0, pci::kUnmapped, 0xC000u));
  r.wr(1, 0, 0x04, 2, pci::kCmdIo | pci::kCmdMemory);
  REQUIRE(d.moves.size() == 2);
  CHECK(d.moves[1] == std::make_tuple(1, pci::kUnmapped, 0xFEBF0000u));
  CHECK(d.bar_address(1) == 0xFEBF0000u);
  // Moving the I/O BAR; rewriting the same address reports nothing.
  r.wr(1, 0, 0x10, 4, 0xC100);
  r.wr(1, 0, 0x10, 4, 0xC100);
  REQUIRE(d.moves.size() == 3);
  CHECK(d.moves[2] == std::make_tuple(0, 0xC000u, 0xC100u));
  // Sizing while decoding: all ones wraps, so the BAR is not decoded meanwhile.
  r.wr(1, 0, 0x14, 4, 0xFFFFFFFFu);
  CHECK(d.bar_address(1) == pci::kUnmapped);
  r.wr(1, 0, 0x14, 4, 0xFEBF0000u);
  CHECK(d.bar_address(1) == 0xFEBF0000u);
  // I/O above 64 KiB and address 0 are not decoded.
  r.wr(1, 0, 0x10, 4, 0x10000);
  CHECK(d.bar_address(0) == pci::kUnmapped);
  r.wr(1, 0, 0x10, 4, 0x0);
  CHECK(d.bar_address(0) == pci::kUnmapped);
  r.wr(1, 0, 0x10, 4, 0xFFE0);  // ends exactly at 0xFFFF
  CHECK(d.bar_address(0) == 0xFFE0u);
  // Turning memory decoding off unmaps the memory BARs only.
  size_t n = d.moves.size();
  r.wr(1, 0, 0x04, 1, pci::kCmdIo);
  REQUIRE(d.moves.size() == n + 1);
  CHECK(d.moves.back() == std::make_tuple(1, 0xFEBF0000u, pci::kUnmapped));
  // A reset reports the decoded BAR going away.
  d.reset();
  CHECK(d.moves.back() == std::make_tuple(0, 0xFFE0u, pci::kUnmapped));
  CHECK(r.rd(1, 0, 0x10, 4) == 1u);
}

TEST_CASE("pci: a listener sees BAR moves of a device that does not override bar_moved") {
  struct Plain : PciDevice {
    Plain() : PciDevice(0x8086, 0x1111, 0x020000, 0) {
      add_bar(3, BarType::Io, 8);
      reset();
    }
  } p;
  std::vector<std::tuple<int, uint32_t, uint32_t>> seen;
  p.set_bar_listener([&](int b, uint32_t o, uint32_t n) { seen.emplace_back(b, o, n); });
  p.config_write(0x1C, 4, 0x6008);
  p.config_write(0x04, 2, pci::kCmdIo);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == std::make_tuple(3, pci::kUnmapped, 0x6008u));
  CHECK(p.config_read(0x1C, 4) == 0x6009u);
}

TEST_CASE("pci: the expansion ROM BAR maps the ROM image into the physical map") {
  mmu::Memory mem(1u << 20);
  std::vector<uint8_t> image(40000);
  for (size_t i = 0; i < image.size(); ++i) image[i] = uint8_t(i * 13 + 1);
  image[0] = 0x55, image[1] = 0xAA;
  int rom = mem.add_rom(image.data(), uint32_t(image.size()));
  Rig r;
  TestDev d(&mem, rom, uint32_t(image.size()));
  r.bus.attach(2, 0, &d);
  CHECK(d.bar(pci::kRomSlot).size == 0x10000u);  // next power of two
  // SeaBIOS's sizing: write everything but the enable bit, read back.
  r.wr(2, 0, 0x30, 4, 0xFFFFFFFEu);
  CHECK(r.rd(2, 0, 0x30, 4) == 0xFFFF0000u);
  r.wr(2, 0, 0x30, 4, 0xFEBC0000u);
  r.wr(2, 0, 0x04, 2, pci::kCmdMemory);
  CHECK(mem.read<uint16_t>(0xFEBC0000u) == 0xFFFFu);  // not enabled yet
  r.wr(2, 0, 0x30, 4, 0xFEBC0001u);
  CHECK(r.rd(2, 0, 0x30, 4) == 0xFEBC0001u);
  CHECK(d.bar_address(pci::kRomSlot) == 0xFEBC0000u);
  CHECK(mem.read<uint16_t>(0xFEBC0000u) == 0xAA55u);
  CHECK(mem.read<uint8_t>(0xFEBC0000u + 39999) == image[39999]);
  CHECK(mem.read<uint8_t>(0xFEBC0000u + 40000) == 0xFF);  // past the image
  mem.write<uint8_t>(0xFEBC0002u, 0);                      // ROM: writes ignored
  CHECK(mem.read<uint8_t>(0xFEBC0002u) == image[2]);
  CHECK(std::get<0>(d.moves.back()) == pci::kRomSlot);
  // Moving it: the old window is gone, the new one shows the image.
  r.wr(2, 0, 0x30, 4, 0xFEBD0001u);
  CHECK(mem.read<uint16_t>(0xFEBC0000u) == 0xFFFFu);
  CHECK(mem.read<uint16_t>(0xFEBD0000u) == 0xAA55u);
  // Memory decoding off removes it; on again restores it.
  r.wr(2, 0, 0x04, 2, 0);
  CHECK(mem.read<uint16_t>(0xFEBD0000u) == 0xFFFFu);
  r.wr(2, 0, 0x04, 2, pci::kCmdMemory);
  CHECK(mem.read<uint16_t>(0xFEBD0000u) == 0xAA55u);
  // Clearing the enable bit unmaps it.
  r.wr(2, 0, 0x30, 1, 0x00);
  CHECK(mem.read<uint16_t>(0xFEBD0000u) == 0xFFFFu);
  CHECK(d.bar_address(pci::kRomSlot) == pci::kUnmapped);
}

TEST_CASE("pci: INTx pins are swizzled onto PIRQs, shared lines are ORed, INTx disable masks") {
  Rig r;
  PirqLog log;
  r.bus.set_pirq_sink(&log);
  TestDev a, b, c;
  r.bus.attach(2, 0, &a);  // INTA# of device 2 -> PIRQB
  r.bus.attach(3, 0, &b);  // device 3 -> PIRQC
  r.bus.attach(6, 0, &c);  // device 6 -> PIRQB again (6 + 1 - 2 = 5 & 3 = 1)
  CHECK(devices::PciBus::pirq_of(1, 1) == 0u);
  CHECK(devices::PciBus::pirq_of(0, 1) == 3u);
  CHECK(devices::PciBus::pirq_of(2, 4) == 0u);
  a.set_irq_level(true);
  REQUIRE(log.calls.size() == 1);
  CHECK(log.calls[0] == std::make_pair(1u, true));
  CHECK(r.rd(2, 0, 0x06, 2) == pci::kStatusIntx);
  c.set_irq_level(true);  // PIRQB already high: no new call
  CHECK(log.calls.size() == 1);
  a.set_irq_level(false);
  CHECK(log.calls.size() == 1);
  CHECK(r.bus.pirq_level(1));
  c.set_irq_level(false);
  REQUIRE(log.calls.size() == 2);
  CHECK(log.calls[1] == std::make_pair(1u, false));
  b.set_irq_level(true);
  CHECK(log.calls.back() == std::make_pair(2u, true));
  // Interrupt disable: the pin drops, the status bit still shows the request.
  r.wr(3, 0, 0x04, 2, pci::kCmdIntxDisable);
  CHECK(log.calls.back() == std::make_pair(2u, false));
  CHECK(r.rd(3, 0, 0x06, 2) == pci::kStatusIntx);
  r.wr(3, 0, 0x04, 2, 0);
  CHECK(log.calls.back() == std::make_pair(2u, true));
  // A reset lowers the pin.
  b.reset();
  CHECK(log.calls.back() == std::make_pair(2u, false));
  CHECK(!r.bus.pirq_level(2));
}

TEST_CASE("pci: data accesses reaching past 0xCFF go to the ports beyond") {
  Rig r;
  TestDev d;
  r.bus.attach(0, 0, &d);
  std::vector<std::pair<uint16_t, uint32_t>> outs;
  r.io.map(0xD00, 0xD01, [](uint16_t p, unsigned) -> uint32_t { return p == 0xD00 ? 0xAB : 0xCD; },
           [&](uint16_t p, unsigned, uint32_t v) { outs.emplace_back(p, v); });
  r.io.out(0xCF8, 4, Rig::addr(0, 0, 0));
  CHECK(r.io.in(0xCFF, 2) == 0xAB56u);
  CHECK(r.io.in(0xCFE, 4) == 0xCDAB5678u);
  r.io.out(0xCF8, 4, Rig::addr(0, 0, 0x3C));
  r.io.out(0xCFF, 2, 0x7766);
  REQUIRE(outs.size() == 1);
  CHECK(outs[0] == std::make_pair(uint16_t(0xD00), 0x77u));
  CHECK(d.cfg8(0x3F) == 0x00);  // max latency: read-only
}

TEST_CASE("pci: bus reset clears CONFADD and resets every function") {
  Rig r;
  TestDev d;
  r.bus.attach(5, 2, &d);
  r.wr(5, 2, 0x3C, 1, 0x0A);
  r.bus.reset();
  CHECK(r.bus.address() == 0u);
  CHECK(d.cfg8(0x3C) == 0);
  CHECK_THROWS(r.bus.attach(5, 2, &d));
  CHECK_THROWS(r.bus.attach(32, 0, &d));
}
