#include "devices/pci.h"

#include <stdexcept>

#include "mmu/memory.h"

namespace devices {

namespace {
bool pow2(uint32_t v) { return v && !(v & (v - 1)); }
}  // namespace

// ---------------------------------------------------------------- PciDevice

PciDevice::PciDevice(uint16_t vendor, uint16_t device, uint32_t class_code, uint8_t revision,
                     uint8_t header_type)
    : vendor_(vendor), device_(device), class_code_(class_code), revision_(revision),
      header_type_(header_type) {}

void PciDevice::init16(unsigned off, uint16_t v, uint16_t wmask) {
  init8(off, uint8_t(v), uint8_t(wmask));
  init8(off + 1, uint8_t(v >> 8), uint8_t(wmask >> 8));
}

void PciDevice::init32(unsigned off, uint32_t v, uint32_t wmask) {
  init16(off, uint16_t(v), uint16_t(wmask));
  init16(off + 2, uint16_t(v >> 16), uint16_t(wmask >> 16));
}

void PciDevice::add_bar(int i, BarType type, uint32_t size) {
  if (i < 0 || i > 5 || type == BarType::None || !pow2(size) || size < (type == BarType::Io ? 4u : 16u))
    throw std::invalid_argument("PCI BAR: bad index, type or size");
  bars_[size_t(i)].type = type;
  bars_[size_t(i)].size = size;
}

void PciDevice::set_rom(mmu::Memory* mem, int rom, uint32_t len) {
  uint32_t size = 4096;
  while (size < len) size <<= 1;
  rom_mem_ = mem;
  rom_id_ = rom;
  bars_[pci::kRomSlot].type = BarType::Mem;
  bars_[pci::kRomSlot].size = size;
}

void PciDevice::reset() {
  config_.fill(0);
  wmask_.fill(0);
  w1c_.fill(0);
  init16(pci::kVendorId, vendor_);
  init16(pci::kDeviceId, device_);
  init8(pci::kRevision, revision_);
  init8(pci::kProgIf, uint8_t(class_code_));
  init16(pci::kClass, uint16_t(class_code_ >> 8));
  init8(pci::kHeaderType, header_type_);
  // Command: I/O, memory, bus master, parity, SERR#, interrupt disable.
  init16(pci::kCommand, 0,
         pci::kCmdIo | pci::kCmdMemory | pci::kCmdMaster | pci::kCmdParity | pci::kCmdSerr |
             pci::kCmdIntxDisable);
  // Status: the error bits 15:11 and 8 are cleared by writing ones.
  set_w1c(pci::kStatus, 0x00);
  set_w1c(pci::kStatus + 1, 0xF9);
  init8(pci::kCacheLine, 0, 0xFF);
  init8(pci::kLatency, 0, 0xFF);
  init8(pci::kIntLine, 0, 0xFF);
  for (int i = 0; i < 6; ++i) {
    const Bar& b = bars_[size_t(i)];
    unsigned off = pci::kBar0 + 4 * unsigned(i);
    if (b.type == BarType::Io)
      init32(off, 0x1, ~(b.size - 1) & ~0x3u);
    else if (b.type == BarType::Mem)
      init32(off, 0x0, ~(b.size - 1) & ~0xFu);
    else if (b.type == BarType::MemPrefetch)
      init32(off, 0x8, ~(b.size - 1) & ~0xFu);
  }
  if (bars_[pci::kRomSlot].type != BarType::None)
    init32(pci::kRomBar, 0, (~(bars_[pci::kRomSlot].size - 1) & 0xFFFFF800u) | 1u);
  irq_level_ = false;
  reset_registers();
  update_intx();
  update_bars();
}

uint32_t PciDevice::config_read(unsigned offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t(config_byte((offset + i) & 0xFF)) << (8 * i);
  return v;
}

void PciDevice::config_write(unsigned offset, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) {
    unsigned o = (offset + i) & 0xFF;
    uint8_t b = uint8_t(value >> (8 * i));
    config_[o] = uint8_t((config_[o] & ~wmask_[o]) | (b & wmask_[o]));
    config_[o] &= uint8_t(~(b & w1c_[o]));
  }
  auto touches = [&](unsigned first, unsigned last) { return offset <= last && offset + size > first; };
  if (touches(pci::kCommand, pci::kCommand + 1)) update_intx();
  if (touches(pci::kCommand, pci::kCommand + 1) || touches(pci::kBar0, pci::kBar0 + 23) ||
      touches(pci::kRomBar, pci::kRomBar + 3))
    update_bars();
  config_written(offset, size);
}

uint32_t PciDevice::decode(int i) const {
  const Bar& b = bars_[size_t(i)];
  if (b.type == BarType::None) return pci::kUnmapped;
  uint16_t cmd = command();
  if (i == pci::kRomSlot) {
    uint32_t reg = cfg32(pci::kRomBar);
    if (!(reg & 1) || !(cmd & pci::kCmdMemory)) return pci::kUnmapped;
    uint32_t addr = reg & ~(b.size - 1) & 0xFFFFF800u;
    uint64_t last = uint64_t(addr) + b.size - 1;
    return addr == 0 || last >= 0xFFFFFFFFull ? pci::kUnmapped : addr;
  }
  uint32_t reg = cfg32(pci::kBar0 + 4 * unsigned(i));
  if (b.type == BarType::Io) {
    if (!(cmd & pci::kCmdIo)) return pci::kUnmapped;
    uint32_t addr = reg & ~(b.size - 1) & ~0x3u;
    uint64_t last = uint64_t(addr) + b.size - 1;
    return addr == 0 || last > 0xFFFF ? pci::kUnmapped : addr;
  }
  if (!(cmd & pci::kCmdMemory)) return pci::kUnmapped;
  uint32_t addr = reg & ~(b.size - 1) & ~0xFu;
  uint64_t last = uint64_t(addr) + b.size - 1;
  return addr == 0 || last >= 0xFFFFFFFFull ? pci::kUnmapped : addr;
}

