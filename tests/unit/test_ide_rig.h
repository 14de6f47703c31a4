// A rig for the IDE tests: both channels on an IoBus, an IRQ recorder and
// temporary image files, driven through the ports as a BIOS or driver would.
#pragma once
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "devices/disk_image.h"
#include "devices/ide.h"
#include "devices/iobus.h"

namespace {

using devices::DiskImage;
using devices::Ide;
using devices::IdeChannel;

struct IrqRecorder : devices::IrqSink {
  bool level[16] = {};
  int rises[16] = {};
  void set_irq(unsigned line, bool l) override {
    if (l && !level[line]) ++rises[line];
    level[line] = l;
  }
};

// A temporary file of `size` bytes (sparse where `fill` leaves it alone);
// `fill(data)` may write the first min(size, 16 MiB) bytes. Removed at the end.
struct TempFile {
  std::string path;
  explicit TempFile(uint64_t size, const std::function<void(std::vector<uint8_t>&)>& fill = {}) {
    char name[] = "/tmp/xlat86-ide-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    path = name;
    std::vector<uint8_t> head(size_t(std::min<uint64_t>(size, 16 << 20)), 0);
    if (fill) fill(head);
    REQUIRE(::pwrite(fd, head.data(), head.size(), 0) == ssize_t(head.size()));
    REQUIRE(::ftruncate(fd, off_t(size)) == 0);
    ::close(fd);
  }
  ~TempFile() { ::unlink(path.c_str()); }
  void put(uint64_t off, const std::vector<uint8_t>& data) const {
    int fd = ::open(path.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, data.data(), data.size(), off_t(off)) == ssize_t(data.size()));
    ::close(fd);
  }
  std::vector<uint8_t> get(uint64_t off, size_t n) const {
    std::vector<uint8_t> d(n);
    int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::pread(fd, d.data(), n, off_t(off)) == ssize_t(n));
    ::close(fd);
    return d;
  }
};

// Byte `i` of 512-byte sector `s` of the test disks.
inline uint8_t disk_byte(uint64_t s, unsigned i) { return uint8_t(s * 37 + i * 3 + (s >> 8)); }
inline void fill_disk(std::vector<uint8_t>& d) {
  for (size_t i = 0; i < d.size(); ++i) d[i] = disk_byte(i / 512, unsigned(i % 512));
}
// Byte `i` of 2048-byte sector `s` of the test CDs.
inline uint8_t cd_byte(uint64_t s, unsigned i) { return uint8_t(s * 11 + i * 5 + (i >> 9)); }
inline void fill_cd(std::vector<uint8_t>& d) {
  for (size_t i = 0; i < d.size(); ++i) d[i] = cd_byte(i / 2048, unsigned(i % 2048));
}

struct IdeRig {
  IrqRecorder irq;
  devices::IoBus bus;
  Ide ide{irq};
  uint16_t base = 0x1F0, ctrl = 0x3F6;
  unsigned line = 14;

  IdeRig() { ide.map(bus); }
  void use_secondary() { base = 0x170, ctrl = 0x376, line = 15; }

  uint8_t in(unsigned reg) { return uint8_t(bus.in(uint16_t(base + reg), 1)); }
  void out(unsigned reg, uint8_t v) { bus.out(uint16_t(base + reg), 1, v); }
  uint8_t alt() { return uint8_t(bus.in(ctrl, 1)); }
  void control(uint8_t v) { bus.out(ctrl, 1, v); }
  uint8_t status() { return in(7); }
  uint8_t error() { return in(1); }
  void select(unsigned unit, uint8_t head = 0, bool lba = false) {
    out(6, uint8_t(0xA0 | (lba ? 0x40 : 0) | (unit << 4) | head));
  }
  // Sector count and LBA registers; the `hob` bytes first for 48-bit commands.
  void taskfile(uint8_t nsect, uint8_t lbal, uint8_t lbam, uint8_t lbah) {
    out(2, nsect), out(3, lbal), out(4, lbam), out(5, lbah);
  }
  std::vector<uint8_t> read_words(size_t bytes) {
    std::vector<uint8_t> d;
    for (size_t i = 0; i < bytes; i += 2) {
      uint32_t w = bus.in(base, 2);
      d.push_back(uint8_t(w)), d.push_back(uint8_t(w >> 8));
    }
    return d;
  }
  std::vector<uint8_t> read_dwords(size_t bytes) {
    std::vector<uint8_t> d;
    for (size_t i = 0; i < bytes; i += 4) {
      uint32_t w = bus.in(base, 4);
      for (int k = 0; k < 4; ++k) d.push_back(uint8_t(w >> (8 * k)));
    }
    return d;
  }
  void write_words(const std::vector<uint8_t>& d) {
    for (size_t i = 0; i < d.size(); i += 2) bus.out(base, 2, d[i] | (d[i + 1] << 8));
  }
  void write_dwords(const std::vector<uint8_t>& d) {
    for (size_t i = 0; i < d.size(); i += 4)
      bus.out(base, 4, d[i] | d[i + 1] << 8 | d[i + 2] << 16 | uint32_t(d[i + 3]) << 24);
  }
  static uint16_t word(const std::vector<uint8_t>& id, unsigned w) {
    return uint16_t(id[2 * w] | id[2 * w + 1] << 8);
  }
  static std::string ata_string(const std::vector<uint8_t>& id, unsigned w, unsigned words) {
    std::string s;
    for (unsigned i = 0; i < words; ++i) s += char(id[2 * (w + i) + 1]), s += char(id[2 * (w + i)]);
    return s;
  }

  // The ATAPI PACKET protocol with a byte count limit: returns the data-in
  // bytes; `blocks` gets each DRQ block's size. Checks the interrupt reason
  // of every phase and leaves the final status/error for the caller.
  struct PacketResult {
    std::vector<uint8_t> data;
    std::vector<unsigned> blocks;
    uint8_t status = 0, error = 0;
    int irqs = 0;
  };
  PacketResult packet(std::vector<uint8_t> cdb, uint16_t limit) {
    PacketResult r;
    cdb.resize(12, 0);
    out(1, 0), out(4, uint8_t(limit)), out(5, uint8_t(limit >> 8));
    int rises = irq.rises[line];
    out(7, 0xA0);
    uint8_t st = alt();
    REQUIRE((st & 0x88) == 0x08);  // DRQ for the command packet
    CHECK((in(2) & 3) == 1);       // CoD, to the device
    CHECK(irq.rises[line] == rises);  // accelerated DRQ: no interrupt for the packet
    write_words(cdb);
    for (int guard = 0; guard < 100000; ++guard) {
      st = status();
      if (!(st & 0x08)) break;
      REQUIRE((in(2) & 3) == 2);  // IO: data to the host
      unsigned n = in(4) | in(5) << 8;
      r.blocks.push_back(n);
      auto chunk = read_words(n + (n & 1));
      chunk.resize(n);
      r.data.insert(r.data.end(), chunk.begin(), chunk.end());
    }
    CHECK((in(2) & 3) == 3);  // IO|CoD: command complete
    r.status = st;
    r.error = error();
    r.irqs = irq.rises[line] - rises;
    return r;
  }
};

}  // namespace
