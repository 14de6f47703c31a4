#include "devices/machine.h"
#include "devices/machine_disks.h"
#include "jit/engine.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "cpu/interp.h"
#include "devices/debugport.h"
#include "devices/fwcfg.h"
#include "devices/i440fx.h"
#include "devices/i8042.h"
#include "devices/parallel.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/piix4_pm.h"
#include "devices/pit.h"
#include "devices/port61.h"
#include "devices/port92.h"
#include "devices/rtc.h"
#include "devices/uart.h"
#include "devices/vga.h"
#include "devices/vga_pci.h"

namespace devices {

const char* stop_name(StopReason r) {
  switch (r) {
    case StopReason::TimeLimit: return "time limit";
    case StopReason::InsnLimit: return "instruction limit";
    case StopReason::PowerOff: return "power off";
    case StopReason::DebugExit: return "debug exit";
    case StopReason::HaltedForever: return "halted with nothing to wake it";
  }
  return "?";
}

namespace {

constexpr const char* kSeaBiosDirs[] = {"/usr/share/seabios"};

std::vector<uint8_t> read_file(const std::string& path, const char* what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(std::string("cannot open ") + what + " '" + path + "'");
  std::vector<uint8_t> v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return v;
}

std::string find_firmware(const std::string& given, std::initializer_list<const char*> names,
                          const char* what, const char* option) {
  if (!given.empty()) return given;
  for (const char* dir : kSeaBiosDirs)
    for (const char* n : names) {
      std::string p = std::string(dir) + "/" + n;
      if (std::ifstream(p).good()) return p;
    }
  throw std::runtime_error(std::string(what) + " not found in /usr/share/seabios: install Debian's "
                           "seabios package (apt-get install seabios) or give " + option + " FILE");
}

}  // namespace

Machine::Machine(const MachineConfig& cfg) {
  if (cfg.ram_mb < 2 || cfg.ram_mb > 3072) throw std::runtime_error("RAM must be 2..3072 MiB");
  mem_ = std::make_unique<mmu::Memory>(cfg.ram_mb << 20);
  cpu_ = std::make_unique<cpu::Cpu>();
  cpu::reset_state(*cpu_);
  cpu_->attach_memory(*mem_);
  cpu_->io = &io_;
  sched_ = std::make_unique<Scheduler>(&cpu_->tsc, cfg.ips);
  load_firmware(cfg);
  wire_chipset(cfg);
  wire_disks(cfg);
  if (cfg.cpu == "jit") engine_ = jit::make_engine(*cpu_, jit::parse_config(cfg.jit));
  else engine_ = std::make_unique<cpu::Interpreter>(*cpu_);
  reset_platform();
  resets_ = 0;
}

Machine::~Machine() { flush_disks(); }

void Machine::load_firmware(const MachineConfig& cfg) {
  std::string bios = find_firmware(cfg.bios, {"bios-256k.bin", "bios.bin"}, "SeaBIOS", "-bios");
  bios_image_ = read_file(bios, "BIOS image");
  size_t n = bios_image_.size();
  if (n != 64 * 1024 && n != 128 * 1024 && n != 256 * 1024)
    throw std::runtime_error("BIOS image '" + bios + "' is " + std::to_string(n) +
                             " bytes: expected 64, 128 or 256 KiB (truncated or not a BIOS)");
  int rom = mem_->add_rom(bios_image_.data(), uint32_t(n));
  // The whole image at the top of 4 GiB; its last 128 KiB (or all of a
  // smaller image) below 1 MiB, where the i440FX's PAM registers shadow it.
  mem_->map_rom(uint32_t(0x100000000ull - n), uint32_t(n), rom);
  uint32_t low = uint32_t(std::min<size_t>(n, 128 * 1024));
  mem_->map_rom(0x100000 - low, low, rom, uint32_t(n - low));
}

void Machine::wire_chipset(const MachineConfig& cfg) {
  cpu::Cpu& c = *cpu_;
  pic_ = std::make_unique<Pic>();
  pic_->map(io_);
  pic_->set_intr_callback([&c] { c.events |= cpu::EV_IRQ; });
  c.intr = pic_.get();
  pit_ = std::make_unique<Pit>(*sched_, *pic_);
  pit_->map(io_);
  port61_ = std::make_unique<Port61>(*pit_);
  port61_->map(io_);
  rtc_ = std::make_unique<Rtc>(*sched_, *pic_, cfg.rtc_time ? *cfg.rtc_time : Rtc::host_time());
  rtc_->map(io_);
  rtc_->set_memory(uint64_t(cfg.ram_mb) << 20, 0);
  rtc_->set_boot_order(cfg.boot);

  kbc_ = std::make_unique<I8042>(*sched_, *pic_);
  kbc_->map(io_);
  kbc_->set_key_gap(5'000'000);  // 5 ms between typed keys: DOS's 15-key buffer never overflows
  port92_ = std::make_unique<Port92>();
  port92_->map(io_);
  auto request_reset = [this] {
    reset_requested_ = true;
    cpu_->events |= cpu::EV_STOP;
  };
  kbc_->on_a20 = [this](bool) { update_a20(); };
  port92_->on_a20 = [this](bool) { update_a20(); };
  kbc_->on_reset = request_reset;
  port92_->on_reset = request_reset;

  for (int k = 0; k < 2; ++k) {
    uart_[k] = std::make_unique<Uart>(*sched_, *pic_, k ? Uart::kCom2Base : Uart::kCom1Base,
                                      k ? Uart::kCom2Irq : Uart::kCom1Irq);
    uart_[k]->map(io_);
    uart_[k]->on_transmit = cfg.serial[k] ? cfg.serial[k] : ByteSink([](uint8_t) {});
  }
  const uint16_t lpt_bases[2] = {0x378, 0x3BC};
  for (int k = 0; k < 2; ++k) {
    lpt_[k] = std::make_unique<Parallel>(lpt_bases[k]);
    lpt_[k]->map(io_);
    lpt_[k]->on_data = cfg.parallel;
  }

  pci_ = std::make_unique<PciBus>();
  pci_->map(io_);
  host_ = std::make_unique<I440fx>(*mem_);
  isa_ = std::make_unique<Piix3Isa>(pic_.get());
  ide_fn_ = std::make_unique<Piix3Ide>();
  pm_ = std::make_unique<Piix4Pm>(io_, *sched_, pic_.get());
  pci_->attach(0, 0, host_.get());
  pci_->attach(1, 0, isa_.get());
  pci_->attach(1, 1, ide_fn_.get());
  pci_->attach(1, 3, pm_.get());
  pci_->set_pirq_sink(isa_.get());
  isa_->map(io_);
  pm_->map();
  isa_->on_reset = [request_reset](bool) { request_reset(); };
  pm_->on_power_off = [this] {
    power_off_ = true;
    cpu_->events |= cpu::EV_STOP;
  };

  std::string vga_bios = find_firmware(cfg.vga_bios, {"vgabios-stdvga.bin"}, "VGA BIOS", "-vga-bios");
  vga_ = std::make_unique<Vga>(*sched_, read_file(vga_bios, "VGA BIOS"));
  vga_->map(io_);
  vga_->map_legacy(*mem_);
  vga_pci_ = std::make_unique<VgaPci>(*vga_, *mem_);
  pci_->attach(2, 0, vga_pci_.get());

  fwcfg_ = std::make_unique<FwCfg>(uint64_t(cfg.ram_mb) << 20, 1);
  fwcfg_->set_e820(FwCfg::pc_e820(uint64_t(cfg.ram_mb) << 20));
  fwcfg_->map(io_);

  dbg_ = std::make_unique<DebugPorts>();
  dbg_->bios_log = cfg.bios_log;
  dbg_->console = cfg.debug_console;
  if (cfg.debug_exit) {
    dbg_->exit = [this](int status) {
      debug_exit_ = true;
      exit_status_ = status;
      cpu_->events |= cpu::EV_STOP;
    };
  }
  dbg_->map(io_);
  for (const auto& [port, sink] : cfg.port_logs)
    io_.tap_writes(port, [sink](uint16_t, unsigned, uint32_t v) { sink(uint8_t(v)); });
}

void Machine::update_a20() {
  bool on = kbc_->a20() || port92_->a20();
  mem_->set_a20(on);
  cpu_->a20 = on;
}

void Machine::reset_platform() {
  ++resets_;
  reset_requested_ = false;
  cpu::Cpu& c = *cpu_;
  uint64_t clock = c.tsc;  // the TSC is the machine's virtual clock: it keeps running
  cpu::reset_state(c);
  c.tsc = clock;
  c.events = 0;
  c.inhibit = 0;
  c.sync_paging();
  pic_->reset();
  pit_->reset();
  kbc_->reset();
  port92_->reset();
  for (auto& u : uart_) u->reset();
  for (auto& l : lpt_) l->reset();
  pci_->reset();  // PAM back to ROM, BARs unmapped
  reset_disks();
  vga_->reset();
  update_a20();
}

void Machine::type_at(uint64_t when_ns, std::string text) {
  auto id = sched_->add("type", [this, text](uint64_t) { kbc_->type_text(text); });
  sched_->arm(id, when_ns);
}

void Machine::key(std::span<const uint8_t> set2) { kbc_->key(set2); }

void Machine::mouse(int dx, int dy, unsigned buttons, int dz) { kbc_->mouse_move(dx, dy, buttons, dz); }

bool Machine::screen_dump(const std::string& path, std::string* error) const {
  return vga_->screen_dump(path, error);
}

std::string Machine::text_screen() const { return vga_->text_dump(); }

StopReason Machine::run(const Limits& lim) {
  cpu::Cpu& c = *cpu_;
  const uint64_t start = c.tsc;
  const uint64_t insn_cap = lim.max_insns ? *lim.max_insns : ~0ull;
  const uint64_t time_cap = lim.max_ns ? sched_->ns_to_insns(*lim.max_ns) : ~0ull;
  for (;;) {
    if (power_off_) return StopReason::PowerOff;
    if (debug_exit_) return StopReason::DebugExit;
    if (reset_requested_) reset_platform();
    uint64_t done = c.tsc - start;
    if (done >= insn_cap) return StopReason::InsnLimit;
    if (c.tsc >= time_cap) return StopReason::TimeLimit;
    uint64_t slice = sched_->instructions_until_next(1'000'000);
    slice = std::min({slice, insn_cap - done, time_cap - c.tsc});
    if (c.halted) {
      // Nothing runs until a device raises an interrupt: skip to the next deadline.
      bool timers = sched_->instructions_until_next(~0ull) != ~0ull;
      if (!(c.eflags & cpu::IF) || !timers) return StopReason::HaltedForever;
      c.tsc += slice;
      idle_insns_ += slice;
      sched_->run_due();
      if (pic_->intr_pending()) c.events |= cpu::EV_IRQ;
      engine_->run(c, 1);  // delivers the interrupt (or stays halted)
      continue;
    }
    // A timer a device arms during the slice for an earlier time cuts it
    // short (EV_STOP after that instruction, in either engine).
    sched_->begin_slice(c.tsc + slice, [&c] { c.events |= cpu::EV_STOP; });
    cpu::Exit why = engine_->run(c, slice);
    sched_->end_slice();
    sched_->run_due();
    if (why == cpu::Exit::Shutdown) {
      // A triple fault resets the PC, as the chipset does on a shutdown cycle.
      reset_requested_ = true;
    }
  }
}

}  // namespace devices
