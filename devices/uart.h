// devices::Uart: a National Semiconductor NS16550A UART (PC serial port)
// with 16-byte FIFOs, clocked at 1.8432 MHz.
//
// Wiring (the Machine):
//   Uart com1(sched, pic, Uart::kCom1Base, Uart::kCom1Irq);   // 0x3F8, IRQ 4
//   Uart com2(sched, pic, Uart::kCom2Base, Uart::kCom2Irq);   // 0x2F8, IRQ 3
//   com1.map(bus);                                 // claims base..base+7
//   com1.on_transmit = [](uint8_t b) { ... };      // stdout, a file, or unset
//   com1.receive('x');                             // host input
//   at exit: com1.flush_tx();                      // bytes still in the TX FIFO
//
// Timing, in virtual time from the divisor latch and LCR: one character time
// = (start + data + parity + stop bits) * divisor * 16 / 1843200 s.
// - Transmit: a byte moves from THR/TX FIFO into the shift register as soon
//   as that is free, and is handed to on_transmit at that moment (masked to
//   the word length); the shift register is busy for one character time.
//   THRE (and its interrupt) comes when the THR/FIFO becomes empty, so a
//   guest that writes one byte per THRE interrupt transmits at the baud rate.
//   A byte written to a full THR/FIFO is lost, as on the real part.
// - Receive: host bytes (receive()) are queued and delivered one per
//   character time while the receiver has room (host-side flow control, so
//   host input is never overrun); overrun occurs only in loopback.
// - FIFO mode: RDA interrupt at the trigger level, character timeout after
//   four character times without FIFO activity.
// - Loopback (MCR bit 4): TX goes to RX after a character time and not to
//   on_transmit; MSR inputs come from MCR (RTS->CTS, DTR->DSR, OUT1->RI,
//   OUT2->DCD); host input waits until loopback ends.
// - The IRQ line to the PIC is the UART's interrupt gated by MCR OUT2, as on
//   a PC; in loopback the OUT2 pin is inactive, so no IRQ reaches the PIC.
// - Without loopback the modem inputs are those of set_modem_inputs()
//   (default CTS, DSR and DCD asserted: a connected terminal).
// - The emulated line has no parity/framing errors or breaks: LSR PE, FE, BI
//   and bit 7 stay 0; OE is the only line status error (loopback overrun).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>

#include "devices/iobus.h"
#include "devices/scheduler.h"

namespace devices {

class Uart {
 public:
  static constexpr uint16_t kCom1Base = 0x3F8, kCom2Base = 0x2F8;
  static constexpr unsigned kCom1Irq = 4, kCom2Irq = 3;
  static constexpr uint64_t kClockHz = 1'843'200;
  static constexpr unsigned kFifoSize = 16;

  // Register offsets.
  enum : unsigned { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2,
                    LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
  // LSR bits.
  enum : uint8_t { LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10,
                   LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_FIFOERR = 0x80 };
  // MCR bits.
  enum : uint8_t { MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10 };
  // MSR input lines (upper nibble).
  enum : uint8_t { MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80 };

  Uart(Scheduler& sched, IrqSink& irq, uint16_t base, unsigned irq_line);
  Uart(const Uart&) = delete;
  Uart& operator=(const Uart&) = delete;

  void map(IoBus& bus);
  // Master reset: IER, IIR, FCR, LCR, MCR cleared, LSR = THRE|TEMT, FIFOs and
  // the shift register emptied. The divisor latch and SCR keep their values
  // (power-on: divisor 1 = 115200 baud, SCR 0). Queued host input is kept.
  void reset();

  // Host side.
  std::function<void(uint8_t)> on_transmit;  // each transmitted byte
  void receive(uint8_t b);
  void receive(std::string_view s);
  void set_modem_inputs(uint8_t lines);  // MSR_CTS | MSR_DSR | MSR_RI | MSR_DCD
  void flush_tx();  // hand the bytes still in THR/TX FIFO to on_transmit now (at exit)
  size_t host_input_pending() const { return host_rx_.size(); }

  // Register access (offset 0-7), as the port handlers do it.
  uint8_t read(unsigned off);
  void write(unsigned off, uint8_t v);

  uint16_t base() const { return base_; }
  unsigned irq_line() const { return irq_line_; }
  bool irq_level() const { return irq_level_; }
  uint16_t divisor() const { return uint16_t(dll_ | dlm_ << 8); }
  uint64_t char_time_ns() const;

 private:
  bool fifo() const { return fcr_ & 1; }
  unsigned cap() const { return fifo() ? kFifoSize : 1; }
  bool loop() const { return mcr_ & MCR_LOOP; }
  uint8_t word_mask() const { return uint8_t(0xFF >> (3 - (lcr_ & 3))); }
  unsigned trigger() const;
  uint8_t lsr() const;
  uint8_t interrupt_id() const;
  uint8_t modem_lines() const;
  void update_modem();
  void update_irq();
  void start_tx();
  void tx_done();
  void rx_push(uint8_t b);
  void rx_line();
  void kick_rx();
  void clear_rx();
  void clear_tx();

  Scheduler& sched_;
  IrqSink& irq_;
  uint16_t base_;
  unsigned irq_line_;
  Scheduler::TimerId tx_timer_, rx_timer_, timeout_timer_;

  uint8_t ier_ = 0, fcr_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0;
  uint8_t dll_ = 1, dlm_ = 0;
  uint8_t lsr_err_ = 0;        // OE/PE/FE/BI, cleared by reading LSR
  uint8_t msr_lines_ = 0;      // current CTS/DSR/RI/DCD as the MSR shows them
  uint8_t msr_delta_ = 0;      // DCTS/DDSR/TERI/DDCD
  uint8_t modem_in_ = MSR_CTS | MSR_DSR | MSR_DCD;
  uint8_t rx_[kFifoSize] = {}, tx_[kFifoSize] = {};
  unsigned rx_head_ = 0, rx_count_ = 0, tx_head_ = 0, tx_count_ = 0;
  uint8_t rbr_last_ = 0;
  uint8_t tsr_ = 0;
  bool tsr_full_ = false, tsr_loop_ = false;
  bool thre_pending_ = false, timeout_pending_ = false;
  bool irq_level_ = false;
  std::deque<uint8_t> host_rx_;
};

}  // namespace devices
