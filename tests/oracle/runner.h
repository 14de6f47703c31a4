// The native oracle's two executors and the comparison:
//  - run_host(): the cases on the host CPU, through xlat86-oracle-host (-m32);
//  - Guest: the same cases in our interpreter, in a protected-mode setup that
//    mirrors the host process (CPL 3, IOPL 0, the LDT data segments of wire.h);
//  - compare(): registers, EIP, defined flags, scratch memory, exception vector.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gen.h"
#include "wire.h"

namespace oracle {

struct HostResult {
  OrcOut out{};
  std::vector<OrcPatch> changes;
};

// Runs every case on the host CPU. False (with a message) if the executor
// could not be run or its output is malformed; *unavailable is set when this
// machine cannot run it at all (no i386 support, no fixed mappings, no LDT).
bool run_host(bool* unavailable, const std::string& host, const std::vector<Case>& cases, std::vector<HostResult>& res,
              std::string& err);

// Our interpreter's view of a case.
enum : int { kNoTrap = -1, kNoExit = -2 };
struct GuestResult {
  uint32_t gpr[8] = {};
  uint32_t eflags = 0;
  uint32_t eip = 0;
  int trap = kNoTrap;  // exception vector, kNoTrap, or kNoExit (ran away / stopped elsewhere)
  uint32_t err = 0;    // error code with the exception
  uint16_t sel[4] = {};  // ES SS DS FS
  uint32_t steps = 0;
  uint8_t mem[ORC_SCRATCH_SIZE] = {};
};

class Guest {
 public:
  // jit: run the cases through the translator, each instruction translated
  // on its own (jit::Config::max_insns = 1).
  explicit Guest(bool jit = false);
  ~Guest();
  void run(const Case& c, GuestResult& g);

 private:
  struct Impl;
  std::unique_ptr<Impl> p_;
};

struct Verdict {
  bool pass = true;
  std::vector<std::string> diffs;  // one line each
};
Verdict compare(const Case& c, const HostResult& h, const GuestResult& g);

// A readable report of one case: bytes, form, initial / host / ours, diffs.
std::string describe(const Case& c, const HostResult& h, const GuestResult& g, const Verdict& v);

}  // namespace oracle
