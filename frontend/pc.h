// Runs the PC (devices::Machine) from the command-line options, headless or in the window.
#pragma once
#include <string>

#include "frontend/options.h"

namespace frontend {
int run_pc(const Options& o);  // the process exit status
// "sdl" or "none" for -display auto|sdl|none: auto and sdl give sdl when a
// window can be opened. An explicit sdl that cannot be opened prints why and
// sets *failed.
std::string resolve_display(const std::string& display, bool* failed);
}
