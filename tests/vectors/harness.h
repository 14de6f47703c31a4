// Runs one vector on the interpreter and compares the outcome.
//
// One Harness per address-space model (8086-class: 1 MiB wrap through the A20
// gate; 286 and later: 16 MiB). RAM is allocated once and never cleared as a
// whole: every byte written during a test (initial RAM bytes and every write
// the CPU makes, observed through the code-page listener with all pages
// marked) is logged and set back to zero afterwards, so each test starts from
// all-zero RAM plus its own INIT bytes, whatever ran before.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpu/interp.h"
#include "devices/iobus.h"
#include "moo.h"

namespace vec {

struct RunInfo {
  enum Status : uint8_t { Ok, NoHlt, Shutdown, RanAway } status = Ok;
  int our_fault = -1;   // exception our CPU raised executing the test instruction (fault()), -1 none
  uint64_t steps = 0;   // instructions retired (approximate in HLT mode: chunks)
};

// How to compare one test.
struct CompareOpts {
  uint16_t flags_mask = 0xFFFF;  // FLAGS bits compared (metadata flags-mask, known-difference adjustments)
  const RegSet* top_mask = nullptr;  // file-level RMSK
  struct Masked {
    uint32_t addr;   // physical address of a pushed FLAGS word
    uint16_t mask;   // bits of it that are compared
  } pushed[4];
  int npushed = 0;
  void mask_pushed_flags(uint32_t addr, uint16_t mask) {
    if (npushed < 4) pushed[npushed++] = Masked{addr, mask};
  }
};

class Harness {
 public:
  // wrap_1mib: 8086-class address space (A20 off, 2 MiB RAM); else 16 MiB, A20 on.
  explicit Harness(bool wrap_1mib);
  ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  // A fresh Cpu and Interpreter (one per vector file).
  void begin_file();

  // Loads the test's initial state and runs it. hlt_mode: run until HLT (the
  // vectors put a HLT after the instruction, at branch targets and handlers);
  // otherwise execute exactly one instruction (a REP string instruction to
  // its end). init_flags_keep: FLAGS bits loaded from INIT (the rest are 0).
  RunInfo run(const Test& t, bool hlt_mode, bool rep_string, uint32_t init_flags_keep);

  // True when the CPU state after run() matches the test's final state. With
  // `diff`, appends a description of every difference.
  bool compare(const Test& t, const RunInfo& ri, const CompareOpts& o, std::string* diff) const;

  // Sets every byte the test wrote back to zero (call after compare()).
  void restore();

  uint32_t addr_mask() const { return mem_.a20_mask(); }
  // Run the vectors through the translator (every instruction translated on
  // its own: jit::Config::max_insns = 1 unless the spec says otherwise).
  void use_jit(const std::string& spec) { jit_ = true; jit_spec_ = spec; }
  const cpu::Cpu& cpu() const { return *c_; }
  uint32_t our_reg(unsigned r) const;  // our value of a vec::Reg

  static constexpr uint64_t kMaxInsns = 2'000'000;

 private:
  class WriteLog;
  mmu::Memory mem_;
  devices::IoBus io_;
  std::unique_ptr<cpu::Cpu> c_;
  std::unique_ptr<cpu::Engine> engine_;
  cpu::ICache* icache_ = nullptr;  // the engine's decoded-block cache
  std::unique_ptr<WriteLog> log_;
  bool jit_ = false;
  std::string jit_spec_;
  std::vector<uint8_t> listed_;  // 1 = byte given in INIT RAM (code may run there)
  std::vector<uint32_t> listed_addrs_;
};

}  // namespace vec
