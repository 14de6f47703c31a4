// devices::IoBus: the port I/O bus. Devices register handlers for port
// ranges; the CPU performs IN/OUT through the cpu::PortBus interface.
// Unclaimed ports read as all ones and ignore writes, as on a PC's ISA bus.
//
// Dispatch is one table lookup per access. A handler may map or unmap ranges
// (a PCI BAR moving its ports) while it runs: released ranges are kept alive
// until the outermost access returns.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "cpu/cpu.h"

namespace devices {

class IoBus final : public cpu::PortBus {
 public:
  using ReadFn = std::function<uint32_t(uint16_t port, unsigned size)>;
  using WriteFn = std::function<void(uint16_t port, unsigned size, uint32_t value)>;
  using TapFn = std::function<void(uint16_t port, unsigned size, uint32_t value)>;

  IoBus();

  // Claim ports [first, last]. A handler sees accesses of 1, 2 or 4 bytes that
  // start in its range; either function may be empty (reads all ones / ignored).
  void map(uint16_t first, uint16_t last, ReadFn read, WriteFn write);
  // Release every range lying wholly inside [first, last] (a device whose
  // ports move, e.g. a PCI I/O BAR, unmaps the old range and maps the new).
  void unmap(uint16_t first, uint16_t last);
  // Observe every write to `port` (whoever handles it): --post-port logs.
  void tap_writes(uint16_t port, TapFn fn);

  uint32_t in(uint16_t port, unsigned size) override;
  void out(uint16_t port, unsigned size, uint32_t value) override;

 private:
  struct Range {
    uint16_t first, last;
    ReadFn read;
    WriteFn write;
  };
  std::vector<std::unique_ptr<Range>> ranges_;
  std::vector<std::unique_ptr<Range>> released_;
  std::array<Range*, 0x10000> by_port_{};
  std::vector<std::pair<uint16_t, TapFn>> taps_;
  unsigned depth_ = 0;
};

}  // namespace devices
