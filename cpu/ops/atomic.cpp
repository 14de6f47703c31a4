// Reference handlers: XADD, CMPXCHG, CMPXCHG8B (rows in cpu/table/atomic.inc).
//
// The interpreter runs one CPU, so LOCK needs no extra work here; what matters
// is the bus behaviour the SDM describes: a memory destination is always
// written (CMPXCHG writes the old value back when the comparison fails), so a
// read-only destination faults whether or not the comparison succeeds.
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

// XADD Eb,Gb / Ev,Gv: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP.
// The register (source) is written first, so with the same register for both
// operands the destination's sum is what remains.
// The memory address is computed once, before the register (which may be
// part of it) is written; memory is written first, as a fault must leave the
// register unchanged.
template <class T> void xadd(Cpu& c, const Insn& i) {
  T s = read_reg<T>(c, i);
  if (i.mem()) {
    uint32_t off = ea(c, i);
    T d = read_mem<T>(c, i.seg, off);
    T sum = flags::add<T>(c.eflags, d, s);
    write_mem<T>(c, i.seg, off, sum);
    write_reg<T>(c, i, d);
    return;
  }
  T d = getr<T>(c, i.rm);
  T sum = flags::add<T>(c.eflags, d, s);
  write_reg<T>(c, i, d);
  setr<T>(c, i.rm, sum);
}

// CMPXCHG Eb,Gb / Ev,Gv: flags as CMP accumulator, DEST. Equal: DEST = SRC.
// Not equal: DEST = DEST (a write cycle), accumulator = DEST.
template <class T> void cmpxchg(Cpu& c, const Insn& i) {
  T d = read_rm<T>(c, i);
  T acc = getr<T>(c, EAX);
  flags::sub<T>(c.eflags, acc, d);
  if (acc == d) {
    write_rm<T>(c, i, read_reg<T>(c, i));
  } else {
    write_rm<T>(c, i, d);
    setr<T>(c, EAX, d);
  }
}

// CMPXCHG8B m64: EDX:EAX == m64 ? (ZF = 1, m64 = ECX:EBX) : (ZF = 0,
// EDX:EAX = m64, m64 written back). Only ZF changes. The register form is #UD.
template <class T> void cmpxchg8b(Cpu& c, const Insn& i) {
  if (!i.mem()) fault(c, kUD, 0);
  uint32_t off = ea(c, i);
  uint64_t d = read_mem<uint64_t>(c, i.seg, off);
  uint64_t acc = uint64_t(c.gpr[EDX]) << 32 | c.gpr[EAX];
  if (acc == d) {
    write_mem<uint64_t>(c, i.seg, off, uint64_t(c.gpr[ECX]) << 32 | c.gpr[EBX]);
    c.eflags |= ZF;
  } else {
    write_mem<uint64_t>(c, i.seg, off, d);
    c.gpr[EAX] = uint32_t(d);
    c.gpr[EDX] = uint32_t(d >> 32);
    c.eflags &= ~ZF;
  }
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_atomic() {
  static const std::vector<Row> rows = {
#include "cpu/table/atomic.inc"
  };
  return rows;
}
}  // namespace cpu
