// devices::Scheduler: virtual time from retired instructions, deadline order.
#include <doctest/doctest.h>

#include <vector>

#include "devices/scheduler.h"

using devices::Scheduler;

TEST_CASE("scheduler: virtual time follows the instruction counter") {
  uint64_t clock = 0;
  Scheduler s(&clock, 50'000'000);  // 50 MIPS: 20 ns per instruction
  CHECK(s.now() == 0);
  clock = 50'000'000;
  CHECK(s.now() == 1'000'000'000);
  CHECK(s.ns_to_insns(30) == 2);  // rounded up so the deadline is reached
  CHECK(s.insns_to_ns(3) == 60);
}

TEST_CASE("scheduler: timers fire in deadline order and may re-arm") {
  uint64_t clock = 0;
  Scheduler s(&clock, 1'000'000'000);  // 1 ns per instruction
  std::vector<int> fired;
  Scheduler::TimerId a = 0, b = 0;
  a = s.add("a", [&](uint64_t when) {
    fired.push_back(1);
    if (when < 300) s.arm(a, when + 100);  // periodic until 300
  });
  b = s.add("b", [&](uint64_t) { fired.push_back(2); });
  s.arm(a, 100);
  s.arm(b, 150);
  CHECK(s.instructions_until_next(1000) == 100);
  clock = 99;
  s.run_due();
  CHECK(fired.empty());
  clock = 250;
  s.run_due();
  CHECK(fired == std::vector<int>{1, 2, 1});
  CHECK(s.deadline(a) == 300);
  CHECK(s.instructions_until_next(1000) == 50);
  s.disarm(a);
  CHECK(s.instructions_until_next(1000) == 1000);
  CHECK(!s.armed(b));
}

TEST_CASE("scheduler: a timer armed during a slice for an earlier time cuts the slice once") {
  uint64_t clock = 0;
  devices::Scheduler s(&clock, 100'000'000);  // 10 ns per instruction
  auto t = s.add("t", [](uint64_t) {});
  int cuts = 0;
  s.begin_slice(1000, [&] { ++cuts; });
  s.arm(t, 20'000);  // instruction 2000: after the slice's end
  CHECK(cuts == 0);
  s.arm(t, 5'000);   // instruction 500: inside the slice
  CHECK(cuts == 1);
  s.arm(t, 6'000);   // already cut: once is enough
  CHECK(cuts == 1);
  s.end_slice();
  s.begin_slice(2000, [&] { ++cuts; });
  s.end_slice();
  s.arm(t, 100);     // outside a slice: never
  CHECK(cuts == 1);
}
