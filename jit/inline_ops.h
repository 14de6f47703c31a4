// Inline emitters: host code for the hot instructions instead of a handler
// call (DESIGN.md principles 2 and 3).
//
// Guest registers stay in CpuState; an inline instruction operates on them in
// place (`add dword [r15+gpr+4*r], eax`), at the guest's own operand size, so
// 8- and 16-bit forms keep the untouched parts of the register as the
// hardware does. The host computes EFLAGS: after an inline ALU instruction
// the guest's arithmetic flags (OF SF ZF AF PF CF) are in host RFLAGS, and
// they are written to CpuState::eflags only where something needs them there
// (a handler call, an exit); a later inline flag writer simply overwrites
// them. That is the flag elision; `--jit no-flag-elision` writes them after
// every instruction.
//
// Only register and immediate operands are inline so far; memory operands go
// through the handler (and its soft-TLB path).
#pragma once
#include <cstdint>

#include "cpu/decode.h"
#include "jit/translator.h"

namespace asmjit { inline namespace _abi_1_9 { namespace x86 { class Assembler; } } }

namespace jit {

// The emitter state carried from instruction to instruction in a block.
struct InlineState {
  bool flags_in_host = false;  // RFLAGS holds the guest's OSZAPC; CpuState's are stale
};

// Arithmetic flags the host computes for the guest.
constexpr uint32_t kArithFlags = 0x8D5;  // OF SF ZF AF PF CF

// True if `in` has an inline emitter (and the configuration allows it).
bool can_inline(const cpu::Insn& in, const Config& cfg);
// Emit it. Updates st.flags_in_host.
void emit_inline(asmjit::x86::Assembler& a, const CpuOffsets& off, const cpu::Insn& in, InlineState& st);
// Write host RFLAGS' arithmetic flags into CpuState::eflags if they are
// there (clobbers rax, rcx and RFLAGS).
void materialize_flags(asmjit::x86::Assembler& a, const CpuOffsets& off, InlineState& st);
// If `in` is a Jcc rel8/rel32 the translator may end a block with inline,
// its condition code (0-15), else -1.
int inline_jcc(const cpu::Insn& in, const Config& cfg);
// Emit a host jump to `taken` if the guest condition `cc` holds, reading the
// flags from RFLAGS when they are there, else from CpuState (clobbers rax).
void emit_jcc(asmjit::x86::Assembler& a, const CpuOffsets& off, int cc, const InlineState& st, uint32_t taken_label_id);

}  // namespace jit
