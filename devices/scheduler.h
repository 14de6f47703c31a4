// devices::Scheduler: virtual time for every device (DESIGN.md principle 8).
//
// Virtual time is derived from the instructions the CPU has retired (its TSC
// counter) at a fixed rate, so a run is deterministic: the same image and the
// same inputs give the same device timing in either engine, however fast the
// host is. Devices never read the host clock; wall-clock pacing for a person
// at the window is applied outside the core.
//
// A device creates timers once and arms them with an absolute virtual time in
// nanoseconds; the Machine runs the CPU until the earliest deadline
// (instructions_until()), then calls run_due() to fire what is due, in
// deadline order (ties in creation order).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace devices {

class Scheduler {
 public:
  using TimerId = uint32_t;
  using Callback = std::function<void(uint64_t now_ns)>;
  static constexpr uint64_t kNever = ~0ull;

  // `clock` is the CPU's retired-instruction counter; `ips` the virtual CPU
  // speed in instructions per second.
  Scheduler(const uint64_t* clock, uint64_t ips);

  uint64_t ips() const { return ips_; }
  uint64_t now() const { return insns_to_ns(*clock_); }
  uint64_t insns_to_ns(uint64_t n) const;
  uint64_t ns_to_insns(uint64_t ns) const;  // rounded up: the deadline is reached

  TimerId add(std::string name, Callback cb);
  void arm(TimerId t, uint64_t when_ns);  // absolute virtual time; re-arming moves it
  void arm_after(TimerId t, uint64_t delay_ns) { arm(t, now() + delay_ns); }
  void disarm(TimerId t);
  bool armed(TimerId t) const { return timers_[t].when != kNever; }
  uint64_t deadline(TimerId t) const { return timers_[t].when; }

  // Instructions the CPU may retire before the earliest deadline (at least 1),
  // capped at `cap`.
  uint64_t instructions_until_next(uint64_t cap) const;
  // Fire every timer whose deadline is <= now(). A callback may re-arm timers.
  void run_due();

  // While the CPU runs a slice that ends at instruction count `end`, a timer
  // armed (by a device the CPU is programming) to fire before that end calls
  // `cut` once, which makes the engine return early so the timer fires on
  // time. Outside slices (end_slice) arming never cuts.
  void begin_slice(uint64_t end, std::function<void()> cut) {
    slice_end_ = end;
    cut_ = std::move(cut);
  }
  void end_slice() { slice_end_ = kNever; }

 private:
  struct Timer {
    std::string name;
    Callback cb;
    uint64_t when = kNever;
  };
  const uint64_t* clock_;
  uint64_t ips_;
  uint64_t slice_end_ = kNever;
  std::function<void()> cut_;
  std::vector<Timer> timers_;
};

// An interrupt request line as a device sees it (the PIC implements it).
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void set_irq(unsigned line, bool level) = 0;
};

}  // namespace devices
