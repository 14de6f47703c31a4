// Inline shifts and rotates (SHL/SAL SHR SAR ROL ROR RCL RCR by 1, imm8 and
// CL; RCL/RCR by CL in 32 bits only), with the reference's flags
// (cpu/flags_shift.h) bit for bit.
//
// The host instruction does the work on the operand in place (a guest
// register in CpuState, or guest memory through the soft TLB) with the same
// count: the host masks it to 5 bits as the guest does, and for RCL/RCR
// takes it modulo 9/17 on bytes/words as the guest does. What the host
// defines is used as it is: the result; SF ZF PF of a shift; CF of a shift
// whose count is below the width; CF of a rotate; the untouched SF ZF AF PF
// of a rotate; OF of a rotate by 1. The rest is rebuilt (inline_arith.h):
//   shifts   AF := 0; OF := the count-1 formula on the original operand
//            (SHL: MSB ^ bit N-2, SHR: MSB, SAR: 0); on bytes and words, CF
//            for a count that may reach the width: bit N-c of the operand
//            (SHL), bit c-1 (SHR; SAR on the sign-extended operand).
//   rotates  OF := MSB(r) ^ CF (ROL, RCL), MSB(r) ^ bit N-2 of r (ROR, RCR)
//            for any count but 1.
// A masked count of 0 changes nothing: a constant 0 emits no operation; CL
// is tested first (with JRCXZ when the guest's flags are live in RFLAGS,
// else the handler takes that case).
#include <asmjit/x86.h>

#include <cstdint>

#include "jit/inline_arith.h"
#include "jit/inline_ops.h"
#include "jit/inline_util.h"

