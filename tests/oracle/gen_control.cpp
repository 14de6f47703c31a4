// Families: branch (Jcc rel8/rel32, JMP rel8/rel32), loop (LOOP/LOOPE/
// LOOPNE/JECXZ/JCXZ), callret (CALL rel32, CALL/JMP Ev, RET, RET Iw), flagops
// (CLC/STC/CMC/CLD/STD, NOP, PAUSE), fault (encodings that must raise #UD,
// #GP, #BR or a trap at CPL 3). Taken vs not taken shows in the exit reached:
// the fall-through and the branch target each hold an exit stub.
#include "gen.h"

namespace oracle {
namespace {

const char* const kCond[16] = {"O", "NO", "B", "NB", "Z", "NZ", "BE", "NBE",
                               "S", "NS", "P", "NP", "L", "NL", "LE", "NLE"};

// A branch target offset in the code page, forward or backward of the
// instruction (within rel8 reach of the fall-through point `ft`).
uint16_t pick_target(Rng& r, uint32_t ft) {
  if (r.chance(60)) return uint16_t(ft + 24 + r.below(80));
  return uint16_t(kOpcodeBase - 24 - r.below(80));
}

// Emit opcode + relative displacement to a random target; exits = {ft, target}.
void rel_branch(Builder& b, std::initializer_list<uint8_t> opc, unsigned relsize) {
  uint32_t len = uint32_t(b.prefixes.size() + opc.size() + relsize);
  uint32_t ft = b.c.off + len;
  uint16_t t = pick_target(b.r, ft);
  b.op(opc);
  b.imm(uint32_t(int32_t(t) - int32_t(ft)), relsize);
  b.c.exits = {uint16_t(ft), t};
}

void gen_branch(Rng& r, Case& c) {
  Builder b(r, c, "branch");
  if (r.chance(8)) b.prefix(0x67);  // no effect on a relative branch
  unsigned cc = r.below(16);
  unsigned kind = r.below(10);
  std::string form;
  if (kind < 5) {
    rel_branch(b, {uint8_t(0x70 + cc)}, 1);
    form = std::string("J") + kCond[cc] + " rel8";
  } else if (kind < 9) {
    rel_branch(b, {0x0F, uint8_t(0x80 + cc)}, b.vsize());
    form = std::string("J") + kCond[cc] + " relv";
  } else if (r.chance(50)) {
    rel_branch(b, {0xEB}, 1);
    form = "JMP rel8";
  } else {
    rel_branch(b, {0xE9}, b.vsize());
    form = "JMP relv";
  }
  b.finish(form, "target +" + hex(c.exits[1], 3));
}

void gen_loop(Rng& r, Case& c) {
  Builder b(r, c, "loop");
  static const char* const names[4] = {"LOOPNE", "LOOPE", "LOOP", "JECXZ"};
  unsigned kind = r.below(4);
  b.maybe_a16(35);
  static const uint32_t cnt[] = {0, 1, 2, 3, 0x10000, 0x10001};
  uint32_t v = r.chance(60) ? cnt[r.below(6)] : r.val();
  if (b.a16 && r.chance(60)) v = (r.u32() & 0xFFFF0000u) | (v & 0xFFFF);
  b.set(ECX, v);
  rel_branch(b, {uint8_t(0xE0 + kind)}, 1);
  std::string n = names[kind];
  if (kind == 3 && b.a16) n = "JCXZ";
  b.finish(n, "ecx " + hex(v) + " target +" + hex(c.exits[1], 3));
}

void gen_callret(Rng& r, Case& c) {
  Builder b(r, c, "callret");
  uint32_t esp = 0x400 + (r.below(0x800) & ~3u);
  bool ss16 = r.chance(30);  // 16-bit stack segment: SP moves, upper ESP bits stay
  if (ss16) c.sel_ss = ORC_SEL_STACK16;
  b.set(ESP, (ss16 ? r.u32() & 0xFFFF0000u : 0) | esp);
  unsigned kind = r.below(5);
  std::string form, det = "esp " + hex(esp);
  unsigned v = b.vsize();  // the code segment's operand size (o16 would truncate EIP in 32-bit code)
  if (kind == 0) {
    rel_branch(b, {0xE8}, v);
    form = "CALL relv";
  } else if (kind == 1 || kind == 2) {  // CALL Ev / JMP Ev: absolute target
    b.maybe_a16();
    Rm e = b.rm_any(v, 50);
    if (!e.mem && e.reg == ESP) e = b.rm_reg(EAX, v);
    uint32_t len = uint32_t(b.prefixes.size() + 1 + e.enc.size());
    uint32_t ft = c.off + len;
    uint16_t t = pick_target(r, ft);
    b.set_rm_value(e, v, b.code_target(t));
    b.op({0xFF});
    b.modrm(e, kind == 1 ? 2 : 4);
    c.exits = {uint16_t(ft), t};
    form = kind == 1 ? "CALL Ev" : "JMP Ev";
    det += " " + e.text;
  } else {  // RET / RET Iw: the return address on the stack is an exit
    bool with_imm = kind == 4;
    uint32_t ft = c.off + (with_imm ? 3 : 1);
    uint16_t t = pick_target(r, ft);
    b.patch(ORC_SCRATCH + esp, v, b.code_target(t));
    uint32_t n = r.below(0x40);
    b.op({uint8_t(with_imm ? 0xC2 : 0xC3)});
    if (with_imm) b.imm(n, 2);
    c.exits = {uint16_t(ft), t};
    form = with_imm ? "RET Iw" : "RET";
    if (with_imm) det += " imm " + std::to_string(n);
  }
  b.finish(form + (ss16 ? " ss16" : ""), det);
}

void gen_flagops(Rng& r, Case& c) {
  Builder b(r, c, "flagops");
  static const char* const names[7] = {"CLC", "STC", "CMC", "CLD", "STD", "NOP", "PAUSE"};
  static const uint8_t opc[7] = {0xF8, 0xF9, 0xF5, 0xFC, 0xFD, 0x90, 0x90};
  unsigned k = r.below(7);
  if (k == 6) b.prefix(0xF3);
  b.op({opc[k]});
  b.finish(names[k], "");
}

void gen_fault(Rng& r, Case& c) {
  Builder b(r, c, "fault");
  unsigned kind = r.below(15);
  std::string form, det;
  unsigned g = r.below(8);
  switch (kind) {
    case 0: b.op({0x8D, uint8_t(0xC0 | g << 3 | r.below(8))}); form = "LEA r,r (#UD)"; break;
    case 1: b.op({0x0F, 0xC7, uint8_t(0xC8 | r.below(8))}); form = "CMPXCHG8B r (#UD)"; break;
    case 2: {
      Rm e = b.rm_mem(4);
      b.prefix(0xF0);
      b.op({0x89});
      b.modrm(e, g);
      form = "LOCK MOV Ed,Gd (#UD)";
      break;
    }
    case 3: b.prefix(0xF0); b.op({0x01, uint8_t(0xC0 | g << 3 | r.below(8))}); form = "LOCK ADD r,r (#UD)"; break;
    case 4: {
      Rm e = b.rm_mem(4);
      b.prefix(0xF0);
      b.op({0x39});
      b.modrm(e, g);
      form = "LOCK CMP Ed,Gd (#UD)";
      break;
    }
    case 5: b.op({0x0F, 0x0B}); form = "UD2"; break;
    case 6: b.op({0xF4}); form = "HLT (#GP at CPL3)"; break;
    case 7: b.op({uint8_t(r.chance(50) ? 0xFA : 0xFB)}); form = "CLI/STI (#GP at CPL3, IOPL0)"; break;
    case 8: b.op({0xCC}); form = "INT3"; break;
    case 9: b.op({0xCE}); form = "INTO"; det = (c.eflags & fOF) ? "OF=1" : "OF=0"; break;
    case 10: {  // BOUND Gv,Ma: #BR when the index is outside [lower, upper]
      unsigned w = b.width({2, 4});
      uint32_t mask = w == 4 ? ~0u : 0xFFFF;
      uint32_t lo = r.val() & mask, hi = r.val() & mask;
      Rm e = b.rm_mem(2 * w, 1u << g);
      b.patch(e.lin, w, lo);
      b.patch(e.lin + w, w, hi);
      if (r.chance(50)) {  // an index inside the bounds when there are any
        int64_t slo = w == 4 ? int64_t(int32_t(lo)) : int64_t(int16_t(lo));
        int64_t shi = w == 4 ? int64_t(int32_t(hi)) : int64_t(int16_t(hi));
        if (slo <= shi) b.set_sized(g, w, uint32_t(slo + int64_t(r.below(uint32_t(std::min<int64_t>(shi - slo + 1, 1 << 30))))));
      }
      b.op({0x62});
      b.modrm(e, g);
      form = "BOUND G" + size_tag(w) + ",M";
      det = e.text;
      break;
    }
    case 11: b.op({uint8_t(r.chance(50) ? 0xEC : 0xEE)}); form = "IN AL,DX / OUT DX,AL (#GP at CPL3)"; break;
    case 12: b.op({0x0F, uint8_t(r.chance(50) ? 0x20 : 0x22), uint8_t(0xC0 | r.below(8))}); form = "MOV r32,CR0 / MOV CR0,r32 (#GP)"; break;
    case 13: b.op({0x8E, uint8_t(0xC8 | r.below(8))}); form = "MOV CS,r (#UD)"; break;
    default: b.op({0x62, uint8_t(0xC0 | g << 3 | r.below(8))}); form = "BOUND r,r (#UD)"; break;
  }
  b.finish(form, det);
}

}  // namespace

void add_control_families(std::vector<Family>& f) {
  f.push_back({"branch", 5, gen_branch});
  f.push_back({"loop", 3, gen_loop});
  f.push_back({"callret", 3, gen_callret});
  f.push_back({"flagops", 1, gen_flagops});
  f.push_back({"fault", 3, gen_fault});
}

}  // namespace oracle
