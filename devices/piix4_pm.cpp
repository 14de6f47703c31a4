#include "devices/piix4_pm.h"

namespace devices {

namespace {
constexpr uint16_t kStsMask = 0x8D31;  // TMROF, BM, GBL, PWRBTN, RTC, PWRBTNOR, WAK
constexpr uint16_t kEnMask = 0x0521;   // TMROF_EN, GBL_EN, PWRBTN_EN, RTC_EN
constexpr uint16_t kCntMask = 0x1C03;  // SCI_EN, BRLD_EN_BM, SUS_TYP
constexpr uint16_t kSciEvents = Piix4Pm::kTmrof | Piix4Pm::kGbl | Piix4Pm::kPwrbtn | Piix4Pm::kRtc;

uint64_t ticks_at(uint64_t ns) {
  return uint64_t((unsigned __int128)ns * Piix4Pm::kTimerHz / 1000000000u);
}
}  // namespace

Piix4Pm::Piix4Pm(IoBus& io, Scheduler& sched, IrqSink* irq)
    : PciDevice(0x8086, 0x7113, 0x068000, 0x03), io_(io), sched_(sched), irq_(irq) {
  overflow_timer_ = sched_.add("piix4-pm-timer", [this](uint64_t now) {
    sts_ |= kTmrof;
    update_sci();
    arm_overflow(now);
  });
  reset();
}

void Piix4Pm::reset_registers() {
  init16(pci::kStatus, 0x0280);
  set_w1c(pci::kStatus + 1, 0x38);
  init8(pci::kIntPin, 0x01);
  init32(kPmba, 0x00000001, 0x0000FFC0);
  for (unsigned off = 0x44; off < 0x80; ++off) init8(off, 0, 0xFF);  // CNTA .. DEVRESJ: storage
  init32(kDevactb, 0x02000000, 0xFFFFFFFF);  // APMC_EN: no SMM set-up wanted
  init8(kPmregmisc, 0x00, 0x01);
  init32(kSmbba, 0x00000001, 0x0000FFF0);
  init8(kSmbhstcfg, 0x00, 0x0F);
  sts_ = en_ = cnt_ = 0;
  gpe_sts_ = gpe_en_ = 0;
  apmc_ = apms_ = 0;
  remap();
  update_sci();
  arm_overflow(sched_.now());
}

void Piix4Pm::map() {
  io_.map(
      kApmcPort, kApmsPort,
      [this](uint16_t port, unsigned size) -> uint32_t {
        uint32_t v = port == kApmcPort ? apmc_ | uint32_t(apms_) << 8 : apms_ | 0xFF00u;
        return size == 1 ? v & 0xFF : v | 0xFFFF0000u;
      },
      [this](uint16_t port, unsigned size, uint32_t v) {
        if (port == kApmsPort) {
          apms_ = uint8_t(v);
          return;
        }
        apmc_ = uint8_t(v);
        if (size >= 2) apms_ = uint8_t(v >> 8);
        if (apmc_ == 0xF1) cnt_ |= kSciEn;
        if (apmc_ == 0xF0) cnt_ &= uint16_t(~kSciEn);
        update_sci();
      });
  io_.map(
      kGpe0Port, kGpe0Port + 3,
      [this](uint16_t port, unsigned size) -> uint32_t {
        uint32_t all = gpe_sts_ | uint32_t(gpe_en_) << 16;
        return all >> (8 * (port - kGpe0Port));
      },
      [this](uint16_t port, unsigned size, uint32_t v) {
        for (unsigned i = 0; i < size && port - kGpe0Port + i < 4; ++i) {
          unsigned off = port - kGpe0Port + i;
          uint16_t b = uint16_t(((v >> (8 * i)) & 0xFF) << (8 * (off & 1)));
          if (off < 2)
            gpe_sts_ &= uint16_t(~b);
          else
            gpe_en_ = uint16_t((gpe_en_ & ~(0xFF << (8 * (off & 1)))) | b);
        }
      });
}

void Piix4Pm::config_written(unsigned offset, unsigned size) {
  auto touches = [&](unsigned a, unsigned b) { return offset <= b && offset + size > a; };
  if (touches(kPmba, kPmba + 3) || touches(kPmregmisc, kPmregmisc)) remap();
}

void Piix4Pm::remap() {
  uint32_t base = (cfg8(kPmregmisc) & 1) ? (cfg32(kPmba) & 0xFFC0u) : pci::kUnmapped;
  if (base == 0) base = pci::kUnmapped;
  if (base == pm_base_) return;
  if (pm_base_ != pci::kUnmapped) io_.unmap(uint16_t(pm_base_), uint16_t(pm_base_ + 63));
  pm_base_ = base;
  if (base == pci::kUnmapped) return;
  io_.map(
      uint16_t(base), uint16_t(base + 63),
      [this](uint16_t port, unsigned size) { return pm_read(port - pm_base_, size); },
      [this](uint16_t port, unsigned size, uint32_t v) { pm_write(port - pm_base_, size, v); });
}

uint32_t Piix4Pm::timer() const { return uint32_t(ticks_at(sched_.now()) & 0xFFFFFF); }

uint8_t Piix4Pm::read_byte(unsigned off) const {
  switch (off) {
    case 0x00: return uint8_t(sts_);
    case 0x01: return uint8_t(sts_ >> 8);
    case 0x02: return uint8_t(en_);
    case 0x03: return uint8_t(en_ >> 8);
    case 0x04: return uint8_t(cnt_);
    case 0x05: return uint8_t(cnt_ >> 8);
    case 0x08: case 0x09: case 0x0A: case 0x0B: return uint8_t(timer() >> (8 * (off - 8)));
    default: return 0;
  }
}

void Piix4Pm::write_byte(unsigned off, uint8_t v) {
  switch (off) {
    case 0x00: case 0x01:
      sts_ &= uint16_t(~((v << (8 * off)) & kStsMask));
      break;
    case 0x02: case 0x03: {
      unsigned sh = 8 * (off - 2);
      en_ = uint16_t(((en_ & ~(0xFF << sh)) | (v << sh)) & kEnMask);
      break;
    }
    case 0x04: case 0x05: {
      unsigned sh = 8 * (off - 4);
      cnt_ = uint16_t(((cnt_ & ~(0xFF << sh)) | (v << sh)) & kCntMask);
      if (off == 0x05 && (v << 8) & kSusEn) {
        unsigned typ = (cnt_ >> 10) & 7;
        if (typ == 0 && on_power_off) on_power_off();
      }
      break;
    }
    default: break;
  }
}

uint32_t Piix4Pm::pm_read(unsigned off, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t(read_byte((off + i) & 63)) << (8 * i);
  return v;
}

void Piix4Pm::pm_write(unsigned off, unsigned size, uint32_t v) {
  for (unsigned i = 0; i < size; ++i) write_byte((off + i) & 63, uint8_t(v >> (8 * i)));
  update_sci();
}

void Piix4Pm::press_power_button() {
  sts_ |= kPwrbtn;
  update_sci();
}

void Piix4Pm::update_sci() {
  bool level = (cnt_ & kSciEn) && (sts_ & en_ & kSciEvents);
  if (level == sci_) return;
  sci_ = level;
  if (irq_) irq_->set_irq(kSciIrq, level);
}

void Piix4Pm::arm_overflow(uint64_t now_ns) {
  uint64_t next_tick = ((ticks_at(now_ns) >> 23) + 1) << 23;
  uint64_t when = uint64_t(((unsigned __int128)next_tick * 1000000000u + kTimerHz - 1) / kTimerHz);
  sched_.arm(overflow_timer_, when);
}

}  // namespace devices
