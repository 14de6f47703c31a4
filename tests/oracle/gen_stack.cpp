// Families: stack (PUSH/POP of registers, immediates, memory, segment
// registers; PUSHA/POPA; PUSHF/POPF) and enter (ENTER with nesting levels,
// LEAVE). ESP (and EBP for ENTER/LEAVE) point into the scratch page; the SS
// base is the scratch page, so ESP values are offsets into it.
#include "gen.h"

namespace oracle {
namespace {

void gen_stack(Rng& r, Case& c) {
  Builder b(r, c, "stack");
  unsigned kind = r.below(11);
  unsigned w = b.width({2, 4});
  uint32_t esp = 0x400 + (r.below(0x800) & (r.chance(90) ? ~3u : ~0u));
  // A 16-bit stack segment (SS.B = 0) in 30%: SP moves, the upper ESP bits stay.
  bool ss16 = r.chance(30);
  uint32_t hi = ss16 && kind != 10 ? r.u32() & 0xFFFF0000u : 0;
  if (ss16) c.sel_ss = ORC_SEL_STACK16;
  b.set(ESP, hi | esp);
  std::string form, det = "esp " + hex(hi | esp);
  std::string s = size_tag(w);
  switch (kind) {
    case 0:
    case 1: {  // PUSH r / POP r
      unsigned reg = r.below(8);
      b.op({uint8_t((kind ? 0x58 : 0x50) + reg)});
      form = std::string(kind ? "POP r" : "PUSH r") + s;
      det += std::string(" ") + reg_name(reg, w);
      break;
    }
    case 2: {  // PUSH imm
      bool i8 = r.chance(50);
      uint32_t v = r.val();
      b.op({uint8_t(i8 ? 0x6A : 0x68)});
      b.imm(v, i8 ? 1 : w);
      form = std::string("PUSH I") + (i8 ? "b" : s);
      break;
    }
    case 3:
    case 4: {  // PUSH Ev / POP Ev
      b.maybe_a16();
      Rm e = b.rm_any(w, 60, 1u << ESP);
      b.op({uint8_t(kind == 3 ? 0xFF : 0x8F)});
      b.modrm(e, kind == 3 ? 6 : 0);
      form = std::string(kind == 3 ? "PUSH E" : "POP E") + s;
      det += " " + e.text;
      break;
    }
    case 5:
    case 6:
      b.op({uint8_t(kind == 5 ? 0x60 : 0x61)});
      form = std::string(kind == 5 ? "PUSHA" : "POPA") + (w == 2 ? "" : "D");
      break;
    case 7:
      b.op({0x9C});
      form = w == 2 ? "PUSHF" : "PUSHFD";
      break;
    case 8: {
      // Any value except TF (a trap after the instruction would end the case
      // on the host). IF and IOPL are not changed at CPL 3 with IOPL 0.
      uint32_t v = r.u32() & ~fTF;
      b.patch(ORC_SCRATCH + esp, w, v);
      b.op({0x9D});
      form = w == 2 ? "POPF" : "POPFD";
      det += " value " + hex(v, 2 * w);
      break;
    }
    case 9: {  // PUSH Sreg (not GS: the host's TLS selector)
      unsigned sreg = r.below(5);
      static const uint8_t one[4] = {0x06, 0x0E, 0x16, 0x1E};
      if (sreg < 4) b.op({one[sreg]});
      else b.op({0x0F, 0xA0});
      form = std::string("PUSH Sreg") + (w == 2 ? " (16)" : " (32)");
      det += " sreg " + std::to_string(sreg == 4 ? 4 : sreg);
      // SDM: a 32-bit push of a segment register may write only the low word.
      if (w == 4) c.mem_undef.push_back({uint16_t((esp - 2) % ORC_SCRATCH_SIZE), 2});
      break;
    }
    default: {  // PUSH/POP [esp+d8]: POP computes the address with the incremented ESP
      bool pop = r.chance(50);
      int32_t d = int32_t(r.below(0x80)) - 0x40;
      b.addr32();
      b.op({uint8_t(pop ? 0x8F : 0xFF), uint8_t(pop ? 0x44 : 0x74), 0x24, uint8_t(d)});
      form = std::string(pop ? "POP [esp+d8]" : "PUSH [esp+d8]") + " " + s;
      det += " d8 " + std::to_string(d);
      break;
    }
  }
  b.finish(form + (ss16 ? " ss16" : ""), det);
}

void gen_enter(Rng& r, Case& c) {
  Builder b(r, c, "enter");
  b.width({2, 4});
  bool ss16 = r.chance(30);  // 16-bit stack: SP and BP; the upper halves stay
  if (ss16) c.sel_ss = ORC_SEL_STACK16;
  std::string tag = ss16 ? " ss16" : "";
  if (r.chance(30)) {
    uint32_t ebp = 0x400 + (r.below(0x800) & (r.chance(90) ? ~3u : ~0u));
    // A 32-bit stack: ESP := EBP whatever the operand size; a 16-bit one: SP := BP.
    b.set(EBP, ss16 ? (r.u32() & 0xFFFF0000u) | ebp : ebp);
    if (ss16) b.set(ESP, (r.u32() & 0xFFFF0000u) | (c.gpr[ESP] & 0xFFFF));
    b.op({0xC9});
    b.finish("LEAVE" + tag, "ebp " + hex(c.gpr[EBP]) + " esp " + hex(c.gpr[ESP]));
    return;
  }
  static const uint32_t lv[] = {0, 0, 1, 1, 2, 3};
  uint32_t level = r.chance(70) ? lv[r.below(6)] : r.chance(70) ? r.below(32) : r.below(256);
  uint32_t size = r.chance(70) ? r.below(0x40) : r.below(0x200);
  // Upper halves random on a 16-bit stack (they must survive); EBP's only
  // without frame-pointer copies (which address [EBP] with the full register
  // on some paths).
  uint32_t hs = ss16 ? r.u32() & 0xFFFF0000u : 0, hb = ss16 && (level & 31) < 2 ? r.u32() & 0xFFFF0000u : 0;
  uint32_t sp = 0x900 + (r.below(0x300) & ~3u);
  // EBP a little above ESP (the usual nested-frame layout: the frame-pointer
  // copies then read what ENTER itself just pushed) or well apart.
  uint32_t bp = r.chance(40) ? sp + 4 * r.below(4) : 0x500 + (r.below(0x300) & ~3u);
  b.set(EBP, hb | bp);
  b.set(ESP, hs | sp);
  b.op({0xC8});
  b.imm(size, 2);
  b.imm(level, 1);
  b.finish(std::string("ENTER Iw,Ib") + ((level & 31) == 0 ? " (level 0)" : (level & 31) == 1 ? " (level 1)" : " (level>1)") + tag,
           "size " + std::to_string(size) + " level " + std::to_string(level) + " ebp " + hex(c.gpr[EBP]) +
               " esp " + hex(c.gpr[ESP]));
}

}  // namespace

void add_stack_families(std::vector<Family>& f) {
  f.push_back({"stack", 8, gen_stack});
  f.push_back({"enter", 3, gen_enter});
}

}  // namespace oracle
