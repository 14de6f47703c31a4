// Reference handlers: the control family (rows in cpu/table/control.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_control() {
  static const std::vector<Row> rows = {
#include "cpu/table/control.inc"
  };
  return rows;
}
}  // namespace cpu
