// devices::IdeChannel: registers, resets, drive selection, the PIO data port
// and the interrupt line. Commands are in ide_ata.cpp and ide_atapi.cpp.
#include <algorithm>
#include <cstring>

#include "devices/byteio.h"
#include "devices/disk_image.h"
#include "devices/ide.h"

namespace devices {

IdeChannel::IdeChannel(IrqSink& irq, uint16_t base, uint16_t ctrl, unsigned irq_line,
                       unsigned index)
    : irq_(irq), base_(base), ctrl_(ctrl), line_(irq_line), index_(index) {}

void IdeChannel::map(IoBus& bus) {
  IoBus* b = &bus;
  bus.map(
      base_, uint16_t(base_ + 7),
      [this, b](uint16_t port, unsigned size) -> uint32_t {
        unsigned reg = port - base_;
        if (reg == R_DATA) return read_data(size);
        return size == 1 ? read_reg(reg) : split_in(*b, port, size);
      },
      [this, b](uint16_t port, unsigned size, uint32_t value) {
        unsigned reg = port - base_;
        if (reg == R_DATA)
          write_data(size, value);
        else if (size == 1)
          write_reg(reg, uint8_t(value));
        else
          split_out(*b, port, size, value);
      });
  bus.map(
      ctrl_, ctrl_,
      [this, b](uint16_t port, unsigned size) -> uint32_t {
        return size == 1 ? read_alt_status() : split_in(*b, port, size);
      },
      [this, b](uint16_t port, unsigned size, uint32_t value) {
        if (size == 1)
          write_control(uint8_t(value));
        else
          split_out(*b, port, size, value);
      });
}

// ---------------------------------------------------------------- resets

void IdeChannel::set_signature(Drive& d) {
  d.nsect = 1, d.lbal = 1;
  d.lbam = d.kind == Kind::Cdrom ? 0x14 : 0x00;
  d.lbah = d.kind == Kind::Cdrom ? 0xEB : 0x00;
}

// What SRST, DEVICE RESET and EXECUTE DEVICE DIAGNOSTIC leave: the signature,
// no transfer, no interrupt. An ATAPI drive keeps DRDY clear until its next
// command; its sense data, lock and medium state survive.
void IdeChannel::soft_reset(Drive& d) {
  d.xfer = Xfer::None;
  d.pos = d.end = 0;
  d.intrq = false;
  set_signature(d);
  d.device = 0;
  d.error = 0x01;  // diagnostics passed
  d.status = d.kind == Kind::Cdrom ? 0 : uint8_t(ST_DRDY | ST_DSC);
}

void IdeChannel::power_on(Drive& d) {
  d.feature = d.feature_hob = d.nsect_hob = d.lbal_hob = d.lbam_hob = d.lbah_hob = 0;
  d.mult = 0;
  d.write_cache = d.look_ahead = true;
  d.power = 0xFF;
  d.cur_heads = d.heads, d.cur_spt = d.spt;
  d.locked = false;
  soft_reset(d);
}

void IdeChannel::reset() {
  for (Drive& d : drv_) power_on(d);
  sel_ = 0;
  dc_ = 0;
  update_irq();
}

void IdeChannel::attach_disk(unsigned unit, DiskImage* image) {
  Drive& d = drv_[unit & 1];
  d = Drive{};
  d.kind = Kind::Disk;
  d.image = image;
  d.sectors = image ? image->size() / kSector : 0;
  d.heads = 16, d.spt = 63;
  d.cyls = uint16_t(std::clamp<uint64_t>(d.sectors / (16 * 63), 1, 16383));
  power_on(d);
  update_irq();
}

void IdeChannel::attach_cdrom(unsigned unit, DiskImage* medium) {
  Drive& d = drv_[unit & 1];
  d = Drive{};
  d.kind = Kind::Cdrom;
  d.image = medium;
  power_on(d);
  update_irq();
}

void IdeChannel::detach(unsigned unit) {
  drv_[unit & 1] = Drive{};
  update_irq();
}

// ---------------------------------------------------------------- registers

uint8_t IdeChannel::read_reg(unsigned reg) {
  if (!present(0) && !present(1)) return 0xFF;  // nothing drives the bus
  Drive& d = cur();
  if (d.kind == Kind::None) return 0;  // device 0 answers for an absent device 1
  bool hob = dc_ & DC_HOB;
  switch (reg) {
    case R_ERROR: return d.error;
    case R_NSECT: return hob ? d.nsect_hob : d.nsect;
    case R_LBAL: return hob ? d.lbal_hob : d.lbal;
    case R_LBAM: return hob ? d.lbam_hob : d.lbam;
    case R_LBAH: return hob ? d.lbah_hob : d.lbah;
    case R_DEVICE: return d.device;
    case R_STATUS:
      if (d.intrq) {
        d.intrq = false;
        update_irq();
      }
      return d.status;
    default: return 0xFF;
  }
}

uint8_t IdeChannel::read_alt_status() {
  if (!present(0) && !present(1)) return 0xFF;
  return cur().kind == Kind::None ? 0 : cur().status;
}

void IdeChannel::write_reg(unsigned reg, uint8_t v) {
  if (dc_ & DC_SRST) return;  // the drives are busy resetting
  dc_ &= uint8_t(~DC_HOB);
  if (reg == R_COMMAND) {
    command(v);
    return;
  }
  for (Drive& d : drv_) {
    switch (reg) {
      case R_FEATURE: d.feature_hob = d.feature, d.feature = v; break;
      case R_NSECT: d.nsect_hob = d.nsect, d.nsect = v; break;
      case R_LBAL: d.lbal_hob = d.lbal, d.lbal = v; break;
      case R_LBAM: d.lbam_hob = d.lbam, d.lbam = v; break;
      case R_LBAH: d.lbah_hob = d.lbah, d.lbah = v; break;
      case R_DEVICE: d.device = v; break;
      default: break;
    }
  }
  if (reg == R_DEVICE) {
    sel_ = (v >> 4) & 1;
    update_irq();
  }
}

void IdeChannel::write_control(uint8_t v) {
  bool was = dc_ & DC_SRST, now = v & DC_SRST;
  dc_ = v;
  if (now && !was) {
    // Reset asserted: both drives drop what they were doing and show BSY.
    for (Drive& d : drv_) {
      d.xfer = Xfer::None;
      d.intrq = false;
      d.status = ST_BSY;
    }
  } else if (was && !now) {
    for (Drive& d : drv_) soft_reset(d);
    sel_ = 0;
  }
  update_irq();
}

// ---------------------------------------------------------------- data port

uint32_t IdeChannel::read_data(unsigned size) {
  if (!present(0) && !present(1)) return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  Drive& d = cur();
  bool in = d.xfer == Xfer::PioIn || d.xfer == Xfer::AtaIn || d.xfer == Xfer::AtapiIn;
  if (d.kind == Kind::None || !in || !(d.status & ST_DRQ)) return 0;
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i)
    if (d.pos + i < d.end) v |= uint32_t(d.buf[d.pos + i]) << (8 * i);
  d.pos = std::min(d.pos + size, d.end);
  if (d.pos >= d.end) block_done(d);
  return v;
}

