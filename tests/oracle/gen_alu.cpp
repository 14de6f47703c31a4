// Families: alu (ADD..CMP, TEST), unary (INC/DEC/NEG/NOT), mul (MUL/IMUL),
// div (DIV/IDIV incl. #DE), bcd (DAA/DAS/AAA/AAS/AAM/AAD/SALC).
#include "gen.h"

namespace oracle {
namespace {

const char* const kAluName[9] = {"ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP", "TEST"};

std::string ev(unsigned w) { return "E" + size_tag(w); }
std::string gv(unsigned w) { return "G" + size_tag(w); }

void gen_alu(Rng& r, Case& c) {
  Builder b(r, c, "alu");
  unsigned op = r.below(9);
  unsigned w = b.width();
  b.maybe_a16();
  std::string name = kAluName[op], form, det;
  bool lock_ok = false;
  uint32_t immv = r.val();
  unsigned g = r.below(8);
  unsigned kind = r.below(4);
  if (op == 8 && kind == 1) kind = 0;
  if (kind == 0 || kind == 1) {  // E,G  /  G,E
    Rm e = b.rm_any(w);
    uint8_t opc = op == 8 ? uint8_t(w == 1 ? 0x84 : 0x85) : uint8_t(op * 8 + (kind ? 2 : 0) + (w == 1 ? 0 : 1));
    b.op({opc});
    b.modrm(e, g);
    form = name + (kind ? " " + gv(w) + "," + ev(w) : " " + ev(w) + "," + gv(w));
    det = e.text + ", " + reg_name(g, w);
    lock_ok = e.mem && kind == 0 && op < 7;
  } else if (kind == 2) {  // accumulator, immediate
    uint8_t opc = op == 8 ? uint8_t(w == 1 ? 0xA8 : 0xA9) : uint8_t(op * 8 + (w == 1 ? 4 : 5));
    b.op({opc});
    b.imm(immv, w);
    form = name + " " + reg_name(EAX, w) + ",I" + size_tag(w);
    det = "imm " + hex(immv, 2 * w);
  } else {  // group 1 (80/81/82/83) or group 3 TEST (F6/F7 /0, /1)
    Rm e = b.rm_any(w);
    unsigned iw = w;
    uint8_t opc;
    unsigned regf = op;
    if (op == 8) {
      opc = w == 1 ? 0xF6 : 0xF7;
      regf = r.chance(10) ? 1 : 0;  // /1 is an alias of TEST
    } else if (w == 1) {
      opc = r.chance(10) ? 0x82 : 0x80;
    } else if (r.chance(50)) {
      opc = 0x83;
      iw = 1;
    } else {
      opc = 0x81;
    }
    b.op({opc});
    b.modrm(e, regf);
    b.imm(immv, iw);
    form = name + " " + ev(w) + ",I" + size_tag(iw) + " (" + hex(opc, 2) + "/" + std::to_string(regf) + ")";
    det = e.text + ", imm " + hex(immv & (iw == 4 ? ~0u : (1u << (8 * iw)) - 1), 2 * iw);
    lock_ok = e.mem && op < 7;
  }
  if (lock_ok && r.chance(20)) b.prefix(0xF0);
  if (op == 1 || op == 4 || op == 6 || op == 8) c.flags_undef = fAF;
  b.finish(form, det);
}

void gen_unary(Rng& r, Case& c) {
  Builder b(r, c, "unary");
  static const char* const names[4] = {"INC", "DEC", "NOT", "NEG"};
  unsigned op = r.below(4);
  unsigned w = b.width();
  b.maybe_a16();
  std::string form, det;
  if (op < 2 && w != 1 && r.chance(35)) {  // 40+r / 48+r
    unsigned reg = r.below(8);
    b.op({uint8_t((op ? 0x48 : 0x40) + reg)});
    form = std::string(names[op]) + " r" + size_tag(w) + " (" + (op ? "48" : "40") + "+r)";
    det = reg_name(reg, w);
  } else {
    Rm e = b.rm_any(w);
    uint8_t opc = op < 2 ? (w == 1 ? 0xFE : 0xFF) : (w == 1 ? 0xF6 : 0xF7);
    b.op({opc});
    b.modrm(e, op);  // FE/FF /0 /1, F6/F7 /2 /3
    form = std::string(names[op]) + " " + ev(w);
    det = e.text;
    if (e.mem && r.chance(20)) b.prefix(0xF0);
  }
  b.finish(form, det);
}

void gen_mul(Rng& r, Case& c) {
  Builder b(r, c, "mul");
  unsigned kind = r.below(5);  // 0 MUL, 1 IMUL (one operand), 2 IMUL G,E, 3 IMUL G,E,Iv, 4 IMUL G,E,Ib
  unsigned w = kind < 2 ? b.width() : b.width({2, 4});
  b.maybe_a16();
  Rm e = b.rm_any(w);
  unsigned g = r.below(8);
  uint32_t immv = r.val();
  std::string form, det = e.text;
  if (kind < 2) {
    b.op({uint8_t(w == 1 ? 0xF6 : 0xF7)});
    b.modrm(e, kind ? 5 : 4);
    form = std::string(kind ? "IMUL " : "MUL ") + ev(w);
  } else if (kind == 2) {
    b.op({0x0F, 0xAF});
    b.modrm(e, g);
    form = "IMUL " + gv(w) + "," + ev(w);
    det = std::string(reg_name(g, w)) + ", " + e.text;
  } else {
    unsigned iw = kind == 3 ? w : 1;
    b.op({uint8_t(kind == 3 ? 0x69 : 0x6B)});
    b.modrm(e, g);
    b.imm(immv, iw);
    form = "IMUL " + gv(w) + "," + ev(w) + ",I" + size_tag(iw);
    det = std::string(reg_name(g, w)) + ", " + e.text + ", imm " + hex(immv, 8);
  }
  c.flags_undef = fSF | fZF | fAF | fPF;
  b.finish(form, det);
}

void gen_div(Rng& r, Case& c) {
  Builder b(r, c, "div");
  bool sign = r.chance(50);
  unsigned w = b.width();
  b.maybe_a16();
  uint32_t mask = w == 4 ? ~0u : (1u << (8 * w)) - 1;
  b.set(EAX, r.val());
  if (w > 1) b.set(EDX, r.val());
  Rm e = b.rm_any(w);
  bool overlap = !e.mem && (w == 1 ? (e.reg == 0 || e.reg == 4) : (e.reg == EAX || e.reg == EDX));
  if (!overlap) {
    uint32_t d = r.chance(8) ? 0 : (r.val() & mask);
    if (!d && r.chance(50)) d = 1 + r.below(mask);
    b.set_rm_value(e, w, d);
    d = b.rm_value(e, w);
    // Usually a dividend whose quotient fits; sometimes anything (#DE).
    uint32_t lo = r.val() & mask, hi;
    if (sign) {
      uint32_t sbit = 1u << (8 * w - 1);
      hi = r.chance(75) ? ((lo & sbit) ? mask : 0) : r.val() & mask;
    } else {
      hi = (r.chance(75) && d) ? r.below(d) : r.val() & mask;
    }
    if (w == 1) b.set_sized(EAX, 2, lo | hi << 8);
    else {
      b.set_sized(EAX, w, lo);
      b.set_sized(EDX, w, hi);
    }
  }
  b.op({uint8_t(w == 1 ? 0xF6 : 0xF7)});
  b.modrm(e, sign ? 7 : 6);
  c.flags_undef = kArith;
  b.finish(std::string(sign ? "IDIV " : "DIV ") + ev(w), e.text);
}

void gen_bcd(Rng& r, Case& c) {
  Builder b(r, c, "bcd");
  static const char* const names[7] = {"DAA", "DAS", "AAA", "AAS", "AAM", "AAD", "SALC"};
  static const uint8_t opc[7] = {0x27, 0x2F, 0x37, 0x3F, 0xD4, 0xD5, 0xD6};
  static const uint32_t undef[7] = {fOF, fOF, fOF | fSF | fZF | fPF, fOF | fSF | fZF | fPF,
                                    fOF | fAF | fCF, fOF | fAF | fCF, 0};
  unsigned op = r.below(7);
  uint32_t al = r.chance(50) ? (r.below(10) << 4 | r.below(16)) : r.below(256);
  b.set_sized(EAX, 1, al);
  if (r.chance(30)) b.set_sized(4, 1, r.below(10));  // AH as a BCD digit
  b.op({opc[op]});
  std::string det = "al=" + hex(al, 2);
  if (op == 4 || op == 5) {
    uint32_t base = r.chance(70) ? 10 : (op == 4 && r.chance(30)) ? 0 : r.below(256);
    b.imm(base, 1);
    det += " imm " + hex(base, 2);
  }
  c.flags_undef = undef[op];
  b.finish(names[op], det);
}

}  // namespace

void add_alu_families(std::vector<Family>& f) {
  f.push_back({"alu", 8, gen_alu});
  f.push_back({"unary", 3, gen_unary});
  f.push_back({"mul", 3, gen_mul});
  f.push_back({"div", 3, gen_div});
  f.push_back({"bcd", 2, gen_bcd});
}

}  // namespace oracle
