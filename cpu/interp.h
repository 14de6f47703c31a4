// The interpreter: the reference engine.
//
// It executes decoded blocks from the ICache one instruction at a time: take
// the snapshot, advance EIP past the instruction, call the row's handler.
// Faults longjmp back here; the snapshot is restored (EIP back at the
// faulting instruction) and the exception is delivered. Events (interrupts,
// HLT, SMC, mode changes, stop requests) are looked at between instructions.
#pragma once
#include <memory>

#include "cpu/engine.h"
#include "cpu/icache.h"

namespace cpu {

class Interpreter final : public Engine {
 public:
  explicit Interpreter(Cpu& c);
  Exit run(Cpu& c, uint64_t budget) override;
  std::string stats() const override;
  const char* name() const override { return "interp"; }
  ICache& icache() { return icache_; }

  // Execute exactly one instruction (used by conformance runners).
  Exit step(Cpu& c) { return run(c, 1); }

  // Deliver the exception fault() recorded, after restoring the snapshot,
  // with the double- and triple-fault rules. False: the CPU shut down. The
  // translator's dispatcher uses it too, so faults are delivered one way.
  bool handle_fault(Cpu& c);
  // Between instructions: take a pending interrupt, end an interrupt
  // shadow, report HLT and stop requests (true: return *why).
  bool service_events(Cpu& c, Exit* why);

 private:
  ICache icache_;
  uint64_t retired_ = 0;     // members, not locals: they survive longjmp
  uint64_t target_ = 0;
  uint64_t faults_ = 0;
  uint64_t interrupts_ = 0;
  Exit why_ = Exit::Budget;
};

}  // namespace cpu
