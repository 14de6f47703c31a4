// devices::Pic: the 8259A pair, driven through its ports as a BIOS/OS would.
#include <doctest/doctest.h>

#include "devices/iobus.h"
#include "devices/pic.h"
#include "test_machine.h"

namespace {

struct PicRig {
  devices::IoBus bus;
  devices::Pic pic;
  int intr_rises = 0;

  PicRig() {
    pic.map(bus);
    pic.set_intr_callback([this] { ++intr_rises; });
    init();
  }
  // The PC/AT sequence: edge, cascade, ICW4; vectors 08h and 70h.
  void init(uint8_t icw4 = 0x01) {
    out(0x20, 0x11), out(0x21, 0x08), out(0x21, 0x04), out(0x21, icw4);
    out(0xA0, 0x11), out(0xA1, 0x70), out(0xA1, 0x02), out(0xA1, icw4);
  }
  void out(uint16_t p, uint8_t v) { bus.out(p, 1, v); }
  uint8_t in(uint16_t p) { return uint8_t(bus.in(p, 1)); }
  void pulse(unsigned line) { pic.set_irq(line, true), pic.set_irq(line, false); }
  uint8_t isr(uint16_t cmd) { out(cmd, 0x0B); uint8_t v = in(cmd); out(cmd, 0x0A); return v; }
  uint8_t irr(uint16_t cmd) { out(cmd, 0x0A); return in(cmd); }
};

}  // namespace

TEST_CASE("pic: initialization sequence, IMR and vectors") {
  PicRig r;
  CHECK(r.pic.chip(0).vector_base == 0x08);
  CHECK(r.pic.chip(1).vector_base == 0x70);
  CHECK(r.pic.chip(0).icw3 == 0x04);
  CHECK(r.pic.chip(1).icw3 == 0x02);
  CHECK(r.in(0x21) == 0x00);  // ICW1 clears the IMR
  r.out(0x21, 0xB8);
  r.out(0xA1, 0x8F);
  CHECK(r.in(0x21) == 0xB8);
  CHECK(r.in(0xA1) == 0x8F);
  // Re-initializing clears the mask again; ICW4 can be skipped (IC4 = 0).
  r.out(0x20, 0x10), r.out(0x21, 0x20), r.out(0x21, 0x04);
  CHECK(r.in(0x21) == 0x00);
  CHECK(r.pic.chip(0).vector_base == 0x20);
  CHECK(r.pic.chip(0).init_step == 0);
  // Single mode (SNGL) skips ICW3: the next data write is ICW4, then OCW1.
  r.out(0x20, 0x13), r.out(0x21, 0x40), r.out(0x21, 0x03), r.out(0x21, 0x5A);
  CHECK(r.pic.chip(0).vector_base == 0x40);
  CHECK(r.pic.chip(0).auto_eoi);
  CHECK(r.in(0x21) == 0x5A);
  // A 16-bit read of 20h gets IRR (20h) and IMR (21h).
  r.pic.set_irq(5, true);
  CHECK(r.bus.in(0x20, 2) == 0x5A20);
}

TEST_CASE("pic: master request, acknowledge, nesting and EOI") {
  PicRig r;
  CHECK(!r.pic.intr_pending());
  r.pic.set_irq(3, true);
  CHECK(r.pic.intr_pending());
  CHECK(r.intr_rises == 1);
  CHECK(r.irr(0x20) == 0x08);
  CHECK(r.pic.intr_ack() == 0x0B);
  CHECK(!r.pic.intr_pending());
  CHECK(r.isr(0x20) == 0x08);
  CHECK(r.irr(0x20) == 0x00);  // the edge latch is consumed
  // A lower priority request waits; a higher one nests.
  r.pulse(5);
  CHECK(!r.pic.intr_pending());
  r.pulse(1);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x09);
  CHECK(r.isr(0x20) == 0x0A);
  // Non-specific EOI ends the highest in-service level (IRQ1); IRQ3 still blocks IRQ5.
  r.out(0x20, 0x20);
  CHECK(r.isr(0x20) == 0x08);
  CHECK(!r.pic.intr_pending());
  int before = r.intr_rises;
  r.out(0x20, 0x20);
  CHECK(r.isr(0x20) == 0x00);
  CHECK(r.pic.intr_pending());
  CHECK(r.intr_rises == before + 1);
  CHECK(r.pic.intr_ack() == 0x0D);
  // Specific EOI for a level not highest.
  r.pulse(0);
  CHECK(r.pic.intr_ack() == 0x08);
  CHECK(r.isr(0x20) == 0x21);
  r.out(0x20, 0x65);  // specific EOI, level 5
  CHECK(r.isr(0x20) == 0x01);
}

