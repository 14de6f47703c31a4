// xlat86 command line. Until the PC platform exists (issue 4) the emulator
// runs a flat binary headless: it is loaded at 0000:7C00 in real mode, bytes
// the guest writes to port 0xE9 (the Bochs/QEMU debug console) go to stdout,
// and the run ends when the guest halts with interrupts off.
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

#ifndef XLAT86_DEFAULT_GUEST
#define XLAT86_DEFAULT_GUEST "roms/hello.bin"
#endif

namespace {

void usage(FILE* f) {
  std::fprintf(f,
               "usage: xlat86 [options] [FLAT-BINARY]\n"
               "  FLAT-BINARY        real-mode program loaded at 0000:7C00 (default: %s)\n"
               "  -m MB              guest RAM in MiB (default 16)\n"
               "  --cpu interp       execution engine (the translator arrives later)\n"
               "  --max-insns N      stop after N instructions (default: run until HLT)\n"
               "  --stats            print instructions retired, MIPS and engine counters at exit\n"
               "  -h, --help         this help\n"
               "  --version          print the version\n",
               XLAT86_DEFAULT_GUEST);
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "xlat86: %s\n", msg.c_str());
  std::exit(2);
}

uint64_t parse_num(const std::string& opt, const char* s) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 0);
  if (!*s || *end || errno) die("option " + opt + ": not a number: '" + s + "'");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string image = XLAT86_DEFAULT_GUEST;
  uint64_t ram_mb = 16, max_insns = 0;
  bool stats = false;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    auto value = [&]() -> const char* {
      if (k + 1 >= argc) die("option " + a + " needs a value");
      return argv[++k];
    };
    if (a == "-h" || a == "--help") { usage(stdout); return 0; }
    else if (a == "--version") { std::printf("xlat86 %s\n", XLAT86_VERSION); return 0; }
    else if (a == "-m") ram_mb = parse_num(a, value());
    else if (a == "--max-insns") max_insns = parse_num(a, value());
    else if (a == "--stats") stats = true;
    else if (a == "--cpu") {
      std::string e = value();
      if (e != "interp") die("--cpu " + e + ": only 'interp' exists so far");
    } else if (!a.empty() && a[0] == '-') { usage(stderr); die("unknown option " + a); }
    else image = a;
  }
  if (ram_mb < 1 || ram_mb > 3072) die("-m: RAM must be 1..3072 MiB");

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
