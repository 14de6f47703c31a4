// The decode wrapper: the only place that sees Zydis.
//
// decode() turns guest bytes into an Insn, a compact (32-byte) record that
// binds the instruction to its row in the instruction table (table.h) and to
// the handler for its operand size. Everything a handler needs is in the
// Insn; nothing is decoded again at execution time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "cpu/state.h"

namespace cpu {

struct Cpu;
struct Insn;
using Handler = void (*)(Cpu&, const Insn&);

enum InsnFlags : uint8_t {
  I_OSZ32 = 1 << 0,   // operand size 32
  I_ASZ32 = 1 << 1,   // address size 32
  I_REP = 1 << 2,     // F3 on a string instruction (REP / REPE)
  I_REPNE = 1 << 3,   // F2 on a string instruction (REPNE; REP for MOVS/STOS/...)
  I_LOCK = 1 << 4,
  I_MEM = 1 << 5,     // ModRM r/m (or moffs, or implicit) operand is memory
  I_SEGOVR = 1 << 6,  // an explicit segment override prefix is in effect
};

struct Insn {
  Handler fn;        // handler for this row at this operand size
  uint32_t disp;     // memory displacement (moffs for A0-A3)
  uint32_t imm;      // first immediate; sign-extended rel for branches; far offset
  uint16_t imm2;     // second immediate (ENTER level, far selector)
  uint16_t row;      // index into the instruction table
  uint8_t len;       // instruction length in bytes
  uint8_t flags;     // InsnFlags
  uint8_t reg;       // ModRM.reg, or the register encoded in the opcode
  uint8_t rm;        // ModRM.rm register number when !(flags & I_MEM)
  uint8_t base;      // memory base register (Gpr) or kNoReg
  uint8_t index;     // memory index register (Gpr) or kNoReg
  uint8_t scale;     // index shift 0..3
  uint8_t seg;       // effective segment of the (source) memory operand

  bool osz32() const { return flags & I_OSZ32; }
  bool asz32() const { return flags & I_ASZ32; }
  bool mem() const { return flags & I_MEM; }
};
static_assert(sizeof(Insn) == 32);

enum class DecodeStatus {
  Ok,
  Invalid,   // not an instruction of the emulated CPU (or LOCK misuse): #UD
  NeedMore,  // the bytes end inside the instruction
  TooLong,   // more than 15 bytes: #GP(0)
};

// Decoder modes: real/V86 (16-bit, no protected-mode-only instructions),
// protected 16-bit, protected 32-bit (CS.D).
enum class DecodeMode : uint8_t { Real16, Prot16, Prot32 };

DecodeStatus decode(DecodeMode mode, const uint8_t* bytes, size_t avail, Insn& out);

// Intel-syntax disassembly of one instruction (diagnostics and test output);
// "(bad)" when Zydis cannot decode it.
std::string disassemble(DecodeMode mode, const uint8_t* bytes, size_t avail);

// What Zydis says about an encoding, independent of the table (table tests):
// the mnemonic in Zydis spelling (nullptr if undecodable) and whether Zydis
// classifies it as a control transfer.
struct ZydisView {
  const char* mnemonic;
  bool branch;
  uint8_t length;
};
ZydisView zydis_view(DecodeMode mode, const uint8_t* bytes, size_t avail);

}  // namespace cpu
