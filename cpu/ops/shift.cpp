// Reference handlers: the shift family (rows in cpu/table/shift.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_shift() {
  static const std::vector<Row> rows = {
#include "cpu/table/shift.inc"
  };
  return rows;
}
}  // namespace cpu
