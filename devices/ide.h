// devices::IdeChannel, devices::Ide: the PC's two legacy IDE channels with
// ATA hard disks and ATAPI CD-ROM drives, PIO only (ATA/ATAPI-6, MMC-2).
//
// Wiring (for the Machine):
//   Ide ide(pic);                  // primary 0x1F0-0x1F7 + 0x3F6 on IRQ 14,
//   ide.map(bus);                  // secondary 0x170-0x177 + 0x376 on IRQ 15
//   ide.channel(0).attach_disk(0, hda.get());     // -hda: primary master
//   ide.channel(0).attach_disk(1, hdb.get());     // -hdb: primary slave
//   ide.channel(1).attach_cdrom(0, iso.get());    // -cdrom: secondary master
//   ide.channel(1).attach_cdrom(0, nullptr);      //   (a drive with no disc)
//   ide.channel(1).insert_medium(0, img) / eject_medium(0)  // host medium change
//   on a machine reset: ide.reset()
// The DiskImages stay owned by the caller and must outlive their attachment.
// The IDE ports are not byte-split: the port 0x3F7/0x377 belongs to the
// floppy controller and is not claimed. The PIIX3 decodes the legacy ports
// whatever IDETIM says (as QEMU does), so nothing else needs wiring.
//
// Behaviour:
// - Each drive has its own copy of the task file; writes to the command block
//   registers reach both drives of a channel, reads come from the drive
//   selected by the DEV bit. A channel with no drive reads 0xFF (floating
//   bus); a selected drive that is absent while the other is present reads 0.
// - Every register is a two-deep FIFO for 48-bit commands; the HOB bit of the
//   device control register reads the previous bytes; a write to any command
//   block register clears HOB.
// - Commands complete at once (virtual time does not pass inside a command),
//   so BSY is seen only while SRST is asserted.
// - INTRQ: set when a PIO data-in block is ready, after each data-out block,
//   at the end of non-data commands and errors, and at each ATAPI phase after
//   the packet; cleared by reading the status register, by writing the
//   command register and by a reset. The IRQ line is the selected drive's
//   INTRQ gated by nIEN (the PIC sees its edges).
// - SRST (device control bit 2) resets both drives when it is released: the
//   signature (ATA 01 01 00 00, ATAPI 01 01 14 EB, device 00) with error 01
//   and status 50h (ATA) or 00h (ATAPI: DRDY is set by its next command).
// - ATA commands: IDENTIFY DEVICE, READ/WRITE SECTOR(S) (CHS, LBA28, EXT
//   LBA48), READ/WRITE MULTIPLE (EXT) after SET MULTIPLE MODE (block sizes
//   1-16, powers of two), READ VERIFY (EXT), SEEK, RECALIBRATE, INITIALIZE
//   DEVICE PARAMETERS, FLUSH CACHE (EXT) (DiskImage::flush), SET FEATURES
//   (PIO transfer modes, write cache, look-ahead, defaults), the power
//   commands (IDLE, STANDBY, SLEEP, CHECK POWER MODE, old and new opcodes),
//   EXECUTE DEVICE DIAGNOSTIC. Anything else (DMA included) is aborted (ABRT);
//   a sector outside the device gives IDNF; a read error UNC; a write to a
//   read-only image (or a failed write) ABRT. Written data reaches the image
//   (DiskImage::write) as soon as each sector's 512 bytes are in.
// - CHS translation: 16 heads, 63 sectors per track, cylinders = sectors /
//   1008 (1 to 16383) until INITIALIZE DEVICE PARAMETERS sets another one.
// - ATAPI drives (ide_atapi.cpp, ide_mmc.cpp: the packet commands are listed
//   there): IDENTIFY PACKET DEVICE, PACKET (PIO) with the byte count limit,
//   DEVICE RESET, SET FEATURES, the power commands and EXECUTE DEVICE
//   DIAGNOSTIC; other ATA commands are aborted, IDENTIFY DEVICE and READ
//   SECTORS with the signature placed. DEVICE RESET belongs to PACKET devices:
//   a disk aborts it (ATA/ATAPI-6).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "devices/iobus.h"
#include "devices/scheduler.h"

namespace devices {

class DiskImage;

// Helpers shared by the IDE sources (IDENTIFY data and big-endian replies).
namespace ide_detail {
inline void put16(std::vector<uint8_t>& b, unsigned word, uint32_t v) {
  b[2 * word] = uint8_t(v), b[2 * word + 1] = uint8_t(v >> 8);
}
// An ATA string: two characters per word, the first in the high byte, padded
// with spaces.
void put_string(std::vector<uint8_t>& b, unsigned word, unsigned words, const std::string& s);
inline uint32_t be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
inline uint32_t be32(const uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
inline void push_be16(std::vector<uint8_t>& r, uint32_t v) {
  r.push_back(uint8_t(v >> 8)), r.push_back(uint8_t(v));
}
inline void push_be32(std::vector<uint8_t>& r, uint32_t v) { push_be16(r, v >> 16), push_be16(r, v); }
// Word 93 (hardware reset result of device `unit`) and the checksum word 255.
void finish_identify(std::vector<uint8_t>& b, unsigned unit, bool other_present);
}  // namespace ide_detail

class IdeChannel {
 public:
  enum class Kind : uint8_t { None, Disk, Cdrom };

