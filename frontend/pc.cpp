// The headless PC: builds a devices::Machine from the options, connects its
// character outputs to stdout or files, runs it in virtual time and reports.
//
// With -display sdl the machine runs in the window (frontend/window.h) on an
// emulator thread; headless it runs here, flat out unless --pace realtime.
//
// Exit status: 0 after a limit, a power-off, a halt or a quit from the window; the guest's status for
// --debug-exit; 2 for a bad option or an image/firmware problem; 3 when the
// screen dump cannot be written.
#include "frontend/pc.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/machine.h"
#include "devices/vga.h"
#include "frontend/emulator.h"
#include "frontend/window.h"

namespace frontend {
namespace {

struct Files {
  std::vector<FILE*> open;
  ~Files() {
    for (FILE* f : open) std::fclose(f);
  }
  FILE* create(const std::string& path, const char* mode = "wb") {
    FILE* f = std::fopen(path.c_str(), mode);
    if (!f) throw std::runtime_error("cannot write '" + path + "'");
    open.push_back(f);
    return f;
  }
};

devices::ByteSink chardev(const std::string& spec, Files& files) {
  if (spec == "none") return {};
  if (spec == "stdio") return [](uint8_t b) { std::fputc(b, stdout); std::fflush(stdout); };
  FILE* f = files.create(spec.substr(5));  // file:PATH
  return [f](uint8_t b) { std::fputc(b, f); };
}

}  // namespace

int run_pc(const Options& o) {
  Files files;
  devices::MachineConfig cfg;
  std::unique_ptr<devices::Machine> m;
  try {
    cfg.ram_mb = o.ram_mb;
    cfg.bios = o.bios;
    cfg.vga_bios = o.vga_bios;
    cfg.fd[0] = o.fda;
    cfg.fd[1] = o.fdb;
    for (int k = 0; k < 4; ++k) cfg.hd[k] = o.hd[k];
    cfg.cdrom = o.cdrom;
    cfg.boot = o.boot;
    cfg.snapshot = o.snapshot;
    cfg.rtc_time = o.rtc_time;
    cfg.debug_exit = o.debug_exit;
    cfg.cpu = o.cpu;
    cfg.jit = o.jit;
    cfg.serial[0] = chardev(o.serial, files);
    cfg.serial[1] = chardev(o.serial2, files);
    if (!o.bios_log.empty()) cfg.bios_log = chardev("file:" + o.bios_log, files);
    cfg.debug_console = [](uint8_t b) { std::fputc(b, stdout); };
    if (!o.parallel.empty()) cfg.parallel = chardev(o.parallel, files);
    for (const PortLog& pl : o.post_ports) {
      FILE* f = files.create(pl.path, "ab");
      cfg.port_logs.emplace_back(pl.port, [f](uint8_t b) { std::fprintf(f, "%02x\n", b); });
    }
    m = std::make_unique<devices::Machine>(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xlat86: %s\n", e.what());
    return 2;
  }
  for (const TypedText& t : o.type) m->type_at(uint64_t(t.at_seconds * 1e9), t.text);

  devices::Machine::Limits lim;
  if (o.max_seconds) lim.max_ns = uint64_t(*o.max_seconds * 1e9);
  lim.max_insns = o.max_insns;
  auto t0 = std::chrono::steady_clock::now();
  uint64_t insns0 = m->cpu().tsc;
  std::optional<devices::StopReason> stop;
  if (o.display == "sdl") {
    // The window: the machine runs on an emulator thread until it stops or the user quits.
    try {
      stop = run_window(*m, o).stop;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "xlat86: %s\n", e.what());
      return 2;
    }
  } else if (o.pace == "realtime") {
    // Headless, with guest time following the wall clock.
    Emulator::Config ec;
    ec.frame_interval_ns = 0;
    ec.stop_when_halted = true;
    ec.max_ns = lim.max_ns;
    ec.max_insns = lim.max_insns;
    Emulator emu(*m, ec);
    emu.start();
    emu.join();
    stop = emu.stop_reason();
  } else {
    stop = m->run(lim);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fflush(stdout);
  m->flush_disks();

  int status = 0;
  if (!o.screen_dump.empty()) {
    std::string err;
    if (!m->screen_dump(o.screen_dump, &err)) {
      std::fprintf(stderr, "xlat86: screen dump: %s\n", err.c_str());
      status = 3;
    }
  }
  if (!o.screen_png.empty()) {
    std::string err;
    if (!devices::write_png(o.screen_png, m->vga().render(), &err)) {
      std::fprintf(stderr, "xlat86: screen dump: %s\n", err.c_str());
      status = 3;
    }
  }
  if (o.stats) {
    uint64_t n = m->cpu().tsc - insns0;
    std::fprintf(stderr,
                 "xlat86: stopped (%s) after %llu instructions, %.3f s virtual, %.3f s wall, "
                 "%.1f MIPS, %llu resets\n%s",
                 stop ? devices::stop_name(*stop) : "quit by the user", (unsigned long long)n,
                 m->now_ns() / 1e9, secs, secs > 0 ? n / secs / 1e6 : 0.0,
                 (unsigned long long)m->resets(), m->engine().stats().c_str());
  }
  if (stop == devices::StopReason::DebugExit) return m->exit_status();
  return status;
}

std::string resolve_display(const std::string& display, bool* failed) {
  *failed = false;
  if (display == "none") return "none";
  std::string why;
  if (display_available(&why)) return "sdl";
  if (display == "sdl") {
    std::fprintf(stderr, "xlat86: -display sdl: %s (use -display none for a headless run)\n", why.c_str());
    *failed = true;
  }
  return "none";
}

}  // namespace frontend
