// Case builder: operand encodings (every 32- and 16-bit addressing form),
// register values that make memory operands land in the scratch page, and the
// family registry.
#include "gen.h"

#include <cstdio>
#include <cstring>

namespace oracle {

uint32_t seg_base(const Case& c, int seg) {
  switch (seg) {
    case sES: return orc_ldt[c.sel_es >> 3].base;
    case sSS: return orc_ldt[c.sel_ss >> 3].base;
    case sDS: return orc_ldt[c.sel_ds >> 3].base;
    default: return 0;  // CS, FS flat; GS unused
  }
}

static const uint8_t kSegPrefix[6] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
static const char* const kSegName[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

uint32_t Rng::val() {
  static const uint32_t edge[] = {0,          1,          2,          0x7F,       0x80,
                                  0xFF,       0x100,      0x7FFF,     0x8000,     0xFFFF,
                                  0x10000,    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE,
                                  0x80000001, 0x0F,       0x99,       0x55555555, 0xAAAAAAAA};
  constexpr unsigned n = sizeof edge / sizeof edge[0];
  switch (below(10)) {
    case 0: return edge[below(n)];
    case 1: return (u32() & 0xFFFF0000u) | (edge[below(n)] & 0xFFFF);
    case 2: return (u32() & 0xFFFFFF00u) | (edge[below(n)] & 0xFF);
    case 3: return below(256);
    case 4: return -below(256);
    default: return u32();
  }
}

void Case::image(uint8_t* buf) const {
  orc_fill(seed, buf);
  for (const OrcPatch& p : patches) buf[p.off % ORC_SCRATCH_SIZE] = p.val;
}

const char* reg_name(unsigned reg, unsigned size) {
  static const char* const n8[8] = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
  static const char* const n16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
  static const char* const n32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
  reg &= 7;
  return size == 1 ? n8[reg] : size == 2 ? n16[reg] : n32[reg];
}

std::string size_tag(unsigned size) { return size == 1 ? "b" : size == 2 ? "w" : size == 8 ? "q" : "d"; }

std::string hex(uint32_t v, int digits) {
  char b[16];
  std::snprintf(b, sizeof b, "%0*X", digits, v);
  return b;
}

void init_case(Rng& r, Case& c) {
  for (auto& g : c.gpr) g = r.val();
  c.gpr[ESP] = 0x800 + (r.below(0x400) & ~3u);  // SS-relative, inside the scratch page
  c.eflags = 0x202 | (r.u32() & kArith) | (r.chance(25) ? fDF : 0);
  c.seed = r.u32();
}

Builder::Builder(Rng& rng, Case& cs, const char* family) : r(rng), c(cs) {
  init_case(r, c);
  c.family = family;
  c.code16 = r.chance(kCode16Percent);
  o16 = a16 = c.code16;  // the defaults of the code segment
}

unsigned Builder::width(std::initializer_list<unsigned> allowed) {
  unsigned w = *(allowed.begin() + r.below(unsigned(allowed.size())));
  if (w == 2 || w == 4) {
    o16 = w == 2;
    if (o16 != c.code16) prefix(0x66);
  } else if (w == 1 && r.chance(8)) {
    prefix(0x66);  // no effect on a byte operation
  }
  return w;
}

void Builder::maybe_a16(unsigned percent) {
  if (r.chance(percent)) {  // the non-default address size
    a16 = !c.code16;
    prefix(0x67);
  }
}

void Builder::addr32() {
  if (a16) {
    a16 = false;
    prefix(0x67);
  }
}

void Builder::op32() {
  if (o16) {
    o16 = false;
    prefix(0x66);
  }
}

uint32_t Builder::code_target(uint16_t off) const { return c.code16 ? off : ORC_CODE + off; }

void Builder::set_sized(unsigned reg, unsigned size, uint32_t v) {
  if (size == 1) {
    unsigned p = reg & 3;
    unsigned sh = reg < 4 ? 0 : 8;
    c.gpr[p] = (c.gpr[p] & ~(0xFFu << sh)) | ((v & 0xFF) << sh);
    fixed |= uint8_t(1u << p);
  } else if (size == 2) {
    c.gpr[reg] = (c.gpr[reg] & 0xFFFF0000u) | (v & 0xFFFF);
    fixed |= uint8_t(1u << reg);
  } else {
    set(reg, v);
  }
}

uint32_t Builder::get_sized(unsigned reg, unsigned size) const {
  if (size == 1) return reg < 4 ? c.gpr[reg] & 0xFF : (c.gpr[reg & 3] >> 8) & 0xFF;
  if (size == 2) return c.gpr[reg] & 0xFFFF;
  return c.gpr[reg];
}

Rm Builder::rm_reg(unsigned reg, unsigned size) const {
  Rm e;
  e.reg = uint8_t(reg & 7);
  e.enc = {uint8_t(0xC0 | e.reg)};
  e.text = reg_name(reg, size);
  return e;
}

Rm Builder::rm_any(unsigned size, unsigned mem_percent, uint8_t avoid) {
  if (r.chance(mem_percent)) return rm_mem(size, avoid);
  return rm_reg(r.below(8), size);
}

uint32_t Builder::pick_lin(unsigned size, uint32_t lo, uint32_t hi) const {
  return ORC_SCRATCH + lo + r.below(hi - lo - size);
}

Rm Builder::rm_mem(unsigned size, uint8_t avoid, uint32_t lin, bool free_regs, bool allow_override) {
  if (!lin) lin = pick_lin(size);
  int ovr = force_seg;
  if (ovr == kNoSeg && allow_override && r.chance(12)) {
    static const int a32[] = {sES, sSS, sDS, sFS};
    static const int a16s[] = {sES, sSS, sDS};
    ovr = a16 ? a16s[r.below(3)] : a32[r.below(4)];
    // ES starts mid-page: 16-bit offsets cannot be negative, and an operand
    // straddling the ES base would wrap at 4 GiB (a limit fault).
    if (ovr == sES && lin < seg_base(c, sES) && (a16 || lin + size > seg_base(c, sES))) ovr = kNoSeg;
  }
  Rm e = a16 ? mem16(lin, avoid, free_regs, ovr) : mem32(lin, avoid, free_regs, ovr);
  if (ovr != kNoSeg) {
    prefix(kSegPrefix[ovr]);
    e.text = std::string(kSegName[ovr]) + ":" + e.text;
  }
  return e;
}

static uint32_t inverse_odd(uint32_t m) {
  uint32_t x = m;  // Newton's iteration doubles the correct low bits each step
  for (int k = 0; k < 5; ++k) x *= 2 - m * x;
  return x;
}

static unsigned pick_reg(Rng& r, uint8_t avail) {
  unsigned n = __builtin_popcount(avail);
  unsigned k = r.below(n);
  for (unsigned reg = 0; reg < 8; ++reg)
    if ((avail >> reg) & 1 && k-- == 0) return reg;
  return 0;
}

Rm Builder::mem32(uint32_t lin, uint8_t avoid, bool free_regs, int ovr) {
  Rm e;
  e.mem = true;
  e.lin = lin;
  uint8_t avail = uint8_t(~(fixed | avoid));
  bool has_base = avail && r.chance(88);
  unsigned base = has_base ? pick_reg(r, avail) : 5;
  uint8_t iavail = uint8_t(avail & ~(1u << ESP));
  bool has_index = iavail && r.chance(45);
  unsigned index = has_index ? pick_reg(r, iavail) : 4;
  unsigned scale = r.below(4);
  unsigned dk = !has_base ? 2 : r.below(3);  // 0 none, 1 disp8, 2 disp32
  if (has_base && base == EBP && dk == 0) dk = 1;
  bool sib = has_index || (has_base && base == ESP) || (!has_base && r.chance(30)) ||
             (has_base && r.chance(12));
  e.seg = ovr != kNoSeg ? ovr : (has_base && (base == ESP || base == EBP)) ? sSS : sDS;
  uint32_t off = lin - seg_base(c, e.seg);

  uint32_t disp = dk == 1 ? uint32_t(int32_t(int8_t(r.below(256))))
                : dk == 2 ? (r.chance(50) ? uint32_t(int32_t(r.below(0x2000)) - 0x1000) : r.u32())
                          : 0;
  uint32_t bv = 0, iv = 0;
  uint32_t sc = 1u << scale;
  if (free_regs) {
    bv = r.val();
    iv = r.val();
  } else if (has_base && has_index && base == index) {
    if (scale == 0 && ((off - disp) & 1)) {  // [r+r*1] reaches only even sums: use *2
      scale = 1;
      sc = 2;
    }
    uint32_t m = 1 + sc;
    if (m & 1) bv = iv = (off - disp) * inverse_odd(m);
    else bv = iv = (off - disp) / 2 + (r.chance(50) ? 0x80000000u : 0);
  } else {
    if (has_index) iv = r.chance(50) ? r.val() : r.below(0x400);
    if (has_base) bv = off - disp - (has_index ? iv * sc : 0);
    else disp = off - (has_index ? iv * sc : 0);
  }
  if (has_base) set(base, bv);
  if (has_index) set(index, iv);

  unsigned mod = has_base ? dk : 0;
  if (sib) {
    e.enc.push_back(uint8_t(mod << 6 | 4));
    e.enc.push_back(uint8_t(scale << 6 | (has_index ? index : 4) << 3 | (has_base ? base : 5)));
  } else {
    e.enc.push_back(uint8_t(mod << 6 | (has_base ? base : 5)));
  }
  if (dk == 1) e.enc.push_back(uint8_t(disp));
  if (dk == 2)
    for (int k = 0; k < 4; ++k) e.enc.push_back(uint8_t(disp >> (8 * k)));

  std::string t = "[";
  if (has_base) t += reg_name(base, 4);
  if (has_index) t += std::string(has_base ? "+" : "") + reg_name(index, 4) + "*" + std::to_string(sc);
  if (sib && !has_index) t += "(sib)";
  if (dk) t += (has_base || has_index ? "+" : "") + std::string(dk == 1 ? "d8:" : "d32:") + hex(disp, dk == 1 ? 2 : 8);
  e.text = t + "]";
  return e;
}

Rm Builder::mem16(uint32_t lin, uint8_t avoid, bool free_regs, int ovr) {
  static const int8_t regs[8][2] = {{EBX, ESI}, {EBX, EDI}, {EBP, ESI}, {EBP, EDI},
                                    {ESI, -1},  {EDI, -1},  {EBP, -1},  {EBX, -1}};
  static const char* const names[8] = {"bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"};
  Rm e;
  e.mem = true;
  e.lin = lin;
  uint8_t avail = uint8_t(~(fixed | avoid));
  std::vector<unsigned> ok;
  for (unsigned rm = 0; rm < 8; ++rm) {
    bool good = true;
    for (int k = 0; k < 2; ++k)
      if (regs[rm][k] >= 0 && !((avail >> regs[rm][k]) & 1)) good = false;
    if (good) ok.push_back(rm);
  }
  bool direct = ok.empty() || r.chance(10);  // [disp16]
  unsigned rm = direct ? 6 : ok[r.below(unsigned(ok.size()))];
  unsigned mod = direct ? 0 : r.below(3);
  if (!direct && rm == 6 && mod == 0) mod = 1;
  e.seg = ovr != kNoSeg ? ovr : (!direct && (rm == 2 || rm == 3 || rm == 6)) ? sSS : sDS;
  uint32_t off = (lin - seg_base(c, e.seg)) & 0xFFFF;
  uint32_t disp = mod == 1 ? uint32_t(int32_t(int8_t(r.below(256)))) & 0xFFFF : mod == 2 ? r.below(0x10000) : 0;
  if (direct) disp = off;
  if (!direct) {
    int r1 = regs[rm][0], r2 = regs[rm][1];
    uint32_t v2 = r2 >= 0 ? (free_regs ? r.val() : (r.chance(50) ? r.u32() : r.below(0x200))) : 0;
    uint32_t v1 = free_regs ? r.val() : off - disp - v2;
    set(r1, (r.u32() & 0xFFFF0000u) | (v1 & 0xFFFF));
    if (r2 >= 0) set(r2, (r.u32() & 0xFFFF0000u) | (v2 & 0xFFFF));
  }
  e.enc.push_back(uint8_t(mod << 6 | rm));
  if (mod == 1) e.enc.push_back(uint8_t(disp));
  if (mod == 2 || direct) {
    e.enc.push_back(uint8_t(disp));
    e.enc.push_back(uint8_t(disp >> 8));
  }
  std::string t = "[";
  if (!direct) t += names[rm];
  if (mod == 1) t += "+d8:" + hex(disp & 0xFF, 2);
  if (mod == 2) t += "+d16:" + hex(disp, 4);
  if (direct) t += "d16:" + hex(disp, 4);
  e.text = t + "]";
  return e;
}

uint64_t Builder::mem_read(uint32_t lin, unsigned size) const {
  uint8_t img[ORC_SCRATCH_SIZE];
  c.image(img);
  uint64_t v = 0;
  for (unsigned k = 0; k < size; ++k) v |= uint64_t(img[(lin - ORC_SCRATCH + k) % ORC_SCRATCH_SIZE]) << (8 * k);
  return v;
}

void Builder::patch(uint32_t lin, unsigned size, uint64_t v) {
  for (unsigned k = 0; k < size; ++k)
    c.patches.push_back(OrcPatch{uint16_t((lin - ORC_SCRATCH + k) % ORC_SCRATCH_SIZE), uint8_t(v >> (8 * k)), 0});
}

uint32_t Builder::rm_value(const Rm& e, unsigned size) const {
  return e.mem ? uint32_t(mem_read(e.lin, size)) : get_sized(e.reg, size);
}

void Builder::set_rm_value(const Rm& e, unsigned size, uint32_t v) {
  if (e.mem) patch(e.lin, size, v);
  else if (!is_fixed(size == 1 ? e.reg & 3 : e.reg)) set_sized(e.reg, size, v);
}

void Builder::modrm(const Rm& e, unsigned regfield) {
  body.push_back(uint8_t(e.enc[0] | (regfield & 7) << 3));
  body.insert(body.end(), e.enc.begin() + 1, e.enc.end());
}

void Builder::imm(uint32_t v, unsigned size) {
  for (unsigned k = 0; k < size; ++k) body.push_back(uint8_t(v >> (8 * k)));
}

void Builder::finish(const std::string& form, const std::string& detail) {
  for (size_t k = prefixes.size(); k > 1; --k) std::swap(prefixes[k - 1], prefixes[r.below(uint32_t(k))]);
  c.insn = prefixes;
  c.insn.insert(c.insn.end(), body.begin(), body.end());
  c.insn.insert(c.insn.end(), tail.begin(), tail.end());
  if (c.exits.empty()) c.exits.push_back(uint16_t(c.off + c.insn.size()));
  std::string tags = c.code16 ? " c16" : "";
  for (uint8_t p : prefixes) {
    if (p == 0x66) tags += c.code16 ? " o32" : " o16";
    if (p == 0x67) tags += c.code16 ? " a32" : " a16";
    if (p == 0xF0) tags += " lock";
    if (p == 0xF3) tags += " rep";
    if (p == 0xF2) tags += " repne";
  }
  c.form = form + tags;
  c.detail = detail;
}

const std::vector<Family>& families() {
  static const std::vector<Family> all = [] {
    std::vector<Family> f;
    add_move_families(f);
    add_alu_families(f);
    add_shift_families(f);
    add_bit_families(f);
    add_string_families(f);
    add_stack_families(f);
    add_control_families(f);
    add_limit_families(f);
    add_segload_families(f);
    return f;
  }();
  return all;
}

}  // namespace oracle