  // Status register bits.
  enum : uint8_t { ST_ERR = 0x01, ST_DRQ = 0x08, ST_DSC = 0x10, ST_DF = 0x20, ST_DRDY = 0x40,
                   ST_BSY = 0x80 };
  // Error register bits.
  enum : uint8_t { ER_AMNF = 0x01, ER_ABRT = 0x04, ER_IDNF = 0x10, ER_UNC = 0x40 };
  // Device control register bits.
  enum : uint8_t { DC_NIEN = 0x02, DC_SRST = 0x04, DC_HOB = 0x80 };
  // ATAPI interrupt reason (sector count register) bits.
  enum : uint8_t { IR_COD = 0x01, IR_IO = 0x02 };
  // Register offsets from the command block base.
  enum : unsigned { R_DATA = 0, R_ERROR = 1, R_FEATURE = 1, R_NSECT = 2, R_LBAL = 3, R_LBAM = 4,
                    R_LBAH = 5, R_DEVICE = 6, R_STATUS = 7, R_COMMAND = 7 };

  static constexpr unsigned kSector = 512, kCdSector = 2048;
  static constexpr unsigned kMaxMultiple = 16;  // sectors per READ/WRITE MULTIPLE block

  // What a PIO data phase is doing.
  enum class Xfer : uint8_t { None, PioIn, AtaIn, AtaOut, Packet, AtapiIn };
  enum class Addr : uint8_t { Chs, Lba28, Lba48 };

  // One drive (device 0 or 1). Plain data apart from the image pointer.
  struct Drive {
    Kind kind = Kind::None;
    DiskImage* image = nullptr;  // the disk, or the CD in the drive (null: none)
    // Task file; *_hob hold the previous byte written (48-bit commands).
    uint8_t feature = 0, feature_hob = 0, nsect = 0, nsect_hob = 0;
    uint8_t lbal = 0, lbal_hob = 0, lbam = 0, lbam_hob = 0, lbah = 0, lbah_hob = 0;
    uint8_t device = 0, status = 0, error = 0;
    bool intrq = false;
    // ATA disk state.
    uint64_t sectors = 0;                     // 512-byte sectors in the image
    uint16_t cyls = 0, heads = 0, spt = 0;    // default CHS translation
    uint16_t cur_heads = 0, cur_spt = 0;      // INITIALIZE DEVICE PARAMETERS
    uint8_t mult = 0;                         // multiple mode block size (0: disabled)
    bool write_cache = true, look_ahead = true;
    uint8_t power = 0xFF;                     // CHECK POWER MODE answer
    // The PIO data phase.
    Xfer xfer = Xfer::None;
    std::vector<uint8_t> buf;                 // the current DRQ block
    uint32_t pos = 0, end = 0;                // next byte / size of the block
    uint64_t lba = 0;                         // ATA: next sector; ATAPI: next byte offset
    uint64_t left = 0;                        // ATA: sectors after this block; ATAPI: bytes
    uint32_t block = 1, cur = 0;              // ATA: sectors per block / in this block
    uint32_t stored = 0;                      // ATA write: bytes of the block in the image
    Addr addr = Addr::Lba28;
    // ATAPI state.
    uint8_t cdb[12] = {};
    uint16_t limit = 0;                       // byte count limit of the PACKET command
    bool from_image = false;                  // data-in from the medium, else from resp
    std::vector<uint8_t> resp;                // a reply being transferred
    uint8_t sense_key = 0, asc = 0, ascq = 0;
    bool unit_attention = false, tray_open = false, locked = false;
    uint8_t media_event = 0;                  // GET EVENT STATUS NOTIFICATION media event
  };

  IdeChannel(IrqSink& irq, uint16_t base, uint16_t ctrl, unsigned irq_line, unsigned index = 0);
  IdeChannel(const IdeChannel&) = delete;  // the port handlers hold `this`
  IdeChannel& operator=(const IdeChannel&) = delete;

  void map(IoBus& bus);  // claims base..base+7 and ctrl
  void reset();          // hardware reset of both drives (power-on state)

