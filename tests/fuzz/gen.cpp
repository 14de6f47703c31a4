#include "tests/fuzz/gen.h"

namespace fuzz {
namespace {

using Bytes = std::vector<uint8_t>;

// Registers an instruction may write: EAX ECX EDX EBP EDI (EBX, ESI, ESP are
// the data pointer, the index and the stack; string_op() moves ESI and puts
// it back). Byte registers: AL CL DL AH CH DH.
const uint8_t kDst32[] = {0, 1, 2, 5, 7};
const uint8_t kDst8[] = {0, 1, 2, 4, 5, 6};

// Shift and rotate counts worth trying: 0 and the widths (masked or not),
// one either side of them, the 5-bit mask's edges.
const uint8_t kCounts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 63, 0xFF};

struct Gen {
  Rng& r;
  std::vector<Bytes> pre;   // set-up instructions one() wants before its own
  std::vector<Bytes> post;  // and after it (ESI back to a small index)
  uint8_t dst32() { return kDst32[r.below(5)]; }
  uint8_t dst8() { return kDst8[r.below(6)]; }
  uint8_t any() { return uint8_t(r.below(8)); }
  uint8_t disp() { return uint8_t(r.below(0x78)); }

  // ModRM (+SIB, disp8) for a register or a memory operand.
  void rm_reg(Bytes& b, uint8_t reg, uint8_t rm) { b.push_back(uint8_t(0xC0 | (reg << 3) | rm)); }
  void rm_mem(Bytes& b, uint8_t reg) {
    if (r.coin()) {
      b.push_back(uint8_t(0x40 | (reg << 3) | 3));  // [ebx + disp8]
    } else {
      b.push_back(uint8_t(0x40 | (reg << 3) | 4));  // [ebx + esi*scale + disp8]
      b.push_back(uint8_t((r.below(4) << 6) | (6 << 3) | 3));
    }
    b.push_back(disp());
  }
  uint8_t count() { return r.coin() ? kCounts[r.below(sizeof kCounts)] : uint8_t(r.next()); }
  // mov reg, v as a set-up instruction (B8+r id, or 66 B8+r iw).
  void set_reg(uint8_t reg, uint32_t v) {
    Bytes m = {uint8_t(0xB8 + reg)};
    for (int k = 0; k < 4; ++k) m.push_back(uint8_t(v >> (8 * k)));
    pre.push_back(m);
  }
  // A small signed value (products of two fit more often than not).
  uint32_t small() { return uint32_t(int32_t(r.below(512)) - 256); }
  void imm(Bytes& b, unsigned n) {
    uint32_t v = uint32_t(r.next());
    if (r.below(4) == 0) v = r.below(3) == 0 ? 0 : (r.coin() ? 0xFFFFFFFF : 0x80000000u >> (32 - 8 * n));
    for (unsigned k = 0; k < n; ++k) b.push_back(uint8_t(v >> (8 * k)));
  }

