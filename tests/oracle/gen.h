// The native oracle's case generator: instruction snippets with random
// operands, registers, flags and scratch memory, plus the SDM's list of what
// is undefined after each one (masked in the comparison, never more).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "wire.h"

namespace oracle {

enum Reg : uint8_t { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };
enum SegId : int8_t { kNoSeg = -1, sES = 0, sCS = 1, sSS = 2, sDS = 3, sFS = 4, sGS = 5 };

inline constexpr uint32_t fCF = 1u << 0, fPF = 1u << 2, fAF = 1u << 4, fZF = 1u << 6, fSF = 1u << 7,
                          fTF = 1u << 8, fIF = 1u << 9, fDF = 1u << 10, fOF = 1u << 11;
inline constexpr uint32_t kArith = fCF | fPF | fAF | fZF | fSF | fOF;
inline constexpr uint32_t kOpcodeBase = 0x100;  // default offset of the instruction in the code page
inline constexpr unsigned kCode16Percent = 20;   // cases run in a 16-bit code segment

struct Case;
// Linear base of a segment register in a case.
uint32_t seg_base(const Case& c, int seg);

// splitmix64: small, fast, and the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t u32() { return uint32_t(next() >> 16); }
  uint32_t below(uint32_t n) { return n ? uint32_t((next() >> 11) % n) : 0; }
  bool chance(unsigned percent) { return below(100) < percent; }
  // A register value biased toward boundary cases.
  uint32_t val();
  template <class T> const T& pick(const std::vector<T>& v) { return v[below(uint32_t(v.size()))]; }

 private:
  uint64_t s_;
};

struct Case {
  std::string family;
  unsigned index = 0;   // number within its family (stable across --family filters)
  std::string form;     // the encoding form, e.g. "ADD Ew,Gw a16" (summaries group by it)
  std::string detail;   // operands in words, e.g. "[bp+si+d8]"
  std::vector<uint8_t> insn;
  uint16_t off = kOpcodeBase;
  std::vector<uint16_t> exits;  // code-page offsets where execution may leave; [0] = fall-through
  uint32_t gpr[8] = {};
  uint32_t eflags = 0x202;
  uint32_t seed = 0;
  std::vector<OrcPatch> patches;
  // What the SDM leaves undefined after this instruction with these inputs.
  uint32_t flags_undef = 0;
  uint32_t gpr_undef[8] = {};
  std::vector<std::pair<uint16_t, uint16_t>> mem_undef;  // (scratch offset, length)
  // What is left undefined when the instruction faults part-way: the flags of
  // a REP CMPS/SCAS; the registers a POPA loaded before the #SS (Intel loads
  // them one by one); the stack below ESP that PUSHA/ENTER/CALL wrote before
  // reaching the limit. A clean fault leaves the state unchanged.
  uint32_t fault_flags_undef = 0;
  uint8_t fault_gpr_undef = 0;  // bit per GPR
  std::vector<std::pair<uint16_t, uint16_t>> fault_mem_undef;
  // Data selectors (wire.h's LDT).
  uint16_t sel_es = ORC_SEL_EDATA, sel_ss = ORC_SEL_DATA, sel_ds = ORC_SEL_DATA;
  bool code16 = false;  // 16-bit code segment (ORC_SEL_CODE16, EIP = code-page offset)

  // The initial scratch page: orc_fill(seed) with the patches applied.
  void image(uint8_t* buf) const;
};

// The E operand (ModRM r/m) of an instruction being built.
struct Rm {
  bool mem = false;
  uint8_t reg = 0;             // register number when !mem (8-bit numbering for byte operands)
  std::vector<uint8_t> enc;    // ModRM (reg field 0), SIB, displacement
  std::string text;
  uint32_t lin = 0;            // linear address of the memory operand
  int seg = kNoSeg;            // effective segment
};

// Builds one case: prefixes, opcode bytes, operands, register values.
class Builder {
 public:
  Builder(Rng& r, Case& c, const char* family);
  Rng& r;
  Case& c;
  bool o16 = false;            // 16-bit operand size (the default in 16-bit code, else 0x66)
  bool a16 = false;            // 16-bit address size (likewise with 0x67)
  uint8_t fixed = 0;           // GPRs whose values the case depends on (addressing avoids them)
  int force_seg = kNoSeg;      // rm_mem: always use this segment (with its override prefix)
  std::vector<uint8_t> prefixes;
  std::vector<uint8_t> body;
  std::vector<uint8_t> tail;   // a second instruction after this one (its own prefixes included)

