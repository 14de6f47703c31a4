// devices::Vga: alphanumeric modes: drawing them, the UTF-8 text dump with
// code page 437 mapped, and screen dumps to files.
//
// A character cell at CRTC address m holds the character code in plane 0 and
// the attribute in plane 1. Glyphs are in plane 2: 32 bytes per character in
// 8 KiB font blocks chosen by the sequencer's character map select (attribute
// bit 3 picks map A over map B when the two differ). Cells are 8 or 9 dots
// wide (sequencer clocking mode bit 0); the 9th dot repeats the 8th for
// C0h-DFh when line graphics are enabled (attribute mode control bit 2) and is
// background otherwise. The character height is the CRTC's maximum scan line
// + 1. With blinking enabled (attribute mode control bit 3) attribute bit 7
// blinks the character instead of brightening the background. The cursor
// (CRTC 0Ah-0Fh: start/end scan line, disable bit, skew, location) and the
// underline (CRTC 14h, for attributes with foreground 1 and background 0) are
// drawn in the foreground colour over the full cell width.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "devices/vga.h"

namespace devices {

namespace {

// Code page 437 to Unicode (the IBM PC's glyphs, including 01h-1Fh and 7Fh).
constexpr uint16_t kCp437[256] = {
    0x0020, 0x263A, 0x263B, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,  // 00
    0x25D8, 0x25CB, 0x25D9, 0x2642, 0x2640, 0x266A, 0x266B, 0x263C,  // 08
    0x25BA, 0x25C4, 0x2195, 0x203C, 0x00B6, 0x00A7, 0x25AC, 0x21A8,  // 10
    0x2191, 0x2193, 0x2192, 0x2190, 0x221F, 0x2194, 0x25B2, 0x25BC,  // 18
    0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x0026, 0x0027,  // 20
    0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,  // 28
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,  // 30
    0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,  // 38
    0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,  // 40
    0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,  // 48
    0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,  // 50
    0x0058, 0x0059, 0x005A, 0x005B, 0x005C, 0x005D, 0x005E, 0x005F,  // 58
    0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,  // 60
    0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,  // 68
    0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,  // 70
    0x0078, 0x0079, 0x007A, 0x007B, 0x007C, 0x007D, 0x007E, 0x2302,  // 78
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,  // 80
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,  // 88
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,  // 90
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,  // 98
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,  // A0
    0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,  // A8
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,  // B0
    0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,  // B8
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,  // C0
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,  // C8
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,  // D0
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,  // D8
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,  // E0
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,  // E8
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,  // F0
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x0020,  // F8
};

void append_utf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xE0 | (cp >> 12));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  }
}

// Plane 2 offsets of the eight font blocks.
constexpr uint32_t kFontBase[8] = {0x0000, 0x4000, 0x8000, 0xC000, 0x2000, 0x6000, 0xA000, 0xE000};

}  // namespace

uint32_t Vga::cp437(uint8_t c) { return kCp437[c]; }

unsigned Vga::text_cols() const { return text_mode() ? r_.crtc[1] + 1u : 0; }

unsigned Vga::text_rows() const {
  if (!text_mode()) return 0;
  Scan s = scan();
  unsigned per_row = (s.max_scan + 1) * (s.dsc ? 2 : 1);
  return std::max(1u, s.lines / per_row);
}

