#include "jit/inline_ops.h"

#include <asmjit/x86.h>

#include <string_view>
#include <vector>

#include "cpu/table.h"
#include "jit/inline_util.h"

namespace jit {

using namespace asmjit;
using cpu::Insn;

namespace {

enum class Op : uint8_t { None, Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test, Mov, Inc, Dec, Jcc, Push, Pop, Lea, Movzx, Movsx, Setcc, Cmovcc };
// Operand shapes (SDM notation): E,G = r/m and reg; I immediate; A = AL/eAX;
// Z = the register in the opcode's low bits; J = a relative branch.
enum class Shape : uint8_t { EG, GE, EI, AI, ZI, Z, E, J, AO, OA };  // AO/OA: AL/eAX from/to moffs

struct Desc {
  Op op = Op::None;
  Shape shape = Shape::EG;
  uint8_t src_w = 0;  // MOVZX/MOVSX: the source width
};

// The --jit no-emit switch that governs an operation.
Emitter emitter_of(Op op) {
  switch (op) {
    case Op::Add: return Emitter::Add;
    case Op::Or: return Emitter::Or;
    case Op::Adc: return Emitter::Adc;
    case Op::Sbb: return Emitter::Sbb;
    case Op::And: return Emitter::And;
    case Op::Sub: return Emitter::Sub;
    case Op::Xor: return Emitter::Xor;
    case Op::Cmp: return Emitter::Cmp;
    case Op::Test: return Emitter::Test;
    case Op::Inc: return Emitter::Inc;
    case Op::Dec: return Emitter::Dec;
    case Op::Push: return Emitter::Push;
    case Op::Pop: return Emitter::Pop;
    case Op::Jcc: return Emitter::Jcc;
    case Op::Lea: return Emitter::Lea;
    case Op::Movzx: return Emitter::Movzx;
    case Op::Movsx: return Emitter::Movsx;
    case Op::Setcc: return Emitter::Setcc;
    case Op::Cmovcc: return Emitter::Cmovcc;
    default: return Emitter::Mov;
  }
}

Op alu_op(std::string_view mn) {
  static const std::pair<std::string_view, Op> ops[] = {
      {"ADD", Op::Add}, {"OR", Op::Or},   {"ADC", Op::Adc}, {"SBB", Op::Sbb}, {"AND", Op::And},
      {"SUB", Op::Sub}, {"XOR", Op::Xor}, {"CMP", Op::Cmp}, {"TEST", Op::Test}};
  for (auto& [n, o] : ops)
    if (mn == n) return o;
  return Op::None;
}

Desc describe(const cpu::Row& r) {
  std::string_view form(r.form);
  size_t sp = form.find(' ');
  std::string_view mn = form.substr(0, sp);
  std::string_view ops = sp == std::string_view::npos ? std::string_view() : form.substr(sp + 1);
  Desc d;
  if (r.attrs != cpu::A_NONE && !(mn.size() >= 2 && mn[0] == 'J')) return d;
  if (Op o = alu_op(mn); o != Op::None) {
    if (ops == "Eb,Gb" || ops == "Ev,Gv") d = {o, Shape::EG};
    else if (ops == "Gb,Eb" || ops == "Gv,Ev") d = {o, Shape::GE};
    else if (ops == "Eb,Ib" || ops == "Ev,Iz" || ops == "Ev,Ib") d = {o, Shape::EI};
    else if (ops == "AL,Ib" || ops == "eAX,Iz") d = {o, Shape::AI};
  } else if (mn == "MOV") {
    if (ops == "Eb,Gb" || ops == "Ev,Gv") d = {Op::Mov, Shape::EG};
    else if (ops == "Gb,Eb" || ops == "Gv,Ev") d = {Op::Mov, Shape::GE};
    else if (ops == "Eb,Ib" || ops == "Ev,Iv") d = {Op::Mov, Shape::EI};
    else if (ops == "AL,Ob" || ops == "eAX,Ov") d = {Op::Mov, Shape::AO};
    else if (ops == "Ob,AL" || ops == "Ov,eAX") d = {Op::Mov, Shape::OA};
    else if (r.opcode >= 0xB0 && r.opcode <= 0xBF && r.map == 0) d = {Op::Mov, Shape::ZI};
  } else if (r.map == 1 && (r.opcode & 0xF0) == 0x90 && ops == "Eb" && mn.substr(0, 3) == "SET") {
    d = {Op::Setcc, Shape::E};
  } else if (r.map == 1 && (r.opcode & 0xF0) == 0x40 && ops == "Gv,Ev" && mn.substr(0, 4) == "CMOV") {
    d = {Op::Cmovcc, Shape::GE};
  } else if (mn == "LEA" && ops == "Gv,M") {
    d = {Op::Lea, Shape::GE};
  } else if ((mn == "MOVZX" || mn == "MOVSX") && (ops == "Gv,Eb" || ops == "Gv,Ew")) {
    d = {mn == "MOVZX" ? Op::Movzx : Op::Movsx, Shape::GE, uint8_t(ops == "Gv,Eb" ? 1 : 2)};
  } else if ((mn == "PUSH" || mn == "POP") && r.map == 0 && r.opcode >= 0x50 && r.opcode <= 0x5F) {
    d = {mn == "PUSH" ? Op::Push : Op::Pop, Shape::Z};
  } else if (mn == "INC" || mn == "DEC") {
    Op o = mn == "INC" ? Op::Inc : Op::Dec;
    if (ops == "Eb" || ops == "Ev") d = {o, Shape::E};
    else if (r.map == 0 && r.opcode >= 0x40 && r.opcode <= 0x4F) d = {o, Shape::Z};
  } else if (mn[0] == 'J' && mn != "JMP" && mn != "JCXZ" && mn != "JECXZ" && (ops == "Jb" || ops == "Jz") &&
             ((r.map == 0 && (r.opcode & 0xF0) == 0x70) || (r.map == 1 && (r.opcode & 0xF0) == 0x80))) {
    d = {Op::Jcc, Shape::J};
  }
  return d;
}

const Desc& desc_of(const Insn& in) {
  static const std::vector<Desc> table = [] {
    std::vector<Desc> v;
    for (const cpu::Row& r : cpu::table()) v.push_back(describe(r));
    return v;
  }();
  return table[in.row];
}

// Load the guest's CF into the host's (ADC, SBB, INC and DEC keep or read it).
void guest_cf_to_host(x86::Assembler& a, const CpuOffsets& off, const InlineState& st) {
  if (st.flags_in_host) return;
  if (st.flags_in_rbx) a.bt(x86::ebx, 0);
  else a.bt(x86::dword_ptr(kCpu, off.eflags), 0);
}

void emit_op(x86::Assembler& a, Op op, const Operand& dst, const Operand& src) {
  switch (op) {
    case Op::Add: a.emit(x86::Inst::kIdAdd, dst, src); break;
    case Op::Or: a.emit(x86::Inst::kIdOr, dst, src); break;
    case Op::Adc: a.emit(x86::Inst::kIdAdc, dst, src); break;
    case Op::Sbb: a.emit(x86::Inst::kIdSbb, dst, src); break;
    case Op::And: a.emit(x86::Inst::kIdAnd, dst, src); break;
    case Op::Sub: a.emit(x86::Inst::kIdSub, dst, src); break;
    case Op::Xor: a.emit(x86::Inst::kIdXor, dst, src); break;
    case Op::Cmp: a.emit(x86::Inst::kIdCmp, dst, src); break;
    case Op::Test:  // TEST has no reg, r/m form: it commutes
      if (src.isMem()) a.emit(x86::Inst::kIdTest, src, dst);
      else a.emit(x86::Inst::kIdTest, dst, src);
      break;
    case Op::Mov: a.emit(x86::Inst::kIdMov, dst, src); break;
    default: break;
  }
}

}  // namespace

bool can_inline(const Insn& in, const Config& cfg) {
  if (!cfg.inline_ops || !genuine(in) || (in.flags & cpu::I_LOCK)) return false;
  if (can_inline_arith(in, cfg)) return true;
  if (can_inline_string(in, cfg)) return true;
  const Desc& d = desc_of(in);
  if (d.op == Op::None || d.op == Op::Jcc || !cfg.emits(emitter_of(d.op))) return false;
  if (d.op == Op::Lea) return in.mem();
  if (d.op == Op::Setcc || d.op == Op::Cmovcc) return !in.mem();  // register forms
  if (d.op == Op::Pop && in.reg == cpu::ESP) return false;  // POP ESP: the handler's rule
  if (d.op == Op::Push || d.op == Op::Pop) return cfg.inline_mem;
  if (in.mem()) return cfg.inline_mem && (d.shape == Shape::EG || d.shape == Shape::GE || d.shape == Shape::EI ||
                                          d.shape == Shape::E || d.shape == Shape::AO || d.shape == Shape::OA);
  if (d.shape == Shape::AO || d.shape == Shape::OA) return false;
  return true;
}

uint32_t cc_flags(int cc) {
  static const uint32_t f[8] = {cpu::OF, cpu::CF, cpu::ZF, cpu::CF | cpu::ZF, cpu::SF, cpu::PF,
                                cpu::SF | cpu::OF, cpu::SF | cpu::OF | cpu::ZF};
  return f[(cc >> 1) & 7];
}

FlagEffect flag_effect(const Insn& in, const Config& cfg) {
  FlagEffect fe;
  const cpu::Row& r = cpu::table()[in.row];
  if (inline_jcc(in, cfg) >= 0) return {cc_flags(r.opcode & 0xF), 0, false};
  if (!can_inline(in, cfg)) return fe;
  if (can_inline_arith(in, cfg)) fe = arith_flag_effect(in);
  else if (can_inline_string(in, cfg)) fe = string_flag_effect(in);
  else {
    const Desc& d = desc_of(in);
    fe.barrier = false;
    switch (d.op) {
      case Op::Adc:
      case Op::Sbb: fe.read = cpu::CF; fe.written = kArithFlags; break;
      case Op::Inc:
      case Op::Dec: fe.written = kArithFlags & ~cpu::CF; break;
      case Op::Setcc:
      case Op::Cmovcc: fe.read = cc_flags(r.opcode & 0xF); break;
      case Op::Push:
      case Op::Pop: fe.barrier = true; break;  // a stack access
      case Op::Add:
      case Op::Or:
      case Op::And:
      case Op::Sub:
      case Op::Xor:
      case Op::Cmp:
      case Op::Test: fe.written = kArithFlags; break;
      default: break;  // MOV, LEA, MOVZX, MOVSX: no flags
    }
  }
  if (in.mem()) fe.barrier = true;  // the access may fault
  return fe;
}

namespace {
uint8_t bit(unsigned r, unsigned w) { return uint8_t(1u << (w == 1 ? r & 3 : r)); }
}  // namespace

RegUse reg_use(const Insn& in, const Config& cfg) {
  RegUse u;
  if (in.mem()) {
    if (in.base != cpu::kNoReg) u.read |= bit(in.base, 4);
    if (in.index != cpu::kNoReg) u.read |= bit(in.index, 4);
  }
  const cpu::Row& row = cpu::table()[in.row];
  if (inline_jcc(in, cfg) >= 0) return u;
  if (!can_inline(in, cfg)) {
    // Block ends emitted inline (tails.cpp): JMP r/m reads its register;
    // CALL and RET move ESP.
    if (row.map == 0 && row.opcode == 0xFF && !in.mem()) u.read |= bit(in.rm, 4);
    if (row.map == 0 && (row.opcode == 0xE8 || row.opcode == 0xC3)) u.read = u.written = bit(cpu::ESP, 4);
    if (row.map == 0 && row.opcode >= 0xE0 && row.opcode <= 0xE3) {  // LOOPcc, JCXZ: the counter
      u.read |= bit(cpu::ECX, 4);
      if (row.opcode != 0xE3) u.written |= bit(cpu::ECX, 4);
    }
    return u;
  }
  if (can_inline_arith(in, cfg)) {
    RegUse a = arith_reg_use(in);
    a.read |= u.read;
    return a;
  }
  if (can_inline_string(in, cfg)) {
    RegUse s = string_reg_use(in);
    s.read |= u.read;
    return s;
  }
  const Desc& d = desc_of(in);
  const unsigned w = width(in);
  // The destination and the source register, by shape.
  int dst = -1, src = -1;
  switch (d.shape) {
    case Shape::EG: dst = in.mem() ? -1 : in.rm; src = in.reg; break;
    case Shape::GE: dst = in.reg; src = in.mem() ? -1 : in.rm; break;
    case Shape::EI:
    case Shape::E: dst = in.mem() ? -1 : in.rm; break;
    case Shape::AI:
    case Shape::AO: dst = cpu::EAX; break;
    case Shape::OA: src = cpu::EAX; break;
    case Shape::ZI:
    case Shape::Z: dst = in.reg; break;
    case Shape::J: break;
  }
  const unsigned sw = d.src_w ? d.src_w : w;  // MOVZX/MOVSX read a narrower register
  if (src >= 0) u.read |= bit(unsigned(src), sw);
  if (d.op == Op::Push) {
    u.read |= bit(in.reg, w) | bit(cpu::ESP, 4);
    u.written |= bit(cpu::ESP, 4);
    return u;
  }
  if (d.op == Op::Pop) {
    u.read |= bit(cpu::ESP, 4);
    u.written |= bit(cpu::ESP, 4) | bit(in.reg, w);
    if (w == 4) u.full |= bit(in.reg, 4);
    return u;
  }
  if (dst >= 0) {
    const uint8_t b = bit(unsigned(dst), w);
    const bool write_only = d.op == Op::Mov || d.op == Op::Lea || d.op == Op::Movzx || d.op == Op::Movsx;
    if (d.op != Op::Cmp && d.op != Op::Test) u.written |= b;
    if (!write_only) u.read |= b;
    else if (w == 4 && !(u.read & b)) u.full |= b;
  }
  return u;
}

int inline_jcc(const Insn& in, const Config& cfg) {
  if (!cfg.inline_ops || !genuine(in)) return -1;
  const cpu::Row& r = cpu::table()[in.row];
  return desc_of(in).op == Op::Jcc && cfg.emits(Emitter::Jcc) ? (r.opcode & 0xF) : -1;
}

namespace {

bool writes_flags(Op op) { return op != Op::Mov && op != Op::Push && op != Op::Pop; }
bool writes_dst(Op op) { return op != Op::Cmp && op != Op::Test; }

// The operation on dst (a guest register in CpuState, or host memory) with
// src (a scratch register or an immediate).
void emit_alu(x86::Assembler& a, const CpuOffsets& off, Op op, const Operand& dst, const Operand& src,
              InlineState& st, bool cf_live = true) {
  switch (op) {
    case Op::Inc:
    case Op::Dec:
      if (cf_live) guest_cf_to_host(a, off, st);  // INC/DEC keep CF
      a.emit(op == Op::Inc ? x86::Inst::kIdInc : x86::Inst::kIdDec, dst);
      break;
    case Op::Adc:
    case Op::Sbb:
      guest_cf_to_host(a, off, st);
      emit_op(a, op, dst, src);
      break;
    default:
      emit_op(a, op, dst, src);
      break;
  }
}

// PUSH r / POP r on a 32-bit stack.
void emit_stack(Emission& e, const Insn& in, Op op, unsigned w, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  auto [slow, join] = e.defer_to_handler(in, at, next, false);
  x86::Mem m = emit_stack_fast(e, w, op == Op::Push, slow);
  x86::Gp t = scratch_d(w);
  if (op == Op::Push) {
    a.emit(x86::Inst::kIdMov, t, e.greg(in.reg, w, false));  // PUSH ESP pushes the value before the push
    a.mov(m, t);
    emit_sp_add(e, -int32_t(w));
  } else {
    a.mov(t, m);
    emit_sp_add(e, int32_t(w));
    a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), t);
  }
  a.bind(join);
  e.st.flags_in_host = false;  // written back before the checks
}

}  // namespace

