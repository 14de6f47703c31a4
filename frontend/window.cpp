// The SDL2 window (main thread) over frontend::Emulator (emulator thread).
//
// The main thread owns every SDL object. It waits for SDL events; the
// emulator thread wakes it with a user event when a frame is ready (at most
// one such event is pending at a time). Frames arrive at the guest's logical
// resolution with the shape of their pixels (pixel_aspect(): 2:1 for
// 40-column text, 1:2 for 640x200 graphics); the texture is re-created when
// the resolution changes and the window resized (at a zoom from
// initial_zoom()) when the picture's shape on a monitor changes, and the
// picture is placed by fit_picture() (aspect kept, optional integer scaling).
//
// Keyboard: SDL scancodes become set-2 sequences (frontend/keymap.h); host
// key repeat sends the make code again. Keys held when the window loses the
// focus are released, so the guest never sees a stuck key. Ctrl+Alt+letter
// hotkeys are taken by the window and not sent (the Ctrl and Alt presses
// before them are, as in QEMU).
// Mouse: a click grabs it (SDL relative mode; the click is not sent), then
// motion, buttons and the wheel go to the PS/2 mouse until Ctrl+Alt+G or a
// focus loss releases it. The title shows the engine, the MIPS the engine
// executed over the last second, the run state and the grab state.
#include "frontend/window.h"

#include <SDL.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>
#include <stdexcept>
#include <sys/stat.h>

#include "devices/vga_png.h"
#include "frontend/emulator.h"
#include "frontend/keymap.h"
#include "frontend/view.h"

namespace frontend {

bool display_available(std::string* why) {
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  if ((!x || !*x) && (!w || !*w)) {
    if (why) *why = "neither DISPLAY nor WAYLAND_DISPLAY is set";
    return false;
  }
  // Only X11 named: do not let SDL probe Wayland (and print libwayland's complaints).
  if ((!w || !*w) && !std::getenv("SDL_VIDEODRIVER")) SDL_SetHint(SDL_HINT_VIDEODRIVER, "x11");
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
    if (why) *why = std::string("SDL cannot open the display: ") + SDL_GetError();
    return false;
  }
  // When X11 and Wayland both fail SDL falls back to drivers that show nothing (offscreen).
  std::string driver = SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "";
  if (driver != "x11" && driver != "wayland") {
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    if (why) *why = "SDL cannot open the display named by DISPLAY/WAYLAND_DISPLAY (it offers '" + driver + "')";
    return false;
  }
  // Stay connected until the window opens: an X server whose last client
  // leaves resets itself (Xvfb does) and may refuse the next connection.
  return true;
}

namespace {

constexpr uint32_t kHotkeyMods = KMOD_CTRL | KMOD_ALT;

class Window {
 public:
  Window(devices::Machine& m, const Options& o) : m_(m), o_(o) {}
  ~Window();
  WindowResult run();

 private:
  void open();
  void handle(const SDL_Event& e);
  void key(const SDL_KeyboardEvent& k, bool down);
  bool hotkey(SDL_Scancode sc);
  void set_grab(bool on);
  void release_all();
  void mouse_input(int dx, int dy, int dz);
  void new_frame();
  void draw();
  void screenshot(const SDL_Rect& dst);
  void update_title(bool force);
  void toggle_fullscreen();
  void fit_window();

