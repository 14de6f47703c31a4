// devices::VgaPci: BARs and expansion ROM of the standard VGA.
#include "devices/vga_pci.h"

#include "mmu/memory.h"

namespace devices {

VgaPci::VgaPci(Vga& vga, mmu::Memory& mem)
    : PciDevice(kVendor, kDevice, 0x030000, 0x02), vga_(&vga), mem_(&mem) {
  add_bar(0, BarType::MemPrefetch, vga.vram_size());
  add_bar(2, BarType::Mem, Vga::kMmioSize);
  const std::vector<uint8_t>& bios = vga.bios();
  if (!bios.empty()) set_rom(&mem, mem.add_rom(bios.data(), uint32_t(bios.size())), uint32_t(bios.size()));
  reset();
}

void VgaPci::reset_registers() {
  init16(pci::kSubVendor, 0x1AF4);
  init16(pci::kSubsystem, 0x1100);
}

void VgaPci::bar_moved(int bar, uint32_t old_addr, uint32_t new_addr) {
  mmu::MmioHandler* h = bar == 0 ? &vga_->lfb() : bar == 2 ? &vga_->mmio_regs() : nullptr;
  if (h) {
    uint32_t size = this->bar(bar).size;
    if (old_addr != pci::kUnmapped) mem_->unmap(old_addr, size);
    if (new_addr != pci::kUnmapped) mem_->map_mmio(new_addr, size, h);
  }
  PciDevice::bar_moved(bar, old_addr, new_addr);
}

}  // namespace devices
