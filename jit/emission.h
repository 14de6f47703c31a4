// jit::Emission: the state one block's translation carries from instruction
// to instruction (translator.cpp drives it; the inline emitters use it).
#pragma once
#include <asmjit/x86.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "cpu/decode.h"
#include "jit/config.h"
#include "jit/regcache.h"
#include "jit/translator.h"

namespace jit {

namespace x86 = asmjit::x86;

inline const x86::Gp kCpu = x86::r15;      // the Cpu, pinned
inline const x86::Gp kTlbTable = x86::r12;  // the soft-TLB table for the block's CPL
inline const x86::Gp kEntries = x86::r13;  // GeneratedCounters::block_entries
inline const x86::Gp kHelpers = x86::r14;  // GeneratedCounters::helper_calls
inline const x86::Gp kTsc = x86::rbp;      // Cpu::tsc while generated code runs (translator.cpp)

// Where the guest's arithmetic flags are while a block runs.
// Three places, in order of precedence:
//   flags_in_host  RFLAGS holds the guest's OSZAPC; CpuState's are stale
//   flags_in_rbx   rbx holds them (an RFLAGS image saved before a memory
//                  access's checks clobbered RFLAGS); CpuState's are stale
//   neither        CpuState::eflags is exact
// rbx survives handler calls (callee-saved), so a slow path can still write
// the saved flags back before it calls its handler.
struct InlineState {
  bool flags_in_host = false;
  bool flags_in_rbx = false;
  bool exact() const { return !flags_in_host && !flags_in_rbx; }
};

struct Emission {
  Emission(x86::Assembler& as, const CpuOffsets& o, const Config& c, const cpu::Cpu& cp, uint32_t base,
           uint32_t eip, uint32_t m, uint32_t key, const JumpEntry* jt)
      : a(as), off(o), cfg(c), cpu(cp), cs_base(base), start_eip(eip), mode(m), segkey(key), jump_table(jt),
        exit(as.newLabel()) {}

  x86::Assembler& a;
  const CpuOffsets& off;
  const Config& cfg;
  const cpu::Cpu& cpu;       // for the soft-TLB table addresses
  uint32_t cs_base, start_eip;
  uint32_t mode;                       // the block's decode mode (jump-cache entries must match)
  uint32_t segkey;                     // what the segments allow to leave out (segkey.h)
  const JumpEntry* jump_table;         // null: no jump cache
  asmjit::Label exit;
  InlineState st{false, true};  // at entry the flags are in rbx (translator.cpp)
  // kTsc counts the whole block from its entry: `bias` is how many of those
  // instructions have not retired yet (kTsc - bias is the exact count).
  uint32_t bias = 0;
  bool eip_stale = true;     // CpuState::eip is not this point's EIP (chained entries do not set it)
  RegCache rc;               // guest registers in host registers (regcache.h)
  // The arithmetic flags something may read after the instruction being
  // emitted (the translator's liveness pass); an emitter may leave the
  // others wrong, as they are written again before anyone looks.
  uint32_t live_after = 0x8D5;
  void retire() { --bias; }
  struct Slot { size_t jmp_off; asmjit::Label stub, movabs; uint32_t target; };
  Slot slots[2];
  int nslots = 0;
  // Out-of-line slow paths: the instruction's handler, then back to `join`.
  struct Cold {
    asmjit::Label entry, join;
    const cpu::Insn* in;
    uint32_t at, next, bias;
    bool eip_stale, flags_after, flags_rbx;
    uint8_t dirty;
  };
  std::vector<Cold> cold;

  // A guest register as an operand of width w (1: AL..BH numbering): its
  // host register if it has one (marked dirty if `write`), else CpuState.
  asmjit::Operand greg(unsigned r, unsigned w, bool write);
  void regs_load(uint8_t except = 0);  // every mapped guest register from CpuState
  void regs_store();  // the dirty ones to CpuState
  void sync_state(uint32_t eip_now);                 // flags, tsc and EIP into CpuState
  void sync_exit(uint32_t eip_now);                  // at a block end: flags into rbx, EIP
  void call_handler(const cpu::Insn& in, uint32_t at, uint32_t next);
  void events_exit_check();                         // after a handler: leave on any event
  void exit_after_handler();                        // leave after a handler's instruction
  bool chainable(uint32_t target) const;
  void slot_jump(uint32_t target);
  void exit_to(uint32_t target);
  // Leave with CpuState::eip set: through the jump cache if it has the
  // target, else to the dispatcher.
  void exit_indirect();
  // For an inline instruction with a fast path that may fail: the label its
  // checks jump to; the handler runs there and execution continues at the
  // label returned by `join` (bind it after the fast path).
  std::pair<asmjit::Label, asmjit::Label> defer_to_handler(const cpu::Insn& in, uint32_t at, uint32_t next,
                                                           bool flags_after);
  void emit_cold();
};

}  // namespace jit
