// Reference handlers: the muldiv family (rows in cpu/table/muldiv.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_muldiv() {
  static const std::vector<Row> rows = {
#include "cpu/table/muldiv.inc"
  };
  return rows;
}
}  // namespace cpu
