#include "devices/iobus.h"

#include <stdexcept>

namespace devices {

void IoBus::map(uint16_t first, uint16_t last, ReadFn read, WriteFn write) {
  for (const Range& r : ranges_)
    if (!(last < r.first || first > r.last)) throw std::logic_error("I/O port ranges overlap");
  ranges_.push_back(Range{first, last, std::move(read), std::move(write)});
}

void IoBus::unmap(uint16_t first, uint16_t last) {
  std::erase_if(ranges_, [&](const Range& r) { return r.first >= first && r.last <= last; });
}

const IoBus::Range* IoBus::find(uint16_t port) const {
  for (const Range& r : ranges_)
    if (port >= r.first && port <= r.last) return &r;
  return nullptr;
}

uint32_t IoBus::in(uint16_t port, unsigned size) {
  const Range* r = find(port);
  uint32_t ones = size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
  if (!r || !r->read) return ones;
  return r->read(port, size) & ones;
}

void IoBus::out(uint16_t port, unsigned size, uint32_t value) {
  const Range* r = find(port);
  if (r && r->write) r->write(port, size, value);
}

}  // namespace devices
