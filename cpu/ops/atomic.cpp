// Reference handlers: the atomic family (rows in cpu/table/atomic.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
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