  // A string instruction (a third of them repeated), or XLAT, with its pointers
  // set up just before: a 32-bit address size points ESI/EDI into the data
  // area (through LEA from EBX); a 16-bit one (67) takes SI/DI inside the
  // low 64 KiB, mostly in 0x7000..0x7FFF (which the fuzzer compares) under
  // random upper halves, sometimes at the 64 KiB edges so the pointers wrap.
  // DF is set or cleared at random before; a segment override now and then
  // (the segments are flat; CS is not a data segment, so CS: takes the slow
  // path). ESI is put back to a small index afterwards.
  void lea_ptr(uint8_t reg, uint32_t off) {  // lea reg, [ebx + off] (disp32)
    Bytes m = {0x8D, uint8_t(0x80 | (reg << 3) | 3)};
    for (int k = 0; k < 4; ++k) m.push_back(uint8_t(off >> (8 * k)));
    pre.push_back(m);
  }
  uint32_t ptr16() {
    static const uint16_t edges[] = {0xFFFF, 0xFFFE, 0xFFFD, 0x0000, 0x0001, 0x0002};
    uint32_t lo = r.below(8) == 0 ? edges[r.below(6)] : 0x7000 + r.below(0xFF0);
    return (uint32_t(r.next()) & 0xFFFF0000u) | lo;
  }
  Bytes string_op() {
    Bytes b;
    if (r.below(3) == 0) pre.push_back({uint8_t(r.coin() ? 0xFD : 0xFC)});  // STD / CLD
    static const uint8_t seg[] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    if (r.below(4) == 0) b.push_back(seg[r.below(6)]);
    const unsigned op = r.below(6);  // LODS STOS MOVS SCAS CMPS XLAT
    const bool a16 = r.below(4) == 0;
    const unsigned w = r.below(3);   // byte, word, dword
    if (op == 5) {
      if (a16) b.push_back(0x67);    // [BX + AL]: BX is 0, so the low 256 bytes
      b.push_back(0xD7);
      return b;
    }
    const bool src = op != 1 && op != 3, dst = op != 0;
    if (a16) {
      if (src) set_reg(6, ptr16());
      if (dst) set_reg(7, ptr16());
    } else {
      if (src) lea_ptr(6, r.below(0x1FC));
      if (dst) lea_ptr(7, r.below(0x1FC));
    }
    if (src) post.push_back({0xBE, uint8_t(r.below(16)), 0, 0, 0});  // mov esi, small
    if (op != 0 && r.below(3) == 0) {
      // A repeated form (the translator's bulk paths) over a few elements:
      // REP for STOS/MOVS, REPE or REPNE for SCAS/CMPS, eCX set just before.
      set_reg(1, r.below(13));
      b.insert(b.begin(), op <= 2 || r.coin() ? 0xF3 : 0xF2);
    }
    if (w == 1) b.push_back(0x66);
    if (a16) b.push_back(0x67);
    static const uint8_t opc[] = {0xAC, 0xAA, 0xA4, 0xAE, 0xA6};
    b.push_back(uint8_t(opc[op] + (w ? 1 : 0)));
    return b;
  }

