// devices::Vga: construction, the VGA register ports and the CRTC timing that
// drives input status 1 in virtual time.
#include <algorithm>
#include <stdexcept>

#include "devices/byteio.h"
#include "devices/vga.h"

namespace devices {

namespace {

// IBM VGA mode 3 (80x25 text, 720x400) as the power-on register state, so the
// device shows a sane (blank) text screen before the BIOS programs it.
constexpr uint8_t kSeq3[5] = {0x03, 0x00, 0x03, 0x00, 0x02};
constexpr uint8_t kCrtc3[25] = {0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00,
                                0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E,
                                0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF};
constexpr uint8_t kGc3[9] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF};
constexpr uint8_t kAc3[21] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A,
                              0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00};

}  // namespace

Vga::Vga(Scheduler& sched, std::vector<uint8_t> bios, uint32_t vram_bytes)
    : sched_(&sched), bios_(std::move(bios)) {
  if (vram_bytes < (256u << 10) || vram_bytes > (256u << 20) || (vram_bytes & (vram_bytes - 1)))
    throw std::invalid_argument("VGA memory must be a power of two from 256 KiB to 256 MiB");
  vram_.assign(vram_bytes, 0);
  reset();
}

void Vga::reset() {
  r_ = Regs{};
  r_.misc = 0x67;
  std::copy(std::begin(kSeq3), std::end(kSeq3), r_.seq);
  std::copy(std::begin(kCrtc3), std::end(kCrtc3), r_.crtc);
  std::copy(std::begin(kGc3), std::end(kGc3), r_.gc);
  std::copy(std::begin(kAc3), std::end(kAc3), r_.ac);
  r_.ac_index = 0x20;
  vbe_ = Vbe{};
  vbe_.reg[kDispiId] = 0xB0C5;
  vbe_.reg[kDispiBpp] = 8;
  vbe_.reg[kDispiVideoMemory64k] = uint16_t(std::min<uint32_t>(vram_size() >> 16, 0xFFFF));
}

void Vga::map(IoBus& bus) {
  // Only the ports a VGA decodes: 3BCh-3BEh (the MDA-era printer port) and
  // the other gaps stay free for other devices.
  static const uint16_t kRanges[][2] = {{0x3B4, 0x3B5}, {0x3BA, 0x3BA}, {0x3C0, 0x3CF},
                                        {0x3D4, 0x3D5}, {0x3DA, 0x3DA}};
  for (const auto& rg : kRanges)
    map_bytes(
        bus, rg[0], rg[1], [this](uint16_t p) { return read_port(p); },
        [this](uint16_t p, uint8_t v) { write_port(p, v); });
  // dispi: 16-bit index at 0x1CE, data at 0x1CF; a 32-bit access at 0x1CE
  // carries the index in its low half and the data in its high half.
  bus.map(
      0x1CE, 0x1CF,
      [this](uint16_t port, unsigned size) -> uint32_t {
        if (port == 0x1CF) return read_dispi(vbe_.index);
        if (size == 4) return vbe_.index | uint32_t(read_dispi(vbe_.index)) << 16;
        return vbe_.index;
      },
      [this](uint16_t port, unsigned size, uint32_t v) {
        if (port == 0x1CF) return write_dispi(vbe_.index, uint16_t(v));
        vbe_.index = uint16_t(v);
        if (size == 4) write_dispi(vbe_.index, uint16_t(v >> 16));
      });
}

uint8_t Vga::read_port(uint16_t port) {
  bool color = r_.misc & 1;
  if ((port >= 0x3B0 && port <= 0x3BF && color) || (port >= 0x3D0 && port <= 0x3DF && !color))
    return 0xFF;
  switch (port) {
    case 0x3C0: return r_.ac_index;
    case 0x3C1: return (r_.ac_index & 0x1F) < 0x15 ? r_.ac[r_.ac_index & 0x1F] : 0;
    case 0x3C2: return 0x10;  // input status 0: switch sense high, no retrace interrupt
    case 0x3C3: return r_.subsys_enable;
    case 0x3C4: return r_.seq_index;
    case 0x3C5: return r_.seq[r_.seq_index & 7];
    case 0x3C6: return r_.dac_mask;
    case 0x3C7: return r_.dac_state;
    case 0x3C8: return r_.dac_write_index;
    case 0x3C9: {
      uint8_t v = r_.dac[r_.dac_read_index * 3 + r_.dac_sub];
      if (!(vbe_.reg[kDispiEnable] & kDac8Bit)) v &= 0x3F;
      if (++r_.dac_sub == 3) r_.dac_sub = 0, ++r_.dac_read_index;
      return v;
    }
    case 0x3CA: return r_.feature;
    case 0x3CC: return r_.misc;
    case 0x3CE: return r_.gc_index;
    case 0x3CF: return r_.gc[r_.gc_index & 0x0F];
    case 0x3B4: case 0x3D4: return r_.crtc_index;
    case 0x3B5: case 0x3D5: return r_.crtc[r_.crtc_index & 0x3F];
    case 0x3BA: case 0x3DA:
      r_.ac_data_next = false;  // reading input status 1 resets the attribute flip-flop
      return input_status1();
    default: return 0xFF;
  }
}

