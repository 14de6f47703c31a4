#include "frontend/emulator.h"

#include <chrono>

#include "devices/vga.h"

namespace frontend {

using Clock = std::chrono::steady_clock;

void FrameExchange::publish(Picture& p) {
  std::lock_guard<std::mutex> g(mu_);
  std::swap(ready_, p);
  fresh_ = true;
}

bool FrameExchange::take(Picture& p) {
  std::lock_guard<std::mutex> g(mu_);
  if (!fresh_) return false;
  std::swap(ready_, p);
  fresh_ = false;
  return true;
}

Emulator::Emulator(devices::Machine& m, Config cfg) : m_(m), cfg_(std::move(cfg)) {}

Emulator::~Emulator() {
  if (thread_.joinable()) {
    post(HostInput{HostInput::Quit});
    thread_.join();
  }
}

void Emulator::start() {
  insn_base_ = m_.cpu().tsc;
  idle_base_ = m_.idle_insns();
  publish_counters();
  thread_ = std::thread([this] { loop(); });
}

void Emulator::post(const HostInput& in) {
  {
    std::lock_guard<std::mutex> g(mu_);
    queue_.push_back(in);
  }
  cv_.notify_one();
}

void Emulator::join() {
  if (thread_.joinable()) thread_.join();
}

bool Emulator::wait_input(uint64_t ns) {
  std::unique_lock<std::mutex> g(mu_);
  return cv_.wait_for(g, std::chrono::nanoseconds(ns), [this] { return !queue_.empty(); });
}

void Emulator::publish_counters() {
  executed_ = (m_.cpu().tsc - insn_base_) - (m_.idle_insns() - idle_base_);
  virt_ns_ = m_.now_ns();
}

void Emulator::render_frame(bool notify) {
  m_.vga().render(work_.frame);
  work_.aspect = pixel_aspect(m_.vga(), work_.frame.width, work_.frame.height);
  frames_.publish(work_);
  ++frame_count_;
  if (notify && cfg_.notify) cfg_.notify();
}

void Emulator::loop() {
  auto wall0 = Clock::now();
  uint64_t virt0 = m_.now_ns();
  auto rebase = [&] {
    wall0 = Clock::now();
    virt0 = m_.now_ns();
  };
  const bool frames = cfg_.frame_interval_ns != 0;
  const auto interval = std::chrono::nanoseconds(cfg_.frame_interval_ns);
  auto last_frame = Clock::now() - interval;  // the first frame comes at once
  bool quit = false, paused = false, halted = false;
  std::deque<HostInput> batch;

  for (;;) {
    batch.clear();
    {
      std::lock_guard<std::mutex> g(mu_);
      batch.swap(queue_);
    }
    for (const HostInput& in : batch) {
      switch (in.kind) {
        case HostInput::Key: m_.key(std::span<const uint8_t>(in.bytes, in.len)); halted = false; break;
        case HostInput::Mouse: m_.mouse(in.dx, in.dy, in.buttons, in.dz); halted = false; break;
        case HostInput::Reset: m_.request_reset(); halted = false; break;
        case HostInput::Pause: paused = true; break;
        case HostInput::Resume: if (paused) paused = false, rebase(); break;
        case HostInput::Quit: quit = true; break;
      }
    }
    paused_ = paused;
    halted_ = halted;
    if (quit) break;
    if (paused || halted) {
      // Nothing runs; keep the picture current (input may change nothing, a
      // reset will), then sleep until the host says something.
      if (frames && Clock::now() - last_frame >= interval) render_frame(), last_frame = Clock::now();
      wait_input(100'000'000);
      rebase();
      continue;
    }
    if (cfg_.realtime) {
      int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - wall0).count();
      int64_t virt = int64_t(m_.now_ns() - virt0);
      if (virt - wall > 1'000'000) {  // ahead of the wall clock: sleep (input wakes us early)
        wait_input(uint64_t(virt - wall));
        continue;
      }
      if (wall - virt > 250'000'000) rebase();  // too slow to keep up: do not try to catch up
    }

    devices::Machine::Limits lim;
    uint64_t target = m_.now_ns() + cfg_.slice_ns;
    if (cfg_.max_ns) target = std::min(target, *cfg_.max_ns);
    lim.max_ns = target;
    if (cfg_.max_insns) {
      uint64_t done = m_.cpu().tsc - insn_base_;
      if (done >= *cfg_.max_insns) {
        reason_ = devices::StopReason::InsnLimit;
        break;
      }
      lim.max_insns = *cfg_.max_insns - done;
    }
    devices::StopReason why = m_.run(lim);
    publish_counters();
    bool end = false;
    switch (why) {
      case devices::StopReason::TimeLimit: end = cfg_.max_ns && m_.now_ns() >= *cfg_.max_ns; break;
      case devices::StopReason::InsnLimit: end = true; break;
      case devices::StopReason::PowerOff:
      case devices::StopReason::DebugExit: end = true; break;
      case devices::StopReason::HaltedForever:
        end = cfg_.stop_when_halted;
        halted = true;
        break;
    }
    if (end) {
      reason_ = why;
      break;
    }
    if (frames && Clock::now() - last_frame >= interval) {
      render_frame();
      last_frame = Clock::now();
    }
  }
  publish_counters();
  if (frames) render_frame(false);  // the last picture, there before finished() says so
  finished_ = true;
  if (cfg_.notify) cfg_.notify();
}

}  // namespace frontend
