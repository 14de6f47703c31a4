// Inline emitters for the string instructions without a repeat prefix:
// LODS, STOS, MOVS, SCAS, CMPS (byte, word, dword; 16- and 32-bit address
// size) and XLAT. A REP/REPE/REPNE form is never inline here: it runs its
// handler (rep_string.* may do it in bulk).
//
// Switches: LODS, STOS, MOVS and XLAT are moves and follow `no-emit=mov`;
// SCAS and CMPS are comparisons and follow `no-emit=cmp`. All of them access
// memory, so they need the inline memory path (`no-inline-mem` turns them
// off) as well as `no-inline`.
//
// Operands, as the reference handlers (cpu/ops/string.cpp, move.cpp) take
// them: the source is in.seg:(E)SI (DS or the override), the destination
// ES:(E)DI (no override); with a 16-bit address size only SI/DI take part
// and they wrap at 64 KiB (the upper halves of ESI/EDI are kept). XLAT reads
// in.seg:[(E)BX + AL], the sum wrapped to the address size.
//
// Each access goes through the inline soft TLB (emit_mem_at in
// inline_mem.cpp: segment checks as the block's key requires, then the TLB
// tag); any failure - a fault, MMIO, a write into a code page, a page
// crossing - jumps to the out-of-line slow path, which runs the handler with
// the state exact. So every check comes before the first architectural
// write: MOVS reads the source (no side effect on plain RAM), checks the
// destination, and only then stores; (E)SI/(E)DI are stepped last.
//
// EFLAGS.DF is a run-time value (in CpuState, never in rbx or RFLAGS):
// the step is computed without a branch, +w or -w:
//   bt [eflags], 10 ; sbb eax, eax ; lea eax, [rax*2w + w]
// so both directions run inline.
//
// Only three scratch registers are free (rax, rcx, rdx) and the second
// access of MOVS/CMPS clobbers all of them, so the first access's value is
// held in a host register of the register cache's pool that this block did
// not hand to a guest register, or, if every one is taken, in xmm0 (nothing
// is called between the two accesses).
#include <asmjit/x86.h>

#include <vector>

#include "cpu/cpu.h"
#include "jit/inline_ops.h"
#include "jit/inline_util.h"

