// devices::PciBus and devices::PciDevice: PCI configuration mechanism #1 and
// the configuration space of a PCI function (PCI Local Bus Specification 2.1,
// chapter 6 and section 3.2.2.3.2).
//
// Wiring (for the Machine):
//   PciBus pci;  pci.map(io);                // claims 0xCF8 (dword) and 0xCFC-0xCFF
//   pci.attach(0, 0, &host_bridge);          // device 0 function 0, ...
//   pci.set_pirq_sink(&piix3_isa);           // where INTA#-INTD# go (PIRQ A-D)
//   pci.reset();                             // every function to its power-on state
//
// Mechanism #1: a dword write to 0xCF8 (CONFADD) selects enable (bit 31), bus
// (23:16), device (15:11), function (10:8) and dword register (7:2); bytes,
// words or dwords at 0xCFC-0xCFF (CONFDATA) then reach that register plus the
// port's low two bits. Byte and word accesses to 0xCF8 are not CONFADD (they
// pass to the ISA bus, where 0xCF9 is the PIIX3 reset control register). With
// the enable bit clear, or for a bus/device/function nobody answers (only bus
// 0 exists: there are no PCI-to-PCI bridges), reads give all ones and writes
// are dropped.
//
// A PciDevice owns 256 bytes of configuration space with a per-bit write mask
// and a write-one-to-clear mask (the status register's error bits). Vendor,
// device, class, revision and header type are read-only. Base address
// registers are declared with add_bar(): the bits below the size read as zero
// (so writing all ones and reading back gives the size mask), I/O BARs read bit
// 0 as 1, memory BARs are 32-bit, optionally prefetchable. A BAR is decoded at
// its address only while the command register enables its space, the address
// is non-zero and the range does not wrap (I/O below 64 KiB, memory below
// 4 GiB): bar_moved() reports every change of the decoded address, so a device
// re-maps its ports or MMIO there. The expansion ROM BAR (0x30) maps a ROM
// image into the physical map (mmu::Memory::map_rom) while enabled (bit 0) and
// memory decoding is on.
//
// Interrupts: a device drives its INTx# pin with set_irq_level(); the bus ORs
// the pins that share a PIRQ line and passes PIRQ changes to the PirqSink. The
// i440FX/PIIX3 swizzle: device d pin p (1 = INTA#) drives PIRQ (d + p - 2) & 3.
// The command register's interrupt-disable bit masks the pin; the status
// register's interrupt-status bit shows it.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "devices/iobus.h"

namespace mmu {
class Memory;
}

namespace devices {

// Standard configuration header offsets and bits used here.
namespace pci {
constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06;
constexpr unsigned kRevision = 0x08, kProgIf = 0x09, kClass = 0x0A, kCacheLine = 0x0C;
constexpr unsigned kLatency = 0x0D, kHeaderType = 0x0E, kBar0 = 0x10, kSubVendor = 0x2C;
constexpr unsigned kSubsystem = 0x2E, kRomBar = 0x30, kIntLine = 0x3C, kIntPin = 0x3D;
constexpr uint16_t kCmdIo = 0x0001, kCmdMemory = 0x0002, kCmdMaster = 0x0004;
constexpr uint16_t kCmdParity = 0x0040, kCmdSerr = 0x0100, kCmdIntxDisable = 0x0400;
constexpr uint16_t kStatusIntx = 0x0008;
constexpr int kRomSlot = 6;                 // bar index of the expansion ROM
constexpr uint32_t kUnmapped = 0xFFFFFFFFu;  // decoded address of a BAR that is not decoded
}  // namespace pci

class PciBus;

// Receives the levels of the four PCI interrupt lines PIRQA#-PIRQD#.
class PirqSink {
 public:
  virtual ~PirqSink() = default;
  virtual void set_pirq(unsigned pirq, bool level) = 0;
};

class PciDevice {
 public:
  enum class BarType : uint8_t { None, Io, Mem, MemPrefetch };
  struct Bar {
    BarType type = BarType::None;
    uint32_t size = 0;                  // power of two
    uint32_t decoded = pci::kUnmapped;  // where it is decoded now
  };
  // Called with (bar, old address, new address) when a BAR's decoded address
  // changes; kUnmapped means "not decoded". Bar 6 is the expansion ROM.
  using BarListener = std::function<void(int bar, uint32_t old_addr, uint32_t new_addr)>;

  // class_code = base class << 16 | subclass << 8 | programming interface.
  PciDevice(uint16_t vendor, uint16_t device, uint32_t class_code, uint8_t revision,
            uint8_t header_type = 0x00);
  virtual ~PciDevice() = default;
  PciDevice(const PciDevice&) = delete;
  PciDevice& operator=(const PciDevice&) = delete;

  // Power-on state: the header from the constructor's ids and the declared
  // BARs, then reset_registers() for the device's own registers; BAR decoding
  // is re-evaluated (so a BAR that was decoded is reported as unmapped).
  void reset();