  // Operand width in bytes for a V-sized operand.
  unsigned vsize() const { return o16 ? 2 : 4; }
  void set(unsigned reg, uint32_t v) { c.gpr[reg] = v; fixed |= uint8_t(1u << reg); }
  bool is_fixed(unsigned reg) const { return fixed & (1u << reg); }
  // Set an 8-, 16- or 32-bit register value (8-bit numbering AL..BH for size 1).
  void set_sized(unsigned reg, unsigned size, uint32_t v);
  uint32_t get_sized(unsigned reg, unsigned size) const;

  // Pick the E operand: a register, or memory at a fresh scratch address.
  Rm rm_reg(unsigned reg, unsigned size) const;
  Rm rm_any(unsigned size, unsigned mem_percent = 50, uint8_t avoid = 0);
  // Memory operand reaching `lin` (a scratch address; 0 = pick one for `size` bytes).
  // free_regs: the address need not be valid (LEA): registers get any value.
  Rm rm_mem(unsigned size, uint8_t avoid = 0, uint32_t lin = 0, bool free_regs = false,
            bool allow_override = true);
  uint32_t pick_lin(unsigned size, uint32_t lo = 0x100, uint32_t hi = 0xF00) const;
  // Value of the E operand / memory in the case as built so far.
  uint32_t rm_value(const Rm& e, unsigned size) const;
  void set_rm_value(const Rm& e, unsigned size, uint32_t v);
  void patch(uint32_t lin, unsigned size, uint64_t v);
  uint64_t mem_read(uint32_t lin, unsigned size) const;

  void op(std::initializer_list<uint8_t> bytes) { body.insert(body.end(), bytes); }
  void modrm(const Rm& e, unsigned regfield);
  void imm(uint32_t v, unsigned size);
  void prefix(uint8_t p) { prefixes.push_back(p); }
  // Choose the operand width (1, 2 or 4 bytes) among `allowed`, adding 0x66 for 2.
  unsigned width(std::initializer_list<unsigned> allowed = {1, 2, 4});
  // The non-default address size (0x67) with the given chance: 16-bit
  // addressing in 32-bit code, 32-bit addressing in 16-bit code.
  void maybe_a16(unsigned percent = 25);
  // Force 32-bit addressing / a 32-bit operand (0x67 / 0x66 in 16-bit code).
  void addr32();
  void op32();
  // EIP value of a code-page offset (CS-relative: linear in 32-bit code).
  uint32_t code_target(uint16_t off) const;
  // Assemble c.insn (prefixes in random order), default exit at the fall-through.
  // The form gets " o16"/" a16"/" lock" tags for the prefixes used.
  void finish(const std::string& form, const std::string& detail);

 private:
  Rm mem32(uint32_t lin, uint8_t avoid, bool free_regs, int ovr);
  Rm mem16(uint32_t lin, uint8_t avoid, bool free_regs, int ovr);
};

// Names for messages.
const char* reg_name(unsigned reg, unsigned size);
std::string size_tag(unsigned size);   // "b", "w", "d"
std::string hex(uint32_t v, int digits = 8);

// A case family: a name and a function producing one case per call.
struct Family {
  const char* name;
  unsigned weight;                       // share of --count
  std::function<void(Rng&, Case&)> gen;
};
const std::vector<Family>& families();

// Per-file registration (each gen_*.cpp appends its families).
void add_alu_families(std::vector<Family>& f);
void add_shift_families(std::vector<Family>& f);
void add_bit_families(std::vector<Family>& f);
void add_move_families(std::vector<Family>& f);
void add_string_families(std::vector<Family>& f);
void add_stack_families(std::vector<Family>& f);
void add_control_families(std::vector<Family>& f);
void add_limit_families(std::vector<Family>& f);
void add_segload_families(std::vector<Family>& f);

// Common starting state: random GPRs, ESP in the scratch page, random flags.
void init_case(Rng& r, Case& c);

}  // namespace oracle
