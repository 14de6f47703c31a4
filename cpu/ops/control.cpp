// Reference handlers: the control family (rows in cpu/table/control.inc).
//
// Near and far JMP/CALL/RET, Jcc, JCXZ/JECXZ, LOOPcc, INT n/INT3/INTO/INT1,
// IRET and BOUND. Near targets are truncated to 16 bits with 16-bit operand
// size and checked against the CS limit (#GP(0)). Far transfers, interrupts
// and IRET are the system architecture's (cpu/descriptors.h): far_jump,
// far_call and far_return (cpu/segments.cpp: code segments, call gates,
// task gates and TSSs, privilege changes), deliver_interrupt and iret
// (cpu/interrupts.cpp: IDT gates, V86 mode, nested-task returns).
#include <vector>

#include "cpu/descriptors.h"
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
template <class T> void jmp_far_ptr(Cpu& c, const Insn& i) { far_jump(c, i.imm2, i.imm, sizeof(T) == 4); }
template <class T> void call_far_ptr(Cpu& c, const Insn& i) { far_call(c, i.imm2, i.imm, sizeof(T) == 4); }

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
  far_call(c, sel, off, sizeof(T) == 4);
}

// RETF [imm16]: pop EIP then CS (operand size), release imm16 bytes.
template <class T> void retf(Cpu& c, const Insn& i) { far_return(c, sizeof(T) == 4, uint16_t(i.imm)); }

// ---- software interrupts ----
// INT n in V86 mode with IOPL < 3 is #GP(0) (no VME interrupt redirection);
// with IOPL 3 it goes through the protected-mode IDT to ring 0. EIP is
// already the next instruction, which is what gets pushed.
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
// Every mode (cpu/interrupts.cpp): real mode, V86 mode with IOPL 3 (IOPL < 3
// is #GP(0); no VME), protected mode to the same or an outer level, to V86
// mode, and with NT set back to the previous task.
template <class T> void iret_(Cpu& c, const Insn&) { iret(c, sizeof(T) == 4); }

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