  // Configuration access by the bus: offset + size <= 256, size 1, 2 or 4.
  uint32_t config_read(unsigned offset, unsigned size);
  void config_write(unsigned offset, unsigned size, uint32_t value);

  // Direct views (tests, wiring).
  uint8_t cfg8(unsigned off) const { return config_[off]; }
  uint16_t cfg16(unsigned off) const { return uint16_t(config_[off] | config_[off + 1] << 8); }
  uint32_t cfg32(unsigned off) const { return cfg16(off) | uint32_t(cfg16(off + 2)) << 16; }
  uint16_t command() const { return cfg16(pci::kCommand); }
  const Bar& bar(int i) const { return bars_[size_t(i)]; }
  uint32_t bar_address(int i) const { return bars_[size_t(i)].decoded; }

  void set_bar_listener(BarListener l) { bar_listener_ = std::move(l); }

  // Drive this function's interrupt pin (no effect without a pin or a bus).
  void set_irq_level(bool level);
  bool irq_level() const { return irq_level_; }

  // Attached by PciBus::attach.
  PciBus* bus() const { return bus_; }
  uint8_t devfn() const { return devfn_; }

 protected:
  // Declare BAR i (0-5) before reset(); size a power of two (I/O >= 4, memory
  // >= 16 bytes).
  void add_bar(int i, BarType type, uint32_t size);
  // Offer `rom` (an mmu::Memory ROM id of `len` bytes) as the expansion ROM.
  // The BAR size is the next power of two >= len, at least 4 KiB.
  void set_rom(mmu::Memory* mem, int rom, uint32_t len);

  // Device-specific power-on values and masks (called by reset()).
  virtual void reset_registers() {}
  // After a guest write changed config bytes [offset, offset+size).
  virtual void config_written(unsigned offset, unsigned size) {}
  // Reads of device registers with side effects or computed values may be
  // overridden; the default returns the stored bytes.
  virtual uint8_t config_byte(unsigned off) { return config_[off]; }
  // The decoded address of a BAR changed. The default calls the listener.
  virtual void bar_moved(int bar, uint32_t old_addr, uint32_t new_addr);

  // Register helpers for subclasses: value and guest-writable bits.
  void init8(unsigned off, uint8_t v, uint8_t wmask = 0) { config_[off] = v, wmask_[off] = wmask; }
  void init16(unsigned off, uint16_t v, uint16_t wmask = 0);
  void init32(unsigned off, uint32_t v, uint32_t wmask = 0);
  void set8(unsigned off, uint8_t v) { config_[off] = v; }
  void set16(unsigned off, uint16_t v) { config_[off] = uint8_t(v), config_[off + 1] = uint8_t(v >> 8); }
  void set_w1c(unsigned off, uint8_t mask) { w1c_[off] = mask; }

 private:
  friend class PciBus;
  void update_bars();
  void update_intx();
  uint32_t decode(int i) const;

  uint16_t vendor_, device_;
  uint32_t class_code_;
  uint8_t revision_, header_type_;
  std::array<uint8_t, 256> config_{}, wmask_{}, w1c_{};
  std::array<Bar, 7> bars_{};
  mmu::Memory* rom_mem_ = nullptr;
  int rom_id_ = -1;
  bool irq_level_ = false;
  bool intx_out_ = false;  // what the bus was last told
  PciBus* bus_ = nullptr;
  uint8_t devfn_ = 0;
  BarListener bar_listener_;
};

class PciBus {
 public:
  static constexpr uint16_t kAddressPort = 0xCF8, kDataPort = 0xCFC;
  PciBus() = default;
  PciBus(const PciBus&) = delete;  // port handlers hold `this`
  PciBus& operator=(const PciBus&) = delete;

  // Function `fn` (0-7) of device `dev` (0-31) on bus 0.
  void attach(unsigned dev, unsigned fn, PciDevice* d);
  PciDevice* device(unsigned dev, unsigned fn) const { return slots_[(dev & 31) << 3 | (fn & 7)]; }
  void map(IoBus& io);
  void reset();  // CONFADD cleared, every attached function reset

  void set_pirq_sink(PirqSink* s) { pirq_sink_ = s; }
  static unsigned pirq_of(unsigned dev, unsigned pin) { return (dev + pin - 2) & 3; }
  bool pirq_level(unsigned pirq) const;

  // The port handlers.
  uint32_t address() const { return address_; }
  uint32_t read_port(uint16_t port, unsigned size);
  void write_port(uint16_t port, unsigned size, uint32_t value);

  // Configuration access by bus/device/function/offset (all ones if absent).
  uint32_t config_read(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned size);
  void config_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned size, uint32_t v);

 private:
  friend class PciDevice;
  void intx_changed(PciDevice* d, bool level);

  std::array<PciDevice*, 256> slots_{};
  uint32_t address_ = 0;
  IoBus* io_ = nullptr;
  PirqSink* pirq_sink_ = nullptr;
  std::array<uint8_t, 4> pirq_count_{};  // functions asserting each PIRQ
};

}  // namespace devices