TEST_CASE("pic: masked requests stay in IRR and are delivered on unmask") {
  PicRig r;
  r.out(0x21, 0x10);
  r.pulse(4);
  CHECK(r.irr(0x20) == 0x10);
  CHECK(!r.pic.intr_pending());
  r.out(0x21, 0x00);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x0C);
}

TEST_CASE("pic: slave requests cascade through master IR2") {
  PicRig r;
  r.pic.set_irq(12, true);
  CHECK(r.pic.intr_pending());
  CHECK(r.irr(0xA0) == 0x10);
  CHECK(r.irr(0x20) == 0x04);
  CHECK(r.pic.intr_ack() == 0x74);
  CHECK(r.isr(0xA0) == 0x10);
  CHECK(r.isr(0x20) == 0x04);
  // While IR2 is in service on the master, a higher slave request (IRQ8) is held
  // at the master in fully nested mode.
  r.pulse(8);
  CHECK(!r.pic.intr_pending());
  CHECK(r.irr(0x20) == 0x04);
  r.out(0xA0, 0x20);  // EOI to the slave: IRQ12 done; master still has IR2 in service
  CHECK(!r.pic.intr_pending());
  r.out(0x20, 0x20);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x70);
  // Masking IR2 on the master hides all slave requests.
  r.out(0xA0, 0x20), r.out(0x20, 0x20);
  r.out(0x21, 0x04);
  r.pulse(14);
  CHECK(!r.pic.intr_pending());
  r.out(0x21, 0x00);
  CHECK(r.pic.intr_ack() == 0x76);
  // Two slave requests pending: after the first INTA the second is a new edge on IR2.
  r.out(0xA0, 0x20), r.out(0x20, 0x20);
  r.init(0x03);  // auto-EOI on both chips
  r.pulse(9);
  r.pulse(11);
  CHECK(r.pic.intr_ack() == 0x71);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x73);
  CHECK(!r.pic.intr_pending());
  CHECK(r.isr(0x20) == 0x00);
  CHECK(r.isr(0xA0) == 0x00);
}

TEST_CASE("pic: ISA IRQ2 is IRQ9") {
  PicRig r;
  r.pulse(2);
  CHECK(r.pic.intr_ack() == 0x71);
}

TEST_CASE("pic: special fully nested mode lets the slave nest") {
  PicRig r;
  r.init(0x11);  // SFNM on both (only the master's matters)
  r.pulse(12);
  CHECK(r.pic.intr_ack() == 0x74);
  r.pulse(8);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x70);
  // A lower master level is still blocked by IR2 in service.
  r.pulse(5);
  CHECK(!r.pic.intr_pending());
}

TEST_CASE("pic: automatic EOI and rotation") {
  PicRig r;
  r.init(0x03);
  r.pulse(6);
  CHECK(r.pic.intr_ack() == 0x0E);
  CHECK(r.isr(0x20) == 0x00);
  // Rotate in AEOI mode: the acknowledged level becomes the lowest priority.
  r.out(0x20, 0x80);
  r.pulse(1);
  r.pulse(3);
  CHECK(r.pic.intr_ack() == 0x09);  // IR1 first (IR0 highest by default)
  CHECK(r.pic.chip(0).lowest == 1);
  r.pulse(1);                       // now IR1 is lowest: IR3 wins
  CHECK(r.pic.intr_ack() == 0x0B);
  CHECK(r.pic.intr_ack() == 0x09);
  r.out(0x20, 0x00);  // clear rotate in AEOI
  r.pulse(4);
  CHECK(r.pic.intr_ack() == 0x0C);
  CHECK(r.pic.chip(0).lowest == 1);  // no longer rotates
}

