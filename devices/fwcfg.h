// devices::FwCfg: QEMU's firmware configuration interface (fw_cfg), the
// traditional I/O-port form that SeaBIOS reads on a PC (QEMU's fw_cfg
// specification, docs/specs/fw_cfg).
//
// Wiring (for the Machine):
//   FwCfg fw(ram_bytes, /*cpus=*/1);    // signature, id, RAM size, CPUs, boot menu off
//   fw.set_e820(FwCfg::pc_e820(ram_bytes));
//   fw.set_boot_order({FwCfg::floppy_path(0), FwCfg::ata_path(0, 0)});
//   fw.map(io);                          // claims 0x510-0x511
//
// Interface: a 16-bit write to 0x510 selects an item and rewinds its data
// offset; each byte read from 0x511 returns the next byte of the item, and 0
// past its end or for an item that does not exist. Bit 14 of the selector
// (write channel) is ignored for look-up and writes to 0x511 are dropped, as
// on QEMU 2.4+; 0x510 reads all ones (write-only). Byte writes to 0x510 do not
// select (the register is 16 bits); a wider read of 0x511 returns one data byte
// in the low 8 bits (the bytes above read all ones).
//
// Items (numbers are little-endian unless said otherwise):
//   0x0000 signature "QEMU"          0x0001 id: 1 (traditional interface, no DMA)
//   0x0003 RAM size (64-bit)         0x0004 nographic (16-bit; non-zero makes
//   0x0005 CPUs present (16-bit)            SeaBIOS mirror its console to COM1)
//   0x000E boot menu (16-bit: 0 = SeaBIOS shows no "Press ESC/F12" prompt and
//          does not wait for it; SeaBIOS reads it as "etc/show-boot-menu")
//   0x000F max CPUs (16-bit)         0x0019 file directory (below)
//   0x0020.. files, in the order they were added
// The file directory: a big-endian 32-bit count, then per file (sorted by
// name) a big-endian 32-bit size, big-endian 16-bit selector, 16 reserved
// bits and a NUL-padded 56-byte name.
//
// Files SeaBIOS reads (SeaBIOS 1.16: src/fw/paravirt.c, src/boot.c):
//   "etc/e820"   20-byte entries {u64 address, u64 length, u32 type} (1 = RAM,
//                2 = reserved). When present SeaBIOS takes the RAM size from it
//                instead of the CMOS.
//   "bootorder"  device paths separated by '\n', NUL-terminated; the paths are
//                those SeaBIOS builds for our PCI topology (floppy_path,
//                ata_path); "HALT" as the last line makes the order strict.
//   "etc/boot-menu-wait" (ms), "etc/boot-fail-wait" (ms, SeaBIOS default
//                60000: the retry delay after "No bootable device") as
//                little-endian integers (add_file_int).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "devices/iobus.h"

namespace devices {

class FwCfg {
 public:
  static constexpr uint16_t kSelectorPort = 0x510, kDataPort = 0x511;
  enum Key : uint16_t {
    kSignature = 0x00, kId = 0x01, kRamSize = 0x03, kNoGraphic = 0x04, kNbCpus = 0x05,
    kBootMenu = 0x0E, kMaxCpus = 0x0F, kFileDir = 0x19, kFileFirst = 0x20,
  };
  static constexpr uint16_t kWriteChannel = 0x4000;
  static constexpr size_t kMaxName = 55;  // 56 bytes with the NUL
  struct E820Entry {
    uint64_t address, length;
    uint32_t type;  // 1 RAM, 2 reserved
  };

  explicit FwCfg(uint64_t ram_bytes, uint16_t cpus = 1);
  FwCfg(const FwCfg&) = delete;  // port handlers hold `this`
  FwCfg& operator=(const FwCfg&) = delete;
  void map(IoBus& io);

  // ---- content (set up by the Machine before the guest runs) ----
  void set_item(uint16_t key, std::vector<uint8_t> data);
  void set_int(uint16_t key, uint64_t v, unsigned bytes);  // little-endian
  // Add or replace a file; returns its selector. Names are at most 55 bytes.
  uint16_t add_file(const std::string& name, std::vector<uint8_t> data);
  uint16_t add_file_int(const std::string& name, uint64_t v, unsigned bytes);
  void set_boot_menu(bool show) { set_int(kBootMenu, show ? 1 : 0, 2); }
  void set_nographic(bool on) { set_int(kNoGraphic, on ? 1 : 0, 2); }
  void set_e820(const std::vector<E820Entry>& entries);
  void set_boot_order(const std::vector<std::string>& paths, bool strict = false);

  // The PC layout: RAM below 640 KiB, the legacy hole reserved, RAM from 1 MiB.
  static std::vector<E820Entry> pc_e820(uint64_t ram_bytes);
  // Boot device paths as SeaBIOS names them with the PIIX3 at 00:01.0 and its
  // IDE function at 00:01.1 (channel 0 = primary, 1 = secondary).
  static std::string floppy_path(unsigned unit);
  static std::string ata_path(unsigned channel, unsigned slave);

  // ---- the guest's side ----
  void select(uint16_t selector);
  uint8_t read_data();
  uint16_t selector() const { return selector_; }
  uint32_t offset() const { return offset_; }
  const std::vector<uint8_t>* item(uint16_t key) const;

 private:
  struct File {
    std::string name;
    uint16_t key;
  };
  void rebuild_directory();

  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::vector<File> files_;
  uint16_t selector_ = 0;
  uint32_t offset_ = 0;
};

}  // namespace devices
