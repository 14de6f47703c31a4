// Reference handlers: system and miscellaneous instructions (rows in
// cpu/table/system.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {

// Port I/O permission: real mode always; protected mode needs CPL <= IOPL
// (the TSS I/O permission bitmap arrives with the system-architecture layer).
void check_io(Cpu& c, uint16_t port, unsigned size) {
  if (c.real_mode()) return;
  if (c.v86() || c.cpl > ((c.eflags & IOPL) >> 12)) fault(c, kGP, 0);
  (void)port; (void)size;
}

template <class T> void in_imm(Cpu& c, const Insn& i) {
  uint16_t port = uint8_t(i.imm);
  check_io(c, port, sizeof(T));
  setr<T>(c, EAX, T(c.io->in(port, sizeof(T))));
}
template <class T> void in_dx(Cpu& c, const Insn& i) {
  uint16_t port = uint16_t(c.gpr[EDX]);
  check_io(c, port, sizeof(T));
  setr<T>(c, EAX, T(c.io->in(port, sizeof(T))));
}
template <class T> void out_imm(Cpu& c, const Insn& i) {
  uint16_t port = uint8_t(i.imm);
  check_io(c, port, sizeof(T));
  c.io->out(port, sizeof(T), getr<T>(c, EAX));
}
template <class T> void out_dx(Cpu& c, const Insn& i) {
  uint16_t port = uint16_t(c.gpr[EDX]);
  check_io(c, port, sizeof(T));
  c.io->out(port, sizeof(T), getr<T>(c, EAX));
}

template <class T> void hlt(Cpu& c, const Insn&) {
  if (!c.real_mode() && c.cpl != 0) fault(c, kGP, 0);
  c.halted = 1;
  c.events |= EV_HALT;
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_system() {
  static const std::vector<Row> rows = {
#include "cpu/table/system.inc"
  };
  return rows;
}
}  // namespace cpu
