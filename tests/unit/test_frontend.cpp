// The SDL-free parts of the window: the set-2 key table, the picture layout,
// the window options, and the emulator thread (frames, input, pacing).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "devices/machine.h"
#include "frontend/emulator.h"
#include "frontend/keymap.h"
#include "frontend/options.h"
#include "frontend/view.h"
#include "test_vga_rig.h"

using frontend::KeySeq;
using frontend::set2_sequence;

namespace {

std::vector<uint8_t> bytes(const KeySeq& s) { return std::vector<uint8_t>(s.b, s.b + s.len); }
using V = std::vector<uint8_t>;

}  // namespace

TEST_CASE("keymap: plain, extended and modifier keys in scan code set 2") {
  // SDL scancodes = USB HID usages: A = 4, Enter = 40, Up = 82, Left Shift = 225.
  CHECK(bytes(set2_sequence(4, true)) == V{0x1C});
  CHECK(bytes(set2_sequence(4, false)) == V{0xF0, 0x1C});
  CHECK(bytes(set2_sequence(29, true)) == V{0x1A});           // Z
  CHECK(bytes(set2_sequence(30, true)) == V{0x16});           // 1
  CHECK(bytes(set2_sequence(39, true)) == V{0x45});           // 0
  CHECK(bytes(set2_sequence(40, true)) == V{0x5A});           // Enter
  CHECK(bytes(set2_sequence(41, false)) == V{0xF0, 0x76});    // Escape
  CHECK(bytes(set2_sequence(44, true)) == V{0x29});           // Space
  CHECK(bytes(set2_sequence(58, true)) == V{0x05});           // F1
  CHECK(bytes(set2_sequence(64, true)) == V{0x83});           // F7
  CHECK(bytes(set2_sequence(69, true)) == V{0x07});           // F12
  CHECK(bytes(set2_sequence(82, true)) == V{0xE0, 0x75});     // Up
  CHECK(bytes(set2_sequence(82, false)) == V{0xE0, 0xF0, 0x75});
  CHECK(bytes(set2_sequence(80, true)) == V{0xE0, 0x6B});     // Left
  CHECK(bytes(set2_sequence(76, true)) == V{0xE0, 0x71});     // Delete
  CHECK(bytes(set2_sequence(88, true)) == V{0xE0, 0x5A});     // keypad Enter
  CHECK(bytes(set2_sequence(84, false)) == V{0xE0, 0xF0, 0x4A});  // keypad /
  CHECK(bytes(set2_sequence(95, true)) == V{0x6C});           // keypad 7
  CHECK(bytes(set2_sequence(225, true)) == V{0x12});          // Left Shift
  CHECK(bytes(set2_sequence(229, true)) == V{0x59});          // Right Shift
  CHECK(bytes(set2_sequence(228, true)) == V{0xE0, 0x14});    // Right Ctrl
  CHECK(bytes(set2_sequence(230, false)) == V{0xE0, 0xF0, 0x11});  // Right Alt
  CHECK(bytes(set2_sequence(227, true)) == V{0xE0, 0x1F});    // Left GUI
  CHECK(bytes(set2_sequence(100, true)) == V{0x61});          // ISO key left of Z
  CHECK(set2_sequence(0, true).len == 0);                     // unknown
  CHECK(set2_sequence(5000, true).len == 0);
}

TEST_CASE("keymap: Print Screen and Pause") {
  using namespace frontend;
  CHECK(bytes(set2_sequence(kScanPrintScreen, true)) == V{0xE0, 0x12, 0xE0, 0x7C});
  CHECK(bytes(set2_sequence(kScanPrintScreen, false)) == V{0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12});
  CHECK(bytes(set2_sequence(kScanPrintScreen, true, KM_SHIFT)) == V{0xE0, 0x7C});
  CHECK(bytes(set2_sequence(kScanPrintScreen, false, KM_CTRL)) == V{0xE0, 0xF0, 0x7C});
  CHECK(bytes(set2_sequence(kScanPrintScreen, true, KM_ALT)) == V{0x84});  // SysRq
  CHECK(bytes(set2_sequence(kScanPrintScreen, false, KM_ALT)) == V{0xF0, 0x84});
  CHECK(bytes(set2_sequence(kScanPause, true)) == V{0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77});
  CHECK(set2_sequence(kScanPause, false).len == 0);
  CHECK(bytes(set2_sequence(kScanPause, true, KM_CTRL)) == V{0xE0, 0x7E, 0xE0, 0xF0, 0x7E});  // Break
  CHECK(set2_make_only(kScanPause));
  CHECK(!set2_make_only(4));
}