  devices::Machine& m_;
  const Options& o_;
  std::unique_ptr<Emulator> emu_;
  SDL_Window* win_ = nullptr;
  SDL_Renderer* ren_ = nullptr;
  SDL_Texture* tex_ = nullptr;
  unsigned tex_w_ = 0, tex_h_ = 0;  // the texture: the logical picture
  unsigned pic_w_ = 0, pic_h_ = 0;  // its shape on a monitor (texture x pixel aspect)
  Picture shown_;
  uint32_t frame_event_ = 0;
  std::atomic<bool> frame_event_pending_{false};
  bool quit_ = false, grabbed_ = false, fullscreen_ = false, integer_ = false, paused_ = false;
  bool want_shot_ = false;
  unsigned buttons_ = 0;
  std::set<int> pressed_;    // scancodes whose make was sent
  std::set<int> swallowed_;  // hotkeys whose release must not reach the guest
  std::string title_, engine_;
  std::chrono::steady_clock::time_point title_at_;
  uint64_t title_executed_ = 0;
  double mips_ = 0;
  unsigned shot_serial_ = 0;
};

Window::~Window() {
  if (emu_) {
    emu_->post(HostInput{HostInput::Quit});
    emu_->join();
  }
  if (tex_) SDL_DestroyTexture(tex_);
  if (ren_) SDL_DestroyRenderer(ren_);
  if (win_) SDL_DestroyWindow(win_);
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

void Window::open() {
  SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "0");  // nearest: guest pixels stay sharp
  SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
  SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");  // while grabbed, Alt+Tab and friends go to the guest
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
    throw std::runtime_error(std::string("cannot open the SDL window: ") + SDL_GetError() +
                             " (use -display none for a headless run)");
  fullscreen_ = o_.full_screen;
  integer_ = o_.integer_scale;
  uint32_t flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
  if (fullscreen_) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
  win_ = SDL_CreateWindow("xlat86", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 720, 400, flags);
  if (!win_) throw std::runtime_error(std::string("cannot create the window: ") + SDL_GetError());
  ren_ = SDL_CreateRenderer(win_, -1, 0);
  if (!ren_) throw std::runtime_error(std::string("cannot create a renderer: ") + SDL_GetError());
  frame_event_ = SDL_RegisterEvents(1);
  if (frame_event_ == uint32_t(-1)) throw std::runtime_error("SDL has no user events left");
  SDL_SetRenderDrawColor(ren_, 0, 0, 0, 255);
  SDL_RenderClear(ren_);
  SDL_RenderPresent(ren_);
}

WindowResult Window::run() {
  open();
  Emulator::Config cfg;
  cfg.realtime = o_.pace != "none";
  if (o_.max_seconds) cfg.max_ns = uint64_t(*o_.max_seconds * 1e9);
  cfg.max_insns = o_.max_insns;
  cfg.notify = [this] {
    if (frame_event_pending_.exchange(true)) return;
    SDL_Event e{};
    e.type = frame_event_;
    SDL_PushEvent(&e);
  };
  engine_ = m_.engine().name();
  emu_ = std::make_unique<Emulator>(m_, cfg);
  title_at_ = std::chrono::steady_clock::now();
  emu_->start();
  update_title(true);

  while (!quit_) {
    SDL_Event e;
    if (SDL_WaitEventTimeout(&e, 250)) {
      handle(e);
      while (!quit_ && SDL_PollEvent(&e)) handle(e);
    }
    update_title(false);
    if (emu_->finished()) {
      new_frame();  // the last picture (for a screenshot taken at the very end)
      break;
    }
  }
  if (!emu_->finished()) emu_->post(HostInput{HostInput::Quit});
  emu_->join();
  WindowResult r;
  r.stop = emu_->stop_reason();
  r.executed = emu_->executed();
  r.frames = emu_->frames();
  emu_.reset();
  return r;
}

void Window::handle(const SDL_Event& e) {
  if (e.type == frame_event_) {
    frame_event_pending_ = false;
    new_frame();
    return;
  }
  switch (e.type) {
    case SDL_QUIT: quit_ = true; break;
    case SDL_WINDOWEVENT:
      switch (e.window.event) {
        case SDL_WINDOWEVENT_CLOSE: quit_ = true; break;
        case SDL_WINDOWEVENT_FOCUS_LOST: release_all(); set_grab(false); break;
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_SIZE_CHANGED: draw(); break;
      }
      break;
    case SDL_KEYDOWN: key(e.key, true); break;
    case SDL_KEYUP: key(e.key, false); break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
      if (!grabbed_) {
        if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT) set_grab(true);
        break;
      }
      unsigned bit = e.button.button == SDL_BUTTON_LEFT ? 1 : e.button.button == SDL_BUTTON_RIGHT ? 2
                   : e.button.button == SDL_BUTTON_MIDDLE ? 4 : 0;
      if (!bit) break;
      if (e.type == SDL_MOUSEBUTTONDOWN) buttons_ |= bit; else buttons_ &= ~bit;
      mouse_input(0, 0, 0);
      break;
    }
    case SDL_MOUSEMOTION:
      if (grabbed_ && (e.motion.xrel || e.motion.yrel)) mouse_input(e.motion.xrel, e.motion.yrel, 0);
      break;
    case SDL_MOUSEWHEEL:
      if (grabbed_ && e.wheel.y) {
        int dz = e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -e.wheel.y : e.wheel.y;
        mouse_input(0, 0, dz);
      }
      break;
  }
}

