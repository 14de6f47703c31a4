// devices::Fdc: registers, phases, reset, interrupts and the commands without
// an execution phase (see fdc.h; the data commands are in fdc_cmd.cpp).
#include "devices/fdc.h"

#include <stdexcept>
#include <string>

#include "devices/byteio.h"

namespace devices {

namespace {

constexpr uint8_t kDorReset = 0x04;  // !RESET: 0 holds the controller in reset
constexpr uint8_t kDorGate = 0x08;   // DMA and IRQ enable (AT mode)

constexpr uint8_t kMsrRqm = 0x80, kMsrDio = 0x40, kMsrNonDma = 0x20, kMsrBusy = 0x10;

constexpr uint8_t kConfigDefault = 0x20;  // EIS 0, EFIFO 1 (FIFO off), POLL 0, FIFOTHR 0

}  // namespace

Fdc::Geometry Fdc::geometry_for_size(uint64_t bytes) {
  switch (bytes) {
    case 368640: return {40, 2, 9, 1};
    case 1228800: return {80, 2, 15, 2};
    case 737280: return {80, 2, 9, 3};
    case 1474560: return {80, 2, 18, 4};
    case 2949120: return {80, 2, 36, 5};
  }
  throw std::runtime_error("unsupported floppy image size " + std::to_string(bytes) +
                           " bytes (expected 368640, 737280, 1228800, 1474560 or 2949120)");
}

Fdc::Fdc(Scheduler& sched, IrqSink& irq, Dma& dma) : sched_(sched), irq_(irq), dma_(dma) {
  exec_timer_ = sched_.add("fdc.exec", [this](uint64_t) { execute(); });
  reset_timer_ = sched_.add("fdc.reset", [this](uint64_t) { reset_done(); });
  for (unsigned d = 0; d < 4; ++d)
    seek_timer_[d] = sched_.add("fdc.seek" + std::to_string(d), [this, d](uint64_t) { seek_done(d); });
  dma_.set_ready_callback(kDmaChannel, [this] { dma_ready(); });
  reset();
}

void Fdc::map(IoBus& bus) {
  auto rd = [this](uint16_t p) { return read(p); };
  auto wr = [this](uint16_t p, uint8_t v) { write(p, v); };
  map_bytes(bus, 0x3F0, 0x3F5, rd, wr);
  map_bytes(bus, 0x3F7, 0x3F7, rd, wr);
}

void Fdc::reset() {
  dor_ = 0;  // held in reset until the DOR's !RESET bit is written
  tdr_ = 0;
  rate_ = 2;  // 250 kb/s
  dsr_ = 2;
  lock_ = false;
  config_ = kConfigDefault;
  pretrk_ = 0;
  perp_ = 0;
  specify_[0] = specify_[1] = 0;
  last_eot_ = 0;
  for (Drive& d : drive_) {
    d.pcn = 0;
    d.st0 = 0;
    d.next_sector = 1;
  }
  soft_reset();
}

// What a DOR or DSR reset does: commands abort, interrupts and pending
// statuses are dropped, CONFIGURE returns to its defaults except the FIFO
// settings when LOCK is set, PERPENDICULAR MODE keeps only D0-D3.
void Fdc::soft_reset() {
  sched_.disarm(exec_timer_);
  sched_.disarm(reset_timer_);
  for (unsigned d = 0; d < 4; ++d) {
    sched_.disarm(seek_timer_[d]);
    drive_[d].seeking = false;
    drive_[d].int_pending = false;
  }
  phase_ = Phase::Command;
  cmd_len_ = cmd_need_ = 0;
  res_len_ = res_pos_ = 0;
  res_clears_int_ = false;
  waiting_dma_ = false;
  pio_.clear();
  pio_pos_ = 0;
  reset_sense_left_ = 0;
  if (lock_) {
    config_ &= 0x2F;  // EIS and POLL back to 0; EFIFO and FIFOTHR kept
  } else {
    config_ = kConfigDefault;
    pretrk_ = 0;
  }
  perp_ &= 0x3C;
  set_int(false);
}

void Fdc::reset_done() {
  reset_sense_left_ = 4;  // polling: one ready-change status per drive
  set_int(true);
}

void Fdc::set_int(bool on) {
  int_ = on;
  update_irq();
}

void Fdc::update_irq() { irq_.set_irq(kIrq, int_ && (dor_ & kDorGate)); }

// ---------------------------------------------------------------- media

void Fdc::insert(unsigned d, std::unique_ptr<DiskImage> image) {
  if (d >= kDrives) throw std::runtime_error("floppy drive " + std::to_string(d) + " does not exist");
  if (!image) throw std::runtime_error("no floppy image given");
  Geometry geo;
  try {
    geo = geometry_for_size(image->size());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("floppy image '" + image->path() + "': " + e.what());
  }
  image_[d] = std::move(image);
  drive_[d].geo = geo;
  drive_[d].changed = true;
  drive_[d].next_sector = 1;
}

std::unique_ptr<DiskImage> Fdc::eject(unsigned d) {
  if (d >= kDrives) return nullptr;
  drive_[d].geo = Geometry{};
  drive_[d].changed = true;
  return std::move(image_[d]);
}

// ---------------------------------------------------------------- registers

uint8_t Fdc::read(uint16_t port) {
  const unsigned sel = dor_ & 3;
  switch (port) {
    case 0x3F0: {  // SRA (PS/2 layout)
      uint8_t v = 0x04;  // !INDEX inactive
      if (int_) v |= 0x80;
      if (kDrives < 2) v |= 0x40;  // !DRV2
      if (drive_[sel].pcn != 0) v |= 0x10;  // !TRK0
      if (!(sel < kDrives && has_media(sel) && image_[sel]->read_only())) v |= 0x02;  // !WP
      return v;
    }
    case 0x3F1:  // SRB (PS/2 layout)
      return uint8_t(0xC0 | (dor_ & 1) << 5 | ((dor_ >> 4) & 3));
    case 0x3F2: return dor_;
    case 0x3F3: return tdr_;
    case 0x3F4: return msr();
    case 0x3F5: return read_fifo();
    case 0x3F7: return (sel < kDrives && drive_[sel].changed) ? 0x80 : 0x00;
  }
  return 0xFF;
}

void Fdc::write(uint16_t port, uint8_t v) {
  switch (port) {
    case 0x3F2: write_dor(v); break;
    case 0x3F3: tdr_ = v & 3; break;
    case 0x3F4:  // DSR
      dsr_ = v & 0x7F;
      rate_ = v & 3;
      if ((v & 0x80) && (dor_ & kDorReset)) {
        soft_reset();
        sched_.arm_after(reset_timer_, kResetDelayNs);
      }
      break;
    case 0x3F5: write_fifo(v); break;
    case 0x3F7: rate_ = v & 3; break;  // CCR
  }
}

void Fdc::write_dor(uint8_t v) {
  uint8_t old = dor_;
  dor_ = v;
  if (!(v & kDorReset)) {
    if (old & kDorReset) soft_reset();  // enter reset
  } else if (!(old & kDorReset)) {
    soft_reset();  // leave reset: the reset interrupt follows
    sched_.arm_after(reset_timer_, kResetDelayNs);
  }
  update_irq();
  if ((v & kDorGate) && !(old & kDorGate)) dma_ready();
}

uint8_t Fdc::msr() const {
  if (!(dor_ & kDorReset)) return 0;
  uint8_t busy = 0;
  for (unsigned d = 0; d < 4; ++d)
    if (drive_[d].seeking) busy |= uint8_t(1u << d);
  switch (phase_) {
    case Phase::Command: return uint8_t(kMsrRqm | (cmd_len_ ? kMsrBusy : 0) | busy);
    case Phase::Execution: return uint8_t(kMsrBusy | busy);
    case Phase::PioIn: return uint8_t(kMsrRqm | kMsrDio | kMsrNonDma | kMsrBusy | busy);
    case Phase::PioOut: return uint8_t(kMsrRqm | kMsrNonDma | kMsrBusy | busy);
    case Phase::Result: return uint8_t(kMsrRqm | kMsrDio | kMsrBusy | busy);
  }
  return 0;
}

// ---------------------------------------------------------------- FIFO

// Parameter bytes after the opcode, or ~0u for an invalid opcode (including
// MT/MFM/SK bits a command does not have).
unsigned Fdc::param_count(uint8_t op) {
  struct Cmd { uint8_t allowed; uint8_t params; };
  Cmd c;
  switch (op & 0x1F) {
    case 0x02: c = {0x60, 8}; break;  // READ TRACK
    case 0x03: c = {0x00, 2}; break;  // SPECIFY
    case 0x04: c = {0x00, 1}; break;  // SENSE DRIVE STATUS
    case 0x05: c = {0xC0, 8}; break;  // WRITE DATA
    case 0x06: c = {0xE0, 8}; break;  // READ DATA
    case 0x07: c = {0x00, 1}; break;  // RECALIBRATE
    case 0x08: c = {0x00, 0}; break;  // SENSE INTERRUPT STATUS
    case 0x09: c = {0xC0, 8}; break;  // WRITE DELETED DATA
    case 0x0A: c = {0x40, 1}; break;  // READ ID
    case 0x0C: c = {0xE0, 8}; break;  // READ DELETED DATA
    case 0x0D: c = {0x40, 5}; break;  // FORMAT TRACK
    case 0x0E: c = {0x00, 0}; break;  // DUMPREG
    case 0x0F:                        // SEEK, RELATIVE SEEK (1 DIR 0 01111)
      if ((op & 0xE0) == 0x40 || (op & 0x20)) return ~0u;
      return 2;
    case 0x10: c = {0x00, 0}; break;  // VERSION
    case 0x12: c = {0x00, 1}; break;  // PERPENDICULAR MODE
    case 0x13: c = {0x00, 3}; break;  // CONFIGURE
    case 0x14: c = {0x80, 0}; break;  // LOCK
    case 0x16: c = {0xE0, 8}; break;  // VERIFY
    default: return ~0u;
  }
  if (op & 0xE0 & ~c.allowed) return ~0u;
  return c.params;
}

void Fdc::write_fifo(uint8_t v) {
  if (!(dor_ & kDorReset)) return;
  if (phase_ == Phase::PioOut) {
    pio_write(v);
    return;
  }
  if (phase_ != Phase::Command) return;  // not expecting a byte: ignored
  if (cmd_len_ == 0) {
    unsigned need = param_count(v);
    if (need == ~0u) {
      invalid();
      return;
    }
    cmd_need_ = uint8_t(need + 1);
  }
  cmd_[cmd_len_++] = v;
  if (cmd_len_ == cmd_need_) start_command();
}

uint8_t Fdc::read_fifo() {
  if (phase_ == Phase::Result) {
    uint8_t v = res_[res_pos_++];
    if (res_pos_ == 1 && res_clears_int_) set_int(false);
    if (res_pos_ >= res_len_) phase_ = Phase::Command;
    return v;
  }
  if (phase_ == Phase::PioIn) {
    uint8_t v = pio_[pio_pos_++];
    if (pio_pos_ == 1) set_int(false);
    if (pio_pos_ >= pio_.size()) {
      pio_.clear();
      pio_pos_ = 0;
      finish_xfer();
    }
    return v;
  }
  return 0xFF;
}

void Fdc::result(std::initializer_list<uint8_t> bytes, bool interrupt) {
  res_len_ = 0;
  for (uint8_t b : bytes) res_[res_len_++] = b;
  res_pos_ = 0;
  cmd_len_ = 0;
  phase_ = Phase::Result;
  res_clears_int_ = interrupt;
  if (interrupt) {
    reset_sense_left_ = 0;
    set_int(true);
  }
}

void Fdc::invalid() { result({0x80}, false); }

// ---------------------------------------------------------------- commands

void Fdc::start_command() {
  const uint8_t op = cmd_[0];
  const unsigned d = cmd_[1] & 3;
  switch (op & 0x1F) {
    case 0x03:  // SPECIFY: SRT/HUT, HLT/ND
      specify_[0] = cmd_[1];
      specify_[1] = cmd_[2];
      cmd_len_ = 0;
      return;
    case 0x04: {  // SENSE DRIVE STATUS -> ST3
      uint8_t st3 = uint8_t(0x28 | (cmd_[1] & 7));
      if (d < kDrives) {
        if (drive_[d].pcn == 0) st3 |= 0x10;
        if (!has_media(d) || image_[d]->read_only()) st3 |= 0x40;
      }
      result({st3}, false);
      return;
    }
    case 0x07:  // RECALIBRATE
      seek_start(d, 0, true);
      return;
    case 0x08:
      sense_interrupt();
      return;
    case 0x0E:
      dumpreg();
      return;
    case 0x0F:  // SEEK / RELATIVE SEEK
      if (op & 0x80) {
        int t = drive_[d].pcn + ((op & 0x40) ? cmd_[2] : -int(cmd_[2]));
        seek_start(d, t < 0 ? 0 : t > 255 ? 255 : t, false);
      } else {
        seek_start(d, cmd_[2], false);
      }
      return;
    case 0x10:  // VERSION: 82077AA
      result({0x90}, false);
      return;
    case 0x12:  // PERPENDICULAR MODE: OW=1 rewrites D0-D3, GAP and WGATE always
      perp_ = (cmd_[1] & 0x80) ? uint8_t(cmd_[1] & 0x3F) : uint8_t((perp_ & 0x3C) | (cmd_[1] & 3));
      cmd_len_ = 0;
      return;
    case 0x13:  // CONFIGURE: 0, EIS/EFIFO/POLL/FIFOTHR, PRETRK
      config_ = cmd_[2] & 0x7F;
      pretrk_ = cmd_[3];
      cmd_len_ = 0;
      return;
    case 0x14:  // LOCK
      lock_ = (op & 0x80) != 0;
      result({uint8_t(lock_ ? 0x10 : 0x00)}, false);
      return;
  }
  // A data command: its execution phase runs after the delay.
  phase_ = Phase::Execution;
  waiting_dma_ = false;
  sched_.arm_after(exec_timer_, kCommandDelayNs);
}

void Fdc::sense_interrupt() {
  if (reset_sense_left_ > 0) {
    unsigned d = 4u - reset_sense_left_--;
    set_int(false);
    result({uint8_t(0xC0 | d), drive_[d].pcn}, false);
    return;
  }
  for (unsigned d = 0; d < 4; ++d) {
    if (!drive_[d].int_pending) continue;
    drive_[d].int_pending = false;
    bool more = false;
    for (unsigned e = 0; e < 4; ++e) more |= drive_[e].int_pending;
    if (!more) set_int(false);
    result({drive_[d].st0, drive_[d].pcn}, false);
    return;
  }
  invalid();
}

void Fdc::dumpreg() {
  result({drive_[0].pcn, drive_[1].pcn, drive_[2].pcn, drive_[3].pcn, specify_[0], specify_[1],
          last_eot_, uint8_t((lock_ ? 0x80 : 0) | (perp_ & 0x3F)), uint8_t(config_ & 0x7F), pretrk_},
         false);
}

// The head moves at once; the interrupt comes after kSeekDelayNs. A drive
// that is not connected never signals track 0: RECALIBRATE ends with EC.
void Fdc::seek_start(unsigned d, int target, bool recal) {
  Drive& dr = drive_[d];
  const uint8_t hd = cmd_[1] & 4;
  cmd_len_ = 0;
  phase_ = Phase::Command;
  if (recal && d >= kDrives) {
    dr.st0 = uint8_t(0x70 | hd | d);  // abnormal termination, seek end, equipment check
  } else {
    dr.pcn = uint8_t(target);
    dr.st0 = uint8_t(0x20 | hd | d);
    if (has_media(d)) dr.changed = false;
  }
  dr.seeking = true;
  dr.int_pending = false;
  sched_.arm_after(seek_timer_[d], kSeekDelayNs);
}

void Fdc::seek_done(unsigned d) {
  drive_[d].seeking = false;
  drive_[d].int_pending = true;
  reset_sense_left_ = 0;
  set_int(true);
}

void Fdc::dma_ready() {
  if (phase_ == Phase::Execution && waiting_dma_) {
    waiting_dma_ = false;
    sched_.arm_after(exec_timer_, 0);
  }
}

}  // namespace devices
