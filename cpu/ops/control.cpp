// Reference handlers: the control family (rows in cpu/table/control.inc).
//
// Near and far JMP/CALL/RET, Jcc, JCXZ/JECXZ, LOOPcc, INT n/INT3/INTO/INT1,
// IRET and BOUND. Near targets are truncated to 16 bits with 16-bit operand
// size and checked against the CS limit (#GP(0)). Far transfers go through
// far_jump() (cpu/segments.cpp): real/V86 mode, and protected-mode transfers
// to code segments at the same privilege. Call gates, task gates/TSS
// targets, returns to an outer privilege level, IRET to V86 mode and nested
// task returns are the system-architecture layer (issue 3); until then they
// raise #GP as marked below.
#include <vector>

#include "cpu/ops/common.h"
#include "cpu/ops/privilege.h"

namespace cpu::ops {
namespace {

inline uint32_t off_add(const Insn& i, uint32_t off, uint32_t k) {
  return i.asz32() ? off + k : ((off + k) & 0xFFFFu);
}

// A near target truncated to the operand size and checked against the CS
// limit, without changing any state (for CALL, which must check before it
// pushes).
template <class T> inline uint32_t near_target(Cpu& c, uint32_t target) {
  if constexpr (sizeof(T) == 2) target &= 0xFFFFu;
  if (target > c.seg[CS].limit) [[unlikely]] fault(c, kGP, 0);
  return target;
}

// Check that `n` pushes of `size` bytes all fit before making any.
inline void check_pushes(Cpu& c, unsigned n, unsigned size) {
  uint32_t sp = sp_value(c);
  for (unsigned k = 1; k <= n; ++k) check_write(c, SS, sp_add(c, sp, -int32_t(k * size)), size);
}

// (E)CX as selected by the address size (JCXZ, LOOP).
inline uint32_t counter(const Cpu& c, const Insn& i) {
  return i.asz32() ? c.gpr[ECX] : (c.gpr[ECX] & 0xFFFFu);
}

// ---- near jumps ----
template <class T> void jmp_rel(Cpu& c, const Insn& i) { jump_near<T>(c, c.eip + i.imm); }
template <class T> void jmp_e(Cpu& c, const Insn& i) { jump_near<T>(c, read_rm<T>(c, i)); }

template <unsigned CC> struct Jcc {
  template <class T> static void h(Cpu& c, const Insn& i) {
    if (flags::cond(c.eflags, CC)) jump_near<T>(c, c.eip + i.imm);
  }
};

template <class T> void jcxz(Cpu& c, const Insn& i) {
  if (counter(c, i) == 0) jump_near<T>(c, c.eip + i.imm);
}

// LOOP/LOOPE/LOOPNE: decrement the counter (flags unchanged), then branch
// while it is non-zero and (for E/NE) ZF matches. A faulting target restores
// the counter from the snapshot.
enum class LoopKind { Always, WhileZ, WhileNZ };
template <LoopKind K> struct Loop {
  template <class T> static void h(Cpu& c, const Insn& i) {
    uint32_t n = counter(c, i) - 1;
    if (i.asz32()) c.gpr[ECX] = n;
    else c.gpr[ECX] = (c.gpr[ECX] & ~0xFFFFu) | (n & 0xFFFFu);
    if (!i.asz32()) n &= 0xFFFFu;
    bool take = n != 0;
    if (K == LoopKind::WhileZ) take = take && (c.eflags & ZF);
    if (K == LoopKind::WhileNZ) take = take && !(c.eflags & ZF);
    if (take) jump_near<T>(c, c.eip + i.imm);
  }
};

// ---- near calls and returns ----
template <class T> void call_rel(Cpu& c, const Insn& i) {
  uint32_t target = near_target<T>(c, c.eip + i.imm);
  push<T>(c, T(c.eip));
  c.eip = target;
}
// CALL Ev: the operand (possibly [esp+x]) is read before the push.
template <class T> void call_e(Cpu& c, const Insn& i) {
  uint32_t target = near_target<T>(c, read_rm<T>(c, i));
  push<T>(c, T(c.eip));
  c.eip = target;
}
template <class T> void ret(Cpu& c, const Insn&) { jump_near<T>(c, pop<T>(c)); }
template <class T> void ret_imm(Cpu& c, const Insn& i) {
  T target = pop<T>(c);
  set_sp(c, sp_add(c, sp_value(c), uint16_t(i.imm)));
  jump_near<T>(c, target);
}

// ---- far transfers ----
// RETF/IRET in protected mode: a return selector with RPL < CPL is #GP(sel)
// (SDM); RPL > CPL is a return to an outer level, which is issue 3 and is
// #GP(sel) until then. So only RPL = CPL gets through to far_jump.
inline void check_return_privilege(Cpu& c, uint16_t sel) {
  if (!c.real_mode() && !c.v86() && (sel & 3) != c.cpl) fault(c, kGP, sel & 0xFFFC);
}

// Far CALL: the return CS:EIP (CS zero-extended with 32-bit operand size)
// goes on the current stack, whose slots are checked before CS is loaded.
template <class T> void far_call(Cpu& c, uint16_t sel, uint32_t off) {
  uint16_t old_cs = c.seg[CS].sel;
  uint32_t ret_eip = c.eip;
  check_pushes(c, 2, sizeof(T));
  far_jump(c, sel, off, sizeof(T) == 4);  // call gates: issue 3
  push<T>(c, T(old_cs));
  push<T>(c, T(ret_eip));
}

template <class T> void jmp_far_ptr(Cpu& c, const Insn& i) { far_jump(c, i.imm2, i.imm, sizeof(T) == 4); }
template <class T> void call_far_ptr(Cpu& c, const Insn& i) { far_call<T>(c, i.imm2, i.imm); }

// FF /3 and /5: the m16:16 / m16:32 pointer (offset first, then selector).
template <class T> void read_far_ptr(Cpu& c, const Insn& i, uint16_t* sel, uint32_t* off) {
  if (!i.mem()) fault(c, kUD, 0);
  uint32_t a = ea(c, i);
  *off = read_mem<T>(c, i.seg, a);
  *sel = read_mem<uint16_t>(c, i.seg, off_add(i, a, sizeof(T)));
}
template <class T> void jmp_far_m(Cpu& c, const Insn& i) {
  uint16_t sel;
  uint32_t off;
  read_far_ptr<T>(c, i, &sel, &off);
  far_jump(c, sel, off, sizeof(T) == 4);
}
template <class T> void call_far_m(Cpu& c, const Insn& i) {
  uint16_t sel;
  uint32_t off;
  read_far_ptr<T>(c, i, &sel, &off);
  far_call<T>(c, sel, off);
}

// RETF [imm16]: pop EIP then CS (operand size), release imm16 bytes.
template <class T> void retf(Cpu& c, const Insn& i) {
  T eip = pop<T>(c);
  uint16_t sel = uint16_t(pop<T>(c));
  set_sp(c, sp_add(c, sp_value(c), uint16_t(i.imm)));
  check_return_privilege(c, sel);
  far_jump(c, sel, eip, sizeof(T) == 4);
}

// ---- software interrupts ----
// INT n in V86 mode with IOPL < 3 is #GP(0) (the VME redirection is issue
// 3). EIP is already the next instruction, which is what gets pushed.
template <class T> void int_n(Cpu& c, const Insn& i) {
  if (c.v86() && iopl(c) < 3) fault(c, kGP, 0);
  deliver_interrupt(c, uint8_t(i.imm), IntKind::Software);
}
template <class T> void int3(Cpu& c, const Insn&) { deliver_interrupt(c, kBP, IntKind::Int3); }
template <class T> void into(Cpu& c, const Insn&) {
  if (c.eflags & OF) deliver_interrupt(c, kOF, IntKind::Into);
}
// INT1 (ICEBP): a #DB trap; no gate DPL check, EIP is the next instruction.
template <class T> void int1(Cpu& c, const Insn&) { deliver_interrupt(c, kDB, IntKind::Exception); }

// ---- IRET ----
// Real mode: pop IP, CS, FLAGS. IRETD keeps VM, VIF and VIP (SDM mask
// 257FD5h); the 16-bit form loads all of FLAGS[15:0]. V86 mode with IOPL = 3
// is the same but cannot change IOPL; with IOPL < 3 it is #GP(0) (VME: issue
// 3). Protected mode: same-privilege returns only (issue 3 adds NT task
// returns, returns to V86 mode and to outer privilege levels).
template <class T> void iret(Cpu& c, const Insn&) {
  constexpr bool k32 = sizeof(T) == 4;
  if (c.v86() && iopl(c) < 3) fault(c, kGP, 0);
  if (!c.real_mode() && !c.v86() && (c.eflags & NT)) fault(c, kGP, 0);  // task return: issue 3
  T eip = pop<T>(c);
  uint16_t sel = uint16_t(pop<T>(c));
  uint32_t fl = pop<T>(c);
  uint32_t mask;
  if (c.real_mode()) {
    mask = k32 ? 0x257FD5u : 0xFFFFu;
  } else if (c.v86()) {
    mask = (k32 ? 0x257FD5u : 0xFFFFu) & ~IOPL;
  } else {
    if (k32 && (fl & VM) && c.cpl == 0) fault(c, kGP, 0);  // return to V86 mode: issue 3
    check_return_privilege(c, sel);
    mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT;
    if (k32) mask |= RF | AC | ID;
    if (c.cpl <= iopl(c)) mask |= IF;
    if (c.cpl == 0) mask |= IOPL | (k32 ? (VIF | VIP) : 0);
  }
  far_jump(c, sel, eip, k32);
  write_eflags(c, fl, mask);
}

// ---- BOUND ----
// BOUND Gv,Ma: #BR (a fault: EIP stays at BOUND) unless lower <= index <= upper
// (signed). The register form does not decode (it is EVEX in 32-bit mode).
template <class T> void bound(Cpu& c, const Insn& i) {
  if (!i.mem()) fault(c, kUD, 0);
  uint32_t a = ea(c, i);
  S<T> lo = S<T>(read_mem<T>(c, i.seg, a));
  S<T> hi = S<T>(read_mem<T>(c, i.seg, off_add(i, a, sizeof(T))));
  S<T> v = S<T>(read_reg<T>(c, i));
  if (v < lo || v > hi) fault(c, kBR, 0);
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_control() {
  static const std::vector<Row> rows = {
#include "cpu/table/control.inc"
  };
  return rows;
}
}  // namespace cpu
