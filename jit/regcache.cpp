#include "jit/regcache.h"

#include <algorithm>

#include "cpu/cpu.h"
#include "jit/inline_ops.h"
#include "jit/inline_util.h"

namespace jit {

namespace x86 = asmjit::x86;

namespace {

// Host registers for guest registers: caller-saved ones that neither the
// emitters (rax, rcx, rdx) nor the block conventions (rbx, rbp, r12-r15) use.
const x86::Gp kPool[] = {x86::esi, x86::edi, x86::r8d, x86::r9d, x86::r10d, x86::r11d};

}  // namespace

RegCache plan_registers(const std::vector<cpu::Insn>& insns, uint32_t n, const Config& cfg) {
  RegCache rc;
  if (!cfg.reg_cache || !cfg.inline_ops) return rc;
  unsigned uses[8] = {};
  uint8_t banned = 0, seen = 0, write_first = 0;
  for (uint32_t k = 0; k < n; ++k) {
    const cpu::Insn& in = insns[k];
    const bool inl = can_inline(in, cfg) || (k + 1 == n && inline_tail(in, cfg) != Tail::None);
    if (!inl) continue;  // a handler call: everything is stored before it anyway
    // A high-byte register (AH..BH) lives in CpuState only: any byte operand
    // (MOVZX/MOVSX read one from a wider instruction).
    // The register fields count only where the form has one: Gb, Eb (a
    // register operand), or a high-byte register named in the form (MOV AH,Ib).
    std::string_view ops = row_operands(cpu::table()[in.row]);
    if (ops.find("Gb") != std::string_view::npos && in.reg >= 4) banned |= uint8_t(1u << (in.reg - 4));
    if (ops.find("Eb") != std::string_view::npos && !in.mem() && in.rm >= 4) banned |= uint8_t(1u << (in.rm - 4));
    static const char* const kHigh[4] = {"AH", "CH", "DH", "BH"};
    for (unsigned r = 0; r < 4; ++r)
      if (ops.find(kHigh[r]) != std::string_view::npos) banned |= uint8_t(1u << r);
    const RegUse u = reg_use(in, cfg);
    const uint8_t touched = u.read | u.written;
    // A register whose first use writes it whole needs no load at entry.
    write_first |= uint8_t(touched & ~seen & u.full & ~u.read);
    seen |= touched;
    for (unsigned r = 0; r < 8; ++r) uses[r] += (touched >> r) & 1;
  }
  unsigned order[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::stable_sort(order, order + 8, [&](unsigned x, unsigned y) { return uses[x] > uses[y]; });
  unsigned next = 0;
  for (unsigned r : order) {
    if (next == std::size(kPool)) break;
    if (uses[r] < 2 || ((banned >> r) & 1)) continue;
    rc.host[r] = kPool[next++];
    rc.mapped |= uint8_t(1u << r);
  }
  rc.write_first = rc.mapped & write_first;
  return rc;
}

}  // namespace jit
