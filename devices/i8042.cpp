// The i8042 keyboard controller: command/status port, output buffer, command
// byte, output port (A20, reset), translation and the two PS/2 ports.
#include "devices/i8042.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace devices {

namespace {
// Output port bits.
constexpr uint8_t OP_RESET = 0x01;  // CPU reset line, active low
constexpr uint8_t OP_A20 = 0x02;
constexpr uint8_t OP_KBD_OBF = 0x10, OP_AUX_OBF = 0x20;
// Power-on output port: reset released, A20 off, clock and data lines high.
// A20 enabled at power-on (bit 1), as on PC chipsets: the reset vector at
// FFFFFFF0h has address bit 20 set, so the BIOS could not start with it off.
constexpr uint8_t kOutPortPowerOn = 0xCF;
// Input port (command C0): keyboard not locked, no manufacturing jumper.
constexpr uint8_t kInputPort = 0xA0;
}  // namespace

I8042::I8042(Scheduler& sched, IrqSink& irq) : sched_(sched), irq_(irq) {
  timer_ = sched_.add("i8042", [this](uint64_t now) { deliver(now); });
  reset();
}

void I8042::map(IoBus& bus) {
  // Only the low byte of a wider access means anything; port 0x61 is not ours.
  bus.map(kDataPort, kDataPort, [this](uint16_t, unsigned) { return 0xFFFFFF00u | read_data(); },
          [this](uint16_t, unsigned, uint32_t v) { write_data(uint8_t(v)); });
  bus.map(kCommandPort, kCommandPort,
          [this](uint16_t, unsigned) { return 0xFFFFFF00u | read_status(); },
          [this](uint16_t, unsigned, uint32_t v) { write_command(uint8_t(v)); });
}

void I8042::reset() {
  std::memset(ram_, 0, sizeof ram_);
  ram_[0] = CB_XLATE;
  out_port_ = kOutPortPowerOn;
  ob_ = 0;
  ob_full_ = ob_aux_ = false;
  last_was_cmd_ = false;
  pending_ = P_NONE;
  pending_ram_ = 0;
  xlat_break_ = false;
  ctrl_q_.clear();
  kbd_.power_on();
  mouse_.power_on();
  any_event_ = false;
  last_event_ns_ = 0;
  sched_.disarm(timer_);
  update_irq();
  if (on_a20) on_a20(a20());
}

// ---- host input ----

void I8042::key(std::span<const uint8_t> set2) {
  kbd_.key(set2);
  pump();
}

bool I8042::type_text(std::string_view text) {
  bool all = true;
  std::vector<std::vector<uint8_t>> events;
  for (char c : text) all &= ps2_type_char(c, events);
  for (const auto& e : events) kbd_.key(e);
  pump();
  return all;
}

void I8042::mouse_move(int dx, int dy, unsigned buttons, int dz) {
  mouse_.move(dx, dy, buttons, dz);
  pump();
}

// ---- registers ----

uint8_t I8042::read_status() const {
  uint8_t s = ST_UNLOCK;
  if (ob_full_) s |= ST_OBF | (ob_aux_ ? ST_AUX : 0);
  if (ram_[0] & CB_SYS) s |= ST_SYS;
  if (last_was_cmd_) s |= ST_CMD;
  return s;
}

uint8_t I8042::read_data() {
  uint8_t v = ob_;  // an empty buffer reads the last byte again
  if (ob_full_) {
    ob_full_ = false;
    update_irq();
    pump();
  }
  return v;
}

uint8_t I8042::output_port() const {
  uint8_t v = out_port_ & uint8_t(~(OP_KBD_OBF | OP_AUX_OBF));
  if (ob_full_) v |= ob_aux_ ? OP_AUX_OBF : OP_KBD_OBF;
  return v;
}

void I8042::write_command(uint8_t v) {
  last_was_cmd_ = true;
  pending_ = P_NONE;  // a new command cancels one waiting for its data byte
  if (v >= 0x20 && v <= 0x3F) {  // read controller RAM (0x20: command byte)
    respond(ram_[v & 0x1F]);
    return;
  }
  if (v >= 0x60 && v <= 0x7F) {  // write controller RAM: next data byte
    pending_ = P_RAM;
    pending_ram_ = v & 0x1F;
    return;
  }
  if (v >= 0xF0) {  // pulse output port bits 0-3 low where v has a 0
    if (!(v & OP_RESET) && on_reset) on_reset();
    return;
  }
  switch (v) {
    case 0xA4: respond(0xF1); return;  // password installed? no
    case 0xA7: ram_[0] |= CB_AUX_DIS; return;
    case 0xA8: ram_[0] &= uint8_t(~CB_AUX_DIS); pump(); return;
    case 0xA9: respond(0x00); return;  // mouse port test: no error
    case 0xAA:  // controller self test: passed; sets the system flag
      ram_[0] |= CB_SYS;
      respond(0x55);
      return;
    case 0xAB: respond(0x00); return;  // keyboard port test: no error
    case 0xAD: ram_[0] |= CB_KBD_DIS; return;
    case 0xAE: ram_[0] &= uint8_t(~CB_KBD_DIS); pump(); return;
    case 0xC0: respond(kInputPort); return;
    case 0xD0: respond(output_port()); return;
    case 0xD1: pending_ = P_OUTPORT; return;
    case 0xD2: pending_ = P_KBD_OB; return;
    case 0xD3: pending_ = P_AUX_OB; return;
    case 0xD4: pending_ = P_AUX; return;
    case 0xDD: set_output_port(out_port_ & uint8_t(~OP_A20)); return;
    case 0xDF: set_output_port(out_port_ | OP_A20); return;
    default: return;  // unsupported commands are ignored
  }
}

