// jit::Translator: one decoded block (cpu::Block, from the ICache) into host
// code in the code cache. translator.cpp opens with the essay on how
// generated code and the dispatcher (engine.cpp) divide the work.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cpu/cpu.h"
#include "cpu/icache.h"
#include "jit/block.h"
#include "jit/code_cache.h"
#include "jit/config.h"

namespace jit {

// Byte offsets of the fields generated code uses, from the Cpu it runs on
// (Cpu is not standard-layout, so they are measured, not offsetof'd).
struct CpuOffsets {
  int32_t gpr, eip, eflags, snap, events, inhibit, tsc, budget_end, cs_limit, cpl;
  int32_t seg_base[6], seg_limit[6], seg_attr[6];
  explicit CpuOffsets(const cpu::Cpu& c);
};

// Counters generated code keeps in host registers (r13, r14) while it runs;
// the trampoline adds them here when it returns. (Never in the code cache:
// a store near code that is executing makes the host CPU flush its pipeline.)
struct GeneratedCounters {
  uint64_t block_entries;  // blocks entered, by the dispatcher or by a chained jump
  uint64_t helper_calls;   // reference-handler calls from generated code
};

class Translator {
 public:
  Translator(const cpu::Cpu& c, CodeCache& cache, const Config& cfg);
  ~Translator();

  // Translate the first min(b.insns.size(), cfg.max_insns) instructions of `b`
  // for entry at `eip` with CS.base `cs_base` into `out`. CacheFull: nothing
  // was written (flush and try again). EncodeError: asmjit refused an
  // instruction an emitter produced (a translator bug; the message says
  // which): the block must run in the interpreter.
  enum class Result { Ok, CacheFull, EncodeError };
  Result translate(cpu::Block& b, uint32_t eip, uint32_t cs_base, uint32_t segkey, JitBlock& out);
  const std::string& encode_error() const;

  // The entry trampoline: uint64_t enter(Cpu*, const uint8_t* code) runs
  // generated code from `code` until it returns to the dispatcher; the result
  // is 0 or the ChainSlot* of the direct exit taken.
  using EnterFn = uint64_t (*)(cpu::Cpu*, const uint8_t*);
  EnterFn enter() const { return enter_; }
  // The jump cache generated code probes at indirect exits (jit/block.h).
  void set_jump_table(const JumpEntry* t) { jump_table_ = t; }
  // Re-emit the trampoline after the cache was flushed.
  void reset();
  GeneratedCounters& counters() { return counters_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const cpu::Cpu& cpu_;
  CodeCache& cache_;
  const Config& cfg_;
  CpuOffsets off_;
  EnterFn enter_ = nullptr;
  GeneratedCounters counters_{};
  const JumpEntry* jump_table_ = nullptr;
};

}  // namespace jit
