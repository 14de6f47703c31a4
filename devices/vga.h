// devices::Vga: the Bochs/QEMU standard VGA (PCI 1234:1111): an IBM VGA
// register set and planar memory, plus the Bochs VBE "dispi" extension with a
// linear framebuffer.
//
// Wiring (for the Machine):
//   Vga vga(sched, read_file("vgabios-stdvga.bin"));   // 16 MiB of VRAM by default
//   vga.map(bus);                    // ports 3B4-3B5, 3BA, 3C0-3CF, 3D4-3D5, 3DA (byte-wide)
//                                    // and 1CE-1CF (dispi, 16-bit)
//   vga.map_legacy(mem);             // MMIO over 0xA0000-0xBFFFF (the VGA decides which part
//                                    // answers from the Graphics Controller's memory map select)
//   PCI (devices/vga_pci.h): BAR0 = vga.lfb() (prefetchable, vram_size() bytes),
//   BAR2 = vga.mmio_regs() (4 KiB), expansion ROM = vga.bios().
//   Screen: render() / render(Frame&), text_mode(), text_dump(), screen_dump(path).
//
// Memory layout: VRAM byte i belongs to plane (i & 3) at plane offset (i >> 2),
// so the four planes of one offset are one 32-bit word. VBE linear modes see
// the same bytes linearly (the LFB and the banked window address VRAM bytes
// directly). Host accesses through the legacy window follow the IBM VGA:
// chain-4 sends CPU address a to plane a&3 at plane offset a&~3, odd/even to
// plane a&1 (plus 2 by the read map select on reads) at offset a&~1, and plane
// offsets wrap at 64 KiB as on a 256 KiB VGA. The CRTC side reads memory with
// byte/word/doubleword address mapping, count-by-2/4, the CGA/Hercules row
// scan substitution, line compare, preset row scan and byte/pixel panning.
//
// Rendering is on demand and produces the logical resolution (e.g. 720x400
// for mode 3, 320x200 for mode 13h: doubled scan lines and pixels are shown
// once). Cursor and character blink follow virtual time (the Scheduler):
// the cursor toggles every 8 frames, blinking characters every 16.
// Input status 1 (0x3DA/0x3BA) reports vertical retrace and display enable
// from the CRTC timing and the dot clock in virtual time, so polling loops end.
//
// All device state is plain data (Regs, Vbe, the VRAM vector).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "devices/iobus.h"
#include "devices/scheduler.h"
#include "devices/vga_png.h"
#include "mmu/memory.h"

namespace devices {

class Vga {
 public:
  static constexpr uint32_t kDefaultVram = 16u << 20;
  static constexpr uint32_t kLegacyBase = 0xA0000, kLegacySize = 0x20000;
  static constexpr uint32_t kMmioSize = 0x1000;  // BAR2
  static constexpr uint16_t kMaxXres = 2560, kMaxYres = 1600, kMaxBpp = 32;

  // dispi register indices (port 0x1CE) and ENABLE bits.
  enum : uint16_t {
    kDispiId = 0, kDispiXres, kDispiYres, kDispiBpp, kDispiEnable, kDispiBank,
    kDispiVirtWidth, kDispiVirtHeight, kDispiXOffset, kDispiYOffset, kDispiVideoMemory64k,
    kDispiRegs
  };
  enum : uint16_t {
    kEnabled = 0x01, kGetCaps = 0x02, kDac8Bit = 0x20, kLfbEnabled = 0x40, kNoClearMem = 0x80
  };

  // The VGA registers (plain data).
  struct Regs {
    uint8_t misc = 0;           // 0x3C2 write / 0x3CC read
    uint8_t feature = 0;        // 0x3BA/0x3DA write, 0x3CA read
    uint8_t subsys_enable = 1;  // 0x3C3
    uint8_t seq_index = 0, seq[8] = {};
    uint8_t gc_index = 0, gc[16] = {};
    uint8_t crtc_index = 0, crtc[64] = {};
    uint8_t ac_index = 0;       // includes the palette address source bit (0x20)
    bool ac_data_next = false;  // flip-flop: the next 0x3C0 write is data
    uint8_t ac[32] = {};
    uint8_t dac_mask = 0xFF;    // 0x3C6
    uint8_t dac_read_index = 0, dac_write_index = 0, dac_sub = 0;
    uint8_t dac_state = 0;      // 0x3C7 read: 0 = write mode, 3 = read mode
    uint8_t dac_cache[3] = {};  // the colour being written (stored after blue)
    uint8_t dac[256 * 3] = {};  // as written (6 significant bits unless 8-bit DAC)
    uint8_t latch[4] = {};
  };
  struct Vbe {
    uint16_t index = 0;
    uint16_t reg[kDispiRegs] = {};
  };

  // `bios`: the VGA BIOS image for the expansion ROM (may be empty).
  // `vram_bytes`: a power of two, 256 KiB .. 256 MiB.
  explicit Vga(Scheduler& sched, std::vector<uint8_t> bios = {}, uint32_t vram_bytes = kDefaultVram);
  Vga(const Vga&) = delete;
  Vga& operator=(const Vga&) = delete;

  void reset();  // power-on register state (VRAM is kept)
  void map(IoBus& bus);
  void map_legacy(mmu::Memory& mem) { mem.map_mmio(kLegacyBase, kLegacySize, &legacy_); }

  // The MMIO faces of the device.
  mmu::MmioHandler& legacy_window() { return legacy_; }  // offsets 0..0x1FFFF from 0xA0000
  mmu::MmioHandler& lfb() { return lfb_; }               // offsets 0..vram_size()-1
  mmu::MmioHandler& mmio_regs() { return mmio_; }        // BAR2, kMmioSize bytes

