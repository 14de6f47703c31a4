// The PS/2 mouse (IBM PS/2 mouse protocol), with the IntelliMouse wheel
// extension (device ID 3 after the sample-rate sequence 200, 100, 80).
#include <algorithm>

#include "devices/ps2.h"

namespace devices {

namespace {
constexpr uint8_t kAck = 0xFA, kResend = 0xFE;

bool valid_rate(uint8_t r) {
  switch (r) {
    case 10: case 20: case 40: case 60: case 80: case 100: case 200: return true;
    default: return false;
  }
}
}  // namespace

void Ps2Mouse::power_on() {
  out_.clear();
  out_.last = 0;
  pending_ = 0;
  id_ = 0;
  wrap_ = false;
  buttons_ = sent_buttons_ = 0;
  rate_hist_[0] = rate_hist_[1] = rate_hist_[2] = 0;
  defaults();
}

// Sample rate 100, resolution 4 counts/mm, scaling 1:1, reporting disabled,
// stream mode, counters cleared.
void Ps2Mouse::defaults() {
  rate_ = 100;
  resolution_ = 2;
  scaling21_ = false;
  reporting_ = false;
  remote_ = false;
  acc_dx_ = acc_dy_ = acc_dz_ = 0;
  out_.drop_units();
}

void Ps2Mouse::move(int dx, int dy, unsigned buttons, int dz) {
  acc_dx_ += dx;
  acc_dy_ -= dy;  // PS/2: up is positive
  if (id_ == 3) acc_dz_ -= dz;
  buttons_ = buttons & 7;
  if (out_.stream.empty() && out_.unit_left == 0) packet();
}

// 2:1 scaling per the PS/2 mouse specification (stream mode only).
int Ps2Mouse::scale(int v) const {
  if (!scaling21_) return v;
  int a = v < 0 ? -v : v;
  static constexpr int kSmall[6] = {0, 1, 1, 3, 6, 9};
  int s = a <= 5 ? kSmall[a] : 2 * a;
  return v < 0 ? -s : s;
}

// Builds one packet from the accumulated motion (at most -256..255 per axis,
// -8..7 for the wheel; the rest stays accumulated for the next packet) and
// returns its length. `force` (the Read Data command) builds one even without
// motion and unscaled; otherwise only in stream mode with reporting enabled
// and something to report (0 = nothing).
unsigned Ps2Mouse::build(bool force, uint8_t* p) {
  if (!force) {
    if (remote_ || !reporting_) return 0;
    if (!acc_dx_ && !acc_dy_ && !acc_dz_ && buttons_ == sent_buttons_) return 0;
  }
  int dx = std::clamp(acc_dx_, -256, 255), dy = std::clamp(acc_dy_, -256, 255);
  int dz = std::clamp(acc_dz_, -8, 7);
  acc_dx_ -= dx;
  acc_dy_ -= dy;
  acc_dz_ -= dz;
  uint8_t b0 = uint8_t(0x08 | buttons_);
  if (!force) {
    dx = scale(dx);
    dy = scale(dy);
    if (dx < -256 || dx > 255) b0 |= 0x40;
    if (dy < -256 || dy > 255) b0 |= 0x80;
    dx = std::clamp(dx, -256, 255);
    dy = std::clamp(dy, -256, 255);
  }
  if (dx < 0) b0 |= 0x10;
  if (dy < 0) b0 |= 0x20;
  p[0] = b0;
  p[1] = uint8_t(dx);
  p[2] = uint8_t(dy);
  p[3] = uint8_t(dz);
  sent_buttons_ = buttons_;
  return id_ == 3 ? 4 : 3;
}

void Ps2Mouse::packet() {
  uint8_t p[4];
  if (unsigned n = build(false, p)) out_.push_unit(p, n);
}

uint8_t Ps2Mouse::pull() {
  uint8_t b = out_.pull();
  if (out_.stream.empty() && out_.unit_left == 0) packet();
  return b;
}

void Ps2Mouse::receive(uint8_t b) {
  if (wrap_ && b != 0xEC && b != 0xFF) {  // wrap (echo) mode
    out_.push_resp(b);
    return;
  }
  if (pending_) {
    uint8_t cmd = pending_;
    pending_ = 0;
    if (cmd == 0xF3) {  // sample rate argument
      if (!valid_rate(b)) {
        out_.push_resp(kResend);
        return;
      }
      out_.push_resp(kAck);
      rate_ = b;
      rate_hist_[0] = rate_hist_[1];
      rate_hist_[1] = rate_hist_[2];
      rate_hist_[2] = b;
      if (rate_hist_[0] == 200 && rate_hist_[1] == 100 && rate_hist_[2] == 80) id_ = 3;
      return;
    }
    if (cmd == 0xE8) {  // resolution argument: 1, 2, 4, 8 counts/mm
      if (b > 3) {
        out_.push_resp(kResend);
        return;
      }
      out_.push_resp(kAck);
      resolution_ = b;
      return;
    }
  }
  switch (b) {
    case 0xE6: out_.push_resp(kAck); scaling21_ = false; return;
    case 0xE7: out_.push_resp(kAck); scaling21_ = true; return;
    case 0xE8: case 0xF3: out_.push_resp(kAck); pending_ = b; return;
    case 0xE9: {  // status request
      out_.push_resp(kAck);
      uint8_t s = uint8_t((remote_ ? 0x40 : 0) | (reporting_ ? 0x20 : 0) | (scaling21_ ? 0x10 : 0));
      if (buttons_ & 1) s |= 0x04;  // left
      if (buttons_ & 4) s |= 0x02;  // middle
      if (buttons_ & 2) s |= 0x01;  // right
      out_.push_resp(s);
      out_.push_resp(resolution_);
      out_.push_resp(rate_);
      return;
    }
    case 0xEA:  // stream mode
      out_.push_resp(kAck);
      remote_ = false;
      acc_dx_ = acc_dy_ = acc_dz_ = 0;
      return;
    case 0xEB:  // read data: one packet now, whatever the mode
    {
      out_.push_resp(kAck);
      uint8_t p[4];
      unsigned n = build(true, p);  // the packet is a response: right after the ACK
      for (unsigned k = 0; k < n; ++k) out_.push_resp(p[k]);
      return;
    }
    case 0xEC: out_.push_resp(kAck); wrap_ = false; return;
    case 0xEE: out_.push_resp(kAck); wrap_ = true; return;
    case 0xF0:  // remote mode
      out_.push_resp(kAck);
      remote_ = true;
      out_.drop_units();
      return;
    case 0xF2:  // get device ID
      out_.push_resp(kAck);
      out_.push_resp(id_);
      return;
    case 0xF4:  // enable data reporting
      out_.push_resp(kAck);
      reporting_ = true;
      acc_dx_ = acc_dy_ = acc_dz_ = 0;
      sent_buttons_ = buttons_;
      return;
    case 0xF5:  // disable data reporting
      out_.push_resp(kAck);
      reporting_ = false;
      out_.drop_units();
      acc_dx_ = acc_dy_ = acc_dz_ = 0;
      return;
    case 0xF6: out_.push_resp(kAck); defaults(); return;
    case 0xFE: out_.push_resp(out_.last); return;
    case 0xFF: {  // reset: ACK, self test passed, ID 00; defaults
      out_.clear();  // the rest of a packet in transmission is lost too
      out_.push_resp(kAck);
      wrap_ = false;
      id_ = 0;
      defaults();
      out_.push_resp(0xAA);
      out_.push_resp(0x00);
      return;
    }
    default: out_.push_resp(kResend); return;
  }
}

}  // namespace devices
