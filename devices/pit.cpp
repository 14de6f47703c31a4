#include "devices/pit.h"

#include "devices/byteio.h"

namespace devices {

namespace {
constexpr uint64_t kNever = Scheduler::kNever;

uint32_t from_bcd(uint32_t v) {
  return (v & 0xF) + 10 * ((v >> 4) & 0xF) + 100 * ((v >> 8) & 0xF) + 1000 * ((v >> 12) & 0xF);
}
uint32_t to_bcd(uint32_t v) {
  return (v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000 % 10) << 12);
}
}  // namespace

Pit::Pit(Scheduler& sched, IrqSink& irq) : sched_(sched), irq_(irq) {
  timer_ = sched_.add("pit-irq0", [this](uint64_t) { irq0_timer(); });
  reset();
}

void Pit::reset() {
  for (Channel& c : ch_) {
    c = Channel{};
    c.control = 0x36;  // LSB then MSB, mode 3, binary; no count yet
    c.mode = 3;
    c.null_until = kNever;
  }
  // Channel 1 as a BIOS leaves it for DRAM refresh: LSB only, mode 2, count 18.
  Channel& r = ch_[1];
  r.control = 0x14;
  r.mode = 2;
  r.rw = 1;
  r.cr = 18;
  r.cr_valid = true;
  start(r, 0, true);
  r.ref = 0;
  r.null_pending = false;
  ch_[2].gate = false;  // port 0x61 bit 0 is clear at reset
  irq_level_ = false;
  sched_.disarm(timer_);
}

void Pit::map(IoBus& bus) {
  map_bytes(bus, 0x40, 0x43, [this](uint16_t p) { return read(p); },
            [this](uint16_t p, uint8_t v) { write(p, v); });
}

uint64_t Pit::clock_now() const {
  return uint64_t((unsigned __int128)sched_.now() * kClockHz / 1000000000u);
}

uint64_t Pit::clock_time_ns(uint64_t clk) {
  return uint64_t(((unsigned __int128)clk * 1000000000u + kClockHz - 1) / kClockHz);
}

// Clocks counted by tick t (the count is frozen while not counting).
uint64_t Pit::elapsed(const Channel& c, uint64_t t) {
  return c.k_ref + (c.counting && t > c.ref ? t - c.ref : 0);
}

// Rising edges of OUT in (ref, t] under the current parameters.
uint64_t Pit::rises(const Channel& c, uint64_t t) {
  if (!c.loaded) return 0;
  uint64_t k0 = c.k_ref, k = elapsed(c, t), n = c.n;
  switch (c.mode) {
    case 0: case 1: return k0 < n && k >= n;
    case 4: case 5: return k0 <= n && k >= n + 1;
    case 2: return n >= 2 ? k / n - k0 / n : 0;
    default: return n >= 2 ? (k + c.phase) / n - (k0 + c.phase) / n : 0;
  }
}

// Apply a pending reload that is due and move the reference to t.
void Pit::sync(Channel& c, uint64_t t) {
  if (c.pending && c.pending_at <= t) {
    c.rise_parity ^= rises(c, c.pending_at) & 1;
    c.n = c.cr;
    c.ref = c.pending_at;
    c.k_ref = 0;
    c.phase = c.phase_next;
    c.pending = false;
  }
  if (t > c.ref) {
    c.rise_parity ^= rises(c, t) & 1;
    c.k_ref = elapsed(c, t);
    c.ref = t;
  }
}

// Load the count register into the counting element on the next clock.
void Pit::start(Channel& c, uint64_t t, bool counting) {
  c.loaded = true;
  c.counting = counting;
  c.n = c.cr;
  c.ref = t + 1;
  c.k_ref = 0;
  c.phase = 0;
  c.pending = false;
  c.null_until = t + 1;
}

