// devices::IdeChannel: command dispatch and the ATA commands of a hard disk.
#include <algorithm>
#include <cstring>
#include <string>

#include "devices/disk_image.h"
#include "devices/ide.h"

namespace devices {

using ide_detail::put16;

void ide_detail::put_string(std::vector<uint8_t>& b, unsigned word, unsigned words,
                            const std::string& s) {
  for (unsigned i = 0; i < 2 * words; ++i) b[2 * word + (i ^ 1)] = i < s.size() ? s[i] : ' ';
}

void ide_detail::finish_identify(std::vector<uint8_t>& b, unsigned unit, bool other_present) {
  uint16_t w93 = 0x4000;
  if (unit == 0)
    w93 |= other_present ? 0x0039 : 0x0049;  // jumpered, passed; PDIAG/DASP seen or 0 answers for 1
  else
    w93 |= 0x0B00;  // device 1: jumpered, PDIAG asserted
  put16(b, 93, w93);
  b[510] = 0xA5;
  uint8_t sum = 0;
  for (unsigned i = 0; i < 511; ++i) sum = uint8_t(sum + b[i]);
  b[511] = uint8_t(-sum);
}

void IdeChannel::command(uint8_t cmd) {
  Drive& d = cur();
  if (d.kind == Kind::None) return;  // nobody there to take it
  // A command ends any data phase in progress and clears INTRQ.
  d.intrq = false;
  d.xfer = Xfer::None;
  update_irq();
  if (cmd == 0x90) {  // EXECUTE DEVICE DIAGNOSTIC: every device type
    diagnose();
    return;
  }
  if (d.kind == Kind::Cdrom)
    atapi_command(d, cmd);
  else
    ata_command(d, cmd);
}

void IdeChannel::ata_command(Drive& d, uint8_t cmd) {
  d.error = 0;
  switch (cmd) {
    case 0xEC: identify(d); return;
    case 0x20: case 0x21: ata_rw(d, false, false, false); return;  // READ SECTOR(S)
    case 0x24: ata_rw(d, false, true, false); return;              // READ SECTOR(S) EXT
    case 0xC4: ata_rw(d, false, false, true); return;              // READ MULTIPLE
    case 0x29: ata_rw(d, false, true, true); return;               // READ MULTIPLE EXT
    case 0x30: case 0x31: case 0x3C: ata_rw(d, true, false, false); return;  // WRITE (VERIFY)
    case 0x34: ata_rw(d, true, true, false); return;               // WRITE SECTOR(S) EXT
    case 0xC5: ata_rw(d, true, false, true); return;               // WRITE MULTIPLE
    case 0x39: ata_rw(d, true, true, true); return;                // WRITE MULTIPLE EXT
    case 0x40: case 0x41: ata_verify(d, false); return;            // READ VERIFY SECTOR(S)
    case 0x42: ata_verify(d, true); return;                        // READ VERIFY SECTOR(S) EXT
    case 0x91: init_params(d); return;
    case 0xC6: {  // SET MULTIPLE MODE: 0 disables, else a power of two up to 16
      uint8_t n = d.nsect;
      if (n > kMaxMultiple || (n & (n - 1))) return fail(d, ER_ABRT);
      d.mult = n;
      return complete(d);
    }
    case 0xE7: case 0xEA:  // FLUSH CACHE (EXT)
      if (d.image) d.image->flush();
      return complete(d);
    case 0xEF: set_features(d); return;
    case 0xE0: case 0x94: case 0xE2: case 0x96: case 0xE6: case 0x99:  // STANDBY (IMM.), SLEEP
      d.power = 0x00;
      return complete(d);
    case 0xE1: case 0x95: case 0xE3: case 0x97:  // IDLE (IMMEDIATE)
      d.power = 0xFF;
      return complete(d);
    case 0xE5: case 0x98:  // CHECK POWER MODE
      d.nsect = d.power;
      return complete(d);
    default:
      if ((cmd & 0xF0) == 0x10) {  // RECALIBRATE: back to cylinder 0
        d.lbam = d.lbah = 0;
        return complete(d);
      }
      if ((cmd & 0xF0) == 0x70) {  // SEEK: the address must exist
        uint64_t lba;
        if (!ata_address(d, false, lba) || lba >= capacity(d, false)) return fail(d, ER_IDNF);
        return complete(d);
      }
      return fail(d, ER_ABRT);  // DMA, PACKET, DEVICE RESET, NOP and the unknown
  }
}

void IdeChannel::identify(Drive& d) {
  std::vector<uint8_t>& b = d.buf;
  b.assign(kSector, 0);
  uint64_t cap28 = capacity(d, false);
  put16(b, 0, 0x0040);  // fixed device
  put16(b, 1, d.cyls);
  put16(b, 3, d.heads);
  put16(b, 6, d.spt);
  ide_detail::put_string(b, 10, 10, "XLAT86-HD" + std::to_string(index_ * 2 + (&d - drv_) + 1));
  put16(b, 20, 3), put16(b, 21, 512), put16(b, 22, 4);  // (obsolete) buffer type/size, ECC bytes
  ide_detail::put_string(b, 23, 4, "1.0");
  ide_detail::put_string(b, 27, 20, "XLAT86 HARDDISK");
  put16(b, 47, 0x8000 | kMaxMultiple);
  put16(b, 48, 0x0001);  // (ATA-2) 32-bit I/O
  put16(b, 49, 0x0A00);  // LBA, IORDY; no DMA
  put16(b, 50, 0x4000);
  put16(b, 51, 0x0200);  // (obsolete) PIO timing mode 2
  put16(b, 53, 0x0003);  // words 54-58 and 64-70 valid
  uint32_t hs = uint32_t(d.cur_heads) * d.cur_spt;
  uint32_t ccyl = (d.cur_heads == d.heads && d.cur_spt == d.spt)
                      ? d.cyls
                      : uint32_t(std::clamp<uint64_t>(cap28 / hs, 1, 65535));
  uint32_t ccap = ccyl * hs;
  put16(b, 54, ccyl), put16(b, 55, d.cur_heads), put16(b, 56, d.cur_spt);
  put16(b, 57, ccap & 0xFFFF), put16(b, 58, ccap >> 16);
  put16(b, 59, d.mult ? 0x0100 | d.mult : 0);
  put16(b, 60, uint32_t(cap28) & 0xFFFF), put16(b, 61, uint32_t(cap28) >> 16);
  put16(b, 64, 0x0003);  // PIO modes 3 and 4
  put16(b, 65, 120), put16(b, 66, 120), put16(b, 67, 120), put16(b, 68, 120);
  put16(b, 80, 0x00F0);  // ATA/ATAPI-4 to -7
  put16(b, 82, 0x0068);  // look-ahead, write cache, power management
  put16(b, 83, 0x7400);  // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
  put16(b, 84, 0x4000);
  put16(b, 85, (d.look_ahead ? 0x40 : 0) | (d.write_cache ? 0x20 : 0) | 0x08);
  put16(b, 86, 0x3400);
  put16(b, 87, 0x4000);
  for (unsigned i = 0; i < 4; ++i) put16(b, 100 + i, (d.sectors >> (16 * i)) & 0xFFFF);
  ide_detail::finish_identify(b, unsigned(&d - drv_), present(1 - unsigned(&d - drv_)));
  d.xfer = Xfer::PioIn;
  start_pio_in(d, kSector);
}

// ---------------------------------------------------------------- addressing

uint64_t IdeChannel::capacity(const Drive& d, bool ext) const {
  return ext ? d.sectors : std::min<uint64_t>(d.sectors, 0x0FFFFFFF);
}

uint64_t IdeChannel::ata_count(const Drive& d, bool ext) const {
  uint32_t n = ext ? uint32_t(d.nsect_hob) << 8 | d.nsect : d.nsect;
  return n ? n : (ext ? 65536 : 256);
}

// The starting sector of a command from the task file; false for a CHS
// address outside the current translation.
bool IdeChannel::ata_address(Drive& d, bool ext, uint64_t& lba) {
  if (ext) {
    d.addr = Addr::Lba48;
    lba = uint64_t(d.lbah_hob) << 40 | uint64_t(d.lbam_hob) << 32 | uint64_t(d.lbal_hob) << 24 |
          uint64_t(d.lbah) << 16 | uint64_t(d.lbam) << 8 | d.lbal;
    return true;
  }
  if (d.device & 0x40) {
    d.addr = Addr::Lba28;
    lba = uint64_t(d.device & 0x0F) << 24 | uint64_t(d.lbah) << 16 | uint64_t(d.lbam) << 8 | d.lbal;
    return true;
  }
  d.addr = Addr::Chs;
  unsigned cyl = d.lbah << 8 | d.lbam, head = d.device & 0x0F, sector = d.lbal;
  if (!d.cur_heads || !d.cur_spt || !sector || sector > d.cur_spt || head >= d.cur_heads)
    return false;
  lba = (uint64_t(cyl) * d.cur_heads + head) * d.cur_spt + sector - 1;
  return true;
}

// Leave the address of sector `lba` in the task file, the way the command
// addressed it.
void IdeChannel::set_position(Drive& d, uint64_t lba) {
  switch (d.addr) {
    case Addr::Lba48:
      d.lbal_hob = uint8_t(lba >> 24), d.lbam_hob = uint8_t(lba >> 32),
      d.lbah_hob = uint8_t(lba >> 40);
      [[fallthrough]];
    case Addr::Lba28:
      d.lbal = uint8_t(lba), d.lbam = uint8_t(lba >> 8), d.lbah = uint8_t(lba >> 16);
      if (d.addr == Addr::Lba28) d.device = uint8_t((d.device & 0xF0) | ((lba >> 24) & 0x0F));
      break;
    case Addr::Chs: {
      uint64_t cyl = lba / (uint32_t(d.cur_heads) * d.cur_spt);
      d.lbal = uint8_t(lba % d.cur_spt + 1);
      d.lbam = uint8_t(cyl), d.lbah = uint8_t(cyl >> 8);
      d.device = uint8_t((d.device & 0xF0) | ((lba / d.cur_spt) % d.cur_heads));
      break;
    }
  }
}

// ---------------------------------------------------------------- transfers

void IdeChannel::ata_rw(Drive& d, bool write, bool ext, bool multiple) {
  if (multiple && !d.mult) return fail(d, ER_ABRT);
  uint64_t lba, count = ata_count(d, ext);
  if (!ata_address(d, ext, lba) || lba + count > capacity(d, ext)) return fail(d, ER_IDNF);
  if (!d.image || (write && d.image->read_only())) return fail(d, ER_ABRT);
  d.power = 0xFF;
  d.lba = lba, d.left = count;
  d.block = multiple ? d.mult : 1;
  if (write)
    ata_next_out(d);
  else
    ata_next_in(d);
}

// Read the next block and offer it (DRQ, INTRQ).
void IdeChannel::ata_next_in(Drive& d) {
  d.cur = uint32_t(std::min<uint64_t>(d.left, d.block));
  d.buf.resize(size_t(d.cur) * kSector);
  if (!d.image->read(d.lba * kSector, d.buf.data(), d.buf.size())) {
    set_position(d, d.lba);
    return fail(d, ER_UNC);
  }
  d.xfer = Xfer::AtaIn;
  start_pio_in(d, uint32_t(d.buf.size()));
}

// Ask for the next block (DRQ; INTRQ for every block but the first).
void IdeChannel::ata_next_out(Drive& d) {
  bool first = d.xfer != Xfer::AtaOut;
  d.cur = uint32_t(std::min<uint64_t>(d.left, d.block));
  d.buf.assign(size_t(d.cur) * kSector, 0);
  d.pos = 0, d.end = uint32_t(d.buf.size());
  d.stored = 0;
  d.xfer = Xfer::AtaOut;
  d.status = ST_DRDY | ST_DSC | ST_DRQ;
  if (!first) raise(d);
}

// Write the sectors of the current block whose data is complete; false (and
// the command failed) if the image refused.
bool IdeChannel::ata_store(Drive& d) {
  while (d.pos - d.stored >= kSector) {
    uint64_t lba = d.lba + d.stored / kSector;
    if (!d.image->write(lba * kSector, d.buf.data() + d.stored, kSector)) {
      set_position(d, lba);
      fail(d, ER_ABRT);
      return false;
    }
    d.stored += kSector;
  }
  return true;
}

void IdeChannel::ata_block_done(Drive& d) {
  bool write = d.xfer == Xfer::AtaOut;
  d.lba += d.cur, d.left -= d.cur;
  set_position(d, d.lba - 1);
  d.nsect = uint8_t(d.left);
  if (d.addr == Addr::Lba48) d.nsect_hob = uint8_t(d.left >> 8);
  if (d.left) {
    if (write)
      ata_next_out(d);
    else
      ata_next_in(d);
  } else if (write) {
    complete(d);
  } else {
    d.xfer = Xfer::None;  // the last block of a read ends without an interrupt
    d.status = ST_DRDY | ST_DSC;
  }
}

void IdeChannel::ata_verify(Drive& d, bool ext) {
  uint64_t lba, count = ata_count(d, ext);
  if (!ata_address(d, ext, lba) || lba + count > capacity(d, ext)) return fail(d, ER_IDNF);
  set_position(d, lba + count - 1);
  complete(d);
}

// ---------------------------------------------------------------- settings

void IdeChannel::set_features(Drive& d) {
  switch (d.feature) {
    case 0x03: {  // set transfer mode: PIO default or flow-control modes 0-4
      uint8_t mode = d.nsect;
      bool ok = (mode >> 3) == 0 ? (mode & 7) <= 1 : (mode >> 3) == 1 && (mode & 7) <= 4;
      return ok ? complete(d) : fail(d, ER_ABRT);
    }
    case 0x02: d.write_cache = true; return complete(d);
    case 0x82: d.write_cache = false; return complete(d);
    case 0xAA: d.look_ahead = true; return complete(d);
    case 0x55: d.look_ahead = false; return complete(d);
    case 0x66: case 0xCC: return complete(d);  // (no) reverting to power-on defaults
    default: return fail(d, ER_ABRT);
  }
}

// INITIALIZE DEVICE PARAMETERS: the CHS translation to use (heads from the
// device register, sectors per track from the sector count).
void IdeChannel::init_params(Drive& d) {
  if (!d.nsect) return fail(d, ER_ABRT);
  d.cur_heads = uint16_t((d.device & 0x0F) + 1);
  d.cur_spt = d.nsect;
  complete(d);
}

}  // namespace devices
