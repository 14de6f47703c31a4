// The Machine's storage: DMA, the floppy controller and the two IDE channels,
// the images behind them, and how the firmware learns about them (CMOS floppy
// types, fw_cfg boot order).
#include <stdexcept>

#include "devices/fwcfg.h"
#include "devices/machine_disks.h"
#include "devices/pic.h"
#include "devices/rtc.h"

namespace devices {


void Machine::wire_disks(const MachineConfig& cfg) {
  disks_ = std::make_unique<Disks>();
  Disks& d = *disks_;
  d.dma = std::make_unique<Dma>(*mem_);
  d.dma->map(io_);
  d.fdc = std::make_unique<Fdc>(*sched_, *pic_, *d.dma);
  d.fdc->map(io_);
  d.ide = std::make_unique<Ide>(*pic_);
  d.ide->map(io_);

  std::vector<std::string> order;
  for (unsigned k = 0; k < 2; ++k)
    if (!cfg.fd[k].empty()) d.fdc->insert(k, DiskImage::open(cfg.fd[k], cfg.snapshot));
  rtc_->set_floppy_types(uint8_t(d.fdc->cmos_type(0)), uint8_t(d.fdc->cmos_type(1)));
  for (unsigned k = 0; k < 4; ++k) {
    if (cfg.hd[k].empty()) continue;
    d.hd[k] = DiskImage::open(cfg.hd[k], cfg.snapshot);
    d.ide->channel(k / 2).attach_disk(k % 2, d.hd[k].get());
  }
  // The CD-ROM drive sits on the secondary channel: master, or slave when
  // -hdc took the master position. It exists (empty) even without -cdrom.
  unsigned cd_unit = d.hd[2] ? 1 : 0;
  if (!(d.hd[2] && d.hd[3])) {
    if (!cfg.cdrom.empty()) d.cd = DiskImage::open(cfg.cdrom, false, /*read_only=*/true);
    d.ide->channel(1).attach_cdrom(cd_unit, d.cd.get());
  } else if (!cfg.cdrom.empty()) {
    throw std::runtime_error("-cdrom: the secondary channel is full (-hdc and -hdd are given)");
  }

  // Boot order for SeaBIOS, from the -boot letters: fw_cfg "bootorder" paths
  // and the CMOS bytes (the RTC set those already).
  for (char l : cfg.boot) {
    if (l == 'a') order.push_back(FwCfg::floppy_path(0));
    if (l == 'c')
      for (unsigned k = 0; k < 4; ++k)
        if (d.hd[k]) {
          order.push_back(FwCfg::ata_path(k / 2, k % 2));
          break;
        }
    if (l == 'd') order.push_back(FwCfg::ata_path(1, cd_unit));
  }
  fwcfg_->set_boot_order(order);
}

void Machine::reset_disks() {
  disks_->dma->reset();
  disks_->fdc->reset();
  disks_->ide->reset();
}

void Machine::flush_disks() {
  if (!disks_) return;
  for (auto& h : disks_->hd)
    if (h) h->flush();
  for (unsigned k = 0; k < 2; ++k)
    if (DiskImage* f = disks_->fdc->image(k)) f->flush();
}

}  // namespace devices
