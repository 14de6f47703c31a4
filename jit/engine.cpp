#include "jit/engine.h"

#include <cstdio>
#include <stdexcept>

#include "jit/segkey.h"

namespace jit {

using cpu::Cpu;
using cpu::Exit;

JitEngine::JitEngine(Cpu& c, const Config& cfg)
    : c_(c), cfg_(cfg), interp_(c), cache_(cfg.cache_bytes), tr_(c, cache_, cfg_),
      jump_(std::make_unique<JumpEntry[]>(kJumpSize)), smc_drops_(size_t(1) << (32 - mmu::kPageShift)) {
  interp_.icache().set_observer(this);
  tr_.set_jump_table(jump_.get());
}

JitEngine::~JitEngine() {
  interp_.icache().set_observer(nullptr);
  for (JitBlock* j : live_) delete j;
}

std::unique_ptr<cpu::Engine> make_engine(Cpu& c, const Config& cfg) {
  return std::make_unique<JitEngine>(c, cfg);
}

JitBlock* JitEngine::find_or_translate(cpu::Block& b, uint32_t eip, uint32_t segkey) {
  for (auto* j = static_cast<JitBlock*>(b.engine); j; j = j->next_same_block)
    if (j->eip == eip && j->segkey == segkey) return j;
  auto* j = new JitBlock;
  uint32_t base = c_.seg[cpu::CS].base;
  Translator::Result r = tr_.translate(b, eip, base, segkey, *j);
  if (r == Translator::Result::CacheFull) {
    flush_all();
    r = tr_.translate(b, eip, base, segkey, *j);
    if (r == Translator::Result::CacheFull) {
      delete j;
      throw std::runtime_error("jit: a block does not fit in an empty code cache (--jit cache= too small)");
    }
  }
  if (r == Translator::Result::EncodeError) {
    // A translator bug, not the guest's: say so once, and let the
    // interpreter run this block from now on.
    delete j;
    if (st_.encode_errors++ == 0)
      std::fprintf(stderr, "xlat86: jit: could not encode the block at EIP %08X (%s); it runs in the interpreter\n",
                   eip, tr_.encode_error().c_str());
    unencodable_.insert(&b);
    return nullptr;
  }
  j->next_same_block = static_cast<JitBlock*>(b.engine);
  b.engine = j;
  live_.insert(j);
  ++st_.blocks_translated;
  return j;
}

// Unlink `j` from every chain and retire it (its code stays in the cache,
// unreachable, until the next flush).
void JitEngine::forget(JitBlock* j) {
  for (ChainSlot* s : j->incoming) {
    CodeCache::patch_jump(s->jmp, s->stub);
    s->to = nullptr;
    ++st_.chains_unpatched;
  }
  for (auto& s : j->slots) {
    if (s->to && s->to != j) std::erase(s->to->incoming, s.get());
    if (pending_slot_ == s.get()) pending_slot_ = nullptr;
  }
  for (uint32_t k = 0; k < kJumpSize; ++k)
    if (jump_[k].code == j->code) jump_[k] = JumpEntry{};
  live_.erase(j);
  graveyard_.emplace_back(j);
  ++st_.invalidations;
}

void JitEngine::block_dropped(cpu::Block& b) {
  unencodable_.erase(&b);
  auto* j = static_cast<JitBlock*>(b.engine);
  if (j && cfg_.smc_interp) {
    uint8_t& d = smc_drops_[b.phys >> mmu::kPageShift];
    if (d < 255) ++d;
  }
  b.engine = nullptr;
  while (j) {
    JitBlock* next = j->next_same_block;
    forget(j);
    j = next;
  }
}

void JitEngine::flush_all() {
  for (JitBlock* j : live_) {
    j->block->engine = nullptr;
    delete j;
  }
  live_.clear();
  unencodable_.clear();
  for (uint32_t k = 0; k < kJumpSize; ++k) jump_[k] = JumpEntry{};
  pending_slot_ = nullptr;
  tr_.reset();
  ++st_.cache_flushes;
}

void JitEngine::link(ChainSlot* s, JitBlock* to) {
  if (s->to == to) return;
  if (s->to) std::erase(s->to->incoming, s);
  s->to = to;
  to->incoming.push_back(s);
  CodeCache::patch_jump(s->jmp, to->code);
  ++st_.chains_patched;
}

bool JitEngine::interpret(Cpu& c, uint64_t n, uint64_t& counted) {
  pending_slot_ = nullptr;
  const uint64_t t = c.tsc;
  const Exit e = interp_.run(c, n);
  counted += c.tsc - t;
  if (e == Exit::Budget) return false;
  why_ = e;
  return true;
}

Exit JitEngine::run(Cpu& c, uint64_t budget) {
  std::jmp_buf jb;
  std::jmp_buf* outer = c.fault_jmp;
  const uint64_t start = c.tsc;
  end_ = c.tsc + budget;
  why_ = Exit::Budget;
  c.fault_jmp = &jb;
  if (setjmp(jb)) {
    // A fault in a handler called from generated code: the snapshot the code
    // took before the call is restored and the exception delivered, as the
    // interpreter does.
    if (in_generated_) st_.insns_generated += c.tsc - t0_;
    in_generated_ = false;
    pending_slot_ = nullptr;
    ++st_.faults;
    ++c.tsc;  // a fault counts as a step, as in the interpreter
    if (!interp_.handle_fault(c)) {
      why_ = Exit::Shutdown;
      end_ = c.tsc;  // leave the loop
    }
  }
  while (c.tsc < end_) {
    if (c.events && !c.halted && !c.inhibit && !(c.eflags & (cpu::TF | cpu::RF))) {
      // Only signals (an interrupt request, a mode change that may have
      // opened the interrupt window, a code write): serviced as the
      // interpreter does between two instructions (it also frees retired
      // blocks), then on in generated code.
      pending_slot_ = nullptr;
      graveyard_.clear();
      if (interp_.service_events(c, &why_)) break;
      continue;
    }
    if (c.events || c.halted || c.inhibit || (c.eflags & (cpu::TF | cpu::RF))) {
      // Events, interrupt shadows and single steps: the interpreter's way.
      if (interpret(c, 1, st_.interp_events)) break;
      continue;
    }
    cpu::take_snapshot(c);  // a fetch fault in lookup() is precise too
    auto* b = const_cast<cpu::Block*>(interp_.icache().lookup());
    uint64_t left = end_ - c.tsc;
    if (!b->cached || unencodable_.count(b)) {
      // Decoded for one use (cut by the CS limit), or not encodable: interpret it.
      if (interpret(c, std::min<uint64_t>(left, b->insns.size()), st_.interp_uncached)) break;
      continue;
    }
    if (cfg_.smc_interp && smc_drops_[b->phys >> mmu::kPageShift] >= cfg_.smc_interp) {
      if (interpret(c, std::min<uint64_t>(left, b->insns.size()), st_.interp_smc)) break;
      continue;
    }
    const uint32_t segkey = segment_key(c, cfg_);
    JitBlock* j = find_or_translate(*b, c.eip, segkey);
    if (!j) continue;  // not encodable: the interpreter runs it next time round
    if (j->ninsns > left) {
      if (interpret(c, left, st_.interp_budget)) break;
      continue;
    }
    // A block whose instruction crosses into a second page is entered only
    // from here, after lookup() has checked that the second page still maps
    // where it did: never through a chain or the jump cache.
    if (pending_slot_ && pending_slot_->target_eip == c.eip && cfg_.chain && !b->crosses) link(pending_slot_, j);
    if (cfg_.jump_cache && !b->crosses) {
      uint32_t lin = c.seg[cpu::CS].base + c.eip;
      jump_[jump_slot(lin)] = JumpEntry{lin, c.eip, *c.tlb->generation(), uint32_t(b->key >> 32) | segkey << 8, j->code, 0};
    }
    c.events.budget_end = end_;
    t0_ = c.tsc;
    in_generated_ = true;
    ++st_.dispatches;
    uint64_t r = tr_.enter()(&c, j->code);
    in_generated_ = false;
    st_.insns_generated += c.tsc - t0_;
    pending_slot_ = reinterpret_cast<ChainSlot*>(r);
  }
  c.events.budget_end = ~0ull;
  c.fault_jmp = outer;
  st_.insns_total += c.tsc - start;
  return why_;
}

std::string JitEngine::stats() const {
  const GeneratedCounters& g = tr_.counters();
  char buf[768];
  double share = st_.insns_total ? 100.0 * double(st_.insns_generated) / double(st_.insns_total) : 0.0;
  uint64_t chained = g.block_entries > st_.dispatches ? g.block_entries - st_.dispatches : 0;
  std::snprintf(buf, sizeof buf,
                "engine jit: retired %llu, %.1f%% in generated code, faults %llu\n"
                "jit: blocks translated %llu, cache flushes %llu, invalidations %llu, code %zu of %zu KiB\n"
                "jit: block entries %llu (dispatcher %llu, chained %llu), chains patched %llu, unpatched %llu, "
                "helper calls %llu\n"
                "jit: interpreted for events %llu, uncached blocks %llu, budget ends %llu, code-written pages %llu\n",
                (unsigned long long)st_.insns_total, share, (unsigned long long)st_.faults,
                (unsigned long long)st_.blocks_translated, (unsigned long long)st_.cache_flushes,
                (unsigned long long)st_.invalidations, cache_.used() >> 10, cache_.size() >> 10,
                (unsigned long long)g.block_entries, (unsigned long long)st_.dispatches,
                (unsigned long long)chained, (unsigned long long)st_.chains_patched,
                (unsigned long long)st_.chains_unpatched, (unsigned long long)g.helper_calls,
                (unsigned long long)st_.interp_events, (unsigned long long)st_.interp_uncached,
                (unsigned long long)st_.interp_budget, (unsigned long long)st_.interp_smc);
  return buf + interp_.stats();
}

}  // namespace jit