void Vga::render_text(Frame& f) const {
  Scan s = scan();
  unsigned cw = (r_.seq[1] & 1) ? 8 : 9;
  unsigned repeat = s.dsc ? 2 : 1;
  f.width = s.chars * cw;
  f.height = std::max(1u, s.lines / repeat);
  f.pixels.assign(size_t(f.width) * f.height, 0);
  if (display_blanked()) return;

  uint32_t dac[256], attr[16];
  dac_table(dac);
  attr_table(dac, attr);
  uint8_t sm = r_.seq[3], mode = r_.ac[0x10];
  uint32_t font_a = kFontBase[((sm >> 2) & 3) | ((sm >> 3) & 4)];
  uint32_t font_b = kFontBase[(sm & 3) | ((sm >> 2) & 4)];
  uint64_t frame = frame_number();
  bool cursor_phase = !((frame >> 3) & 1), blink_phase = !((frame >> 4) & 1);
  const uint8_t* c = r_.crtc;
  uint32_t cursor = ((uint32_t(c[0x0E]) << 8) | c[0x0F]) + ((c[0x0B] >> 5) & 3);
  unsigned cur_start = c[0x0A] & 0x1F, cur_end = c[0x0B] & 0x1F;
  bool cursor_on = cursor_phase && !(c[0x0A] & 0x20) && cur_start <= cur_end;
  unsigned underline = c[0x14] & 0x1F;

  std::vector<uint32_t> line(size_t(s.chars + 1) * cw);
  for (unsigned y = 0; y < f.height; ++y) {
    uint32_t row_start;
    unsigned rs;
    bool lower;
    line_position(s, y * repeat, row_start, rs, lower);
    unsigned pan = lower && s.pan_upper_only ? 0 : s.pan;
    pan = cw == 9 ? (pan >= 8 ? 0 : pan + 1) : pan & 7;
    for (unsigned j = 0; j <= s.chars; ++j) {
      uint32_t counter = row_start + (j >> s.count_shift);
      uint32_t w = plane_word(crtc_address(s, counter, rs));
      uint8_t ch = uint8_t(w), at = uint8_t(w >> 8);
      uint32_t font = (at & 8) ? font_a : font_b;
      uint8_t glyph = rs < 32 ? uint8_t(plane_word(font + ch * 32u + rs) >> 16) : 0;
      unsigned fg = at & 0x0F, bg = at >> 4;
      bool full = false;  // underline/cursor: the whole cell width
      if (rs == underline && (at & 0x77) == 0x01) glyph = 0xFF, full = true;
      if (mode & 0x08) {
        bg &= 7;
        if ((at & 0x80) && !blink_phase) glyph = 0, full = false;
      }
      if (cursor_on && (counter & 0xFFFF) == (cursor & 0xFFFF) && rs >= cur_start && rs <= cur_end)
        glyph = 0xFF, full = true;
      uint32_t* out = line.data() + size_t(j) * cw;
      for (unsigned k = 0; k < 8; ++k) out[k] = attr[(glyph >> (7 - k)) & 1 ? fg : bg];
      if (cw == 9) {
        bool dot = full || ((mode & 0x04) && (ch & 0xE0) == 0xC0 && (glyph & 1));
        out[8] = attr[dot ? fg : bg];
      }
    }
    std::memcpy(f.pixels.data() + size_t(y) * f.width, line.data() + pan,
                size_t(f.width) * sizeof(uint32_t));
  }
}

std::string Vga::text_dump() const {
  std::string out;
  if (!text_mode()) return out;
  Scan s = scan();
  unsigned rows = text_rows(), per_row = (s.max_scan + 1) * (s.dsc ? 2 : 1);
  for (unsigned r = 0; r < rows; ++r) {
    uint32_t row_start;
    unsigned rs;
    bool lower;
    line_position(s, r * per_row, row_start, rs, lower);
    std::string text;
    size_t keep = 0;  // length without trailing blanks
    for (unsigned j = 0; j < s.chars; ++j) {
      uint8_t ch = uint8_t(plane_word(crtc_address(s, row_start + (j >> s.count_shift), rs)));
      append_utf8(text, kCp437[ch]);
      if (kCp437[ch] != 0x20) keep = text.size();
    }
    text.resize(keep);
    out += text;
    out += '\n';
  }
  return out;
}

bool Vga::screen_dump(const std::string& path, std::string* error) const {
  if (!text_mode()) return write_png(path, render(), error);
  std::string text = text_dump();
  FILE* fp = std::fopen(path.c_str(), "wb");
  if (!fp) {
    if (error) *error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), fp) == text.size();
  int err = errno;
  if (std::fclose(fp) != 0) ok = false, err = errno;
  if (!ok && error) *error = "cannot write '" + path + "': " + std::strerror(err);
  return ok;
}

}  // namespace devices
