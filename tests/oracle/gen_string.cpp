// Family: string (MOVS/CMPS/STOS/LODS/SCAS; no prefix, REP/REPE, REPNE; both
// directions; 16- and 32-bit address size; source segment overrides). ESI and
// EDI point into the scratch page (DS and ES have different bases), the count
// is small, and REPE/REPNE cases get memory patterns that stop them early.
#include "gen.h"

namespace oracle {
namespace {

void gen_string(Rng& r, Case& c) {
  Builder b(r, c, "string");
  static const char* const names[5] = {"MOVS", "CMPS", "STOS", "LODS", "SCAS"};
  static const uint8_t opc[5] = {0xA4, 0xA6, 0xAA, 0xAC, 0xAE};
  unsigned kind = r.below(5);
  bool compare = kind == 1 || kind == 4;
  bool has_src = kind == 0 || kind == 1 || kind == 3;
  bool has_dst = kind != 3;
  unsigned w = b.width();
  b.maybe_a16(35);
  unsigned rep = r.chance(30) ? 0 : (r.chance(compare ? 35 : 10) ? 2 : 1);  // 1 = F3, 2 = F2
  if (rep) b.prefix(rep == 1 ? 0xF3 : 0xF2);
  bool down = r.chance(40);
  c.eflags = (c.eflags & ~fDF) | (down ? fDF : 0);

  uint32_t count = rep ? (r.chance(10) ? 0 : 1 + r.below(8)) : 1;
  uint32_t n = count ? count : 1;
  uint32_t span = n * w;
  uint32_t hi16 = r.u32() & 0xFFFF0000u;
  if (rep) b.set(ECX, b.a16 ? (hi16 | count) : count);
  else b.set(ECX, r.val());

  auto place = [&](uint32_t lo, uint32_t hi) {  // first element's linear address
    return down ? ORC_SCRATCH + lo + span - w + r.below(hi - lo - span) : ORC_SCRATCH + lo + r.below(hi - lo - span);
  };
  int sseg = sDS;
  uint32_t src = 0, dst = 0;
  if (has_src) {
    if (r.chance(15)) {
      static const int s32[] = {sES, sSS, sFS};
      sseg = s32[r.below(b.a16 ? 2 : 3)];
      static const uint8_t pfx[6] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
      b.prefix(pfx[sseg]);
    }
    src = sseg != sES ? place(0x100, 0xF00) : (b.a16 || r.chance(50)) ? place(0x800, 0xF00) : place(0x100, 0x800);
    uint32_t off = src - seg_base(c, sseg);
    b.set(ESI, b.a16 ? ((r.u32() & 0xFFFF0000u) | (off & 0xFFFF)) : off);
  }
  if (has_dst) {
    // Not across the ES base: negative ES offsets are fine, crossing 4 GiB is a limit fault.
    dst = (b.a16 || r.chance(50)) ? place(0x800, 0xF00) : place(0x100, 0x800);
    uint32_t off = dst - seg_base(c, sES);
    b.set(EDI, b.a16 ? ((r.u32() & 0xFFFF0000u) | (off & 0xFFFF)) : off);
  }
  if (compare && rep) {
    // Elements before `stop` continue the loop, the one at `stop` ends it.
    uint32_t stop = r.below(n + 1);
    bool want_equal = rep == 1;  // REPE continues while equal
    uint32_t mask = w == 4 ? ~0u : (1u << (8 * w)) - 1;
    for (uint32_t k = 0; k < n; ++k) {
      uint32_t step = down ? uint32_t(-int32_t(k * w)) : k * w;
      uint32_t a = kind == 1 ? uint32_t(b.mem_read(src + step, w)) : c.gpr[EAX] & mask;
      bool eq = (k < stop) == want_equal;
      b.patch(dst + step, w, eq ? a : (a ^ (1u << r.below(8 * w))));
    }
  }
  b.op({uint8_t(opc[kind] + (w == 1 ? 0 : 1))});
  std::string det = std::string(down ? "DF=1" : "DF=0") + " ecx " + hex(c.gpr[ECX]);
  if (has_src) det += " esi " + hex(c.gpr[ESI]) + " seg " + std::to_string(sseg);
  if (has_dst) det += " edi " + hex(c.gpr[EDI]);
  b.finish(std::string(names[kind]) + (w == 1 ? "B" : w == 2 ? "W" : "D"), det);
}

}  // namespace

void add_string_families(std::vector<Family>& f) { f.push_back({"string", 10, gen_string}); }

}  // namespace oracle
