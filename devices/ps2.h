// devices::Ps2Keyboard and devices::Ps2Mouse: the two devices behind the
// i8042 keyboard controller (devices/i8042.h), speaking the IBM PS/2 keyboard
// and mouse protocols.
//
// A device receives bytes from the controller (receive()) and has bytes to
// send back: command responses and a stream of key events or movement
// packets. The controller moves those bytes one at a time into its output
// buffer (pull()); timing is the controller's business. Responses are sent
// before queued stream data, but never in the middle of a key sequence or a
// movement packet that has started.
//
// The keyboard produces scan code set 2 by default (set 1 when the guest
// selects it; set 3 is not supported); the i8042 translates set 2 to set 1
// when its command byte asks for it. Host input arrives as set-2 sequences
// (key()), or as ASCII through ps2_type_char().
#pragma once
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <vector>

namespace devices {

// The 8042 translation table (set 2 -> set 1) for one byte: 0x00-0x7F and
// 0x83/0x84 are translated, other bytes pass unchanged. A set-2 break prefix
// F0 is not translated here: the caller sets bit 7 of the next translated byte.
uint8_t ps2_set2_to_set1(uint8_t code);

// The set-2 events that type `c` on a US keyboard (shift make, key make, key
// break, shift break as needed); '\n' is Enter, '\t' Tab, '\b' Backspace,
// 0x1B Escape. Returns false (and appends nothing) for a character with no key.
bool ps2_type_char(char c, std::vector<std::vector<uint8_t>>& events);

// What a PS/2 device has to send, in order.
struct Ps2Output {
  std::deque<uint8_t> resp;      // command responses
  std::deque<uint8_t> stream;    // key sequences / movement packets, back to back
  std::deque<uint8_t> unit_len;  // length of each unit in `stream` not yet started
  unsigned unit_left = 0;        // bytes still to send of the unit in transmission
  uint8_t last = 0;              // the last byte sent (for the resend command)

  bool empty() const { return resp.empty() && stream.empty(); }
  // True when the next byte pulled starts a new stream unit.
  bool next_starts_unit() const { return unit_left == 0 && resp.empty() && !stream.empty(); }
  void push_resp(uint8_t b) { resp.push_back(b); }
  void push_unit(const uint8_t* b, unsigned n);
  uint8_t pull();  // precondition: !empty()
  void clear();    // drop everything, including the rest of a unit in transmission
  void drop_units();  // drop the stream units not yet started
};

class Ps2Keyboard {
 public:
  Ps2Keyboard() { power_on(); }
  void power_on();  // enabled, set 2, LEDs off, nothing queued

  // Host input: one key event (make or break) as a set-2 sequence of 1-8
  // bytes, e.g. {0x1C} (A make), {0xF0,0x1C} (A break), {0xE0,0x75} (Up make).
  // Converted to set 1 if the guest selected set 1. Dropped while the guest
  // has disabled scanning (command F5), as a real keyboard does. Typematic
  // repeat is the host's business (send the make again).
  void key(std::span<const uint8_t> set2);

  void receive(uint8_t b);  // a command or argument byte from the controller
  bool has_output() const { return !out_.empty(); }
  bool next_starts_event() const { return out_.next_starts_unit(); }
  uint8_t pull() { return out_.pull(); }

  uint8_t leds() const { return leds_; }  // bit 0 Scroll, 1 Num, 2 Caps Lock
  unsigned scan_set() const { return set_; }
  bool scanning() const { return scanning_; }
  uint8_t typematic() const { return typematic_; }

 private:
  void defaults();
  Ps2Output out_;
  uint8_t pending_ = 0;  // command waiting for its argument (ED, F0, F3), or 0
  uint8_t leds_ = 0;
  uint8_t typematic_ = 0x2B;  // 10.9 characters/s, 500 ms delay
  unsigned set_ = 2;
  bool scanning_ = true;
};

class Ps2Mouse {
 public:
  Ps2Mouse() { power_on(); }
  void power_on();  // defaults, reporting disabled, stream mode, standard ID 00

  // Host input: relative motion with dx > 0 to the right and dy > 0 DOWN the
  // screen (the packet carries -dy: PS/2 counts up as positive), wheel dz > 0
  // scrolling up/away from the user (sent as -dz, only once the guest has
  // enabled the IntelliMouse wheel), buttons bit 0 left, 1 right, 2 middle.
  // Motion accumulates until a packet can be sent; large motion is split.
  // Deltas are sent as counts: the resolution setting is kept and reported
  // (E9) but does not rescale host motion; 2:1 scaling is applied.
  void move(int dx, int dy, unsigned buttons, int dz = 0);

  void receive(uint8_t b);
  bool has_output() const { return !out_.empty(); }
  uint8_t pull();  // may queue the next packet from accumulated motion

  bool reporting() const { return reporting_; }
  uint8_t id() const { return id_; }
  uint8_t sample_rate() const { return rate_; }
  uint8_t resolution() const { return resolution_; }
  bool scaling21() const { return scaling21_; }
  bool remote() const { return remote_; }
  bool wrap() const { return wrap_; }

 private:
  void defaults();
  unsigned build(bool force, uint8_t* p);
  void packet();  // queue accumulated motion as a packet, if any
  int scale(int v) const;
  Ps2Output out_;
  uint8_t pending_ = 0;  // F3 or E8 waiting for its argument, or 0
  uint8_t rate_ = 100, resolution_ = 2, id_ = 0;
  uint8_t rate_hist_[3] = {};  // last three sample rates (IntelliMouse knock)
  bool scaling21_ = false, reporting_ = false, remote_ = false, wrap_ = false;
  int acc_dx_ = 0, acc_dy_ = 0, acc_dz_ = 0;  // in PS/2 direction (up positive)
  unsigned buttons_ = 0, sent_buttons_ = 0;
};

}  // namespace devices
