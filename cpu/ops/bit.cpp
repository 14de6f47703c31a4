// Reference handlers: the bit family (rows in cpu/table/bit.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_bit() {
  static const std::vector<Row> rows = {
#include "cpu/table/bit.inc"
  };
  return rows;
}
}  // namespace cpu
