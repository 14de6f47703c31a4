// devices::Uart (NS16550A) through its ports on an IoBus, with a fake virtual
// clock (1 instruction = 1 ns).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "devices/iobus.h"
#include "devices/scheduler.h"
#include "devices/uart.h"

using devices::Uart;

namespace {

struct FakeIrq : devices::IrqSink {
  bool level[16] = {};
  int rises[16] = {};
  void set_irq(unsigned line, bool l) override {
    if (l && !level[line]) ++rises[line];
    level[line] = l;
  }
};

struct Rig {
  uint64_t clock = 0;
  devices::Scheduler sched{&clock, 1'000'000'000};
  FakeIrq irq;
  devices::IoBus bus;
  Uart com{sched, irq, Uart::kCom1Base, Uart::kCom1Irq};
  std::string sent;
  std::vector<uint64_t> sent_at;
  Rig() {
    com.map(bus);
    com.on_transmit = [this](uint8_t b) {
      sent.push_back(char(b));
      sent_at.push_back(clock);
    };
  }
  uint8_t in(unsigned off) { return uint8_t(bus.in(uint16_t(0x3F8 + off), 1)); }
  void out(unsigned off, uint8_t v) { bus.out(uint16_t(0x3F8 + off), 1, v); }
  void run_until(uint64_t t) {
    while (clock < t) {
      clock += sched.instructions_until_next(t - clock);
      sched.run_due();
    }
  }
  void wait(uint64_t ns) { run_until(clock + ns); }
  // 115200 baud, 8N1.
  void fast() {
    out(Uart::LCR, 0x80);
    out(Uart::DLL, 1);
    out(Uart::DLM, 0);
    out(Uart::LCR, 0x03);
  }
  bool irq4() const { return irq.level[4]; }
};

constexpr uint64_t kCt = 86'805;  // 10 bits at 115200 baud, in ns

}  // namespace

TEST_CASE("uart: reset values, scratch, IER and the divisor latch") {
  Rig r;
  CHECK(r.in(Uart::LSR) == 0x60);
  CHECK(r.in(Uart::IIR) == 0x01);
  CHECK(r.in(Uart::MSR) == 0xB0);  // CTS, DSR, DCD from the host side; no deltas
  CHECK(r.in(Uart::IER) == 0x00);
  CHECK(r.in(Uart::LCR) == 0x00);
  CHECK(r.in(Uart::MCR) == 0x00);
  CHECK(r.com.divisor() == 1);
  r.out(Uart::SCR, 0xA5);
  CHECK(r.in(Uart::SCR) == 0xA5);
  r.out(Uart::SCR, 0x5A);
  CHECK(r.in(Uart::SCR) == 0x5A);
  r.out(Uart::IER, 0xFF);
  CHECK(r.in(Uart::IER) == 0x0F);
  r.out(Uart::IER, 0x00);
  r.out(Uart::LCR, 0x83);
  r.out(Uart::DLL, 0x34);
  r.out(Uart::DLM, 0x12);
  CHECK(r.in(Uart::DLL) == 0x34);
  CHECK(r.in(Uart::DLM) == 0x12);
  CHECK(r.in(Uart::LCR) == 0x83);
  r.out(Uart::LCR, 0x03);
  CHECK(r.in(Uart::IER) == 0x00);
  CHECK(r.com.divisor() == 0x1234);
  r.out(Uart::MCR, 0xFF);
  CHECK(r.in(Uart::MCR) == 0x1F);
  // 2-byte accesses are split into byte registers.
  r.out(Uart::LCR, 0x80);
  r.bus.out(0x3F8, 2, 0x0203);
  CHECK(r.com.divisor() == 0x0203);
  CHECK(r.bus.in(0x3F8, 2) == 0x0203);
  r.out(Uart::LCR, 0x03);
  CHECK(r.bus.in(0x3FE, 4) == 0xFFFF5AF0u);  // MSR (loopback lines), SCR, then beyond the UART
}

TEST_CASE("uart: character time from divisor and line control") {
  Rig r;
  r.fast();
  CHECK(r.com.char_time_ns() == kCt);
  r.out(Uart::LCR, 0x1E);  // 7 data bits, even parity, 2 stop bits: 11 bits
  CHECK(r.com.char_time_ns() == 95'486);
  r.out(Uart::LCR, 0x04);  // 5 data bits, 1.5 stop bits
  CHECK(r.com.char_time_ns() == 65'104);
  r.out(Uart::LCR, 0x83);
  r.out(Uart::DLL, 12);
  r.out(Uart::LCR, 0x03);
  CHECK(r.com.char_time_ns() == 1'041'666);  // 9600 baud
}

TEST_CASE("uart: the probes SeaBIOS and Linux make") {
  Rig r;
  // SeaBIOS: IER=2 reads back, and IIR reports THR empty at once.
  r.out(Uart::IER, 0x02);
  CHECK(r.in(Uart::IER) == 0x02);
  CHECK((r.in(Uart::IIR) & 0x3F) == 0x02);
  CHECK(r.in(Uart::IIR) == 0x01);  // reading IIR cleared it
  // Linux: re-enabling THRI re-asserts the THRE interrupt.
  r.out(Uart::IER, 0x00);
  r.out(Uart::IER, 0x02);
  CHECK(r.in(Uart::IIR) == 0x02);
  r.out(Uart::IER, 0x00);
  // FIFO detection: IIR bits 7:6 = 11 with FIFOs on, bit 5 stays 0 (no 64-byte FIFO).
  r.out(Uart::FCR, 0x01);
  CHECK(r.in(Uart::IIR) == 0xC1);
  r.out(Uart::FCR, 0x21);
  CHECK((r.in(Uart::IIR) >> 5) == 6);
  r.out(Uart::FCR, 0x00);
  CHECK(r.in(Uart::IIR) == 0x01);
  // Loopback test: RTS and OUT2 show up as CTS and DCD.
  r.out(Uart::MCR, 0x1A);
  CHECK((r.in(Uart::MSR) & 0xF0) == 0x90);
  r.out(Uart::MCR, 0x00);
  CHECK((r.in(Uart::MSR) & 0xF0) == 0xB0);
}

TEST_CASE("uart: transmit at the baud rate through the FIFO, THRE interrupt when it empties") {
  Rig r;
  r.fast();
  r.out(Uart::FCR, 0x07);
  r.out(Uart::MCR, Uart::MCR_OUT2);
  r.out(Uart::IER, 0x02);
  CHECK(r.irq4());
  CHECK(r.in(Uart::IIR) == 0xC2);
  CHECK(!r.irq4());
  for (char c : std::string("ABC")) r.out(Uart::THR, uint8_t(c));
  CHECK(r.sent == "A");  // straight into the shift register
  CHECK(r.in(Uart::LSR) == 0x00);
  CHECK(!r.irq4());
  r.wait(kCt);
  CHECK(r.sent == "AB");
  CHECK(!r.irq4());
  r.wait(kCt);
  CHECK(r.sent == "ABC");
  CHECK(r.sent_at == std::vector<uint64_t>{0, kCt, 2 * kCt});
  CHECK(r.in(Uart::LSR) == Uart::LSR_THRE);  // FIFO empty, shift register busy
  CHECK(r.irq4());
  CHECK(r.irq.rises[4] == 3);  // IER, 'A' leaving THR at once, the FIFO emptying
  r.wait(kCt);
  CHECK(r.in(Uart::LSR) == (Uart::LSR_THRE | Uart::LSR_TEMT));
  CHECK(r.in(Uart::IIR) == 0xC2);
  CHECK(!r.irq4());
  // Without OUT2 the PC's interrupt line stays low.
  r.out(Uart::MCR, 0);
  r.out(Uart::THR, 'D');
  CHECK(r.in(Uart::IIR) == 0xC2);
  CHECK(!r.irq4());
  // A full FIFO drops further bytes; flush_tx hands the rest over at exit.
  r.wait(10 * kCt);
  r.sent.clear();
  for (int k = 0; k < 20; ++k) r.out(Uart::THR, uint8_t('a' + k));
  CHECK(r.sent == "a");
  r.com.flush_tx();
  CHECK(r.sent == "abcdefghijklmnopq");  // 1 in the shift register + 16 in the FIFO
  CHECK((r.in(Uart::LSR) & Uart::LSR_THRE));
}

TEST_CASE("uart: 16450 mode holds one byte in THR; a second write overwrites it") {
  Rig r;
  r.fast();
  r.out(Uart::THR, 'A');
  r.out(Uart::THR, 'B');
  r.out(Uart::THR, 'C');
  CHECK(r.in(Uart::LSR) == 0x00);
  r.wait(kCt);
  CHECK(r.sent == "AC");
  CHECK(r.in(Uart::LSR) == Uart::LSR_THRE);
  r.wait(kCt);
  CHECK(r.in(Uart::LSR) == 0x60);
  // The word length masks the transmitted bits.
  r.out(Uart::LCR, 0x02);
  r.out(Uart::THR, 0xC1);
  CHECK(r.sent.back() == 0x41);
}

TEST_CASE("uart: receive FIFO trigger level and character timeout") {
  Rig r;
  r.fast();
  r.out(Uart::FCR, 0x41);  // FIFO on, trigger at 4
  r.out(Uart::MCR, Uart::MCR_OUT2);
  r.out(Uart::IER, 0x01);
  r.com.receive("abcdef");
  r.wait(3 * kCt);
  CHECK((r.in(Uart::LSR) & Uart::LSR_DR));
  CHECK(r.in(Uart::IIR) == 0xC1);
  r.wait(kCt);
  CHECK(r.in(Uart::IIR) == 0xC4);
  CHECK(r.irq4());
  r.wait(2 * kCt);
  CHECK(r.com.host_input_pending() == 0);
  CHECK(r.in(Uart::RBR) == 'a');
  CHECK(r.in(Uart::IIR) == 0xC4);
  CHECK(r.in(Uart::RBR) == 'b');
  CHECK(r.in(Uart::RBR) == 'c');
  CHECK(r.in(Uart::IIR) == 0xC1);  // 3 left: below the trigger
  CHECK(!r.irq4());
  r.wait(4 * kCt - 1);
  CHECK(r.in(Uart::IIR) == 0xC1);
  r.wait(1);
  CHECK(r.in(Uart::IIR) == 0xCC);  // character timeout
  CHECK(r.irq4());
  CHECK(r.in(Uart::RBR) == 'd');
  CHECK(r.in(Uart::IIR) == 0xC1);
  r.wait(4 * kCt);
  CHECK(r.in(Uart::IIR) == 0xCC);
  CHECK(r.in(Uart::RBR) == 'e');
  CHECK(r.in(Uart::RBR) == 'f');
  CHECK(!(r.in(Uart::LSR) & Uart::LSR_DR));
  r.wait(10 * kCt);
  CHECK(r.in(Uart::IIR) == 0xC1);
  // FCR bit 1 empties the receive FIFO.
  r.com.receive("xy");
  r.wait(2 * kCt);
  r.out(Uart::FCR, 0x43);
  CHECK(!(r.in(Uart::LSR) & Uart::LSR_DR));
}

TEST_CASE("uart: host input waits for room instead of overrunning") {
  Rig r;
  r.fast();
  r.com.receive("xyz");
  r.wait(10 * kCt);
  CHECK(r.in(Uart::LSR) == 0x61);
  CHECK(r.com.host_input_pending() == 2);
  CHECK(r.in(Uart::RBR) == 'x');
  CHECK(!(r.in(Uart::LSR) & Uart::LSR_DR));
  r.wait(kCt);
  CHECK(r.in(Uart::RBR) == 'y');
  r.wait(kCt);
  CHECK(r.in(Uart::RBR) == 'z');
  CHECK(r.in(Uart::LSR) == 0x60);  // never an overrun
  CHECK(r.in(Uart::RBR) == 'z');   // an empty RBR reads its last byte
}

TEST_CASE("uart: loopback (TX to RX, MCR to MSR, overrun, no IRQ, host input held)") {
  Rig r;
  r.fast();
  r.out(Uart::MCR, 0x1F);
  CHECK(r.in(Uart::MSR) == 0xF0);  // RI rose: no delta (TERI is the trailing edge)
  r.out(Uart::MCR, 0x10);
  CHECK(r.in(Uart::MSR) == 0x0F);  // all four fell
  CHECK(r.in(Uart::MSR) == 0x00);
  r.out(Uart::THR, 'Q');
  CHECK(r.sent.empty());
  CHECK(!(r.in(Uart::LSR) & Uart::LSR_DR));
  r.wait(kCt);
  CHECK(r.in(Uart::LSR) == 0x61);
  CHECK(r.in(Uart::RBR) == 'Q');
  // Two bytes without reading: the second overruns (16450 mode overwrites RBR).
  r.out(Uart::THR, 'R');
  r.out(Uart::THR, 'S');
  r.wait(2 * kCt);
  CHECK(r.in(Uart::LSR) == 0x63);
  CHECK(r.in(Uart::LSR) == 0x61);  // OE cleared by the read
  CHECK(r.in(Uart::RBR) == 'S');
  // Host input is held while the receiver is disconnected.
  r.com.receive('h');
  r.wait(5 * kCt);
  CHECK(!(r.in(Uart::LSR) & Uart::LSR_DR));
  // Interrupts work inside the UART but OUT2 does not reach the PC's IRQ gate.
  r.out(Uart::MCR, 0x18);
  r.out(Uart::IER, 0x02);
  CHECK(r.in(Uart::IIR) == 0x02);
  r.out(Uart::IER, 0x00);
  r.out(Uart::IER, 0x02);
  CHECK(!r.irq4());
  r.out(Uart::MCR, 0x08);
  CHECK(r.irq4());
  r.wait(kCt);
  CHECK(r.in(Uart::RBR) == 'h');
  CHECK(r.sent.empty());
}

TEST_CASE("uart: interrupt priorities") {
  Rig r;
  r.fast();
  r.out(Uart::MCR, 0x10);
  r.in(Uart::MSR);
  r.out(Uart::IER, 0x0F);
  CHECK(r.in(Uart::IIR) == 0x02);  // THR empty (and cleared by this read)
  r.out(Uart::THR, 'a');
  r.out(Uart::THR, 'b');
  r.wait(2 * kCt);  // 'a' received, then 'b' overruns it; THR empty again
  r.out(Uart::MCR, 0x12);  // RTS -> CTS: a modem status change
  CHECK(r.in(Uart::IIR) == 0x06);  // line status first
  CHECK(r.in(Uart::IIR) == 0x06);  // not cleared by reading IIR
  CHECK(r.in(Uart::LSR) == 0x63);
  CHECK(r.in(Uart::IIR) == 0x04);  // received data
  CHECK(r.in(Uart::RBR) == 'b');
  CHECK(r.in(Uart::IIR) == 0x02);  // THR empty, cleared by this read
  CHECK(r.in(Uart::IIR) == 0x00);  // modem status
  CHECK(r.in(Uart::MSR) == 0x11);
  CHECK(r.in(Uart::IIR) == 0x01);
}

TEST_CASE("uart: modem status inputs from the host") {
  Rig r;
  r.out(Uart::MCR, Uart::MCR_OUT2);
  r.out(Uart::IER, 0x08);
  r.com.set_modem_inputs(Uart::MSR_CTS | Uart::MSR_DSR | Uart::MSR_DCD | Uart::MSR_RI);
  CHECK(r.in(Uart::IIR) == 0x01);  // RI rising: no delta
  r.com.set_modem_inputs(Uart::MSR_CTS | Uart::MSR_DSR | Uart::MSR_DCD);
  CHECK(r.irq4());
  CHECK(r.in(Uart::IIR) == 0x00);
  CHECK(r.in(Uart::MSR) == 0xB4);  // trailing edge of RI
  CHECK(!r.irq4());
  r.com.set_modem_inputs(0);
  CHECK(r.in(Uart::MSR) == 0x0B);
  CHECK(r.in(Uart::MSR) == 0x00);
}

TEST_CASE("uart: FIFO reset by FCR and master reset") {
  Rig r;
  r.fast();
  r.out(Uart::FCR, 0x01);
  r.out(Uart::MCR, Uart::MCR_OUT2);
  for (char c : std::string("hello")) r.out(Uart::THR, uint8_t(c));
  r.out(Uart::IER, 0x02);
  CHECK(r.in(Uart::IIR) == 0xC1);  // FIFO not empty: no THRE interrupt
  r.out(Uart::FCR, 0x05);          // clear the transmit FIFO
  CHECK(r.in(Uart::IIR) == 0xC2);
  r.wait(5 * kCt);
  CHECK(r.sent == "h");
  r.out(Uart::SCR, 0x77);
  r.com.reset();
  CHECK(r.in(Uart::IIR) == 0x01);
  CHECK(r.in(Uart::LSR) == 0x60);
  CHECK(r.in(Uart::SCR) == 0x77);
  CHECK(r.com.divisor() == 1);
  CHECK(!r.irq4());
}
