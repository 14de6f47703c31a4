// Family: segload — loading data segment registers in protected mode at CPL 3:
// MOV Sreg,Ew (register and memory), POP Sreg, LDS/LES/LSS/LFS. Selectors
// from wire.h's LDT (all its kinds: limited, expand-down, read-only, 16-bit,
// readable code), Linux' GDT code/data, null selectors, RPL variants and
// selectors beyond the LDT limit; the checks decide between a load, #GP(0)
// and #GP(selector). Half the cases follow the load with a read through the
// new segment, which shows the descriptor cache (base, limit, type) it got.
#include "gen.h"

namespace oracle {
namespace {

// Segment registers this family loads (never CS, never GS: the host's TLS;
// FS only with flat selectors, since the exit stubs address through FS).
enum Target { tES, tSS, tDS, tFS };
const char* const kTargetName[4] = {"ES", "SS", "DS", "FS"};

uint16_t pick_selector(Rng& r, Target t) {
  if (t == tFS) return uint16_t(ORC_SEL_FLAT & ~3u) | uint16_t(r.chance(70) ? 3 : r.below(4));
  switch (r.below(10)) {
    case 0: return uint16_t(r.below(4));                                      // null, any RPL
    case 1: return uint16_t(ORC_SEL_FLAT & ~3u) | uint16_t(r.below(4));       // GDT data
    case 2: return uint16_t(ORC_SEL_CODE & ~3u) | uint16_t(r.below(4));       // GDT code (readable)
    case 3: return uint16_t((ORC_LDT_N + r.below(3)) << 3 | 4 | r.below(4)); // beyond the LDT
    case 4: return uint16_t(r.below(ORC_LDT_N) << 3 | 4 | r.below(4));        // LDT, any RPL
    default: return ORC_SEL(r.below(ORC_LDT_N));                              // LDT, RPL 3
  }
}

// An offset that a read of 4 bytes through `sel` may use (inside the page).
uint32_t good_offset(Rng& r, uint16_t sel) {
  unsigned idx = sel >> 3;
  if (!(sel & 4)) return ORC_SCRATCH + 0x100 + r.below(0xE00);  // flat GDT segments
  if (idx >= ORC_LDT_N) return r.below(0x400);
  const OrcSeg& d = orc_ldt[idx];
  if (d.code) return 0x300 + r.below(0xF8);  // the code page, past the instruction and its exit stubs
  if (d.expand_down) return 0x800 + r.below(0x700);
  uint32_t room = d.base == ORC_SCRATCH ? 0xE00 : 0x700;
  if (!d.gran && d.limit < room) room = d.limit - 8;
  return r.below(room);
}

void gen_segload(Rng& r, Case& c) {
  Builder b(r, c, "segload");
  unsigned kind = r.below(4);  // 0 MOV Sreg,r  1 MOV Sreg,m  2 POP Sreg  3 Lxx
  Target t = Target(r.below(4));
  if (kind == 2 && t == tFS && r.chance(50)) t = tDS;
  uint16_t sel = pick_selector(r, t);
  std::string form, det = "selector " + hex(sel, 4);
  static const uint8_t sreg_num[4] = {0, 2, 3, 4};
  if (kind == 0 || kind == 1) {
    if (r.chance(30)) b.width({2, 4});  // operand size does not matter for MOV Sreg
    b.maybe_a16();
    Rm e = kind == 0 ? b.rm_reg(r.below(8), 2) : b.rm_mem(2, 1u << ESI);
    if (!e.mem && (e.reg == ESP || e.reg == ESI)) e = b.rm_reg(EAX, 2);  // ESI addresses the read
    b.set_rm_value(e, 2, (r.u32() & 0xFFFF0000u) | sel);
    b.op({0x8E});
    b.modrm(e, sreg_num[t]);
    form = std::string("MOV ") + kTargetName[t] + (kind ? ",Mw" : ",Rw");
    det += " " + e.text;
  } else if (kind == 2) {
    unsigned w = b.width({2, 4});
    uint32_t esp = 0x800 + (r.below(0x200) & ~3u);
    b.set(ESP, esp);
    b.patch(ORC_SCRATCH + esp, w, (w == 4 ? r.u32() & 0xFFFF0000u : 0) | sel);
    static const uint8_t pop[3] = {0x07, 0x17, 0x1F};
    if (t == tFS) b.op({0x0F, 0xA1});
    else b.op({pop[t]});
    form = std::string("POP ") + kTargetName[t];
  } else {
    unsigned w = b.width({2, 4});
    b.maybe_a16();
    unsigned g = r.below(8);
    if (g == ESI || g == ESP) g = EAX;  // ESI addresses the follow-up read; ESP stays
    Rm e = b.rm_mem(w + 2, 1u << ESI | 1u << g);
    b.patch(e.lin, w, r.val());
    b.patch(e.lin + w, 2, sel);
    static const uint8_t opc[4] = {0xC4, 0xB2, 0xC5, 0xB4};  // LES LSS LDS LFS
    if (t == tES || t == tDS) b.op({opc[t]});
    else b.op({0x0F, opc[t]});
    b.modrm(e, g);
    form = std::string("L") + kTargetName[t] + " G" + size_tag(w) + ",Mp";
    det += " " + e.text + " -> " + reg_name(g, w);
  }
  if (r.chance(50)) {
    // mov eax, <sreg>:[esi] (32-bit addressing) through the new segment.
    static const uint8_t ovr[4] = {0x26, 0x36, 0x3E, 0x64};
    uint32_t off = good_offset(r, sel);
    b.set(ESI, off);
    if (c.code16) b.tail.push_back(0x67);
    if (c.code16) b.tail.push_back(0x66);
    b.tail.insert(b.tail.end(), {ovr[t], 0x8B, 0x06});
    form += " + read";
    det += " then mov eax,[esi=" + hex(off) + "]";
  }
  b.finish(form, det);
}

}  // namespace

void add_segload_families(std::vector<Family>& f) { f.push_back({"segload", 5, gen_segload}); }

}  // namespace oracle
