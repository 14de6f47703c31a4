// Architectural differences between the CPUs that produced the vectors (an
// 8086 and an 80286) and the CPU xlat86 models (a Pentium II). The table in
// known_differences.cpp lists each one with its reason and what the runner
// does about it: skip the test (it is not comparable) or adjust one narrowly
// scoped part of the comparison. Nothing here may hide a bug of ours.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "harness.h"
#include "metadata.h"
#include "moo.h"

namespace vec {

enum class CpuKind : uint8_t { I8086, I286, Other };
CpuKind cpu_kind(std::string_view moo_cpu_id);
const char* cpu_kind_name(CpuKind k);
// 8086-class CPUs address 1 MiB (addresses wrap at 2^20).
bool wraps_1mib(std::string_view moo_cpu_id);

// FLAGS bits loaded from a test's INIT state: the bits a P6 in real mode can
// hold, minus what the test CPU could not hold (see the .cpp).
uint32_t init_flags_keep(CpuKind k);

// What a predicate may look at.
struct TestCtx {
  const Test& t;
  const InsnKey& k;
  size_t insn_len;            // instruction bytes (without the HLT the 286 vectors append)
  const RunInfo* run = nullptr;  // our run's outcome (predicates of stage After only)

  uint32_t init(unsigned r) const { return t.init.v[r]; }
  uint32_t fina(unsigned r) const { return t.fina.has(r) ? t.fina.v[r] : t.init.v[r]; }
  uint8_t al() const { return uint8_t(init(AX)); }
  uint8_t cl() const { return uint8_t(init(CX)); }
};

enum class Action : uint8_t {
  Skip,    // not comparable: counted as a known difference, neither passed nor failed
  Adjust,  // compared, with the adjustment below
};
enum class Stage : uint8_t {
  Before,  // decided from the test itself
  After,   // needs our run's outcome (e.g. the exception our CPU raised)
};

struct KnownDiff {
  const char* id;
  CpuKind cpu;
  uint16_t op_lo, op_hi;      // opcode range; two-byte opcodes are 0x0F00|xx
  int8_t reg;                 // ModRM.reg, or -1 for any
  Stage stage;
  bool (*pred)(const TestCtx&);  // nullptr: always
  Action action;
  uint16_t ignore_flags;      // Adjust: FLAGS bits not compared (registers and pushed FLAGS words)
  int8_t pushed_sp_off;       // Adjust: a FLAGS word was pushed at final SS:SP+off (-1: none)
  const char* reason;
};

std::span<const KnownDiff> known_differences();

// The first Skip entry of `stage` that matches, or nullptr.
const KnownDiff* find_skip(CpuKind cpu, const TestCtx& x, Stage stage);
// Applies every matching Adjust entry (except `except`) to `o`.
void apply_adjustments(CpuKind cpu, const TestCtx& x, CompareOpts& o, const KnownDiff* except = nullptr);
// Calls f(entry) for every matching Adjust entry.
template <class F> void for_each_adjustment(CpuKind cpu, const TestCtx& x, F f);
bool known_diff_matches(const KnownDiff& d, CpuKind cpu, const TestCtx& x);
template <class F> void for_each_adjustment(CpuKind cpu, const TestCtx& x, F f) {
  for (const KnownDiff& d : known_differences())
    if (d.action == Action::Adjust && known_diff_matches(d, cpu, x)) f(d);
}

}  // namespace vec
