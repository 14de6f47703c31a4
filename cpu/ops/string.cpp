// Reference handlers: the string family (rows in cpu/table/string.inc).
//
// MOVS, CMPS, SCAS, LODS, STOS, INS and OUTS with byte/word/dword elements.
// The source is i.seg:(E)SI (DS or an override), the destination always
// ES:(E)DI; the address size (I_ASZ32) selects SI/DI/CX or ESI/EDI/ECX, and
// EFLAGS.DF the direction.
//
// REP prefixes and precise faults: one execution of a handler performs at
// most a bounded batch of iterations. When iterations remain it sets EIP back
// to the instruction and raises EV_MODE, so the interpreter leaves the block,
// looks at pending events (interrupts) and runs the instruction again. Inside
// a batch the per-instruction snapshot is retaken after every completed
// iteration, so a fault at iteration k restores ECX/ESI/EDI/EFLAGS exactly as
// they were before iteration k, with EIP at the instruction. A batch stops at
// a page boundary of either operand, at any event (e.g. a write into a code
// page), and after one iteration when EFLAGS.TF is set (single-step traps
// after every iteration).
#include <vector>

#include "cpu/ops/common.h"
#include "cpu/ops/privilege.h"

namespace cpu::ops {
namespace {

constexpr unsigned kBatch = 64;

// SI/DI/CX as the address size sees them.
inline uint32_t idx_get(const Cpu& c, const Insn& i, unsigned r) {
  return i.asz32() ? c.gpr[r] : (c.gpr[r] & 0xFFFFu);
}
inline void idx_set(Cpu& c, const Insn& i, unsigned r, uint32_t v) {
  if (i.asz32()) c.gpr[r] = v;
  else c.gpr[r] = (c.gpr[r] & ~0xFFFFu) | (v & 0xFFFFu);
}
// Step (E)SI or (E)DI by one element in the direction of DF.
template <class T> inline void advance(Cpu& c, const Insn& i, unsigned r) {
  uint32_t d = (c.eflags & DF) ? uint32_t(-int32_t(sizeof(T))) : uint32_t(sizeof(T));
  idx_set(c, i, r, idx_get(c, i, r) + d);
}

// Does an access of `size` bytes at linear `lin` stay on the page of `lin0`?
inline bool same_page(uint32_t lin0, uint32_t lin, unsigned size) {
  return ((lin0 ^ lin) >> 12) == 0 && ((lin0 ^ (lin + size - 1)) >> 12) == 0;
}

// Run a string instruction. `step` performs one iteration (all its checks
// before its writes) and returns false when a REPE/REPNE condition ends the
// repetition.
template <class T, class Step> inline void run_string(Cpu& c, const Insn& i, Step step) {
  if (!(i.flags & (I_REP | I_REPNE))) {
    step();
    return;
  }
  uint32_t count = idx_get(c, i, ECX);
  if (count == 0) return;
  const uint32_t next = c.eip, self = insn_eip(c);
  const uint32_t src0 = c.seg[i.seg].base + idx_get(c, i, ESI);
  const uint32_t dst0 = c.seg[ES].base + idx_get(c, i, EDI);
  unsigned budget = (c.eflags & TF) ? 1 : kBatch;
  for (;;) {
    bool go_on = step();
    idx_set(c, i, ECX, --count);
    if (count == 0 || !go_on) return;  // EIP stays at the next instruction
    c.eip = self;
    if (--budget == 0 || c.events ||
        !same_page(src0, c.seg[i.seg].base + idx_get(c, i, ESI), sizeof(T)) ||
        !same_page(dst0, c.seg[ES].base + idx_get(c, i, EDI), sizeof(T))) {
      c.events |= EV_MODE;  // leave the block; the instruction runs again
      return;
    }
    take_snapshot(c);  // iteration done: a later fault restarts from here
    c.eip = next;
  }
}

// REPE (F3) continues while ZF = 1, REPNE (F2) while ZF = 0.
inline bool rep_cond(const Cpu& c, const Insn& i) {
  bool zf = c.eflags & ZF;
  return (i.flags & I_REPNE) ? !zf : zf;
}

template <class T> void movs(Cpu& c, const Insn& i) {
  run_string<T>(c, i, [&] {
    T v = read_mem<T>(c, i.seg, idx_get(c, i, ESI));
    write_mem<T>(c, ES, idx_get(c, i, EDI), v);
    advance<T>(c, i, ESI);
    advance<T>(c, i, EDI);
    return true;
  });
}

template <class T> void cmps(Cpu& c, const Insn& i) {
  run_string<T>(c, i, [&] {
    T a = read_mem<T>(c, i.seg, idx_get(c, i, ESI));
    T b = read_mem<T>(c, ES, idx_get(c, i, EDI));
    flags::sub<T>(c.eflags, a, b);
    advance<T>(c, i, ESI);
    advance<T>(c, i, EDI);
    return rep_cond(c, i);
  });
}

template <class T> void scas(Cpu& c, const Insn& i) {
  run_string<T>(c, i, [&] {
    T b = read_mem<T>(c, ES, idx_get(c, i, EDI));
    flags::sub<T>(c.eflags, getr<T>(c, EAX), b);
    advance<T>(c, i, EDI);
    return rep_cond(c, i);
  });
}

template <class T> void lods(Cpu& c, const Insn& i) {
  run_string<T>(c, i, [&] {
    setr<T>(c, EAX, read_mem<T>(c, i.seg, idx_get(c, i, ESI)));
    advance<T>(c, i, ESI);
    return true;
  });
}

template <class T> void stos(Cpu& c, const Insn& i) {
  run_string<T>(c, i, [&] {
    write_mem<T>(c, ES, idx_get(c, i, EDI), getr<T>(c, EAX));
    advance<T>(c, i, EDI);
    return true;
  });
}

// INS: the destination is checked before the port is read, so a faulting
// iteration does not consume device data.
template <class T> void ins(Cpu& c, const Insn& i) {
  run_string<T>(c, i, [&] {
    uint16_t port = uint16_t(c.gpr[EDX]);
    check_io(c, port, sizeof(T));
    uint32_t di = idx_get(c, i, EDI);
    check_write(c, ES, di, sizeof(T));
    write_mem<T>(c, ES, di, T(c.io->in(port, sizeof(T))));
    advance<T>(c, i, EDI);
    return true;
  });
}

template <class T> void outs(Cpu& c, const Insn& i) {
  run_string<T>(c, i, [&] {
    uint16_t port = uint16_t(c.gpr[EDX]);
    check_io(c, port, sizeof(T));
    T v = read_mem<T>(c, i.seg, idx_get(c, i, ESI));
    c.io->out(port, sizeof(T), v);
    advance<T>(c, i, ESI);
    return true;
  });
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_string() {
  static const std::vector<Row> rows = {
#include "cpu/table/string.inc"
  };
  return rows;
}
}  // namespace cpu
