// jit::Emission: the pieces every block's translation is made of (handler
// calls with the state exact, the events test, chain slots, the jump-cache
// probe, out-of-line slow paths). translator.cpp strings them together.
#include "jit/emission.h"

#include "cpu/cpu.h"
#include "jit/inline_ops.h"
#include "jit/inline_util.h"
#include "jit/segkey.h"
#include "jit/rep_string.h"

namespace jit {

using namespace asmjit;
using cpu::Insn;

asmjit::Operand Emission::greg(unsigned r, unsigned w, bool write) {
  if (w == 1 && r >= 4) return reg_mem(off, r, 1);  // AH..BH: never mapped
  if (!rc.has(r)) return reg_mem(off, r, w);
  if (write) rc.dirty |= uint8_t(1u << r);
  const x86::Gp& h = rc.host[r];
  if (w == 4) return h;
  if (w == 2) return h.r16();
  return h.r8();
}

void Emission::regs_load(uint8_t except) {
  for (unsigned r = 0; r < 8; ++r)
    if (rc.has(r) && !((except >> r) & 1)) a.mov(rc.host[r], x86::dword_ptr(kCpu, off.gpr + 4 * int32_t(r)));
  rc.dirty = 0;
}

void Emission::regs_store() {
  for (unsigned r = 0; r < 8; ++r)
    if ((rc.dirty >> r) & 1) a.mov(x86::dword_ptr(kCpu, off.gpr + 4 * int32_t(r)), rc.host[r]);
  rc.dirty = 0;
}

void Emission::sync_state(uint32_t eip_now) {
  regs_store();
  materialize_flags(a, off, st);
  if (bias) {
    a.lea(x86::rax, x86::ptr(kTsc, -int32_t(bias)));
    a.mov(x86::qword_ptr(kCpu, off.tsc), x86::rax);
  } else {
    a.mov(x86::qword_ptr(kCpu, off.tsc), kTsc);
  }
  if (eip_stale) a.mov(x86::dword_ptr(kCpu, off.eip), eip_now);
  eip_stale = false;
}

void Emission::sync_exit(uint32_t eip_now) {
  regs_store();
  flags_to_rbx(a, off, st);
  if (bias) a.lea(kTsc, x86::ptr(kTsc, -int32_t(bias)));  // not reached: blocks end with bias 0
  if (eip_stale) a.mov(x86::dword_ptr(kCpu, off.eip), eip_now);
  eip_stale = false;
}

void Emission::call_handler(const Insn& in, uint32_t at, uint32_t next) {
  sync_state(at);
  a.movups(x86::xmm0, x86::ptr(kCpu, off.gpr));
  a.movups(x86::xmm1, x86::ptr(kCpu, off.gpr + 16));
  a.mov(x86::rax, x86::qword_ptr(kCpu, off.gpr + 32));
  a.movups(x86::ptr(kCpu, off.snap), x86::xmm0);
  a.movups(x86::ptr(kCpu, off.snap + 16), x86::xmm1);
  a.mov(x86::qword_ptr(kCpu, off.snap + 32), x86::rax);
  a.mov(x86::dword_ptr(kCpu, off.eip), next);
  a.mov(x86::rdi, kCpu);
  a.mov(x86::rsi, uint64_t(uintptr_t(&in)));
  a.call(imm(uint64_t(uintptr_t(call_target(in, cfg)))));  // rep_string.h: REP MOVS/STOS in bulk
  a.inc(kHelpers);
  // The handler may have counted more (a REP in bulk): kTsc from its tsc.
  a.mov(kTsc, x86::qword_ptr(kCpu, off.tsc));
  if (bias) a.add(kTsc, bias);
  regs_load();
}

void Emission::exit_after_handler() {
  a.mov(kTsc, x86::qword_ptr(kCpu, off.tsc));
  a.inc(kTsc);  // the handler's instruction retired
  a.mov(x86::ebx, x86::dword_ptr(kCpu, off.eflags));  // leaving: the flags in rbx
  a.jmp(exit);
}

void Emission::events_exit_check() {
  Label go = a.newLabel();
  a.cmp(x86::dword_ptr(kCpu, off.events), 0);
  a.je(go);
  exit_after_handler();
  a.bind(go);
}

bool Emission::chainable(uint32_t target) const {
  return cfg.chain && !(((cs_base + target) ^ (cs_base + start_eip)) >> mmu::kPageShift);
}

void Emission::slot_jump(uint32_t target) {
  Slot& s = slots[nslots++];
  s.stub = a.newLabel();
  s.movabs = a.newLabel();
  s.target = target;
  s.jmp_off = a.offset();
  a.long_().jmp(s.stub);
  a.bind(s.stub);
  a.mov(x86::dword_ptr(kCpu, off.eip), target);  // chained jumps leave EIP to the target
  a.bind(s.movabs);
  static const uint8_t movabs_rax[10] = {0x48, 0xB8};  // mov rax, imm64: the ChainSlot*, patched later
  a.embed(movabs_rax, sizeof movabs_rax);
  a.ret();
}

void Emission::exit_to(uint32_t target) {
  if (chainable(target)) {
    slot_jump(target);
  } else {
    a.mov(x86::dword_ptr(kCpu, off.eip), target);
    exit_indirect();
  }
}

void Emission::exit_indirect() {
  if (!jump_table) {
    a.jmp(exit);
    return;
  }
  // eax := EIP, then the linear address (CS base 0 in the key: the same).
  a.mov(x86::eax, x86::dword_ptr(kCpu, off.eip));
  if (!(segkey & kSegKeyCs4G)) {
    a.cmp(x86::eax, x86::dword_ptr(kCpu, off.cs_limit));
    a.ja(exit);  // the fetch would fault: the dispatcher raises it
  }
  const bool base0 = segkey & kSegKeyCsBase0;
  if (!base0) a.add(x86::eax, x86::dword_ptr(kCpu, off.seg_base[cpu::CS]));
  a.mov(x86::edx, x86::eax);
  a.shr(x86::edx, kJumpBits);
  a.xor_(x86::edx, x86::eax);
  a.and_(x86::edx, kJumpSize - 1);
  a.shl(x86::edx, 5);
  a.mov(x86::rcx, uint64_t(uintptr_t(jump_table)));
  a.add(x86::rcx, x86::rdx);
  a.cmp(x86::eax, x86::dword_ptr(x86::rcx, offsetof(JumpEntry, lin)));
  a.jne(exit);
  if (!base0) {
    a.mov(x86::eax, x86::dword_ptr(kCpu, off.eip));
    a.cmp(x86::eax, x86::dword_ptr(x86::rcx, offsetof(JumpEntry, eip)));
    a.jne(exit);
  }
  // (The mode word holds the segment key, which says CS base 0 too, so an
  // entry made under another CS base cannot match.)
  a.cmp(x86::dword_ptr(x86::rcx, offsetof(JumpEntry, mode)), mode | segkey << 8);
  a.jne(exit);
  a.mov(x86::rax, uint64_t(uintptr_t(cpu.tlb->generation())));
  a.mov(x86::eax, x86::dword_ptr(x86::rax));
  a.cmp(x86::eax, x86::dword_ptr(x86::rcx, offsetof(JumpEntry, tlb_gen)));
  a.jne(exit);
  a.jmp(x86::qword_ptr(x86::rcx, offsetof(JumpEntry, code)));
}

std::pair<Label, Label> Emission::defer_to_handler(const Insn& in, uint32_t at, uint32_t next, bool flags_after) {
  save_flags(a, st);  // the fast path's checks clobber RFLAGS
  Cold c{a.newLabel(), a.newLabel(), &in, at, next, bias, eip_stale, flags_after, st.flags_in_rbx, rc.dirty};
  cold.push_back(c);
  return {c.entry, c.join};
}

// The slow paths: the instruction's handler with the state exact, then the
// fast path's accounting restored (tsc not yet advanced; the flags where the
// fast path may leave them: CpuState exact, rbx a copy of EFLAGS, and RFLAGS
// too if the instruction writes flags) and back.
void Emission::emit_cold() {
  for (const Cold& c : cold) {
    a.bind(c.entry);
    bias = c.bias;
    eip_stale = c.eip_stale;
    rc.dirty = c.dirty;
    st.flags_in_host = false;  // saved in rbx before the checks, if they were in RFLAGS
    st.flags_in_rbx = c.flags_rbx;
    call_handler(*c.in, c.at, c.next);
    events_exit_check();
    a.mov(x86::ebx, x86::dword_ptr(kCpu, off.eflags));
    if (c.flags_after) load_flags_to_host(a, off, st);
    a.jmp(c.join);
  }
}

}  // namespace jit
