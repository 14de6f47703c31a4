// The inline emitters of jit/inline_arith.cpp and jit/inline_shift.cpp
// against the interpreter, form by form: every shift and rotate encoding at
// every width and count (register, memory, CL as its own destination),
// IMUL/MUL, NEG, XCHG, and SETcc/CMOVcc with a memory operand under every
// flag combination. Each case runs once with the guest's flags in CpuState
// and once with them live in host RFLAGS (after an inline ADD); the whole
// state, EFLAGS included, must agree. A few cases check exact values, and the
// translator must run the forms without handler calls.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/unit/jit_twin.h"

using namespace cpu;
using xt::Side;
using xt::Twin;

namespace {

using Bytes = std::vector<uint8_t>;
constexpr uint32_t kData = 0x20000;  // EBX; memory operands are [ebx+disp8]

struct Runner {
  Twin t;
  Bytes data;
  uint64_t helpers = 0;  // the translator's handler calls in the last run (HLT is one)

  explicit Runner(const std::string& spec = "") : t("smc-interp=0," + spec) {
    t.flat32();
    for (unsigned k = 0; k < 0x100; ++k) data.push_back(uint8_t(k * 0x9D + 0x35));
  }

  // `code` + HLT from the registers `r` (EBX and ESP are set here) and
  // `eflags`; "" if both engines end in the same state, else what differs.
  std::string run(const Bytes& code, const uint32_t (&r)[8], uint32_t eflags) {
    Bytes c = code;
    c.push_back(0xF4);
    t.load(Twin::kCode, c);
    t.load(kData, data);
    t.both([&](Side& s) {
      for (unsigned k = 0; k < 8; ++k) s.c.gpr[k] = r[k];
      s.c.gpr[EBX] = kData;
      s.c.gpr[ESP] = 0x8000;
      s.c.eip = Twin::kCode;
      s.c.eflags = eflags;
      s.c.halted = 0;
      s.c.events = 0;
    });
    uint64_t h0 = t.b.jit->helper_calls();
    if (t.run(1000) != Exit::Halted) return "did not halt";
    helpers = t.b.jit->helper_calls() - h0;
    std::string d = t.diff(0);
    for (uint32_t p = kData; p < kData + 0x100 && d.empty(); ++p)
      if (t.a.mem.read8(p) != t.b.mem.read8(p)) d = "data byte " + std::to_string(p - kData);
    return d;
  }
  uint32_t mem32(uint32_t off) const { return t.b.mem.read<uint32_t>(kData + off); }
};

std::string hex(const Bytes& b) {
  std::string s;
  char buf[4];
  for (uint8_t x : b) {
    std::snprintf(buf, sizeof buf, "%02X ", x);
    s += buf;
  }
  return s;
}

// `add ebp, edi`: the flags of EBP + EDI live in host RFLAGS afterwards.
const Bytes kFlagsToHost = {0x01, 0xFD};

// Runs `insn` from each register set and flag preset, with and without the
// prefix that leaves the flags in the host: "" if every run agrees, else the
// first difference.
std::string differ(Runner& rn, const Bytes& insn, const std::vector<std::array<uint32_t, 8>>& regs,
                   const std::vector<uint32_t>& flag_presets) {
  for (const auto& rs : regs) {
    uint32_t r[8];
    for (unsigned k = 0; k < 8; ++k) r[k] = rs[k];
    for (uint32_t fl : flag_presets)
      for (bool host : {false, true}) {
        Bytes code = host ? kFlagsToHost : Bytes{};
        code.insert(code.end(), insn.begin(), insn.end());
        std::string d = rn.run(code, r, fl);
        if (!d.empty()) {
          char buf[80];
          std::snprintf(buf, sizeof buf, " from eflags %03X ECX %08X EDX %08X: ", fl, r[ECX], r[EDX]);
          return hex(code) + buf + d;
        }
      }
  }
  return "";
}

std::vector<std::array<uint32_t, 8>> value_sets() {
  // EAX ECX EDX EBX ESP EBP ESI EDI; EBP + EDI gives the host flags.
  return {{0x12345678, 0x00000005, 0x80000001, 0, 0, 0x7FFFFFFF, 0, 0x00000001},
          {0xFFFFFF80, 0x000000E3, 0x4000C0FF, 0, 0, 0x00000000, 0, 0x00000000},
          {0x00000001, 0x00000011, 0x00008000, 0, 0, 0xFFFFFFFF, 0, 0x00000001},
          {0xCAFEBABE, 0x00000020, 0x000000FF, 0, 0, 0x80000000, 0, 0x80000000}};
}

const std::vector<uint32_t> kFlagPresets = {0x002, 0x8D7};

}  // namespace