void Window::key(const SDL_KeyboardEvent& k, bool down) {
  SDL_Scancode sc = k.keysym.scancode;
  uint32_t mods = k.keysym.mod;  // as at this event (SDL_GetModState() is already later)
  if (down && (mods & KMOD_CTRL) && (mods & KMOD_ALT) && hotkey(sc)) {
    swallowed_.insert(sc);
    return;
  }
  if (!down && swallowed_.erase(sc)) return;
  if (!down && !pressed_.count(sc) && !set2_make_only(sc)) return;  // its make was never sent
  unsigned km = 0;
  if (mods & KMOD_CTRL) km |= KM_CTRL;
  if (mods & KMOD_SHIFT) km |= KM_SHIFT;
  if (mods & KMOD_ALT) km |= KM_ALT;
  if (down && k.repeat && set2_make_only(sc)) return;  // Pause does not repeat
  KeySeq s = set2_sequence(sc, down, km);
  if (down) pressed_.insert(sc); else pressed_.erase(sc);
  if (!s.len) return;
  HostInput in{HostInput::Key};
  in.len = s.len;
  std::copy(s.b, s.b + s.len, in.bytes);
  emu_->post(in);
}

bool Window::hotkey(SDL_Scancode sc) {
  switch (sc) {
    case SDL_SCANCODE_G: set_grab(false); return true;
    case SDL_SCANCODE_F: toggle_fullscreen(); return true;
    case SDL_SCANCODE_I: integer_ = !integer_; draw(); return true;
    case SDL_SCANCODE_P:
      paused_ = !paused_;
      emu_->post(HostInput{paused_ ? HostInput::Pause : HostInput::Resume});
      update_title(true);
      return true;
    case SDL_SCANCODE_R: emu_->post(HostInput{HostInput::Reset}); return true;
    case SDL_SCANCODE_S: want_shot_ = true; draw(); return true;
    case SDL_SCANCODE_Q: quit_ = true; return true;
    default: return false;
  }
}

void Window::set_grab(bool on) {
  if (on == grabbed_) return;
  if (SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE) != 0 && on) {
    std::fprintf(stderr, "xlat86: cannot grab the mouse: %s\n", SDL_GetError());
    return;
  }
  SDL_SetWindowGrab(win_, on ? SDL_TRUE : SDL_FALSE);
  grabbed_ = on;
  if (!on && buttons_) buttons_ = 0, mouse_input(0, 0, 0);
  update_title(true);
}

void Window::release_all() {
  for (int sc : pressed_) {
    KeySeq s = set2_sequence(unsigned(sc), false, 0);
    if (!s.len) continue;
    HostInput in{HostInput::Key};
    in.len = s.len;
    std::copy(s.b, s.b + s.len, in.bytes);
    emu_->post(in);
  }
  pressed_.clear();
  swallowed_.clear();
}

void Window::mouse_input(int dx, int dy, int dz) {
  HostInput in{HostInput::Mouse};
  in.dx = dx, in.dy = dy, in.dz = dz, in.buttons = buttons_;
  emu_->post(in);
}

void Window::new_frame() {
  if (!emu_->take_frame(shown_)) return;
  const devices::Frame& f = shown_.frame;
  unsigned w = f.width, h = f.height;
  if (!w || !h) return;
  unsigned pw = w * shown_.aspect.x, ph = h * shown_.aspect.y;
  if (!tex_ || w != tex_w_ || h != tex_h_) {
    if (tex_) SDL_DestroyTexture(tex_);
    tex_ = SDL_CreateTexture(ren_, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, int(w), int(h));
    if (!tex_) throw std::runtime_error(std::string("cannot create a texture: ") + SDL_GetError());
    tex_w_ = w, tex_h_ = h;
  }
  if (pw != pic_w_ || ph != pic_h_) {
    pic_w_ = pw, pic_h_ = ph;
    if (!fullscreen_) fit_window();
  }
  SDL_UpdateTexture(tex_, nullptr, f.pixels.data(), int(w * sizeof(uint32_t)));
  draw();
}