void Vga::write_port(uint16_t port, uint8_t v) {
  bool color = r_.misc & 1;
  if ((port >= 0x3B0 && port <= 0x3BF && color) || (port >= 0x3D0 && port <= 0x3DF && !color))
    return;
  switch (port) {
    case 0x3C0:
      if (!r_.ac_data_next) {
        r_.ac_index = v & 0x3F;
      } else {
        unsigned i = r_.ac_index & 0x1F;
        // The palette registers are writable only while the palette address
        // source bit is clear (the display reads them otherwise).
        if (i < 0x10) {
          if (!(r_.ac_index & 0x20)) r_.ac[i] = v & 0x3F;
        } else if (i == 0x11 || i == 0x10) {
          r_.ac[i] = v;
        } else if (i == 0x12) {
          r_.ac[i] = v & 0x3F;
        } else if (i == 0x13 || i == 0x14) {
          r_.ac[i] = v & 0x0F;
        }
      }
      r_.ac_data_next = !r_.ac_data_next;
      break;
    case 0x3C2: r_.misc = v; break;
    case 0x3C3: r_.subsys_enable = v & 1; break;
    case 0x3C4: r_.seq_index = v & 7; break;
    case 0x3C5: r_.seq[r_.seq_index & 7] = v; break;
    case 0x3C6: r_.dac_mask = v; break;
    case 0x3C7: r_.dac_read_index = v, r_.dac_sub = 0, r_.dac_state = 3; break;
    case 0x3C8: r_.dac_write_index = v, r_.dac_sub = 0, r_.dac_state = 0; break;
    case 0x3C9:
      r_.dac_cache[r_.dac_sub] = v;
      if (++r_.dac_sub == 3) {
        std::copy(r_.dac_cache, r_.dac_cache + 3, r_.dac + r_.dac_write_index * 3);
        r_.dac_sub = 0;
        ++r_.dac_write_index;
      }
      break;
    case 0x3CE: r_.gc_index = v & 0x0F; break;
    case 0x3CF: r_.gc[r_.gc_index & 0x0F] = v; break;
    case 0x3B4: case 0x3D4: r_.crtc_index = v & 0x3F; break;
    case 0x3B5: case 0x3D5: {
      unsigned i = r_.crtc_index & 0x3F;
      // CRTC protect (register 11h bit 7): registers 0-7 are read-only except
      // the line compare bit 8 in the overflow register.
      if ((r_.crtc[0x11] & 0x80) && i <= 7) {
        if (i == 7) r_.crtc[7] = uint8_t((r_.crtc[7] & ~0x10) | (v & 0x10));
        break;
      }
      r_.crtc[i] = v;
      break;
    }
    case 0x3BA: case 0x3DA: r_.feature = v; break;
    default: break;
  }
}

Vga::Timing Vga::timing() const {
  Timing t{};
  uint64_t dot_hz;
  unsigned dots;
  if (vbe_enabled()) {
    // A VBE mode has no CRTC timing of its own here: 60 Hz with modest blanking.
    unsigned xres = std::max<unsigned>(vbe_.reg[kDispiXres], 8);
    unsigned yres = std::max<unsigned>(vbe_.reg[kDispiYres], 1);
    t.hdisp = xres / 8;
    t.htotal = t.hdisp + t.hdisp / 4 + 2;
    t.vdisp = yres;
    t.vtotal = yres + yres / 24 + 8;
    t.vrs = yres + 2;
    t.vre4 = (t.vrs + 3) & 15;
    t.frame_ps = 1000000000000ull / 60;
    t.line_ps = t.frame_ps / t.vtotal;
    t.frame_ps = t.line_ps * t.vtotal;
    return t;
  }
  const uint8_t* c = r_.crtc;
  unsigned ov = c[7];
  t.htotal = c[0] + 5u;
  t.hdisp = c[1] + 1u;
  t.vtotal = (c[6] | (ov & 1) << 8 | ((ov >> 5) & 1) << 9) + 2u;
  t.vdisp = (c[0x12] | ((ov >> 1) & 1) << 8 | ((ov >> 6) & 1) << 9) + 1u;
  t.vrs = c[0x10] | ((ov >> 2) & 1) << 8 | ((ov >> 7) & 1) << 9;
  t.vre4 = c[0x11] & 0x0F;
  // Keep garbage timing from stopping the retrace: the frame always has a
  // retrace inside it and the display fits the totals.
  t.htotal = std::max(t.htotal, t.hdisp + 1);
  t.vtotal = std::max(t.vtotal, t.vdisp + 1);
  if (t.vrs >= t.vtotal) t.vrs = std::min(t.vdisp, t.vtotal - 1);
  dots = (r_.seq[1] & 1) ? 8 : 9;
  if (r_.seq[1] & 8) dots *= 2;  // dot clock divided by 2
  dot_hz = ((r_.misc >> 2) & 3) == 1 ? 28322000 : 25175000;
  t.line_ps = uint64_t(t.htotal) * dots * 1000000000000ull / dot_hz;
  t.frame_ps = t.line_ps * t.vtotal;
  return t;
}

uint64_t Vga::frame_number() const {
  Timing t = timing();
  return uint64_t((unsigned __int128)sched_->now() * 1000 / t.frame_ps);
}

uint8_t Vga::input_status1() const {
  Timing t = timing();
  uint64_t pos = uint64_t((unsigned __int128)sched_->now() * 1000 % t.frame_ps);
  unsigned line = unsigned(pos / t.line_ps);
  unsigned ch = unsigned((pos % t.line_ps) * t.htotal / t.line_ps);
  unsigned width = (t.vre4 - t.vrs) & 15;
  if (!width) width = 16;
  bool vretrace = line >= t.vrs && line < t.vrs + width;
  bool display = line < t.vdisp && ch < t.hdisp;
  return uint8_t((vretrace ? 0x08 : 0) | (display ? 0 : 0x01));
}

}  // namespace devices
