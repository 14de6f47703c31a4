#include "frontend/options.h"

#include "jit/config.h"

#include <cerrno>
#include <cstdlib>

namespace frontend {
namespace {

uint64_t parse_uint(const std::string& opt, const std::string& s, uint64_t lo, uint64_t hi) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || *end || errno || s[0] == '-')
    throw OptionError("option " + opt + ": '" + s + "' is not a number");
  if (v < lo || v > hi)
    throw OptionError("option " + opt + ": " + s + " is out of range (" + std::to_string(lo) + ".." +
                      std::to_string(hi) + ")");
  return v;
}

double parse_seconds(const std::string& opt, const std::string& s) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || errno || !(v >= 0) || v > 1e7)
    throw OptionError("option " + opt + ": '" + s + "' is not a number of seconds");
  return v;
}

// "--type 5:ver\n" -> (5 s, "ver" + Enter). Backslash escapes: \n, \t, \\.
TypedText parse_type(const std::string& opt, const std::string& s) {
  size_t colon = s.find(':');
  if (colon == std::string::npos) throw OptionError("option " + opt + ": expected SECONDS:TEXT");
  TypedText t{parse_seconds(opt, s.substr(0, colon)), ""};
  for (size_t k = colon + 1; k < s.size(); ++k) {
    if (s[k] == '\\' && k + 1 < s.size()) {
      char e = s[++k];
      t.text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    } else {
      t.text += s[k];
    }
  }
  return t;
}

PortLog parse_port_log(const std::string& opt, const std::string& s) {
  size_t colon = s.find(':');
  if (colon == std::string::npos || colon + 1 == s.size())
    throw OptionError("option " + opt + ": expected PORT:FILE (e.g. 0x80:post.txt)");
  return PortLog{uint16_t(parse_uint(opt, s.substr(0, colon), 0, 0xFFFF)), s.substr(colon + 1)};
}

void check_chardev(const std::string& opt, const std::string& v) {
  if (v == "stdio" || v == "none" || (v.rfind("file:", 0) == 0 && v.size() > 5)) return;
  throw OptionError("option " + opt + ": '" + v + "' is not stdio, file:PATH or none");
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  int serials = 0;
  for (size_t k = 0; k < args.size(); ++k) {
    const std::string& a = args[k];
    auto value = [&]() -> const std::string& {
      if (k + 1 >= args.size()) throw OptionError("option " + a + " needs a value");
      return args[++k];
    };
    if (a == "-h" || a == "--help") o.help = true;
    else if (a == "--version") o.version = true;
    else if (a == "-m") o.ram_mb = uint32_t(parse_uint(a, value(), 1, 3072));
    else if (a == "-fda") o.fda = value();
    else if (a == "-fdb") o.fdb = value();
    else if (a == "-hda") o.hd[0] = value();
    else if (a == "-hdb") o.hd[1] = value();
    else if (a == "-hdc") o.hd[2] = value();
    else if (a == "-hdd") o.hd[3] = value();
    else if (a == "-cdrom") o.cdrom = value();
    else if (a == "-boot") {
      o.boot = value();
      if (o.boot.rfind("order=", 0) == 0) o.boot = o.boot.substr(6);
      if (o.boot.empty() || o.boot.find_first_not_of("acd") != std::string::npos)
        throw OptionError("option -boot: '" + o.boot + "': use the letters a (floppy), c (disk), d (CD-ROM)");
    } else if (a == "-bios") o.bios = value();
    else if (a == "-vga-bios") o.vga_bios = value();
    else if (a == "--flat") o.flat = value();
    else if (a == "-snapshot") o.snapshot = true;
    else if (a == "-serial") {
      std::string v = value();
      check_chardev(a, v);
      if (serials++ == 0) o.serial = v;
      else if (serials == 2) o.serial2 = v;
      else throw OptionError("option -serial: at most two serial ports (COM1, COM2)");
    } else if (a == "-parallel") {
      o.parallel = value();
      if (o.parallel.rfind("file:", 0) != 0 || o.parallel.size() <= 5)
        throw OptionError("option -parallel: expected file:PATH");
    } else if (a == "-display") {
      o.display = value();
      if (o.display != "none" && o.display != "sdl" && o.display != "auto")
        throw OptionError("option -display: '" + o.display + "': use sdl, none or auto");
    } else if (a == "-nographic") {
      o.display = "none";
      if (serials == 0) o.serial = "stdio";
    } else if (a == "-full-screen") o.full_screen = true;
    else if (a == "--integer-scale") o.integer_scale = true;
    else if (a == "--pace") {
      o.pace = value();
      if (o.pace != "realtime" && o.pace != "none")
        throw OptionError("option --pace: '" + o.pace + "': use realtime or none");
    } else if (a == "--screenshot-dir") {
      o.screenshot_dir = value();
      if (o.screenshot_dir.empty()) throw OptionError("option --screenshot-dir needs a directory");
    } else if (a == "--screen-png") o.screen_png = value();
    else if (a == "--cpu") {
      o.cpu = value();
      if (o.cpu != "interp" && o.cpu != "jit") throw OptionError("option --cpu: '" + o.cpu + "': interp or jit");
    } else if (a == "--jit") {
      o.jit = value();
      try {
        jit::parse_config(o.jit);
      } catch (const std::invalid_argument& e) {
        throw OptionError(e.what());
      }
    } else if (a == "--debug-exit") o.debug_exit = true;
    else if (a == "--bios-log") o.bios_log = value();
    else if (a == "--screen-dump") o.screen_dump = value();
    else if (a == "--max-seconds") o.max_seconds = parse_seconds(a, value());
    else if (a == "--max-insns") o.max_insns = parse_uint(a, value(), 1, ~0ull);
    else if (a == "--rtc-time") o.rtc_time = parse_uint(a, value(), 0, 4102444800ull);
    else if (a == "--type") o.type.push_back(parse_type(a, value()));
    else if (a == "--post-port") o.post_ports.push_back(parse_port_log(a, value()));
    else if (a == "--stats") o.stats = true;
    else if (!a.empty() && a[0] == '-') throw OptionError("unknown option " + a + " (see --help)");
    else if (o.flat.empty()) o.flat = a;  // a bare file name: a flat binary, as before the platform
    else throw OptionError("unexpected argument '" + a + "'");
  }
  if (!o.fda.empty() && o.fda == o.fdb) throw OptionError("-fda and -fdb name the same image");
  return o;
}

