// Test rig for devices::Fdc (test_fdc*.cpp): an 82077AA with DMA, a fake clock,
// an IRQ log and temporary image files.
#pragma once
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "devices/disk_image.h"
#include "devices/dma.h"
#include "devices/fdc.h"
#include "devices/iobus.h"
#include "devices/scheduler.h"
#include "mmu/memory.h"

namespace fdc_test {

using devices::DiskImage;
using devices::Fdc;

inline constexpr uint32_t k144 = 1474560;

// A temporary image file; sector s (LBA) holds s in its first two bytes and
// (s + i) & 0xFF in byte i >= 2.
struct TempImage {
  std::string path;
  explicit TempImage(size_t size) {
    char name[] = "/tmp/xlat86-fdc-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    path = name;
    std::vector<uint8_t> d(size);
    for (size_t i = 0; i < size; ++i) d[i] = pattern(i / 512, i % 512);
    REQUIRE(::write(fd, d.data(), size) == ssize_t(size));
    ::close(fd);
  }
  ~TempImage() { ::unlink(path.c_str()); }
  static uint8_t pattern(size_t lba, size_t i) {
    if (i == 0) return uint8_t(lba);
    if (i == 1) return uint8_t(lba >> 8);
    return uint8_t(lba + i);
  }
  std::vector<uint8_t> sector(size_t lba) const {
    std::vector<uint8_t> d(512);
    FILE* f = fopen(path.c_str(), "rb");
    REQUIRE(f);
    fseek(f, long(lba * 512), SEEK_SET);
    REQUIRE(fread(d.data(), 1, 512, f) == 512);
    fclose(f);
    return d;
  }
};

struct IrqLog : devices::IrqSink {
  bool level[16] = {};
  int rises[16] = {};
  void set_irq(unsigned line, bool v) override {
    if (v && !level[line]) ++rises[line];
    level[line] = v;
  }
};

struct FdcRig {
  uint64_t clock = 0;  // 1 GHz: instructions = ns
  devices::Scheduler sched{&clock, 1'000'000'000};
  IrqLog irq;
  mmu::Memory mem{4u << 20};
  devices::IoBus bus;
  devices::Dma dma{mem};
  Fdc fdc{sched, irq, dma};

  FdcRig() {
    dma.map(bus);
    fdc.map(bus);
    out(0x0D, 0), out(0xDA, 0), out(0xD6, 0xC0), out(0xD4, 0x00);  // SeaBIOS dma_setup
  }
  void out(uint16_t p, uint8_t v) { bus.out(p, 1, v); }
  uint8_t in(uint16_t p) { return uint8_t(bus.in(p, 1)); }
  uint8_t msr() { return in(0x3F4); }
  void run(uint64_t ns) {
    uint64_t target = clock + ns;
    while (clock < target) {
      clock += sched.instructions_until_next(target - clock);
      sched.run_due();
    }
  }
  bool irq6() const { return irq.level[6]; }
  // Run until IRQ 6 is high (at most 10 ms).
  bool wait_irq() {
    for (int i = 0; i < 1000 && !irq6(); ++i) run(10'000);
    return irq6();
  }
  // Command bytes, each after checking RQM = 1, DIO = 0.
  void cmd(std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) {
      REQUIRE((msr() & 0xC0) == 0x80);
      out(0x3F5, b);
    }
  }
  // Result bytes, each after checking RQM = 1, DIO = 1; then the controller is idle.
  std::vector<uint8_t> results(unsigned n) {
    std::vector<uint8_t> r;
    for (unsigned i = 0; i < n; ++i) {
      REQUIRE((msr() & 0xC0) == 0xC0);
      r.push_back(in(0x3F5));
    }
    CHECK((msr() & 0xD0) == 0x80);
    return r;
  }
  // SeaBIOS floppy_enable_controller: reset through the DOR, wait, one SENSE INTERRUPT.
  void enable() {
    out(0x3F2, 0x00);
    out(0x3F2, 0x0C);
    REQUIRE(wait_irq());
    cmd({0x08});
    CHECK(results(2) == std::vector<uint8_t>{0xC0, 0x00});
  }
  // SeaBIOS dma_floppy: channel 2, single mode, `to_memory` = a disk read.
  void dma_setup(uint32_t addr, uint32_t count, bool to_memory) {
    out(0x0A, 0x06);
    out(0x0C, 0);
    out(0x04, uint8_t(addr)), out(0x04, uint8_t(addr >> 8));
    out(0x0C, 0);
    out(0x05, uint8_t(count - 1)), out(0x05, uint8_t((count - 1) >> 8));
    out(0x0B, to_memory ? 0x46 : 0x4A);
    out(0x81, uint8_t(addr >> 16));
    out(0x0A, 0x02);
  }
  void insert(unsigned d, const std::string& path, bool snapshot = false, bool ro = false) {
    fdc.insert(d, DiskImage::open(path, snapshot, ro));
  }
  // SEEK and its SENSE INTERRUPT: returns {ST0, PCN}.
  std::vector<uint8_t> seek(uint8_t ds, uint8_t cyl) {
    cmd({0x0F, ds, cyl});
    REQUIRE(wait_irq());
    cmd({0x08});
    return results(2);
  }
  // A data command with 7 result bytes, after its interrupt.
  std::vector<uint8_t> data_cmd(std::initializer_list<uint8_t> bytes) {
    cmd(bytes);
    CHECK((msr() & 0x90) == 0x10);  // execution phase: busy, no RQM
    REQUIRE(wait_irq());
    auto r = results(7);
    CHECK_FALSE(irq6());  // the first result byte cleared INT
    return r;
  }
};

inline bool sector_in_memory(mmu::Memory& mem, uint32_t addr, size_t lba) {
  for (size_t i = 0; i < 512; ++i)
    if (mem.read8(uint32_t(addr + i)) != TempImage::pattern(lba, i)) return false;
  return true;
}

using Bytes = std::vector<uint8_t>;

}  // namespace fdc_test
