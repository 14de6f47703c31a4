// devices::IdeChannel: the ATAPI CD-ROM drive: its ATA commands, the PACKET
// protocol, sense data, medium changes and the MMC commands that move sectors.
// Replies of the other MMC commands are in ide_mmc.cpp.
//
// PACKET (PIO): the drive asks for the 12-byte command (DRQ, interrupt reason
// CoD), then hands data over in DRQ blocks of at most the byte count limit
// the host put in the cylinder registers at PACKET time (even, 0 taken as
// 0xFFFE); each block has its size in the cylinder registers, reason IO and an
// interrupt. The end of a command is reason IO|CoD with an interrupt; CHECK
// CONDITION is ERR with the sense key in the error register's upper nibble.
//
// UNIT ATTENTION (06/28/00 after a medium insertion) is reported once to the
// first command other than INQUIRY, REQUEST SENSE, GET CONFIGURATION and GET
// EVENT STATUS NOTIFICATION; commands that need a disc report NOT READY
// 02/3A/01 (tray closed) or 02/3A/02 (tray open) without one.
//
// Packet commands: TEST UNIT READY, REQUEST SENSE, INQUIRY, START STOP UNIT,
// PREVENT ALLOW MEDIUM REMOVAL, READ CAPACITY, READ(10), READ(12), READ CD
// (user data of mode 1 sectors), SEEK(10), READ TOC, GET CONFIGURATION, GET
// EVENT STATUS NOTIFICATION, READ DISC INFORMATION, MODE SENSE(10), SET CD
// SPEED (ignored), MECHANISM STATUS. Others: ILLEGAL REQUEST 05/20/00; a
// sector past the disc 05/21/00; a bad field 05/24/00; a failed image read
// MEDIUM ERROR 03/11/00. Data-out commands (MODE SELECT, writes) are not
// offered.
#include <algorithm>
#include <cstring>
#include <string>

#include "devices/disk_image.h"
#include "devices/ide.h"

