#include "cpu/interp.h"

#include <cstdio>

namespace cpu {

const char* exit_name(Exit e) {
  switch (e) {
    case Exit::Budget: return "budget";
    case Exit::Halted: return "halted";
    case Exit::Stop: return "stop";
    case Exit::Shutdown: return "shutdown";
  }
  return "?";
}

static Cpu& with_tlb(Cpu& c) {
  if (!c.tlb) c.attach_memory(*c.mem);
  return c;
}

Interpreter::Interpreter(Cpu& c) : icache_(with_tlb(c)) {}

// Exception classes for the double-fault rules (SDM vol. 3, table 6-5).
static bool contributory(uint8_t v) { return v == kDE || (v >= kTS && v <= kGP); }

bool Interpreter::handle_fault(Cpu& c) {
  ++faults_;
  restore_snapshot(c);
  c.events &= ~EV_TRAP;
  uint8_t vec = c.fault_vec;
  uint32_t err = c.fault_err;
  // Deliver; a fault during delivery escalates. fault() longjmps back to run(),
  // which calls us again with fault_nested set.
  if (c.fault_nested) {
    uint8_t first = c.fault_nested - 1;
    if (first == kDF) {
      c.events |= EV_SHUTDOWN;
      return false;
    }
    if ((contributory(first) && contributory(vec)) || first == kPF) {
      vec = kDF;
      err = 0;
    }
  }
  c.fault_nested = uint8_t(vec + 1);
  deliver_interrupt(c, vec, IntKind::Exception, err);
  c.fault_nested = 0;
  return !(c.events & EV_SHUTDOWN);
}

// Between instructions: deliver a pending interrupt, handle HLT and stops.
// Returns true when run() must return with *why.
bool Interpreter::service_events(Cpu& c, Exit* why) {
  if (c.events & EV_SHUTDOWN) { *why = Exit::Shutdown; return true; }
  if (c.events & EV_STOP) { c.events &= ~EV_STOP; *why = Exit::Stop; return true; }
  c.events &= ~(EV_SMC | EV_MODE | EV_IRQ | EV_HALT);  // signals only: c.halted is the state
  icache_.collect_garbage();
  if (!c.inhibit && (c.eflags & IF) && c.intr && c.intr->intr_pending()) {
    uint8_t vec = c.intr->intr_ack();
    ++interrupts_;
    take_snapshot(c);
    deliver_interrupt(c, vec, IntKind::External);
    c.events &= ~EV_MODE;
  }
  if (c.inhibit) {
    c.inhibit = 0;
    c.events |= EV_IRQ;  // the shadow ends after the next instruction: look again then
  }
  if (c.halted) { *why = Exit::Halted; return true; }
  return false;
}

Exit Interpreter::run(Cpu& c, uint64_t budget) {
  std::jmp_buf jb;
  std::jmp_buf* outer = c.fault_jmp;
  c.fault_jmp = &jb;
  target_ = retired_ + budget;
  why_ = Exit::Budget;
  if (setjmp(jb)) {
    ++retired_;  // a fault counts as a step, so fault loops still end the budget
    ++c.tsc;
    if (!handle_fault(c)) {
      c.fault_jmp = outer;
      return Exit::Shutdown;
    }
  }
  while (retired_ < target_) {
    bool one = c.inhibit;  // the instruction after MOV SS/STI runs alone
    if (c.events || c.halted || c.inhibit) {
      if (service_events(c, &why_)) break;
    }
    take_snapshot(c);  // a fetch fault (#PF, #GP past the limit) is precise too
    const Block* b = icache_.lookup();
    const Insn* i = b->insns.data();
    const Insn* end = i + b->insns.size();
    bool single = c.eflags & TF;
    // RF (set by IRETD or a task switch) lasts for exactly one instruction.
    bool rf = c.eflags & RF;
    if (single || one || rf) end = i + 1;
    uint64_t left = target_ - retired_;
    if (uint64_t(end - i) > left) end = i + left;
    const uint64_t r0 = retired_;
    for (; i < end; ++i) {
      take_snapshot(c);
      c.eip += i->len;
      i->fn(c, *i);
      ++retired_;
      ++c.tsc;
      if (c.events) [[unlikely]] break;
    }
    if (rf && retired_ != r0) c.eflags &= ~RF;  // that instruction completed
    if (single && !(c.events & EV_SHUTDOWN)) {
      // Single-step trap after the instruction (TF was set before it ran).
      c.dr[6] |= 1u << 14;  // BS
      take_snapshot(c);
      deliver_interrupt(c, kDB, IntKind::Exception);
    }
  }
  c.fault_jmp = outer;
  return why_;
}

std::string Interpreter::stats() const {
  const ICacheStats& s = icache_.stats();
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "engine interp: retired %llu, faults %llu, interrupts %llu\n"
                "icache: blocks %llu, insns decoded %llu, lookups %llu, misses %llu, invalidations %llu\n",
                (unsigned long long)retired_, (unsigned long long)faults_,
                (unsigned long long)interrupts_, (unsigned long long)s.blocks_decoded,
                (unsigned long long)s.insns_decoded, (unsigned long long)s.lookups,
                (unsigned long long)s.misses, (unsigned long long)s.invalidations);
  return buf;
}

}  // namespace cpu
