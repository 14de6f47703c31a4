// devices::Pic: special mask mode as the 8259A datasheet defines it: a level
// masked while in service stops inhibiting lower levels and is skipped by a
// non-specific EOI; an unmasked level in service still inhibits.
#include <doctest/doctest.h>

#include "devices/iobus.h"
#include "devices/pic.h"

namespace {

struct SmmRig {
  devices::IoBus bus;
  devices::Pic pic;
  SmmRig() {
    pic.map(bus);
    out(0x20, 0x11), out(0x21, 0x08), out(0x21, 0x04), out(0x21, 0x01);
    out(0xA0, 0x11), out(0xA1, 0x70), out(0xA1, 0x02), out(0xA1, 0x01);
  }
  void out(uint16_t p, uint8_t v) { bus.out(p, 1, v); }
  uint8_t in(uint16_t p) { return uint8_t(bus.in(p, 1)); }
  void pulse(unsigned line) { pic.set_irq(line, true), pic.set_irq(line, false); }
  uint8_t isr() { out(0x20, 0x0B); uint8_t v = in(0x20); out(0x20, 0x0A); return v; }
};

}  // namespace

TEST_CASE("pic: special mask mode, a non-specific EOI skips a masked level in service") {
  SmmRig r;
  r.pulse(3);
  CHECK(r.pic.intr_ack() == 0x0B);
  r.out(0x21, 0x08);  // mask IR3 (in service), special mask mode on
  r.out(0x20, 0x68);
  r.pulse(6);
  CHECK(r.pic.intr_ack() == 0x0E);
  CHECK(r.isr() == 0x48);
  r.out(0x20, 0x20);  // non-specific EOI: IR6, the highest level not masked
  CHECK(r.isr() == 0x08);
  r.out(0x20, 0x20);  // IR3 is masked: a non-specific EOI leaves it
  CHECK(r.isr() == 0x08);
  r.out(0x20, 0x63);  // a specific EOI resets it
  CHECK(r.isr() == 0x00);
  // Outside special mask mode a non-specific EOI resets a masked level too.
  r.out(0x20, 0x48);
  r.out(0x21, 0x00);
  r.pulse(3);
  CHECK(r.pic.intr_ack() == 0x0B);
  r.out(0x21, 0x08);
  r.out(0x20, 0x20);
  CHECK(r.isr() == 0x00);
}

TEST_CASE("pic: special mask mode, an unmasked level in service still inhibits lower ones") {
  SmmRig r;
  r.pulse(3);
  CHECK(r.pic.intr_ack() == 0x0B);
  r.out(0x20, 0x68);  // special mask mode with IR3 unmasked
  r.pulse(6);
  CHECK(!r.pic.intr_pending());  // IR6 waits behind IR3
  r.pulse(1);
  CHECK(r.pic.intr_pending());   // a higher level still interrupts
  CHECK(r.pic.intr_ack() == 0x09);
  r.out(0x20, 0x61);             // specific EOI for IR1
  CHECK(!r.pic.intr_pending());
  r.out(0x21, 0x08);             // masking IR3 lets IR6 through
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x0E);
  CHECK(r.isr() == 0x48);
}
