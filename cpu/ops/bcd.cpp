// Reference handlers: the bcd family (rows in cpu/table/bcd.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_bcd() {
  static const std::vector<Row> rows = {
#include "cpu/table/bcd.inc"
  };
  return rows;
}
}  // namespace cpu
