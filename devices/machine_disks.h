// Machine::Disks: the storage half of the Machine (machine_disks.cpp).
#pragma once
#include <memory>

#include "devices/disk_image.h"
#include "devices/dma.h"
#include "devices/fdc.h"
#include "devices/ide.h"
#include "devices/machine.h"

namespace devices {

struct Machine::Disks {
  std::unique_ptr<Dma> dma;
  std::unique_ptr<Fdc> fdc;
  std::unique_ptr<Ide> ide;
  std::unique_ptr<DiskImage> hd[4];
  std::unique_ptr<DiskImage> cd;
};

}  // namespace devices