namespace devices {

using ide_detail::be16;
using ide_detail::be32;
using ide_detail::put16;

void IdeChannel::atapi_command(Drive& d, uint8_t cmd) {
  d.error = 0;
  switch (cmd) {
    case 0xA1: identify_packet(d); return;
    case 0xA0: packet(d); return;
    case 0x08: {  // DEVICE RESET: this drive only, no interrupt
      uint8_t dev = d.device & 0x10;
      soft_reset(d);
      d.device = dev;
      return;
    }
    case 0xEC: case 0x20: case 0x21:  // ATA commands: abort, showing the signature
      set_signature(d);
      return fail(d, ER_ABRT);
    case 0xEF: set_features(d); return;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE6: return complete(d);
    case 0xE5: d.nsect = 0xFF; return complete(d);  // CHECK POWER MODE: active
    default: return fail(d, ER_ABRT);
  }
}

void IdeChannel::identify_packet(Drive& d) {
  std::vector<uint8_t>& b = d.buf;
  b.assign(kSector, 0);
  unsigned unit = unsigned(&d - drv_);
  put16(b, 0, 0x85C0);  // ATAPI, CD-ROM, removable, accelerated DRQ, 12-byte packets
  ide_detail::put_string(b, 10, 10, "XLAT86-CD" + std::to_string(index_ * 2 + unit + 1));
  ide_detail::put_string(b, 23, 4, "1.0");
  ide_detail::put_string(b, 27, 20, "XLAT86 CD-ROM");
  put16(b, 49, 0x0A00);  // IORDY, LBA; no DMA
  put16(b, 50, 0x4000);
  put16(b, 53, 0x0003);
  put16(b, 64, 0x0003);  // PIO modes 3 and 4
  put16(b, 65, 120), put16(b, 66, 120), put16(b, 67, 120), put16(b, 68, 120);
  put16(b, 71, 30), put16(b, 72, 30);
  put16(b, 80, 0x0070);  // ATA/ATAPI-4 to -6
  put16(b, 82, 0x0218);  // DEVICE RESET, PACKET, power management
  put16(b, 83, 0x4000), put16(b, 84, 0x4000);
  put16(b, 85, 0x0218);
  put16(b, 87, 0x4000);
  ide_detail::finish_identify(b, unit, present(1 - unit));
  d.xfer = Xfer::PioIn;
  start_pio_in(d, kSector);
}

void IdeChannel::packet(Drive& d) {
  if (d.feature & 0x01) return fail(d, ER_ABRT);  // DMA data transfer: not offered
  d.limit = uint16_t(d.lbah << 8 | d.lbam);
  d.buf.assign(sizeof d.cdb, 0);
  d.pos = 0, d.end = sizeof d.cdb;
  d.xfer = Xfer::Packet;
  d.nsect = IR_COD;
  d.status = ST_DRDY | ST_DSC | ST_DRQ;  // no interrupt: accelerated DRQ
}

void IdeChannel::atapi_exec(Drive& d) {
  std::memcpy(d.cdb, d.buf.data(), sizeof d.cdb);
  d.xfer = Xfer::None;
  const uint8_t* c = d.cdb;
  uint8_t op = c[0];
  if (d.unit_attention && op != 0x03 && op != 0x12 && op != 0x46 && op != 0x4A) {
    d.unit_attention = false;
    return atapi_check(d, 0x06, 0x28, 0x00);
  }
  switch (op) {
    case 0x00: case 0x25: case 0x28: case 0xA8: case 0x2B: case 0x43: case 0x51: case 0xBE:
      if (!cd_present(d)) return atapi_check(d, 0x02, 0x3A, d.tray_open ? 0x02 : 0x01);
      break;
    default: break;
  }
  switch (op) {
    case 0x00: return atapi_ok(d);  // TEST UNIT READY
    case 0x03: return request_sense(d);
    case 0x12: return inquiry(d);
    case 0x1B: return start_stop(d);
    case 0x1E:  // PREVENT ALLOW MEDIUM REMOVAL
      d.locked = c[4] & 1;
      return atapi_ok(d);
    case 0x25: {  // READ CAPACITY: last block, block length
      std::vector<uint8_t> r;
      ide_detail::push_be32(r, cd_sectors(d) - 1);
      ide_detail::push_be32(r, kCdSector);
      return atapi_reply(d, std::move(r), 8);
    }
    case 0x28: return atapi_read(d, be32(c + 2), be16(c + 7));  // READ(10)
    case 0xA8: return atapi_read(d, be32(c + 2), be32(c + 6));  // READ(12)
    case 0xBE: {  // READ CD: user data of mode 1 sectors only
      uint8_t type = (c[1] >> 2) & 7;
      if ((type != 0 && type != 2) || (c[9] != 0x10 && c[9] != 0x00))
        return atapi_check(d, 0x05, 0x24, 0x00);
      uint32_t n = c[6] << 16 | be16(c + 7);
      return atapi_read(d, be32(c + 2), c[9] ? n : 0);
    }
    case 0x2B:  // SEEK(10)
      if (be32(c + 2) >= cd_sectors(d)) return atapi_check(d, 0x05, 0x21, 0x00);
      return atapi_ok(d);
    case 0x43: return read_toc(d);
    case 0x46: return get_configuration(d);
    case 0x4A: return event_status(d);
    case 0x51: return disc_information(d);
    case 0x5A: return mode_sense(d);
    case 0xBB: return atapi_ok(d);  // SET CD SPEED: any speed will do
    case 0xBD: return mechanism_status(d);
    default: return atapi_check(d, 0x05, 0x20, 0x00);  // INVALID COMMAND OPERATION CODE
  }
}

uint32_t IdeChannel::cd_sectors(const Drive& d) const {
  return d.image ? uint32_t(std::min<uint64_t>(d.image->size() / kCdSector, 0xFFFFFFFFu)) : 0;
}

void IdeChannel::atapi_read(Drive& d, uint64_t lba, uint32_t count) {
  if (lba + count > cd_sectors(d)) return atapi_check(d, 0x05, 0x21, 0x00);  // LBA OUT OF RANGE
  if (!count) return atapi_ok(d);
  d.from_image = true;
  d.lba = lba * kCdSector;
  d.left = uint64_t(count) * kCdSector;
  atapi_chunk(d);
}

// A reply of `data`, cut to the allocation length.
void IdeChannel::atapi_reply(Drive& d, std::vector<uint8_t> data, uint32_t alloc) {
  uint32_t n = uint32_t(std::min<size_t>(data.size(), alloc));
  if (!n) return atapi_ok(d);
  d.resp = std::move(data);
  d.from_image = false;
  d.lba = 0;
  d.left = n;
  atapi_chunk(d);
}

// Offer the next DRQ block of a data-in command.
void IdeChannel::atapi_chunk(Drive& d) {
  uint32_t lim = d.limit ? d.limit : 0xFFFE;
  // The whole rest if it fits, else an even block within the limit.
  uint32_t n = d.left <= lim ? uint32_t(d.left) : std::max(lim & ~1u, 2u);
  d.buf.resize(n);
  if (d.from_image) {
    if (!d.image || d.tray_open || !d.image->read(d.lba, d.buf.data(), n))
      return atapi_check(d, 0x03, 0x11, 0x00);  // UNRECOVERED READ ERROR
  } else {
    std::memcpy(d.buf.data(), d.resp.data() + d.lba, n);
  }
  d.lba += n, d.left -= n;
  d.lbam = uint8_t(n), d.lbah = uint8_t(n >> 8);
  d.nsect = IR_IO;
  d.xfer = Xfer::AtapiIn;
  start_pio_in(d, n);
}

void IdeChannel::atapi_ok(Drive& d) {
  d.sense_key = d.asc = d.ascq = 0;
  d.xfer = Xfer::None;
  d.error = 0;
  d.nsect = IR_IO | IR_COD;
  d.status = ST_DRDY | ST_DSC;
  raise(d);
}

void IdeChannel::atapi_check(Drive& d, uint8_t key, uint8_t asc, uint8_t ascq) {
  d.sense_key = key, d.asc = asc, d.ascq = ascq;
  d.xfer = Xfer::None;
  d.error = uint8_t(key << 4);
  d.nsect = IR_IO | IR_COD;
  d.status = ST_DRDY | ST_DSC | ST_ERR;
  raise(d);
}

// ---------------------------------------------------------------- media

void IdeChannel::insert_medium(unsigned unit, DiskImage* medium) {
  Drive& d = drv_[unit & 1];
  if (d.kind != Kind::Cdrom) return;
  d.image = medium;
  d.tray_open = false;
  if (medium) {
    d.unit_attention = true;
    d.media_event = 2;  // NewMedia
  }
}

void IdeChannel::eject_medium(unsigned unit) {
  Drive& d = drv_[unit & 1];
  if (d.kind != Kind::Cdrom) return;
  if (d.image) d.media_event = 3;  // MediaRemoval
  d.image = nullptr;
  d.tray_open = true;
}

bool IdeChannel::medium_present(unsigned unit) const {
  const Drive& d = drv_[unit & 1];
  return d.kind == Kind::Cdrom && cd_present(d);
}

}  // namespace devices