TEST_CASE("pic: set priority and rotate on EOI") {
  PicRig r;
  r.out(0x20, 0xC4);  // set priority: IR4 lowest, so IR5 highest
  r.pulse(3);
  r.pulse(6);
  CHECK(r.pic.intr_ack() == 0x0E);
  r.out(0x20, 0xA0);  // rotate on non-specific EOI: IR6 becomes lowest
  CHECK(r.pic.chip(0).lowest == 6);
  CHECK(r.isr(0x20) == 0x00);
  r.pulse(7);  // IR7 now highest
  CHECK(r.pic.intr_ack() == 0x0F);
  r.out(0x20, 0xE7);  // rotate on specific EOI 7
  CHECK(r.pic.chip(0).lowest == 7);
  CHECK(r.pic.intr_ack() == 0x0B);
}

TEST_CASE("pic: OCW3 poll mode") {
  PicRig r;
  r.out(0x21, 0xFF);  // the IMR masks polled requests too
  r.pulse(5);
  r.out(0x20, 0x0C);
  CHECK(r.in(0x20) == 0x00);
  r.out(0x21, 0x00);
  r.pulse(3);
  r.out(0x20, 0x0C);
  CHECK(r.in(0x20) == 0x83);  // highest request, acknowledged by the read
  CHECK(r.isr(0x20) == 0x08);
  CHECK(r.in(0x20) == 0x20);  // poll is one-shot: the next read is the IRR (IR5)
  r.out(0x20, 0x20);
  r.out(0x20, 0x0C);
  CHECK(r.in(0x20) == 0x85);
}

TEST_CASE("pic: special mask mode enables lower levels") {
  PicRig r;
  r.pulse(3);
  CHECK(r.pic.intr_ack() == 0x0B);
  r.out(0x21, 0x08);  // mask the level in service
  r.out(0x20, 0x68);  // set special mask mode
  CHECK(r.pic.chip(0).special_mask);
  r.pulse(6);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x0E);
  CHECK(r.isr(0x20) == 0x48);
  r.out(0x20, 0x48);  // reset special mask mode: IR3 and IR6 in service block IR7
  r.pulse(7);
  CHECK(!r.pic.intr_pending());
}

TEST_CASE("pic: ELCR selects level triggering per line") {
  PicRig r;
  r.out(0x4D0, 0xFF);
  r.out(0x4D1, 0xFF);
  CHECK(r.in(0x4D0) == 0xF8);  // IRQ0-2 reserved
  CHECK(r.in(0x4D1) == 0xDE);  // IRQ8 and IRQ13 reserved
  CHECK(r.bus.in(0x4D0, 2) == 0xDEF8);
  // Level: the request stays while the line is high and repeats after EOI.
  r.pic.set_irq(11, true);
  CHECK(r.pic.intr_ack() == 0x73);
  r.out(0xA0, 0x20), r.out(0x20, 0x20);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x73);
  r.pic.set_irq(11, false);
  r.out(0xA0, 0x20), r.out(0x20, 0x20);
  CHECK(!r.pic.intr_pending());
  CHECK(r.irr(0xA0) == 0x00);
  // Edge: a line held high requests once; it must fall and rise again.
  r.out(0x4D0, 0x00);
  r.pic.set_irq(5, true);
  CHECK(r.pic.intr_ack() == 0x0D);
  r.out(0x20, 0x20);
  CHECK(!r.pic.intr_pending());
  r.pic.set_irq(5, true);  // no edge
  CHECK(!r.pic.intr_pending());
  r.pic.set_irq(5, false);
  r.pulse(5);
  CHECK(r.pic.intr_ack() == 0x0D);
  r.out(0x20, 0x20);
  // ICW1 resets the edge sense: a line already high needs a new rising edge.
  r.pic.set_irq(4, true);
  r.init();
  CHECK(!r.pic.intr_pending());
  r.pic.set_irq(4, true);  // still high: no edge
  CHECK(!r.pic.intr_pending());
  r.pic.set_irq(4, false);
  r.pic.set_irq(4, true);
  CHECK(r.pic.intr_ack() == 0x0C);
}

