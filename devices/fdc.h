// devices::Fdc: an Intel 82077AA floppy disk controller in PC/AT mode at
// 0x3F0-0x3F5 and 0x3F7 (0x3F6 belongs to the IDE controller), IRQ 6, DMA
// channel 2, with two 3.5"/5.25" drives whose media are raw image files.
//
// Wiring (for the Machine):
//   Fdc fdc(sched, pic, dma);             // Scheduler, IrqSink (IRQ 6), Dma (channel 2)
//   fdc.map(bus);
//   fdc.insert(0, DiskImage::open(path, snapshot, read_only));   // throws on a bad size
//   cmos floppy byte 0x10: fdc.cmos_type(0) << 4 | fdc.cmos_type(1)
//   fdc.eject(1) / fdc.insert(1, ...) at run time (sets the disk change line).
//
// Media: the geometry comes from the image size (Fdc::geometry_for_size):
//   368640 360 KB 40x2x9 (CMOS type 1)    1228800 1.2 MB 80x2x15 (type 2)
//   737280 720 KB 80x2x9 (type 3)         1474560 1.44 MB 80x2x18 (type 4)
//   2949120 2.88 MB 80x2x36 (type 5)
// any other size is a std::runtime_error. Sectors are 512 bytes (N = 2), MFM.
// The data rate must suit the medium (500 kb/s for 1.44 MB and 1.2 MB, 1 Mb/s
// for 2.88 MB, 250 kb/s for 720 KB, 300 or 250 kb/s for 360 KB), else no ID
// is found (ST1 MA), which is how SeaBIOS's media sense tells media apart.
//
// Registers:
//   0x3F0 R  SRA (PS/2 layout): INT pending, second drive present, TRK0, head, WP
//   0x3F1 R  SRB (PS/2 layout): drive select 0, motor enables 0/1
//   0x3F2 RW DOR: bits 0-1 drive select, bit 2 !RESET, bit 3 DMA/IRQ gate,
//            bits 4-7 motor enables. Writing bit 2 = 0 holds the controller in
//            reset (MSR reads 0); the 0 -> 1 edge ends the reset and, after a
//            short delay, raises the reset interrupt.
//   0x3F3 RW TDR: tape drive select (bits 0-1, stored only)
//   0x3F4 R  MSR: RQM, DIO, NON-DMA, CMD BUSY, drive 0-3 seeking
//         W  DSR: bit 7 software reset (self-clearing), bits 0-1 data rate
//   0x3F5 RW FIFO: command bytes, PIO data, result bytes
//   0x3F7 R  DIR: bit 7 disk change of the drive selected in the DOR (bits
//            0-6 read 0)
//         W  CCR: bits 0-1 data rate
//
// Interrupt: the INT output is high from the start of a result phase (commands
// with an execution phase) until the first result byte is read, from the end
// of a seek/recalibrate until SENSE INTERRUPT STATUS has reported every drive
// that finished, and after a reset until the first SENSE INTERRUPT STATUS.
// Reaches IRQ 6 only while DOR bit 3 is set (AT mode). After a reset four
// SENSE INTERRUPT STATUS commands return ST0 = 0xC0 | drive (polling); a new
// interrupt from a command discards the ones not yet read.
//
// Commands: READ DATA (06), READ DELETED DATA (0C), WRITE DATA (05), WRITE
// DELETED DATA (09, written as normal data), READ TRACK (02), VERIFY (16),
// READ ID (0A), FORMAT TRACK (0D) with MT/MFM/SK bits as the datasheet allows;
// SPECIFY (03), SENSE DRIVE STATUS (04), RECALIBRATE (07), SENSE INTERRUPT
// STATUS (08), SEEK (0F), RELATIVE SEEK (8F/CF), DUMPREG (0E), VERSION (10,
// result 0x90), PERPENDICULAR MODE (12), CONFIGURE (13, with implied seeks),
// LOCK (14/94). Anything else (the SCAN commands too) is invalid: one result
// byte, ST0 = 0x80, no interrupt.
// Execution: with DMA (SPECIFY ND = 0) the whole command runs when its delay
// expires, sector by sector through Dma::transfer on channel 2; DMA terminal
// count ends the command normally after the current sector; reaching EOT
// without TC ends it with ST1 EN (as on the chip). If channel 2 is not ready
// (or the DOR gate is off) the controller waits until it is. In non-DMA mode
// the data go through the FIFO (MSR NON-DMA), the INT output signalling the
// data phase; the transfer ends at EOT (ST1 EN).
// Seeks step the head at once and finish after a short delay; a seek or
// recalibrate of a drive holding a medium clears its disk change line.
// The DOR motor enables are stored only: commands work with the motor off.
// An empty drive (no medium) or a drive that is not connected finds no ID
// (ST1 MA) instead of hanging as the chip would without index pulses.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "devices/disk_image.h"
#include "devices/dma.h"
#include "devices/iobus.h"
#include "devices/scheduler.h"