// Counting element and OUT at tick t (after sync(c, t)).
Pit::Eval Pit::eval(const Channel& c, uint64_t t) {
  uint32_t m = modulus(c);
  if (!c.loaded) return {c.hold, c.mode != 0};
  uint64_t k = elapsed(c, t), n = c.n;
  auto down = [&] { return uint32_t((n + m - k % m) % m); };
  switch (c.mode) {
    case 0: return {down(), k >= n};
    case 1: return {down(), k >= n};
    case 2: {
      uint64_t r = k % n;
      return {uint32_t(n - r), !c.gate || r != n - 1};
    }
    case 3: {
      uint64_t p = (k + c.phase) % n, h = (n + 1) / 2;
      uint64_t ce;
      if (p < h)
        ce = n & 1 ? (p == 0 ? n : n + 1 - 2 * p) : n - 2 * p;
      else
        ce = n & 1 ? (p == h ? n : n - 1 - 2 * (p - h)) : n - 2 * (p - h);
      return {uint32_t(ce % m), !c.gate || p < h};
    }
    default: return {down(), k != n};  // modes 4, 5: one clock low at terminal count
  }
}

// The first tick after t at which OUT rises, or kNever.
uint64_t Pit::next_rise(Channel c, uint64_t t) {
  sync(c, t);
  if (!c.loaded || !c.counting) return kNever;
  uint64_t k = elapsed(c, t), n = c.n, target;
  switch (c.mode) {
    case 0: case 1:
      if (k >= n) return kNever;
      target = n;
      break;
    case 4: case 5:
      if (k > n) return kNever;
      target = n + 1;
      break;
    case 2:
      if (n < 2) return kNever;
      target = (k / n + 1) * n;
      break;
    default: {
      if (n < 2) return kNever;
      uint64_t p = (k + c.phase) % n;
      target = k + (n - p);
    }
  }
  uint64_t when = c.ref + (target - c.k_ref);
  if (c.pending && c.pending_at < when) {
    // The reload comes first (mode 3 at the end of a high half): continue with the new count.
    uint64_t at = c.pending_at;
    sync(c, at);
    return next_rise(c, at);
  }
  return when;
}

uint16_t Pit::read_value(const Channel& c, uint64_t t) const {
  uint32_t v = eval(c, t).ce % modulus(c);
  return uint16_t(c.bcd ? to_bcd(v) : v);
}

void Pit::latch_count(Channel& c, uint64_t t) {
  if (c.count_latched) return;  // the first latch is kept until read
  c.count_latched = true;
  c.latch = read_value(c, t);
}

void Pit::latch_status(Channel& c, uint64_t t) {
  if (c.status_latched) return;
  bool null = c.null_pending && t < c.null_until;
  c.status_latched = true;
  c.status = uint8_t((eval(c, t).out ? 0x80 : 0) | (null ? 0x40 : 0) | c.control);
}

void Pit::control(uint8_t v, uint64_t t) {
  unsigned sel = v >> 6;
  if (sel == 3) {  // read-back: bit 5 = 0 latches counts, bit 4 = 0 latches status
    for (unsigned i = 0; i < 3; ++i) {
      if (!(v & (2u << i))) continue;
      sync(ch_[i], t);
      if (!(v & 0x20)) latch_count(ch_[i], t);
      if (!(v & 0x10)) latch_status(ch_[i], t);
    }
    return;
  }
  Channel& c = ch_[sel];
  sync(c, t);
  if (!(v & 0x30)) {  // counter latch command
    latch_count(c, t);
    return;
  }
  c.hold = eval(c, t).ce;
  c.control = v & 0x3F;
  c.rw = (v >> 4) & 3;
  c.mode = (v >> 1) & 7;
  if (c.mode > 5) c.mode -= 4;
  c.bcd = v & 1;
  c.write_msb = c.read_msb = false;
  c.count_latched = c.status_latched = false;
  c.loaded = c.counting = c.pending = c.cr_valid = false;
  c.null_pending = true;
  c.null_until = kNever;
  if (sel == 0) irq0_changed(t);
}

