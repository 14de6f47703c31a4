// Reference handlers: the string family (rows in cpu/table/string.inc).
#include <vector>

#include "cpu/ops/common.h"

namespace cpu::ops {
namespace {
}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_string() {
  static const std::vector<Row> rows = {
#include "cpu/table/string.inc"
  };
  return rows;
}
}  // namespace cpu
