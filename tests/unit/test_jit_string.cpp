// The string instructions without a repeat prefix and XLAT, inline in the
// translator (jit/inline_string.cpp), against the interpreter
// (tests/unit/jit_twin.h) and against values worked out here: real mode
// with DS and ES apart and SI/DI wrapping at 64 KiB, a word at offset 0xFFFF
// (#GP in real mode), flat 32-bit code with every form (byte/word/dword,
// 16- and 32-bit addressing, DF both ways, a segment with a base, CS: which
// is not a data segment), page faults on either operand, writes into
// translated code, and the --jit switches that turn the emitters off.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/unit/jit_rigs.h"
#include "tests/unit/jit_twin.h"

using namespace cpu;
using xt::le32;
using xt::Side;
using xt::Twin;

namespace {

constexpr uint32_t kCode = Twin::kCode;

// Real mode (xt::real16: CS = 0, code at kCode, DS and ES at `ds` and `es`)
// with an IVT whose #GP (13) vector points at 0000:2000 (a HLT).
void real16_gp_hlt(Twin& t, uint16_t ds, uint16_t es) {
  xt::real16(t, ds, es);
  t.both([&](Side& s) {
    s.mem.write<uint32_t>(13 * 4, 0x2000);
    s.mem.write8(0x2000, 0xF4);
  });
}

uint8_t pds(uint32_t o) { return uint8_t(o * 13 + 1); }     // DS's 64 KiB in the real-mode tests
uint8_t pes(uint32_t o) { return uint8_t(o * 7 + 0x55); }   // ES's
uint8_t pflat(uint32_t p) { return uint8_t(p * 5 + (p >> 8) * 11 + 3); }

void fill(Twin& t, uint32_t base, uint8_t (*f)(uint32_t), uint32_t from, uint32_t to) {
  std::vector<uint8_t> v;
  for (uint32_t o = from; o < to; ++o) v.push_back(f(o));
  t.load(base + from, v);
}

uint16_t w16(uint8_t (*f)(uint32_t), uint32_t o) { return uint16_t(f(o) | f((o + 1) & 0xFFFF) << 8); }

// Run from the state `setup` gives (it must set EIP, ESP, EFLAGS and the
// registers the code reads) twice: the first run fills the soft TLB (a
// first access, and a first write to a page, take the slow path), the
// second counts the translator's handler calls, which it returns. Both runs
// must end in HLT and agree with the interpreter; the programs are such that
// a second run leaves the same results.
template <class F> uint64_t twice(Twin& t, F setup, uint32_t ram = 1u << 20) {
  t.both(setup);
  CHECK(t.run(1000) == Exit::Halted);
  CHECK(t.diff(ram) == "");
  t.both([&](Side& s) {
    s.c.halted = 0;
    setup(s);
  });
  const uint64_t h0 = t.b.jit->helper_calls();
  CHECK(t.run(1000) == Exit::Halted);
  CHECK(t.diff(ram) == "");
  return t.b.jit->helper_calls() - h0;
}

}  // namespace

