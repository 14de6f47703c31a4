// Reference handlers: data movement (rows in cpu/table/move.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

template <class T> void mov_EG(Cpu& c, const Insn& i) { write_rm<T>(c, i, read_reg<T>(c, i)); }
template <class T> void mov_GE(Cpu& c, const Insn& i) { write_reg<T>(c, i, read_rm<T>(c, i)); }
template <class T> void mov_EI(Cpu& c, const Insn& i) { write_rm<T>(c, i, imm<T>(i)); }
template <class T> void mov_ZI(Cpu& c, const Insn& i) { setr<T>(c, i.reg, imm<T>(i)); }
// MOV AL/eAX, moffs and back: the offset is the displacement.
template <class T> void mov_A_O(Cpu& c, const Insn& i) { setr<T>(c, EAX, read_mem<T>(c, i.seg, i.disp)); }
template <class T> void mov_O_A(Cpu& c, const Insn& i) { write_mem<T>(c, i.seg, i.disp, getr<T>(c, EAX)); }

template <class T> void lea(Cpu& c, const Insn& i) { write_reg<T>(c, i, T(ea(c, i))); }

template <class T> void nop(Cpu&, const Insn&) {}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_move() {
  static const std::vector<Row> rows = {
#include "cpu/table/move.inc"
  };
  return rows;
}
}  // namespace cpu