void Window::draw() {
  SDL_SetRenderDrawColor(ren_, 0, 0, 0, 255);
  SDL_RenderClear(ren_);
  SDL_Rect dst{0, 0, 0, 0};
  if (tex_) {
    int ow = 0, oh = 0;
    SDL_GetRendererOutputSize(ren_, &ow, &oh);
    ViewRect v = fit_picture(ow, oh, int(pic_w_), int(pic_h_), integer_);
    dst = SDL_Rect{v.x, v.y, v.w, v.h};
    SDL_RenderCopy(ren_, tex_, nullptr, &dst);
  }
  if (want_shot_ && tex_) {
    want_shot_ = false;
    screenshot(dst);
  }
  SDL_RenderPresent(ren_);
}

// The picture as the window shows it (scaled), read back from the renderer.
void Window::screenshot(const SDL_Rect& dst) {
  devices::Frame f;
  f.width = unsigned(dst.w), f.height = unsigned(dst.h);
  f.pixels.resize(size_t(f.width) * f.height);
  if (SDL_RenderReadPixels(ren_, &dst, SDL_PIXELFORMAT_RGB888, f.pixels.data(), int(f.width * 4)) != 0) {
    std::fprintf(stderr, "xlat86: screenshot failed: %s\n", SDL_GetError());
    return;
  }
  for (uint32_t& p : f.pixels) p &= 0xFFFFFF;
  mkdir(o_.screenshot_dir.c_str(), 0777);  // an existing directory is fine
  char stamp[32];
  std::time_t t = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  std::string path = o_.screenshot_dir + "/xlat86-" + stamp + "-" + std::to_string(++shot_serial_) + ".png";
  std::string err;
  if (devices::write_png(path, f, &err))
    std::fprintf(stderr, "xlat86: screenshot %s (%ux%u)\n", path.c_str(), f.width, f.height);
  else
    std::fprintf(stderr, "xlat86: screenshot failed: %s\n", err.c_str());
}

void Window::toggle_fullscreen() {
  fullscreen_ = !fullscreen_;
  SDL_SetWindowFullscreen(win_, fullscreen_ ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
  if (!fullscreen_ && tex_) fit_window();
  draw();
}

// The window at the picture's size times initial_zoom(); moved back onto the
// display (centred) when the new size would stick out of it.
void Window::fit_window() {
  int d = SDL_GetWindowDisplayIndex(win_);
  SDL_Rect b{0, 0, 1 << 16, 1 << 16};
  SDL_GetDisplayUsableBounds(d, &b);
  int z = initial_zoom(int(pic_w_), int(pic_h_), b.w, b.h);
  int w = int(pic_w_) * z, h = int(pic_h_) * z, x = 0, y = 0;
  SDL_SetWindowSize(win_, w, h);
  SDL_GetWindowPosition(win_, &x, &y);
  if (x < b.x || y < b.y || x + w > b.x + b.w || y + h > b.y + b.h)
    SDL_SetWindowPosition(win_, SDL_WINDOWPOS_CENTERED_DISPLAY(d), SDL_WINDOWPOS_CENTERED_DISPLAY(d));
}

void Window::update_title(bool force) {
  auto now = std::chrono::steady_clock::now();
  double dt = std::chrono::duration<double>(now - title_at_).count();
  if (!force && dt < 1.0) return;
  if (dt >= 0.5) {
    uint64_t n = emu_->executed();
    mips_ = (n - title_executed_) / dt / 1e6;
    title_executed_ = n;
    title_at_ = now;
  }
  char mips[32];
  std::snprintf(mips, sizeof mips, "%.1f MIPS", mips_);
  std::string t = "xlat86 - " + engine_ + " - " + mips;
  if (paused_) t += " - paused (Ctrl+Alt+P resumes)";
  else if (emu_->halted()) t += " - halted";
  t += grabbed_ ? " - mouse grabbed (Ctrl+Alt+G releases)" : " - click to grab the mouse";
  if (t != title_) SDL_SetWindowTitle(win_, t.c_str()), title_ = t;
}

}  // namespace

WindowResult run_window(devices::Machine& m, const Options& o) {
  Window w(m, o);
  return w.run();
}

}  // namespace frontend
