// devices::Piix4Pm: the PIIX4 power-management function (8086:7113) as
// SeaBIOS sets it up (pciinit.c piix4_pm_setup, smm.c, apm.c) and as an ACPI
// guest uses it. Test names share the "i440fx:" prefix of the chipset.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "devices/iobus.h"
#include "devices/pci.h"
#include "devices/piix4_pm.h"
#include "devices/scheduler.h"

using devices::Piix4Pm;

namespace {

struct IrqLog : devices::IrqSink {
  std::vector<std::pair<unsigned, bool>> calls;
  bool level[16] = {};
  void set_irq(unsigned line, bool l) override { calls.emplace_back(line, l), level[line] = l; }
};

struct PmRig {
  uint64_t clock = 0;
  devices::Scheduler sched{&clock, 1'000'000'000};  // 1 ns per instruction
  devices::IoBus io;
  devices::PciBus bus;
  IrqLog irqs;
  Piix4Pm pm{io, sched, &irqs};
  int power_offs = 0;
  static constexpr unsigned kBdf = 0x0B;  // 00:01.3
  PmRig() {
    bus.map(io);
    bus.attach(1, 3, &pm);
    pm.map();
    pm.on_power_off = [this] { ++power_offs; };
  }
  void sel(unsigned reg) { io.out(0xCF8, 4, 0x80000000u | kBdf << 8 | (reg & 0xFC)); }
  uint32_t readl(unsigned reg) { sel(reg); return io.in(0xCFC, 4); }
  void writel(unsigned reg, uint32_t v) { sel(reg); io.out(0xCFC, 4, v); }
  void writeb(unsigned reg, uint8_t v) { sel(reg); io.out(uint16_t(0xCFC + (reg & 3)), 1, v); }
  // SeaBIOS's piix4_pm_config_setup with PM base `base`.
  void setup(uint16_t base) {
    writeb(0x3C, 9);
    writel(0x40, base | 1u);
    writeb(0x80, 0x01);
    writel(0x90, (base + 0x100u) | 1u);
    writeb(0xD2, 0x09);
  }
  void advance_to(uint64_t ns) {
    clock = ns;
    sched.run_due();
  }
};

}  // namespace

TEST_CASE("i440fx: pm function identity and SeaBIOS's configuration writes") {
  PmRig r;
  CHECK(r.readl(0x00) == 0x71138086u);
  CHECK(r.readl(0x08) == 0x06800003u);
  CHECK((r.readl(0x3C) >> 8 & 0xFF) == 1u);     // INTA#
  CHECK((r.readl(0x58) & (1u << 25)) != 0);    // APMC_EN: SeaBIOS skips its SMM set-up
  CHECK(r.readl(0x40) == 0x00000001u);         // PMBA: I/O indicator
  CHECK(r.pm.pm_base() == devices::pci::kUnmapped);
  r.writel(0x40, 0xFFFFFFFFu);
  CHECK(r.readl(0x40) == 0x0000FFC1u);  // 64-byte block
  r.setup(0xB000);
  CHECK(r.readl(0x40) == 0xB001u);
  CHECK((r.readl(0x3C) & 0xFF) == 9u);
  CHECK(r.readl(0x90) == 0xB101u);
  CHECK((r.readl(0xD0) >> 16 & 0xFF) == 0x09u);
  CHECK(r.pm.pm_base() == 0xB000u);
}

TEST_CASE("i440fx: pm I/O block decodes only with PMIOSE and follows PMBA") {
  PmRig r;
  r.writel(0x40, 0xB001);
  CHECK(r.io.in(0xB004, 2) == 0xFFFFu);  // PMREGMISC bit 0 still clear
  r.writeb(0x80, 0x01);
  CHECK(r.io.in(0xB004, 2) == 0x0000u);
  r.io.out(0xB002, 2, 0x0100);  // PWRBTN_EN
  CHECK(r.io.in(0xB002, 2) == 0x0100u);
  // QEMU's table loader case: SeaBIOS moves the block to 0x600.
  r.writel(0x40, 0x0601);
  CHECK(r.pm.pm_base() == 0x600u);
  CHECK(r.io.in(0xB002, 2) == 0xFFFFu);
  CHECK(r.io.in(0x602, 2) == 0x0100u);
  r.writeb(0x80, 0x00);
  CHECK(r.io.in(0x602, 2) == 0xFFFFu);
  CHECK(r.pm.pm_base() == devices::pci::kUnmapped);
  r.writeb(0x80, 0x01);
  CHECK(r.io.in(0x602, 2) == 0x0100u);
  // A reset unmaps it again.
  r.bus.reset();
  CHECK(r.io.in(0x602, 2) == 0xFFFFu);
}

TEST_CASE("i440fx: pm timer counts 3.579545 MHz of virtual time in 24 bits") {
  PmRig r;
  r.setup(0xB000);
  CHECK(r.io.in(0xB008, 4) == 0u);
  r.clock = 1'000'000'000;  // one second
  CHECK(r.io.in(0xB008, 4) == 3579545u);
  CHECK(r.io.in(0xB008, 1) == (3579545u & 0xFF));
  CHECK(r.io.in(0xB00A, 2) == (3579545u >> 16));
  r.clock = 1'000'000;  // 1 ms: 3579.545 ticks
  CHECK(r.io.in(0xB008, 4) == 3579u);
  r.clock = 5'000'000'000ull;  // 17897725 ticks: wrapped at 2^24
  CHECK(r.io.in(0xB008, 4) == (17897725u & 0xFFFFFFu));
  r.io.out(0xB008, 4, 0);  // read-only
  CHECK(r.pm.timer() == (17897725u & 0xFFFFFFu));
}

TEST_CASE("i440fx: pm timer overflow status and the SCI on IRQ 9") {
  PmRig r;
  r.setup(0xB000);
  // Bit 23 first changes at tick 2^23 = 8388608: 2343484437.6 ns.
  uint64_t first = 2343484438;
  CHECK(r.sched.deadline(0) == first);
  r.advance_to(first - 1);
  CHECK((r.io.in(0xB000, 2) & 1) == 0u);
  r.advance_to(first);
  CHECK((r.io.in(0xB000, 2) & 1) == 1u);
  CHECK(r.irqs.calls.empty());  // not enabled
  r.io.out(0xB002, 2, 0x0001);  // TMROF_EN, but SCI_EN still 0
  CHECK(r.irqs.calls.empty());
  r.io.out(0xB004, 2, 0x0001);  // SCI_EN
  REQUIRE(r.irqs.calls.size() == 1);
  CHECK(r.irqs.calls[0] == std::make_pair(9u, true));
  r.io.out(0xB000, 2, 0x0001);  // write 1 to clear
  CHECK(r.io.in(0xB000, 2) == 0u);
  CHECK(r.irqs.calls.back() == std::make_pair(9u, false));
  // The next change of bit 23 (back to 0) is 2^23 ticks later.
  r.advance_to(4686968874);
  CHECK(!r.irqs.level[9]);
  r.advance_to(4686968875);  // ceil(2^24 * 1e9 / 3579545)
  CHECK(r.irqs.level[9]);
  CHECK(r.io.in(0xB000, 1) == 1u);
  // Writing 0 does not clear status.
  r.io.out(0xB000, 2, 0x0000);
  CHECK(r.io.in(0xB000, 1) == 1u);
}

TEST_CASE("i440fx: pm soft-off through PMCNTRL (SeaBIOS apm_shutdown, ACPI \\_S5)") {
  PmRig r;
  r.setup(0xB000);
  r.io.out(0xB004, 2, 0x1C00);  // SUS_TYP 7 without SUS_EN: stored only
  CHECK(r.io.in(0xB004, 2) == 0x1C00u);
  CHECK(r.power_offs == 0);
  r.io.out(0xB004, 2, 0x2400);  // SUS_TYP 1 (suspend to RAM): ignored
  CHECK(r.power_offs == 0);
  CHECK(r.io.in(0xB004, 2) == 0x0400u);  // SUS_EN reads 0
  r.io.out(0xB004, 2, 0x2000);  // apm_shutdown(): outw(0x2000, pm1a_cnt)
  CHECK(r.power_offs == 1);
  r.io.out(0xB005, 1, 0x20);  // byte write of the high half: soft off again
  CHECK(r.power_offs == 2);
  r.io.out(0xB004, 2, 0x0005);  // GBL_RLS reads 0
  CHECK(r.io.in(0xB004, 2) == 0x0001u);
}

TEST_CASE("i440fx: pm APMC ACPI enable/disable, APMS scratch, power button") {
  PmRig r;
  r.setup(0xB000);
  r.io.out(0xB3, 1, 0x5A);
  CHECK(r.io.in(0xB3, 1) == 0x5Au);
  r.io.out(0xB2, 1, 0xF1);  // ACPI_ENABLE: the OS waits for SCI_EN
  CHECK(r.io.in(0xB2, 1) == 0xF1u);
  CHECK((r.io.in(0xB004, 2) & 1) == 1u);
  r.io.out(0xB2, 1, 0xF0);  // ACPI_DISABLE
  CHECK((r.io.in(0xB004, 2) & 1) == 0u);
  r.io.out(0xB2, 1, 0xF1);
  r.io.out(0xB002, 2, 0x0100);  // PWRBTN_EN
  r.pm.press_power_button();
  CHECK(r.io.in(0xB000, 2) == 0x0100u);
  CHECK(r.irqs.level[9]);
  r.io.out(0xB000, 2, 0x0100);
  CHECK(!r.irqs.level[9]);
  // Unimplemented PM registers read 0.
  CHECK(r.io.in(0xB010, 4) == 0u);
  CHECK(r.io.in(0xB03C, 4) == 0u);
}

TEST_CASE("i440fx: pm GPE0 block at 0xAFE0") {
  PmRig r;
  CHECK(r.io.in(0xAFE0, 4) == 0u);
  r.io.out(0xAFE2, 2, 0x1234);
  CHECK(r.io.in(0xAFE2, 2) == 0x1234u);
  CHECK(r.io.in(0xAFE0, 4) == 0x12340000u);
  r.io.out(0xAFE0, 2, 0xFFFF);  // status: write 1 to clear (nothing set)
  CHECK(r.io.in(0xAFE0, 2) == 0u);
  r.io.out(0xAFE3, 1, 0xAB);
  CHECK(r.io.in(0xAFE2, 2) == 0xAB34u);
}