namespace jit {

using namespace asmjit;
using cpu::Insn;

namespace {

bool is_rotate(ShiftOp op) { return op >= ShiftOp::Rol; }
bool is_rc(ShiftOp op) { return op == ShiftOp::Rcl || op == ShiftOp::Rcr; }

void host_op(x86::Assembler& a, ShiftOp op, const Operand& dst, const Operand& count) {
  static const x86::Inst::Id ids[] = {x86::Inst::kIdShl, x86::Inst::kIdShr, x86::Inst::kIdSar, x86::Inst::kIdRol,
                                      x86::Inst::kIdRor, x86::Inst::kIdRcl, x86::Inst::kIdRcr};
  a.emit(ids[unsigned(op)], dst, count);
}

// SHL SHR SAR on dst by `c` (1..31), or by CL (c = 0: ecx holds the guest's
// CL, not 0 once masked). The operand's address, if in memory, is in rax.
void shift_core(x86::Assembler& a, ShiftOp op, const Operand& dst, unsigned w, unsigned c) {
  const unsigned n = 8 * w;
  const bool sar = op == ShiftOp::Sar;
  const bool cf_fix = w < 4 && (c == 0 || c >= n);  // the host's CF is undefined there
  const x86::Gp v = dx_w(w);
  if (!sar || cf_fix) load_ext(a, dst, w, sar);  // edx := the operand
  host_op(a, op, dst, c ? Operand(imm(c)) : Operand(x86::cl));
  a.lahf(x86::ah);                       // SF ZF PF (CF) of the result
  a.and_(x86::ah, cf_fix ? 0xC4 : 0xC5);  // AF := 0 (and CF if rebuilt)
  if (cf_fix) {
    if (c == 0) {
      if (op == ShiftOp::Shl) {
        // Bit N-c of the operand (c masked: cl is the guest's CL); a
        // negative N-c is a bit above 31 of rdx (BT takes it modulo 64): 0.
        a.and_(x86::ecx, 0x1F);
        a.neg(x86::ecx);
        a.add(x86::ecx, n);
        a.bt(x86::rdx, x86::rcx);
      } else {
        a.dec(x86::ecx);
        a.bt(x86::edx, x86::ecx);  // bit c-1 (BT takes it modulo 32, which masks CL) of the extended operand
      }
      a.adc(x86::ah, 0);
    } else if (sar || c == n) {
      a.bt(x86::edx, op == ShiftOp::Shl ? 0u : sar ? c - 1 : n - 1);
      a.adc(x86::ah, 0);
    }  // else a count past the width: CF = 0
  }
  if (op == ShiftOp::Shl) a.add(v, v);  // OF := MSB ^ bit N-2 of the operand
  else if (op == ShiftOp::Shr) a.add(v, w == 1 ? imm(int8_t(-0x80)) : w == 2 ? imm(int16_t(-0x8000)) : imm(INT32_MIN));
  a.sahf(x86::ah);                      // (SAR: OF = 0 from the AND)
}

// ROL ROR RCL RCR on dst by `c` (1..31), or by CL (c = 0: the guest's CL in
// cl, not 0 once masked). The guest's SF ZF AF PF (and CF for RCL/RCR) are
// in RFLAGS. The operand's address, if in memory, is in rdx.
void rotate_core(x86::Assembler& a, ShiftOp op, const Operand& dst, unsigned w, unsigned c) {
  host_op(a, op, dst, c ? Operand(imm(c)) : Operand(x86::cl));
  if (c == 1) return;  // the host's OF is defined for a count of 1, and equal
  const x86::Gp v = dx_w(w);
  a.lahf(x86::ah);        // SF ZF AF PF untouched, CF of the rotate
  load_ext(a, dst, w);    // the result (flags untouched)
  if (op == ShiftOp::Rol) a.ror(v, 1);       // MSB := CF (= bit 0), bit N-2 := MSB(r)
  else if (op == ShiftOp::Rcl) a.rcr(v, 1);  // the same with CF from the host
  a.add(v, v);            // OF := MSB ^ bit N-2
  a.sahf(x86::ah);
}

}  // namespace

bool can_inline_shift(ShiftOp op, CountKind k, unsigned w) {
  // RCL/RCR by CL on bytes and words: the count modulo 9/17 may be 0 with
  // CL & 31 not 0, which the CL test here does not see.
  return !(is_rc(op) && k == CountKind::Cl && w < 4);
}

void emit_inline_shift(Emission& e, const Insn& in, ShiftOp op, CountKind k, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  const unsigned w = width(in), n = 8 * w;
  const bool rot = is_rotate(op);
  unsigned c = k == CountKind::One ? 1 : k == CountKind::Imm ? (uint8_t(in.imm) & 0x1F) : 0;
  // A constant count that changes nothing (RCL/RCR: modulo 9/17 on bytes and words).
  const bool noop = k != CountKind::Cl && (is_rc(op) && w < 4 ? c % (n + 1) : c) == 0;

  bool have_cold = false;
  std::pair<Label, Label> cold;
  Operand dst;
  if (in.mem()) {
    // Read-modify-write even with a count of 0 (the handler's rule): the
    // write checks decide between fast and slow path.
    cold = e.defer_to_handler(in, at, next, !noop);
    have_cold = true;
    x86::Mem m = emit_mem_fast(e, in, w, true, cold.first);
    if (noop) {
      a.bind(cold.second);
      return;  // no flags written: where the checks left them
    }
    const x86::Gp addr = rot ? x86::rdx : x86::rax;  // rotates need AH before, shifts after
    a.lea(addr, m);
    dst = x86::ptr(addr, 0, w);
  } else {
    if (noop) return;
    dst = e.greg(in.rm, w, true);
  }

  Label skip;
  if (k == CountKind::Cl) {
    const Operand cl_src = e.greg(cpu::ECX, 1, false);
    a.emit(x86::Inst::kIdMovzx, x86::ecx, cl_src);
    if (e.st.flags_in_host) {
      // The guest's flags are live in RFLAGS: test CL & 31 without touching
      // them (the low byte of count * 8), then reload the count.
      skip = a.newLabel();
      a.lea(x86::ecx, x86::ptr(uint64_t(0), x86::rcx, 3));
      a.movzx(x86::ecx, x86::cl);
      a.jecxz(x86::rcx, skip);
      a.emit(x86::Inst::kIdMovzx, x86::ecx, cl_src);
    } else {
      if (!have_cold) cold = e.defer_to_handler(in, at, next, true);
      have_cold = true;
      a.test(x86::cl, 0x1F);
      a.jz(cold.first);  // a count of 0: the handler (no change)
    }
  }
  if (rot) {
    // SF ZF AF PF survive a rotate: they must be the guest's. CF and OF are
    // written (the count is not 0 here), but RCL/RCR read CF.
    if (!e.st.flags_in_host) load_guest_flags(a, e.off, e.st, false);
    rotate_core(a, op, dst, w, c);
  } else {
    if (e.live_after) shift_core(a, op, dst, w, c);
    else host_op(a, op, dst, c ? Operand(imm(c)) : Operand(x86::cl));  // no flag is read before rewritten
  }
  if (skip.isValid()) a.bind(skip);
  if (have_cold) a.bind(cold.second);
  e.st.flags_in_host = true;
}

}  // namespace jit
