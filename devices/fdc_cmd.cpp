// devices::Fdc: the execution phase of the data commands (READ/WRITE DATA and
// their deleted-data forms, READ TRACK, VERIFY, READ ID, FORMAT TRACK), by DMA
// or through the FIFO. See fdc.h.
#include <cstring>

#include "devices/fdc.h"

namespace devices {

namespace {

constexpr uint8_t kDorGate = 0x08;

constexpr uint8_t kSt0Abnormal = 0x40, kSt0SeekEnd = 0x20, kSt0EquipCheck = 0x10;
constexpr uint8_t kSt1EndOfCyl = 0x80, kSt1DataError = 0x20, kSt1Overrun = 0x10;
constexpr uint8_t kSt1NoData = 0x04, kSt1NotWritable = 0x02, kSt1MissingAM = 0x01;
constexpr uint8_t kSt2ControlMark = 0x40, kSt2DataError = 0x20, kSt2WrongCyl = 0x10;
constexpr uint8_t kSt2BadCyl = 0x02;

constexpr uint8_t kOpMt = 0x80, kOpMfm = 0x40, kOpSk = 0x20;

constexpr uint32_t kSector = 512;

}  // namespace

// The data rates at which each medium can be read (DSR/CCR bits 0-1:
// 0 = 500 kb/s, 1 = 300 kb/s, 2 = 250 kb/s, 3 = 1 Mb/s).
bool Fdc::rate_ok(unsigned d) const {
  switch (drive_[d].geo.cmos_type) {
    case 1: return rate_ == 1 || rate_ == 2;  // 360 KB
    case 2: return rate_ == 0;                // 1.2 MB
    case 3: return rate_ == 2;                // 720 KB
    case 4: return rate_ == 0;                // 1.44 MB
    case 5: return rate_ == 3;                // 2.88 MB
  }
  return false;
}

// Can the controller read IDs from drive d at all? (A medium, the right data
// rate and MFM recording.)
bool Fdc::medium_ok(unsigned d, bool mfm) const {
  return d < kDrives && image_[d] && rate_ok(d) && mfm;
}

void Fdc::execute() {
  if (phase_ != Phase::Execution) return;
  switch (cmd_[0] & 0x1F) {
    case 0x0A: read_id(); break;
    case 0x0D: format_track(); break;
    default: rw_command(); break;
  }
}

bool Fdc::find_sector(uint8_t c, uint8_t h, uint8_t r, uint8_t n, uint64_t* off) {
  const Drive& dr = drive_[xfer_.drive];
  const Geometry& g = dr.geo;
  if (dr.pcn >= g.cylinders || xfer_.head >= g.heads) {  // no IDs on this track
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1MissingAM;
    return false;
  }
  if (c != dr.pcn) {
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1NoData;
    xfer_.st2 |= uint8_t(c == 0xFF ? kSt2WrongCyl | kSt2BadCyl : kSt2WrongCyl);
    return false;
  }
  if (h != xfer_.head || r < 1 || r > g.sectors || n != 2) {
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1NoData;
    return false;
  }
  *off = ((uint64_t(dr.pcn) * g.heads + xfer_.head) * g.sectors + (r - 1)) * kSector;
  return true;
}

// After a sector: the next (C, H, R) as the result phase reports it (82077AA
// result table for MT/EOT), and whether the command goes on. TC ends it
// normally; EOT without TC (and no multi-track continuation) ends it with EN,
// except VERIFY with EC = 0, which stops at EOT normally. ST0's head bit
// reports the head of the last sector handled.
bool Fdc::next_sector(bool tc) {
  const bool verify = (cmd_[0] & 0x1F) == 0x16;
  const bool ec = verify && (cmd_[1] & 0x80);
  bool more = true, side1 = false;
  if (xfer_.r != xfer_.eot) {
    ++xfer_.r;
  } else if (xfer_.mt && xfer_.head == 0) {  // on to side 1
    xfer_.h ^= 1;
    xfer_.r = 1;
    side1 = true;
  } else {
    ++xfer_.c;
    xfer_.r = 1;
    if (xfer_.mt) xfer_.h ^= 1;
    more = false;
  }
  if (tc) return false;
  if (ec && --xfer_.remaining == 0) return false;
  if (!more) {
    if (!(verify && !ec)) {
      xfer_.st0 |= kSt0Abnormal;
      xfer_.st1 |= kSt1EndOfCyl;
    }
    return false;
  }
  // ST0's head bit stays that of the last sector handled when the command ends.
  if (side1) xfer_.head = 1;
  return true;
}

void Fdc::finish_xfer() {
  uint8_t st0 = uint8_t((xfer_.st0 & 0xF8) | xfer_.head << 2 | xfer_.drive);
  result({st0, xfer_.st1, xfer_.st2, xfer_.c, xfer_.h, xfer_.r, xfer_.n}, true);
}

// Common start of a data command: the drive and head, DMA readiness. Returns
// false if the command must wait for DMA.
bool Fdc::begin_xfer(bool uses_dma) {
  if (uses_dma && !((dor_ & kDorGate) && dma_.ready(kDmaChannel))) {
    waiting_dma_ = true;  // resumed by dma_ready()
    return false;
  }
  xfer_ = Xfer{};
  xfer_.drive = cmd_[1] & 3;
  xfer_.head = (cmd_[1] >> 2) & 1;
  return true;
}

void Fdc::rw_command() {
  const uint8_t op = cmd_[0], kind = op & 0x1F;
  const bool verify = kind == 0x16, track = kind == 0x02, deleted = kind == 0x0C;
  const bool dma = dma_mode() && !verify;
  if (!begin_xfer(dma)) return;
  const unsigned d = xfer_.drive;
  xfer_.c = cmd_[2], xfer_.h = cmd_[3], xfer_.r = cmd_[4], xfer_.n = cmd_[5], xfer_.eot = cmd_[6];
  xfer_.mt = (op & kOpMt) && !track;
  xfer_.write = kind == 0x05 || kind == 0x09;
  if (verify && (cmd_[1] & 0x80)) xfer_.remaining = cmd_[8];  // EC = 1: SC sectors
  last_eot_ = xfer_.eot;
  if ((config_ & 0x40) && d < kDrives) {  // implied seek (CONFIGURE EIS)
    drive_[d].pcn = xfer_.c;
    xfer_.st0 |= kSt0SeekEnd;
    if (has_media(d)) drive_[d].changed = false;
  }
  if (track) {  // READ TRACK: the sectors of the track in order from the index
    xfer_.c = drive_[d].pcn, xfer_.h = xfer_.head, xfer_.r = 1;
  }
  if (!medium_ok(d, op & kOpMfm)) {
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1MissingAM;
    finish_xfer();
    return;
  }
  if (xfer_.write && image_[d]->read_only()) {
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1NotWritable;
    finish_xfer();
    return;
  }
  if (verify && (cmd_[1] & 0x80) && xfer_.remaining == 0) {
    finish_xfer();
    return;
  }
  DiskImage& img = *image_[d];
  uint64_t off;
  uint8_t buf[kSector];

  if (xfer_.write) {
    if (!dma) {  // the data arrive through the FIFO (pio_write)
      if (!find_sector(xfer_.c, xfer_.h, xfer_.r, xfer_.n, &off)) return finish_xfer();
      pio_.clear();
      pio_pos_ = 0;
      phase_ = Phase::PioOut;
      set_int(true);
      return;
    }
    for (;;) {
      if (!find_sector(xfer_.c, xfer_.h, xfer_.r, xfer_.n, &off)) break;
      std::memset(buf, 0, sizeof buf);
      bool tc = false;
      uint32_t n = dma_.transfer(
          kDmaChannel, kSector, [&](uint8_t* b, uint32_t len) { std::memcpy(buf, b, len); }, &tc);
      if (n < kSector && !tc) {
        xfer_.st0 |= kSt0Abnormal;
        xfer_.st1 |= kSt1Overrun;
        break;
      }
      if (!img.write(off, buf, kSector)) {
        xfer_.st0 |= kSt0Abnormal | kSt0EquipCheck;
        break;
      }
      drive_[d].next_sector = uint8_t(xfer_.r % drive_[d].geo.sectors + 1);
      if (!next_sector(tc)) break;
    }
    return finish_xfer();
  }

  // Reads and verifies.
  pio_.clear();
  pio_pos_ = 0;
  for (;;) {
    if (!find_sector(xfer_.c, xfer_.h, xfer_.r, xfer_.n, &off)) break;
    if (!img.read(off, buf, kSector)) {
      xfer_.st0 |= kSt0Abnormal;
      xfer_.st1 |= kSt1DataError;
      xfer_.st2 |= kSt2DataError;
      break;
    }
    drive_[d].next_sector = uint8_t(xfer_.r % drive_[d].geo.sectors + 1);
    // Every sector of a raw image has a normal data mark: READ DELETED DATA
    // flags it (CM) and skips it (SK) or reads it and stops.
    bool skip = false, last = false;
    if (deleted) {
      xfer_.st2 |= kSt2ControlMark;
      if (op & kOpSk) skip = true;
      else last = true;
    }
    bool tc = false;
    if (!skip && !verify) {
      if (dma) {
        uint32_t n = dma_.transfer(
            kDmaChannel, kSector, [&](uint8_t* b, uint32_t len) { std::memcpy(b, buf, len); }, &tc);
        if (n < kSector && !tc) {
          xfer_.st0 |= kSt0Abnormal;
          xfer_.st1 |= kSt1Overrun;
          break;
        }
      } else {
        pio_.insert(pio_.end(), buf, buf + kSector);
      }
    }
    if (!next_sector(tc || last)) break;
  }
  if (!pio_.empty()) {  // non-DMA: the CPU reads the data, then the result
    phase_ = Phase::PioIn;
    set_int(true);
    return;
  }
  finish_xfer();
}

// A data byte written to the FIFO during a non-DMA WRITE DATA or FORMAT TRACK.
void Fdc::pio_write(uint8_t v) {
  if (pio_pos_++ == 0) set_int(false);
  pio_.push_back(v);
  if (xfer_.format) {
    if (pio_.size() < 4) return;
    bool ok = format_id(pio_.data());
    pio_.clear();
    if (!ok || --xfer_.remaining == 0) finish_xfer();
    return;
  }
  if (pio_.size() < kSector) return;
  uint64_t off;
  bool ok = find_sector(xfer_.c, xfer_.h, xfer_.r, xfer_.n, &off);
  if (ok && !image_[xfer_.drive]->write(off, pio_.data(), kSector)) {
    xfer_.st0 |= kSt0Abnormal | kSt0EquipCheck;
    ok = false;
  }
  pio_.clear();
  if (!ok || !next_sector(false) || !find_sector(xfer_.c, xfer_.h, xfer_.r, xfer_.n, &off))
    finish_xfer();
}

void Fdc::read_id() {
  if (!begin_xfer(false)) return;
  const unsigned d = xfer_.drive;
  xfer_.n = 2;
  if (!medium_ok(d, cmd_[0] & kOpMfm) || drive_[d].pcn >= drive_[d].geo.cylinders ||
      xfer_.head >= drive_[d].geo.heads) {
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1MissingAM;
    return finish_xfer();
  }
  // The ID that passes under the head next.
  Drive& dr = drive_[d];
  xfer_.c = dr.pcn, xfer_.h = xfer_.head, xfer_.r = dr.next_sector;
  dr.next_sector = uint8_t(dr.next_sector % dr.geo.sectors + 1);
  finish_xfer();
}

// One sector ID (C, H, R, N) of FORMAT TRACK: the sector is filled with the
// fill byte. IDs a raw image cannot hold (another cylinder, head, size or a
// sector number outside the image's geometry) are accepted and ignored.
bool Fdc::format_id(const uint8_t* id) {
  xfer_.c = id[0], xfer_.h = id[1], xfer_.r = id[2], xfer_.n = id[3];
  const Drive& dr = drive_[xfer_.drive];
  if (id[0] != dr.pcn || id[1] != xfer_.head || id[3] != 2 || id[2] < 1 || id[2] > dr.geo.sectors)
    return true;
  uint8_t buf[kSector];
  std::memset(buf, xfer_.fill, sizeof buf);
  uint64_t off = ((uint64_t(dr.pcn) * dr.geo.heads + xfer_.head) * dr.geo.sectors + (id[2] - 1)) * kSector;
  if (!image_[xfer_.drive]->write(off, buf, kSector)) {
    xfer_.st0 |= kSt0Abnormal | kSt0EquipCheck;
    return false;
  }
  return true;
}

void Fdc::format_track() {
  const bool dma = dma_mode();
  if (!begin_xfer(dma)) return;
  const unsigned d = xfer_.drive;
  xfer_.format = true;
  xfer_.n = cmd_[2];
  xfer_.remaining = cmd_[3];
  xfer_.fill = cmd_[5];
  last_eot_ = cmd_[3];
  if (!medium_ok(d, cmd_[0] & kOpMfm) || drive_[d].pcn >= drive_[d].geo.cylinders ||
      xfer_.head >= drive_[d].geo.heads) {
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1MissingAM;
    return finish_xfer();
  }
  if (image_[d]->read_only()) {
    xfer_.st0 |= kSt0Abnormal;
    xfer_.st1 |= kSt1NotWritable;
    return finish_xfer();
  }
  if (xfer_.remaining == 0) return finish_xfer();
  if (!dma) {
    pio_.clear();
    pio_pos_ = 0;
    phase_ = Phase::PioOut;
    set_int(true);
    return;
  }
  while (xfer_.remaining > 0) {
    uint8_t id[4] = {};
    bool tc = false;
    uint32_t n = dma_.transfer(
        kDmaChannel, 4, [&](uint8_t* b, uint32_t len) { std::memcpy(id, b, len); }, &tc);
    if (n < 4 && !tc) {
      xfer_.st0 |= kSt0Abnormal;
      xfer_.st1 |= kSt1Overrun;
      break;
    }
    if (!format_id(id) || tc) break;
    --xfer_.remaining;
  }
  finish_xfer();
}

}  // namespace devices