void Pit::load(Channel& c, uint32_t value, uint64_t t) {
  uint32_t m = modulus(c);
  uint32_t v = c.bcd ? from_bcd(value) : value;
  c.cr = v == 0 ? m : v;
  c.cr_valid = true;
  c.null_pending = true;
  switch (c.mode) {
    case 0: case 4: start(c, t, c.gate); break;
    case 1: case 5: c.null_until = kNever; break;  // waits for a gate trigger
    default:
      if (!c.loaded) {
        start(c, t, c.gate);
      } else if (!c.counting) {
        c.null_until = kNever;  // the gate's rising edge reloads
      } else {
        // The end of the current period (mode 2) or half-period (mode 3).
        uint64_t k = elapsed(c, t), n = c.n, kb;
        c.phase_next = 0;
        if (c.mode == 2) {
          kb = k + (n - k % n);
        } else {
          uint64_t p = (k + c.phase) % n, h = (n + 1) / 2;
          if (p < h) {
            kb = k + (h - p);
            c.phase_next = (c.cr + 1) / 2;  // the new count starts with its low half
          } else {
            kb = k + (n - p);
          }
        }
        c.pending = true;
        c.pending_at = c.ref + (kb - c.k_ref);
        c.null_until = c.pending_at;
      }
  }
}

void Pit::write(uint16_t port, uint8_t value) {
  uint64_t t = clock_now();
  if (port == 0x43) {
    control(value, t);
    return;
  }
  unsigned i = port - 0x40;
  if (i > 2) return;
  Channel& c = ch_[i];
  sync(c, t);
  switch (c.rw) {
    case 1: load(c, value, t); break;
    case 2: load(c, uint32_t(value) << 8, t); break;
    default:
      if (!c.write_msb) {
        c.write_lsb = value;
        c.write_msb = true;
        if (c.mode == 0) {  // the first byte stops the count; OUT goes low
          c.hold = eval(c, t).ce;
          c.loaded = c.counting = false;
        }
      } else {
        c.write_msb = false;
        load(c, c.write_lsb | uint32_t(value) << 8, t);
      }
  }
  if (i == 0) irq0_changed(t);
}

uint8_t Pit::read(uint16_t port) {
  unsigned i = port - 0x40;
  if (i > 2) return 0xFF;  // the control word register is write-only
  Channel& c = ch_[i];
  if (c.status_latched) {
    c.status_latched = false;
    return c.status;
  }
  uint16_t v;
  if (c.count_latched) {
    v = c.latch;
  } else {
    uint64_t t = clock_now();
    sync(c, t);
    v = read_value(c, t);
  }
  bool msb = c.rw == 2 || (c.rw == 3 && c.read_msb);
  if (c.rw == 3) c.read_msb = !c.read_msb;
  if (c.rw != 3 || msb) c.count_latched = false;  // the latch is released once fully read
  return uint8_t(msb ? v >> 8 : v);
}

void Pit::set_gate(unsigned ch, bool level) {
  Channel& c = ch_[ch];
  if (c.gate == level) return;
  uint64_t t = clock_now();
  sync(c, t);
  c.gate = level;
  if (!level) {
    if (c.mode != 1 && c.mode != 5) c.counting = false;
    if (c.pending) {  // the rising edge will reload instead
      c.pending = false;
      c.null_until = kNever;
    }
  } else {
    switch (c.mode) {
      case 0: case 4:
        if (c.loaded) c.counting = true;
        break;
      default:  // 1, 5: trigger; 2, 3: reload
        if (c.cr_valid) start(c, t, true);
    }
  }
  if (ch == 0) irq0_changed(t);
}

bool Pit::out(unsigned ch) {
  uint64_t t = clock_now();
  sync(ch_[ch], t);
  return eval(ch_[ch], t).out;
}

uint16_t Pit::count(unsigned ch) {
  uint64_t t = clock_now();
  sync(ch_[ch], t);
  return read_value(ch_[ch], t);
}

bool Pit::refresh_toggle() {
  sync(ch_[1], clock_now());
  return ch_[1].rise_parity;
}

void Pit::irq0_changed(uint64_t t) {
  bool level = eval(ch_[0], t).out;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set_irq(0, level);
  }
  uint64_t next = next_rise(ch_[0], t);
  if (next == kNever)
    sched_.disarm(timer_);
  else
    sched_.arm(timer_, clock_time_ns(next));
}

void Pit::irq0_timer() {
  uint64_t t = clock_now();
  sync(ch_[0], t);
  // OUT0 rose: a rising edge on IRQ0.
  if (irq_level_) irq_.set_irq(0, false);
  irq_.set_irq(0, true);
  irq_level_ = true;
  irq0_changed(t);
}

}  // namespace devices
