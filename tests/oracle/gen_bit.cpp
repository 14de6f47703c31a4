// Families: bt (BT/BTS/BTR/BTC by register and imm8, register and memory
// operands with bit offsets outside the operand), bsf (BSF/BSR), setcc,
// cmovcc, bswap.
#include "gen.h"

namespace oracle {
namespace {

const char* const kCond[16] = {"O", "NO", "B", "NB", "Z", "NZ", "BE", "NBE",
                               "S", "NS", "P", "NP", "L", "NL", "LE", "NLE"};

void gen_bt(Rng& r, Case& c) {
  Builder b(r, c, "bt");
  static const char* const names[4] = {"BT", "BTS", "BTR", "BTC"};
  static const uint8_t opc[4] = {0xA3, 0xAB, 0xB3, 0xBB};
  unsigned op = r.below(4);
  unsigned w = b.width({2, 4});
  b.maybe_a16();
  bool by_imm = r.chance(40);
  unsigned g = r.below(8);
  Rm e;
  std::string det;
  if (by_imm) {
    e = b.rm_any(w);
    uint32_t bit = r.chance(70) ? r.below(8 * w) : r.below(256);
    b.op({0x0F, 0xBA});
    b.modrm(e, 4 + op);
    b.imm(bit, 1);
    det = e.text + ", imm " + std::to_string(bit);
  } else {
    if (r.chance(55)) {
      // Memory with a register bit offset: the operand is the bit string at
      // EA; the signed offset may reach well outside the addressed word.
      int32_t bo = r.chance(30) ? int32_t(r.below(8 * w))
                                : int32_t(r.below(2 * 0x500 * 8)) - 0x500 * 8;
      b.set_sized(g, w, uint32_t(bo));
      if (w == 2) b.c.gpr[g] = (r.u32() & 0xFFFF0000u) | (b.c.gpr[g] & 0xFFFF);
      // No override with 16-bit addressing: the bit string must stay at
      // non-negative 16-bit offsets of the segment (ES starts mid-page).
      e = b.rm_mem(w, 0, b.pick_lin(w, 0x600, 0xA00), false, !b.a16);
      det = e.text + ", " + reg_name(g, w) + " (bit offset " + std::to_string(bo) + ")";
    } else {
      e = b.rm_reg(r.below(8), w);
      det = e.text + ", " + reg_name(g, w);
    }
    b.op({0x0F, opc[op]});
    b.modrm(e, g);
  }
  if (e.mem && op && r.chance(20)) b.prefix(0xF0);
  c.flags_undef = fOF | fSF | fAF | fPF;
  b.finish(std::string(names[op]) + " E" + size_tag(w) + (by_imm ? ",Ib" : ",G" + size_tag(w)), det);
}

void gen_bsf(Rng& r, Case& c) {
  Builder b(r, c, "bsf");
  bool rev = r.chance(50);
  unsigned w = b.width({2, 4});
  b.maybe_a16();
  Rm e = b.rm_any(w);
  unsigned g = r.below(8);
  uint32_t v = r.val();
  if (r.chance(40)) v &= ~0u << r.below(32);
  if (r.chance(40)) v &= ~0u >> r.below(32);
  if (r.chance(12)) v = 0;
  b.set_rm_value(e, w, v);
  uint32_t src = b.rm_value(e, w);
  b.op({0x0F, uint8_t(rev ? 0xBD : 0xBC)});
  b.modrm(e, g);
  c.flags_undef = fCF | fOF | fSF | fAF | fPF;
  if (!src) c.gpr_undef[g] = w == 2 ? 0xFFFF : ~0u;  // SDM: destination undefined
  b.finish(std::string(rev ? "BSR " : "BSF ") + "G" + size_tag(w) + ",E" + size_tag(w),
           std::string(reg_name(g, w)) + ", " + e.text + " src " + hex(src, 2 * w));
}

void gen_setcc(Rng& r, Case& c) {
  Builder b(r, c, "setcc");
  unsigned cc = r.below(16);
  if (r.chance(8)) b.prefix(0x66);
  b.maybe_a16();
  Rm e = b.rm_any(1);
  unsigned regf = r.chance(20) ? r.below(8) : 0;  // the reg field is ignored
  b.op({0x0F, uint8_t(0x90 + cc)});
  b.modrm(e, regf);
  b.finish(std::string("SET") + kCond[cc] + " Eb", e.text);
}

void gen_cmovcc(Rng& r, Case& c) {
  Builder b(r, c, "cmovcc");
  unsigned cc = r.below(16);
  unsigned w = b.width({2, 4});
  b.maybe_a16();
  Rm e = b.rm_any(w);
  unsigned g = r.below(8);
  b.op({0x0F, uint8_t(0x40 + cc)});
  b.modrm(e, g);
  b.finish(std::string("CMOV") + kCond[cc] + " G" + size_tag(w) + ",E" + size_tag(w),
           std::string(reg_name(g, w)) + ", " + e.text);
}

void gen_bswap(Rng& r, Case& c) {
  Builder b(r, c, "bswap");
  unsigned reg = r.below(8);
  b.op32();  // BSWAP of a 16-bit register is undefined
  if (r.chance(10)) b.prefix(0x67);
  b.op({0x0F, uint8_t(0xC8 + reg)});
  b.finish("BSWAP r32", reg_name(reg, 4));
}

}  // namespace

void add_bit_families(std::vector<Family>& f) {
  f.push_back({"bt", 5, gen_bt});
  f.push_back({"bsf", 3, gen_bsf});
  f.push_back({"setcc", 3, gen_setcc});
  f.push_back({"cmovcc", 3, gen_cmovcc});
  f.push_back({"bswap", 1, gen_bswap});
}

}  // namespace oracle
