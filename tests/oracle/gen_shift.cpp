// Families: shift (ROL/ROR/RCL/RCR/SHL/SHR/SAL/SAR by 1, CL, imm8) and
// shiftd (SHLD/SHRD by imm8 and CL).
#include "gen.h"

namespace oracle {
namespace {

// A count: mostly 0..31 with the edges, sometimes any byte (only 5 bits count).
uint32_t pick_count(Rng& r) {
  static const uint32_t edge[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31};
  if (r.chance(25)) return edge[r.below(10)] + (r.chance(20) ? 32 * (1 + r.below(7)) : 0);
  if (r.chance(20)) return r.below(256);
  return r.below(32);
}

// SDM: flags are untouched when the masked count is 0; OF is defined only for
// a count of 1; AF is undefined after SHL/SHR/SAR; CF is undefined after
// SHL/SHR when the count is at least the operand width.
uint32_t shift_undef(unsigned op, unsigned bits, uint32_t raw) {
  unsigned cnt = raw & 31;
  if (!cnt) return 0;
  uint32_t u = cnt == 1 ? 0 : fOF;
  if (op >= 4) u |= fAF;
  if ((op == 4 || op == 5 || op == 6) && cnt >= bits) u |= fCF;
  return u;
}

void gen_shift(Rng& r, Case& c) {
  Builder b(r, c, "shift");
  static const char* const names[8] = {"ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SAL", "SAR"};
  unsigned op = r.below(8);
  if (op == 6 && r.chance(70)) op = 4;  // /6 is the undocumented SHL alias: keep it rare
  unsigned w = b.width();
  b.maybe_a16();
  unsigned kind = r.below(3);  // 0: by 1, 1: by CL, 2: by imm8
  uint32_t count = kind == 0 ? 1 : pick_count(r);
  if (kind == 1) b.set_sized(ECX, 1, count);
  Rm e = b.rm_any(w);
  if (kind == 1) count = c.gpr[ECX] & 0xFF;  // E may be CL itself: it is the count either way
  uint8_t base = kind == 0 ? 0xD0 : kind == 1 ? 0xD2 : 0xC0;
  b.op({uint8_t(base + (w == 1 ? 0 : 1))});
  b.modrm(e, op);
  if (kind == 2) b.imm(count, 1);
  c.flags_undef = shift_undef(op, 8 * w, count);
  std::string form = std::string(names[op]) + " E" + size_tag(w) + (kind == 0 ? ",1" : kind == 1 ? ",CL" : ",Ib");
  if (op == 6) form += " (/6)";
  b.finish(form, e.text + " count " + std::to_string(count));
}

void gen_shiftd(Rng& r, Case& c) {
  Builder b(r, c, "shiftd");
  bool right = r.chance(50);
  bool by_cl = r.chance(50);
  unsigned w = b.width({2, 4});
  b.maybe_a16();
  uint32_t count = pick_count(r);
  // A 16-bit operand shifted by more than 16 has an undefined result: not generated.
  if (w == 2 && (count & 31) > 16) count = (count & ~31u) | r.below(17);
  if (by_cl) b.set_sized(ECX, 1, count);
  Rm e = b.rm_any(w);
  unsigned g = r.below(8);
  if (by_cl) {
    count = c.gpr[ECX] & 0xFF;
    if (w == 2 && (count & 31) > 16) {  // E is CL: the count is the operand's own value
      count = (count & ~31u) | r.below(17);
      c.gpr[ECX] = (c.gpr[ECX] & ~0xFFu) | count;
    }
  }
  b.op({0x0F, uint8_t((right ? 0xAC : 0xA4) + (by_cl ? 1 : 0))});
  b.modrm(e, g);
  if (!by_cl) b.imm(count, 1);
  unsigned cnt = count & 31;
  c.flags_undef = cnt == 0 ? 0 : (fAF | (cnt == 1 ? 0 : fOF));
  std::string form = std::string(right ? "SHRD " : "SHLD ") + "E" + size_tag(w) + ",G" + size_tag(w) + (by_cl ? ",CL" : ",Ib");
  b.finish(form, e.text + ", " + reg_name(g, w) + " count " + std::to_string(count));
}

}  // namespace

void add_shift_families(std::vector<Family>& f) {
  f.push_back({"shift", 8, gen_shift});
  f.push_back({"shiftd", 4, gen_shiftd});
}

}  // namespace oracle