void IdeChannel::write_data(unsigned size, uint32_t v) {
  Drive& d = cur();
  bool out = d.xfer == Xfer::AtaOut || d.xfer == Xfer::Packet;
  if (d.kind == Kind::None || !out || !(d.status & ST_DRQ)) return;
  for (unsigned i = 0; i < size && d.pos + i < d.end; ++i) d.buf[d.pos + i] = uint8_t(v >> (8 * i));
  d.pos = std::min(d.pos + size, d.end);
  if (d.xfer == Xfer::AtaOut && !ata_store(d)) return;
  if (d.pos >= d.end) block_done(d);
}

void IdeChannel::block_done(Drive& d) {
  switch (d.xfer) {
    case Xfer::PioIn:  // IDENTIFY (PACKET) DEVICE: one block, no interrupt at the end
      d.xfer = Xfer::None;
      d.status = ST_DRDY | ST_DSC;
      break;
    case Xfer::AtaIn:
    case Xfer::AtaOut: ata_block_done(d); break;
    case Xfer::Packet: atapi_exec(d); break;
    case Xfer::AtapiIn:
      if (d.left)
        atapi_chunk(d);
      else
        atapi_ok(d);
      break;
    case Xfer::None: break;
  }
}

// ---------------------------------------------------------------- completion

void IdeChannel::update_irq() {
  const Drive& d = drv_[sel_];
  bool level = d.kind != Kind::None && d.intrq && !(dc_ & DC_NIEN);
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set_irq(line_, level);
  }
}

void IdeChannel::raise(Drive& d) {
  d.intrq = true;
  update_irq();
}

void IdeChannel::start_pio_in(Drive& d, uint32_t n) {
  d.pos = 0, d.end = n;
  d.status = ST_DRDY | ST_DSC | ST_DRQ;
  raise(d);
}

void IdeChannel::complete(Drive& d) {
  d.xfer = Xfer::None;
  d.status = ST_DRDY | ST_DSC;
  raise(d);
}

void IdeChannel::fail(Drive& d, uint8_t error) {
  d.xfer = Xfer::None;
  d.error = error;
  d.status = ST_DRDY | ST_DSC | ST_ERR;
  raise(d);
}

// EXECUTE DEVICE DIAGNOSTIC: both drives run it and show their signatures;
// device 0 reports for the pair (01h: passed, device 1 passed or absent) and
// interrupts (device 1 does when it is alone).
void IdeChannel::diagnose() {
  for (Drive& d : drv_)
    if (d.kind != Kind::None) soft_reset(d);
  sel_ = 0;
  raise(present(0) ? drv_[0] : drv_[1]);
}

}  // namespace devices
