// devices::Fdc: the 82077AA through its ports: reset, registers, seeks, media.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "test_fdc_rig.h"

using namespace fdc_test;
using devices::Fdc;

TEST_CASE("fdc: geometry from the image size, wrong sizes refused") {
  CHECK(Fdc::geometry_for_size(1474560).sectors == 18);
  CHECK(Fdc::geometry_for_size(1474560).cmos_type == 4);
  CHECK(Fdc::geometry_for_size(2949120).sectors == 36);
  CHECK(Fdc::geometry_for_size(2949120).cmos_type == 5);
  CHECK(Fdc::geometry_for_size(737280).sectors == 9);
  CHECK(Fdc::geometry_for_size(737280).cylinders == 80);
  CHECK(Fdc::geometry_for_size(1228800).sectors == 15);
  CHECK(Fdc::geometry_for_size(368640).cylinders == 40);
  CHECK(Fdc::geometry_for_size(368640).cmos_type == 1);
  FdcRig r;
  TempImage bad(1474560 + 512);
  std::string msg;
  try {
    r.insert(0, bad.path);
  } catch (const std::runtime_error& e) {
    msg = e.what();
  }
  CHECK(msg.find(bad.path) != std::string::npos);
  CHECK(msg.find("1475072") != std::string::npos);
  CHECK_FALSE(r.fdc.has_media(0));
  CHECK(r.fdc.cmos_type(0) == 0);
  TempImage good(k144);
  r.insert(1, good.path);
  CHECK(r.fdc.cmos_type(1) == 4);
}

TEST_CASE("fdc: reset, the four polling statuses and the IRQ gate") {
  FdcRig r;
  CHECK(r.msr() == 0x00);  // held in reset at power-on (DOR = 0)
  r.out(0x3F2, 0x0C);
  CHECK_FALSE(r.irq6());
  r.run(Fdc::kResetDelayNs);
  CHECK(r.irq6());
  CHECK(r.msr() == 0x80);
  CHECK((r.in(0x3F0) & 0x80) != 0);  // SRA: interrupt pending
  r.cmd({0x08});
  CHECK_FALSE(r.irq6());  // the first SENSE INTERRUPT lowers INT
  CHECK(r.results(2) == Bytes{0xC0, 0x00});
  for (uint8_t d = 1; d < 4; ++d) {
    r.cmd({0x08});
    CHECK(r.results(2) == Bytes{uint8_t(0xC0 | d), 0x00});
  }
  r.cmd({0x08});  // nothing left: invalid
  CHECK(r.results(1) == Bytes{0x80});

  // DSR software reset, with the DOR gate closed: no IRQ reaches the PIC.
  r.out(0x3F2, 0x04);
  r.out(0x3F4, 0x80);
  r.run(Fdc::kResetDelayNs);
  CHECK(r.fdc.int_output());
  CHECK_FALSE(r.irq6());
  r.out(0x3F2, 0x0C);  // gate open: the pending interrupt shows
  CHECK(r.irq6());
  // A seek's interrupt replaces the remaining reset statuses.
  TempImage img(k144);
  r.insert(0, img.path);
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0xC0, 0x00});
  CHECK(r.seek(0, 3) == Bytes{0x20, 3});
  r.cmd({0x08});
  CHECK(r.results(1) == Bytes{0x80});
}

