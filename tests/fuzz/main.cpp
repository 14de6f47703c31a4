// xlat86-fuzz: the differential fuzzer. Random valid instruction streams
// (gen.h) run from the same state in the interpreter and in the translator;
// the whole architectural state, the instruction count and the touched memory
// must agree. A fixed seed runs in CI; --seed/--count for long runs.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cpu/decode.h"
#include "tests/fuzz/gen.h"
#include "tests/unit/jit_twin.h"

namespace {

void usage() {
  std::printf(
      "usage: xlat86-fuzz [--seed N] [--count N] [--insns N] [--jit OPTS]\n"
      "  --seed N    first stream's seed (default 1); stream k uses seed N+k\n"
      "  --count N   streams (default 2000)\n"
      "  --insns N   instructions per stream (default 40)\n"
      "  --jit OPTS  translator options for the translated side (see xlat86 --help)\n"
      "Exit status: 0 all streams agree, 1 a difference (printed), 2 bad usage.\n");
}

void print_stream(const fuzz::Stream& s) {
  for (size_t k = 0; k < s.starts.size(); ++k) {
    uint32_t at = s.starts[k];
    uint32_t end = k + 1 < s.starts.size() ? s.starts[k + 1] : uint32_t(s.code.size());
    std::printf("  %04X  %s\n", fuzz::kCode + at,
                cpu::disassemble(cpu::DecodeMode::Prot32, s.code.data() + at, end - at).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  unsigned count = 2000, insns = 40;
  std::string spec;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    auto next = [&]() -> std::string {
      if (k + 1 >= argc) { usage(); std::exit(2); }
      return argv[++k];
    };
    if (a == "--seed") seed = std::strtoull(next().c_str(), nullptr, 0);
    else if (a == "--count") count = unsigned(std::strtoul(next().c_str(), nullptr, 0));
    else if (a == "--insns") insns = unsigned(std::strtoul(next().c_str(), nullptr, 0));
    else if (a == "--jit") spec = next();
    else { usage(); return a == "-h" || a == "--help" ? 0 : 2; }
  }
  xt::Twin t("cache=4M,smc-interp=0," + spec);  // every stream is new code at the same place
  t.flat32();
  uint64_t total = 0;
  for (unsigned n = 0; n < count; ++n) {
    fuzz::Rng r(seed + n);
    fuzz::Stream s = fuzz::generate(r, insns);
    t.load(fuzz::kCode, s.code);
    t.load(fuzz::kData, s.data);
    t.both([&](xt::Side& side) {
      cpu::Cpu& c = side.c;
      std::memcpy(c.gpr, s.gpr, sizeof c.gpr);
      c.eip = fuzz::kCode;
      c.eflags = s.eflags;
      c.halted = 0;
      c.events = 0;
    });
    cpu::Exit e = t.run(100000);
    std::string d = t.diff(0);
    for (uint32_t p = fuzz::kData; p < fuzz::kData + 0x200 && d.empty(); ++p)
      if (t.a.mem.read8(p) != t.b.mem.read8(p)) d = "data byte at " + std::to_string(p);
    for (uint32_t p = 0x7000; p < 0x9000 && d.empty(); ++p)
      if (t.a.mem.read8(p) != t.b.mem.read8(p)) d = "stack byte at " + std::to_string(p);
    if (e != cpu::Exit::Halted && d.empty()) d = "did not reach HLT in both engines";
    if (!d.empty()) {
      std::printf("xlat86-fuzz: stream seed %llu differs: %s\n", (unsigned long long)(seed + n), d.c_str());
      print_stream(s);
      return 1;
    }
    total += s.starts.size();
  }
  std::printf("xlat86-fuzz: %u streams, %llu instructions, interpreter and translator agree (seeds %llu..%llu)\n",
              count, (unsigned long long)total, (unsigned long long)seed, (unsigned long long)(seed + count - 1));
  return 0;
}
