// devices::DebugPorts: SeaBIOS's log port, the E9 console, isa-debug-exit and
// the Bochs shutdown port.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "devices/debugport.h"
#include "devices/iobus.h"

using devices::DebugPorts;

TEST_CASE("debugport: 0x402 log and 0xE9 console collect bytes and read back 0xE9") {
  devices::IoBus io;
  DebugPorts d;
  std::string log, con;
  d.bios_log = [&](uint8_t c) { log.push_back(char(c)); };
  d.console = [&](uint8_t c) { con.push_back(char(c)); };
  d.map(io);
  CHECK(io.in(0x402, 1) == 0xE9u);  // SeaBIOS's qemu_debug_preinit probe
  CHECK(io.in(0xE9, 1) == 0xE9u);
  for (char c : std::string("SeaBIOS (version 1.16)\n")) io.out(0x402, 1, uint8_t(c));
  CHECK(log == "SeaBIOS (version 1.16)\n");
  io.out(0xE9, 1, 'h');
  io.out(0xE9, 2, 'i' | '!' << 8);  // wider writes: bytes, lowest first
  io.out(0x402, 4, 0x0A434241u);
  CHECK(con == "hi!");
  CHECK(log == "SeaBIOS (version 1.16)\nABC\n");
  // Neither exit port is claimed without an exit callback.
  CHECK(io.in(0xF4, 1) == 0xFFu);
  io.out(0x8900, 1, 'S');
  CHECK(d.shutdown_progress() == 0u);
}

TEST_CASE("debugport: ports without a sink are not claimed (SeaBIOS then skips its log)") {
  devices::IoBus io;
  DebugPorts d;
  d.map(io);
  CHECK(io.in(0x402, 1) == 0xFFu);
  CHECK(io.in(0xE9, 1) == 0xFFu);
  io.out(0x402, 1, 'x');  // nobody listens: nothing happens
  // The ports stay free for someone else.
  io.map(0xE9, 0xE9, [](uint16_t, unsigned) -> uint32_t { return 0x42; }, nullptr);
  CHECK(io.in(0xE9, 1) == 0x42u);
}

TEST_CASE("debugport: isa-debug-exit at 0xF4 exits with (v << 1) | 1") {
  devices::IoBus io;
  DebugPorts d;
  std::vector<int> exits;
  d.exit = [&](int s) { exits.push_back(s); };
  d.map(io);
  io.out(0xF4, 1, 0x00);
  io.out(0xF4, 1, 0x10);
  io.out(0xF4, 1, 0x7F);
  io.out(0xF4, 2, 0x0102);
  io.out(0xF4, 4, 0x00000003u);
  CHECK(exits == std::vector<int>{1, 0x21, 0xFF, 0x205, 7});
}

TEST_CASE("debugport: Bochs shutdown port 0x8900 exits with status 0 on \"Shutdown\"") {
  devices::IoBus io;
  DebugPorts d;
  std::vector<int> exits;
  d.exit = [&](int s) { exits.push_back(s); };
  d.map(io);
  auto send = [&](const std::string& s) {
    for (char c : s) io.out(0x8900, 1, uint8_t(c));
  };
  send("Shutdow");
  CHECK(d.shutdown_progress() == 7u);
  CHECK(exits.empty());
  send("x");  // a wrong byte restarts the match
  CHECK(d.shutdown_progress() == 0u);
  send("n");
  CHECK(exits.empty());
  send("Standby");  // SeaBIOS's older APM strings do not exit
  send("Suspend");
  CHECK(exits.empty());
  send("SShutdown");  // a repeated 'S' starts a new match
  CHECK(exits == std::vector<int>{0});
  CHECK(d.shutdown_progress() == 0u);
  io.out(0x8900, 4, 'S' | 'h' << 8 | 'u' << 16 | 't' << 24);  // bytes of a dword
  io.out(0x8900, 4, 'd' | 'o' << 8 | 'w' << 16 | 'n' << 24);
  CHECK(exits == std::vector<int>{0, 0});
  send("shutdown");  // case matters
  CHECK(exits.size() == 2u);
}
