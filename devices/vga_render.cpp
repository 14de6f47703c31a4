// devices::Vga: rendering graphics modes into a Frame.
//
// The legacy path follows the VGA's display pipeline: the CRTC walks the
// memory address counter (start address, offset per character row, line
// compare, preset row scan, count by 2/4) and maps it to a plane offset
// (byte/word/doubleword mapping, CGA and Hercules row scan substitution); the
// four plane bytes at that offset are serialized by the Graphics
// Controller's shift mode (planar 16 colours, CGA-style interleaved 2-bit
// pixels, or 256 colours: one byte of each plane per pixel); 4-bit pixels go
// through the colour plane enable and the attribute palette (with P5/P4 and
// P7/P6 from the colour select register) to the DAC (pixel mask, 6- or 8-bit
// entries). Text modes are drawn in vga_text.cpp.
//
// Frames have the mode's logical resolution: lines repeated by double
// scanning or by character rows of a graphics mode (e.g. mode 13h's two scan
// lines per row) are drawn once, and 256-colour pixels (two dots wide) count
// as one.
#include <algorithm>
#include <cstring>

#include "devices/vga.h"

namespace devices {

Vga::Scan Vga::scan() const {
  const uint8_t* c = r_.crtc;
  unsigned ov = c[7];
  Scan s{};
  s.chars = c[1] + 1u;
  s.lines = (c[0x12] | ((ov >> 1) & 1) << 8 | ((ov >> 6) & 1) << 9) + 1u;
  s.max_scan = c[9] & 0x1F;
  s.dsc = c[9] & 0x80;
  s.start = ((uint32_t(c[0x0C]) << 8) | c[0x0D]) + ((c[8] >> 5) & 3);
  s.row_advance = uint32_t(c[0x13]) * 2;
  s.line_compare = c[0x18] | ((ov >> 4) & 1) << 8 | ((c[9] >> 6) & 1) << 9;
  s.addr_shift = (c[0x14] & 0x40) ? 2 : (c[0x17] & 0x40) ? 0 : 1;
  s.wrap15 = c[0x17] & 0x20;
  s.count_shift = (c[0x14] & 0x20) ? 2 : (c[0x17] & 0x08) ? 1 : 0;
  s.cga = !(c[0x17] & 0x01);
  s.herc = !(c[0x17] & 0x02);
  s.preset = c[8] & 0x1F;
  s.pan = r_.ac[0x13] & 0x0F;
  s.pan_upper_only = r_.ac[0x10] & 0x20;
  return s;
}

void Vga::line_position(const Scan& s, unsigned p, uint32_t& row_start, unsigned& row_scan,
                        bool& lower) const {
  lower = p > s.line_compare;
  unsigned y = lower ? p - s.line_compare - 1 : p;
  unsigned eff = s.dsc ? y >> 1 : y;
  if (!lower) eff += s.preset;
  unsigned h = s.max_scan + 1;
  row_start = (lower ? 0 : s.start) + (eff / h) * s.row_advance;
  row_scan = eff % h;
}

uint32_t Vga::crtc_address(const Scan& s, uint32_t counter, unsigned row_scan) const {
  uint32_t c = counter & 0xFFFF, m;
  if (s.addr_shift == 0)
    m = c;
  else if (s.addr_shift == 1)
    m = (c << 1) | ((c >> (s.wrap15 ? 15 : 13)) & 1);
  else
    m = (c << 2) | ((c >> 14) & 3);
  if (s.cga) m = (m & ~0x2000u) | ((row_scan & 1u) << 13);
  if (s.herc) m = (m & ~0x4000u) | (((row_scan >> 1) & 1u) << 14);
  return m & 0xFFFF;
}

void Vga::dac_table(uint32_t out[256]) const {
  bool wide = vbe_.reg[kDispiEnable] & kDac8Bit;
  for (unsigned i = 0; i < 256; ++i) {
    const uint8_t* e = r_.dac + (i & r_.dac_mask) * 3;
    uint32_t rgb = 0;
    for (unsigned k = 0; k < 3; ++k) {
      uint32_t v = e[k];
      if (!wide) v = ((v & 0x3F) << 2) | ((v & 0x3F) >> 4);
      rgb = (rgb << 8) | v;
    }
    out[i] = rgb;
  }
}

void Vga::attr_table(const uint32_t dac[256], uint32_t out[16]) const {
  uint8_t mode = r_.ac[0x10], csel = r_.ac[0x14];
  for (unsigned v = 0; v < 16; ++v) {
    unsigned idx = r_.ac[v] & 0x3F;
    if (mode & 0x80) idx = (idx & 0x0F) | ((csel & 3u) << 4);  // P5/P4 from colour select
    idx |= (csel & 0x0Cu) << 4;                               // P7/P6
    out[v] = dac[idx];
  }
}

bool Vga::display_blanked() const {
  // Palette address source clear (the CPU owns the palette) or screen off.
  return !(r_.ac_index & 0x20) || (r_.seq[1] & 0x20);
}

Frame Vga::render() const {
  Frame f;
  render(f);
  return f;
}

void Vga::render(Frame& f) const {
  if (vbe_enabled())
    render_vbe(f);
  else if (text_mode())
    render_text(f);
  else
    render_graphics(f);
}

void Vga::render_graphics(Frame& f) const {
  Scan s = scan();
  bool mode256 = r_.gc[5] & 0x40, interleave = !mode256 && (r_.gc[5] & 0x20);
  unsigned ppc = mode256 ? 4 : 8;  // pixels per character clock
  unsigned repeat = (s.dsc ? 2 : 1) * (!s.cga && !s.herc ? s.max_scan + 1 : 1);
  f.width = s.chars * ppc;
  f.height = std::max(1u, s.lines / repeat);
  f.pixels.assign(size_t(f.width) * f.height, 0);
  if (display_blanked()) return;

  uint32_t dac[256], attr[16];
  dac_table(dac);
  attr_table(dac, attr);
  unsigned plane_enable = r_.ac[0x12] & 0x0F;
  std::vector<uint32_t> line(size_t(s.chars + 1) * ppc);
  for (unsigned y = 0; y < f.height; ++y) {
    uint32_t row_start;
    unsigned row_scan;
    bool lower;
    line_position(s, y * repeat, row_start, row_scan, lower);
    unsigned pan = lower && s.pan_upper_only ? 0 : s.pan;
    pan = mode256 ? (pan & 7) >> 1 : pan & 7;
    for (unsigned j = 0; j <= s.chars; ++j) {
      uint32_t w = plane_word(crtc_address(s, row_start + (j >> s.count_shift), row_scan));
      uint8_t p0 = uint8_t(w), p1 = uint8_t(w >> 8), p2 = uint8_t(w >> 16), p3 = uint8_t(w >> 24);
      uint32_t* out = line.data() + size_t(j) * ppc;
      if (mode256) {
        out[0] = dac[p0], out[1] = dac[p1], out[2] = dac[p2], out[3] = dac[p3];
      } else if (interleave) {
        for (unsigned k = 0; k < 8; ++k) {
          unsigned sh = 6 - 2 * (k & 3);
          uint8_t lo = k < 4 ? p0 : p1, hi = k < 4 ? p2 : p3;
          unsigned v = ((lo >> sh) & 3) | (((hi >> sh) & 3) << 2);
          out[k] = attr[v & plane_enable];
        }
      } else {
        for (unsigned k = 0; k < 8; ++k) {
          unsigned b = 7 - k;
          unsigned v = ((p0 >> b) & 1) | ((p1 >> b) & 1) << 1 | ((p2 >> b) & 1) << 2 |
                       ((p3 >> b) & 1) << 3;
          out[k] = attr[v & plane_enable];
        }
      }
    }
    std::memcpy(f.pixels.data() + size_t(y) * f.width, line.data() + pan,
                size_t(f.width) * sizeof(uint32_t));
  }
}

void Vga::render_vbe(Frame& f) const {
  const uint16_t* reg = vbe_.reg;
  unsigned bpp = reg[kDispiBpp];
  f.width = std::max<unsigned>(reg[kDispiXres], 1);
  f.height = std::max<unsigned>(reg[kDispiYres], 1);
  f.pixels.assign(size_t(f.width) * f.height, 0);
  uint32_t dac[256];
  dac_table(dac);
  uint64_t line = vbe_line_bytes();
  const uint8_t* vram = vram_.data();
  uint64_t size = vram_size();
  if (bpp == 4) {  // planar: virt_width / 8 bytes per line in each plane
    uint32_t attr[16];
    attr_table(dac, attr);
    uint64_t plane_line = reg[kDispiVirtWidth] / 8;
    uint64_t start = reg[kDispiYOffset] * plane_line + reg[kDispiXOffset] / 8;
    for (unsigned y = 0; y < f.height; ++y)
      for (unsigned x = 0; x < f.width; ++x) {
        uint64_t o = start + y * plane_line + x / 8;
        if ((o << 2) + 4 > size) continue;
        uint32_t w = plane_word(uint32_t(o));
        unsigned b = 7 - (x & 7), v = 0;
        for (unsigned p = 0; p < 4; ++p) v |= ((w >> (8 * p + b)) & 1) << p;
        f.pixels[size_t(y) * f.width + x] = attr[v & r_.ac[0x12] & 0x0F];
      }
    return;
  }
  unsigned bytes = (bpp + 7) / 8;
  uint64_t start = reg[kDispiYOffset] * line + uint64_t(reg[kDispiXOffset]) * bytes;
  for (unsigned y = 0; y < f.height; ++y) {
    uint32_t* out = f.pixels.data() + size_t(y) * f.width;
    for (unsigned x = 0; x < f.width; ++x) {
      uint64_t a = start + y * line + uint64_t(x) * bytes;
      if (a + bytes > size) break;
      const uint8_t* p = vram + a;
      uint32_t rgb;
      switch (bpp) {
        case 8: rgb = dac[p[0]]; break;
        case 15: case 16: {
          unsigned v = p[0] | p[1] << 8;
          unsigned r5 = bpp == 15 ? (v >> 10) & 31 : v >> 11;
          unsigned g = bpp == 15 ? (v >> 5) & 31 : (v >> 5) & 63;
          unsigned b5 = v & 31;
          unsigned g8 = bpp == 15 ? (g << 3) | (g >> 2) : (g << 2) | (g >> 4);
          rgb = ((r5 << 3) | (r5 >> 2)) << 16 | g8 << 8 | ((b5 << 3) | (b5 >> 2));
          break;
        }
        default: rgb = uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]; break;  // 24, 32: B G R (X)
      }
      out[x] = rgb;
    }
  }
}

}  // namespace devices
