// Inline emitters for the arithmetic beyond ADD..CMP: IMUL and MUL, the
// shifts and rotates (inline_shift.cpp), NEG, NOT, XCHG, and SETcc/CMOVcc
// with a memory operand. Same contract as inline_ops.cpp: host code at the
// guest's operand width on the registers in CpuState, memory operands
// through the inline soft TLB with the handler as the slow path, and every
// flag equal to what the reference handler computes, undefined flags
// included (built from defined host results: inline_arith.h), so the two
// engines never differ.
#include <asmjit/x86.h>

#include <string_view>
#include <vector>

#include "jit/inline_arith.h"
#include "jit/inline_ops.h"
#include "jit/inline_util.h"

namespace jit {

using namespace asmjit;
using cpu::Insn;

namespace {

enum class AOp : uint8_t { None, Not, Neg, Imul2, Imul3, Imul1, Mul1, Shift, Xchg, XchgA, Setcc, Cmovcc };

struct ADesc {
  AOp op = AOp::None;
  Emitter em = Emitter::Count;
  ShiftOp shift = ShiftOp::Shl;
  CountKind count = CountKind::One;
};

bool shift_op(std::string_view mn, ShiftOp& op) {
  static const std::pair<std::string_view, ShiftOp> ops[] = {
      {"SHL", ShiftOp::Shl}, {"SHR", ShiftOp::Shr}, {"SAR", ShiftOp::Sar}, {"ROL", ShiftOp::Rol},
      {"ROR", ShiftOp::Ror}, {"RCL", ShiftOp::Rcl}, {"RCR", ShiftOp::Rcr}};
  for (auto& [name, o] : ops)
    if (mn == name) {
      op = o;
      return true;
    }
  return false;
}

ADesc describe(const cpu::Row& r) {
  std::string_view mn = row_mnemonic(r), ops = row_operands(r);
  if (r.attrs != cpu::A_NONE) return {};
  const bool e_form = ops == "Eb" || ops == "Ev";
  if (mn == "NOT" && e_form) return {AOp::Not, Emitter::Not};
  if (mn == "NEG" && e_form) return {AOp::Neg, Emitter::Neg};
  if (mn == "IMUL" && ops == "Gv,Ev") return {AOp::Imul2, Emitter::Imul};
  if (mn == "IMUL" && (ops == "Gv,Ev,Iz" || ops == "Gv,Ev,Ib")) return {AOp::Imul3, Emitter::Imul};
  if (mn == "IMUL" && e_form) return {AOp::Imul1, Emitter::Imul};
  if (mn == "MUL" && e_form) return {AOp::Mul1, Emitter::Imul};
  if (ShiftOp s; shift_op(mn, s) && r.map == 0) {
    ADesc d{AOp::Shift, s <= ShiftOp::Sar ? Emitter::Shift : Emitter::Rotate, s};
    if (ops == "Eb,1" || ops == "Ev,1") d.count = CountKind::One;
    else if (ops == "Eb,Ib" || ops == "Ev,Ib") d.count = CountKind::Imm;
    else if (ops == "Eb,CL" || ops == "Ev,CL") d.count = CountKind::Cl;
    else return {};
    return d;
  }
  if (mn == "XCHG" && (ops == "Eb,Gb" || ops == "Ev,Gv")) return {AOp::Xchg, Emitter::Xchg};
  if (mn == "XCHG" && r.map == 0 && r.opcode >= 0x91 && r.opcode <= 0x97) return {AOp::XchgA, Emitter::Xchg};
  if (r.map == 1 && (r.opcode & 0xF0) == 0x90 && ops == "Eb" && mn.substr(0, 3) == "SET")
    return {AOp::Setcc, Emitter::Setcc};
  if (r.map == 1 && (r.opcode & 0xF0) == 0x40 && ops == "Gv,Ev" && mn.substr(0, 4) == "CMOV")
    return {AOp::Cmovcc, Emitter::Cmovcc};
  return {};
}

const ADesc& desc_of(const Insn& in) {
  static const std::vector<ADesc> table = [] {
    std::vector<ADesc> v;
    for (const cpu::Row& r : cpu::table()) v.push_back(describe(r));
    return v;
  }();
  return table[in.row];
}

bool host_has_lahf() {
  static const bool has = CpuInfo::host().features().x86().hasLAHFSAHF();
  return has;
}

// After a host IMUL/MUL (CF = OF = the product does not fit): the
// reference's flags, SF and PF of the low half `lo`, ZF = AF = 0. `t` is a
// free byte register (not AL/AH).
void mul_flags(x86::Assembler& a, const x86::Gp& lo, const x86::Gp& t) {
  a.seto(t);
  a.test(lo, lo);
  a.lahf(x86::ah);
  a.and_(x86::ah, 0x84);  // SF PF
  a.or_(x86::ah, t);      // CF
  a.add(t, 0x7F);         // OF
  a.sahf(x86::ah);
}

// IMUL Gv,Ev / Gv,Ev,imm: the product in edx, written to G.
void emit_imul_g(Emission& e, const Insn& in, bool three, const Operand& src) {
  x86::Assembler& a = e.a;
  const unsigned w = width(in);
  const x86::Gp d = dx_w(w);
  if (three) {
    a.emit(x86::Inst::kIdImul, d, src, imm_of(in, w));
  } else {
    a.emit(x86::Inst::kIdMov, d, e.greg(in.reg, w, false));
    a.emit(x86::Inst::kIdImul, d, src);
  }
  a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), d);
  if (e.live_after & (cpu::SF | cpu::ZF | cpu::AF | cpu::PF)) mul_flags(a, d, x86::al);  // else CF OF suffice
}

