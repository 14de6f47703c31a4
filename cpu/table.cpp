// The instruction table: the families' rows in one array, in family order.
#include "cpu/table.h"

#include <vector>

namespace cpu {

std::span<const Row> table() {
  static const std::vector<Row> all = [] {
    std::vector<Row> v;
#define XLAT86_FAMILY(name)         \
  for (const Row& r : rows_##name()) \
    v.push_back(r);
#include "cpu/table/families.inc"
#undef XLAT86_FAMILY
    return v;
  }();
  return all;
}

}  // namespace cpu
