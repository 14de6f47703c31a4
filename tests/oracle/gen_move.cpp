// Families: mov (all MOV forms incl. moffs and MOV Ew,Sreg), movx (MOVZX/
// MOVSX), lea (every addressing form), xchg, convert (CBW/CWDE/CWD/CDQ),
// lahf (LAHF/SAHF), xlat, xadd, cmpxchg, cmpxchg8b.
#include "gen.h"

namespace oracle {
namespace {

std::string ev(unsigned w) { return "E" + size_tag(w); }
std::string gv(unsigned w) { return "G" + size_tag(w); }

void gen_mov(Rng& r, Case& c) {
  Builder b(r, c, "mov");
  unsigned kind = r.below(6);
  unsigned w = kind == 5 ? b.width({2, 4}) : b.width();
  b.maybe_a16();
  unsigned g = r.below(8);
  uint32_t immv = r.val();
  std::string form, det;
  if (kind == 0 || kind == 1) {
    Rm e = b.rm_any(w, 60);
    b.op({uint8_t(0x88 + (kind ? 2 : 0) + (w == 1 ? 0 : 1))});
    b.modrm(e, g);
    form = "MOV " + (kind ? gv(w) + "," + ev(w) : ev(w) + "," + gv(w));
    det = e.text + ", " + reg_name(g, w);
  } else if (kind == 2) {
    Rm e = b.rm_any(w, 60);
    b.op({uint8_t(w == 1 ? 0xC6 : 0xC7)});
    b.modrm(e, 0);
    b.imm(immv, w);
    form = "MOV " + ev(w) + ",I" + size_tag(w);
    det = e.text + ", imm " + hex(immv, 8);
  } else if (kind == 3) {
    b.op({uint8_t((w == 1 ? 0xB0 : 0xB8) + g)});
    b.imm(immv, w);
    form = "MOV r" + size_tag(w) + ",I" + size_tag(w);
    det = std::string(reg_name(g, w)) + ", imm " + hex(immv, 8);
  } else if (kind == 4) {  // A0-A3: moffs, 16- or 32-bit offset by address size
    bool store = r.chance(50);
    uint32_t lin = b.pick_lin(w);
    int seg = sDS;
    if (r.chance(20)) {
      static const int s32[] = {sES, sSS, sFS};
      seg = b.a16 ? (lin >= seg_base(b.c, sES) ? sES : sSS) : s32[r.below(3)];
      if (seg == sES && lin < seg_base(b.c, sES) && lin + w > seg_base(b.c, sES)) seg = sSS;
      static const uint8_t pfx[6] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
      b.prefix(pfx[seg]);
    }
    uint32_t off = lin - seg_base(b.c, seg);
    b.op({uint8_t(0xA0 + (store ? 2 : 0) + (w == 1 ? 0 : 1))});
    b.imm(off, b.a16 ? 2 : 4);
    form = std::string("MOV ") + (store ? "moffs," + std::string(reg_name(EAX, w)) : std::string(reg_name(EAX, w)) + ",moffs");
    det = "moffs " + hex(off, b.a16 ? 4 : 8) + " seg " + std::to_string(seg);
  } else {  // 8C: MOV Ew,Sreg (GS excluded: its selector is the host's TLS)
    unsigned sreg = r.below(5);
    Rm e = b.rm_any(2, 40);
    b.op({0x8C});
    b.modrm(e, sreg);
    form = std::string("MOV Ew,Sreg") + (e.mem ? " (mem)" : " (reg)");
    det = e.text + ", sreg " + std::to_string(sreg);
  }
  b.finish(form, det);
}

void gen_movx(Rng& r, Case& c) {
  Builder b(r, c, "movx");
  unsigned kind = r.below(4);  // B6 B7 BE BF
  static const uint8_t opc[4] = {0xB6, 0xB7, 0xBE, 0xBF};
  unsigned w = b.width({2, 4});
  b.maybe_a16();
  unsigned sw = (kind & 1) ? 2 : 1;
  Rm e = b.rm_any(sw);
  unsigned g = r.below(8);
  b.op({0x0F, opc[kind]});
  b.modrm(e, g);
  b.finish(std::string(kind < 2 ? "MOVZX " : "MOVSX ") + gv(w) + "," + ev(sw),
           std::string(reg_name(g, w)) + ", " + e.text);
}

void gen_lea(Rng& r, Case& c) {
  Builder b(r, c, "lea");
  unsigned w = b.width({2, 4});
  b.maybe_a16(45);
  Rm e = b.rm_mem(w, 0, 0, r.chance(60));
  unsigned g = r.below(8);
  b.op({0x8D});
  b.modrm(e, g);
  b.finish("LEA " + gv(w) + ",M", std::string(reg_name(g, w)) + ", " + e.text);
}

void gen_xchg(Rng& r, Case& c) {
  Builder b(r, c, "xchg");
  if (r.chance(25)) {
    unsigned w = b.width({2, 4});
    unsigned reg = r.below(8);
    b.op({uint8_t(0x90 + reg)});
    b.finish(reg ? "XCHG r" + size_tag(w) + ",eAX" : "NOP (90)", reg_name(reg, w));
    return;
  }
  unsigned w = b.width();
  b.maybe_a16();
  Rm e = b.rm_any(w);
  unsigned g = r.below(8);
  b.op({uint8_t(w == 1 ? 0x86 : 0x87)});
  b.modrm(e, g);
  if (e.mem && r.chance(20)) b.prefix(0xF0);
  b.finish("XCHG " + ev(w) + "," + gv(w), e.text + ", " + reg_name(g, w));
}

void gen_convert(Rng& r, Case& c) {
  Builder b(r, c, "convert");
  bool dbl = r.chance(50);
  unsigned w = b.width({2, 4});
  b.op({uint8_t(dbl ? 0x99 : 0x98)});
  const char* n = dbl ? (w == 2 ? "CWD" : "CDQ") : (w == 2 ? "CBW" : "CWDE");
  b.finish(n, "eax " + hex(c.gpr[EAX]));
}

void gen_lahf(Rng& r, Case& c) {
  Builder b(r, c, "lahf");
  bool store = r.chance(50);
  b.op({uint8_t(store ? 0x9E : 0x9F)});
  b.finish(store ? "SAHF" : "LAHF", "ah " + hex((c.gpr[EAX] >> 8) & 0xFF, 2));
}

void gen_xlat(Rng& r, Case& c) {
  Builder b(r, c, "xlat");
  b.maybe_a16(40);
  uint32_t lin = b.pick_lin(1, 0x200, 0xE00);
  int seg = sDS;
  if (r.chance(20)) {
    static const int s32[] = {sES, sSS, sFS};
    seg = b.a16 ? (lin >= seg_base(b.c, sES) ? sES : sSS) : s32[r.below(3)];
    static const uint8_t pfx[6] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    b.prefix(pfx[seg]);
  }
  uint32_t al = c.gpr[EAX] & 0xFF;
  uint32_t off = lin - seg_base(b.c, seg) - al;
  b.set(EBX, b.a16 ? ((r.u32() & 0xFFFF0000u) | (off & 0xFFFF)) : off);
  b.op({0xD7});
  b.finish("XLAT", "ebx " + hex(c.gpr[EBX]) + " al " + hex(al, 2) + " seg " + std::to_string(seg));
}

void gen_xadd(Rng& r, Case& c) {
  Builder b(r, c, "xadd");
  unsigned w = b.width();
  b.maybe_a16();
  Rm e = b.rm_any(w);
  unsigned g = r.below(8);
  b.op({0x0F, uint8_t(w == 1 ? 0xC0 : 0xC1)});
  b.modrm(e, g);
  if (e.mem && r.chance(25)) b.prefix(0xF0);
  b.finish("XADD " + ev(w) + "," + gv(w), e.text + ", " + reg_name(g, w));
}

void gen_cmpxchg(Rng& r, Case& c) {
  Builder b(r, c, "cmpxchg");
  unsigned w = b.width();
  b.maybe_a16();
  b.set(EAX, r.val());
  Rm e = b.rm_any(w);
  unsigned g = r.below(8);
  if (r.chance(50)) b.set_rm_value(e, w, b.get_sized(EAX, w));  // equal: the store happens
  b.op({0x0F, uint8_t(w == 1 ? 0xB0 : 0xB1)});
  b.modrm(e, g);
  if (e.mem && r.chance(25)) b.prefix(0xF0);
  b.finish("CMPXCHG " + ev(w) + "," + gv(w), e.text + ", " + reg_name(g, w));
}

void gen_cmpxchg8b(Rng& r, Case& c) {
  Builder b(r, c, "cmpxchg8b");
  b.maybe_a16();
  for (unsigned reg : {EAX, ECX, EDX, EBX}) b.set(reg, r.val());
  Rm e = b.rm_mem(8);
  if (r.chance(50)) b.patch(e.lin, 8, uint64_t(c.gpr[EDX]) << 32 | c.gpr[EAX]);
  else if (r.chance(30)) b.patch(e.lin, 4, c.gpr[EAX]);  // low half equal only
  b.op({0x0F, 0xC7});
  b.modrm(e, 1);
  if (r.chance(30)) b.prefix(0xF0);
  b.finish("CMPXCHG8B Mq", e.text);
}

}  // namespace

void add_move_families(std::vector<Family>& f) {
  f.push_back({"mov", 6, gen_mov});
  f.push_back({"movx", 3, gen_movx});
  f.push_back({"lea", 4, gen_lea});
  f.push_back({"xchg", 3, gen_xchg});
  f.push_back({"convert", 1, gen_convert});
  f.push_back({"lahf", 1, gen_lahf});
  f.push_back({"xlat", 1, gen_xlat});
  f.push_back({"xadd", 2, gen_xadd});
  f.push_back({"cmpxchg", 3, gen_cmpxchg});
  f.push_back({"cmpxchg8b", 2, gen_cmpxchg8b});
}

}  // namespace oracle