TEST_CASE("jit arith: shifts and rotates agree with the interpreter at every width, count and operand") {
  Runner rn;
  const uint8_t counts[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17,
                            18, 19, 20, 23, 24, 25, 26, 27, 30, 31, 32, 33, 34, 41, 63, 64, 0x80, 0xFF};
  auto values = value_sets();
  for (unsigned op = 0; op < 8; ++op)
    for (unsigned w : {1u, 2u, 4u})
      for (unsigned enc = 0; enc < 3; ++enc)  // imm8, 1, CL
        for (unsigned opnd = 0; opnd < 3; ++opnd) {  // EDX (DH for bytes), ECX/CL itself, [ebx+0x1D]
          for (uint8_t cnt : counts) {
            if (enc == 1 && cnt != 1) continue;
            Bytes insn;
            if (w == 2) insn.push_back(0x66);
            insn.push_back(uint8_t((enc == 0 ? 0xC0 : enc == 1 ? 0xD0 : 0xD2) + (w == 1 ? 0 : 1)));
            uint8_t rm = opnd == 0 ? (w == 1 ? 6 : 2) : 1;
            if (opnd == 2) insn.insert(insn.end(), {uint8_t(0x43 | op << 3), 0x1D});
            else insn.push_back(uint8_t(0xC0 | op << 3 | rm));
            if (enc == 0) insn.push_back(cnt);
            for (auto& v : values)
              if (enc == 2) v[ECX] = (v[ECX] & ~0xFFu) | cnt;
            CHECK(differ(rn, insn, values, kFlagPresets) == "");
          }
        }
}

TEST_CASE("jit arith: shift and rotate values and flags, and no handler calls") {
  Runner rn;
  uint32_t r[8] = {0x80000001, 3, 0, 0, 0, 0, 0, 0};
  rn.run({0xD1, 0xC0}, r, 0x002);  // rol eax, 1
  CHECK(rn.t.b.c.gpr[EAX] == 0x00000003);
  CHECK((rn.t.b.c.eflags & 0x8D5) == (CF | OF));  // OF = MSB ^ CF = 0 ^ 1
  CHECK(rn.helpers == 1);                         // HLT only
  rn.run({0xD3, 0xE0}, r, 0x002);                 // shl eax, cl (3)
  CHECK(rn.t.b.c.gpr[EAX] == 0x00000008);
  CHECK((rn.t.b.c.eflags & 0x8D5) == (OF));  // CF = bit 29 = 0; OF = bit 31 ^ bit 30 of the operand
  r[EAX] = 0x7F81;
  r[ECX] = 16;
  rn.run({0x66, 0xD3, 0xE0}, r, 0x002);  // shl ax, cl (16): all out, CF = bit 0
  CHECK(rn.t.b.c.gpr[EAX] == 0);
  CHECK((rn.t.b.c.eflags & 0x8D5) == (CF | ZF | PF | OF));
  r[ECX] = 17;
  rn.run({0x66, 0xD3, 0xE8}, r, 0x003);  // shr ax, cl (17): CF = 0, OF = MSB = 0
  CHECK((rn.t.b.c.eflags & 0x8D5) == (ZF | PF));
  rn.run({0xC0, 0x7B, 0x10, 0x04}, r, 0x8D7);  // sar byte [ebx+0x10], 4
  CHECK(rn.t.b.mem.read8(kData + 0x10) == uint8_t(int8_t(rn.data[0x10]) >> 4));
  // A count of 0 (CL = 0x20) changes nothing, flags included.
  r[ECX] = 0x20;
  CHECK(rn.run({0xD3, 0xE0}, r, 0x8D7) == "");
  CHECK(rn.t.b.c.eflags == 0x8D7);
  CHECK(rn.t.b.c.gpr[EAX] == 0x7F81);
  CHECK(rn.run({0x01, 0xFD, 0xD3, 0xC0}, r, 0x8D7) == "");  // add ebp, edi ; rol eax, cl: host flags kept
  CHECK(rn.helpers == 1);
  // The same forms with the emitters switched off call their handlers.
  Runner off("no-emit=shift,no-emit=rotate");
  off.run({0xD1, 0xC0}, r, 0x002);
  CHECK(off.helpers == 2);
  off.run({0xD3, 0xE0}, r, 0x002);
  CHECK(off.helpers == 2);
}