  const std::vector<uint8_t>& bios() const { return bios_; }
  uint32_t vram_size() const { return uint32_t(vram_.size()); }
  uint8_t* vram() { return vram_.data(); }
  const uint8_t* vram() const { return vram_.data(); }
  const Regs& regs() const { return r_; }
  const Vbe& vbe() const { return vbe_; }

  // Byte-wide VGA register ports (0x3B0-0x3DF; others read FFh) as the port handlers call them.
  uint8_t read_port(uint16_t port);
  void write_port(uint16_t port, uint8_t v);
  // dispi registers by index.
  uint16_t read_dispi(uint16_t index) const;
  void write_dispi(uint16_t index, uint16_t v);
  // One byte through the legacy window (offset from 0xA0000).
  uint8_t read_window(uint32_t offset);
  void write_window(uint32_t offset, uint8_t v);

  bool vbe_enabled() const { return vbe_.reg[kDispiEnable] & kEnabled; }
  // The legacy VGA shows an alphanumeric mode (VBE off, GC misc bit 0 clear).
  bool text_mode() const { return !vbe_enabled() && !(r_.gc[6] & 1); }
  // Text geometry of the current mode (0x0 when not in a text mode).
  unsigned text_cols() const;
  unsigned text_rows() const;

  // The current screen at its current resolution.
  Frame render() const;
  void render(Frame& out) const;
  // The text screen as UTF-8 (code page 437 mapped), one '\n'-terminated line
  // per row, trailing blanks removed; "" when not in a text mode.
  std::string text_dump() const;
  // Text modes: text_dump() as a file; graphics modes: a PNG of render().
  bool screen_dump(const std::string& path, std::string* error = nullptr) const;

  // Input status 1 at the current virtual time (without the flip-flop reset).
  uint8_t input_status1() const;

  // The Unicode code point of code page 437 character c (0x00 and 0xFF: space).
  static uint32_t cp437(uint8_t c);

 private:
  class Legacy final : public mmu::MmioHandler {
   public:
    explicit Legacy(Vga* v) : v_(v) {}
    uint64_t read(uint32_t off, unsigned) override { return v_->read_window(off); }
    void write(uint32_t off, unsigned, uint64_t val) override { v_->write_window(off, uint8_t(val)); }
    unsigned widths() const override { return 1; }
   private:
    Vga* v_;
  };
  class Lfb final : public mmu::MmioHandler {
   public:
    explicit Lfb(Vga* v) : v_(v) {}
    uint64_t read(uint32_t off, unsigned size) override;
    void write(uint32_t off, unsigned size, uint64_t val) override;
    unsigned widths() const override { return 1 | 2 | 4 | 8; }
   private:
    Vga* v_;
  };
  class Mmio final : public mmu::MmioHandler {
   public:
    explicit Mmio(Vga* v) : v_(v) {}
    uint64_t read(uint32_t off, unsigned size) override;
    void write(uint32_t off, unsigned size, uint64_t val) override;
    unsigned widths() const override { return 1 | 2 | 4; }
   private:
    Vga* v_;
  };

  // CRTC timing in picoseconds (vga_regs.cpp).
  struct Timing {
    uint64_t line_ps, frame_ps;
    unsigned htotal, hdisp;     // character clocks per line
    unsigned vtotal, vdisp;     // scan lines
    unsigned vrs, vre4;         // retrace start line, end (low 4 bits of the line counter)
  };
  Timing timing() const;
  uint64_t frame_number() const;  // frames since time 0 (for blinking)

  // Memory access (vga_memory.cpp).
  uint8_t planar_read(uint32_t a);
  void planar_write(uint32_t a, uint8_t v);
  uint32_t plane_word(uint32_t offset) const;  // the 4 plane bytes at a plane offset

  // dispi helpers (vga_vbe.cpp).
  unsigned vbe_line_bytes() const;
  void vbe_fixup();
  void vbe_enable(uint16_t v);

  // Rendering (vga_render.cpp, vga_text.cpp).
  struct Scan {               // the CRTC's view of the current mode
    unsigned chars;           // character clocks displayed per line
    unsigned lines;           // scan lines displayed
    unsigned max_scan;        // scan lines per character row - 1
    bool dsc;                 // 200-to-400 line double scanning
    uint32_t start;           // start address (with byte panning), counter units
    uint32_t row_advance;     // counter increment per character row (2 x offset)
    unsigned line_compare;    // split screen: lines after it restart at address 0
    unsigned addr_shift;      // 0 byte, 1 word, 2 doubleword mapping
    bool wrap15;              // word mode: MA15 (else MA13) goes to address bit 0
    unsigned count_shift;     // count by 2 (1) or by 4 (2)
    bool cga, herc;           // row scan bit 0 -> MA13, bit 1 -> MA14
    unsigned preset;          // preset row scan
    unsigned pan;             // attribute controller pixel panning
    bool pan_upper_only;      // panning is reset below the split line
  };
  Scan scan() const;
  // Row and row scan of physical line `p`; `lower` tells whether it is below the split.
  void line_position(const Scan& s, unsigned p, uint32_t& row_start, unsigned& row_scan,
                     bool& lower) const;
  uint32_t crtc_address(const Scan& s, uint32_t counter, unsigned row_scan) const;
  void dac_table(uint32_t out[256]) const;
  void attr_table(const uint32_t dac[256], uint32_t out[16]) const;
  void render_graphics(Frame& f) const;
  void render_text(Frame& f) const;
  void render_vbe(Frame& f) const;
  bool display_blanked() const;

  Scheduler* sched_;
  std::vector<uint8_t> bios_;
  std::vector<uint8_t> vram_;
  Regs r_;
  Vbe vbe_;
  Legacy legacy_{this};
  Lfb lfb_{this};
  Mmio mmio_{this};
};

}  // namespace devices
