// Reference handlers: data movement (rows in cpu/table/move.inc).
//
// MOV, MOVZX/MOVSX, LEA, XCHG, CBW/CWDE/CWD/CDQ, LAHF/SAHF, XLAT, BSWAP,
// CMOVcc and the NOP family (NOP, PAUSE, the hint-NOP space 0F 18-0F 1F).
// None of these changes arithmetic flags except SAHF.
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

template <class T> void mov_EG(Cpu& c, const Insn& i) { write_rm<T>(c, i, read_reg<T>(c, i)); }
template <class T> void mov_GE(Cpu& c, const Insn& i) { write_reg<T>(c, i, read_rm<T>(c, i)); }
template <class T> void mov_EI(Cpu& c, const Insn& i) { write_rm<T>(c, i, imm<T>(i)); }
template <class T> void mov_ZI(Cpu& c, const Insn& i) { setr<T>(c, i.reg, imm<T>(i)); }
// MOV AL/eAX, moffs and back: the offset is the displacement.
// (Zydis sign-extends a 16-bit moffs; ea() wraps it to the address size.)
template <class T> void mov_A_O(Cpu& c, const Insn& i) { setr<T>(c, EAX, read_mem<T>(c, i.seg, ea(c, i))); }
template <class T> void mov_O_A(Cpu& c, const Insn& i) { write_mem<T>(c, i.seg, ea(c, i), getr<T>(c, EAX)); }

template <class T> void lea(Cpu& c, const Insn& i) { write_reg<T>(c, i, T(ea(c, i))); }

// MOVZX/MOVSX Gv,Eb and Gv,Ew (with a 16-bit destination, Gw,Ew is a plain move).
template <class T> void movzx_b(Cpu& c, const Insn& i) { write_reg<T>(c, i, T(read_rm<uint8_t>(c, i))); }
template <class T> void movzx_w(Cpu& c, const Insn& i) { write_reg<T>(c, i, T(read_rm<uint16_t>(c, i))); }
template <class T> void movsx_b(Cpu& c, const Insn& i) {
  write_reg<T>(c, i, T(S<T>(int8_t(read_rm<uint8_t>(c, i)))));
}
template <class T> void movsx_w(Cpu& c, const Insn& i) {
  write_reg<T>(c, i, T(S<T>(int16_t(read_rm<uint16_t>(c, i)))));
}

// XCHG Eb,Gb / Ev,Gv. The memory form is a locked read-modify-write: the
// operand is read, then written (a write fault leaves the register alone,
// the snapshot restores it). Both values are read before either is written,
// so XCHG AH,AL and XCHG r,r with the same register work.
template <class T> void xchg_EG(Cpu& c, const Insn& i) {
  T e = read_rm<T>(c, i);
  T g = read_reg<T>(c, i);
  write_rm<T>(c, i, g);
  write_reg<T>(c, i, e);
}
// XCHG eAX, reg (91-97; 90 is NOP).
template <class T> void xchg_A(Cpu& c, const Insn& i) {
  T a = getr<T>(c, EAX);
  T r = getr<T>(c, i.reg);
  setr<T>(c, EAX, r);
  setr<T>(c, i.reg, a);
}

// CBW (AX = sext AL) / CWDE (EAX = sext AX).
template <class T> void cbw(Cpu& c, const Insn&) {
  using H = std::conditional_t<sizeof(T) == 4, int16_t, int8_t>;
  setr<T>(c, EAX, T(S<T>(H(getr<T>(c, EAX)))));
}
// CWD (DX:AX = sext AX) / CDQ (EDX:EAX = sext EAX).
template <class T> void cwd(Cpu& c, const Insn&) {
  setr<T>(c, EDX, (getr<T>(c, EAX) & flags::kSign<T>) ? T(~T(0)) : T(0));
}

// LAHF: AH = SF:ZF:0:AF:0:PF:1:CF. SAHF: the reverse (bits 1, 3, 5 ignored).
constexpr uint32_t kAhFlags = SF | ZF | AF | PF | CF;
template <class T> void lahf(Cpu& c, const Insn&) {
  setr<uint8_t>(c, 4, uint8_t((c.eflags & kAhFlags) | kFlagsFixed1));
}
template <class T> void sahf(Cpu& c, const Insn&) {
  c.eflags = (c.eflags & ~kAhFlags) | (getr<uint8_t>(c, 4) & kAhFlags);
}

// XLAT: AL = [seg:(E)BX + zero-extended AL], the offset computed in the
// address size (16-bit wraps at 64 KiB). The segment is DS or the override.
template <class T> void xlat(Cpu& c, const Insn& i) {
  uint32_t off = c.gpr[EBX] + uint8_t(c.gpr[EAX]);
  if (!i.asz32()) off &= 0xFFFFu;
  setr<uint8_t>(c, EAX, read_mem<uint8_t>(c, i.seg, off));
}

// BSWAP r32. With a 16-bit operand size the result is undefined; Intel CPUs
// clear the low word (the upper word is kept), and so do we.
template <class T> void bswap(Cpu& c, const Insn& i) {
  if constexpr (sizeof(T) == 4) setr<uint32_t>(c, i.reg, __builtin_bswap32(getr<uint32_t>(c, i.reg)));
  else setr<uint16_t>(c, i.reg, 0);
}

// CMOVcc Gv,Ev: the source is always read (a memory source faults even when
// the condition is false); the destination is written only when it is true.
template <class T> void cmov(Cpu& c, const Insn& i, unsigned cc) {
  T v = read_rm<T>(c, i);
  if (flags::cond(c.eflags, cc)) write_reg<T>(c, i, v);
}
#define XLAT86_CMOV(name, cc) \
  template <class T> void name(Cpu& c, const Insn& i) { cmov<T>(c, i, cc); }
XLAT86_CMOV(cmovo, 0)
XLAT86_CMOV(cmovno, 1)
XLAT86_CMOV(cmovb, 2)
XLAT86_CMOV(cmovnb, 3)
XLAT86_CMOV(cmovz, 4)
XLAT86_CMOV(cmovnz, 5)
XLAT86_CMOV(cmovbe, 6)
XLAT86_CMOV(cmovnbe, 7)
XLAT86_CMOV(cmovs, 8)
XLAT86_CMOV(cmovns, 9)
XLAT86_CMOV(cmovp, 10)
XLAT86_CMOV(cmovnp, 11)
XLAT86_CMOV(cmovl, 12)
XLAT86_CMOV(cmovnl, 13)
XLAT86_CMOV(cmovle, 14)
XLAT86_CMOV(cmovnle, 15)
#undef XLAT86_CMOV

// NOP, PAUSE, and the hint-NOP space (NOP Ev, PREFETCHh): a memory operand is
// never accessed, so these never fault.
template <class T> void nop(Cpu&, const Insn&) {}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_move() {
  static const std::vector<Row> rows = {
#include "cpu/table/move.inc"
  };
  return rows;
}
}  // namespace cpu
