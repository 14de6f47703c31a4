#include "frontend/keymap.h"

#include <array>

namespace frontend {
namespace {

// One entry per scancode: the set-2 code, with bit 8 set for an E0 (extended) key.
constexpr unsigned kExt = 0x100;

struct Entry {
  uint16_t sc;
  uint16_t code;
};

// Key positions of the IBM PC keyboard, by SDL scancode (= USB HID usage below 232).
constexpr Entry kTable[] = {
    // Letters A..Z (HID 4..29).
    {4, 0x1C}, {5, 0x32}, {6, 0x21}, {7, 0x23}, {8, 0x24}, {9, 0x2B}, {10, 0x34}, {11, 0x33},
    {12, 0x43}, {13, 0x3B}, {14, 0x42}, {15, 0x4B}, {16, 0x3A}, {17, 0x31}, {18, 0x44}, {19, 0x4D},
    {20, 0x15}, {21, 0x2D}, {22, 0x1B}, {23, 0x2C}, {24, 0x3C}, {25, 0x2A}, {26, 0x1D}, {27, 0x22},
    {28, 0x35}, {29, 0x1A},
    // Digits 1..9, 0 (HID 30..39).
    {30, 0x16}, {31, 0x1E}, {32, 0x26}, {33, 0x25}, {34, 0x2E}, {35, 0x36}, {36, 0x3D}, {37, 0x3E},
    {38, 0x46}, {39, 0x45},
    // Enter, Escape, Backspace, Tab, Space, - = [ ] \ #(ISO) ; ' ` , . / CapsLock.
    {40, 0x5A}, {41, 0x76}, {42, 0x66}, {43, 0x0D}, {44, 0x29}, {45, 0x4E}, {46, 0x55}, {47, 0x54},
    {48, 0x5B}, {49, 0x5D}, {50, 0x5D}, {51, 0x4C}, {52, 0x52}, {53, 0x0E}, {54, 0x41}, {55, 0x49},
    {56, 0x4A}, {57, 0x58},
    // F1..F12 (HID 58..69).
    {58, 0x05}, {59, 0x06}, {60, 0x04}, {61, 0x0C}, {62, 0x03}, {63, 0x0B}, {64, 0x83}, {65, 0x0A},
    {66, 0x01}, {67, 0x09}, {68, 0x78}, {69, 0x07},
    // (70 Print Screen special), Scroll Lock, (72 Pause special).
    {71, 0x7E},
    // Insert, Home, Page Up, Delete, End, Page Down, Right, Left, Down, Up.
    {73, kExt | 0x70}, {74, kExt | 0x6C}, {75, kExt | 0x7D}, {76, kExt | 0x71}, {77, kExt | 0x69},
    {78, kExt | 0x7A}, {79, kExt | 0x74}, {80, kExt | 0x6B}, {81, kExt | 0x72}, {82, kExt | 0x75},
    // Keypad: Num Lock, / * - + Enter 1..9 0 .
    {83, 0x77}, {84, kExt | 0x4A}, {85, 0x7C}, {86, 0x7B}, {87, 0x79}, {88, kExt | 0x5A},
    {89, 0x69}, {90, 0x72}, {91, 0x7A}, {92, 0x6B}, {93, 0x73}, {94, 0x74}, {95, 0x6C}, {96, 0x75},
    {97, 0x7D}, {98, 0x70}, {99, 0x71},
    // ISO key left of Z, Application (menu), Power, keypad =.
    {100, 0x61}, {101, kExt | 0x2F}, {102, kExt | 0x37}, {103, 0x0F},
    // F13..F24 (HID 104..115).
    {104, 0x08}, {105, 0x10}, {106, 0x18}, {107, 0x20}, {108, 0x28}, {109, 0x30}, {110, 0x38},
    {111, 0x40}, {112, 0x48}, {113, 0x50}, {114, 0x57}, {115, 0x5F},
    // Mute, Volume Up, Volume Down.
    {127, kExt | 0x23}, {128, kExt | 0x32}, {129, kExt | 0x21},
    // Keypad comma (Brazilian), International 1..5 (Ro, Katakana/Hiragana, Yen, Henkan, Muhenkan).
    {133, 0x6D}, {135, 0x51}, {136, 0x13}, {137, 0x6A}, {138, 0x64}, {139, 0x67},
    // Modifiers: left Ctrl, Shift, Alt, GUI; right Ctrl, Shift, Alt, GUI.
    {224, 0x14}, {225, 0x12}, {226, 0x11}, {227, kExt | 0x1F}, {228, kExt | 0x14}, {229, 0x59},
    {230, kExt | 0x11}, {231, kExt | 0x27},
    // SDL's multimedia keys: next, previous, stop, play, mute, media select, WWW, mail,
    // calculator, my computer, WWW search, home, back, forward, stop, refresh, favourites.
    {258, kExt | 0x4D}, {259, kExt | 0x15}, {260, kExt | 0x3B}, {261, kExt | 0x34}, {262, kExt | 0x23},
    {263, kExt | 0x50}, {264, kExt | 0x3A}, {265, kExt | 0x48}, {266, kExt | 0x2B}, {267, kExt | 0x40},
    {268, kExt | 0x10}, {269, kExt | 0x3A}, {270, kExt | 0x38}, {271, kExt | 0x30}, {272, kExt | 0x28},
    {273, kExt | 0x20}, {274, kExt | 0x18},
    // Sleep.
    {282, kExt | 0x3F},
};

constexpr unsigned kMaxScan = 512;

constexpr std::array<uint16_t, kMaxScan> build() {
  std::array<uint16_t, kMaxScan> t{};
  for (const Entry& e : kTable) t[e.sc] = e.code;
  return t;
}
constexpr std::array<uint16_t, kMaxScan> kCodes = build();

KeySeq seq(std::initializer_list<uint8_t> bytes) {
  KeySeq s;
  for (uint8_t b : bytes) s.b[s.len++] = b;
  return s;
}

}  // namespace

bool set2_make_only(unsigned sc) { return sc == kScanPause; }

KeySeq set2_sequence(unsigned sc, bool down, unsigned mods) {
  if (sc == kScanPrintScreen) {
    if (mods & KM_ALT) return down ? seq({0x84}) : seq({0xF0, 0x84});  // SysRq
    if (mods & (KM_CTRL | KM_SHIFT)) return down ? seq({0xE0, 0x7C}) : seq({0xE0, 0xF0, 0x7C});
    return down ? seq({0xE0, 0x12, 0xE0, 0x7C}) : seq({0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12});
  }
  if (sc == kScanPause) {
    if (!down) return {};
    if (mods & KM_CTRL) return seq({0xE0, 0x7E, 0xE0, 0xF0, 0x7E});  // Break
    return seq({0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77});
  }
  if (sc >= kMaxScan || !kCodes[sc]) return {};
  unsigned c = kCodes[sc];
  KeySeq s;
  if (c & kExt) s.b[s.len++] = 0xE0;
  if (!down) s.b[s.len++] = 0xF0;
  s.b[s.len++] = uint8_t(c);
  return s;
}

}  // namespace frontend
