#include "devices/iobus.h"

#include <cstdio>
#include <stdexcept>

namespace devices {

IoBus::IoBus() { by_port_.fill(nullptr); }

void IoBus::map(uint16_t first, uint16_t last, ReadFn read, WriteFn write) {
  if (last < first) throw std::logic_error("I/O port range is empty");
  for (uint32_t p = first; p <= last; ++p)
    if (by_port_[p]) {
      char msg[96];
      std::snprintf(msg, sizeof msg, "I/O ports %04X-%04X overlap %04X-%04X", first, last,
                    by_port_[p]->first, by_port_[p]->last);
      throw std::logic_error(msg);
    }
  ranges_.push_back(std::make_unique<Range>(Range{first, last, std::move(read), std::move(write)}));
  for (uint32_t p = first; p <= last; ++p) by_port_[p] = ranges_.back().get();
}

void IoBus::unmap(uint16_t first, uint16_t last) {
  for (size_t k = 0; k < ranges_.size();) {
    Range* r = ranges_[k].get();
    if (r->first >= first && r->last <= last) {
      for (uint32_t p = r->first; p <= r->last; ++p) by_port_[p] = nullptr;
      released_.push_back(std::move(ranges_[k]));
      ranges_.erase(ranges_.begin() + long(k));
    } else {
      ++k;
    }
  }
  if (!depth_) released_.clear();
}

void IoBus::tap_writes(uint16_t port, TapFn fn) { taps_.emplace_back(port, std::move(fn)); }

uint32_t IoBus::in(uint16_t port, unsigned size) {
  uint32_t ones = size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
  Range* r = by_port_[port];
  if (!r || !r->read) return ones;
  ++depth_;
  uint32_t v = r->read(port, size) & ones;
  if (--depth_ == 0 && !released_.empty()) released_.clear();
  return v;
}

void IoBus::out(uint16_t port, unsigned size, uint32_t value) {
  for (auto& [p, fn] : taps_)
    if (p == port) fn(port, size, value);
  Range* r = by_port_[port];
  if (!r || !r->write) return;
  ++depth_;
  r->write(port, size, value);
  if (--depth_ == 0 && !released_.empty()) released_.clear();
}

}  // namespace devices
