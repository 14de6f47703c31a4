// Random valid instruction streams for the differential fuzzer (32-bit flat
// protected mode). Every stream is straight-line code with short forward
// branches that land on instruction boundaries, ending in HLT. Memory
// operands address a 256-byte data area through EBX (+ ESI*scale + disp8);
// EBX, ESI and ESP are never written, so the streams cannot run away.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fuzz {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
  bool coin() { return next() & 1; }

 private:
  uint64_t s_;
};

constexpr uint32_t kCode = 0x1000;
constexpr uint32_t kData = 0x20000;  // EBX; the area is kData .. kData + 0x200

struct Stream {
  std::vector<uint8_t> code;
  std::vector<uint32_t> starts;  // offset of each instruction
  uint32_t gpr[8];
  uint32_t eflags;
  std::vector<uint8_t> data;     // initial contents of the data area
};

Stream generate(Rng& r, unsigned insns);

}  // namespace fuzz
