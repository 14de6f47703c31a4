// The engine interface both the interpreter and the translator implement.
#pragma once
#include <cstdint>
#include <string>

#include "cpu/cpu.h"

namespace cpu {

enum class Exit : uint8_t {
  Budget,    // retired the requested number of instructions
  Halted,    // HLT with no interrupt deliverable
  Stop,      // a device asked to stop (EV_STOP)
  Shutdown,  // triple fault, or an exception the CPU model cannot deliver yet
};
const char* exit_name(Exit e);

class Engine {
 public:
  virtual ~Engine() = default;
  // Run until `budget` instructions have retired or something stops the CPU.
  virtual Exit run(Cpu& c, uint64_t budget) = 0;
  virtual std::string stats() const = 0;
  virtual const char* name() const = 0;
};

}  // namespace cpu
