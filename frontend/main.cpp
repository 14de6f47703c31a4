// xlat86 command line: parses the options (frontend/options.h) and runs the
// PC (frontend/pc.h: headless, or in the SDL window), or a flat real-mode
// binary without firmware: loaded at 0000:7C00, bytes the guest writes to
// port 0xE9 (the Bochs/QEMU debug console) go to stdout, and the run ends
// when the guest halts.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cpu/interp.h"
#include "devices/iobus.h"
#include "frontend/options.h"
#include "frontend/pc.h"

#ifndef XLAT86_DEFAULT_BOOT
#define XLAT86_DEFAULT_BOOT "roms/boot.img"
#endif

namespace {

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "xlat86: %s\n", msg.c_str());
  std::exit(2);
}

}  // namespace

static int run_flat(const frontend::Options& o) {
  std::string image = o.flat;
  uint64_t ram_mb = o.ram_mb, max_insns = o.max_insns.value_or(0);
  bool stats = o.stats;

  std::ifstream f(image, std::ios::binary);
  if (!f) die("cannot open '" + image + "': " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.empty()) die("'" + image + "' is empty");
  if (bytes.size() > 0x80000 - 0x7C00) die("'" + image + "' is too large for a flat real-mode binary");

  mmu::Memory mem(uint32_t(ram_mb << 20));
  mem.load(0x7C00, bytes.data(), uint32_t(bytes.size()));
  devices::IoBus io;
  io.map(0xE9, 0xE9, nullptr, [](uint16_t, unsigned, uint32_t v) {
    std::fputc(int(v & 0xFF), stdout);
  });

  cpu::Cpu c;
  cpu::reset_state(c);
  c.mem = &mem;
  c.io = &io;
  c.seg[cpu::CS].sel = 0;
  c.seg[cpu::CS].base = 0;
  c.eip = 0x7C00;
  c.gpr[cpu::ESP] = 0x7C00;
  cpu::Interpreter engine(c);

  auto t0 = std::chrono::steady_clock::now();
  cpu::Exit why;
  uint64_t start_tsc = c.tsc;
  for (;;) {
    uint64_t slice = 1'000'000;
    if (max_insns) {
      uint64_t done = c.tsc - start_tsc;
      if (done >= max_insns) { why = cpu::Exit::Budget; break; }
      slice = std::min(slice, max_insns - done);
    }
    why = engine.run(c, slice);
    if (why != cpu::Exit::Budget) break;
  }
  std::fflush(stdout);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t n = c.tsc - start_tsc;
  if (stats) {
    std::fprintf(stderr, "xlat86: %s after %llu instructions, %.3f s, %.1f MIPS\n%s",
                 cpu::exit_name(why), (unsigned long long)n, secs, secs > 0 ? n / secs / 1e6 : 0.0,
                 engine.stats().c_str());
  }
  if (why == cpu::Exit::Shutdown) {
    std::fprintf(stderr, "xlat86: the guest shut the CPU down (exception %u at %04X:%08X)\n",
                 c.fault_vec, c.seg[cpu::CS].sel, c.eip);
    return 3;
  }
  if (why == cpu::Exit::Halted && (c.eflags & cpu::IF)) {
    std::fprintf(stderr, "xlat86: the guest halted waiting for an interrupt, but no devices exist yet\n");
  }
  return 0;
}

int main(int argc, char** argv) {
  frontend::Options o;
  try {
    o = frontend::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const frontend::OptionError& e) {
    die(e.what());
  }
  if (o.help) { std::fputs(frontend::usage_text().c_str(), stdout); return 0; }
  if (o.version) { std::printf("xlat86 %s\n", XLAT86_VERSION); return 0; }
  // A flat binary runs without firmware; everything else is the PC. With no
  // arguments at all the default guest boots: the project's own floppy image
  // (roms/boot.asm) through SeaBIOS, its serial output on stdout, ending when
  // it halts (a snapshot, so the built image is never written); in a window
  // when a display is available.
  // With a window the default guest stays on screen until the user closes it.
  if (argc == 1) {
    o.fda = XLAT86_DEFAULT_BOOT;
    o.boot = "a";
    o.snapshot = true;
  }
  if (!o.flat.empty()) return run_flat(o);
  bool failed = false;
  o.display = frontend::resolve_display(o.display, &failed);
  if (failed) return 2;
  if (argc == 1 && o.display == "none") o.max_seconds = 60;
  return frontend::run_pc(o);
}
