#include "devices/scheduler.h"

#include <stdexcept>

namespace devices {

Scheduler::Scheduler(const uint64_t* clock, uint64_t ips) : clock_(clock), ips_(ips) {
  if (!ips_) throw std::invalid_argument("virtual CPU speed must be positive");
}

uint64_t Scheduler::insns_to_ns(uint64_t n) const {
  return uint64_t((unsigned __int128)n * 1000000000u / ips_);
}

uint64_t Scheduler::ns_to_insns(uint64_t ns) const {
  return uint64_t(((unsigned __int128)ns * ips_ + 999999999u) / 1000000000u);
}

Scheduler::TimerId Scheduler::add(std::string name, Callback cb) {
  timers_.push_back(Timer{std::move(name), std::move(cb), kNever});
  return TimerId(timers_.size() - 1);
}

void Scheduler::arm(TimerId t, uint64_t when_ns) {
  timers_.at(t).when = when_ns;
  if (slice_end_ != kNever && ns_to_insns(when_ns) < slice_end_) {
    slice_end_ = kNever;
    if (cut_) cut_();
  }
}
void Scheduler::disarm(TimerId t) { timers_.at(t).when = kNever; }

uint64_t Scheduler::instructions_until_next(uint64_t cap) const {
  uint64_t earliest = kNever;
  for (const Timer& t : timers_) earliest = t.when < earliest ? t.when : earliest;
  if (earliest == kNever) return cap;
  uint64_t target = ns_to_insns(earliest);
  uint64_t clock = *clock_;
  if (target <= clock) return 1;
  uint64_t n = target - clock;
  return n < cap ? n : cap;
}

void Scheduler::run_due() {
  // Fire in deadline order; a callback may arm timers that are due at once.
  for (;;) {
    uint64_t t_now = now();
    size_t best = timers_.size();
    for (size_t k = 0; k < timers_.size(); ++k)
      if (timers_[k].when <= t_now && (best == timers_.size() || timers_[k].when < timers_[best].when))
        best = k;
    if (best == timers_.size()) return;
    uint64_t when = timers_[best].when;
    timers_[best].when = kNever;
    timers_[best].cb(when);
  }
}

}  // namespace devices