// MUL/IMUL Eb/Ev: AX := AL * src, or DX:AX / EDX:EAX := eAX * src.
void emit_mul_acc(Emission& e, const Insn& in, bool sign, const Operand& src) {
  x86::Assembler& a = e.a;
  const unsigned w = width(in);
  const x86::Gp lo = scratch(w);
  a.emit(x86::Inst::kIdMov, lo, e.greg(cpu::EAX, w, false));
  const x86::Inst::Id id = sign ? x86::Inst::kIdImul : x86::Inst::kIdMul;
  if (w == 1) {
    a.emit(id, x86::ax, src);
    a.emit(x86::Inst::kIdMov, e.greg(cpu::EAX, 2, true), x86::ax);
  } else {
    a.emit(id, dx_w(w), lo, src);
    a.emit(x86::Inst::kIdMov, e.greg(cpu::EAX, w, true), lo);
    a.emit(x86::Inst::kIdMov, e.greg(cpu::EDX, w, true), dx_w(w));
  }
  if (e.live_after & (cpu::SF | cpu::ZF | cpu::AF | cpu::PF)) mul_flags(a, w == 1 ? x86::al : lo, x86::cl);
}

// XCHG: both values read before either is written (XCHG r, r with itself too).
void emit_xchg_regs(Emission& e, unsigned r1, unsigned r2, unsigned w) {
  x86::Assembler& a = e.a;
  a.emit(x86::Inst::kIdMov, scratch(w), e.greg(r1, w, false));
  a.emit(x86::Inst::kIdMov, dx_w(w), e.greg(r2, w, false));
  a.emit(x86::Inst::kIdMov, e.greg(r1, w, true), dx_w(w));
  a.emit(x86::Inst::kIdMov, e.greg(r2, w, true), scratch(w));
}

}  // namespace

void load_guest_flags(x86::Assembler& a, const CpuOffsets& off, const InlineState& st, bool with_of) {
  // AH cannot be addressed with a REX prefix (r15-based operands need one):
  // through AL.
  if (st.flags_in_rbx) a.mov(x86::eax, x86::ebx);  // an RFLAGS image
  else if (with_of) a.movzx(x86::eax, x86::word_ptr(kCpu, off.eflags));
  else a.movzx(x86::eax, x86::byte_ptr(kCpu, off.eflags));
  if (with_of) {
    a.and_(x86::ah, 0x08);  // OF (EFLAGS bit 11)
    a.add(x86::ah, 0x78);   // overflows exactly when OF was set
  }
  a.mov(x86::ah, x86::al);
  a.sahf(x86::ah);
}

