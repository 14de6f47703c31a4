// The command line, shaped like QEMU's so users feel at home.
//
// parse_options() turns argv into Options or throws OptionError with a message
// that names the offending option; nothing is opened or checked on disk here
// (the Machine does that and reports its own clear errors).
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace frontend {

struct OptionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TypedText {
  double at_seconds;  // virtual time
  std::string text;   // "\n" typed as Enter
};

struct PortLog {
  uint16_t port;
  std::string path;
};

struct Options {
  uint32_t ram_mb = 32;
  std::string fda, fdb;
  std::string hd[4];          // -hda .. -hdd (IDE primary master/slave, secondary master/slave)
  std::string cdrom;          // IDE secondary master unless -hdc is given (then secondary slave)
  std::string boot = "cad";   // -boot letters: a floppy, c disk, d CD-ROM
  std::string bios;           // firmware image (default: SeaBIOS from Debian's package)
  std::string vga_bios;       // VGA BIOS image (default: vgabios-stdvga.bin)
  std::string flat;           // --flat FILE: a real-mode flat binary at 0000:7C00, no firmware
  bool snapshot = false;
  std::string serial = "stdio";  // stdio | file:PATH | none (COM1)
  std::string serial2 = "none";  // -serial given twice: COM2
  std::string parallel;          // file:PATH for LPT1 data writes
  std::string display = "auto";  // auto (sdl when a display is available) | sdl | none
  bool full_screen = false;      // -full-screen: start in full-screen mode
  bool integer_scale = false;    // --integer-scale: whole-number picture scaling in the window
  std::string pace;              // --pace realtime|none ("": realtime with a window, none headless)
  std::string screenshot_dir = ".";  // where the screenshot hotkey writes its PNGs
  std::string screen_png;        // --screen-png FILE: at exit, the screen as rendered, in any mode
  std::string cpu = "jit";       // jit | interp
  std::string jit;               // --jit: translator options (jit/config.h)
  bool debug_exit = false;
  std::string bios_log;          // --bios-log FILE: SeaBIOS debug port 0x402
  std::string screen_dump;       // at exit: text (.txt) or PNG
  std::optional<double> max_seconds;
  std::optional<uint64_t> max_insns;
  std::optional<uint64_t> rtc_time;  // --rtc-time UNIX-SECONDS (deterministic runs)
  std::vector<TypedText> type;
  std::vector<PortLog> post_ports;
  bool stats = false;
  bool help = false;
  bool version = false;
};

Options parse_options(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace frontend
