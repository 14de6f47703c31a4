// jit::JitEngine: the translator as a cpu::Engine (`--cpu jit`).
//
// The dispatcher: look up the decoded block at CS:EIP in the shared ICache,
// find or translate its host code, link the previous block's direct exit to
// it, and enter it. Whatever generated code does not do itself is done by the
// same code the interpreter uses: fault delivery (Interpreter::handle_fault),
// event servicing, single-stepping, interrupt shadows, the instructions that
// do not fit in the budget (all run one at a time by the embedded
// interpreter). See translator.cpp for the full essay.
#pragma once
#include <memory>
#include <unordered_set>
#include <vector>

#include "cpu/engine.h"
#include "cpu/interp.h"
#include "jit/block.h"
#include "jit/code_cache.h"
#include "jit/config.h"
#include "jit/translator.h"

namespace jit {

struct JitStats {
  uint64_t blocks_translated = 0;
  uint64_t cache_flushes = 0;
  uint64_t invalidations = 0;   // translated blocks dropped (self-modifying code, remaps)
  uint64_t chains_patched = 0;
  uint64_t chains_unpatched = 0;
  uint64_t dispatches = 0;      // entries into generated code from the dispatcher
  uint64_t insns_generated = 0; // guest instructions retired in generated code
  uint64_t insns_total = 0;     // guest instructions retired by this engine
  uint64_t faults = 0;
  // Instructions handed to the interpreter, by reason.
  uint64_t interp_events = 0;   // events, interrupt shadows, TF/RF
  uint64_t interp_uncached = 0; // blocks decoded for one use (cut by the CS limit) or not encodable
  uint64_t encode_errors = 0;   // blocks asmjit could not encode (translator bugs; always 0 in tests)
  uint64_t interp_budget = 0;   // the end of a budget that a whole block would pass
  uint64_t interp_smc = 0;      // blocks on pages that code writes hit again and again
};

class JitEngine final : public cpu::Engine, public cpu::BlockObserver {
 public:
  JitEngine(cpu::Cpu& c, const Config& cfg);
  ~JitEngine() override;
  cpu::Exit run(cpu::Cpu& c, uint64_t budget) override;
  std::string stats() const override;
  const char* name() const override { return "jit"; }
  void block_dropped(cpu::Block& b) override;

  const JitStats& jit_stats() const { return st_; }
  uint64_t helper_calls() const { return tr_.counters().helper_calls; }
  uint64_t block_entries() const { return tr_.counters().block_entries; }
  cpu::Interpreter& interpreter() { return interp_; }

 private:
  JitBlock* find_or_translate(cpu::Block& b, uint32_t eip, uint32_t segkey);
  void flush_all();
  void forget(JitBlock* j);
  void link(ChainSlot* s, JitBlock* to);
  // Up to n instructions in the interpreter, counted into `counted`; true
  // when run() must return (why_ says why).
  bool interpret(cpu::Cpu& c, uint64_t n, uint64_t& counted);

  cpu::Cpu& c_;
  Config cfg_;
  cpu::Interpreter interp_;
  CodeCache cache_;
  mutable Translator tr_;
  std::unique_ptr<JumpEntry[]> jump_;  // the jump cache (block.h)
  // Per physical page: how often its translated blocks were dropped (for
  // self-modifying code); at Config::smc_interp its blocks are interpreted,
  // since retranslating after every write costs more than it saves.
  std::vector<uint8_t> smc_drops_;
  std::unordered_set<JitBlock*> live_;
  std::unordered_set<const cpu::Block*> unencodable_;
  std::vector<std::unique_ptr<JitBlock>> graveyard_;
  JitStats st_;
  // Dispatcher state that must survive a fault's longjmp: members, not locals.
  uint64_t end_ = 0;
  uint64_t t0_ = 0;
  bool in_generated_ = false;
  ChainSlot* pending_slot_ = nullptr;
  cpu::Exit why_ = cpu::Exit::Budget;
};

std::unique_ptr<cpu::Engine> make_engine(cpu::Cpu& c, const Config& cfg);

}  // namespace jit