namespace jit {

using namespace asmjit;
using cpu::Insn;

namespace {

enum class SOp : uint8_t { None, Lods, Stos, Movs, Scas, Cmps, Xlat };

SOp describe(const cpu::Row& r) {
  std::string_view mn = row_mnemonic(r);
  if (mn == "XLAT" && r.map == 0 && r.opcode == 0xD7) return SOp::Xlat;
  if (!(r.attrs & cpu::A_STRING) || mn.size() != 5) return SOp::None;
  static const std::pair<std::string_view, SOp> ops[] = {
      {"LODS", SOp::Lods}, {"STOS", SOp::Stos}, {"MOVS", SOp::Movs}, {"SCAS", SOp::Scas}, {"CMPS", SOp::Cmps}};
  for (auto& [name, o] : ops)
    if (mn.substr(0, 4) == name) return o;
  return SOp::None;  // INS, OUTS
}

SOp sop_of(const Insn& in) {
  static const std::vector<SOp> table = [] {
    std::vector<SOp> v;
    for (const cpu::Row& r : cpu::table()) v.push_back(describe(r));
    return v;
  }();
  return table[in.row];
}

unsigned elem_width(const Insn& in, SOp op) { return op == SOp::Xlat ? 1 : width(in); }

uint8_t bit(unsigned r) { return uint8_t(1u << r); }

// ecx := (E)SI or (E)DI as the address size sees it (zero-extended into rcx,
// as the segment checks want).
void index_to_ecx(Emission& e, unsigned r, bool a32) {
  if (a32) e.a.emit(x86::Inst::kIdMov, x86::ecx, e.greg(r, 4, false));
  else e.a.emit(x86::Inst::kIdMovzx, x86::ecx, e.greg(r, 2, false));
}

// eax := +w or -w by EFLAGS.DF (clobbers RFLAGS).
void emit_step(Emission& e, unsigned w) {
  x86::Assembler& a = e.a;
  a.bt(x86::dword_ptr(kCpu, e.off.eflags), 10);  // CF := DF
  a.sbb(x86::eax, x86::eax);                      // 0 or -1
  if (w == 1) a.lea(x86::eax, x86::ptr(x86::rax, x86::rax, 0, 1));  // 2m + 1
  else a.lea(x86::eax, x86::ptr(uint64_t(w), x86::rax, w == 2 ? 2 : 3));  // 2wm + w
}

// (E)SI or (E)DI += eax at the address size.
void advance(Emission& e, unsigned r, bool a32) {
  if (a32) e.a.emit(x86::Inst::kIdAdd, e.greg(r, 4, true), x86::eax);
  else e.a.emit(x86::Inst::kIdAdd, e.greg(r, 2, true), x86::ax);
}

x86::Gp at_width(const x86::Gp& r32, unsigned w) {
  if (w == 4) return r32;
  if (w == 2) return r32.r16();
  return r32.r8();
}

// Where MOVS and CMPS keep the first element across the second access.
struct Hold {
  x86::Gp gp;  // a free pool register (32-bit view), or invalid: xmm0
  bool in_gp() const { return gp.isValid(); }
};

Hold pick_hold(const Emission& e) {
  const x86::Gp pool[] = {x86::esi, x86::edi, x86::r8d, x86::r9d, x86::r10d, x86::r11d};
  for (const x86::Gp& p : pool) {
    bool taken = false;
    for (unsigned r = 0; r < 8; ++r)
      if (e.rc.has(r) && e.rc.host[r].id() == p.id()) taken = true;
    if (!taken) return {p};
  }
  return {};
}

// hold := the element at m (zero-extended).
void hold_load(x86::Assembler& a, const Hold& h, const x86::Mem& m, unsigned w) {
  const x86::Gp d = h.in_gp() ? h.gp : x86::edx;
  if (w == 4) a.mov(d, m);
  else a.movzx(d, m);
  if (!h.in_gp()) a.movd(x86::xmm0, x86::edx);
}

// The held element in a register (`via` if it was in xmm0), 32-bit view.
x86::Gp hold_get(x86::Assembler& a, const Hold& h, const x86::Gp& via) {
  if (h.in_gp()) return h.gp;
  a.movd(via, x86::xmm0);
  return via;
}

}  // namespace

bool can_inline_string(const Insn& in, const Config& cfg) {
  if (!cfg.inline_ops || !cfg.inline_mem || !genuine(in)) return false;
  if (in.flags & (cpu::I_REP | cpu::I_REPNE | cpu::I_LOCK)) return false;
  switch (sop_of(in)) {
    case SOp::None: return false;
    case SOp::Scas:
    case SOp::Cmps: return cfg.emits(Emitter::Cmp);
    default: return cfg.emits(Emitter::Mov);
  }
}

FlagEffect string_flag_effect(const Insn& in) {
  FlagEffect fe;  // every one accesses memory: a barrier
  const SOp op = sop_of(in);
  if (op == SOp::Scas || op == SOp::Cmps) fe.written = kArithFlags;
  return fe;
}

RegUse string_reg_use(const Insn& in) {
  RegUse u;
  const SOp op = sop_of(in);
  const unsigned w = elem_width(in, op);
  switch (op) {
    case SOp::Lods:
      u.read = bit(cpu::ESI);
      u.written = bit(cpu::ESI) | bit(cpu::EAX);
      if (w == 4) u.full = bit(cpu::EAX);
      break;
    case SOp::Stos:
    case SOp::Scas:
      u.read = bit(cpu::EDI) | bit(cpu::EAX);
      u.written = bit(cpu::EDI);
      break;
    case SOp::Movs:
    case SOp::Cmps:
      u.read = u.written = bit(cpu::ESI) | bit(cpu::EDI);
      break;
    case SOp::Xlat:
      u.read = bit(cpu::EAX) | bit(cpu::EBX);
      u.written = bit(cpu::EAX);
      break;
    case SOp::None: break;
  }
  return u;
}

bool emit_inline_string(Emission& e, const Insn& in, uint32_t at, uint32_t next) {
  if (!can_inline_string(in, e.cfg)) return false;
  x86::Assembler& a = e.a;
  const SOp op = sop_of(in);
  const unsigned w = elem_width(in, op);
  const bool a32 = in.asz32();
  const bool cmp = op == SOp::Scas || op == SOp::Cmps;
  // Before anything is written: the slow path sees the state untouched.
  auto [slow, join] = e.defer_to_handler(in, at, next, cmp);
  const x86::Gp t = scratch_d(w);  // dl, dx, edx
  switch (op) {
    case SOp::Lods: {
      index_to_ecx(e, cpu::ESI, a32);
      x86::Mem m = emit_mem_at(e, in.seg, w, false, slow);
      a.mov(t, m);
      a.emit(x86::Inst::kIdMov, e.greg(cpu::EAX, w, true), t);
      emit_step(e, w);
      advance(e, cpu::ESI, a32);
      break;
    }
    case SOp::Stos: {
      index_to_ecx(e, cpu::EDI, a32);
      x86::Mem m = emit_mem_at(e, cpu::ES, w, true, slow);
      a.emit(x86::Inst::kIdMov, t, e.greg(cpu::EAX, w, false));
      a.mov(m, t);
      emit_step(e, w);
      advance(e, cpu::EDI, a32);
      break;
    }
    case SOp::Movs: {
      const Hold h = pick_hold(e);
      index_to_ecx(e, cpu::ESI, a32);
      hold_load(a, h, emit_mem_at(e, in.seg, w, false, slow), w);
      index_to_ecx(e, cpu::EDI, a32);
      x86::Mem m = emit_mem_at(e, cpu::ES, w, true, slow);
      a.mov(m, at_width(hold_get(a, h, x86::edx), w));
      emit_step(e, w);
      advance(e, cpu::ESI, a32);
      advance(e, cpu::EDI, a32);
      break;
    }
    case SOp::Scas: {
      index_to_ecx(e, cpu::EDI, a32);
      x86::Mem m = emit_mem_at(e, cpu::ES, w, false, slow);
      a.mov(t, m);
      emit_step(e, w);
      advance(e, cpu::EDI, a32);
      // flags::sub(eAX, element): the host's CMP gives all six.
      a.emit(x86::Inst::kIdCmp, e.greg(cpu::EAX, w, false), t);
      break;
    }
    case SOp::Cmps: {
      const Hold h = pick_hold(e);
      index_to_ecx(e, cpu::ESI, a32);
      hold_load(a, h, emit_mem_at(e, in.seg, w, false, slow), w);
      index_to_ecx(e, cpu::EDI, a32);
      x86::Mem m = emit_mem_at(e, cpu::ES, w, false, slow);
      a.mov(t, m);
      const x86::Gp src = hold_get(a, h, x86::ecx);
      emit_step(e, w);
      advance(e, cpu::ESI, a32);
      advance(e, cpu::EDI, a32);
      // flags::sub(source, destination).
      a.cmp(at_width(src, w), t);
      break;
    }
    case SOp::Xlat: {
      a.emit(x86::Inst::kIdMovzx, x86::ecx, e.greg(cpu::EAX, 1, false));
      a.emit(x86::Inst::kIdAdd, x86::ecx, e.greg(cpu::EBX, 4, false));
      if (!a32) a.movzx(x86::ecx, x86::cx);
      x86::Mem m = emit_mem_at(e, in.seg, 1, false, slow);
      a.mov(x86::dl, m);
      a.emit(x86::Inst::kIdMov, e.greg(cpu::EAX, 1, true), x86::dl);
      break;
    }
    case SOp::None: break;
  }
  a.bind(join);
  e.st.flags_in_host = cmp;  // else: saved in rbx before the checks
  return true;
}

}  // namespace jit
