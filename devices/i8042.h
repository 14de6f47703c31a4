// devices::I8042: the Intel 8042 keyboard controller of a PS/2-style PC
// (ports 0x60 data, 0x64 status/command) with a PS/2 keyboard on its first
// port (IRQ 1) and a PS/2 mouse on its auxiliary port (IRQ 12).
//
// Wiring (the Machine):
//   I8042 kbc(sched, pic);            // IrqSink for IRQ 1 and IRQ 12
//   kbc.map(bus);                     // claims 0x60 and 0x64
//   kbc.on_a20 = [&](bool) { /* A20 = kbc.a20() || port92.a20() */ };
//   kbc.on_reset = [&] { /* request a CPU reset (not from inside this call) */ };
//   kbc.reset();                      // power-on state; reports A20 (off)
// Host input: key(set-2 sequence), type_text("ver\n"), mouse_move(dx, dy, buttons).
//
// Behaviour:
// - Bytes from the devices reach the output buffer one at a time, each
//   `byte_delay_ns` of virtual time after the buffer was emptied by a read of
//   port 0x60 (the PS/2 serial transfer). Controller responses (command byte,
//   self test, output port...) appear at once. Keyboard data has priority
//   over mouse data; a port disabled in the command byte keeps its data.
// - IRQ 1 is high while the output buffer holds a non-auxiliary byte and
//   command-byte bit 0 is set; IRQ 12 likewise for auxiliary bytes and bit 1.
//   Each new byte is a new rising edge for the (edge-triggered) PIC.
// - With command-byte bit 6 set, keyboard bytes are translated from scan code
//   set 2 to set 1 (an F0 prefix sets bit 7 of the next code).
// - The output port's bit 1 drives the A20 gate and bit 0 the CPU reset line
//   (active low): writing 0 to bit 0 (D1), or pulsing it (FE, F0-FF with bit 0
//   clear), calls on_reset. The 8042 keeps its own state across a CPU reset.
// - Writing a byte to the keyboard (port 0x60) re-enables the keyboard port,
//   as PS/2 controllers do.
// - No timeouts or parity errors occur (both devices are always present);
//   IBF always reads 0 because writes are processed at once.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string_view>

#include "devices/iobus.h"
#include "devices/ps2.h"
#include "devices/scheduler.h"

namespace devices {

class I8042 {
 public:
  static constexpr uint16_t kDataPort = 0x60, kCommandPort = 0x64;
  static constexpr unsigned kKbdIrq = 1, kMouseIrq = 12;

  // Status register bits (port 0x64 read).
  enum : uint8_t {
    ST_OBF = 0x01,     // output buffer full
    ST_IBF = 0x02,     // input buffer full (always 0 here)
    ST_SYS = 0x04,     // system flag (command byte bit 2)
    ST_CMD = 0x08,     // last write was to port 0x64
    ST_UNLOCK = 0x10,  // keyboard not inhibited by the key lock (always 1)
    ST_AUX = 0x20,     // the output buffer holds mouse data
    ST_TIMEOUT = 0x40,
    ST_PARITY = 0x80,
  };
  // Command byte bits.
  enum : uint8_t {
    CB_KBD_INT = 0x01, CB_AUX_INT = 0x02, CB_SYS = 0x04,
    CB_KBD_DIS = 0x10, CB_AUX_DIS = 0x20, CB_XLATE = 0x40,
  };

  I8042(Scheduler& sched, IrqSink& irq);
  I8042(const I8042&) = delete;
  I8042& operator=(const I8042&) = delete;

  void map(IoBus& bus);
  // Power-on state: command byte 0x40 (translation on, interrupts off), A20
  // off, keyboard and mouse at power-on defaults, queues empty. Calls on_a20.
  void reset();

  // Called when the output port's A20 bit changes (and from reset()). The PC's
  // A20 line is the OR of this and port 0x92 bit 1.
  std::function<void(bool)> on_a20;
  // Called when the guest drives the CPU reset line.
  std::function<void()> on_reset;

  // Host input. key(): one key event as a set-2 sequence, e.g. {0x1C} and
  // {0xF0,0x1C} for pressing and releasing A (see Ps2Keyboard::key).
  void key(std::span<const uint8_t> set2);
  void key(std::initializer_list<uint8_t> set2) { key(std::span<const uint8_t>(set2.begin(), set2.size())); }
  // Types ASCII text on a US layout ('\n' = Enter); returns false if some
  // character had no key (it is skipped).
  bool type_text(std::string_view text);
  // Minimum virtual time between the starts of successive host key events
  // (0 = as fast as the guest reads). Automation typing into a DOS prompt
  // should use a few milliseconds so the BIOS's 15-key buffer keeps up.
  void set_key_gap(uint64_t ns) { key_gap_ns_ = ns; }
  // Relative motion (dy > 0 = down the screen), buttons bit 0 left, 1 right,
  // 2 middle; dz > 0 = wheel up (only once the guest enabled the wheel).
  void mouse_move(int dx, int dy, unsigned buttons, int dz = 0);
  // True when no host input is waiting in the keyboard or mouse.
  bool input_idle() const { return !kbd_.has_output() && !mouse_.has_output(); }

  // Register-level access (what the port handlers call).
  uint8_t read_data();
  uint8_t read_status() const;
  void write_data(uint8_t v);
  void write_command(uint8_t v);

  bool a20() const { return out_port_ & 0x02; }
  uint8_t command_byte() const { return ram_[0]; }
  uint8_t output_port() const;
  const Ps2Keyboard& keyboard() const { return kbd_; }
  const Ps2Mouse& mouse() const { return mouse_; }

  uint64_t byte_delay_ns = 500'000;  // one PS/2 byte transfer

 private:
  enum Pending : uint8_t { P_NONE, P_RAM, P_OUTPORT, P_KBD_OB, P_AUX_OB, P_AUX };
  struct CtrlByte {
    uint8_t value;
    bool aux;
  };
  void respond(uint8_t v, bool aux = false);
  void set_output_port(uint8_t v);
  void load(uint8_t v, bool aux);
  void pump();
  void deliver(uint64_t now);
  uint64_t device_ready_time() const;
  void update_irq();

  Scheduler& sched_;
  IrqSink& irq_;
  Scheduler::TimerId timer_;
  Ps2Keyboard kbd_;
  Ps2Mouse mouse_;

  uint8_t ram_[32] = {};  // ram_[0] is the command byte
  uint8_t out_port_ = 0;
  uint8_t ob_ = 0;
  bool ob_full_ = false, ob_aux_ = false;
  bool last_was_cmd_ = false;
  Pending pending_ = P_NONE;
  uint8_t pending_ram_ = 0;
  bool xlat_break_ = false;  // translated F0 seen: set bit 7 of the next code
  std::deque<CtrlByte> ctrl_q_;  // controller responses waiting for the buffer
  bool irq1_ = false, irq12_ = false;
  uint64_t key_gap_ns_ = 0;
  uint64_t last_event_ns_ = 0;  // when the last host key event started
  bool any_event_ = false;
};

}  // namespace devices
