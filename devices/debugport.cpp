#include "devices/debugport.h"

namespace devices {

namespace {
constexpr char kShutdown[] = "Shutdown";
constexpr unsigned kShutdownLen = sizeof(kShutdown) - 1;
}  // namespace

void DebugPorts::map(IoBus& io) {
  auto readback = [](uint16_t, unsigned size) -> uint32_t {
    return size == 1 ? kReadback : 0xFFFFFF00u | kReadback;
  };
  auto bytes = [](unsigned size, uint32_t v, auto&& each) {
    for (unsigned i = 0; i < size; ++i) each(uint8_t(v >> (8 * i)));
  };
  if (bios_log)
    io.map(kBiosLogPort, kBiosLogPort, readback, [this, bytes](uint16_t, unsigned size, uint32_t v) {
      bytes(size, v, [this](uint8_t c) { write_bios_log(c); });
    });
  if (console)
    io.map(kConsolePort, kConsolePort, readback, [this, bytes](uint16_t, unsigned size, uint32_t v) {
      bytes(size, v, [this](uint8_t c) { write_console(c); });
    });
  if (exit) {
    io.map(kExitPort, kExitPort, nullptr, [this](uint16_t, unsigned size, uint32_t v) {
      write_exit(size == 4 ? v : v & ((1u << (8 * size)) - 1));
    });
    io.map(kShutdownPort, kShutdownPort, nullptr, [this, bytes](uint16_t, unsigned size, uint32_t v) {
      bytes(size, v, [this](uint8_t c) { write_shutdown(c); });
    });
  }
}

void DebugPorts::write_exit(uint32_t v) {
  if (exit) exit(int((v << 1) | 1));
}

void DebugPorts::write_shutdown(uint8_t c) {
  if (c == uint8_t(kShutdown[shutdown_match_]))
    ++shutdown_match_;
  else
    shutdown_match_ = c == uint8_t(kShutdown[0]) ? 1 : 0;
  if (shutdown_match_ == kShutdownLen) {
    shutdown_match_ = 0;
    if (exit) exit(0);
  }
}

}  // namespace devices
