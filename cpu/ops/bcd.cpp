// Reference handlers: decimal arithmetic (rows in cpu/table/bcd.inc).
//
// DAA/DAS/AAA/AAS/AAM/AAD follow the SDM pseudo-code (386+ forms: AAA adds
// 0x106 to AX, AAS subtracts 6 from AX and then 1 from AH, so a borrow or
// carry out of AL reaches AH). Flags the SDM leaves undefined are set as a
// current Intel CPU sets them (checked natively, all AL/AF/CF inputs):
//   DAA/DAS: OF = 0.
//   AAA/AAS: SF = OF = 0, ZF/PF from the final AL (after the AND 0x0F).
//   AAM:     CF = AF = OF = 0.
//   AAD:     CF/AF/OF as for the 8-bit ADD AL + (AH * base).
// SALC (D6, undocumented): AL = CF ? 0xFF : 0, flags unchanged.
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

uint8_t al(const Cpu& c) { return uint8_t(c.gpr[EAX]); }
void set_al(Cpu& c, uint8_t v) { setr<uint8_t>(c, EAX, v); }

template <class T> void daa(Cpu& c, const Insn&) {
  uint8_t old = al(c), a = old;
  uint32_t f = 0;
  if ((a & 0x0F) > 9 || (c.eflags & AF)) {
    a = uint8_t(a + 6);
    f |= AF;
  }
  if (old > 0x99 || (c.eflags & CF)) {
    a = uint8_t(a + 0x60);
    f |= CF;
  }
  set_al(c, a);
  flags::set_arith(c.eflags, f | flags::szp(a));
}

template <class T> void das(Cpu& c, const Insn&) {
  uint8_t old = al(c), a = old;
  uint32_t f = 0;
  if ((a & 0x0F) > 9 || (c.eflags & AF)) {
    if (a < 6 || (c.eflags & CF)) f |= CF;  // borrow out of AL - 6, or the old CF
    a = uint8_t(a - 6);
    f |= AF;
  }
  if (old > 0x99 || (c.eflags & CF)) {
    a = uint8_t(a - 0x60);
    f |= CF;
  }
  set_al(c, a);
  flags::set_arith(c.eflags, f | flags::szp(a));
}

template <class T> void aaa(Cpu& c, const Insn&) {
  uint16_t ax = uint16_t(c.gpr[EAX]);
  uint32_t f = 0;
  if ((ax & 0x0F) > 9 || (c.eflags & AF)) {
    ax = uint16_t(ax + 0x106);
    f = AF | CF;
  }
  ax &= 0xFF0F;
  setr<uint16_t>(c, EAX, ax);
  flags::set_arith(c.eflags, f | flags::szp(uint8_t(ax)));
}

template <class T> void aas(Cpu& c, const Insn&) {
  uint16_t ax = uint16_t(c.gpr[EAX]);
  uint32_t f = 0;
  if ((ax & 0x0F) > 9 || (c.eflags & AF)) {
    ax = uint16_t(ax - 6 - 0x100);
    f = AF | CF;
  }
  ax &= 0xFF0F;
  setr<uint16_t>(c, EAX, ax);
  flags::set_arith(c.eflags, f | flags::szp(uint8_t(ax)));
}

// AAM ib: AH = AL / base, AL = AL % base; base 0 is #DE.
template <class T> void aam(Cpu& c, const Insn& i) {
  uint8_t base = uint8_t(i.imm);
  if (base == 0) fault(c, kDE, 0);
  uint8_t a = al(c);
  uint8_t lo = uint8_t(a % base);
  setr<uint16_t>(c, EAX, uint16_t((a / base) << 8 | lo));
  flags::set_arith(c.eflags, flags::szp(lo));
}

// AAD ib: AL = AL + AH * base (8 bits), AH = 0.
template <class T> void aad(Cpu& c, const Insn& i) {
  uint8_t base = uint8_t(i.imm);
  uint8_t ah = uint8_t(c.gpr[EAX] >> 8);
  uint8_t r = flags::add<uint8_t>(c.eflags, al(c), uint8_t(ah * base));
  setr<uint16_t>(c, EAX, r);
}

template <class T> void salc(Cpu& c, const Insn&) { set_al(c, (c.eflags & CF) ? 0xFF : 0x00); }

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_bcd() {
  static const std::vector<Row> rows = {
#include "cpu/table/bcd.inc"
  };
  return rows;
}
}  // namespace cpu
