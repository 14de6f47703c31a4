// Where the guest's arithmetic flags are while a block runs (emission.h:
// InlineState) and the code that moves them: RFLAGS, rbx (an RFLAGS image)
// and CpuState::eflags, and conditions evaluated on whichever holds them.
#include <asmjit/x86.h>

#include "cpu/cpu.h"
#include "jit/inline_ops.h"

namespace jit {

using namespace asmjit;

void materialize_flags(x86::Assembler& a, const CpuOffsets& off, InlineState& st) {
  if (st.flags_in_host) {
    a.pushfq();
    a.pop(x86::rax);
  } else if (st.flags_in_rbx) {
    a.mov(x86::eax, x86::ebx);
  } else {
    return;
  }
  a.and_(x86::eax, kArithFlags);
  a.mov(x86::ecx, x86::dword_ptr(kCpu, off.eflags));
  a.and_(x86::ecx, ~kArithFlags);
  a.or_(x86::ecx, x86::eax);
  a.mov(x86::dword_ptr(kCpu, off.eflags), x86::ecx);
  st.flags_in_host = st.flags_in_rbx = false;
}

void flags_to_rbx(x86::Assembler& a, const CpuOffsets& off, InlineState& st) {
  if (st.flags_in_host) {
    a.pushfq();
    a.pop(x86::rbx);
  } else if (!st.flags_in_rbx) {
    a.mov(x86::ebx, x86::dword_ptr(kCpu, off.eflags));
  }
  st.flags_in_host = false;
  st.flags_in_rbx = true;
}

void save_flags(x86::Assembler& a, InlineState& st) {
  if (!st.flags_in_host) return;
  a.pushfq();
  a.pop(x86::rbx);
  st.flags_in_host = false;
  st.flags_in_rbx = true;
}

void load_flags_to_host(x86::Assembler& a, const CpuOffsets& off, InlineState& st) {
  if (st.flags_in_host) return;
  // Only the arithmetic flags reach RFLAGS: never the guest's TF, DF or IF.
  if (st.flags_in_rbx) a.mov(x86::eax, x86::ebx);
  else a.mov(x86::eax, x86::dword_ptr(kCpu, off.eflags));
  a.and_(x86::eax, kArithFlags);
  a.push(x86::rax);
  a.popfq();
  st.flags_in_host = true;
}

void emit_jcc(x86::Assembler& a, const CpuOffsets& off, int cc, InlineState& st, const Label& taken) {
  a.j(emit_cond(a, off, st, cc), taken);
}

x86::CondCode emit_cond(x86::Assembler& a, const CpuOffsets& off, const InlineState& st, int cc) {
  if (st.flags_in_host) return x86::CondCode(cc);
  // The flags as bits in a register (rbx, or EFLAGS loaded into eax): set
  // the host's ZF to "condition false" with a test; no popfq.
  x86::Gp f = x86::ebx;
  if (!st.flags_in_rbx) {
    a.mov(x86::eax, x86::dword_ptr(kCpu, off.eflags));
    f = x86::eax;
  }
  switch (cc & ~1) {
    case 0: a.test(f, cpu::OF); break;
    case 2: a.test(f, cpu::CF); break;
    case 4: a.test(f, cpu::ZF); break;
    case 6: a.test(f, cpu::CF | cpu::ZF); break;
    case 8: a.test(f, cpu::SF); break;
    case 10: a.test(f, cpu::PF); break;
    default:  // L, LE: SF != OF (OF is bit 11, SF bit 7), or ZF for LE
      a.mov(x86::ecx, f);
      a.shr(x86::ecx, 4);
      a.xor_(x86::ecx, f);
      a.and_(x86::ecx, cpu::SF);
      if ((cc & ~1) == 14) {
        a.mov(x86::edx, f);
        a.and_(x86::edx, cpu::ZF);
        a.or_(x86::ecx, x86::edx);
      }
      break;
  }
  return (cc & 1) ? x86::CondCode::kZ : x86::CondCode::kNZ;
}

}  // namespace jit
