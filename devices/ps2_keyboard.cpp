// The PS/2 keyboard (IBM PS/2 keyboard protocol), the shared output queue of
// PS/2 devices, the 8042's set 2 -> set 1 translation table and US-layout
// typing of ASCII text.
#include <array>

#include "devices/ps2.h"

namespace devices {

namespace {

constexpr uint8_t kAck = 0xFA, kResend = 0xFE, kBatOk = 0xAA, kEcho = 0xEE;

// The 8042's translation table for set-2 codes 0x00-0x7F: a permutation of
// the set-1 codes 0x01-0x7F, with the set-2 overrun code 00 becoming FF.
constexpr std::array<uint8_t, 128> kSet2ToSet1 = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

// US layout: set-2 make code of the key for an ASCII character and whether
// Shift is needed; 0 = no key.
struct KeyFor {
  uint8_t code;
  bool shift;
};

KeyFor key_for(char ch) {
  static constexpr uint8_t kLetters[26] = {0x1C, 0x32, 0x21, 0x23, 0x24, 0x2B, 0x34, 0x33, 0x43,
                                           0x3B, 0x42, 0x4B, 0x3A, 0x31, 0x44, 0x4D, 0x15, 0x2D,
                                           0x1B, 0x2C, 0x3C, 0x2A, 0x1D, 0x22, 0x35, 0x1A};
  static constexpr uint8_t kDigits[10] = {0x45, 0x16, 0x1E, 0x26, 0x25, 0x2E, 0x36, 0x3D, 0x3E, 0x46};
  static constexpr char kShiftedDigits[] = ")!@#$%^&*(";
  static constexpr struct {
    char plain, shifted;
    uint8_t code;
  } kPunct[] = {{'`', '~', 0x0E}, {'-', '_', 0x4E}, {'=', '+', 0x55}, {'[', '{', 0x54},
                {']', '}', 0x5B}, {'\\', '|', 0x5D}, {';', ':', 0x4C}, {'\'', '"', 0x52},
                {',', '<', 0x41}, {'.', '>', 0x49}, {'/', '?', 0x4A}};
  unsigned char c = static_cast<unsigned char>(ch);
  if (c >= 'a' && c <= 'z') return {kLetters[c - 'a'], false};
  if (c >= 'A' && c <= 'Z') return {kLetters[c - 'A'], true};
  if (c >= '0' && c <= '9') return {kDigits[c - '0'], false};
  for (unsigned k = 0; k < 10; ++k)
    if (kShiftedDigits[k] == ch) return {kDigits[k], true};
  for (const auto& p : kPunct) {
    if (p.plain == ch) return {p.code, false};
    if (p.shifted == ch) return {p.code, true};
  }
  switch (c) {
    case ' ': return {0x29, false};
    case '\n': case '\r': return {0x5A, false};
    case '\t': return {0x0D, false};
    case '\b': return {0x66, false};
    case 0x1B: return {0x76, false};
    default: return {0, false};
  }
}

}  // namespace

uint8_t ps2_set2_to_set1(uint8_t code) {
  if (code < 0x80) return kSet2ToSet1[code];
  if (code == 0x83) return 0x41;  // F7
  if (code == 0x84) return 0x54;  // Alt+SysRq
  return code;
}

bool ps2_type_char(char c, std::vector<std::vector<uint8_t>>& events) {
  KeyFor k = key_for(c);
  if (!k.code) return false;
  constexpr uint8_t kLShift = 0x12;
  if (k.shift) events.push_back({kLShift});
  events.push_back({k.code});
  events.push_back({0xF0, k.code});
  if (k.shift) events.push_back({0xF0, kLShift});
  return true;
}

// ---- Ps2Output ----

void Ps2Output::push_unit(const uint8_t* b, unsigned n) {
  if (!n) return;
  stream.insert(stream.end(), b, b + n);
  unit_len.push_back(uint8_t(n));
}

uint8_t Ps2Output::pull() {
  uint8_t b;
  if (unit_left == 0 && !resp.empty()) {
    b = resp.front();
    resp.pop_front();
  } else {
    if (unit_left == 0) {
      unit_left = unit_len.front();
      unit_len.pop_front();
    }
    b = stream.front();
    stream.pop_front();
    --unit_left;
  }
  last = b;
  return b;
}

void Ps2Output::clear() {
  resp.clear();
  stream.clear();
  unit_len.clear();
  unit_left = 0;
}

void Ps2Output::drop_units() {
  stream.resize(unit_left);
  unit_len.clear();
}

// ---- Ps2Keyboard ----

void Ps2Keyboard::power_on() {
  out_.clear();
  out_.last = 0;
  pending_ = 0;
  leds_ = 0;
  scanning_ = true;
  defaults();
}

void Ps2Keyboard::defaults() {
  typematic_ = 0x2B;
  set_ = 2;
}

void Ps2Keyboard::key(std::span<const uint8_t> set2) {
  if (!scanning_ || set2.empty() || set2.size() > 8) return;
  uint8_t seq[8];
  unsigned n = 0;
  if (set_ == 1) {
    bool brk = false;
    for (uint8_t b : set2) {
      if (b == 0xF0) {
        brk = true;
        continue;
      }
      seq[n++] = uint8_t(ps2_set2_to_set1(b) | (brk ? 0x80 : 0));
      brk = false;
    }
  } else {
    for (uint8_t b : set2) seq[n++] = b;
  }
  out_.push_unit(seq, n);
}

void Ps2Keyboard::receive(uint8_t b) {
  if (pending_) {
    uint8_t cmd = pending_;
    pending_ = 0;
    switch (cmd) {
      case 0xED:  // set LEDs
        leds_ = b & 7;
        out_.push_resp(kAck);
        return;
      case 0xF3:  // typematic rate/delay
        typematic_ = b & 0x7F;
        out_.push_resp(kAck);
        return;
      case 0xF0:  // scan code set: 0 = report, 1/2 select (3 unsupported: stays)
        if (b > 3) {
          out_.push_resp(kResend);
          return;
        }
        out_.push_resp(kAck);
        if (b == 0) out_.push_resp(uint8_t(set_));
        else if (b != 3) set_ = b;
        return;
    }
  }
  switch (b) {
    case 0xED: case 0xF0: case 0xF3:
      out_.push_resp(kAck);
      pending_ = b;
      return;
    case 0xEE: out_.push_resp(kEcho); return;
    case 0xF2:  // identify: MF2 keyboard
      out_.push_resp(kAck);
      out_.push_resp(0xAB);
      out_.push_resp(0x83);
      return;
    case 0xF4:  // enable scanning; clears the output buffer
      out_.clear();
      out_.push_resp(kAck);
      scanning_ = true;
      return;
    case 0xF5:  // disable scanning and load defaults
      out_.clear();
      out_.push_resp(kAck);
      defaults();
      scanning_ = false;
      return;
    case 0xF6:  // load defaults, keep scanning state
      out_.clear();
      out_.push_resp(kAck);
      defaults();
      return;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA:  // set-3 key types: no effect in sets 1/2
      out_.push_resp(kAck);
      return;
    case 0xFE: out_.push_resp(out_.last); return;
    case 0xFF:  // reset: ACK, self test passed (BAT), scanning enabled
      out_.clear();
      out_.push_resp(kAck);
      defaults();
      leds_ = 0;
      scanning_ = true;
      out_.push_resp(kBatOk);
      return;
    default: out_.push_resp(kResend); return;  // unknown command
  }
}

}  // namespace devices
