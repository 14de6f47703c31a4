// Block ends emitted inline: Jcc, JMP rel, JMP r/m, CALL rel and RET.
//
// Each one finishes the block itself: the branch in host code, then for
// every way out the state made exact (flags written back, tsc advanced by
// the instructions retired, EIP the target) and an exit - a chain slot when
// the target is known and in the block's page, the jump cache otherwise.
// A target past the CS limit, or a stack access that fails its fast-path
// checks, runs the instruction's handler instead, which raises the fault
// exactly as the interpreter would. The CS-limit test is left out when the
// segment key says no target of that width can be past the limit.
#include "cpu/cpu.h"
#include "jit/inline_ops.h"
#include "jit/inline_util.h"
#include "jit/segkey.h"

namespace jit {

using namespace asmjit;
using cpu::Insn;

Tail inline_tail(const Insn& in, const Config& cfg) {
  if (!genuine(in) || !cfg.inline_ops) return Tail::None;
  if (inline_jcc(in, cfg) >= 0) return Tail::Jcc;
  const cpu::Row& r = cpu::table()[in.row];
  if (r.map != 0) return Tail::None;
  if ((r.opcode == 0xE9 || r.opcode == 0xEB) && cfg.emits(Emitter::Jmp)) return Tail::Jmp;
  if (r.opcode >= 0xE0 && r.opcode <= 0xE3 && cfg.emits(Emitter::Jcc)) return Tail::Loop;  // LOOPNE LOOPE LOOP JCXZ
  if (r.opcode == 0xFF && r.reg == 4 && cfg.emits(Emitter::Jmp) && (!in.mem() || cfg.inline_mem))
    return Tail::JmpInd;
  if (!cfg.inline_mem) return Tail::None;
  if (r.opcode == 0xE8 && cfg.emits(Emitter::Call)) return Tail::Call;
  if (r.opcode == 0xC3 && cfg.emits(Emitter::Ret)) return Tail::Ret;
  return Tail::None;
}

namespace {

// Leave for the known EIP `target`: this instruction retires, then exit.
void leave_to(Emission& e, uint32_t target) {
  e.regs_store();
  flags_to_rbx(e.a, e.off, e.st);
  e.retire();
  e.exit_to(target);  // sets EIP (a chain slot's stub does, if the jump is not patched)
}

// Jump to `slow` if the immediate target is past the CS limit.
void check_target(Emission& e, uint32_t target, unsigned w, const Label& slow) {
  if (!cs_limit_check(e.segkey, w)) return;
  e.a.cmp(x86::dword_ptr(kCpu, e.off.cs_limit), target);
  e.a.jb(slow);
}

// The handler for a target past the limit (it raises #GP), then out. Every
// way here put the flags in rbx first.
void handler_exit(Emission& e, const Insn& last, uint32_t at, uint32_t next, uint32_t bias, bool stale,
                  uint8_t dirty) {
  e.bias = bias;
  e.eip_stale = stale;
  e.rc.dirty = dirty;
  e.st = InlineState{false, true};
  e.call_handler(last, at, next);
  e.exit_after_handler();
}

// The end of JMP r/m and RET, with the target EIP in edx: past the CS limit
// the handler (`slow`) raises #GP; else ESP += sp_delta (RET's pop), EIP :=
// edx, and out through the jump cache; `join` is where the slow path rejoins.
void leave_indirect(Emission& e, unsigned w, int32_t sp_delta, const Label& slow, const Label& join) {
  x86::Assembler& a = e.a;
  if (cs_limit_check(e.segkey, w)) {
    a.cmp(x86::edx, x86::dword_ptr(kCpu, e.off.cs_limit));
    a.ja(slow);
  }
  if (sp_delta) emit_sp_add(e, sp_delta);
  a.mov(x86::dword_ptr(kCpu, e.off.eip), x86::edx);
  a.bind(join);
  e.retire();
  e.eip_stale = false;  // both ways wrote it
  e.sync_exit(0);
  e.exit_indirect();
}

uint32_t rel_target(const Insn& in, uint32_t next) {
  uint32_t t = next + in.imm;
  return in.osz32() ? t : t & 0xFFFF;
}

void emit_jcc_tail(Emission& e, const Insn& last, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  const uint32_t taken = rel_target(last, next);
  const unsigned w = last.osz32() ? 4 : 2;
  Label t = a.newLabel(), slow = a.newLabel();
  emit_jcc(a, e.off, inline_jcc(last, e.cfg), e.st, t);
  const InlineState st = e.st;
  const uint32_t bias = e.bias;
  const bool stale = e.eip_stale;
  const uint8_t dirty = e.rc.dirty;
  leave_to(e, next);  // not taken
  a.bind(t);
  e.st = st;
  e.bias = bias;
  e.rc.dirty = dirty;
  flags_to_rbx(a, e.off, e.st);
  check_target(e, taken, w, slow);
  leave_to(e, taken);
  a.bind(slow);
  handler_exit(e, last, at, next, bias, stale, dirty);
}

void emit_jmp_tail(Emission& e, const Insn& last, uint32_t at, uint32_t next) {
  const uint32_t target = rel_target(last, next);
  const uint32_t bias = e.bias;
  const bool stale = e.eip_stale;
  const uint8_t dirty = e.rc.dirty;
  Label slow = e.a.newLabel();
  flags_to_rbx(e.a, e.off, e.st);
  check_target(e, target, last.osz32() ? 4 : 2, slow);
  leave_to(e, target);
  e.a.bind(slow);
  handler_exit(e, last, at, next, bias, stale, dirty);
}

// JMP r/m: the target from a register or through the inline memory path,
// then the jump cache.
void emit_jmp_ind_tail(Emission& e, const Insn& last, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  const unsigned w = last.osz32() ? 4 : 2;
  auto [slow, join] = e.defer_to_handler(last, at, next, false);
  if (last.mem()) {
    x86::Mem m = emit_mem_fast(e, last, w, false, slow);
    if (w == 4) a.mov(x86::edx, m);
    else a.movzx(x86::edx, m);
  } else if (w == 4) {
    a.emit(x86::Inst::kIdMov, x86::edx, e.greg(last.rm, 4, false));
  } else {
    a.emit(x86::Inst::kIdMovzx, x86::edx, e.greg(last.rm, 2, false));
  }
  leave_indirect(e, w, 0, slow, join);
}

// LOOPNE, LOOPE, LOOP (E0-E2): eCX -= 1 (the address size picks CX or ECX),
// flags untouched, then jump if eCX != 0 (and ZF = 0 / 1); JCXZ (E3): jump if
// eCX = 0. A target past the CS limit runs the handler before anything
// changed (it decides whether the branch is taken and faults).
void emit_loop_tail(Emission& e, const Insn& last, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  const unsigned op = cpu::table()[last.row].opcode;
  const unsigned aw = last.asz32() ? 4 : 2;
  const uint32_t taken = rel_target(last, next);
  flags_to_rbx(a, e.off, e.st);  // the counter arithmetic clobbers RFLAGS
  const uint32_t bias = e.bias;
  const bool stale = e.eip_stale;
  const uint8_t dirty = e.rc.dirty;
  Label slow = a.newLabel(), t = a.newLabel(), nt = a.newLabel();
  check_target(e, taken, last.osz32() ? 4 : 2, slow);
  const Operand cnt = e.greg(cpu::ECX, aw, op != 0xE3);
  if (op == 0xE3) {
    a.emit(x86::Inst::kIdCmp, cnt, imm(0));
    a.je(t);
  } else {
    a.emit(x86::Inst::kIdDec, cnt);
    if (op == 0xE2) {
      a.jnz(t);
    } else {
      a.jz(nt);
      a.test(x86::ebx, cpu::ZF);
      if (op == 0xE1) a.jnz(t);  // LOOPE: ZF = 1
      else a.jz(t);              // LOOPNE: ZF = 0
    }
  }
  a.bind(nt);
  const uint8_t after = e.rc.dirty;
  leave_to(e, next);
  a.bind(t);
  e.bias = bias;
  e.rc.dirty = after;
  e.st = InlineState{false, true};
  leave_to(e, taken);
  a.bind(slow);
  handler_exit(e, last, at, next, bias, stale, dirty);
}

// CALL rel: push the return address on the inline stack path, then the
// target (chained when in this page).
void emit_call_tail(Emission& e, const Insn& last, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  const unsigned w = last.osz32() ? 4 : 2;
  const uint32_t target = rel_target(last, next);
  auto [slow, join] = e.defer_to_handler(last, at, next, false);
  check_target(e, target, w, slow);
  x86::Mem m = emit_stack_fast(e, w, true, slow);
  if (w == 4) a.mov(m, next);
  else a.mov(m, imm(int16_t(uint16_t(next))));
  emit_sp_add(e, -int32_t(w));
  a.bind(join);
  e.retire();
  e.regs_store();
  flags_to_rbx(a, e.off, e.st);
  e.exit_to(target);
}

// RET: pop EIP on the inline stack path, then the jump cache.
void emit_ret_tail(Emission& e, const Insn& last, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  const unsigned w = last.osz32() ? 4 : 2;
  auto [slow, join] = e.defer_to_handler(last, at, next, false);
  x86::Mem m = emit_stack_fast(e, w, false, slow);
  if (w == 4) a.mov(x86::edx, m);
  else a.movzx(x86::edx, m);
  leave_indirect(e, w, int32_t(w), slow, join);
}

}  // namespace

void emit_tail(Emission& e, Tail t, const Insn& last, uint32_t at) {
  const uint32_t next = at + last.len;
  switch (t) {
    case Tail::Jcc: return emit_jcc_tail(e, last, at, next);
    case Tail::Jmp: return emit_jmp_tail(e, last, at, next);
    case Tail::JmpInd: return emit_jmp_ind_tail(e, last, at, next);
    case Tail::Call: return emit_call_tail(e, last, at, next);
    case Tail::Ret: return emit_ret_tail(e, last, at, next);
    case Tail::Loop: return emit_loop_tail(e, last, at, next);
    case Tail::None: break;
  }
}

}  // namespace jit
