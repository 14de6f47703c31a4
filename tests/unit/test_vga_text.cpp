// devices::Vga: text modes programmed by registers: fonts in plane 2,
// attributes, the 9th dot, character map select, cursor and blink in virtual
// time, and the UTF-8 text dump with code page 437 mapped.
#include <doctest/doctest.h>

#include "test_vga_rig.h"

using vgatest::ega;
using vgatest::Rig;

namespace {

constexpr uint8_t kGlyphA[16] = {0x00, 0x00, 0x10, 0x38, 0x6C, 0xC6, 0xC6, 0xFE,
                                 0xC6, 0xC6, 0xC6, 0xC6, 0x00, 0x00, 0x00, 0x00};

// Load `rows` (16 bytes) as the glyph of `ch` in font block `block`, the way a
// BIOS does: planar access to plane 2 at A0000, then back to text mode.
void load_glyph(Rig& r, uint8_t ch, const uint8_t* rows, unsigned block = 0) {
  static const uint32_t kBase[8] = {0x0000, 0x4000, 0x8000, 0xC000, 0x2000, 0x6000, 0xA000, 0xE000};
  r.seq(2, 0x04), r.seq(4, 0x06);
  r.gc(4, 0x02), r.gc(5, 0x00), r.gc(6, 0x04);
  for (unsigned i = 0; i < 16; ++i) r.wb(0xA0000 + kBase[block] + ch * 32u + i, rows[i]);
  r.seq(2, 0x03), r.seq(4, 0x02);
  r.gc(4, 0x00), r.gc(5, 0x10), r.gc(6, 0x0E);
}

void put(Rig& r, unsigned row, unsigned col, uint8_t ch, uint8_t attr) {
  r.wb(0xB8000 + (row * 80 + col) * 2, ch);
  r.wb(0xB8000 + (row * 80 + col) * 2 + 1, attr);
}

// Check one character cell of a 9-dot mode-3 frame against a glyph.
void check_cell(const devices::Frame& f, unsigned row, unsigned col, unsigned cw,
                const uint8_t* glyph, uint32_t fg, uint32_t bg, bool ninth_fg_rows = false) {
  for (unsigned y = 0; y < 16; ++y)
    for (unsigned x = 0; x < cw; ++x) {
      bool on = x < 8 ? (glyph[y] >> (7 - x)) & 1 : ninth_fg_rows && (glyph[y] & 1);
      INFO("cell ", row, ",", col, " dot ", x, ",", y);
      CHECK(f.at(col * cw + x, row * 16 + y) == (on ? fg : bg));
    }
}

struct TextRig : Rig {
  TextRig() {
    program(vgatest::kMode3);
    load_ega_palette();
    crtc(0x0E, 0x07), crtc(0x0F, 0xCF);  // cursor on the last cell, out of the way
  }
};

}  // namespace

