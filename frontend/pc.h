// Runs the PC (devices::Machine) headless from the command-line options.
#pragma once
#include "frontend/options.h"

namespace frontend {
int run_pc(const Options& o);  // the process exit status
}
