// REP MOVS / STOS and REPE/REPNE CMPS / SCAS in bulk: see rep_string.h for
// the contract. Every decision below mirrors cpu/ops/string.cpp's
// run_string() and the checks of read_mem/write_mem (cpu/cpu.h); when one of
// them could go a different way for some element, the reference handler runs
// the batch instead.
#include "jit/rep_string.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/flags.h"
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

// One batch as the reference runs it, when it can go in bulk: `n` elements
// (2 <= n <= count), and the host addresses of the lowest element of each
// operand (`s` only with a source).
struct Plan {
  uint32_t n;
  uint8_t* d;
  const uint8_t* s;
};

// The batch for `count` (>= 2) iterations of an instruction whose
// destination ES:(E)DI is written (`Write`) or read, with or without a
// source i.seg:(E)SI, or false when the reference handler must run it.
template <class T, bool A32, bool Src, bool Write>
bool plan(Cpu& c, const Insn& i, uint32_t count, bool down, uint32_t si, uint32_t di, Plan& p) {
  constexpr uint32_t S = sizeof(T);
  const uint32_t sbase = c.seg[i.seg].base;
  uint32_t n = run_on_page<T, A32>(c.seg[cpu::ES].base, di, down, std::min(count, kBatch));
  if (Src) {
    if (n) n = run_on_page<T, A32>(sbase, si, down, n);
  } else if (((sbase + si) & mmu::kPageMask) + S > mmu::kPageSize) {
    // Without a source the reference still tests that i.seg:(E)SI stays on
    // its first page after every iteration: an (E)SI that straddles a page
    // ends every batch after one element.
    return false;
  }
  if (n < 2) return false;
  const uint32_t span = (n - 1) * S, len = n * S;
  const uint32_t dlo = down ? di - span : di;
  const uint32_t slo = down ? si - span : si;
  if (!seg_usable(c, cpu::ES, dlo, len, Write)) return false;
  if (Src && !seg_usable(c, i.seg, slo, len, false)) return false;
  const uint32_t dlin = c.seg[cpu::ES].base + dlo;
  const uint32_t slin = Src ? sbase + slo : 0;
  if (S > 1 && ((dlin | slin) & (S - 1)) && c.cpl == 3 && (c.cr[0] & cpu::CR0_AM) && (c.eflags & cpu::AC) &&
      !c.real_mode())
    return false;  // #AC on the first element
  p.n = n;
  p.d = host_range(c, dlin, Write);
  p.s = Src ? host_range(c, slin, false) : nullptr;
  return p.d && (!Src || p.s);
}

// A batch with the registers it starts from.
struct Batch : Plan {
  uint32_t count, si, di;
  bool down;
};

// The batch this call can run in bulk, or false when the reference handler
// must run it: fewer than two iterations left, an event pending, TF set, or
// anything plan() refuses.
template <class T, bool A32, bool Src, bool Write> bool start(Cpu& c, const Insn& i, Batch& b) {
  b.count = idx_get<A32>(c, cpu::ECX);
  if (b.count < 2 || c.events || (c.eflags & cpu::TF)) return false;
  b.down = c.eflags & cpu::DF;
  b.di = idx_get<A32>(c, cpu::EDI);
  b.si = idx_get<A32>(c, cpu::ESI);
  return plan<T, A32, Src, Write>(c, i, b.count, b.down, b.si, b.di, b);
}

// The end of a batch done in bulk after `done` elements of `size` bytes: it
// is counted, the index registers step, and EIP goes back to the instruction
// while iterations remain; `stop`: the REPE/REPNE condition ended the
// repetition.
template <bool A32, bool Src> void finish(Cpu& c, const Batch& b, uint32_t done, uint32_t size, bool stop) {
  bulk_batches.fetch_add(1, std::memory_order_relaxed);
  const uint32_t len = done * size;
  const uint32_t step = b.down ? uint32_t(0) - len : len;
  idx_set<A32>(c, cpu::ECX, b.count - done);
  idx_set<A32>(c, cpu::EDI, b.di + step);
  if (Src) idx_set<A32>(c, cpu::ESI, b.si + step);
  if (b.count == done || stop) return;  // finished: EIP stays at the next instruction
  c.eip = c.snap[8];                    // more to do: run the instruction again after looking at events
  c.events |= cpu::EV_MODE;
}

template <class T, bool A32, bool Movs> void rep_bulk(Cpu& c, const Insn& i) {
  constexpr uint32_t S = sizeof(T);
  Batch b;
  if (!start<T, A32, Movs, true>(c, i, b)) return i.fn(c, i);
  const uint32_t n = b.n, len = n * S;
  if constexpr (Movs) {
    bool ahead = b.down ? (b.d < b.s && b.s < b.d + len) : (b.s < b.d && b.d < b.s + len);
    if (ahead) copy_elements<T>(b.d, b.s, n, b.down);
    else std::memmove(b.d, b.s, len);
  } else {
    fill<T>(b.d, cpu::getr<T>(c, cpu::EAX), n);
  }
  finish<A32, Movs>(c, b, n, S, false);
}

