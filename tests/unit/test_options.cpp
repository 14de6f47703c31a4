// The command line: QEMU-shaped options, clear errors for bad ones.
#include <doctest/doctest.h>

#include "frontend/options.h"

using frontend::OptionError;
using frontend::parse_options;

TEST_CASE("options: machine, disks and automation") {
  auto o = parse_options({"-m", "64", "-fda", "a.img", "-hda", "c.img", "-cdrom", "d.iso", "-boot", "dca",
                          "-snapshot", "-serial", "file:com1.txt", "--debug-exit", "--max-seconds", "2.5",
                          "--type", "3:ver\\n", "--type", "4:dir", "--post-port", "0x80:post.txt", "--stats"});
  CHECK(o.ram_mb == 64);
  CHECK(o.fda == "a.img");
  CHECK(o.hd[0] == "c.img");
  CHECK(o.cdrom == "d.iso");
  CHECK(o.boot == "dca");
  CHECK(o.snapshot);
  CHECK(o.serial == "file:com1.txt");
  CHECK(o.debug_exit);
  CHECK(*o.max_seconds == doctest::Approx(2.5));
  REQUIRE(o.type.size() == 2);
  CHECK(o.type[0].at_seconds == doctest::Approx(3));
  CHECK(o.type[0].text == "ver\n");
  REQUIRE(o.post_ports.size() == 1);
  CHECK(o.post_ports[0].port == 0x80);
  CHECK(o.post_ports[0].path == "post.txt");
  CHECK(o.stats);
}

TEST_CASE("options: defaults and the bare flat binary") {
  auto o = parse_options({"prog.bin"});
  CHECK(o.flat == "prog.bin");
  CHECK(o.ram_mb == 32);
  CHECK(o.boot == "cad");
  CHECK(o.serial == "stdio");
  CHECK(o.cpu == "jit");
  CHECK(parse_options({"-boot", "order=d"}).boot == "d");
}

TEST_CASE("options: bad input is a clear error") {
  CHECK_THROWS_WITH_AS(parse_options({"--frobnicate"}), "unknown option --frobnicate (see --help)", OptionError);
  CHECK_THROWS_WITH_AS(parse_options({"-m"}), "option -m needs a value", OptionError);
  CHECK_THROWS_WITH_AS(parse_options({"-m", "lots"}), "option -m: 'lots' is not a number", OptionError);
  CHECK_THROWS_WITH_AS(parse_options({"-m", "0"}), "option -m: 0 is out of range (1..3072)", OptionError);
  CHECK_THROWS_AS(parse_options({"-boot", "x"}), OptionError);
  CHECK_THROWS_AS(parse_options({"-serial", "tcp:1234"}), OptionError);
  CHECK_THROWS_AS(parse_options({"--type", "later"}), OptionError);
  CHECK_THROWS_AS(parse_options({"--post-port", "0x80"}), OptionError);
  CHECK_THROWS_AS(parse_options({"--cpu", "quantum"}), OptionError);
  CHECK_THROWS_AS(parse_options({"-fda", "x.img", "-fdb", "x.img"}), OptionError);
}