void I8042::write_data(uint8_t v) {
  last_was_cmd_ = false;
  Pending p = pending_;
  pending_ = P_NONE;
  switch (p) {
    case P_RAM:
      ram_[pending_ram_] = v;
      if (pending_ram_ == 0) {
        update_irq();
        pump();
      }
      return;
    case P_OUTPORT: set_output_port(v); return;
    case P_KBD_OB: respond(v, false); return;
    case P_AUX_OB: respond(v, true); return;
    case P_AUX:
      mouse_.receive(v);
      pump();
      return;
    case P_NONE:
      ram_[0] &= uint8_t(~CB_KBD_DIS);
      kbd_.receive(v);
      pump();
      return;
  }
}

void I8042::set_output_port(uint8_t v) {
  uint8_t old = out_port_;
  out_port_ = v | OP_RESET;  // the reset line is a pulse: it is released again
  if (((old ^ v) & OP_A20) && on_a20) on_a20(a20());
  if (!(v & OP_RESET) && on_reset) on_reset();
}

// ---- output buffer ----

void I8042::respond(uint8_t v, bool aux) {
  ctrl_q_.push_back(CtrlByte{v, aux});
  pump();
}

void I8042::load(uint8_t v, bool aux) {
  ob_ = v;
  ob_full_ = true;
  ob_aux_ = aux;
  update_irq();
}

// When the next device byte may be transferred (kNever: none can).
uint64_t I8042::device_ready_time() const {
  uint64_t t = Scheduler::kNever;
  if (!(ram_[0] & CB_KBD_DIS) && kbd_.has_output())
    t = (kbd_.next_starts_event() && any_event_ && key_gap_ns_) ? last_event_ns_ + key_gap_ns_ : 0;
  if (!(ram_[0] & CB_AUX_DIS) && mouse_.has_output()) t = 0;
  return t;
}

// Fills an empty output buffer: controller responses at once, device bytes
// through the transfer timer.
void I8042::pump() {
  if (ob_full_) return;
  if (!ctrl_q_.empty()) {
    CtrlByte c = ctrl_q_.front();
    ctrl_q_.pop_front();
    load(c.value, c.aux);
    return;
  }
  uint64_t t = device_ready_time();
  if (t == Scheduler::kNever) {
    sched_.disarm(timer_);
    return;
  }
  uint64_t when = std::max(sched_.now() + byte_delay_ns, t);
  if (!sched_.armed(timer_) || sched_.deadline(timer_) > when) sched_.arm(timer_, when);
}

void I8042::deliver(uint64_t now) {
  if (ob_full_ || !ctrl_q_.empty()) {
    pump();
    return;
  }
  uint8_t cb = ram_[0];
  bool kbd = !(cb & CB_KBD_DIS) && kbd_.has_output();
  if (kbd && kbd_.next_starts_event() && any_event_ && key_gap_ns_ && now < last_event_ns_ + key_gap_ns_)
    kbd = false;
  if (kbd) {
    if (kbd_.next_starts_event()) {
      last_event_ns_ = now;
      any_event_ = true;
    }
    uint8_t b = kbd_.pull();
    if (cb & CB_XLATE) {
      if (b == 0xF0) {  // break prefix: folded into the next code
        xlat_break_ = true;
        pump();
        return;
      }
      b = uint8_t(ps2_set2_to_set1(b) | (xlat_break_ ? 0x80 : 0));
      xlat_break_ = false;
    }
    load(b, false);
  } else if (!(cb & CB_AUX_DIS) && mouse_.has_output()) {
    load(mouse_.pull(), true);
  } else {
    pump();
  }
}

void I8042::update_irq() {
  bool kbd = ob_full_ && !ob_aux_ && (ram_[0] & CB_KBD_INT);
  bool aux = ob_full_ && ob_aux_ && (ram_[0] & CB_AUX_INT);
  if (kbd != irq1_) irq_.set_irq(kKbdIrq, irq1_ = kbd);
  if (aux != irq12_) irq_.set_irq(kMouseIrq, irq12_ = aux);
}

}  // namespace devices