void load_ext(x86::Assembler& a, const Operand& src, unsigned w, bool sign) {
  a.emit(w == 4 ? x86::Inst::kIdMov : sign ? x86::Inst::kIdMovsx : x86::Inst::kIdMovzx, x86::edx, src);
}

RegUse arith_reg_use(const Insn& in) {
  // Every register the instruction names is read and written (IMUL with
  // three operands writes its destination whole).
  const ADesc& d = desc_of(in);
  const unsigned w = width(in);
  auto bit = [&](unsigned r) { return uint8_t(1u << (w == 1 ? r & 3 : r)); };
  RegUse u;
  uint8_t regs = 0;
  if (!in.mem()) regs |= bit(in.rm);
  switch (d.op) {
    case AOp::Imul3:
      u.written = uint8_t(1u << in.reg);
      if (w == 4 && !(regs & u.written)) u.full = u.written;
      u.read = regs;
      return u;
    case AOp::Imul2:
    case AOp::Xchg:
    case AOp::Cmovcc: regs |= bit(in.reg); break;
    case AOp::XchgA: regs = uint8_t(1u << cpu::EAX | 1u << in.reg); break;
    case AOp::Imul1:
    case AOp::Mul1: regs |= uint8_t(1u << cpu::EAX | 1u << cpu::EDX); break;
    case AOp::Shift:
      if (d.count == CountKind::Cl) u.read |= uint8_t(1u << cpu::ECX);
      break;
    default: break;
  }
  u.read |= regs;
  u.written = regs;
  return u;
}

FlagEffect arith_flag_effect(const Insn& in) {
  const ADesc& d = desc_of(in);
  FlagEffect fe;
  fe.barrier = in.mem();
  switch (d.op) {
    case AOp::Neg:
    case AOp::Imul2:
    case AOp::Imul3:
    case AOp::Imul1:
    case AOp::Mul1: fe.written = kArithFlags; break;
    case AOp::Setcc:
    case AOp::Cmovcc: fe.read = cc_flags(cpu::table()[in.row].opcode & 0xF); break;
    case AOp::Shift: {
      const bool rc = d.shift == ShiftOp::Rcl || d.shift == ShiftOp::Rcr;
      if (rc) fe.read = cpu::CF;
      // A count of 0 writes nothing: only constant counts write for sure.
      const unsigned c = d.count == CountKind::One ? 1 : d.count == CountKind::Imm ? (uint8_t(in.imm) & 0x1F) : 0;
      if (c == 0 || (rc && width(in) < 4 && c % (8 * width(in) + 1) == 0)) break;
      fe.written = d.shift <= ShiftOp::Sar ? kArithFlags : cpu::CF | cpu::OF;
      break;
    }
    default: break;  // NOT, XCHG
  }
  return fe;
}

bool can_inline_arith(const Insn& in, const Config& cfg) {
  const ADesc& d = desc_of(in);
  if (d.op == AOp::None || !cfg.emits(d.em)) return false;
  if ((d.op == AOp::Setcc || d.op == AOp::Cmovcc) && !in.mem()) return false;  // inline_ops.cpp's
  if (d.op != AOp::Not && d.op != AOp::Neg && d.op != AOp::Xchg && d.op != AOp::XchgA && !host_has_lahf())
    return false;
  if (d.op == AOp::Shift && !can_inline_shift(d.shift, d.count, width(in))) return false;
  return !in.mem() || cfg.inline_mem;
}

