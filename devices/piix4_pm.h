// devices::Piix4Pm: the power-management function of an Intel 82371AB
// (PIIX4), 8086:7113, as SeaBIOS and ACPI guests use it on a QEMU-style PC
// (device 1 function 3 next to the PIIX3 functions). Intel 82371AB PIIX4
// datasheet, section "Power management registers"; ACPI 1.0 PM1 blocks.
//
// Wiring (for the Machine):
//   Piix4Pm pm(io, sched, &pic);  pci.attach(1, 3, &pm);  pm.map();
//   pm.on_power_off = [&] { /* stop the machine: soft off (S5) */ };
//   pm.press_power_button();      // e.g. from the frontend: ACPI power button
//
// Configuration registers: PMBA (0x40, I/O base, 64 bytes, bits 15:6), PMREGMISC
// (0x80, bit 0 enables the PM I/O block), DEVACTB (0x58), SMBBA (0x90) and
// SMBHSTCFG (0xD2) are stored (there is no SMBus controller behind them).
// DEVACTB bit 25 (APMC_EN) reads 1 from power-on: there is no SMM in this CPU,
// and SeaBIOS skips its SMM set-up when it finds that bit set (QEMU does the
// same when SMM is off). SeaBIOS programs PMBA to 0xB000 (0x600 with QEMU's
// ACPI table loader); the block moves wherever the guest puts it.
//
// PM I/O block (offsets from PMBA):
//   0x00 PMSTS  (16, write 1 to clear): TMROF_STS 0, BM_STS 4, GBL_STS 5,
//               PWRBTN_STS 8, RTC_STS 10, PWRBTNOR_STS 11, WAK_STS 15
//   0x02 PMEN   (16): TMROF_EN 0, GBL_EN 5, PWRBTN_EN 8, RTC_EN 10
//   0x04 PMCNTRL(16): SCI_EN 0, BRLD_EN_BM 1, SUS_TYP 12:10; writing SUS_EN
//               (bit 13) with SUS_TYP 0 (soft off, the \_S5 value of SeaBIOS's
//               DSDT and what its APM power-off writes: 0x2000) calls
//               on_power_off; other sleep types are ignored (no suspend).
//               GBL_RLS (2) and SUS_EN read 0.
//   0x08 PMTMR  (32, read-only): 24-bit counter at 3.579545 MHz of virtual
//               time; TMROF_STS is set whenever bit 23 changes.
//   other offsets read 0 and ignore writes.
// The SCI is ISA IRQ 9 (level): high while SCI_EN and (PMSTS & PMEN) has any
// of TMROF, GBL, PWRBTN, RTC.
// APM ports 0xB2 (APMC) and 0xB3 (APMS) are read/write bytes; writing 0xF1 /
// 0xF0 (ACPI_ENABLE / ACPI_DISABLE of SeaBIOS's FADT) to APMC sets / clears
// SCI_EN, which is what the firmware's SMI handler would do.
// GPE0 block at 0xAFE0 (SeaBIOS's FADT): status (16, write 1 to clear) and
// enable (16) words; no general-purpose event ever fires.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/iobus.h"
#include "devices/pci.h"
#include "devices/scheduler.h"

namespace devices {

class Piix4Pm final : public PciDevice {
 public:
  static constexpr unsigned kPmba = 0x40, kDevactb = 0x58, kPmregmisc = 0x80;
  static constexpr unsigned kSmbba = 0x90, kSmbhstcfg = 0xD2;
  static constexpr uint16_t kApmcPort = 0xB2, kApmsPort = 0xB3, kGpe0Port = 0xAFE0;
  static constexpr unsigned kSciIrq = 9;
  static constexpr uint64_t kTimerHz = 3579545;
  static constexpr uint16_t kTmrof = 0x0001, kGbl = 0x0020, kPwrbtn = 0x0100, kRtc = 0x0400;
  static constexpr uint16_t kSciEn = 0x0001, kSusEn = 0x2000;

  Piix4Pm(IoBus& io, Scheduler& sched, IrqSink* irq);
  void map();  // 0xB2-0xB3 and the GPE0 block; the PM block maps itself
  std::function<void()> on_power_off;

  void press_power_button();
  uint32_t pm_base() const { return pm_base_; }  // pci::kUnmapped while not decoded
  uint32_t timer() const;                        // PMTMR now
  bool sci() const { return sci_; }
  uint16_t status() const { return sts_; }
  uint16_t control() const { return cnt_; }

  // The PM block registers at offsets 0-63 (sizes 1, 2, 4).
  uint32_t pm_read(unsigned off, unsigned size);
  void pm_write(unsigned off, unsigned size, uint32_t v);

 protected:
  void reset_registers() override;
  void config_written(unsigned offset, unsigned size) override;

 private:
  uint8_t read_byte(unsigned off) const;
  void write_byte(unsigned off, uint8_t v);
  void remap();
  void update_sci();
  void arm_overflow(uint64_t now_ns);

  IoBus& io_;
  Scheduler& sched_;
  IrqSink* irq_;
  Scheduler::TimerId overflow_timer_;
  uint32_t pm_base_ = pci::kUnmapped;
  uint16_t sts_ = 0, en_ = 0, cnt_ = 0;
  uint16_t gpe_sts_ = 0, gpe_en_ = 0;
  uint8_t apmc_ = 0, apms_ = 0;
  bool sci_ = false;
};

}  // namespace devices
