// devices::IoBus: the port I/O bus. Devices register handlers for port
// ranges; the CPU performs IN/OUT through the cpu::PortBus interface.
// Unclaimed ports read as all ones and ignore writes, as on a PC's ISA bus.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "cpu/cpu.h"

namespace devices {

class IoBus final : public cpu::PortBus {
 public:
  using ReadFn = std::function<uint32_t(uint16_t port, unsigned size)>;
  using WriteFn = std::function<void(uint16_t port, unsigned size, uint32_t value)>;

  // Claim ports [first, last]. A handler sees accesses of 1, 2 or 4 bytes that
  // start in its range; either function may be empty (reads all ones / ignored).
  void map(uint16_t first, uint16_t last, ReadFn read, WriteFn write);
  // Release every range lying wholly inside [first, last] (a device whose
  // ports move, e.g. a PCI I/O BAR, unmaps the old range and maps the new).
  void unmap(uint16_t first, uint16_t last);

  uint32_t in(uint16_t port, unsigned size) override;
  void out(uint16_t port, unsigned size, uint32_t value) override;

 private:
  struct Range {
    uint16_t first, last;
    ReadFn read;
    WriteFn write;
  };
  const Range* find(uint16_t port) const;
  std::vector<Range> ranges_;
};

}  // namespace devices
