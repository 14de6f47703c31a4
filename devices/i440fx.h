// devices::I440fx, Piix3Isa, Piix3Ide: the i440FX PCI host bridge (82441FX
// PMC) and the PIIX3 (82371SB) ISA bridge and IDE functions, as SeaBIOS
// expects them on a QEMU-style PC (Intel 440FX PCIset and 82371FB/SB PIIX/PIIX3
// datasheets).
//
// Wiring (for the Machine):
//   I440fx host(mem);          pci.attach(0, 0, &host);   // 8086:1237
//   Piix3Isa isa(&pic);        pci.attach(1, 0, &isa);    // 8086:7000, multi-function
//   pci.set_pirq_sink(&isa);   isa.map(io);               // PIRQ routing; port 0xCF9
//   isa.on_reset = [&](bool hard) { /* request a reset, not from inside this call */ };
//   Piix3Ide ide;              pci.attach(1, 1, &ide);    // 8086:7010
//   ide.set_bar_listener(...)  // bar 4 (BMIBA): bus-master registers moved
//   pci.reset();
//
// I440fx:
// - Subsystem ids 1AF4:1100, QEMU's values: SeaBIOS then reports "Running on
//   QEMU (i440fx)" (it works without them too, after a warning).
// - PAM0-PAM6 (0x59-0x5F) drive mmu::Memory::set_shadow for 0xC0000-0xFFFFF:
//   PAM0 bits 5:4 control 0xF0000-0xFFFFF; PAMn (n = 1..6) bits 1:0 control
//   the 16 KiB at 0xC0000 + (n-1)*32 KiB and bits 5:4 the 16 KiB after it.
//   In each pair bit 0 (read enable) sends reads to RAM and bit 1 (write
//   enable) sends writes to RAM; a clear bit sends them to whatever overlay
//   the Machine mapped there (the BIOS ROM) or to nothing. Bits 6/2 (cache
//   enable) are stored only. Power-on: all zero (reads and writes to the ROM).
// - SMRAM (0x72) power-on 0x02 (C_BASE_SEG = A0000h); G_SMRAME, D_LCK, D_CLS
//   and D_OPEN are writable with the lock rules (D_LCK set: D_OPEN reads 0 and
//   stays 0, D_LCK and G_SMRAME read-only until reset). The CPU has no SMM, so
//   SMRAM is never mapped; smram_open() tells whether the guest asked for it.
// - DRB0-7 (0x60-0x67) reflect the RAM size in 8 MiB units; other chipset
//   registers are plain storage with their power-on values.
//
// Piix3Isa (function 0):
// - PIRQRC[A:D] (0x60-0x63, power-on 0x80 = disabled): bits 3:0 the ISA IRQ,
//   bit 7 disables the route. IRQs 0-2, 8 and 13 are reserved (not routed).
//   A PIRQ line's level reaches its ISA IRQ through the IrqSink (level
//   triggered: the BIOS sets the ELCR); PIRQs sharing an IRQ are ORed.
// - The reset control register at I/O 0xCF9: bit 1 selects a hard (1) or soft
//   (0) reset, bit 2 going 0 -> 1 requests it (on_reset(hard)); bit 2 then
//   reads 0 again.
// - Other registers (IORT, XBCS, TOM, MSTAT, motherboard IRQ/DMA, APICBASE,
//   DLC, SMI registers) are stored with their power-on values.
//
// Piix3Ide (function 1): class 01 01 80 (legacy-mode primary and secondary,
// bus-master capable). The legacy ports (0x1F0/0x3F6 IRQ 14, 0x170/0x376 IRQ
// 15) are the IDE controller's own; BARs 0-3 do not exist. BMIBA (0x20, BAR 4)
// is a 16-byte I/O BAR for the bus-master registers. IDETIM (0x40, 0x42):
// bit 15 enables decoding of a channel; channel_enabled() reports it (SeaBIOS
// writes 0x8000 to both; as on QEMU, the ports are decoded either way).
#pragma once
#include <cstdint>
#include <functional>

#include "devices/iobus.h"
#include "devices/pci.h"
#include "devices/scheduler.h"

namespace mmu {
class Memory;
}

namespace devices {

class I440fx final : public PciDevice {
 public:
  static constexpr unsigned kPam0 = 0x59, kSmram = 0x72, kDrb0 = 0x60;
  explicit I440fx(mmu::Memory& mem);

  uint8_t pam(unsigned i) const { return cfg8(kPam0 + i); }
  uint8_t smram() const { return cfg8(kSmram); }
  bool smram_open() const { return (smram() & 0x48) == 0x48; }  // G_SMRAME and D_OPEN

 protected:
  void reset_registers() override;
  void config_written(unsigned offset, unsigned size) override;

 private:
  void apply_pam(unsigned i, bool force);
  mmu::Memory& mem_;
  uint8_t applied_[7] = {};
  bool smram_locked_ = false;
};

class Piix3Isa final : public PciDevice, public PirqSink {
 public:
  static constexpr uint16_t kResetPort = 0xCF9;
  static constexpr unsigned kPirqRc = 0x60;
  explicit Piix3Isa(IrqSink* irq);

  void map(IoBus& io);  // 0xCF9
  std::function<void(bool hard)> on_reset;

  void set_pirq(unsigned pirq, bool level) override;
  uint8_t reset_control() const { return rcr_; }
  void write_reset_control(uint8_t v);
  // The ISA IRQ a PIRQ is routed to, or -1.
  int pirq_route(unsigned pirq) const;

 protected:
  void reset_registers() override;
  void config_written(unsigned offset, unsigned size) override;

 private:
  void update_irqs();
  IrqSink* irq_;
  uint8_t pirq_levels_ = 0;  // bit n: PIRQn asserted
  uint16_t driven_ = 0;      // ISA IRQs currently driven high by PIRQs
  uint8_t rcr_ = 0;
};

class Piix3Ide final : public PciDevice {
 public:
  static constexpr unsigned kBmiba = 0x20, kIdetim = 0x40;
  Piix3Ide();
  bool channel_enabled(unsigned ch) const { return cfg16(kIdetim + 2 * (ch & 1)) & 0x8000; }
  uint32_t bmiba() const { return bar_address(4); }  // pci::kUnmapped if not decoded

 protected:
  void reset_registers() override;
};

}  // namespace devices