  // One instruction of a random kind.
  Bytes one() {
    Bytes b;
    unsigned kind = r.below(20);
    bool w16 = r.below(5) == 0;  // 16-bit operand size
    bool byte = r.below(4) == 0;
    bool mem = r.below(3) == 0;
    if (w16 && kind < 14 && !byte) b.push_back(0x66);
    auto dst_rm = [&](Bytes& x, uint8_t reg) {  // E operand written
      if (mem) rm_mem(x, reg);
      else rm_reg(x, reg, byte ? dst8() : dst32());
    };
    auto src_rm = [&](Bytes& x, uint8_t reg) {  // E operand read
      if (mem) rm_mem(x, reg);
      else rm_reg(x, reg, any());
    };
    unsigned isz = byte ? 1 : w16 ? 2 : 4;
    switch (kind) {
      case 0: case 1: case 2: {  // ALU E,G / G,E
        uint8_t op = uint8_t(r.below(8));
        if (r.coin()) {
          b.push_back(uint8_t(op * 8 + (byte ? 0 : 1)));
          dst_rm(b, any());
        } else {
          b.push_back(uint8_t(op * 8 + (byte ? 2 : 3)));
          src_rm(b, byte ? dst8() : dst32());
        }
        break;
      }
      case 3: {  // ALU E,imm (80/81/83) and AL/eAX,imm
        uint8_t op = uint8_t(r.below(8));
        unsigned f = r.below(3);
        if (f == 0) {
          b.push_back(uint8_t(op * 8 + (byte ? 4 : 5)));
          imm(b, isz);
        } else if (byte) {
          b.push_back(0x80);
          dst_rm(b, op);
          imm(b, 1);
        } else if (f == 1) {
          b.push_back(0x81);
          dst_rm(b, op);
          imm(b, isz);
        } else {
          b.push_back(0x83);
          dst_rm(b, op);
          imm(b, 1);
        }
        break;
      }
      case 4: {  // MOV
        unsigned f = r.below(4);
        if (f == 0) { b.push_back(byte ? 0x88 : 0x89); dst_rm(b, any()); }
        else if (f == 1) { b.push_back(byte ? 0x8A : 0x8B); src_rm(b, byte ? dst8() : dst32()); }
        else if (f == 2) { b.push_back(uint8_t((byte ? 0xB0 : 0xB8) + (byte ? dst8() : dst32()))); imm(b, isz); }
        else { b.push_back(byte ? 0xC6 : 0xC7); dst_rm(b, 0); imm(b, isz); }
        break;
      }
      case 5:  // INC/DEC
        if (!byte && !mem && r.coin()) b.push_back(uint8_t((r.coin() ? 0x40 : 0x48) + dst32()));
        else { b.push_back(byte ? 0xFE : 0xFF); dst_rm(b, uint8_t(r.below(2))); }
        break;
      case 6:  // NOT, NEG, TEST E,imm, MUL/IMUL one-operand
        switch (r.below(4)) {
          case 0: b.push_back(byte ? 0xF6 : 0xF7); dst_rm(b, uint8_t(2 + r.below(2))); break;
          case 1: b.push_back(byte ? 0xF6 : 0xF7); src_rm(b, 0); imm(b, isz); break;
          case 2: b.push_back(byte ? 0x84 : 0x85); src_rm(b, any()); break;
          default: b.push_back(byte ? 0xF6 : 0xF7); src_rm(b, uint8_t(4 + r.below(2))); break;
        }
        break;
      case 7:
      case 17: {  // shifts and rotates (/6 is SHL's alias), by imm8, 1 or CL
        uint8_t op = uint8_t(r.below(8));
        unsigned f = r.below(3);
        if (kind == 17 && !byte && w16) b.push_back(0x66);
        b.push_back(uint8_t((f == 0 ? 0xC0 : f == 1 ? 0xD0 : 0xD2) + (byte ? 0 : 1)));
        if (f == 2 && r.coin()) {  // CL set just before: the interesting counts
          pre.push_back({0xB1, count()});
        }
        dst_rm(b, op);
        if (f == 0) b.push_back(count());
        break;
      }
      case 8: {  // IMUL r, r/m, imm8 / imm16/32 / IMUL r, r/m
        const unsigned izs = !b.empty() && b[0] == 0x66 ? 2 : 4;  // the prefix went in for !byte only
        byte = false;
        if (!mem && r.coin()) {
          // Operands that may or may not overflow: a small source.
          uint8_t src = dst32();
          set_reg(src, r.coin() ? small() : uint32_t(r.next()));
          const bool ib = r.coin();
          b.push_back(ib ? 0x6B : 0x69);
          rm_reg(b, dst32(), src);
          if (ib) b.push_back(uint8_t(r.next()));
          else imm(b, izs);
          break;
        }
        switch (r.below(3)) {
          case 0: b.push_back(0x6B); src_rm(b, dst32()); b.push_back(uint8_t(r.next())); break;
          case 1: b.push_back(0x69); src_rm(b, dst32()); imm(b, izs); break;
          default: b.insert(b.end(), {0x0F, 0xAF}); src_rm(b, dst32()); break;
        }
        break;
      }
      case 18:  // XCHG eAX, r (91-97), NEG, MUL/IMUL into eAX (and eDX) with small operands
        if (w16 && !byte) b.push_back(0x66);
        switch (r.below(3)) {
          case 0: b.push_back(uint8_t(0x90 + kDst32[1 + r.below(4)])); break;  // ECX EDX EBP EDI
          case 1: b.push_back(byte ? 0xF6 : 0xF7); dst_rm(b, 3); break;
          default:
            set_reg(0, r.coin() ? small() : uint32_t(r.next()));
            b.push_back(byte ? 0xF6 : 0xF7);
            src_rm(b, uint8_t(4 + r.below(2)));
            break;
        }
        break;
      case 9:  // LEA
        b.push_back(0x8D);
        mem = true;
        rm_mem(b, dst32());
        break;
      case 10:  // SETcc / CMOVcc
        if (byte) { b.insert(b.end(), {0x0F, uint8_t(0x90 + r.below(16))}); dst_rm(b, 0); }
        else { b.insert(b.end(), {0x0F, uint8_t(0x40 + r.below(16))}); src_rm(b, dst32()); }
        break;
      case 11: {  // MOVZX / MOVSX
        bool wide = r.coin();
        b.insert(b.end(), {0x0F, uint8_t((r.coin() ? 0xB6 : 0xBE) + (wide ? 1 : 0))});
        byte = false;
        if (mem) rm_mem(b, dst32());
        else rm_reg(b, dst32(), any());
        break;
      }
      case 12:  // XCHG, BT*
        if (r.coin()) {
          b.push_back(byte ? 0x86 : 0x87);
          if (mem) rm_mem(b, byte ? dst8() : dst32());
          else rm_reg(b, byte ? dst8() : dst32(), byte ? dst8() : dst32());
        } else {
          b.insert(b.end(), {0x0F, 0xBA});
          byte = false;
          dst_rm(b, uint8_t(4 + r.below(4)));
          b.push_back(uint8_t(r.below(64)));
        }
        break;
      case 16:  // MOV AL/eAX <-> [moffs32] in the data area
        if (w16 && !byte) b.push_back(0x66);
        b.push_back(uint8_t((r.coin() ? 0xA0 : 0xA2) + (byte ? 0 : 1)));
        {
          uint32_t at = kData + r.below(0x1F8);
          for (int k = 0; k < 4; ++k) b.push_back(uint8_t(at >> (8 * k)));
        }
        break;
      case 13: {  // flag instructions and conversions
        static const uint8_t ops[] = {0xF8, 0xF9, 0xF5, 0x98, 0x99, 0x9E, 0x9F};
        b.push_back(ops[r.below(7)]);
        break;
      }
      case 14:  // PUSH r / POP r
        if (r.coin()) b.push_back(uint8_t(0x50 + any()));
        else b.push_back(uint8_t(0x58 + dst32()));
        break;
      case 19:  // string instructions, XLAT
        return string_op();
      default: {  // ALU register-register again: the inline translator's hot set
        uint8_t op = uint8_t(r.below(8));
        b.push_back(uint8_t(op * 8 + (byte ? 0 : 1)));
        rm_reg(b, any(), byte ? dst8() : dst32());
        break;
      }
    }
    return b;
  }
};

}  // namespace