TEST_CASE("jit arith: IMUL and MUL, every form, with and without overflow") {
  Runner rn;
  std::vector<std::array<uint32_t, 8>> values = {
      {0x00010000, 0x00010000, 0x00000003, 0, 0, 1, 0, 1},          // 32-bit overflow, zero product
      {0xFFFFFFFF, 0x00000007, 0xFFFFFFF9, 0, 0, 0, 0, 0},          // small negatives
      {0x0000FF80, 0x00000081, 0x7FFFFFFF, 0, 0, 0x7FFFFFFF, 0, 1},  // bytes/words at the edges
      {0x12345678, 0x9ABCDEF0, 0x00000100, 0, 0, 0xFFFFFFFF, 0, 1},
      {0x00000000, 0x80000000, 0xFFFF8000, 0, 0, 0, 0, 0}};
  std::vector<Bytes> forms;
  for (bool w16 : {false, true}) {
    Bytes p = w16 ? Bytes{0x66} : Bytes{};
    auto add = [&](Bytes b) {
      b.insert(b.begin(), p.begin(), p.end());
      forms.push_back(b);
    };
    add({0x0F, 0xAF, 0xC1});                    // imul eax, ecx
    add({0x0F, 0xAF, 0xD2});                    // imul edx, edx
    add({0x0F, 0xAF, 0x43, 0x10});              // imul eax, [ebx+0x10]
    add({0x6B, 0xD1, 0x83});                    // imul edx, ecx, -125
    add({0x6B, 0x43, 0x21, 0x7F});              // imul eax, [ebx+0x21], 127
    if (w16) add({0x69, 0xC2, 0x34, 0x92});     // imul ax, dx, 0x9234
    else add({0x69, 0xC2, 0x34, 0x12, 0x00, 0x80});  // imul eax, edx, 0x80001234
    add({0xF7, 0xE9});                          // imul ecx
    add({0xF7, 0xE1});                          // mul ecx
    add({0xF7, 0x6B, 0x08});                    // imul dword [ebx+8]
    add({0xF7, 0x63, 0x0C});                    // mul dword [ebx+12]
  }
  for (Bytes b : {Bytes{0xF6, 0xE9}, Bytes{0xF6, 0xE1}, Bytes{0xF6, 0xEC}, Bytes{0xF6, 0x6B, 0x05}, Bytes{0xF6, 0x63, 0x06}})
    forms.push_back(b);  // imul cl, mul cl, imul ah, imul/mul byte [ebx+n]
  for (const Bytes& f : forms) CHECK(differ(rn, f, values, kFlagPresets) == "");

  uint32_t r[8] = {0x00010000, 0x00010000, 0, 0, 0, 0, 0, 0};
  rn.run({0x0F, 0xAF, 0xC1}, r, 0x8D7);  // imul eax, ecx: 2^32 -> 0, overflow
  CHECK(rn.t.b.c.gpr[EAX] == 0);
  CHECK((rn.t.b.c.eflags & 0x8D5) == (CF | OF | PF));  // SF, PF of the low half; ZF = AF = 0
  CHECK(rn.helpers == 1);
  r[EAX] = 0xFFFFFFFD;
  r[ECX] = 5;
  rn.run({0xF7, 0xE9}, r, 0x002);  // imul ecx: -15 fits
  CHECK(rn.t.b.c.gpr[EAX] == 0xFFFFFFF1);
  CHECK(rn.t.b.c.gpr[EDX] == 0xFFFFFFFF);
  CHECK((rn.t.b.c.eflags & 0x8D5) == (SF));
  rn.run({0xF7, 0xE1}, r, 0x002);  // mul ecx: 5 * 0xFFFFFFFD needs EDX
  CHECK(rn.t.b.c.gpr[EDX] == 4);
  CHECK((rn.t.b.c.eflags & 0x8D5) == (CF | OF | SF));
}