TEST_CASE("jit string: real mode LODS/STOS/MOVS/XLATB with DS and ES apart, SI and DI wrapping at 64 KiB") {
  const std::vector<uint8_t> code = {
      0xBE, 0xFF, 0xFF,  // mov si, 0xFFFF
      0xBF, 0xFE, 0xFF,  // mov di, 0xFFFE
      0xBB, 0x00, 0x01,  // mov bx, 0x0100
      0xAC,              // lodsb        AL = DS:FFFF, SI = 0
      0xD7,              // xlatb        AL = DS:[0x100 + AL]
      0xAA,              // stosb        ES:FFFE, DI = FFFF
      0xAA,              // stosb        ES:FFFF, DI = 0 (wraps)
      0xAD,              // lodsw        AX = DS:0, SI = 2
      0xAB,              // stosw        ES:0, DI = 2
      0xA5,              // movsw        ES:2 = DS:2, SI = DI = 4
      0x26, 0xAC,        // es lodsb     AL = ES:4, SI = 5
      0xFD,              // std
      0xA4,              // movsb        ES:4 = DS:5, SI = 4, DI = 3
      0x66, 0xAD,        // lodsd        EAX = DS:4..7, SI = 0
      0xAD,              // lodsw        AX = DS:0, SI = FFFE (wraps down)
      0xAC,              // lodsb        AL = DS:FFFE, SI = FFFD
      0x89, 0xC2,        // mov dx, ax
      0xFC,              // cld
      0xBB, 0xF0, 0xFF,  // mov bx, 0xFFF0
      0xB0, 0x20,        // mov al, 0x20
      0xD7,              // xlatb        AL = DS:[(0xFFF0 + 0x20) & 0xFFFF] = DS:0x10
      0xF4};
  const unsigned kStrings = 13;
  uint64_t calls[2];
  for (int inl = 0; inl < 2; ++inl) {
    CAPTURE(inl);
    Twin t(inl ? "" : "no-inline-mem");
    real16_gp_hlt(t, 0x3000, 0x2000);
    fill(t, 0x30000, pds, 0, 0x10000);
    fill(t, 0x20000, pes, 0, 0x10000);
    t.load(kCode, code);
    calls[inl] = twice(
        t,
        [](Side& s) {
          s.c.eip = kCode;
          s.c.eflags = 2;
          s.c.gpr[ESP] = 0x0800;
          s.c.gpr[ESI] = 0xABCD0000;
          s.c.gpr[EDI] = 0x12340000;
          s.c.gpr[EAX] = 0x55660000;
        },
        0x60000);
    const Cpu& c = t.b.c;
    CHECK(c.gpr[ESI] == 0xABCDFFFD);  // the upper halves kept
    CHECK(c.gpr[EDI] == 0x12340003);
    const uint8_t x = pds(0x100 + pds(0xFFFF));  // lodsb, xlatb
    CHECK(t.b.mem.read8(0x2FFFE) == x);
    CHECK(t.b.mem.read8(0x2FFFF) == x);
    CHECK(t.b.mem.read<uint16_t>(0x20000) == w16(pds, 0));
    CHECK(t.b.mem.read<uint16_t>(0x20002) == w16(pds, 2));
    CHECK(t.b.mem.read8(0x20004) == pds(5));
    CHECK((c.gpr[EDX] & 0xFFFF) == ((w16(pds, 0) & 0xFF00) | pds(0xFFFE)));
    CHECK(c.gpr[EAX] == (uint32_t(w16(pds, 6)) << 16 | (w16(pds, 0) & 0xFF00) | pds(0x10)));
  }
  CHECK(calls[1] == 3);  // STD, CLD, HLT
  CHECK(calls[0] - calls[1] == kStrings);
}

TEST_CASE("jit string: a word at offset 0xFFFF in real mode raises #GP with SI/DI untouched") {
  for (uint8_t op : {0xAD, 0xAB, 0xA5}) {  // lodsw (SI), stosw (DI), movsw (DI)
    CAPTURE(int(op));
    Twin t;
    real16_gp_hlt(t, 0x3000, 0x2000);
    fill(t, 0x30000, pds, 0, 0x10000);
    t.load(kCode, {0xBE, uint8_t(op == 0xAD ? 0xFF : 0x10), uint8_t(op == 0xAD ? 0xFF : 0x00),  // mov si, ..
                   0xBF, 0xFF, 0xFF,                                                                // mov di, 0xFFFF
                   op, 0xF4});
    CHECK(t.run(1000) == Exit::Halted);
    CHECK(t.diff(0x60000) == "");
    CHECK(t.b.c.eip == 0x2001);                                  // the #GP vector's HLT
    CHECK(t.b.mem.read<uint16_t>(0x07FA) == uint16_t(kCode + 6));  // the faulting instruction
    CHECK((t.b.c.gpr[EDI] & 0xFFFF) == 0xFFFF);
  }
}

namespace {

// The start of a flat run: EIP, ESP, EFLAGS and the string registers.
void flat_start(Side& s, uint32_t esi, uint32_t edi) {
  s.c.eip = kCode;
  s.c.gpr[ESP] = 0x8000;
  s.c.eflags = 2;
  s.c.gpr[ESI] = esi;
  s.c.gpr[EDI] = edi;
}

// Flat 32-bit: FS has base 0x10000 (a segment that is not flat, so its limit
// is tested and its base added); the data at 0x7000.. (16-bit addressing)
// and 0x20000.. / 0x30000.. (32-bit).
void flat_data(Twin& t) {
  t.flat32();
  t.both([](Side& s) {
    s.c.seg[FS].base = 0x10000;
    s.c.seg[FS].limit = 0xFFFFF;
  });
  fill(t, 0, pflat, 0x7000, 0x7400);
  fill(t, 0, pflat, 0x20000, 0x20400);
  fill(t, 0, pflat, 0x30000, 0x30400);
  std::vector<uint8_t> same;  // the first bytes at 0x30100 equal those at 0x20100: CMPS finds them equal
  for (uint32_t p = 0x20100; p < 0x20103; ++p) same.push_back(pflat(p));
  t.load(0x30100, same);
}

}  // namespace