TEST_CASE("view: aspect-preserving and integer scaling") {
  using frontend::ViewRect;
  using frontend::fit_picture;
  CHECK(fit_picture(640, 480, 640, 480, false) == ViewRect{0, 0, 640, 480});
  CHECK(fit_picture(1280, 1024, 640, 480, false) == ViewRect{0, 32, 1280, 960});
  CHECK(fit_picture(1000, 800, 640, 480, false) == ViewRect{0, 25, 1000, 750});
  CHECK(fit_picture(1000, 800, 640, 480, true) == ViewRect{180, 160, 640, 480});
  CHECK(fit_picture(1300, 1000, 320, 200, true) == ViewRect{10, 100, 1280, 800});
  CHECK(fit_picture(2000, 400, 720, 400, false) == ViewRect{640, 0, 720, 400});
  CHECK(fit_picture(300, 300, 640, 480, true) == ViewRect{0, 37, 300, 225});  // smaller than 1x: fit
  CHECK(fit_picture(0, 0, 640, 480, false) == ViewRect{});
  CHECK(frontend::initial_zoom(320, 200, 1280, 1024) == 2);
  CHECK(frontend::initial_zoom(720, 400, 1280, 1024) == 1);
  CHECK(frontend::initial_zoom(160, 100, 1280, 1024) == 4);
  CHECK(frontend::initial_zoom(160, 100, 500, 1024) == 3);
  CHECK(frontend::initial_zoom(2560, 1600, 1280, 1024) == 1);
}

TEST_CASE("view: the shape of legacy VGA pixels on a monitor") {
  using frontend::PixelAspect;
  vgatest::Rig r;
  auto aspect = [&] {
    devices::Frame f = r.vga.render();
    return frontend::pixel_aspect(r.vga, f.width, f.height);
  };
  r.program(vgatest::kMode3);  // 80x25: 720x400 dots for 720x400 pixels
  CHECK(r.vga.render().width == 720);
  CHECK(aspect() == PixelAspect{1, 1});
  r.seq(1, 0x08);  // 40 columns: dot clock halved (360 pixels on 720 dots)
  r.crtc(0x11, 0x0E);  // unlock CRTC 0-7
  r.crtc(1, 0x27);
  CHECK(r.vga.render().width == 360);
  CHECK(aspect() == PixelAspect{2, 1});
  r.program(vgatest::kMode13);  // 320x200 on 640x400: square
  CHECK(aspect() == PixelAspect{1, 1});
  r.program(vgatest::kMode12);  // 640x480
  CHECK(aspect() == PixelAspect{1, 1});
  r.crtc(0x12, 0x8F);  // 400 lines, each row scanned twice: 640x200 (as mode 0Eh)
  r.crtc(9, 0x80);
  CHECK(r.vga.render().height == 200);
  CHECK(aspect() == PixelAspect{1, 2});
  r.dispi(vgatest::Rig::kXres, 800), r.dispi(vgatest::Rig::kYres, 600), r.dispi(vgatest::Rig::kBpp, 32);
  r.dispi(vgatest::Rig::kEnable, devices::Vga::kEnabled);
  CHECK(aspect() == PixelAspect{1, 1});  // VBE: square
}

TEST_CASE("options: the window") {
  auto o = frontend::parse_options({});
  CHECK(o.display == "auto");
  CHECK(o.pace.empty());
  CHECK(o.screenshot_dir == ".");
  o = frontend::parse_options({"-display", "sdl", "-full-screen", "--integer-scale", "--pace", "none",
                               "--screenshot-dir", "shots", "--screen-png", "s.png"});
  CHECK(o.display == "sdl");
  CHECK(o.full_screen);
  CHECK(o.integer_scale);
  CHECK(o.pace == "none");
  CHECK(o.screenshot_dir == "shots");
  CHECK(o.screen_png == "s.png");
  CHECK(frontend::parse_options({"-nographic"}).display == "none");
  CHECK_THROWS_AS(frontend::parse_options({"-display", "gtk"}), frontend::OptionError);
  CHECK_THROWS_AS(frontend::parse_options({"--pace", "fast"}), frontend::OptionError);
}