namespace devices {

class Fdc {
 public:
  static constexpr unsigned kIrq = 6;
  static constexpr unsigned kDmaChannel = 2;
  static constexpr unsigned kDrives = 2;  // drives 2 and 3 are not connected
  // Virtual delays.
  static constexpr uint64_t kCommandDelayNs = 100'000;  // execution phase of data commands
  static constexpr uint64_t kSeekDelayNs = 100'000;     // seek / recalibrate
  static constexpr uint64_t kResetDelayNs = 10'000;     // reset to its interrupt

  struct Geometry {
    uint8_t cylinders = 0, heads = 0, sectors = 0;
    uint8_t cmos_type = 0;  // 0: no medium
  };
  // The geometry of an image of `bytes` bytes; throws std::runtime_error.
  static Geometry geometry_for_size(uint64_t bytes);

  // One drive. Plain data (save/restore), apart from the image itself.
  struct Drive {
    uint8_t pcn = 0;          // present cylinder (the head position)
    uint8_t st0 = 0;          // ST0 that SENSE INTERRUPT STATUS reports after a seek
    bool int_pending = false; // a seek/recalibrate finished, not yet sensed
    bool seeking = false;     // seek in progress (MSR drive busy bit)
    bool changed = true;      // the disk change line (set with no medium)
    uint8_t next_sector = 1;  // rotational position: the ID READ ID returns next
    Geometry geo;             // of the inserted medium
  };
  enum class Phase : uint8_t { Command, Execution, PioIn, PioOut, Result };

  Fdc(Scheduler& sched, IrqSink& irq, Dma& dma);
  Fdc(const Fdc&) = delete;  // the port handlers and timers hold `this`
  Fdc& operator=(const Fdc&) = delete;
  void map(IoBus& bus);
  void reset();  // hardware reset (RESET pin): DOR = 0, controller held in reset

  // Media. insert() throws std::runtime_error for an image of a wrong size
  // (the drive keeps its previous medium then).
  void insert(unsigned drive, std::unique_ptr<DiskImage> image);
  std::unique_ptr<DiskImage> eject(unsigned drive);
  bool has_media(unsigned drive) const { return drive < kDrives && image_[drive] != nullptr; }
  uint8_t cmos_type(unsigned drive) const { return has_media(drive) ? drive_[drive].geo.cmos_type : 0; }
  DiskImage* image(unsigned drive) { return drive < kDrives ? image_[drive].get() : nullptr; }

  // Byte-wide register access (what the port handlers call).
  uint8_t read(uint16_t port);
  void write(uint16_t port, uint8_t value);

  // Inspection.
  Phase phase() const { return phase_; }
  uint8_t dor() const { return dor_; }
  const Drive& drive(unsigned d) const { return drive_[d & 3]; }
  bool int_output() const { return int_; }