TEST_CASE("jit string: flat 32-bit, every form: byte/word/dword, 16/32-bit addressing, DF both ways, overrides") {
  const uint8_t ops[] = {0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF};
  int cases = 0;
  for (uint8_t op : ops)
    for (int o16 = 0; o16 < ((op & 1) ? 2 : 1); ++o16)
      for (int a16 = 0; a16 < 2; ++a16)
        for (int df = 0; df < 2; ++df)
          for (uint8_t seg : {uint8_t(0), uint8_t(0x64), uint8_t(0x2E)}) {
            CAPTURE(int(op));
            CAPTURE(o16);
            CAPTURE(a16);
            CAPTURE(df);
            CAPTURE(int(seg));
            Twin t("", 1u << 20);
            flat_data(t);
            std::vector<uint8_t> one;
            if (seg) one.push_back(seg);
            if (o16) one.push_back(0x66);
            if (a16) one.push_back(0x67);
            one.push_back(op);
            std::vector<uint8_t> code = {uint8_t(df ? 0xFD : 0xFC)};
            for (int k = 0; k < 3; ++k) code.insert(code.end(), one.begin(), one.end());
            code.insert(code.end(), {0xFC, 0xF4});
            t.load(kCode, code);
            // FS: adds 0x10000, so the source is 0x30100 (or 0x17100) there.
            const uint64_t calls = twice(t, [&](Side& s) {
              flat_start(s, a16 ? 0xABCD7100 : 0x20100, a16 ? 0x12347200 : 0x30100);
              // SCAS: the first bytes equal to those at 0x30100 (ZF = 1 at first).
              s.c.gpr[EAX] = op == 0xAE || op == 0xAF ? 0x11000000u | pflat(0x20100) | pflat(0x20101) << 8 |
                                                            pflat(0x20102) << 16
                                                      : 0x8C4B2A19;
            });
            const unsigned w = (op & 1) ? (o16 ? 2 : 4) : 1;
            const uint32_t step = df ? uint32_t(-3 * int32_t(w)) : 3 * w;
            const bool si = op <= 0xA7 || op == 0xAC || op == 0xAD, di = op <= 0xAB || op >= 0xAE;
            const uint32_t mask = a16 ? 0xFFFF : ~0u;
            const Cpu& c = t.b.c;
            const uint32_t esi0 = a16 ? 0xABCD7100 : 0x20100, edi0 = a16 ? 0x12347200 : 0x30100;
            CHECK(c.gpr[ESI] == (si ? (esi0 & ~mask) | ((esi0 + step) & mask) : esi0));
            CHECK(c.gpr[EDI] == (di ? (edi0 & ~mask) | ((edi0 + step) & mask) : edi0));
            // STD/CLD, CLD, HLT call handlers; the string instructions only
            // when their source is CS: (a code segment: the slow path).
            CHECK(calls == (seg == 0x2E && si ? 6u : 3u));
            ++cases;
          }
  CHECK(cases == 180);
}

TEST_CASE("jit string: values, step and flags of each kind in flat code") {
  Twin t;
  flat_data(t);
  t.load(kCode, {0xAC,              // lodsb      AL = [0x20100]
                 0x66, 0xAB,        // stosw      [0x30100] = AX
                 0xFD,              // std
                 0xA5,              // movsd      [0x30102] = [0x20101]
                 0xAF,              // scasd      EAX - [0x300FE]
                 0x9C,              // pushfd
                 0xFC,              // cld
                 0x64, 0xA6,        // cmpsb      FS:[0x200FD] = [0x300FD] vs [0x300FA]
                 0x9C,              // pushfd
                 0xF4});
  const uint64_t calls = twice(t, [](Side& s) {
    flat_start(s, 0x20100, 0x30100);
    s.c.gpr[EAX] = 0x01020304;
  });
  const Cpu& c = t.b.c;
  const uint32_t al = pflat(0x20100);
  CHECK(c.gpr[EAX] == (0x01020300 | al));
  CHECK(t.b.mem.read<uint16_t>(0x30100) == (0x0300 | al));
  uint32_t moved = 0;
  for (int k = 3; k >= 0; --k) moved = moved << 8 | pflat(0x20101 + k);
  CHECK(t.b.mem.read<uint32_t>(0x30102) == moved);
  CHECK(c.gpr[ESI] == 0x200FD + 1);
  CHECK(c.gpr[EDI] == 0x300FA + 1);
  const uint32_t scas = t.b.mem.read<uint32_t>(0x8000 - 4), cmps = t.b.mem.read<uint32_t>(0x8000 - 8);
  const uint32_t d = t.b.mem.read<uint32_t>(0x300FE);
  CHECK(((scas & CF) != 0) == (c.gpr[EAX] < d));
  CHECK(((scas & ZF) != 0) == (c.gpr[EAX] == d));
  const uint8_t a = t.b.mem.read8(0x300FD), b = t.b.mem.read8(0x300FA);
  CHECK(((cmps & CF) != 0) == (a < b));
  CHECK(((cmps & SF) != 0) == (((a - b) & 0x80) != 0));
  CHECK(calls == 5);  // STD, PUSHFD x2, CLD, HLT
}

