#include "devices/i440fx.h"

#include "mmu/memory.h"

namespace devices {

// ------------------------------------------------------------------- I440fx

I440fx::I440fx(mmu::Memory& mem) : PciDevice(0x8086, 0x1237, 0x060000, 0x02), mem_(mem) {
  reset();
}

void I440fx::reset_registers() {
  init16(pci::kCommand, 0x0006, pci::kCmdParity | pci::kCmdSerr);  // memory and master: fixed
  init16(pci::kStatus, 0x0280);                                      // fast back-to-back, DEVSEL medium
  init8(pci::kIntLine, 0, 0);                                        // no interrupt
  init16(pci::kSubVendor, 0x1AF4);
  init16(pci::kSubsystem, 0x1100);
  for (unsigned off = 0x50; off <= 0x58; ++off) init8(off, 0, 0xFF);  // PMCCFG .. DRAMT
  init8(0x57, 0x01, 0xFF);                                             // DRAMC
  init8(0x58, 0x10, 0xFF);                                             // DRAMT
  init8(kPam0, 0x00, 0x70);
  for (unsigned i = 1; i < 7; ++i) init8(kPam0 + i, 0x00, 0x77);
  uint32_t units = (mem_.ram_size() + (8u << 20) - 1) >> 23;
  for (unsigned i = 0; i < 8; ++i) init8(kDrb0 + i, uint8_t(units > 0xFF ? 0xFF : units), 0xFF);
  init8(0x68, 0x00, 0xC0);  // FDHC
  init8(0x70, 0x20, 0xFC);  // MTT
  init8(0x71, 0x10, 0xFF);  // CLT
  init8(kSmram, 0x02, 0x78);
  init8(0x90, 0x00, 0xFF);  // ERRCMD
  init8(0x91, 0x00, 0x00);  // ERRSTS
  set_w1c(0x91, 0x11);
  init8(0x93, 0x00, 0x06);  // TRC
  smram_locked_ = false;
  for (unsigned i = 0; i < 7; ++i) apply_pam(i, true);
}

void I440fx::config_written(unsigned offset, unsigned size) {
  for (unsigned o = offset; o < offset + size; ++o) {
    if (o >= kPam0 && o < kPam0 + 7) apply_pam(o - kPam0, false);
    if (o == kSmram) {
      uint8_t v = cfg8(kSmram);
      if (smram_locked_) v &= uint8_t(~0x40);  // D_OPEN cannot be set once locked
      if (v & 0x10) {                          // D_LCK: D_OPEN cleared, lock until reset
        v &= uint8_t(~0x40);
        smram_locked_ = true;
        init8(kSmram, v, 0x20);  // only D_CLS stays writable
      } else {
        set8(kSmram, v);
      }
    }
  }
}

void I440fx::apply_pam(unsigned i, bool force) {
  uint8_t v = cfg8(kPam0 + i);
  uint8_t changed = uint8_t(v ^ applied_[i]);
  applied_[i] = v;
  auto region = [&](uint32_t base, uint32_t size, unsigned shift) {
    if (!force && !((changed >> shift) & 3)) return;
    mem_.set_shadow(base, size, (v >> shift) & 1, (v >> shift) & 2);
  };
  if (i == 0) {
    region(0xF0000, 0x10000, 4);
  } else {
    uint32_t base = 0xC0000 + (i - 1) * 0x8000;
    region(base, 0x4000, 0);
    region(base + 0x4000, 0x4000, 4);
  }
}

// ----------------------------------------------------------------- Piix3Isa

Piix3Isa::Piix3Isa(IrqSink* irq) : PciDevice(0x8086, 0x7000, 0x060100, 0x00, 0x80), irq_(irq) {
  reset();
}

void Piix3Isa::reset_registers() {
  init16(pci::kCommand, 0x0007, 0x0008);  // I/O, memory, master fixed on; special cycles
  init16(pci::kStatus, 0x0200);           // DEVSEL medium
  set_w1c(pci::kStatus + 1, 0x78);
  init8(pci::kCacheLine, 0, 0);
  init8(pci::kLatency, 0, 0);
  init8(pci::kIntLine, 0, 0);
  init8(0x4C, 0x4D, 0xFF);  // IORT
  init16(0x4E, 0x0003, 0x03F7);  // XBCS
  for (unsigned i = 0; i < 4; ++i) init8(kPirqRc + i, 0x80, 0x8F);
  init8(0x69, 0x02, 0xFE);   // TOM
  init16(0x6A, 0x0000, 0x0004);  // MSTAT
  init8(0x70, 0x80, 0xCF);   // MBIRQ0
  init8(0x76, 0x0C, 0x8F);   // MBDMA0
  init8(0x77, 0x0C, 0x8F);   // MBDMA1
  init16(0x78, 0x0002, 0xFFFF);  // PCSC
  init8(0x80, 0x00, 0x7F);   // APICBASE
  init8(0x82, 0x00, 0x0F);   // DLC
  init8(0xA0, 0x08, 0x1F);   // SMICNTL
  init16(0xA2, 0x0000, 0x00FF);  // SMIEN
  init32(0xA4, 0x00000000, 0x0000FFFF);  // SEE
  init8(0xA8, 0x0F, 0xFF);   // FTMR
  init16(0xAA, 0x0000, 0x01FF);  // SMIREQ
  init8(0xAC, 0x00, 0xFF);   // CTLTMR
  init8(0xAE, 0x00, 0xFF);   // CTHTMR
  rcr_ = 0;
  update_irqs();
}

void Piix3Isa::map(IoBus& io) {
  io.map(
      kResetPort, kResetPort, [this](uint16_t, unsigned size) -> uint32_t { return size == 1 ? rcr_ : 0xFFFFFFFFu; },
      [this](uint16_t, unsigned size, uint32_t v) {
        if (size == 1) write_reset_control(uint8_t(v));
      });
}

void Piix3Isa::write_reset_control(uint8_t v) {
  bool trigger = (v & 0x04) && !(rcr_ & 0x04);
  rcr_ = v & 0x06;
  if (!trigger) return;
  rcr_ &= 0x02;  // RCPU reads 0 again once the reset is under way
  if (on_reset) on_reset(v & 0x02);
}

int Piix3Isa::pirq_route(unsigned pirq) const {
  uint8_t r = cfg8(kPirqRc + (pirq & 3));
  unsigned irq = r & 0x0F;
  if (r & 0x80) return -1;
  if (irq < 3 || irq == 8 || irq == 13) return -1;
  return int(irq);
}

void Piix3Isa::set_pirq(unsigned pirq, bool level) {
  uint8_t bit = uint8_t(1u << (pirq & 3));
  pirq_levels_ = level ? uint8_t(pirq_levels_ | bit) : uint8_t(pirq_levels_ & ~bit);
  update_irqs();
}

void Piix3Isa::config_written(unsigned offset, unsigned size) {
  if (offset < kPirqRc + 4 && offset + size > kPirqRc) update_irqs();
}

void Piix3Isa::update_irqs() {
  uint16_t want = 0;
  for (unsigned p = 0; p < 4; ++p) {
    int irq = pirq_route(p);
    if (irq >= 0 && (pirq_levels_ >> p) & 1) want = uint16_t(want | 1u << irq);
  }
  uint16_t diff = uint16_t(want ^ driven_);
  driven_ = want;
  for (unsigned irq = 0; irq < 16; ++irq)
    if (((diff >> irq) & 1) && irq_) irq_->set_irq(irq, (want >> irq) & 1);
}

// ----------------------------------------------------------------- Piix3Ide

Piix3Ide::Piix3Ide() : PciDevice(0x8086, 0x7010, 0x010180, 0x00) {
  add_bar(4, BarType::Io, 16);
  reset();
}

void Piix3Ide::reset_registers() {
  init16(pci::kCommand, 0x0000, pci::kCmdIo | pci::kCmdMaster);
  init16(pci::kStatus, 0x0280);
  set_w1c(pci::kStatus + 1, 0x38);
  init8(pci::kCacheLine, 0, 0);
  init8(pci::kIntLine, 0, 0);
  init8(pci::kLatency, 0, 0xF0);
  init16(kIdetim, 0x0000, 0xF377);
  init16(kIdetim + 2, 0x0000, 0xF377);
  init8(0x44, 0x00, 0xFF);  // SIDETIM
}

}  // namespace devices