void emit_inline(Emission& e, const Insn& in, uint32_t at, uint32_t next) {
  x86::Assembler& a = e.a;
  const CpuOffsets& off = e.off;
  if (emit_inline_arith(e, in, at, next)) return;
  if (emit_inline_string(e, in, at, next)) return;
  const Desc& d = desc_of(in);
  const unsigned w = width(in);
  if (d.op == Op::Push || d.op == Op::Pop) return emit_stack(e, in, d.op, w, at, next);
  if (d.op == Op::Setcc || d.op == Op::Cmovcc) {
    // Flag readers: the host's flags, or a test of the saved bits.
    const auto cc = emit_cond(a, off, e.st, cpu::table()[in.row].opcode & 0xF);
    if (d.op == Op::Setcc) {
      a.emit(x86::Inst::setccFromCond(cc), e.greg(in.rm, 1, true));
    } else {
      a.emit(x86::Inst::kIdMov, scratch_d(w), e.greg(in.reg, w, false));
      a.emit(x86::Inst::cmovccFromCond(cc), scratch_d(w), e.greg(in.rm, w, false));
      a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), scratch_d(w));
    }
    return;
  }
  if (d.op == Op::Lea) {
    // The effective address only: no access, no flags.
    emit_ea(e, in);
    a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), w == 4 ? x86::Gp(x86::ecx) : x86::Gp(x86::cx));
    return;
  }
  if (d.op == Op::Movzx || d.op == Op::Movsx) {
    Operand src;
    std::pair<Label, Label> cold;
    if (in.mem()) {
      cold = e.defer_to_handler(in, at, next, false);
      src = emit_mem_fast(e, in, d.src_w, false, cold.first);
    } else {
      src = e.greg(in.rm, d.src_w, false);
    }
    a.emit(d.op == Op::Movzx ? x86::Inst::kIdMovzx : x86::Inst::kIdMovsx, x86::edx, src);
    a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), w == 4 ? x86::Gp(x86::edx) : x86::Gp(x86::dx));
    if (in.mem()) {
      a.bind(cold.second);
      e.st.flags_in_host = false;  // written back before the checks
    }
    return;
  }
  if (in.mem()) {
    // The memory operand through the inline soft TLB; the handler otherwise.
    bool write = writes_dst(d.op) && d.shape != Shape::GE && d.shape != Shape::AO;
    auto [slow, join] = e.defer_to_handler(in, at, next, writes_flags(d.op));
    x86::Mem m = emit_mem_fast(e, in, w, write, slow);
    x86::Gp t = scratch_d(w);
    switch (d.shape) {
      case Shape::EG:
        a.emit(x86::Inst::kIdMov, t, e.greg(in.reg, w, false));
        if (d.op == Op::Mov) a.mov(m, t);
        else emit_alu(a, off, d.op, m, t, e.st);
        break;
      case Shape::GE:
        a.mov(t, m);
        if (d.op == Op::Mov) a.emit(x86::Inst::kIdMov, e.greg(in.reg, w, true), t);
        else emit_alu(a, off, d.op, e.greg(in.reg, w, writes_dst(d.op)), t, e.st);
        break;
      case Shape::EI:
        if (d.op == Op::Mov) emit_op(a, Op::Mov, m, imm_of(in, w));
        else emit_alu(a, off, d.op, m, imm_of(in, w), e.st);
        break;
      case Shape::AO:  // MOV AL/eAX, [moffs]
        a.mov(t, m);
        a.emit(x86::Inst::kIdMov, e.greg(cpu::EAX, w, true), t);
        break;
      case Shape::OA:  // MOV [moffs], AL/eAX
        a.emit(x86::Inst::kIdMov, t, e.greg(cpu::EAX, w, false));
        a.mov(m, t);
        break;
      default:  // Shape::E: INC/DEC
        emit_alu(a, off, d.op, m, Operand(), e.st);
        break;
    }
    a.bind(join);
    e.st.flags_in_host = writes_flags(d.op);
    return;
  }
  const x86::Gp t = scratch(w);
  const bool wr = writes_dst(d.op);
  // Operands: dst is always a register; src a register or an immediate.
  // Two registers that are both in CpuState need the scratch register.
  Operand dst;
  Operand src;
  auto reg_src = [&](unsigned r) -> Operand {
    Operand o = e.greg(r, w, false);
    if (o.isReg() || dst.isReg()) return o;
    a.emit(x86::Inst::kIdMov, t, o);
    return t;
  };
  switch (d.shape) {
    case Shape::EG:
      dst = e.greg(in.rm, w, wr);
      src = reg_src(in.reg);
      break;
    case Shape::GE:
      dst = e.greg(in.reg, w, wr);
      src = reg_src(in.rm);
      break;
    case Shape::EI: dst = e.greg(in.rm, w, wr); src = imm_of(in, w); break;
    case Shape::AI: dst = e.greg(0, w, wr); src = imm_of(in, w); break;
    case Shape::ZI: dst = e.greg(in.reg, w, wr); src = imm_of(in, w); break;
    case Shape::Z: dst = e.greg(in.reg, w, wr); break;
    case Shape::E: dst = e.greg(in.rm, w, wr); break;
    case Shape::J:
    case Shape::AO:
    case Shape::OA: return;  // not reached: memory only
  }
  if (d.op == Op::Mov) {
    emit_op(a, Op::Mov, dst, src);
    return;  // flags untouched
  }
  emit_alu(a, off, d.op, dst, src, e.st, (e.live_after & cpu::CF) != 0);
  e.st.flags_in_host = true;
}

}  // namespace jit