namespace {

// A 64 KiB "BIOS" whose reset vector polls the 8042 and copies every byte
// from port 0x60 to the debug console (port 0xE9).
std::string tiny_bios() {
  std::vector<uint8_t> rom(64 * 1024, 0xF4);
  const uint8_t code[] = {0xE4, 0x64,   // in al, 0x64
                          0xA8, 0x01,   // test al, 1
                          0x74, 0xFA,   // jz -6
                          0xE4, 0x60,   // in al, 0x60
                          0xE6, 0xE9,   // out 0xE9, al
                          0xEB, 0xF4};  // jmp -12
  std::copy(code, code + sizeof code, rom.begin() + 0xFFF0);
  std::string path = (std::filesystem::temp_directory_path() /
                      ("xlat86-unit-tiny-bios-" + std::to_string(getpid()) + ".bin")).string();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(rom.data()), rom.size());
  return path;
}

struct Rig {
  std::mutex mu;
  std::string console;
  std::unique_ptr<devices::Machine> m;
  Rig() {
    devices::MachineConfig cfg;
    cfg.bios = cfg.vga_bios = tiny_bios();  // read by the constructor, removed after it
    cfg.ips = 1'000'000;  // 1 virtual MIPS: the host is always faster
    cfg.debug_console = [this](uint8_t b) {
      std::lock_guard<std::mutex> g(mu);
      console += char(b);
    };
    m = std::make_unique<devices::Machine>(cfg);
    std::filesystem::remove(cfg.bios);
  }
  std::string text() {
    std::lock_guard<std::mutex> g(mu);
    return console;
  }
};

double run_for(devices::Machine& m, bool realtime, uint64_t ns) {
  frontend::Emulator::Config c;
  c.realtime = realtime;
  c.max_ns = m.now_ns() + ns;
  c.frame_interval_ns = 0;
  frontend::Emulator e(m, c);
  auto t0 = std::chrono::steady_clock::now();
  e.start();
  e.join();
  CHECK(e.stop_reason() == devices::StopReason::TimeLimit);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("emulator: realtime pacing follows the wall clock, unthrottled does not wait") {
  Rig r;
  double paced = run_for(*r.m, true, 300'000'000);
  CHECK(paced >= 0.29);
  CHECK(r.m->now_ns() >= 300'000'000);
  double flat = run_for(*r.m, false, 300'000'000);
  CHECK(flat < 0.25);
  CHECK(r.m->now_ns() >= 600'000'000);
}

TEST_CASE("emulator: frames, keys, pause, reset and quit across threads") {
  Rig r;
  std::atomic<int> notified{0};
  frontend::Emulator::Config c;
  c.frame_interval_ns = 5'000'000;
  c.notify = [&] { ++notified; };
  frontend::Emulator e(*r.m, c);
  // Waits up to 5 s for `cond` (a loaded CI machine may be slow).
  auto eventually = [](auto cond) {
    for (int i = 0; i < 500; ++i) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  e.start();
  CHECK(eventually([&] { return e.frames() >= 3 && notified.load() >= 3; }));
  frontend::Picture f;
  REQUIRE(e.take_frame(f));
  CHECK(f.frame.width > 0);
  CHECK(f.frame.pixels.size() == size_t(f.frame.width) * f.frame.height);
  CHECK(!e.take_frame(f));  // nothing new until the next frame
  CHECK(eventually([&] { return e.take_frame(f); }));

  frontend::HostInput key{frontend::HostInput::Key};
  key.len = 1, key.bytes[0] = 0x1C;  // A make, set 2: the 8042 translates it to set 1 (1Eh)
  e.post(key);
  key.len = 2, key.bytes[0] = 0xF0, key.bytes[1] = 0x1C;  // A break: 9Eh
  e.post(key);
  CHECK(eventually([&] { return r.text().size() >= 2; }));
  CHECK(r.text() == "\x1E\x9E");

  e.post(frontend::HostInput{frontend::HostInput::Pause});
  CHECK(eventually([&] { return e.paused(); }));
  uint64_t t = e.virtual_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(e.virtual_ns() == t);
  // Reset while paused, then resume: the reset is applied at the start of the
  // next slice, so once virtual time moves again it has happened. (Posting it
  // after Resume raced with the Quit below: a slice could run before the
  // reset was queued, and Quit could arrive before the next slice.)
  e.post(frontend::HostInput{frontend::HostInput::Reset});
  e.post(frontend::HostInput{frontend::HostInput::Resume});
  CHECK(eventually([&] { return !e.paused() && e.virtual_ns() > t; }));
  e.post(frontend::HostInput{frontend::HostInput::Quit});
  e.join();
  CHECK(e.finished());
  CHECK(!e.stop_reason());
  CHECK(r.m->resets() == 1);
}
