// The SDL2 window: shows the guest screen and feeds the keyboard and mouse to
// the PS/2 devices. SDL appears only in window.cpp.
#pragma once
#include <optional>
#include <string>

#include "devices/machine.h"
#include "frontend/options.h"

namespace frontend {

// True when a window can be opened: DISPLAY or WAYLAND_DISPLAY is set and
// SDL's video subsystem initialises with the X11 or Wayland driver (it then
// stays initialised for run_window). Otherwise false with the reason in *why.
bool display_available(std::string* why);

struct WindowResult {
  std::optional<devices::StopReason> stop;  // empty: the user quit (hotkey or close button)
  uint64_t executed = 0;                    // instructions the engine executed
  uint64_t frames = 0;                      // frames rendered by the emulator thread
};

// Runs `m` on an emulator thread (frontend/emulator.h) and shows it in a
// window until the guest stops (power off, debug exit, a limit) or the user
// quits. Throws std::runtime_error when the window cannot be created.
WindowResult run_window(devices::Machine& m, const Options& o);

}  // namespace frontend
