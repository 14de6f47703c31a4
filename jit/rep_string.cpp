// REP MOVS / REP STOS in bulk: see rep_string.h for the contract. Every
// decision below mirrors cpu/ops/string.cpp's run_string() and the checks
// of read_mem/write_mem (cpu/cpu.h); when one of them could go a different
// way for some element, the reference handler runs the batch instead.
#include "jit/rep_string.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/table.h"
#include "jit/inline_util.h"

namespace jit {
namespace {

using cpu::Cpu;
using cpu::Insn;

// Iterations per handler call: must equal kBatch in cpu/ops/string.cpp (the
// differential tests compare tsc after long REPs, which counts the calls).
constexpr uint32_t kBatch = 64;

std::atomic<uint64_t> bulk_batches{0};

// (E)SI/(E)DI/(E)CX as the address size sees them, and their update.
template <bool A32> inline uint32_t idx_get(const Cpu& c, unsigned r) {
  return A32 ? c.gpr[r] : (c.gpr[r] & 0xFFFFu);
}
template <bool A32> inline void idx_set(Cpu& c, unsigned r, uint32_t v) {
  if (A32) c.gpr[r] = v;
  else c.gpr[r] = (c.gpr[r] & ~0xFFFFu) | (v & 0xFFFFu);
}

// Of the first `n` elements at index `idx` (stepping down if `down`), how
// many the reference runs in one batch as far as this operand is concerned:
// element 0 and every following one lying wholly on element 0's page. 0 when
// element 0 itself crosses a page boundary or the index would wrap within
// them (the reference handler takes those).
template <class T, bool A32> uint32_t run_on_page(uint32_t base, uint32_t idx, bool down, uint32_t n) {
  constexpr uint32_t S = sizeof(T);
  const uint32_t in_page = (base + idx) & mmu::kPageMask;
  if (in_page + S > mmu::kPageSize) return 0;
  const uint32_t fit = down ? in_page / S + 1 : (mmu::kPageSize - in_page) / S;
  n = std::min(n, fit);
  const uint64_t span = uint64_t(n - 1) * S;
  const uint64_t top = A32 ? 0xFFFFFFFFull : 0xFFFFull;
  if (down ? span > idx : idx + span > top) return 0;
  return n;
}

// linear()'s checks for [off, off + len) in one go, without faulting.
inline bool seg_usable(const Cpu& c, unsigned seg, uint32_t off, uint32_t len, bool write) {
  const cpu::Segment& s = c.seg[seg];
  bool bad_type = write ? ((s.attr & (cpu::SEG_CODE | cpu::SEG_RW)) != cpu::SEG_RW)
                        : ((s.attr & (cpu::SEG_CODE | cpu::SEG_RW)) == cpu::SEG_CODE);
  return cpu::seg_ok(s, off, len - 1) && !(bad_type && !c.real_mode()) && (s.attr & cpu::SEG_P);
}

// The host address of [lin, lin + len) (on one page) if the soft TLB has the
// page for this access with no flag bits in its tag, else null.
inline uint8_t* host_range(Cpu& c, uint32_t lin, bool write) {
  const mmu::TlbEntry& e = c.tlb->entry(c.user(), lin);
  uint32_t tag = write ? e.write_tag : e.read_tag;
  if (tag != (lin & ~mmu::kPageMask)) return nullptr;
  return reinterpret_cast<uint8_t*>(e.addend + lin);
}

// REP's element order for a copy the host cannot do as a memmove: `d` and
// `s` are the lowest elements; the first element is the highest if `down`.
template <class T> void copy_elements(uint8_t* d, const uint8_t* s, uint32_t n, bool down) {
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t j = down ? n - 1 - k : k;
    T v;
    std::memcpy(&v, s + j * sizeof(T), sizeof(T));
    std::memcpy(d + j * sizeof(T), &v, sizeof(T));
  }
}

template <class T> void fill(uint8_t* d, T v, uint32_t n) {
  if constexpr (sizeof(T) == 1) {
    std::memset(d, v, n);
  } else {
    for (uint32_t j = 0; j < n; ++j) std::memcpy(d + j * sizeof(T), &v, sizeof(T));
  }
}

template <class T, bool A32, bool Movs> void rep_bulk(Cpu& c, const Insn& i) {
  constexpr uint32_t S = sizeof(T);
  const uint32_t count = idx_get<A32>(c, cpu::ECX);
  if (count < 2 || c.events || (c.eflags & cpu::TF)) return i.fn(c, i);
  const bool down = c.eflags & cpu::DF;
  const uint32_t di = idx_get<A32>(c, cpu::EDI);
  const uint32_t si = Movs ? idx_get<A32>(c, cpu::ESI) : 0;
  uint32_t n = run_on_page<T, A32>(c.seg[cpu::ES].base, di, down, std::min(count, kBatch));
  if (Movs && n) n = run_on_page<T, A32>(c.seg[i.seg].base, si, down, n);
  if (n < 2) return i.fn(c, i);

  const uint32_t span = (n - 1) * S, len = n * S;
  const uint32_t dlo = down ? di - span : di;
  const uint32_t slo = down ? si - span : si;
  if (!seg_usable(c, cpu::ES, dlo, len, true)) return i.fn(c, i);
  if (Movs && !seg_usable(c, i.seg, slo, len, false)) return i.fn(c, i);
  const uint32_t dlin = c.seg[cpu::ES].base + dlo;
  const uint32_t slin = Movs ? c.seg[i.seg].base + slo : 0;
  if (S > 1 && ((dlin | slin) & (S - 1)) && c.cpl == 3 && (c.cr[0] & cpu::CR0_AM) && (c.eflags & cpu::AC) &&
      !c.real_mode())
    return i.fn(c, i);  // #AC on the first element
  uint8_t* d = host_range(c, dlin, true);
  if (!d) return i.fn(c, i);
  if constexpr (Movs) {
    const uint8_t* s = host_range(c, slin, false);
    if (!s) return i.fn(c, i);
    bool ahead = down ? (d < s && s < d + len) : (s < d && d < s + len);
    if (ahead) copy_elements<T>(d, s, n, down);
    else std::memmove(d, s, len);
  } else {
    fill<T>(d, cpu::getr<T>(c, cpu::EAX), n);
  }

  bulk_batches.fetch_add(1, std::memory_order_relaxed);
  const uint32_t step = down ? uint32_t(0) - len : len;
  idx_set<A32>(c, cpu::ECX, count - n);
  idx_set<A32>(c, cpu::EDI, di + step);
  if (Movs) idx_set<A32>(c, cpu::ESI, si + step);
  if (count == n) return;  // finished: EIP stays at the next instruction
  c.eip = c.snap[8];       // more to do: run the instruction again after looking at events
  c.events |= cpu::EV_MODE;
}

template <class T> cpu::Handler pick(bool movs, bool a32) {
  if (movs) return a32 ? &rep_bulk<T, true, true> : &rep_bulk<T, false, true>;
  return a32 ? &rep_bulk<T, true, false> : &rep_bulk<T, false, false>;
}

}  // namespace

uint64_t rep_bulk_batches() { return bulk_batches.load(std::memory_order_relaxed); }

cpu::Handler rep_handler(const Insn& in, const Config& cfg) {
  if (!(in.flags & (cpu::I_REP | cpu::I_REPNE)) || !cfg.emits(Emitter::Rep) || !genuine(in)) return nullptr;
  const cpu::Row& row = cpu::table()[in.row];
  if (row.map != 0) return nullptr;
  std::string_view mn = row_mnemonic(row);
  bool movs = mn == "MOVSB" || mn == "MOVSW" || mn == "MOVSD";
  bool stos = mn == "STOSB" || mn == "STOSW" || mn == "STOSD";
  if (!movs && !stos) return nullptr;
  switch (row.size) {
    case cpu::Size::B: return pick<uint8_t>(movs, in.asz32());
    case cpu::Size::W: return pick<uint16_t>(movs, in.asz32());
    case cpu::Size::D: return pick<uint32_t>(movs, in.asz32());
    default: return nullptr;
  }
}

}  // namespace jit