TEST_CASE("vga: text mode glyphs, attributes and the 9th dot") {
  TextRig r;
  static const uint8_t kHoriz[16] = {0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0};
  load_glyph(r, 'A', kGlyphA);
  load_glyph(r, 0xC4, kHoriz);
  put(r, 0, 0, 'A', 0x1E);   // yellow on blue
  put(r, 0, 1, 0xC4, 0x4F);  // white on red
  put(r, 0, 2, 'A', 0x07);
  put(r, 2, 79, 'A', 0x70);  // black on grey, last column
  CHECK(r.vga.text_mode());
  CHECK(r.vga.text_cols() == 80);
  CHECK(r.vga.text_rows() == 25);

  devices::Frame f = r.vga.render();
  REQUIRE(f.width == 720);
  REQUIRE(f.height == 400);
  check_cell(f, 0, 0, 9, kGlyphA, ega(0x3E), ega(0x01));
  // C0h-DFh extend into the 9th dot with line graphics enabled (AC 10h bit 2).
  check_cell(f, 0, 1, 9, kHoriz, ega(0x3F), ega(0x04), true);
  check_cell(f, 0, 2, 9, kGlyphA, ega(0x07), ega(0x00));
  check_cell(f, 2, 79, 9, kGlyphA, ega(0x00), ega(0x07));

  r.ac(0x10, 0x08);  // line graphics off: the 9th dot is background
  f = r.vga.render();
  check_cell(f, 0, 1, 9, kHoriz, ega(0x3F), ega(0x04), false);
  r.seq(1, 0x01);  // 8-dot characters: 640 pixels
  f = r.vga.render();
  REQUIRE(f.width == 640);
  check_cell(f, 0, 1, 8, kHoriz, ega(0x3F), ega(0x04));
  check_cell(f, 2, 79, 8, kGlyphA, ega(0x00), ega(0x07));

  // Character map select: attribute bit 3 picks map A (block 1) over map B.
  static const uint8_t kSolid[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                     0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  load_glyph(r, 'A', kSolid, 1);
  r.seq(3, 0x04);
  f = r.vga.render();
  check_cell(f, 0, 0, 8, kSolid, ega(0x3E), ega(0x01));   // attribute 1Eh: bit 3 set
  check_cell(f, 0, 2, 8, kGlyphA, ega(0x07), ega(0x00));  // attribute 07h: map B

  // The attribute palette maps colours: white foreground drawn as light red.
  r.ac(0x0F, 0x3C);
  r.seq(3, 0x00);
  f = r.vga.render();
  check_cell(f, 0, 1, 8, kHoriz, ega(0x3C), ega(0x04));
  // Palette address source clear blanks the display.
  r.in(0x3DA), r.out(0x3C0, 0x00);
  f = r.vga.render();
  CHECK(f.at(3, 7) == 0);
  CHECK(f.at(9, 7) == 0);
}

TEST_CASE("vga: text dump maps code page 437 and follows the start address") {
  TextRig r;
  const uint8_t rows[4][6] = {{0xDA, 0xC4, 0xC4, 0xBF, 0x20, 0x20},
                              {0xB3, 'H', 'i', 0xB3, 0x20, 0x20},
                              {0xC0, 0xC4, 0xC4, 0xD9, 0x20, 0x00},
                              {0x01, 0x20, 0x82, 0xE1, 0xB0, 'x'}};
  for (unsigned y = 0; y < 4; ++y)
    for (unsigned x = 0; x < 6; ++x) put(r, y, x, rows[y][x], 0x07);
  put(r, 24, 79, '$', 0x07);
  std::string expect = "┌──┐\n│Hi│\n└──┘\n☺ éß░x\n";
  for (int i = 4; i < 24; ++i) expect += "\n";
  expect += std::string(79, ' ') + "$\n";
  CHECK(r.vga.text_dump() == expect);
  CHECK(devices::Vga::cp437(0xCD) == 0x2550);
  CHECK(devices::Vga::cp437(0x7F) == 0x2302);
  CHECK(devices::Vga::cp437(0xFF) == 0x20);

  r.crtc(0x0C, 0x00), r.crtc(0x0D, 80);  // start one row later
  std::string dump = r.vga.text_dump();
  CHECK(dump.substr(0, dump.find('\n')) == "│Hi│");

  // 80x50: an 8-line character cell gives 50 rows.
  r.crtc(0x09, 0x47);
  CHECK(r.vga.text_rows() == 50);
  r.gc(6, 0x05);  // graphics mode: no text to dump
  CHECK(r.vga.text_dump().empty());
  CHECK(r.vga.text_rows() == 0);
}

TEST_CASE("vga: cursor and character blink in virtual time") {
  TextRig r;
  load_glyph(r, 'A', kGlyphA);
  put(r, 1, 1, ' ', 0x07);
  put(r, 0, 0, 'A', 0x8F);  // blinking bright white on black
  r.crtc(0x0E, 0x00), r.crtc(0x0F, 81);
  static const uint8_t kCursor[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0};
  static const uint8_t kBlank[16] = {};

  // Mode 3 frames last 449 lines of 31.777 us: 14.27 ms. The cursor is shown
  // for 8 frames and hidden for 8; blinking characters 16 and 16.
  devices::Frame f = r.vga.render();
  check_cell(f, 1, 1, 9, kCursor, ega(0x07), 0, true);
  check_cell(f, 0, 0, 9, kGlyphA, ega(0x3F), 0);
  r.clock = 120'000'000;  // frame 8
  f = r.vga.render();
  check_cell(f, 1, 1, 9, kBlank, ega(0x07), 0);
  check_cell(f, 0, 0, 9, kGlyphA, ega(0x3F), 0);
  r.clock = 240'000'000;  // frame 16
  f = r.vga.render();
  check_cell(f, 1, 1, 9, kCursor, ega(0x07), 0, true);
  check_cell(f, 0, 0, 9, kBlank, ega(0x3F), 0);

  r.ac(0x10, 0x04);  // blink off: bit 7 is background intensity
  f = r.vga.render();
  check_cell(f, 0, 0, 9, kGlyphA, ega(0x3F), ega(0x38));
  r.crtc(0x0A, 0x0B);  // cursor scan lines 11-14
  f = r.vga.render();
  static const uint8_t kTall[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0};
  check_cell(f, 1, 1, 9, kTall, ega(0x07), 0, true);
  r.crtc(0x0A, 0x2B);  // cursor disabled
  f = r.vga.render();
  check_cell(f, 1, 1, 9, kBlank, ega(0x07), 0);
  r.crtc(0x0A, 0x0F);  // start after end: no cursor on a VGA
  f = r.vga.render();
  check_cell(f, 1, 1, 9, kBlank, ega(0x07), 0);

  // Underline (CRTC 14h) for foreground 1 on background 0 only.
  static const uint8_t kUnder[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0};
  put(r, 1, 2, ' ', 0x01);
  put(r, 1, 3, ' ', 0x02);
  r.crtc(0x14, 0x0E);
  f = r.vga.render();
  check_cell(f, 1, 2, 9, kUnder, ega(0x01), 0, true);
  check_cell(f, 1, 3, 9, kBlank, ega(0x02), 0);
}