bool emit_inline_arith(Emission& e, const Insn& in, uint32_t at, uint32_t next) {
  if (!can_inline_arith(in, e.cfg)) return false;
  const ADesc& d = desc_of(in);
  x86::Assembler& a = e.a;
  const CpuOffsets& off = e.off;
  const unsigned w = width(in);
  if (d.op == AOp::Shift) {
    emit_inline_shift(e, in, d.shift, d.count, at, next);
    return true;
  }
  if (d.op == AOp::XchgA) {
    emit_xchg_regs(e, cpu::EAX, in.reg, w);
    return true;
  }
  if (!in.mem()) {
    const bool writes = d.op == AOp::Not || d.op == AOp::Neg;
    const Operand rm = e.greg(in.rm, w, writes);
    switch (d.op) {
      case AOp::Not: a.emit(x86::Inst::kIdNot, rm); break;  // no flags
      case AOp::Neg: a.emit(x86::Inst::kIdNeg, rm); e.st.flags_in_host = true; break;  // all six as SUB 0, v
      case AOp::Imul2:
      case AOp::Imul3: emit_imul_g(e, in, d.op == AOp::Imul3, rm); e.st.flags_in_host = true; break;
      case AOp::Imul1:
      case AOp::Mul1: emit_mul_acc(e, in, d.op == AOp::Imul1, rm); e.st.flags_in_host = true; break;
      case AOp::Xchg: emit_xchg_regs(e, in.rm, in.reg, w); break;
      default: return false;  // not reached (SETcc/CMOVcc: memory only)
    }
    return true;
  }

  // Memory forms: the inline soft TLB, the handler as the slow path. After
  // the checks the guest's flags are in rbx or CpuState, not in RFLAGS.
  const bool reads_only = d.op == AOp::Imul2 || d.op == AOp::Imul3 || d.op == AOp::Imul1 || d.op == AOp::Mul1 ||
                          d.op == AOp::Cmovcc;
  const bool flags_after = d.op != AOp::Not && d.op != AOp::Xchg;
  auto [slow, join] = e.defer_to_handler(in, at, next, flags_after);
  x86::Mem m = emit_mem_fast(e, in, w, !reads_only, slow);
  const auto cc = x86::CondCode(cpu::table()[in.row].opcode & 0xF);
  switch (d.op) {
    case AOp::Not: a.not_(m); break;
    case AOp::Neg: a.neg(m); break;
    case AOp::Imul2:
    case AOp::Imul3: emit_imul_g(e, in, d.op == AOp::Imul3, m); break;
    case AOp::Imul1:
    case AOp::Mul1:
      a.lea(x86::rcx, m);  // rax is the accumulator
      emit_mul_acc(e, in, d.op == AOp::Imul1, x86::ptr(x86::rcx, 0, w));
      break;
    case AOp::Xchg:
      a.lea(x86::rax, m);
      a.emit(x86::Inst::kIdMov, dx_w(w), e.greg(in.reg, w, false));
      a.mov(cx_w(w), x86::ptr(x86::rax, 0, w));
      a.mov(x86::ptr(x86::rax, 0, w), dx_w(w));
      a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), cx_w(w));
      break;
    case AOp::Setcc:
      // The condition on the guest's flags, loaded whole so that RFLAGS
      // holds them afterwards.
      a.lea(x86::rdx, m);
      load_guest_flags(a, off, e.st, true);
      a.emit(x86::Inst::setccFromCond(cc), x86::byte_ptr(x86::rdx));
      break;
    case AOp::Cmovcc:
      // The operand is read (and may fault) whatever the condition; G is
      // written only if it holds (a 32-bit guest has no upper half to clear).
      a.mov(dx_w(w), m);
      load_guest_flags(a, off, e.st, true);
      a.emit(x86::Inst::kIdMov, cx_w(w), e.greg(in.reg, w, false));
      a.emit(x86::Inst::cmovccFromCond(cc), cx_w(w), dx_w(w));
      a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), cx_w(w));
      break;
    default: break;
  }
  a.bind(join);
  e.st.flags_in_host = flags_after;
  return true;
}

}  // namespace jit
