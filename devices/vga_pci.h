// devices::VgaPci: the PCI face of the standard VGA (devices/vga.h): function
// 1234:1111 (Bochs/QEMU "stdvga"), class 030000h (VGA-compatible display).
//
//   BAR0: prefetchable memory, vga.vram_size() bytes: the linear framebuffer
//   BAR2: memory, 4 KiB: the VGA ports and dispi registers (Vga::mmio_regs())
//   expansion ROM: the VGA BIOS image the Vga was built with (if any)
//   subsystem 1AF4:1100, revision 2 (the QEMU extended registers at BAR2+600h
//   exist), no interrupt pin.
//
// Wiring (for the Machine):
//   Vga vga(sched, bios);  vga.map(io);  vga.map_legacy(mem);
//   VgaPci vga_pci(vga, mem);  pci.attach(2, 0, &vga_pci);
// The BARs are mapped into `mem` whenever the firmware places them (and
// memory decoding is on) and unmapped when moved or disabled. The legacy
// ports and the A0000-BFFFF window answer regardless of the command register,
// as on QEMU's stdvga.
#pragma once
#include "devices/pci.h"
#include "devices/vga.h"

namespace devices {

class VgaPci final : public PciDevice {
 public:
  static constexpr uint16_t kVendor = 0x1234, kDevice = 0x1111;

  VgaPci(Vga& vga, mmu::Memory& mem);

 protected:
  void reset_registers() override;
  void bar_moved(int bar, uint32_t old_addr, uint32_t new_addr) override;

 private:
  Vga* vga_;
  mmu::Memory* mem_;
};

}  // namespace devices