TEST_CASE("fdc: VERSION, invalid opcodes, SPECIFY, CONFIGURE, LOCK, PERPENDICULAR, DUMPREG") {
  FdcRig r;
  r.enable();
  r.cmd({0x10});
  CHECK(r.results(1) == Bytes{0x90});
  r.cmd({0x18});  // PART ID is an 82078 command
  CHECK(r.results(1) == Bytes{0x80});
  r.cmd({0x48});  // SENSE INTERRUPT with an MFM bit
  CHECK(r.results(1) == Bytes{0x80});
  CHECK_FALSE(r.irq6());
  r.cmd({0x03, 0xAF, 0x02});                // SPECIFY
  r.cmd({0x13, 0x00, 0x57, 0x05});          // CONFIGURE: EIS, FIFO on, polling off, thr 7
  r.cmd({0x12, 0x80 | 0x04 | 0x02});        // PERPENDICULAR: OW, D0, GAP
  r.cmd({0x94});                            // LOCK
  CHECK(r.results(1) == Bytes{0x10});
  r.cmd({0x0E});
  CHECK(r.results(10) == Bytes{0, 0, 0, 0, 0xAF, 0x02, 0x00, 0x80 | 0x06, 0x57, 0x05});
  // A reset with LOCK keeps EFIFO/FIFOTHR/PRETRK, clears EIS and POLL, GAP and WGATE.
  r.enable();
  r.cmd({0x0E});
  CHECK(r.results(10) == Bytes{0, 0, 0, 0, 0xAF, 0x02, 0x00, 0x80 | 0x04, 0x07, 0x05});
  r.cmd({0x14});  // unlock: the next reset restores the defaults
  CHECK(r.results(1) == Bytes{0x00});
  r.enable();
  r.cmd({0x0E});
  CHECK(r.results(10) == Bytes{0, 0, 0, 0, 0xAF, 0x02, 0x00, 0x04, 0x20, 0x00});
}

TEST_CASE("fdc: recalibrate, seek, SENSE DRIVE STATUS and the disk change line") {
  FdcRig r;
  TempImage img(k144);
  r.insert(0, img.path);
  r.enable();
  r.out(0x3F2, 0x1C);  // drive 0, motor on
  CHECK(r.in(0x3F7) == 0x80);  // changed since insertion
  r.cmd({0x07, 0x00});  // RECALIBRATE drive 0
  CHECK(r.msr() == 0x81);  // drive 0 seeking, controller free
  CHECK_FALSE(r.irq6());
  REQUIRE(r.wait_irq());
  CHECK(r.msr() == 0x80);
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0x20, 0});
  CHECK_FALSE(r.irq6());
  CHECK(r.in(0x3F7) == 0x00);  // cleared by the step
  r.cmd({0x04, 0x04});  // SENSE DRIVE STATUS, head 1: T0, writable
  CHECK(r.results(1) == Bytes{0x28 | 0x10 | 0x04});
  CHECK(r.seek(0x04, 79) == Bytes{0x24, 79});
  r.cmd({0x04, 0x00});
  CHECK(r.results(1) == Bytes{0x28});
  CHECK(r.fdc.drive(0).pcn == 79);
  r.cmd({0xCF, 0x00, 9});  // RELATIVE SEEK, DIR = 1: 9 cylinders inward
  REQUIRE(r.wait_irq());
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0x20, 88});
  r.cmd({0x8F, 0x00, 80});  // and back out by 80
  REQUIRE(r.wait_irq());
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0x20, 8});
  // Eject and insert: the line is set again; a seek clears it.
  r.fdc.eject(0);
  CHECK(r.in(0x3F7) == 0x80);
  r.insert(0, img.path);
  CHECK(r.in(0x3F7) == 0x80);
  CHECK(r.seek(0, 1) == Bytes{0x20, 1});
  CHECK(r.in(0x3F7) == 0x00);
  // Drive 1 without a medium stays "changed"; drive 2 is not connected.
  r.out(0x3F2, 0x2D);
  CHECK(r.in(0x3F7) == 0x80);
  r.cmd({0x07, 0x01});
  REQUIRE(r.wait_irq());
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0x21, 0});
  CHECK(r.in(0x3F7) == 0x80);
  r.cmd({0x07, 0x02});
  REQUIRE(r.wait_irq());
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0x72, 0});  // abnormal, seek end, equipment check
}

TEST_CASE("fdc: two drives finishing seeks are sensed one by one") {
  FdcRig r;
  TempImage a(k144), b(k144);
  r.insert(0, a.path), r.insert(1, b.path);
  r.enable();
  r.cmd({0x0F, 0x01, 5});
  r.cmd({0x0F, 0x00, 7});
  CHECK(r.msr() == 0x83);
  REQUIRE(r.wait_irq());
  r.run(Fdc::kSeekDelayNs);
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0x20, 7});
  CHECK(r.irq6());  // drive 1 still to report
  r.cmd({0x08});
  CHECK(r.results(2) == Bytes{0x21, 5});
  CHECK_FALSE(r.irq6());
}