  // Drives (unit 0 = master, 1 = slave). Attaching puts the drive in its
  // power-on state; a CD-ROM drive may be empty (medium null).
  void attach_disk(unsigned unit, DiskImage* image);
  void attach_cdrom(unsigned unit, DiskImage* medium);
  void detach(unsigned unit);
  // Host medium change on a CD-ROM drive: insertion closes the tray and sets
  // UNIT ATTENTION (MEDIUM MAY HAVE CHANGED) and a new-media event; ejection
  // (forced, whatever PREVENT MEDIUM REMOVAL says) sets a media-removal event.
  void insert_medium(unsigned unit, DiskImage* medium);
  void eject_medium(unsigned unit);
  bool medium_present(unsigned unit) const;

  // Register access (what the port handlers call).
  uint8_t read_reg(unsigned reg);              // 1..7
  void write_reg(unsigned reg, uint8_t value);  // 1..7
  uint32_t read_data(unsigned size);           // 1, 2 or 4 bytes
  void write_data(unsigned size, uint32_t value);
  uint8_t read_alt_status();
  void write_control(uint8_t value);

  const Drive& drive(unsigned unit) const { return drv_[unit & 1]; }
  unsigned selected() const { return sel_; }
  bool irq_level() const { return irq_level_; }

 private:
  Drive& cur() { return drv_[sel_]; }
  bool present(unsigned unit) const { return drv_[unit].kind != Kind::None; }
  void power_on(Drive& d);
  void set_signature(Drive& d);
  void soft_reset(Drive& d);
  void update_irq();
  void raise(Drive& d);
  void block_done(Drive& d);
  void start_pio_in(Drive& d, uint32_t n);  // buf[0..n) ready: DRQ + INTRQ
  void complete(Drive& d);                  // success: DRDY|DSC, INTRQ
  void fail(Drive& d, uint8_t error);       // DRDY|DSC|ERR with error, INTRQ
  void diagnose();                          // EXECUTE DEVICE DIAGNOSTIC

  // ide_ata.cpp
  void command(uint8_t cmd);
  void ata_command(Drive& d, uint8_t cmd);
  void identify(Drive& d);
  void ata_rw(Drive& d, bool write, bool ext, bool multiple);
  void ata_verify(Drive& d, bool ext);
  bool ata_address(Drive& d, bool ext, uint64_t& lba);
  uint64_t ata_count(const Drive& d, bool ext) const;
  uint64_t capacity(const Drive& d, bool ext) const;
  void set_position(Drive& d, uint64_t lba);
  void ata_next_in(Drive& d);
  void ata_next_out(Drive& d);
  void ata_block_done(Drive& d);
  bool ata_store(Drive& d);
  void set_features(Drive& d);
  void init_params(Drive& d);

  // ide_atapi.cpp
  void atapi_command(Drive& d, uint8_t cmd);
  void identify_packet(Drive& d);
  void packet(Drive& d);
  void atapi_exec(Drive& d);
  void atapi_chunk(Drive& d);
  void atapi_ok(Drive& d);
  void atapi_check(Drive& d, uint8_t key, uint8_t asc, uint8_t ascq);
  void atapi_reply(Drive& d, std::vector<uint8_t> data, uint32_t alloc);
  void atapi_read(Drive& d, uint64_t lba, uint32_t count);
  uint32_t cd_sectors(const Drive& d) const;
  bool cd_present(const Drive& d) const { return d.image && !d.tray_open; }

  // ide_mmc.cpp: the replies of the MMC commands with data.
  void request_sense(Drive& d);
  void inquiry(Drive& d);
  void read_toc(Drive& d);
  void mode_sense(Drive& d);
  void get_configuration(Drive& d);
  void event_status(Drive& d);
  void disc_information(Drive& d);
  void mechanism_status(Drive& d);
  void start_stop(Drive& d);

  IrqSink& irq_;
  uint16_t base_, ctrl_;
  unsigned line_, index_;
  Drive drv_[2];
  unsigned sel_ = 0;
  uint8_t dc_ = 0;  // device control register
  bool irq_level_ = false;
};

// The PC's two legacy channels.
class Ide {
 public:
  static constexpr uint16_t kPrimaryBase = 0x1F0, kPrimaryCtrl = 0x3F6;
  static constexpr uint16_t kSecondaryBase = 0x170, kSecondaryCtrl = 0x376;
  static constexpr unsigned kPrimaryIrq = 14, kSecondaryIrq = 15;

  explicit Ide(IrqSink& irq)
      : primary_(irq, kPrimaryBase, kPrimaryCtrl, kPrimaryIrq, 0),
        secondary_(irq, kSecondaryBase, kSecondaryCtrl, kSecondaryIrq, 1) {}
  void map(IoBus& bus) { primary_.map(bus), secondary_.map(bus); }
  void reset() { primary_.reset(), secondary_.reset(); }
  IdeChannel& channel(unsigned i) { return i ? secondary_ : primary_; }

 private:
  IdeChannel primary_, secondary_;
};

}  // namespace devices
