// The NS16550A UART: registers, FIFOs, interrupt priorities, line timing.
#include "devices/uart.h"

namespace devices {

Uart::Uart(Scheduler& sched, IrqSink& irq, uint16_t base, unsigned irq_line)
    : sched_(sched), irq_(irq), base_(base), irq_line_(irq_line) {
  tx_timer_ = sched_.add("uart-tx", [this](uint64_t) { tx_done(); });
  rx_timer_ = sched_.add("uart-rx", [this](uint64_t) { rx_line(); });
  timeout_timer_ = sched_.add("uart-timeout", [this](uint64_t) {
    if (fifo() && rx_count_) {
      timeout_pending_ = true;
      update_irq();
    }
  });
  reset();
}

void Uart::map(IoBus& bus) {
  // Byte registers: a wider access is split into consecutive byte accesses.
  bus.map(
      base_, uint16_t(base_ + 7),
      [this](uint16_t port, unsigned size) {
        uint32_t v = 0xFFFFFFFFu;
        for (unsigned k = 0; k < size; ++k) {
          unsigned off = port - base_ + k;
          uint32_t b = off < 8 ? read(off) : 0xFF;
          v = (v & ~(0xFFu << (8 * k))) | b << (8 * k);
        }
        return v;
      },
      [this](uint16_t port, unsigned size, uint32_t value) {
        for (unsigned k = 0; k < size; ++k) {
          unsigned off = port - base_ + k;
          if (off < 8) write(off, uint8_t(value >> (8 * k)));
        }
      });
}

void Uart::reset() {
  ier_ = fcr_ = lcr_ = mcr_ = 0;
  lsr_err_ = 0;
  clear_rx();
  clear_tx();
  tsr_full_ = false;
  sched_.disarm(tx_timer_);
  sched_.disarm(rx_timer_);
  thre_pending_ = false;
  msr_lines_ = modem_lines();
  msr_delta_ = 0;
  update_irq();
  kick_rx();
}

uint64_t Uart::char_time_ns() const {
  unsigned div = divisor() ? divisor() : 0x10000u;
  unsigned wlen = 5 + (lcr_ & 3);
  unsigned half_bits = 2 * (1 + wlen + ((lcr_ & 0x08) ? 1 : 0));
  half_bits += (lcr_ & 0x04) ? (wlen == 5 ? 3 : 4) : 2;  // 1.5 or 2 stop bits, or 1
  return uint64_t(half_bits) * div * 16 * 1'000'000'000ull / (2 * kClockHz);
}

unsigned Uart::trigger() const {
  static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
  return fifo() ? kLevels[fcr_ >> 6] : 1;
}

uint8_t Uart::lsr() const {
  uint8_t v = lsr_err_;
  if (rx_count_) v |= LSR_DR;
  if (!tx_count_) v |= LSR_THRE;
  if (!tx_count_ && !tsr_full_) v |= LSR_TEMT;
  return v;
}

// IIR bits 3-1 by priority: 011 line status, 010 received data, 110 character
// timeout, 001 THR empty, 000 modem status; bit 0 set = nothing pending.
uint8_t Uart::interrupt_id() const {
  if ((ier_ & 0x04) && lsr_err_) return 0x06;
  if (ier_ & 0x01) {
    if (rx_count_ && rx_count_ >= trigger()) return 0x04;
    if (timeout_pending_) return 0x0C;
  }
  if ((ier_ & 0x02) && thre_pending_) return 0x02;
  if ((ier_ & 0x08) && msr_delta_) return 0x00;
  return 0x01;
}

void Uart::update_irq() {
  bool level = interrupt_id() != 0x01 && (mcr_ & MCR_OUT2) && !loop();
  if (level != irq_level_) irq_.set_irq(irq_line_, irq_level_ = level);
}

uint8_t Uart::modem_lines() const {
  if (!loop()) return modem_in_ & 0xF0;
  uint8_t v = 0;
  if (mcr_ & MCR_RTS) v |= MSR_CTS;
  if (mcr_ & MCR_DTR) v |= MSR_DSR;
  if (mcr_ & MCR_OUT1) v |= MSR_RI;
  if (mcr_ & MCR_OUT2) v |= MSR_DCD;
  return v;
}

void Uart::update_modem() {
  uint8_t now = modem_lines(), changed = now ^ msr_lines_;
  if (changed & MSR_CTS) msr_delta_ |= 0x01;
  if (changed & MSR_DSR) msr_delta_ |= 0x02;
  if ((msr_lines_ & MSR_RI) && !(now & MSR_RI)) msr_delta_ |= 0x04;  // trailing edge of RI
  if (changed & MSR_DCD) msr_delta_ |= 0x08;
  msr_lines_ = now;
}

// ---- registers ----

uint8_t Uart::read(unsigned off) {
  switch (off & 7) {
    case RBR: {
      if (lcr_ & 0x80) return dll_;
      if (rx_count_) {
        rbr_last_ = rx_[rx_head_];
        rx_head_ = (rx_head_ + 1) % kFifoSize;
        --rx_count_;
      }
      timeout_pending_ = false;
      if (fifo() && rx_count_) sched_.arm_after(timeout_timer_, 4 * char_time_ns());
      else sched_.disarm(timeout_timer_);
      update_irq();
      kick_rx();
      return rbr_last_;
    }
    case IER: return (lcr_ & 0x80) ? dlm_ : ier_;
    case IIR: {
      uint8_t id = interrupt_id();
      if (id == 0x02) {  // reading IIR clears a THRE interrupt it reports
        thre_pending_ = false;
        update_irq();
      }
      return uint8_t(id | (fifo() ? 0xC0 : 0));
    }
    case LCR: return lcr_;
    case MCR: return mcr_;
    case LSR: {
      uint8_t v = lsr();
      lsr_err_ = 0;
      update_irq();
      return v;
    }
    case MSR: {
      uint8_t v = uint8_t(msr_lines_ | msr_delta_);
      msr_delta_ = 0;
      update_irq();
      return v;
    }
    default: return scr_;
  }
}

void Uart::write(unsigned off, uint8_t v) {
  switch (off & 7) {
    case THR:
      if (lcr_ & 0x80) {
        dll_ = v;
        return;
      }
      if (tx_count_ < cap()) {
        tx_[(tx_head_ + tx_count_) % kFifoSize] = v;
        ++tx_count_;
      } else if (!fifo()) {
        tx_[tx_head_] = v;  // THR overwritten before it was sent
      }  // a full FIFO drops the byte
      thre_pending_ = false;
      start_tx();
      update_irq();
      return;
    case IER:
      if (lcr_ & 0x80) {
        dlm_ = v;
        return;
      }
      // Enabling the THRE interrupt while THR is empty raises it at once.
      if ((v & 0x02) && !(ier_ & 0x02) && !tx_count_) thre_pending_ = true;
      ier_ = v & 0x0F;
      update_irq();
      return;
    case FCR: {
      bool en = v & 1;
      if (en != fifo()) {  // switching FIFO mode empties both FIFOs
        clear_rx();
        clear_tx();
        fcr_ = en ? 1 : 0;
      }
      if (en) {  // the other bits are only programmed with bit 0 set
        if (v & 0x02) clear_rx();
        if (v & 0x04) clear_tx();
        fcr_ = uint8_t(v & 0xC9);  // enable, DMA mode, trigger level
      }
      update_irq();
      kick_rx();
      return;
    }
    case LCR: lcr_ = v; return;
    case MCR:
      mcr_ = v & 0x1F;
      update_modem();
      update_irq();
      kick_rx();
      return;
    case LSR: case MSR: return;  // read-only
    default: scr_ = v; return;
  }
}

void Uart::clear_rx() {
  rx_head_ = rx_count_ = 0;
  timeout_pending_ = false;
  sched_.disarm(timeout_timer_);
}

void Uart::clear_tx() {
  bool had = tx_count_ != 0;
  tx_head_ = tx_count_ = 0;
  if (had) thre_pending_ = true;  // the THR/FIFO just became empty
}

// ---- transmit ----

void Uart::start_tx() {
  if (tsr_full_ || !tx_count_) return;
  tsr_ = uint8_t(tx_[tx_head_] & word_mask());
  tx_head_ = (tx_head_ + 1) % kFifoSize;
  --tx_count_;
  tsr_full_ = true;
  tsr_loop_ = loop();
  if (!tx_count_) thre_pending_ = true;
  if (!tsr_loop_ && on_transmit) on_transmit(tsr_);
  sched_.arm_after(tx_timer_, char_time_ns());
}

void Uart::tx_done() {
  tsr_full_ = false;
  if (tsr_loop_) rx_push(tsr_);
  start_tx();
  update_irq();
}

void Uart::flush_tx() {
  while (tx_count_) {
    uint8_t b = uint8_t(tx_[tx_head_] & word_mask());
    tx_head_ = (tx_head_ + 1) % kFifoSize;
    --tx_count_;
    if (!loop() && on_transmit) on_transmit(b);
  }
}

// ---- receive ----

void Uart::rx_push(uint8_t b) {
  if (rx_count_ < cap()) {
    rx_[(rx_head_ + rx_count_) % kFifoSize] = b;
    ++rx_count_;
  } else {
    lsr_err_ |= LSR_OE;  // FIFO mode: the new character is lost
    if (!fifo()) rx_[rx_head_] = b;  // RBR overwritten
  }
  if (fifo()) {
    timeout_pending_ = false;
    sched_.arm_after(timeout_timer_, 4 * char_time_ns());
  }
  update_irq();
}

void Uart::receive(uint8_t b) {
  host_rx_.push_back(b);
  kick_rx();
}

void Uart::receive(std::string_view s) {
  for (char c : s) host_rx_.push_back(uint8_t(c));
  kick_rx();
}

void Uart::set_modem_inputs(uint8_t lines) {
  modem_in_ = lines & 0xF0;
  update_modem();
  update_irq();
}

// Host input arrives at the line rate while the receiver has room.
void Uart::kick_rx() {
  if (!host_rx_.empty() && !loop() && rx_count_ < cap() && !sched_.armed(rx_timer_))
    sched_.arm_after(rx_timer_, char_time_ns());
}

void Uart::rx_line() {
  if (host_rx_.empty() || loop()) return;
  if (rx_count_ >= cap()) return;  // resumed by the next RBR read
  rx_push(uint8_t(host_rx_.front() & word_mask()));
  host_rx_.pop_front();
  kick_rx();
}

}  // namespace devices