std::string usage_text() {
  return
      "usage: xlat86 [options] [FLAT-BINARY]\n"
      "With no arguments: boot the project's own floppy (build/roms/boot.img) through SeaBIOS.\n"
      "Machine:\n"
      "  -m MB                 guest RAM in MiB (default 32)\n"
      "  -fda FILE, -fdb FILE  floppy images (1.44 MB, 2.88 MB, 720 KB)\n"
      "  -hda .. -hdd FILE     IDE hard disk images\n"
      "  -cdrom FILE           ISO image on the IDE secondary channel\n"
      "  -boot ORDER           boot order letters: a floppy, c disk, d CD-ROM (default cad)\n"
      "  -bios FILE            firmware (default: SeaBIOS from Debian's seabios package)\n"
      "  -vga-bios FILE        VGA BIOS (default: vgabios-stdvga.bin)\n"
      "  -snapshot             guest disk writes go to a temporary overlay, never to the images\n"
      "  -serial DEV           COM1 (and COM2 if given twice): stdio, file:PATH or none\n"
      "  -parallel file:PATH   what the guest writes to LPT1's data port\n"
      "  -display sdl|none     sdl: a window (the default when DISPLAY or WAYLAND_DISPLAY\n"
      "                        names a display that SDL can open); none: headless.\n"
      "                        -nographic: headless, serial on stdio\n"
      "  -full-screen          start the window in full-screen mode\n"
      "  --integer-scale       scale the picture by whole numbers only (sharp pixels)\n"
      "  --screenshot-dir DIR  where the screenshot hotkey saves PNGs (default: .)\n"
      "  --pace realtime|none  realtime: guest time follows the wall clock (the default\n"
      "                        with a window); none: run flat out (the default headless)\n"
      "  --flat FILE           run a flat real-mode binary at 0000:7C00 without firmware\n"
      "Engine and automation:\n"
      "  --cpu jit|interp      execution engine: the translator (default) or the interpreter\n"
      "  --jit OPT,...         translator switches: no-chain, no-jump-cache, no-inline, no-inline-mem,\n"
      "                        no-flag-elision, no-reg-cache, no-flat, no-emit=NAME, max-insns=N,\n"
      "                        cache=SIZE[K|M], smc-interp=N\n"
      "  --debug-exit          isa-debug-exit on port 0xF4 and the Bochs shutdown port 0x8900\n"
      "  --bios-log FILE       SeaBIOS debug output (port 0x402)\n"
      "  --post-port PORT:FILE append every byte written to PORT to FILE, one hex byte per line\n"
      "  --screen-dump FILE    at exit: the text screen as UTF-8, or a PNG in graphics modes\n"
      "  --screen-png FILE     at exit: the screen as rendered (text modes too) as a PNG\n"
      "  --max-seconds N       stop after N seconds of guest virtual time\n"
      "  --max-insns N         stop after N instructions\n"
      "  --rtc-time SECONDS    start the RTC at this UTC time (Unix seconds) instead of the host clock\n"
      "  --type SECONDS:TEXT   type TEXT on the keyboard at SECONDS of virtual time (\\n = Enter)\n"
      "  --stats               instructions retired, MIPS and engine counters at exit\n"
      "  -h, --help            this help;  --version  the version\n"
      "Window hotkeys (Ctrl+Alt held): G release the mouse (a click grabs it), F full screen,\n"
      "  I integer scaling, P pause/resume, R reset, S screenshot, Q quit (disks flushed;\n"
      "  closing the window does the same).\n";
}

}  // namespace frontend
