// Reference handlers: the stack family (rows in cpu/table/stack.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_stack() {
  static const std::vector<Row> rows = {
#include "cpu/table/stack.inc"
  };
  return rows;
}
}  // namespace cpu
