#include "devices/pic.h"

#include "devices/byteio.h"

namespace devices {

namespace {
// Writable ELCR bits (PIIX3): IRQ0, 1, 2 on the master and IRQ8, 13 on the
// slave must stay edge triggered.
constexpr uint8_t kElcrMask[2] = {0xF8, 0xDE};
}  // namespace

Pic::Pic() { reset(); }

void Pic::reset() {
  chip_[0] = Chip{};
  chip_[1] = Chip{};
  intr_ = false;
}

void Pic::map(IoBus& bus) {
  auto rd = [this](uint16_t p) { return read(p); };
  auto wr = [this](uint16_t p, uint8_t v) { write(p, v); };
  map_bytes(bus, 0x20, 0x21, rd, wr);
  map_bytes(bus, 0xA0, 0xA1, rd, wr);
  map_bytes(bus, 0x4D0, 0x4D1, rd, wr);
}

// The in-service levels the priority logic sees: in special mask mode a level
// whose IMR bit is set neither inhibits lower levels nor is reset by a
// non-specific EOI (8259A datasheet, special mask mode and EOI).
static uint8_t visible_isr(const Pic::Chip& k) {
  return k.special_mask ? uint8_t(k.isr & ~k.imr) : k.isr;
}

// The highest-priority request that may interrupt now, honouring the IMR, the
// in-service levels (fully nested, special fully nested on the master, or
// special mask mode) and the rotating priority; -1 if none.
int Pic::pending_level(unsigned c) const {
  const Chip& k = chip_[c];
  uint8_t req = k.irr & ~k.imr;
  if (!req) return -1;
  uint8_t isr = visible_isr(k);
  for (unsigned i = 0; i < 8; ++i) {
    unsigned lv = (k.lowest + 1 + i) & 7;
    uint8_t bit = uint8_t(1u << lv);
    if (isr & bit) {
      // Special fully nested mode: the master recognises a new request from
      // the slave while the slave's level is in service.
      if (c == 0 && k.sfnm && lv == 2 && (req & bit)) return 2;
      return -1;
    }
    if (req & bit) return int(lv);
  }
  return -1;
}

int Pic::ack_chip(unsigned c) {
  int lv = pending_level(c);
  if (lv < 0) return -1;
  Chip& k = chip_[c];
  uint8_t bit = uint8_t(1u << lv);
  if (!(k.elcr & bit)) k.irr &= ~bit;  // the edge latch is consumed; a level request stays
  if (k.auto_eoi) {
    if (k.rotate_on_aeoi) k.lowest = uint8_t(lv);
  } else {
    k.isr |= bit;
  }
  return lv;
}

uint8_t Pic::intr_ack() {
  uint8_t vec;
  int m = ack_chip(0);
  if (m < 0) {
    vec = chip_[0].vector_base | 7;  // spurious IRQ 7
  } else if (m == 2) {
    int s = ack_chip(1);
    vec = chip_[1].vector_base | uint8_t(s < 0 ? 7 : s);  // s < 0: spurious IRQ 15
    // The slave's INT drops during the INTA sequence; a request still pending
    // afterwards is a fresh edge on the master's IR2.
    chip_[0].input &= ~4;
  } else {
    vec = chip_[0].vector_base | uint8_t(m);
  }
  intr_ = false;  // INTR falls with the acknowledge
  update();
  return vec;
}

void Pic::set_input(unsigned c, unsigned level, bool high) {
  Chip& k = chip_[c];
  uint8_t bit = uint8_t(1u << level);
  if (high) {
    if (!(k.input & bit)) {
      k.input |= bit;
      k.irr |= bit;
    }
  } else {
    k.input &= ~bit;
    if (k.elcr & bit) k.irr &= ~bit;  // a level request vanishes with the line
  }
}

void Pic::set_irq(unsigned line, bool level) {
  if (line == 2) line = 9;  // AT wiring: the ISA bus IRQ2 pin is IRQ9
  if (line > 15) return;
  set_input(line >> 3, line & 7, level);
  update();
}

void Pic::update() {
  set_input(0, 2, pending_level(1) >= 0);
  bool out = pending_level(0) >= 0;
  bool rise = out && !intr_;
  intr_ = out;
  if (rise && intr_cb_) intr_cb_();
}

void Pic::eoi(unsigned c, int level, bool rotate) {
  Chip& k = chip_[c];
  if (level < 0) {
    // Non-specific: the highest-priority level in service (not one masked in
    // special mask mode).
    uint8_t isr = visible_isr(k);
    for (unsigned i = 0; i < 8 && level < 0; ++i) {
      unsigned lv = (k.lowest + 1 + i) & 7;
      if (isr & (1u << lv)) level = int(lv);
    }
    if (level < 0) return;
  }
  k.isr &= uint8_t(~(1u << level));
  if (rotate) k.lowest = uint8_t(level);
}

void Pic::write_command(unsigned c, uint8_t v) {
  Chip& k = chip_[c];
  if (v & 0x10) {  // ICW1: start initialization
    k.init_step = 2;
    k.icw4_needed = v & 0x01;
    k.single = v & 0x02;
    k.imr = 0;
    k.isr = 0;
    k.irr = k.input & k.elcr;  // edge sense reset: a high edge line must rise again
    k.lowest = 7;
    k.special_mask = k.poll = k.read_isr = false;
    k.auto_eoi = k.rotate_on_aeoi = k.sfnm = false;
  } else if (v & 0x08) {  // OCW3
    if (v & 0x04) k.poll = true;
    if (v & 0x02) k.read_isr = v & 0x01;
    if (v & 0x40) k.special_mask = v & 0x20;
  } else {  // OCW2
    unsigned lv = v & 7;
    switch (v >> 5) {
      case 0: k.rotate_on_aeoi = false; break;
      case 1: eoi(c, -1, false); break;
      case 2: break;  // no operation
      case 3: eoi(c, int(lv), false); break;
      case 4: k.rotate_on_aeoi = true; break;
      case 5: eoi(c, -1, true); break;
      case 6: k.lowest = uint8_t(lv); break;
      case 7: eoi(c, int(lv), true); break;
    }
  }
  update();
}

void Pic::write_data(unsigned c, uint8_t v) {
  Chip& k = chip_[c];
  switch (k.init_step) {
    case 2:  // ICW2
      k.vector_base = v & 0xF8;
      k.init_step = k.single ? (k.icw4_needed ? 4 : 0) : 3;
      break;
    case 3:  // ICW3
      k.icw3 = v;
      k.init_step = k.icw4_needed ? 4 : 0;
      break;
    case 4:  // ICW4
      k.auto_eoi = v & 0x02;
      k.sfnm = v & 0x10;
      k.init_step = 0;
      break;
    default:  // OCW1
      k.imr = v;
  }
  update();
}

uint8_t Pic::read(uint16_t port) {
  if (port == 0x4D0 || port == 0x4D1) return chip_[port & 1].elcr;
  unsigned c = port >= 0xA0;
  Chip& k = chip_[c];
  if (port & 1) return k.imr;
  if (k.poll) {
    // The read is the acknowledge: bit 7 = request present, bits 2..0 = level.
    k.poll = false;
    int lv = ack_chip(c);
    update();
    return lv < 0 ? 0x00 : uint8_t(0x80 | lv);
  }
  return k.read_isr ? k.isr : k.irr;
}

void Pic::write(uint16_t port, uint8_t value) {
  if (port == 0x4D0 || port == 0x4D1) {
    Chip& k = chip_[port & 1];
    k.elcr = value & kElcrMask[port & 1];
    k.irr = uint8_t((k.irr & ~k.elcr) | (k.input & k.elcr));
    update();
    return;
  }
  unsigned c = port >= 0xA0;
  if (port & 1)
    write_data(c, value);
  else
    write_command(c, value);
}

}  // namespace devices