Stream generate(Rng& r, unsigned insns) {
  Stream s;
  Gen g{r, {}, {}};
  for (unsigned k = 0; k < insns; ++k) {
    if (r.below(16) == 0) {
      // Block ends through the stack: CALL to the next instruction and POP,
      // or PUSH of the next address and RET (an indirect exit).
      uint32_t at = uint32_t(s.code.size());
      s.starts.push_back(at);
      if (r.coin()) {
        s.code.insert(s.code.end(), {0xE8, 0, 0, 0, 0});
        s.starts.push_back(at + 5);
        s.code.push_back(uint8_t(0x58 + kDst32[r.below(5)]));
      } else {
        uint32_t next = kCode + at + 6;
        s.code.push_back(0x68);
        for (int b = 0; b < 4; ++b) s.code.push_back(uint8_t(next >> (8 * b)));
        s.starts.push_back(at + 5);
        s.code.push_back(0xC3);
      }
      ++k;
      continue;
    }
    Bytes next = g.one();
    for (const Bytes& p : g.pre) {  // its set-up instructions first
      s.starts.push_back(uint32_t(s.code.size()));
      s.code.insert(s.code.end(), p.begin(), p.end());
      ++k;
    }
    g.pre.clear();
    if (r.below(6) == 0) {
      // A short forward Jcc over the next instruction (or JMP).
      s.starts.push_back(uint32_t(s.code.size()));
      if (r.below(4) == 0) s.code.push_back(0xEB);
      else s.code.push_back(uint8_t(0x70 + r.below(16)));
      s.code.push_back(uint8_t(next.size()));
      s.starts.push_back(uint32_t(s.code.size()));
      s.code.insert(s.code.end(), next.begin(), next.end());
      ++k;
    } else {
      s.starts.push_back(uint32_t(s.code.size()));
      s.code.insert(s.code.end(), next.begin(), next.end());
    }
    for (const Bytes& p : g.post) {  // its clean-up (run even if a Jcc skipped it)
      s.starts.push_back(uint32_t(s.code.size()));
      s.code.insert(s.code.end(), p.begin(), p.end());
      ++k;
    }
    g.post.clear();
  }
  s.code.push_back(0xF4);  // hlt
  for (unsigned k = 0; k < 8; ++k) s.gpr[k] = uint32_t(r.next());
  s.gpr[3] = kData;             // EBX
  s.gpr[4] = 0x8000;            // ESP
  s.gpr[6] = r.below(16);       // ESI
  s.eflags = 0x2 | (uint32_t(r.next()) & 0x8D5);
  s.data.resize(0x200);
  for (auto& d : s.data) d = uint8_t(r.next());
  return s;
}

}  // namespace fuzz