TEST_CASE("jit arith: NEG and XCHG") {
  Runner rn;
  std::vector<std::array<uint32_t, 8>> values = {{0, 0x80, 0x80000000, 0, 0, 0, 0, 0},
                                                 {0x8000, 1, 0xFFFFFFFF, 0, 0, 5, 0x20, 7},
                                                 {0x12345678, 0x9ABCDEF0, 0x10, 0, 0, 0xFFFFFFFF, 3, 1}};
  const Bytes forms[] = {
      {0xF7, 0xD8}, {0x66, 0xF7, 0xD8}, {0xF6, 0xD9}, {0xF6, 0xDC}, {0xF7, 0x5B, 0x10}, {0xF6, 0x5B, 0x11},  // NEG
      {0x87, 0xD0}, {0x87, 0xC0}, {0x66, 0x87, 0xCA}, {0x86, 0xE1}, {0x86, 0xF4}, {0x86, 0xE4},            // XCHG r, r
      {0x87, 0x53, 0x10}, {0x66, 0x87, 0x4B, 0x13}, {0x86, 0x63, 0x17},                                      // XCHG [m], r
      {0x91}, {0x92}, {0x97}, {0x66, 0x95}};                                                               // XCHG eAX, r
  for (const Bytes& f : forms) CHECK(differ(rn, f, values, kFlagPresets) == "");
  uint32_t r[8] = {0, 0, 0x80000000, 0, 0, 0, 0, 0};
  rn.run({0xF7, 0xDA}, r, 0x002);  // neg edx
  CHECK(rn.t.b.c.gpr[EDX] == 0x80000000);
  CHECK((rn.t.b.c.eflags & 0x8D5) == (CF | OF | SF | PF));
  rn.run({0x86, 0x63, 0x10}, r, 0x002);  // xchg [ebx+0x10], ah
  CHECK(rn.t.b.mem.read8(kData + 0x10) == 0);
  CHECK(rn.helpers == 1);
}

TEST_CASE("jit arith: SETcc and CMOVcc with a memory operand, under every flag combination") {
  Runner rn;
  std::vector<uint32_t> presets;
  for (uint32_t k = 0; k < 64; ++k) {
    static const uint32_t bits[] = {CF, PF, AF, ZF, SF, OF};
    uint32_t f = 0x002;
    for (unsigned b = 0; b < 6; ++b)
      if (k & (1u << b)) f |= bits[b];
    presets.push_back(f);
  }
  std::vector<std::array<uint32_t, 8>> values = {{0x11111111, 0x22222222, 0x33333333, 0, 0, 0x7FFFFFFF, 0, 1},
                                                 {0x11111111, 0x22222222, 0x33333333, 0, 0, 0xFFFFFFFE, 0, 2}};
  for (unsigned cc = 0; cc < 16; ++cc) {
    CHECK(differ(rn, {0x0F, uint8_t(0x90 + cc), 0x43, 0x12}, values, presets) == "");        // setcc [ebx+0x12]
    CHECK(differ(rn, {0x0F, uint8_t(0x40 + cc), 0x53, 0x14}, values, presets) == "");        // cmovcc edx, [ebx+0x14]
    CHECK(differ(rn, {0x66, 0x0F, uint8_t(0x40 + cc), 0x4B, 0x15}, values, presets) == "");  // cmovcc cx, [ebx+0x15]
  }
  uint32_t r[8] = {0, 0, 0x33333333, 0, 0, 0, 0, 0};
  rn.run({0x0F, 0x44, 0x53, 0x14}, r, 0x002 | ZF);  // cmovz edx, [ebx+0x14]: taken
  CHECK(rn.t.b.c.gpr[EDX] == rn.mem32(0x14));
  CHECK(rn.helpers == 1);
  rn.run({0x0F, 0x45, 0x53, 0x14}, r, 0x002 | ZF);  // cmovnz: not taken, EDX kept
  CHECK(rn.t.b.c.gpr[EDX] == 0x33333333);
  rn.run({0x0F, 0x9C, 0x43, 0x12}, r, 0x002 | OF);  // setl [ebx+0x12]: SF != OF
  CHECK(rn.t.b.mem.read8(kData + 0x12) == 1);
  CHECK(rn.helpers == 1);
}