TEST_CASE("pic: spurious IRQ 7 and IRQ 15") {
  PicRig r;
  r.out(0x4D0, 0x20);  // IRQ5 level
  r.out(0x4D1, 0x08);  // IRQ11 level
  // Master: the request vanishes before INTA.
  r.pic.set_irq(5, true);
  CHECK(r.pic.intr_pending());
  r.pic.set_irq(5, false);
  CHECK(r.pic.intr_ack() == 0x0F);
  CHECK(r.isr(0x20) == 0x00);  // no ISR bit for a spurious IRQ 7
  // Slave: the master has latched IR2 when the slave's request vanishes.
  r.pic.set_irq(11, true);
  r.pic.set_irq(11, false);
  CHECK(r.pic.intr_pending());
  CHECK(r.pic.intr_ack() == 0x77);
  CHECK(r.isr(0xA0) == 0x00);
  CHECK(r.isr(0x20) == 0x04);  // the master did acknowledge IR2: it needs an EOI
  r.out(0x20, 0x20);
  CHECK(!r.pic.intr_pending());
}

TEST_CASE("pic: INTR callback fires on each rise") {
  PicRig r;
  r.pulse(1);
  r.pulse(3);
  CHECK(r.intr_rises == 1);  // INTR already high for the second request
  r.pic.intr_ack();          // IRQ1 in service: IRQ3 waits, INTR low
  CHECK(r.intr_rises == 1);
  r.out(0x20, 0x20);
  CHECK(r.intr_rises == 2);
  r.pic.intr_ack();
  r.out(0x20, 0x20);
  CHECK(r.intr_rises == 2);
  CHECK(!r.pic.intr_pending());
}

TEST_CASE("pic: the interpreter takes a PIC interrupt after STI") {
  xt::TestMachine t;
  devices::Pic pic;
  pic.map(t.io);
  t.c.intr = &pic;
  pic.set_intr_callback([&] { t.c.events |= cpu::EV_IRQ; });
  // A "device" on port F0h drives IRQ3 with the value written.
  t.io.map(0xF0, 0xF0, nullptr, [&](uint16_t, unsigned, uint32_t v) { pic.set_irq(3, v & 1); });
  t.ivt_halt(0x0B);
  cpu::Exit e = t.run_code({
      0xB0, 0x11, 0xE6, 0x20,  // ICW1
      0xB0, 0x08, 0xE6, 0x21,  // ICW2: vectors 08h-0Fh
      0xB0, 0x04, 0xE6, 0x21,  // ICW3
      0xB0, 0x01, 0xE6, 0x21,  // ICW4
      0xB0, 0x01, 0xE6, 0xF0,  // raise IRQ3 with IF = 0: stays pending
      0x90,                    // nop
      0xFB,                    // sti
      0x90,                    // nop (the STI shadow)
  });                          // hlt at kCode + 23 is never reached
  CHECK(e == cpu::Exit::Halted);
  CHECK(t.c.eip == 0x050C);  // the vector 0Bh handler's HLT
  CHECK(t.mem.read<uint16_t>(t.c.gpr[cpu::ESP]) == xt::TestMachine::kCode + 23);
  CHECK(pic.chip(0).isr == 0x08);
  CHECK(!pic.intr_pending());
}
