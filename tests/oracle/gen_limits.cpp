// Family: limits — memory operands at segment boundaries, where the limit
// check (#GP(0), or #SS(0) through SS) decides: an expand-up limit, an
// expand-down segment, a read-only segment, the 4 GiB offset wrap, REP string
// instructions that run into a limit part-way (the registers then show the
// completed iterations), and stack operations at the SS limit.
#include "gen.h"

namespace oracle {
namespace {

// One memory-operand instruction on `e` (size w). Returns its form.
std::string mem_op(Builder& b, const Rm& e, unsigned w, unsigned op) {
  unsigned g = b.r.below(8);
  std::string sz = size_tag(w);
  switch (op) {
    case 0: b.op({uint8_t(w == 1 ? 0x8A : 0x8B)}); b.modrm(e, g); return "MOV G" + sz + ",E" + sz;
    case 1: b.op({uint8_t(w == 1 ? 0x88 : 0x89)}); b.modrm(e, g); return "MOV E" + sz + ",G" + sz;
    case 2: b.op({uint8_t(w == 1 ? 0x00 : 0x01)}); b.modrm(e, g); return "ADD E" + sz + ",G" + sz;
    case 3: b.op({uint8_t(w == 1 ? 0x80 : 0x83)}); b.modrm(e, 7); b.imm(b.r.u32(), 1); return "CMP E" + sz + ",Ib";
    case 4: b.op({uint8_t(w == 1 ? 0xFE : 0xFF)}); b.modrm(e, 0); return "INC E" + sz;
    case 5: b.op({uint8_t(w == 1 ? 0x86 : 0x87)}); b.modrm(e, g); return "XCHG E" + sz + ",G" + sz;
    case 6: b.op({0x0F, uint8_t(w == 1 ? 0xB6 : 0xB7)}); b.modrm(e, g); return "MOVZX Gd,E" + sz;
    case 7: b.op({0x0F, 0xC7}); b.modrm(e, 1); return "CMPXCHG8B Mq";
    case 8: b.op({0x0F, 0xBA}); b.modrm(e, 5); b.imm(b.r.below(8 * w), 1); return "BTS E" + sz + ",Ib";
    case 9: b.op({0xFF}); b.modrm(e, 6); return "PUSH E" + sz;
    case 10: b.op({0x8F}); b.modrm(e, 0); return "POP E" + sz;
    default: b.op({0x0F, uint8_t(0x90 + b.r.below(16))}); b.modrm(e, 0); return "SETcc Eb";
  }
}

// The operand width each mem_op uses (at least 2 bytes when `wide`).
unsigned op_width(Builder& b, unsigned op, bool wide) {
  switch (op) {
    case 6: return (wide || b.r.chance(50)) ? 2 : 1;
    case 7: return 8;
    case 8:
    case 9:
    case 10: return b.width({2, 4});
    case 11: return 1;
    default: return wide ? b.width({2, 4}) : b.width();
  }
}

void gen_limits(Rng& r, Case& c) {
  Builder b(r, c, "limits");
  unsigned kind = r.below(7);
  if (kind <= 4) {
    unsigned op = r.below(kind == 4 ? 11 : 12);  // no byte-only op for the 4 GiB wrap
    unsigned w = op_width(b, op, kind == 4);
    if (kind != 4) b.maybe_a16();
    else b.addr32();  // the wrap needs 32-bit offsets
    int32_t delta = int32_t(r.below(7)) - 3;
    uint32_t off;  // offset of the operand in its segment
    std::string what;
    if (kind == 0) {  // ES: base +0x800, limit 0x7FF
      c.sel_es = ORC_SEL_LIMITED;
      b.force_seg = sES;
      off = 0x800 - w + delta;
      what = "es limit 7FF";
    } else if (kind == 1) {  // DS expand-down: valid offsets 0x800 and up
      c.sel_ds = ORC_SEL_EXPDOWN;
      b.force_seg = r.chance(50) ? sDS : kNoSeg;
      off = 0x800 + delta;  // below 0x800 (or straddling it): #GP(0)
      what = "ds expand-down above 7FF";
    } else if (kind == 2) {  // DS read-only, limit 0xBFF
      c.sel_ds = ORC_SEL_RDONLY;
      b.force_seg = sDS;
      off = r.chance(50) ? 0x200 + r.below(0x800) : 0xC00 - w + delta;
      what = "ds read-only limit BFF";
    } else if (kind == 3) {  // SS with a limit: #SS(0)
      bool down = r.chance(50);
      c.sel_ss = down ? ORC_SEL_EXPDOWN : ORC_SEL_LIMITED;
      b.force_seg = sSS;
      off = down ? 0x800 + delta : 0x800 - w + delta;
      what = down ? "ss expand-down above 7FF" : "ss limit 7FF";
      if (op == 9 || op == 10) op = 0;  // keep the stack itself out of it
    } else {  // an operand that wraps past offset 0xFFFFFFFF: #GP(0)
      b.force_seg = kNoSeg;
      off = uint32_t(0) - w + 1 + r.below(w - 1);
      what = "offset wraps at 4 GiB";
    }
    // PUSH/POP Ev use the stack: keep it inside a normal SS.
    if (op == 9 || op == 10) b.set(ESP, 0x900 + (r.below(0x100) & ~3u));
    uint32_t base = seg_base(c, b.force_seg != kNoSeg ? b.force_seg : sDS);
    if (kind == 1 && b.force_seg == kNoSeg) base = ORC_SCRATCH;  // SS and DS share the base
    Rm e = b.rm_mem(w, op == 9 || op == 10 ? 1u << ESP : 0, base + off, false, false);
    std::string form = mem_op(b, e, w, op);
    b.finish(form + " [" + what + "]", e.text + " offset " + hex(off));
    return;
  }
  if (kind == 5) {  // REP string into a limit
    static const char* const names[5] = {"MOVS", "CMPS", "STOS", "LODS", "SCAS"};
    static const uint8_t opc[5] = {0xA4, 0xA6, 0xAA, 0xAC, 0xAE};
    unsigned k = r.below(5);
    unsigned w = b.width();
    b.maybe_a16(35);
    b.prefix(k == 1 || k == 4 ? (r.chance(50) ? 0xF3 : 0xF2) : 0xF3);
    bool down = r.chance(40);
    c.eflags = (c.eflags & ~fDF) | (down ? fDF : 0);
    uint32_t steps = 1 + r.below(6);  // elements that fit before the boundary
    uint32_t count = steps + r.below(4);
    uint32_t hi16 = r.u32() & 0xFFFF0000u;
    b.set(ECX, b.a16 ? (hi16 | count) : count);
    // Up: the limited ES (limit 0x7FF); down: expand-down ES/DS (valid from 0x800).
    auto start = [&](void) -> uint32_t {
      int32_t slack = int32_t(r.below(w));  // a misaligned run straddles the boundary
      return down ? 0x800 + steps * w - w + slack : 0x800 - steps * w + slack - (slack ? w : 0);
    };
    bool src = k == 0 || k == 1 || k == 3;
    bool dst = k != 3;
    if (dst) {
      c.sel_es = down ? ORC_SEL_EXPDOWN : ORC_SEL_LIMITED;
      b.set(EDI, (b.a16 ? r.u32() & 0xFFFF0000u : 0) | start());
    }
    if (src) {
      // MOVS/CMPS: the source stays clear of the limit unless it is the only operand.
      c.sel_ds = k == 3 ? (down ? ORC_SEL_EXPDOWN : ORC_SEL_LIMITED) : ORC_SEL_DATA;
      uint32_t s = k == 3 ? start() : (down ? 0xC00 : 0x300);
      b.set(ESI, (b.a16 ? r.u32() & 0xFFFF0000u : 0) | s);
    }
    if (k == 1 || k == 4) c.fault_flags_undef = kArith;  // flags of a CMPS/SCAS stopped part-way
    b.op({uint8_t(opc[k] + (w == 1 ? 0 : 1))});
    b.finish(std::string(names[k]) + (w == 1 ? "B" : w == 2 ? "W" : "D") + " into a limit",
             std::string(down ? "DF=1" : "DF=0") + " ecx " + hex(c.gpr[ECX]) + " esi " + hex(c.gpr[ESI]) + " edi " +
                 hex(c.gpr[EDI]));
    return;
  }
  // Stack operations at the SS limit: expand-up limit 0x7FF (base +0x800) or
  // expand-down (valid from 0x800).
  bool down = r.chance(50);
  c.sel_ss = down ? ORC_SEL_EXPDOWN : ORC_SEL_LIMITED;
  unsigned op = r.below(7);
  if (op < 5) b.width({2, 4});  // not for CALL/RET: o16 would truncate EIP
  int32_t delta = int32_t(r.below(9)) - 4;
  // Pushes approach the bottom (expand-down: 0x800; expand-up: offset 0, which
  // wraps), pops approach the top (expand-up: 0x800).
  bool pushes = op == 0 || op == 2 || op == 4 || op == 5;
  uint32_t esp = pushes ? (down ? 0x800 + 32 + delta * 4 : uint32_t(16 + delta * 4))
                        : (down ? 0x900 + delta : 0x800 - 32 + delta * 4 + (op == 3 || op == 6 ? 28 : 0));
  b.set(ESP, esp);
  b.set(EBP, esp + 4 * r.below(8));  // ENTER copies frame pointers from [EBP-k]
  // Intel writes the pushes that fit before the #SS, and POPA loads registers
  // one by one: at a fault, the stack below ESP and POPA's registers are not compared.
  uint32_t lo = seg_base(c, sSS) + esp - 64 - ORC_SCRATCH;
  c.fault_mem_undef.push_back({uint16_t(lo % ORC_SCRATCH_SIZE), 64});
  std::string form;
  uint32_t ft = c.off;
  switch (op) {
    case 0: b.op({0x60}); form = "PUSHA"; break;
    case 1: b.op({0x61}); form = "POPA"; c.fault_gpr_undef = uint8_t(~(1u << ESP)); break;
    case 2: b.op({uint8_t(0x50 + r.below(8))}); form = "PUSH r"; break;
    case 3: b.op({uint8_t(0x58 + r.below(8))}); form = "POP r"; break;
    case 4: b.op({0xC8}); b.imm(r.below(16), 2); b.imm(r.below(4), 1); form = "ENTER"; break;
    case 5: {
      ft += uint32_t(b.prefixes.size()) + 1 + b.vsize();
      uint16_t t = uint16_t(ft + 24 + r.below(40));
      b.op({0xE8});
      b.imm(t - ft, b.vsize());
      c.exits = {uint16_t(ft), t};
      form = "CALL rel32";
      break;
    }
    default: {
      ft += uint32_t(b.prefixes.size()) + 1;
      uint16_t t = uint16_t(ft + 24 + r.below(40));
      b.patch(seg_base(c, sSS) + esp, b.vsize(), b.code_target(t));
      b.op({0xC3});
      c.exits = {uint16_t(ft), t};
      form = "RET";
      break;
    }
  }
  b.finish(form + (down ? " [ss expand-down]" : " [ss limit 7FF]"), "esp " + hex(esp));
}

}  // namespace

void add_limit_families(std::vector<Family>& f) { f.push_back({"limits", 6, gen_limits}); }

}  // namespace oracle
