// Reference handlers: the alu family (rows in cpu/table/alu.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_alu() {
  static const std::vector<Row> rows = {
#include "cpu/table/alu.inc"
  };
  return rows;
}
}  // namespace cpu
