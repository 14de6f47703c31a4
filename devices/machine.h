// devices::Machine: the PC. It owns the CPU, memory, the I/O bus, the
// scheduler and every device, wires them the way an i440FX + PIIX3 board
// does, loads the firmware, and runs the engine in virtual time (DESIGN.md
// data flow). No globals: two Machines can live in one process.
//
// run() alternates between the engine (until the next device deadline) and
// the scheduler's timers; a halted CPU skips ahead to the next deadline, so a
// run is deterministic. Platform events (reset requests from the 8042, port
// 0x92 or 0xCF9, triple faults, ACPI soft-off, debug-exit writes) are handled
// between engine slices, never inside a device callback.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cpu/engine.h"
#include "devices/iobus.h"
#include "devices/scheduler.h"

namespace devices {

class Pic; class Pit; class Port61; class Rtc; class I8042; class Port92; class Uart;
class PciBus; class I440fx; class Piix3Isa; class Piix3Ide; class Piix4Pm; class FwCfg;
class DebugPorts; class Vga; class VgaPci; class Parallel; class Dma; class Fdc; class Ide;

using ByteSink = std::function<void(uint8_t)>;

struct MachineConfig {
  uint32_t ram_mb = 32;
  std::string bios;      // empty: SeaBIOS from Debian's seabios package
  std::string vga_bios;  // empty: vgabios-stdvga.bin from the same package
  std::string fd[2];     // floppy images
  std::string hd[4];     // IDE: primary master/slave, secondary master/slave
  std::string cdrom;     // ATAPI: secondary master, or secondary slave when hd[2] is set
  std::string boot = "cad";
  std::string cpu = "jit";     // the engine: jit (the translator), or interp
  std::string jit;             // translator options (jit::parse_config)
  bool snapshot = false;
  uint64_t ips = 100'000'000;              // virtual CPU speed (instructions per second)
  std::optional<uint64_t> rtc_time;        // UTC seconds; empty: the host clock at start
  bool debug_exit = false;                 // ports 0xF4 and 0x8900
  ByteSink serial[2];                      // COM1, COM2 output (empty: discarded)
  ByteSink bios_log;                       // port 0x402
  ByteSink debug_console;                  // port 0xE9
  ByteSink parallel;                       // LPT1 data (0x378 and 0x3BC)
  std::vector<std::pair<uint16_t, ByteSink>> port_logs;  // --post-port
};

enum class StopReason : uint8_t {
  TimeLimit,     // the virtual-time limit was reached
  InsnLimit,     // the instruction limit was reached
  PowerOff,      // ACPI/APM soft-off
  DebugExit,     // isa-debug-exit or the Bochs shutdown port
  HaltedForever, // HLT with interrupts off, or with nothing left that could wake it
};
const char* stop_name(StopReason r);

class Machine {
 public:
  // Throws std::runtime_error with a message a user can act on (missing or
  // truncated firmware, unreadable or locked images, bad image sizes).
  explicit Machine(const MachineConfig& cfg);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  struct Limits {
    std::optional<uint64_t> max_ns;
    std::optional<uint64_t> max_insns;
  };
  StopReason run(const Limits& lim);

  // Input and automation.
  void type_at(uint64_t when_ns, std::string text);  // through the PS/2 keyboard
  bool screen_dump(const std::string& path, std::string* error) const;
  std::string text_screen() const;
  // Host input from a front end (call it on the thread that runs the machine,
  // between run() calls): one key event as a PS/2 set-2 sequence (see
  // Ps2Keyboard::key), and relative mouse motion (see Ps2Mouse::move).
  void key(std::span<const uint8_t> set2);
  void mouse(int dx, int dy, unsigned buttons, int dz = 0);
  // A platform reset (as by the reset button) at the start of the next run().
  void request_reset() { reset_requested_ = true; }
  // Instructions' worth of virtual time skipped while the CPU was halted
  // (cpu().tsc minus this is what the engine really executed).
  uint64_t idle_insns() const { return idle_insns_; }

  int exit_status() const { return exit_status_; }  // for DebugExit
  uint64_t now_ns() const { return sched_->now(); }
  uint64_t resets() const { return resets_; }
  cpu::Cpu& cpu() { return *cpu_; }
  cpu::Engine& engine() { return *engine_; }
  mmu::Memory& memory() { return *mem_; }
  Vga& vga() { return *vga_; }
  void flush_disks();  // make every guest write durable (also done at destruction)

 private:
  void load_firmware(const MachineConfig& cfg);
  void wire_chipset(const MachineConfig& cfg);
  void wire_disks(const MachineConfig& cfg);
  void reset_platform();
  void reset_disks();
  void update_a20();

  std::unique_ptr<mmu::Memory> mem_;
  std::unique_ptr<cpu::Cpu> cpu_;
  IoBus io_;
  std::unique_ptr<Scheduler> sched_;
  std::unique_ptr<Pic> pic_;
  std::unique_ptr<Pit> pit_;
  std::unique_ptr<Port61> port61_;
  std::unique_ptr<Rtc> rtc_;
  std::unique_ptr<I8042> kbc_;
  std::unique_ptr<Port92> port92_;
  std::unique_ptr<Uart> uart_[2];
  std::unique_ptr<PciBus> pci_;
  std::unique_ptr<I440fx> host_;
  std::unique_ptr<Piix3Isa> isa_;
  std::unique_ptr<Piix3Ide> ide_fn_;
  std::unique_ptr<Piix4Pm> pm_;
  std::unique_ptr<FwCfg> fwcfg_;
  std::unique_ptr<DebugPorts> dbg_;
  std::unique_ptr<Vga> vga_;
  std::unique_ptr<VgaPci> vga_pci_;
  std::unique_ptr<Parallel> lpt_[2];
  std::unique_ptr<cpu::Engine> engine_;
  struct Disks;
  std::unique_ptr<Disks> disks_;

  std::vector<uint8_t> bios_image_;
  bool reset_requested_ = false;
  bool power_off_ = false;
  bool debug_exit_ = false;
  int exit_status_ = 0;
  uint64_t resets_ = 0;
  uint64_t idle_insns_ = 0;
  std::vector<std::pair<uint64_t, std::string>> typing_;
};

}  // namespace devices