 private:
  // ---- fdc.cpp: registers, phases, reset, interrupt, simple commands ----
  uint8_t msr() const;
  void write_dor(uint8_t v);
  void write_fifo(uint8_t v);
  uint8_t read_fifo();
  void start_command();
  void soft_reset();      // what DOR/DSR reset does to the controller
  void reset_done();      // the reset interrupt
  void set_int(bool on);
  void update_irq();
  void result(std::initializer_list<uint8_t> bytes, bool interrupt);
  void invalid();
  void sense_interrupt();
  void dumpreg();
  void seek_start(unsigned d, int target, bool recal);
  void seek_done(unsigned d);
  void dma_ready();
  static unsigned param_count(uint8_t op);  // -1 (as unsigned ~0u): invalid

  // ---- fdc_cmd.cpp: data commands ----
  void execute();            // the execution phase of the current command
  void rw_command();         // READ/WRITE/READ DELETED/WRITE DELETED/READ TRACK/VERIFY
  void read_id();
  void format_track();
  bool rate_ok(unsigned d) const;
  bool medium_ok(unsigned d, bool mfm) const;
  bool begin_xfer(bool uses_dma);
  bool format_id(const uint8_t* id);
  // Check that sector (c, h, r, n) is on the current track of the command's
  // drive; sets ST1/ST2 error bits and returns false if not.
  bool find_sector(uint8_t c, uint8_t h, uint8_t r, uint8_t n, uint64_t* off);
  bool next_sector(bool tc);  // advance xfer_ c/h/r; false when the command ends
  void finish_xfer();         // result phase of a data command
  void pio_write(uint8_t v);  // a data byte in non-DMA WRITE/FORMAT
  bool dma_mode() const { return !(specify_[1] & 1); }

  Scheduler& sched_;
  IrqSink& irq_;
  Dma& dma_;
  Scheduler::TimerId exec_timer_, reset_timer_, seek_timer_[4];

  // ---- controller state (plain data) ----
  Phase phase_ = Phase::Command;
  uint8_t dor_ = 0, tdr_ = 0, rate_ = 0, dsr_ = 0;
  bool int_ = false;
  uint8_t reset_sense_left_ = 0;  // polling statuses still to report after a reset
  uint8_t cmd_[9] = {};
  uint8_t cmd_len_ = 0, cmd_need_ = 0;
  uint8_t res_[10] = {};
  uint8_t res_len_ = 0, res_pos_ = 0;
  bool res_clears_int_ = false;   // first result byte read lowers INT
  bool waiting_dma_ = false;
  // SPECIFY, CONFIGURE, PERPENDICULAR MODE, LOCK, last EOT (for DUMPREG).
  uint8_t specify_[2] = {0, 0};
  uint8_t config_ = 0x20;  // EIS(6) EFIFO(5, 1 = FIFO off) POLL(4) FIFOTHR(3-0)
  uint8_t pretrk_ = 0;
  uint8_t perp_ = 0;
  bool lock_ = false;
  uint8_t last_eot_ = 0;
  // The data transfer of the current command.
  struct Xfer {
    uint8_t drive = 0, head = 0;   // drive and physical head
    uint8_t c = 0, h = 0, r = 0, n = 0, eot = 0;
    uint8_t st0 = 0, st1 = 0, st2 = 0;
    bool mt = false;
    bool write = false;            // data flows to the medium
    bool format = false;           // FORMAT TRACK: 4 ID bytes per sector
    uint8_t fill = 0;              // FORMAT TRACK fill byte
    uint16_t remaining = 0;        // VERIFY with EC: sectors left; FORMAT: IDs left
  } xfer_;
  std::vector<uint8_t> pio_;       // PIO data (in) or the sector being filled (out)
  uint32_t pio_pos_ = 0;
  Drive drive_[4];
  std::unique_ptr<DiskImage> image_[kDrives];
};

}  // namespace devices
