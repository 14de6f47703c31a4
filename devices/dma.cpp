// devices::Dma: the i8237A pair and page registers (see dma.h).
#include "devices/dma.h"

#include <algorithm>
#include <vector>

#include "devices/byteio.h"

namespace devices {

namespace {

// Page register (offset from 0x80) of each channel.
constexpr uint8_t kPageIndex[8] = {0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};

constexpr uint8_t kCmdDisable = 0x04;
constexpr uint8_t kModeAutoInit = 0x10;
constexpr uint8_t kModeDecrement = 0x20;
constexpr uint8_t kModeCascade = 0xC0;

}  // namespace

Dma::Dma(mmu::Memory& mem) : mem_(mem) { reset(); }

void Dma::reset() {
  for (unsigned c = 0; c < 2; ++c) {
    ctl_[c] = Controller{};
    master_clear(c);
  }
  std::fill(std::begin(page_regs_), std::end(page_regs_), uint8_t(0));
}

void Dma::master_clear(unsigned c) {
  Controller& k = ctl_[c];
  k.command = 0;
  k.status = 0;
  k.request = 0;
  k.flipflop = false;
  k.mask = 0xF;
}

void Dma::map(IoBus& bus) {
  map_bytes(
      bus, 0x00, 0x0F, [this](uint16_t p) { return read(p); },
      [this](uint16_t p, uint8_t v) { write(p, v); });
  map_bytes(
      bus, 0x80, 0x8F, [this](uint16_t p) { return read(p); },
      [this](uint16_t p, uint8_t v) { write(p, v); });
  map_bytes(
      bus, 0xC0, 0xDF, [this](uint16_t p) { return read(p); },
      [this](uint16_t p, uint8_t v) { write(p, v); });
}

// ---------------------------------------------------------------- ports

uint8_t Dma::read(uint16_t port) {
  if (port <= 0x0F) return read_reg(0, port);
  if (port >= 0x80 && port <= 0x8F) return page_regs_[port - 0x80];
  if (port >= 0xC0 && port <= 0xDF && !(port & 1)) return read_reg(1, (port - 0xC0) >> 1);
  return 0xFF;
}

void Dma::write(uint16_t port, uint8_t value) {
  uint8_t before = ready_mask();
  if (port <= 0x0F) {
    write_reg(0, port, value);
  } else if (port >= 0x80 && port <= 0x8F) {
    page_regs_[port - 0x80] = value;
    if (port == 0x80 && post_cb_) post_cb_(value);
  } else if (port >= 0xC0 && port <= 0xDF && !(port & 1)) {
    write_reg(1, (port - 0xC0) >> 1, value);
  }
  // Tell devices waiting for a channel that it has become ready.
  uint8_t now = ready_mask(), rose = uint8_t(now & ~before);
  for (unsigned ch = 0; ch < 8; ++ch)
    if ((rose >> ch & 1) && ready_cb_[ch]) ready_cb_[ch]();
}

uint8_t Dma::read_reg(unsigned c, unsigned reg) {
  Controller& k = ctl_[c];
  if (reg < 8) {
    const Channel& ch = k.ch[reg >> 1];
    uint16_t v = (reg & 1) ? ch.cur_count : ch.cur_addr;
    bool high = k.flipflop;
    k.flipflop = !k.flipflop;
    return uint8_t(high ? v >> 8 : v);
  }
  switch (reg) {
    case 0x8: {  // status: TC bits clear on read
      uint8_t v = uint8_t((k.status & 0x0F) | (k.request & 0x0F) << 4);
      k.status &= 0xF0;
      return v;
    }
    case 0xD: return 0;  // temporary register
    case 0xF: return uint8_t(0xF0 | k.mask);
    default: return 0xFF;  // write-only registers
  }
}

void Dma::write_reg(unsigned c, unsigned reg, uint8_t v) {
  Controller& k = ctl_[c];
  if (reg < 8) {
    Channel& ch = k.ch[reg >> 1];
    uint16_t& base = (reg & 1) ? ch.base_count : ch.base_addr;
    uint16_t& cur = (reg & 1) ? ch.cur_count : ch.cur_addr;
    base = k.flipflop ? uint16_t((base & 0x00FF) | v << 8) : uint16_t((base & 0xFF00) | v);
    cur = base;
    k.flipflop = !k.flipflop;
    return;
  }
  switch (reg) {
    case 0x8: k.command = v; break;
    case 0x9:
      if (v & 4) k.request |= uint8_t(1u << (v & 3));
      else k.request &= uint8_t(~(1u << (v & 3)));
      break;
    case 0xA:
      if (v & 4) k.mask |= uint8_t(1u << (v & 3));
      else k.mask &= uint8_t(~(1u << (v & 3)));
      break;
    case 0xB: k.ch[v & 3].mode = v; break;
    case 0xC: k.flipflop = false; break;
    case 0xD: master_clear(c); break;
    case 0xE: k.mask = 0; break;
    case 0xF: k.mask = v & 0xF; break;
  }
}

// ---------------------------------------------------------------- transfers

uint8_t Dma::ready_mask() const {
  uint8_t m = 0;
  for (unsigned ch = 0; ch < 8; ++ch)
    if (ready(ch)) m |= uint8_t(1u << ch);
  return m;
}

bool Dma::ready(unsigned ch) const {
  ch &= 7;
  const Controller& k = ctl_[ch >> 2];
  const Channel& c = k.ch[ch & 3];
  if ((k.command & kCmdDisable) || (k.mask >> (ch & 3) & 1)) return false;
  if ((c.mode & 0xC0) == kModeCascade || ((c.mode >> 2) & 3) == 3) return false;
  if (ch < 4) {  // DMA1 holds the bus through DMA2's channel 4
    const Controller& m = ctl_[1];
    if ((m.command & kCmdDisable) || (m.mask & 1) || (m.ch[0].mode & 0xC0) != kModeCascade)
      return false;
  }
  return true;
}

uint32_t Dma::address(unsigned ch) const {
  ch &= 7;
  const Channel& c = chan(ch);
  uint32_t page = page_regs_[kPageIndex[ch]];
  if (ch < 4) return page << 16 | c.cur_addr;
  return (page & 0xFE) << 16 | uint32_t(c.cur_addr) << 1;
}

void Dma::step(unsigned ch, bool* tc) {
  Controller& k = ctl_[ch >> 2];
  Channel& c = k.ch[ch & 3];
  c.cur_addr = uint16_t((c.mode & kModeDecrement) ? c.cur_addr - 1 : c.cur_addr + 1);
  if (c.cur_count-- != 0) return;
  // Terminal count: the count went 0 -> 0xFFFF.
  k.status |= uint8_t(1u << (ch & 3));
  k.request &= uint8_t(~(1u << (ch & 3)));
  if (tc) *tc = true;
  if (c.mode & kModeAutoInit) {
    c.cur_addr = c.base_addr;
    c.cur_count = c.base_count;
  } else {
    k.mask |= uint8_t(1u << (ch & 3));
  }
}

uint32_t Dma::transfer(unsigned ch, uint32_t max_bytes, const DataFn& fn, bool* tc) {
  ch &= 7;
  if (tc) *tc = false;
  if (!ready(ch)) return 0;
  const uint32_t unit = is16(ch) ? 2 : 1;
  uint32_t units = std::min(max_bytes / unit, uint32_t(chan(ch).cur_count) + 1);
  if (units == 0) return 0;
  const uint32_t n = units * unit;
  const Dir dir = direction(ch);
  std::vector<uint8_t> buf(n, 0xFF);

  // The physical address of every unit, walked on a copy of the address
  // register (the 16-bit address wraps without carrying into the page).
  std::vector<uint32_t> addr(units);
  {
    const Channel& c = chan(ch);
    uint16_t a = c.cur_addr;
    uint32_t page = page_regs_[kPageIndex[ch]];
    for (uint32_t i = 0; i < units; ++i) {
      addr[i] = unit == 1 ? (page << 16 | a) : ((page & 0xFE) << 16 | uint32_t(a) << 1);
      a = uint16_t((c.mode & kModeDecrement) ? a - 1 : a + 1);
    }
  }
  if (dir == Dir::FromMemory)
    for (uint32_t i = 0; i < units; ++i)
      for (uint32_t b = 0; b < unit; ++b) buf[i * unit + b] = mem_.read<uint8_t>(addr[i] + b);
  fn(buf.data(), n);
  if (dir == Dir::ToMemory)
    for (uint32_t i = 0; i < units; ++i)
      for (uint32_t b = 0; b < unit; ++b) mem_.write<uint8_t>(addr[i] + b, buf[i * unit + b]);
  for (uint32_t i = 0; i < units; ++i) step(ch, tc);
  return n;
}

}  // namespace devices
