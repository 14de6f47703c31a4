// Reference handlers: the stack family (rows in cpu/table/stack.inc).
//
// PUSH/POP of registers, immediates, memory and segment registers,
// PUSHA/POPA, PUSHF/POPF, ENTER and LEAVE. The stack address size is SS.B
// (ESP or SP, see push/pop in cpu.h); the operand size is the row's T.
#include <vector>

#include "cpu/ops/common.h"
#include "cpu/ops/privilege.h"

namespace cpu::ops {
namespace {

// Check that `n` pushes of `size` bytes below the current stack pointer all
// fit, before any is made (multi-push instructions must not half-happen).
inline void check_pushes(Cpu& c, unsigned n, unsigned size) {
  uint32_t sp = sp_value(c);
  for (unsigned k = 1; k <= n; ++k) check_write(c, SS, sp_add(c, sp, -int32_t(k * size)), size);
}

// ---- general registers, immediates, memory ----
// PUSH eSP pushes the value from before the instruction (getr reads it first).
template <class T> void push_r(Cpu& c, const Insn& i) { push<T>(c, getr<T>(c, i.reg)); }
// POP eSP: the popped value replaces the incremented stack pointer.
template <class T> void pop_r(Cpu& c, const Insn& i) {
  T v = pop<T>(c);
  setr<T>(c, i.reg, v);
}
template <class T> void push_i(Cpu& c, const Insn& i) { push<T>(c, imm<T>(i)); }
template <class T> void push_e(Cpu& c, const Insn& i) { push<T>(c, read_rm<T>(c, i)); }
// POP Ev: the destination address is computed after ESP is incremented
// (SDM), so [esp+x] refers to the new ESP. A faulting store restores ESP.
template <class T> void pop_e(Cpu& c, const Insn& i) {
  T v = pop<T>(c);
  write_rm<T>(c, i, v);
}

// ---- segment registers ----
// PUSH Sreg with 32-bit operand size moves the stack pointer by 4 and writes
// only the low 16 bits (Intel P6); the upper half of the slot is unchanged.
template <class T> void push_sreg(Cpu& c, unsigned s) {
  uint32_t sp = sp_add(c, sp_value(c), -int32_t(sizeof(T)));
  check_write(c, SS, sp, sizeof(T));
  write_mem<uint16_t>(c, SS, sp, c.seg[s].sel);
  set_sp(c, sp);
}
// POP Sreg: the stack pointer moves by the operand size using the old SS.B;
// the segment is loaded last (a fault restores ESP from the snapshot).
template <class T> void pop_sreg(Cpu& c, unsigned s) {
  T v = pop<T>(c);
  load_segment(c, s, uint16_t(v));
  if (s == SS) c.inhibit = 1;  // no interrupt between POP SS and the next instruction
}
template <unsigned Seg> struct SregOps {
  template <class T> static void push(Cpu& c, const Insn&) { push_sreg<T>(c, Seg); }
  template <class T> static void pop(Cpu& c, const Insn&) { pop_sreg<T>(c, Seg); }
};

// ---- PUSHA/POPA ----
template <class T> void pusha(Cpu& c, const Insn&) {
  check_pushes(c, 8, sizeof(T));
  T old_sp = getr<T>(c, ESP);
  for (unsigned r = EAX; r <= EDI; ++r) push<T>(c, r == ESP ? old_sp : getr<T>(c, r));
}
// POPA: the eSP slot is skipped. Reads cannot change memory, and a faulting
// read restores the registers from the snapshot.
template <class T> void popa(Cpu& c, const Insn&) {
  for (int r = EDI; r >= int(EAX); --r) {
    T v = pop<T>(c);
    if (r != ESP) setr<T>(c, unsigned(r), v);
  }
}

// ---- PUSHF/POPF ----
// PUSHF: the image has VM and RF clear. V86 mode with IOPL < 3 is #GP(0)
// (the VME variant is issue 3).
template <class T> void pushf(Cpu& c, const Insn&) {
  if (c.v86() && iopl(c) < 3) fault(c, kGP, 0);
  push<T>(c, T(c.eflags & ~(VM | RF)));
}
// POPF (SDM POPF operation): VM, VIP, VIF never change; RF is cleared by the
// 32-bit form; IOPL changes only at CPL 0 (and never in V86 mode); IF only at
// CPL <= IOPL. V86 mode with IOPL < 3 is #GP(0) (VME: issue 3).
template <class T> void popf(Cpu& c, const Insn&) {
  unsigned cpl = cur_cpl(c);
  if (c.v86() && iopl(c) < 3) fault(c, kGP, 0);
  T v = pop<T>(c);
  uint32_t mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID | RF;
  if (cpl <= iopl(c)) mask |= IF;
  if (cpl == 0 && !c.v86()) mask |= IOPL;
  uint32_t value = v;
  if constexpr (sizeof(T) == 2) mask &= 0xFFFFu;
  else value &= ~RF;
  write_eflags(c, value, mask);
}

// ---- ENTER/LEAVE ----
// ENTER Iw,Ib (SDM ENTER operation): push eBP, copy level-1 frame pointers
// from the old frame, push the new frame pointer, allocate Iw bytes. All
// reads are done and all stack slots checked before anything is written.
template <class T> void enter(Cpu& c, const Insn& i) {
  const uint32_t alloc = uint16_t(i.imm);
  const unsigned level = i.imm2 & 31;
  const bool s32 = c.stack32();
  auto step_bp = [&](uint32_t bp) { return s32 ? bp - sizeof(T) : ((bp - sizeof(T)) & 0xFFFFu); };
  const uint32_t bp0 = s32 ? c.gpr[EBP] : (c.gpr[EBP] & 0xFFFFu);
  const unsigned pushes = level ? level + 1 : 1;
  // Pass 1: every read and every push is checked before anything is written.
  for (unsigned k = 1, bp = bp0; k < level; ++k) {
    bp = step_bp(bp);
    (void)read_mem<T>(c, SS, bp);
  }
  check_pushes(c, pushes, sizeof(T));
  const uint32_t sp = sp_value(c);
  // FrameTemp is the whole ESP register after pushing eBP: with a 16-bit
  // stack its upper half is ESP's (seen on Intel hardware with ENTER 32-bit).
  const uint32_t frame_sp = sp_add(c, sp, -int32_t(sizeof(T)));
  const uint32_t frame = s32 ? frame_sp : ((c.gpr[ESP] & ~0xFFFFu) | frame_sp);
  const uint32_t final_sp = sp_add(c, sp, -int32_t(pushes * sizeof(T) + alloc));
  // The new stack pointer must lie inside the stack segment (#SS(0)).
  // (Limit and paging both: test386 expects #PF for an unmapped final ESP.)
  if (alloc) check_write(c, SS, final_sp, 1);
  // Pass 2, as the SDM's pseudo-code: each frame pointer is read just before
  // it is pushed, so a read may see a value this ENTER has just pushed (EBP
  // close to ESP, the usual nested-frame layout).
  push<T>(c, getr<T>(c, EBP));
  if (level) {
    for (unsigned k = 1, bp = bp0; k < level; ++k) {
      bp = step_bp(bp);
      push<T>(c, read_mem<T>(c, SS, bp));
    }
    push<T>(c, T(frame));
  }
  setr<T>(c, EBP, T(frame));
  set_sp(c, final_sp);
}

// LEAVE: eSP <- eBP (by stack size), then pop eBP (by operand size).
template <class T> void leave(Cpu& c, const Insn&) {
  uint32_t bp = c.stack32() ? c.gpr[EBP] : (c.gpr[EBP] & 0xFFFFu);
  T v = read_mem<T>(c, SS, bp);
  set_sp(c, sp_add(c, bp, sizeof(T)));
  setr<T>(c, EBP, v);
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_stack() {
  static const std::vector<Row> rows = {
#include "cpu/table/stack.inc"
  };
  return rows;
}
}  // namespace cpu
