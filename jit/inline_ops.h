// Inline emitters: host code for the hot instructions instead of a handler
// call (DESIGN.md principles 2, 3 and 5).
//
// Guest registers stay in CpuState; an inline instruction operates on them in
// place (`add dword [r15+gpr+4*r], eax`), at the guest's own operand size, so
// 8- and 16-bit forms keep the untouched parts of the register as the
// hardware does. The host computes EFLAGS: after an inline ALU instruction
// the guest's arithmetic flags (OF SF ZF AF PF CF) are in host RFLAGS, and
// they are written to CpuState::eflags only where something needs them there
// (a handler call, an exit, the checks of a memory access); a later inline
// flag writer simply overwrites them. That is the flag elision;
// `--jit no-flag-elision` writes them after every instruction.
//
// Memory operands take the soft-TLB fast path inline (inline_mem.cpp): the
// segment checks, then the TLB entry's tag, then the access through the
// entry's host addend. Any check that fails jumps to an out-of-line slow path
// that runs the instruction's reference handler, so faults, MMIO, page
// crossings and writes to code are all handled in one place.
#pragma once
#include <cstdint>

#include "cpu/decode.h"
#include "jit/emission.h"

namespace jit {

// Arithmetic flags the host computes for the guest.
constexpr uint32_t kArithFlags = 0x8D5;  // OF SF ZF AF PF CF

// True if `in` has an inline emitter (and the configuration allows it).
bool can_inline(const cpu::Insn& in, const Config& cfg);
// Emit it (at EIP `at`; `next` is the following EIP).
void emit_inline(Emission& e, const cpu::Insn& in, uint32_t at, uint32_t next);
// inline_arith.cpp: IMUL, shifts and rotates, NEG, NOT, XCHG (the same
// contract as can_inline/emit_inline; emit_inline_arith returns false for
// an instruction it does not handle).
bool can_inline_arith(const cpu::Insn& in, const Config& cfg);
bool emit_inline_arith(Emission& e, const cpu::Insn& in, uint32_t at, uint32_t next);
// inline_string.cpp: LODS, STOS, MOVS, SCAS, CMPS without a repeat prefix,
// and XLAT (the same contract).
bool can_inline_string(const cpu::Insn& in, const Config& cfg);
bool emit_inline_string(Emission& e, const cpu::Insn& in, uint32_t at, uint32_t next);
// Write the guest's arithmetic flags from RFLAGS or rbx into
// CpuState::eflags if they are there (clobbers rax, rcx and RFLAGS).
void materialize_flags(x86::Assembler& a, const CpuOffsets& off, InlineState& st);
// Before code that clobbers RFLAGS: flags in the host move to rbx (pushfq;
// pop rbx), two instructions instead of a write-back.
void save_flags(x86::Assembler& a, InlineState& st);
// The guest's arithmetic flags into RFLAGS (never TF, DF or IF), from rbx or
// CpuState, unless they are there already; then flags_in_host.
void load_flags_to_host(x86::Assembler& a, const CpuOffsets& off, InlineState& st);
// If `in` is a Jcc rel8/rel32 the translator may end a block with inline,
// its condition code (0-15), else -1.
int inline_jcc(const cpu::Insn& in, const Config& cfg);
// What an inline instruction does to the arithmetic flags, for the
// translator's liveness pass: the flags it reads, the ones it always writes,
// and whether it is a barrier (it may run its handler or fault, so every
// flag must be exact before it). Anything not inline is a barrier.
struct FlagEffect {
  uint32_t read = 0, written = 0;
  bool barrier = true;
};
FlagEffect flag_effect(const cpu::Insn& in, const Config& cfg);
FlagEffect arith_flag_effect(const cpu::Insn& in);  // inline_arith.cpp's instructions
FlagEffect string_flag_effect(const cpu::Insn& in);  // inline_string.cpp's instructions
uint32_t cc_flags(int cc);                           // the flags condition `cc` (0-15) reads

// The guest registers an inline instruction reads and writes (bit per GPR),
// for the register cache's plan: `full` are written whole (32 bits) without
// being read first. AH..BH count as their 32-bit register.
struct RegUse {
  uint8_t read = 0, written = 0, full = 0;
};
RegUse reg_use(const cpu::Insn& in, const Config& cfg);   // inline_ops.cpp, tails included
RegUse arith_reg_use(const cpu::Insn& in);                // inline_arith.cpp's instructions
RegUse string_reg_use(const cpu::Insn& in);               // inline_string.cpp's instructions

// tails.cpp: the block ends the translator emits inline (Tail::None: the
// handler runs and the generic exits follow).
enum class Tail : uint8_t { None, Jcc, Jmp, JmpInd, Call, Ret, Loop };
Tail inline_tail(const cpu::Insn& in, const Config& cfg);
// Emit the block's last instruction `last` (at EIP `at`) and its exits.
void emit_tail(Emission& e, Tail t, const cpu::Insn& last, uint32_t at);
// The host condition code that holds when the guest condition `cc` (0-15)
// does: `cc` itself when the flags are in RFLAGS, else a test of their bits
// in rbx or CpuState (clobbers rax, rcx, rdx and RFLAGS).
x86::CondCode emit_cond(x86::Assembler& a, const CpuOffsets& off, const InlineState& st, int cc);
// At a block boundary (see translator.cpp): the flags into rbx, from RFLAGS
// or from CpuState.
void flags_to_rbx(x86::Assembler& a, const CpuOffsets& off, InlineState& st);
// Emit a host jump to `taken` if the guest condition `cc` holds (emit_cond).
void emit_jcc(x86::Assembler& a, const CpuOffsets& off, int cc, InlineState& st, const asmjit::Label& taken);

// inline_mem.cpp: the soft-TLB fast path for the memory operand of `in`
// (`w` bytes). Leaves the host address in rax + rcx and returns it as an
// operand; jumps to `slow` when any check fails. Clobbers rax, rcx, rdx and
// RFLAGS (guest flags in RFLAGS are saved in rbx first: save_flags).
// The effective address (offset) of the memory operand of `in` into ecx,
// wrapped to the address size (clobbers rdx; leaves RFLAGS alone).
void emit_ea(Emission& e, const cpu::Insn& in);
x86::Mem emit_mem_fast(Emission& e, const cpu::Insn& in, unsigned w, bool write, const asmjit::Label& slow);
// The same for seg:[offset already in ecx] (zero-extended into rcx; string
// instructions and XLAT address memory without a ModRM operand).
x86::Mem emit_mem_at(Emission& e, unsigned seg, unsigned w, bool write, const asmjit::Label& slow);
// The same for the stack: SS:[ESP - w] (push) or SS:[ESP] (pop); a 32-bit
// stack in 32-bit code, a 16-bit one (SP) otherwise, the other kind slow.
x86::Mem emit_stack_fast(Emission& e, unsigned w, bool push, const asmjit::Label& slow);
// ESP (or SP, as emit_stack_fast chose) += delta, after the access.
void emit_sp_add(Emission& e, int32_t delta);

}  // namespace jit
