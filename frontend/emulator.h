// frontend::Emulator: runs a devices::Machine on its own thread, for the
// window (and for headless runs paced to real time).
//
// The Machine is not thread-safe, so only the emulator thread touches it
// between start() and join(). It runs the machine in short slices of virtual
// time; between slices it applies the host input queued by post() (keys,
// mouse, reset, pause, quit) and, every `frame_interval_ns` of wall time,
// renders the screen (Vga::render) into a Frame and publishes it through a
// FrameExchange, which the window thread takes from: three Frame buffers
// swapped under a mutex, so neither side waits for the other and drawing
// never slows the guest.
//
// Pacing: with `realtime`, the thread sleeps whenever the guest's virtual
// time runs ahead of the wall clock since start (a guest that cannot keep
// up runs flat out, and its lag is forgotten rather than caught up in a
// burst); without it the machine runs as fast as it can.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "devices/machine.h"
#include "devices/vga_png.h"
#include "frontend/view.h"

namespace frontend {

// One item of host input, posted from the window thread.
struct HostInput {
  enum Kind : uint8_t { Key, Mouse, Reset, Pause, Resume, Quit };
  Kind kind = Key;
  uint8_t len = 0;        // Key: the set-2 sequence
  uint8_t bytes[8] = {};
  int dx = 0, dy = 0, dz = 0;  // Mouse: motion (dy > 0 down), wheel (dz > 0 up)
  unsigned buttons = 0;        // Mouse: bit 0 left, 1 right, 2 middle
};

// A rendered screen and the shape of its pixels on a monitor (view.h).
struct Picture {
  devices::Frame frame;
  PixelAspect aspect;
};

// The latest finished picture, handed from one producer thread to one consumer.
class FrameExchange {
 public:
  // Producer: swap `p` in as the newest picture (p receives an old buffer to reuse).
  void publish(Picture& p);
  // Consumer: swap the newest picture into `p` if one arrived since the last take.
  bool take(Picture& p);

 private:
  std::mutex mu_;
  Picture ready_;
  bool fresh_ = false;
};

class Emulator {
 public:
  struct Config {
    bool realtime = true;
    uint64_t slice_ns = 4'000'000;            // virtual time per Machine::run() call
    uint64_t frame_interval_ns = 16'666'667;  // wall time between frames (0: no frames)
    bool stop_when_halted = false;            // end the run on HaltedForever (headless)
    std::optional<uint64_t> max_ns;           // virtual-time limit (absolute)
    std::optional<uint64_t> max_insns;        // instructions from start()
    // Called on the emulator thread after a frame was published and when the
    // run ends (e.g. to wake the window's event loop). Must be thread-safe.
    std::function<void()> notify;
  };

  Emulator(devices::Machine& m, Config cfg);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  void start();
  void post(const HostInput& in);  // from any thread
  void join();                     // wait for the thread (after Quit or the end of the run)
  bool take_frame(Picture& p) { return frames_.take(p); }

  // Readable from any thread while running.
  bool finished() const { return finished_.load(); }
  bool paused() const { return paused_.load(); }
  bool halted() const { return halted_.load(); }
  uint64_t executed() const { return executed_.load(); }  // by the engine since start()
  uint64_t virtual_ns() const { return virt_ns_.load(); }
  uint64_t frames() const { return frame_count_.load(); }
  // After join(): why the run ended; empty when the host quit.
  std::optional<devices::StopReason> stop_reason() const { return reason_; }

 private:
  void loop();
  void render_frame(bool notify = true);
  void publish_counters();
  // Wait until input arrives or `ns` passes; false when it timed out.
  bool wait_input(uint64_t ns);

  devices::Machine& m_;
  Config cfg_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HostInput> queue_;
  FrameExchange frames_;
  Picture work_;
  uint64_t insn_base_ = 0, idle_base_ = 0;
  std::optional<devices::StopReason> reason_;
  std::atomic<bool> finished_{false}, paused_{false}, halted_{false};
  std::atomic<uint64_t> executed_{0}, virt_ns_{0}, frame_count_{0};
};

}  // namespace frontend