template <class T> inline T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// REPE/REPNE SCAS and CMPS over the batch's `n` elements: the number of
// elements the reference compares (up to and including the one whose ZF
// ends the repetition, else all n), with that last pair in a, b. `d0`, `s0`
// point at element 0; `step` is +-sizeof(T).
template <class T, bool Cmps>
uint32_t compare(const uint8_t* d0, const uint8_t* s0, ptrdiff_t step, uint32_t n, bool repne, T& a, T& b) {
  constexpr uint32_t S = sizeof(T);
  if constexpr (!Cmps && S == 1) {
    if (repne) {  // REPNE SCASB: look for AL
      const void* hit = step > 0 ? std::memchr(d0, a, n) : memrchr(d0 - (n - 1), a, n);
      uint32_t k = !hit ? n - 1 : step > 0 ? uint32_t(static_cast<const uint8_t*>(hit) - d0)
                                           : uint32_t(d0 - static_cast<const uint8_t*>(hit));
      b = d0[ptrdiff_t(k) * step];
      return k + 1;
    }
  }
  if (Cmps && !repne) {  // REPE CMPS: all equal is the common case
    const ptrdiff_t low = step > 0 ? 0 : ptrdiff_t(n - 1) * step;
    if (std::memcmp(s0 + low, d0 + low, n * S) == 0) {
      a = b = load<T>(d0 + ptrdiff_t(n - 1) * step);
      return n;
    }
  }
  for (uint32_t k = 0;; ++k) {
    b = load<T>(d0 + ptrdiff_t(k) * step);
    if (Cmps) a = load<T>(s0 + ptrdiff_t(k) * step);
    if ((a == b) == repne || k + 1 == n) return k + 1;
  }
}

template <class T, bool A32, bool Cmps> void rep_compare(Cpu& c, const Insn& i) {
  constexpr uint32_t S = sizeof(T);
  Batch p;
  if (!start<T, A32, Cmps, false>(c, i, p)) return i.fn(c, i);
  const ptrdiff_t step = p.down ? -ptrdiff_t(S) : ptrdiff_t(S);
  const ptrdiff_t first = p.down ? ptrdiff_t(p.n - 1) * S : 0;  // element 0 is the highest going down
  const bool repne = i.flags & cpu::I_REPNE;                    // as rep_cond() in cpu/ops/string.cpp
  T a = Cmps ? T(0) : cpu::getr<T>(c, cpu::EAX), b;
  const uint32_t done = compare<T, Cmps>(p.d + first, Cmps ? p.s + first : nullptr, step, p.n, repne, a, b);
  cpu::flags::sub<T>(c.eflags, a, b);  // the last comparison's flags, as the reference leaves them
  finish<A32, Cmps>(c, p, done, S, (a == b) == repne);
}

enum class Kind { Movs, Stos, Cmps, Scas };

template <class T> cpu::Handler pick(Kind k, bool a32) {
  switch (k) {
    case Kind::Movs: return a32 ? &rep_bulk<T, true, true> : &rep_bulk<T, false, true>;
    case Kind::Stos: return a32 ? &rep_bulk<T, true, false> : &rep_bulk<T, false, false>;
    case Kind::Cmps: return a32 ? &rep_compare<T, true, true> : &rep_compare<T, false, true>;
    case Kind::Scas: return a32 ? &rep_compare<T, true, false> : &rep_compare<T, false, false>;
  }
  return nullptr;
}

}  // namespace

uint64_t rep_bulk_batches() { return bulk_batches.load(std::memory_order_relaxed); }

cpu::Handler rep_handler(const Insn& in, const Config& cfg) {
  if (!(in.flags & (cpu::I_REP | cpu::I_REPNE)) || !cfg.emits(Emitter::Rep) || !genuine(in)) return nullptr;
  const cpu::Row& row = cpu::table()[in.row];
  if (row.map != 0) return nullptr;
  std::string_view mn = row_mnemonic(row);
  if (mn.size() != 5 || (mn[4] != 'B' && mn[4] != 'W' && mn[4] != 'D')) return nullptr;
  Kind k;
  std::string_view stem = mn.substr(0, 4);
  if (stem == "MOVS") k = Kind::Movs;
  else if (stem == "STOS") k = Kind::Stos;
  else if (stem == "CMPS") k = Kind::Cmps;
  else if (stem == "SCAS") k = Kind::Scas;
  else return nullptr;
  switch (row.size) {
    case cpu::Size::B: return pick<uint8_t>(k, in.asz32());
    case cpu::Size::W: return pick<uint16_t>(k, in.asz32());
    case cpu::Size::D: return pick<uint32_t>(k, in.asz32());
    default: return nullptr;
  }
}

}  // namespace jit