TEST_CASE("jit string: MOVS and CMPS with every host register taken by the register cache") {
  // Seven guest registers used twice or more: the pool (rsi rdi r8-r11) is
  // full and MOVS/CMPS hold their first element in xmm0; without the
  // register cache, in a free pool register. (No byte forms: the register
  // plan keeps EAX/EDX out of host registers for A4/A6, whose opcode bits
  // look like a high-byte register.)
  const std::vector<uint8_t> code = {
      0xB8, 1, 0, 0, 0, 0xB9, 2, 0, 0, 0, 0xBA, 3, 0, 0, 0, 0xBB, 4, 0, 0, 0, 0xBD, 5, 0, 0, 0,  // mov eax..ebp
      0xBE, 0x00, 0x01, 0x02, 0x00,  // mov esi, 0x20100
      0xBF, 0x00, 0x01, 0x03, 0x00,  // mov edi, 0x30100
      0x01, 0xC8, 0x01, 0xD1, 0x01, 0xDA, 0x01, 0xEB, 0x01, 0xC5,  // add eax,ecx ; ecx,edx ; edx,ebx ; ebx,ebp ; ebp,eax
      0xA5,        // movsd
      0xA7,        // cmpsd
      0x66, 0xA7,  // cmpsw
      0x66, 0xA5,  // movsw
      0x01, 0xF0, 0x01, 0xF9,  // add eax, esi ; add ecx, edi
      0xF4};
  for (std::string spec : {"", "no-reg-cache", "no-flag-elision"}) {
    CAPTURE(spec);
    Twin t(spec);
    flat_data(t);
    t.load(kCode, code);
    const uint64_t calls = twice(t, [](Side& s) {
      s.c.eip = kCode;
      s.c.gpr[ESP] = 0x8000;
      s.c.eflags = 2;
    });
    CHECK(t.b.mem.read<uint32_t>(0x30100) == t.b.mem.read<uint32_t>(0x20100));
    CHECK(t.b.mem.read<uint16_t>(0x3010A) == (pflat(0x2010A) | pflat(0x2010B) << 8));
    CHECK(t.b.c.gpr[ESI] == 0x2010C);
    CHECK(calls == 1);  // HLT
  }
}

TEST_CASE("jit string: a page fault on either operand restarts the instruction with ESI/EDI untouched") {
  // Pages 0x200000 and 0x201000 are not present; the #PF handler makes the
  // page of CR2 present, counts in [0x4000] and returns.
  const uint32_t handler = 0x3000;
  Twin t;
  t.flat32();
  t.paged(handler, [](Side& s) {
    s.mem.write<uint32_t>(Twin::kPt + 4 * 0x201, 0x201000 | 2);
    s.mem.write<uint32_t>(0x201000, 0xCAFEF00D);
    s.mem.write<uint32_t>(0x20000, 0x11223344);
    s.mem.write<uint32_t>(0x20004, 0x55667788);
  });
  std::vector<uint8_t> h = {0x50, 0x0F, 0x20, 0xD0, 0xC1, 0xE8, 0x0C,  // push eax ; mov eax, cr2 ; shr eax, 12
                            0x83, 0x0C, 0x85};                          // or dword [eax*4 + kPt], 1
  le32(h, Twin::kPt);
  h.insert(h.end(), {0x01, 0xFF, 0x05});  // inc dword [0x4000]
  le32(h, 0x4000);
  h.insert(h.end(), {0x58, 0x83, 0xC4, 0x04, 0xCF});  // pop eax ; add esp, 4 ; iretd
  t.load(handler, h);
  t.load(kCode, {0xBE, 0x00, 0x00, 0x02, 0x00,  // mov esi, 0x20000
                 0xBF, 0x00, 0x00, 0x20, 0x00,  // mov edi, 0x200000 (not present)
                 0x46, 0x4E,                    // inc esi ; dec esi (ESI dirty in its host register)
                 0x8B, 0x0E,                    // mov ecx, [esi]: the source's page in the soft TLB
                 0xA5,                          // movsd: #PF on the destination, the source passed
                 0xA5,                          // movsd
                 0xBE, 0x00, 0x10, 0x20, 0x00,  // mov esi, 0x201000 (not present)
                 0xAD,                          // lodsd: #PF on the source
                 0xAB,                          // stosd
                 0xF4});
  CHECK(t.run(1000) == Exit::Halted);
  CHECK(t.diff(0x210000) == "");
  const Cpu& c = t.b.c;
  CHECK(t.b.mem.read<uint32_t>(0x4000) == 2);
  CHECK(c.cr[2] == 0x201000);
  CHECK(t.b.mem.read<uint32_t>(0x200000) == 0x11223344);
  CHECK(t.b.mem.read<uint32_t>(0x200004) == 0x55667788);
  CHECK(t.b.mem.read<uint32_t>(0x200008) == 0xCAFEF00D);
  CHECK(c.gpr[EAX] == 0xCAFEF00D);
  CHECK(c.gpr[ESI] == 0x201004);
  CHECK(c.gpr[EDI] == 0x20000C);
  CHECK(t.b.jit->jit_stats().faults == 2);
}

