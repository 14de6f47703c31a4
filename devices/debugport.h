// devices::DebugPorts: the emulator-only ports that firmware and test programs
// use to talk to the host.
//
//   0x402  SeaBIOS debug log (QEMU "debugcon" at SeaBIOS's default port): each
//          byte written goes to bios_log; reads return 0xE9. SeaBIOS probes the
//          port and logs only when it reads 0xE9, so leaving bios_log empty
//          (port not claimed, reads 0xFF) also spares the guest the logging.
//   0xE9   the Bochs/QEMU "port E9 hack" console: bytes written go to console;
//          reads return 0xE9. Not claimed when console is empty.
//   0xF4   QEMU-compatible isa-debug-exit: writing v (of any width) requests
//          exit with status (v << 1) | 1. Not claimed when exit is empty.
//   0x8900 the Bochs shutdown port: writing the bytes "Shutdown" in sequence
//          requests exit with status 0 (a wrong byte restarts the match).
//          Claimed together with 0xF4.
// Wider writes to 0x402/0xE9/0x8900 are taken byte by byte, lowest first.
//
// Wiring (for the Machine):
//   DebugPorts dbg;
//   dbg.bios_log = [&](uint8_t c) { log_file.put(char(c)); };  // when asked for
//   dbg.exit = [&](int status) { /* stop the run, not from inside this call */ };  // --debug-exit
//   dbg.map(io);   // after setting the callbacks: only set ones are claimed
#pragma once
#include <cstdint>
#include <functional>

#include "devices/iobus.h"

namespace devices {

class DebugPorts {
 public:
  static constexpr uint16_t kBiosLogPort = 0x402, kConsolePort = 0xE9;
  static constexpr uint16_t kExitPort = 0xF4, kShutdownPort = 0x8900;
  static constexpr uint8_t kReadback = 0xE9;

  DebugPorts() = default;
  DebugPorts(const DebugPorts&) = delete;  // port handlers hold `this`
  DebugPorts& operator=(const DebugPorts&) = delete;

  std::function<void(uint8_t)> bios_log;
  std::function<void(uint8_t)> console;
  std::function<void(int status)> exit;

  void map(IoBus& io);

  // Port-level entry points (what the handlers call).
  void write_bios_log(uint8_t c) { if (bios_log) bios_log(c); }
  void write_console(uint8_t c) { if (console) console(c); }
  void write_exit(uint32_t v);
  void write_shutdown(uint8_t c);
  unsigned shutdown_progress() const { return shutdown_match_; }

 private:
  unsigned shutdown_match_ = 0;  // bytes of "Shutdown" matched so far
};

}  // namespace devices
