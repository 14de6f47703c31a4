#include "devices/rtc.h"

#include <ctime>
#include <stdexcept>

#include "devices/byteio.h"

namespace devices {

namespace {
constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint64_t kUipLead = 244'000 + 1'984'000;  // UIP is 1 this long before the update instant
constexpr uint64_t kDivHz = 32768;
constexpr uint8_t kRegA = 0x0A, kRegB = 0x0B, kRegC = 0x0C, kRegD = 0x0D;
constexpr uint8_t kSet = 0x80, kPie = 0x40, kUie = 0x10, kDse = 0x01;
constexpr uint8_t kIrqf = 0x80, kPf = 0x40, kAf = 0x20, kUf = 0x10;

bool gregorian_leap(unsigned y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned month_length(unsigned month, bool leap) {
  static const uint8_t len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 31;
  return month == 2 && leap ? 29 : len[month - 1];
}
}  // namespace

Rtc::Rtc(Scheduler& sched, IrqSink& irq, int64_t unix_time) : sched_(sched), irq_(irq) {
  update_timer_ = sched_.add("rtc-update", [this](uint64_t) { update_cycle(); });
  periodic_timer_ = sched_.add("rtc-periodic", [this](uint64_t) {
    uint64_t now = sched_.now();
    cmos_[kRegC] |= kPf;
    pf_checked_ = now;
    update_irq();
    arm_periodic(now);
  });
  cmos_[kRegA] = 0x26;  // 32.768 kHz time base, 1024 Hz periodic rate
  cmos_[kRegB] = 0x02;  // 24-hour, BCD
  cmos_[kRegD] = 0x80;
  set_time(unix_time);
  uint64_t now = sched_.now();
  div_base_ = pf_checked_ = now;
  second_base_ = now + kSecond;
  arm_update(now);
  update_checksum();
}

int64_t Rtc::host_time() { return int64_t(std::time(nullptr)); }

void Rtc::map(IoBus& bus) {
  map_bytes(bus, 0x70, 0x71, [this](uint16_t p) { return read(p); },
            [this](uint16_t p, uint8_t v) { write(p, v); });
}

// ---- register formats ----

uint8_t Rtc::enc(unsigned v) const {
  return binary() ? uint8_t(v) : uint8_t(((v / 10 % 10) << 4) | (v % 10));
}
unsigned Rtc::dec(uint8_t b) const { return binary() ? b : (b >> 4) * 10 + (b & 0xF); }

uint8_t Rtc::enc_hour(unsigned h24) const {
  if (hour24()) return enc(h24);
  unsigned h = h24 % 12;
  return uint8_t(enc(h ? h : 12) | (h24 >= 12 ? 0x80 : 0));
}
unsigned Rtc::dec_hour(uint8_t b) const {
  if (hour24()) return dec(b);
  return dec(b & 0x7F) % 12 + (b & 0x80 ? 12 : 0);
}

void Rtc::set_time(int64_t unix_time) {
  uint64_t t = unix_time < 0 ? 0 : uint64_t(unix_time);
  uint64_t days = t / 86400;
  unsigned secs = unsigned(t % 86400);
  unsigned dow = unsigned((days + 4) % 7) + 1;  // 1970-01-01 was a Thursday; Sunday = 1
  unsigned year = 1970, month = 1;
  for (unsigned len; days >= (len = gregorian_leap(year) ? 366 : 365); ++year) days -= len;
  for (unsigned len; days >= (len = month_length(month, gregorian_leap(year))); ++month) days -= len;
  cmos_[0x00] = enc(secs % 60);
  cmos_[0x02] = enc(secs / 60 % 60);
  cmos_[0x04] = enc_hour(secs / 3600);
  cmos_[0x06] = enc(dow);
  cmos_[0x07] = enc(unsigned(days) + 1);
  cmos_[0x08] = enc(month);
  cmos_[0x09] = enc(year % 100);
  cmos_[0x32] = enc(year / 100);
}

// ---- time base ----

uint64_t Rtc::next_update(uint64_t now) const {
  if (now < second_base_) return second_base_;
  return second_base_ + ((now - second_base_) / kSecond + 1) * kSecond;
}

bool Rtc::uip(uint64_t now) const {
  return running() && !(cmos_[kRegB] & kSet) && next_update(now) - now <= kUipLead;
}

uint64_t Rtc::periodic_ticks() const {
  unsigned rs = cmos_[kRegA] & 0x0F;
  if (!running() || rs == 0) return 0;
  return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
}

uint64_t Rtc::div_ticks(uint64_t t) const {
  return t <= div_base_ ? 0 : uint64_t((unsigned __int128)(t - div_base_) * kDivHz / kSecond);
}

void Rtc::pf_sync(uint64_t now) {
  uint64_t p = periodic_ticks();
  if (p && now > pf_checked_ && div_ticks(now) / p > div_ticks(pf_checked_) / p) cmos_[kRegC] |= kPf;
  pf_checked_ = now;
}

void Rtc::arm_periodic(uint64_t now) {
  uint64_t p = periodic_ticks();
  if (!p || !(cmos_[kRegB] & kPie)) {
    sched_.disarm(periodic_timer_);
    return;
  }
  uint64_t next = (div_ticks(now) / p + 1) * p;
  sched_.arm(periodic_timer_, div_base_ + uint64_t(((unsigned __int128)next * kSecond + kDivHz - 1) / kDivHz));
}

void Rtc::arm_update(uint64_t now) {
  if (running())
    sched_.arm(update_timer_, next_update(now));
  else
    sched_.disarm(update_timer_);
}

// ---- the update cycle ----

void Rtc::update_cycle() {
  uint64_t now = sched_.now();
  if (running() && !(cmos_[kRegB] & kSet)) {
    advance_second();
    uint8_t c = cmos_[kRegC] | kUf;
    auto match = [](uint8_t alarm, uint8_t v) { return (alarm & 0xC0) == 0xC0 || alarm == v; };
    if (match(cmos_[0x01], cmos_[0x00]) && match(cmos_[0x03], cmos_[0x02]) && match(cmos_[0x05], cmos_[0x04]))
      c |= kAf;
    cmos_[kRegC] = c;
    update_irq();
  }
  arm_update(now);
}

void Rtc::advance_second() {
  unsigned sec = dec(cmos_[0x00]) + 1, min = dec(cmos_[0x02]), hour = dec_hour(cmos_[0x04]);
  unsigned dow = dec(cmos_[0x06]), dom = dec(cmos_[0x07]), mon = dec(cmos_[0x08]), year = dec(cmos_[0x09]);
  if (sec >= 60) {
    sec = 0;
    if (++min >= 60) {
      min = 0;
      if (++hour >= 24) {
        hour = 0;
        dow = dow >= 7 ? 1 : dow + 1;
        dse_fell_back_ = false;
        if (++dom > month_length(mon, year % 4 == 0)) {  // the chip's leap rule
          dom = 1;
          if (++mon > 12) {
            mon = 1;
            if (++year > 99) {
              year = 0;
              cmos_[0x32] = enc(dec(cmos_[0x32]) + 1);
            }
          }
        }
      }
    }
  }
  if ((cmos_[kRegB] & kDse) && dow == 1 && hour == 2 && min == 0 && sec == 0) {
    if (mon == 4 && dom >= 24) {
      hour = 3;  // last Sunday in April: 1:59:59 -> 3:00:00
    } else if (mon == 10 && dom >= 25 && !dse_fell_back_) {
      hour = 1;  // last Sunday in October: the first 1:59:59 -> 1:00:00
      dse_fell_back_ = true;
    }
  }
  cmos_[0x00] = enc(sec);
  cmos_[0x02] = enc(min);
  cmos_[0x04] = enc_hour(hour);
  cmos_[0x06] = enc(dow);
  cmos_[0x07] = enc(dom);
  cmos_[0x08] = enc(mon);
  cmos_[0x09] = enc(year);
}

void Rtc::update_irq() {
  uint8_t flags = cmos_[kRegC] & 0x70;
  bool irqf = flags & cmos_[kRegB] & 0x70;
  cmos_[kRegC] = uint8_t(flags | (irqf ? kIrqf : 0));
  if (irqf != irq_level_) {
    irq_level_ = irqf;
    irq_.set_irq(kIrq, irqf);
  }
}

// ---- registers ----

uint8_t Rtc::read_reg(unsigned index) {
  uint64_t now = sched_.now();
  switch (index) {
    case kRegA: return uint8_t((cmos_[kRegA] & 0x7F) | (uip(now) ? 0x80 : 0));
    case kRegC: {
      pf_sync(now);
      uint8_t flags = cmos_[kRegC] & 0x70;
      uint8_t v = uint8_t(flags | ((flags & cmos_[kRegB] & 0x70) ? kIrqf : 0));
      cmos_[kRegC] = 0;  // reading clears every flag and releases IRQ8
      update_irq();
      return v;
    }
    case kRegD: return 0x80;  // valid RAM and time
    default: return cmos_[index];
  }
}

void Rtc::write_reg(unsigned index, uint8_t value) {
  uint64_t now = sched_.now();
  switch (index) {
    case kRegA: {
      pf_sync(now);
      bool was = running();
      cmos_[kRegA] = value & 0x7F;
      if (!was && running()) {
        // Leaving divider reset: the first update comes 500 ms later.
        div_base_ = pf_checked_ = now;
        second_base_ = now + kSecond / 2;
      }
      arm_update(now);
      arm_periodic(now);
      update_irq();
      break;
    }
    case kRegB:
      pf_sync(now);
      if (value & kSet) value &= ~kUie;
      cmos_[kRegB] = value;
      arm_periodic(now);
      update_irq();
      break;
    case kRegC:
    case kRegD:
      break;  // read-only
    default:
      cmos_[index] = value;
  }
}

uint8_t Rtc::read(uint16_t port) {
  if (port == 0x71) return read_reg(index_);
  return 0xFF;  // the index register is write-only
}

void Rtc::write(uint16_t port, uint8_t value) {
  if (port == 0x70) {
    index_ = value & 0x7F;
    nmi_disabled_ = value & 0x80;
  } else {
    write_reg(index_, value);
  }
}

// ---- platform CMOS ----

void Rtc::set_cmos(unsigned index, uint8_t value) {
  cmos_[index & 0x7F] = value;
  update_checksum();
}

void Rtc::update_checksum() {
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2D; ++i) sum += cmos_[i];
  cmos_[0x2E] = uint8_t(sum >> 8);
  cmos_[0x2F] = uint8_t(sum);
}

void Rtc::set_memory(uint64_t below_4g, uint64_t above_4g) {
  constexpr uint64_t kMiB = 1 << 20;
  uint64_t base = below_4g / 1024 < 640 ? below_4g / 1024 : 640;
  uint64_t ext = below_4g > kMiB ? (below_4g - kMiB) / 1024 : 0;
  if (ext > 0xFFFF) ext = 0xFFFF;
  uint64_t over16 = below_4g > 16 * kMiB ? (below_4g - 16 * kMiB) / 65536 : 0;
  if (over16 > 0xFFFF) over16 = 0xFFFF;
  uint64_t over4g = above_4g / 65536;
  if (over4g > 0xFFFFFF) over4g = 0xFFFFFF;
  cmos_[0x15] = uint8_t(base), cmos_[0x16] = uint8_t(base >> 8);
  cmos_[0x17] = cmos_[0x30] = uint8_t(ext);
  cmos_[0x18] = cmos_[0x31] = uint8_t(ext >> 8);
  cmos_[0x34] = uint8_t(over16), cmos_[0x35] = uint8_t(over16 >> 8);
  cmos_[0x5B] = uint8_t(over4g), cmos_[0x5C] = uint8_t(over4g >> 8), cmos_[0x5D] = uint8_t(over4g >> 16);
  update_checksum();
}

void Rtc::set_floppy_types(uint8_t drive_a, uint8_t drive_b) {
  set_cmos(0x10, uint8_t((drive_a & 0xF) << 4 | (drive_b & 0xF)));
}

uint8_t Rtc::equipment_byte(unsigned floppies, bool fpu) {
  uint8_t v = fpu ? 0x02 : 0x00;  // bits 5:4 = 00: EGA/VGA display
  if (floppies) v |= uint8_t(0x01 | ((floppies - 1) & 3) << 6);
  return v;
}

void Rtc::set_hard_disk(unsigned drive, uint16_t cylinders, uint8_t heads, uint8_t sectors) {
  drive &= 1;
  cmos_[0x12] = drive ? uint8_t((cmos_[0x12] & 0xF0) | 0x0F) : uint8_t((cmos_[0x12] & 0x0F) | 0xF0);
  cmos_[drive ? 0x1A : 0x19] = 47;  // user-defined type: the parameters follow
  uint8_t* p = &cmos_[drive ? 0x24 : 0x1B];
  p[0] = uint8_t(cylinders), p[1] = uint8_t(cylinders >> 8);
  p[2] = heads;
  p[3] = p[4] = 0xFF;  // no write precompensation
  p[5] = uint8_t(0xC0 | (heads > 8 ? 0x08 : 0));  // control byte: bit 3 = more than 8 heads
  p[6] = uint8_t(cylinders), p[7] = uint8_t(cylinders >> 8);  // landing zone
  p[8] = sectors;
  update_checksum();
}

void Rtc::set_boot_order(std::string_view order, bool check_floppy_signature) {
  uint8_t dev[3] = {};
  size_t n = 0;
  for (char ch : order) {
    uint8_t code;
    switch (ch) {
      case 'a': case 'A': code = 1; break;
      case 'c': case 'C': code = 2; break;
      case 'd': case 'D': code = 3; break;
      case 'n': case 'N': code = 4; break;
      default: throw std::invalid_argument("boot order: unknown device letter");
    }
    if (n == 3) throw std::invalid_argument("boot order: at most three devices");
    dev[n++] = code;
  }
  cmos_[0x3D] = uint8_t(dev[0] | dev[1] << 4);
  cmos_[0x38] = uint8_t(dev[2] << 4 | (check_floppy_signature ? 0 : 1));
  update_checksum();
}

}  // namespace devices
