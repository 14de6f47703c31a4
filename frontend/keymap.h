// Host key codes to PS/2 scan code set 2, the keyboard's native set (the
// i8042 translates to set 1 when the guest asks for it).
//
// Keys are named by SDL scancode numbers, which for the main keyboard
// (4..231) are the USB HID keyboard usage IDs, plus SDL's own numbers for the
// multimedia keys (AUDIONEXT = 258 ..). This file does not include SDL, so
// the table is unit tested without a display.
//
// A key event becomes one set-2 sequence: make = code (or E0 code), break =
// F0 code (or E0 F0 code). Two keys are special, as on a real keyboard:
//   Print Screen: E0 12 E0 7C / E0 F0 7C E0 F0 12; with Ctrl or Shift held
//                 E0 7C / E0 F0 7C; with Alt held it is SysRq: 84 / F0 84.
//   Pause:        E1 14 77 E1 F0 14 F0 77 on press, nothing on release; with
//                 Ctrl held it is Break: E0 7E E0 F0 7E.
#pragma once
#include <cstdint>

namespace frontend {

enum KeyMods : unsigned { KM_CTRL = 1, KM_SHIFT = 2, KM_ALT = 4 };

struct KeySeq {
  uint8_t len = 0;
  uint8_t b[8] = {};
  bool operator==(const KeySeq&) const = default;
};

// SDL scancode numbers the table gives special treatment to.
enum : unsigned { kScanPrintScreen = 70, kScanPause = 72 };

// The set-2 sequence for scancode `sc` pressed (down) or released; len == 0
// when the key has no PS/2 equivalent or sends nothing (Pause released).
// `mods`: the KM_* modifiers held (they only matter for Print Screen and Pause).
KeySeq set2_sequence(unsigned sc, bool down, unsigned mods = 0);

// True when the key sends nothing on release (Pause/Break).
bool set2_make_only(unsigned sc);

}  // namespace frontend
