// The instruction table (DESIGN.md principle 1).
//
// One row per mnemonic x operand form, written in Intel SDM notation
// ("ADD Ev,Gv"). A row binds an encoding (opcode map, opcode, optional ModRM.reg)
// and the Zydis mnemonic that encoding must decode to, to a reference handler
// for each operand size and to the attributes the interpreter and the
// translator need. Rows are defined per instruction family in cpu/table/*.inc,
// each included at the bottom of the family's handler file cpu/ops/*.cpp, so a
// row whose handler does not exist does not compile.
//
// Decoding an encoding that has no row (or whose mnemonic differs from the
// row's, e.g. a mandatory-prefix SSE form) is #UD: nothing is ever executed
// as something else.
#pragma once
#include <cstdint>
#include <span>

#include "cpu/decode.h"

namespace cpu {

// Operand-size class of a row (SDM operand notation).
enum class Size : uint8_t {
  B,  // byte:  handler<uint8_t>
  V,  // word or dword by operand size: handler<uint16_t> / handler<uint32_t>
  W,  // always word: handler<uint16_t>
  D,  // always dword: handler<uint32_t>
  N,  // size does not matter: handler<uint32_t>
};

// Row attributes.
enum Attr : uint32_t {
  A_NONE = 0,
  A_END = 1u << 0,      // ends a basic block (control transfer, HLT, ...)
  A_FAULT = 1u << 1,    // may fault beyond memory-operand faults (#DE, #GP, #UD ...)
  A_PRIV = 1u << 2,     // privileged (CPL 0 only)
  A_MODE = 1u << 3,     // may change a mode bit that is part of the block key
  A_IO = 1u << 4,       // port I/O (IOPL / I/O bitmap sensitive)
  A_STRING = 1u << 5,   // string instruction (REP prefixes apply)
  A_NOLOCK = 1u << 6,   // LOCK is #UD (Zydis already rejects most)
  A_INHIBIT = 1u << 7,  // inhibits interrupts for one instruction (MOV SS, POP SS, STI)
};

// How the translator handles a row. Every row starts as CallHandler (principle 2).
enum class Jit : uint8_t { CallHandler };

struct Row {
  const char* form;    // SDM notation, e.g. "ADD Ev,Gv"; the first word is the
                       // mnemonic the encoding must decode to (Zydis' spelling)
  uint8_t map;         // 0: one-byte map, 1: 0F map
  uint8_t opcode;
  int8_t reg;          // ModRM.reg for group opcodes, -1 for any
  Size size;
  uint32_t attrs;
  Jit jit;
  Handler h8, h16, h32;
};

// The whole table (all families, in family order).
std::span<const Row> table();


// Each family's rows: defined in cpu/ops/<family>.cpp as
//   std::span<const Row> rows_<family>() { static const Row r[] = {
//   #include "cpu/table/<family>.inc"
//   }; return r; }
// and listed once in kFamilies in cpu/table.cpp.
#define XLAT86_FAMILY(name) std::span<const Row> rows_##name();
#include "cpu/table/families.inc"
#undef XLAT86_FAMILY

}  // namespace cpu

// ---- row macros, used only inside cpu/table/*.inc ----
#define XLAT86_H8_B(fn) &fn<uint8_t>
#define XLAT86_H16_B(fn) nullptr
#define XLAT86_H32_B(fn) nullptr
#define XLAT86_H8_V(fn) nullptr
#define XLAT86_H16_V(fn) &fn<uint16_t>
#define XLAT86_H32_V(fn) &fn<uint32_t>
#define XLAT86_H8_W(fn) nullptr
#define XLAT86_H16_W(fn) &fn<uint16_t>
#define XLAT86_H32_W(fn) &fn<uint16_t>
#define XLAT86_H8_D(fn) nullptr
#define XLAT86_H16_D(fn) &fn<uint32_t>
#define XLAT86_H32_D(fn) &fn<uint32_t>
#define XLAT86_H8_N(fn) nullptr
#define XLAT86_H16_N(fn) &fn<uint32_t>
#define XLAT86_H32_N(fn) &fn<uint32_t>

// ROW(map, opcode, reg, "FORM", size, handler, attrs)
//   map 0 = one-byte opcodes, 1 = 0F xx; reg -1 = any ModRM.reg; FORM's first
//   word is the Zydis mnemonic; handler is a template
//   `template <class T> void fn(Cpu&, const Insn&)`.
#define ROW(map, op, reg, form, sz, fn, attrs)                                            \
  ::cpu::Row{form, map, op, reg, ::cpu::Size::sz, attrs,                                 \
             ::cpu::Jit::CallHandler, XLAT86_H8_##sz(fn), XLAT86_H16_##sz(fn), XLAT86_H32_##sz(fn)},