void PciDevice::update_bars() {
  for (int i = 0; i < 7; ++i) {
    Bar& b = bars_[size_t(i)];
    uint32_t now = decode(i);
    if (now == b.decoded) continue;
    uint32_t old = b.decoded;
    b.decoded = now;
    if (i == pci::kRomSlot && rom_mem_) {
      if (old != pci::kUnmapped) rom_mem_->unmap(old, b.size);
      if (now != pci::kUnmapped) rom_mem_->map_rom(now, b.size, rom_id_);
    }
    bar_moved(i, old, now);
  }
}

void PciDevice::bar_moved(int bar, uint32_t old_addr, uint32_t new_addr) {
  if (bar_listener_) bar_listener_(bar, old_addr, new_addr);
}

void PciDevice::set_irq_level(bool level) {
  irq_level_ = level;
  update_intx();
}

void PciDevice::update_intx() {
  if (irq_level_)
    config_[pci::kStatus] |= pci::kStatusIntx;
  else
    config_[pci::kStatus] &= uint8_t(~pci::kStatusIntx);
  bool out = irq_level_ && !(command() & pci::kCmdIntxDisable) && config_[pci::kIntPin] >= 1 &&
             config_[pci::kIntPin] <= 4;
  if (out == intx_out_) return;
  intx_out_ = out;
  if (bus_) bus_->intx_changed(this, out);
}

// ------------------------------------------------------------------- PciBus

void PciBus::attach(unsigned dev, unsigned fn, PciDevice* d) {
  if (dev > 31 || fn > 7 || !d) throw std::invalid_argument("PCI attach: bad slot");
  unsigned devfn = dev << 3 | fn;
  if (slots_[devfn]) throw std::logic_error("PCI attach: slot taken");
  slots_[devfn] = d;
  d->bus_ = this;
  d->devfn_ = uint8_t(devfn);
}

void PciBus::map(IoBus& io) {
  io_ = &io;
  io.map(
      kAddressPort, kAddressPort, [this](uint16_t p, unsigned s) { return read_port(p, s); },
      [this](uint16_t p, unsigned s, uint32_t v) { write_port(p, s, v); });
  io.map(
      kDataPort, kDataPort + 3, [this](uint16_t p, unsigned s) { return read_port(p, s); },
      [this](uint16_t p, unsigned s, uint32_t v) { write_port(p, s, v); });
}

void PciBus::reset() {
  address_ = 0;
  for (PciDevice* d : slots_)
    if (d) d->reset();
}

bool PciBus::pirq_level(unsigned pirq) const { return pirq_count_[pirq & 3] != 0; }

void PciBus::intx_changed(PciDevice* d, bool level) {
  unsigned pirq = pirq_of(d->devfn() >> 3, d->cfg8(pci::kIntPin));
  bool before = pirq_count_[pirq] != 0;
  if (level)
    ++pirq_count_[pirq];
  else if (pirq_count_[pirq])
    --pirq_count_[pirq];
  bool after = pirq_count_[pirq] != 0;
  if (before != after && pirq_sink_) pirq_sink_->set_pirq(pirq, after);
}

uint32_t PciBus::read_port(uint16_t port, unsigned size) {
  if (port == kAddressPort) return size == 4 ? address_ : 0xFFFFFFFFu;
  unsigned in_reg = port - kDataPort;
  unsigned here = size < 4 - in_reg ? size : 4 - in_reg;  // bytes within 0xCFC-0xCFF
  uint32_t v = 0xFFFFFFFFu;
  if (address_ & 0x80000000u) {
    unsigned off = (address_ & 0xFC) + in_reg;
    v = config_read((address_ >> 16) & 0xFF, (address_ >> 11) & 31, (address_ >> 8) & 7, off, here);
  }
  if (here == 4) return v;
  v &= (1u << (8 * here)) - 1;
  for (unsigned i = here; i < size; ++i)  // bytes past 0xCFF belong to other ports
    v |= (io_ ? io_->in(uint16_t(port + i), 1) & 0xFF : 0xFF) << (8 * i);
  return v;
}

void PciBus::write_port(uint16_t port, unsigned size, uint32_t value) {
  if (port == kAddressPort) {
    if (size == 4) address_ = value & 0x80FFFFFCu;
    return;
  }
  unsigned in_reg = port - kDataPort;
  unsigned here = size < 4 - in_reg ? size : 4 - in_reg;
  if (address_ & 0x80000000u) {
    unsigned off = (address_ & 0xFC) + in_reg;
    config_write((address_ >> 16) & 0xFF, (address_ >> 11) & 31, (address_ >> 8) & 7, off, here,
                 value);
  }
  for (unsigned i = here; i < size; ++i)
    if (io_) io_->out(uint16_t(port + i), 1, (value >> (8 * i)) & 0xFF);
}

uint32_t PciBus::config_read(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned size) {
  PciDevice* d = bus == 0 ? device(dev, fn) : nullptr;
  if (!d) return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  return d->config_read(off, size);
}

void PciBus::config_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned size,
                          uint32_t v) {
  PciDevice* d = bus == 0 ? device(dev, fn) : nullptr;
  if (d) d->config_write(off, size, v);
}

}  // namespace devices