TEST_CASE("jit string: STOS and MOVS into translated code are seen at the next instruction") {
  // mov edi, kCode+9 ; mov al, 9 ; stosb ; mov cl, 5 (its immediate at kCode+9) ;
  // mov esi, src ; mov edi, kCode+0x15 ; movsd (over the next four bytes) ; nop x4 ; hlt
  std::vector<uint8_t> code = {0xBF};
  le32(code, kCode + 9);
  code.insert(code.end(), {0xB0, 0x09, 0xAA, 0xB1, 0x05, 0xBE});
  le32(code, 0x20000);
  code.push_back(0xBF);
  le32(code, kCode + 0x15);
  code.insert(code.end(), {0xA5, 0x90, 0x90, 0x90, 0x90, 0xF4});
  REQUIRE(code.size() == 0x1A);
  for (std::string spec : {"", "no-reg-cache"}) {
    CAPTURE(spec);
    Twin t(spec);
    t.flat32();
    t.load(0x20000, {0xB2, 0x07, 0x90, 0x90});  // mov dl, 7 ; nop ; nop
    t.load(kCode, code);
    t.both([](Side& s) { s.c.gpr[EDX] = 0; });
    CHECK(t.run(1000) == Exit::Halted);
    CHECK(t.diff() == "");
    CHECK((t.b.c.gpr[ECX] & 0xFF) == 9);
    CHECK(t.b.c.gpr[EDX] == 7);
    CHECK(t.b.jit->jit_stats().invalidations >= 2);
  }
}

TEST_CASE("jit string: a read-only ES and a DS limit send STOS and LODS to the handler's #GP") {
  for (int which = 0; which < 2; ++which) {
    CAPTURE(which);
    Twin t;
    t.flat32();
    t.both([&](Side& s) {
      if (which == 0) s.c.seg[ES].attr &= ~SEG_RW;  // read-only data: STOS faults
      else {
        s.c.seg[DS].limit = 0x20FFF;  // byte-granular: the dword at 0x20FFE crosses it
        s.c.seg[DS].attr &= ~SEG_G;
      }
      s.c.gpr[ESI] = 0x20FFE;
      s.c.gpr[EDI] = 0x20000;
    });
    t.load(kCode, {0x46, 0x4E, uint8_t(which == 0 ? 0xAB : 0xAD), 0xF4});  // inc esi ; dec esi ; stosd/lodsd
    CHECK(t.run(1000) == Exit::Shutdown);  // no IDT: #GP becomes a shutdown in both
    CHECK(t.diff() == "");
  }
}

TEST_CASE("jit string: the switches turn the emitters off; REP forms are never inline here") {
  // lodsb stosb movsb xlatb scasb cmpsb, then rep stosb, hlt.
  const std::vector<uint8_t> code = {0xAC, 0xAA, 0xA4, 0xD7, 0xAE, 0xA6, 0xF3, 0xAA, 0xF4};
  struct Want {
    std::string spec;
    uint64_t calls;
  };
  for (const Want& w : {Want{"", 2}, Want{"no-emit=mov", 6}, Want{"no-emit=cmp", 4}, Want{"no-inline-mem", 8},
                        Want{"no-inline", 8}}) {
    CAPTURE(w.spec);
    Twin t(w.spec);
    flat_data(t);
    t.load(kCode, code);
    const uint64_t calls = twice(t, [](Side& s) {
      flat_start(s, 0x20100, 0x30100);
      s.c.gpr[EBX] = 0x20000;
      s.c.gpr[ECX] = 5;
    });
    CHECK(calls == w.calls);
    CHECK(t.b.c.gpr[EDI] == 0x30104 + 5);
  }
}
