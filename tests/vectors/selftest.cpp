// --self-test: writes a small synthetic vector set (metadata.json, a
// revocation list, a gzip and a plain MOO file for a "C286" and one for an
// "8086") into a temporary directory, runs the normal runner over it and
// checks every count and failure report. It proves the parser, the state
// loading, the register/RAM/flags-mask comparison, revocation, the 1 MiB wrap
// of 8086-class runs and a known-difference skip, and that a deliberately
// wrong expectation is reported as a failure.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "moo.h"
#include "runner.h"

namespace vec {
namespace {

namespace fs = std::filesystem;

RegSet base_regs(uint16_t cs, uint16_t ip) {
  RegSet r;
  const uint16_t v[14] = {0, 0x0010, 0, 0, cs, 0x3000, 0x2000, 0, 0x0100, 0, 0, 0, ip, 0x0002};
  for (unsigned k = 0; k < 14; ++k) r.set(k, v[k]);
  return r;
}
std::vector<RamByte> code_at(uint32_t lin, std::initializer_list<uint8_t> bytes) {
  std::vector<RamByte> v;
  for (uint8_t b : bytes) v.push_back({lin++, b});
  return v;
}

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("self-test FAILED: %s\n", what);
    ++failures;
  }
}

bool write_text(const fs::path& p, const std::string& s) {
  std::ofstream f(p);
  f << s;
  return bool(f);
}

bool build(const fs::path& dir, std::string* err) {
  fs::create_directories(dir / "c286");
  fs::create_directories(dir / "i8086");
  // B8 leaves AF "undefined" here only to exercise the flags mask.
  if (!write_text(dir / "metadata.json",
                  "{ \"cpu\": \"synthetic\", \"opcodes\": {\n"
                  "  \"26\": {\"status\": \"prefix\"}, \"F0\": {\"status\": \"prefix\"},\n"
                  "  \"F2\": {\"status\": \"prefix\"}, \"F3\": {\"status\": \"prefix\"},\n"
                  "  \"60\": {\"status\": \"alias\"},\n"
                  "  \"89\": {\"status\": \"normal\", \"flags\": \".....a..\", \"flags-mask\": 65519},\n"
                  "  \"B8\": {\"status\": \"normal\", \"flags\": \".....a..\", \"flags-mask\": 65519},\n"
                  "  \"F4\": {\"status\": \"normal\"} } }\n"))
    return false;
  uint8_t revoked[20];
  std::string rev = "# revoked in the self-test\n";
  for (auto& b : revoked) { b = 0xAB; rev += "ab"; }
  if (!write_text(dir / "revocation_list.txt", rev + "\n")) return false;

  // C286, run until HLT: CS=1000 IP=0100 -> code at 10100.
  const uint8_t mov_ax[] = {0xB8, 0x34, 0x12, 0xF4};
  auto code = code_at(0x10100, {0xB8, 0x34, 0x12, 0xF4});
  RegSet init = base_regs(0x1000, 0x0100);
  MooWriter w("C286");
  RegSet fin;
  fin.set(AX, 0x1234); fin.set(IP, 0x0104);
  w.add_test("mov ax,1234h", mov_ax, init, code, fin, {});                 // pass
  fin.set(AX, 0x1235);
  w.add_test("mov ax,1234h (wrong ax)", mov_ax, init, code, fin, {});      // fail: ax
  fin.set(AX, 0x1234); fin.set(FLAGS, 0x0012);
  w.add_test("mov ax,1234h (AF masked)", mov_ax, init, code, fin, {});     // pass: AF not compared
  fin.set(FLAGS, 0x0042);
  w.add_test("mov ax,1234h (wrong ZF)", mov_ax, init, code, fin, {});      // fail: flags
  w.add_test("mov ax,1234h (revoked)", mov_ax, init, code, fin, {}, revoked);  // revoked
  if (!w.save((dir / "c286" / "B8.MOO.gz").string(), true, err)) return false;

  // mov [bx],ax with DS=2000 BX=0010: writes 20010/20011 (plain, uncompressed file).
  const uint8_t mov_m[] = {0x89, 0x07, 0xF4};
  init.set(AX, 0x1234);
  MooWriter w2("C286");
  RegSet fin2;
  fin2.set(IP, 0x0103);
  auto code2 = code_at(0x10100, {0x89, 0x07, 0xF4});
  code2.push_back({0x20010, 0x00});
  code2.push_back({0x20011, 0x00});
  w2.add_test("mov [bx],ax", mov_m, init, code2, fin2, {{0x20010, 0x34}, {0x20011, 0x12}});  // pass
  w2.add_test("mov [bx],ax (wrong ram)", mov_m, init, code2, fin2, {{0x20010, 0x34}, {0x20011, 0x13}});  // fail
  // An EXCP chunk names 20010 as a pushed FLAGS word: its bits outside the
  // flags-mask (AF, bit 4) are not compared, the others are.
  w2.add_test("mov [bx],ax (EXCP: AF bit masked)", mov_m, init, code2, fin2,
              {{0x20010, 0x24}, {0x20011, 0x12}}, nullptr, 3, 0x20010);  // pass
  w2.add_test("mov [bx],ax (EXCP: CF bit compared)", mov_m, init, code2, fin2,
              {{0x20010, 0x35}, {0x20011, 0x12}}, nullptr, 3, 0x20010);  // fail
  if (!w2.save((dir / "c286" / "89.MOO").string(), false, err)) return false;

  // 8086, one instruction, no HLT: DS=FFFF BX=0010 -> 100000 wraps to 00000.
  MooWriter w3("8086");
  const uint8_t mov_w[] = {0x89, 0x07};
  RegSet i3 = base_regs(0x1000, 0x0100);
  i3.set(AX, 0xBEEF); i3.set(DS, 0xFFFF); i3.set(FLAGS, 0xF002);
  auto code3 = code_at(0x10100, {0x89, 0x07, 0x90, 0x90});
  code3.push_back({0x00000, 0x00});
  code3.push_back({0x00001, 0x00});
  RegSet f3;
  f3.set(IP, 0x0102);
  w3.add_test("mov [bx],ax (1 MiB wrap)", mov_w, i3, code3, f3, {{0x00000, 0xEF}, {0x00001, 0xBE}});  // pass
  const uint8_t pusha[] = {0x60, 0x02};
  w3.add_test("jo +2 (8086 alias of 70)", pusha, i3, code_at(0x10100, {0x60, 0x02}), f3, {});  // known difference
  return w3.save((dir / "i8086" / "60-and-89.MOO.gz").string(), true, err);
}

}  // namespace

int run_self_test() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/xlat86-vectors-selftest-XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    std::printf("self-test: cannot create a temporary directory under %s\n", tmp ? tmp : "/tmp");
    return 1;
  }
  fs::path dir = tmpl;
  std::string err;
  if (!build(dir, &err)) {
    std::printf("self-test: cannot write the synthetic vectors: %s\n", err.c_str());
    fs::remove_all(dir);
    return 1;
  }

  Options opt;
  opt.dir = dir.string();
  opt.verbose = true;
  std::ostringstream out;
  Summary s;
  bool ran = run_vectors(opt, out, s);
  std::string text = out.str();
  std::fputs(text.c_str(), stdout);
  check(ran && s.errors.empty(), "the synthetic directory runs without errors");
  check(s.files.size() == 3, "three vector files found (gzip and plain, in two folders)");
  check(s.tests == 11, "11 tests read");
  check(s.passed == 5, "5 tests pass (MOV reg, AF masked by flags-mask, MOV mem, masked EXCP byte, 1 MiB wrap)");
  check(s.failed == 4, "4 tests fail (wrong AX, wrong ZF, wrong RAM byte, unmasked EXCP bit)");
  check(s.known == 1, "1 known difference (8086 opcode 60 is a Jcc alias)");
  check(s.revoked == 1, "1 revoked test is skipped");
  check(text.find("ax    got 1234 want 1235") != std::string::npos, "the wrong AX is reported with both values");
  check(text.find("ram[020011] got 12 want 13") != std::string::npos, "the wrong RAM byte is reported");
  check(text.find("flags got 0002 want 0042") != std::string::npos, "the unmasked ZF difference is reported");
  check(text.find("ram[020010] got 34 want 35 (masked pushed FLAGS byte)") != std::string::npos,
        "the unmasked bit of an EXCP FLAGS word is reported");
  for (const FileResult& f : s.files)
    if (f.opcode == "B8") check(f.note == "ax", "the first-failure note of B8 names ax");

  // Bad input: a missing directory, an empty one, a malformed file.
  Summary s2;
  opt.dir = (dir / "no-such-dir").string();
  check(!run_vectors(opt, out, s2) && !s2.errors.empty(), "a missing directory is an error");
  fs::create_directories(dir / "empty");
  Summary s3;
  opt.dir = (dir / "empty").string();
  check(!run_vectors(opt, out, s3) && !s3.errors.empty(), "a directory without vector files is an error");
  write_text(dir / "empty" / "bad.MOO", "MOO \x04");
  Summary s4;
  check(run_vectors(opt, out, s4) && s4.errors.size() == 1, "a malformed file is reported as an error");

  fs::remove_all(dir);
  if (failures) return 1;
  std::printf("self-test: ok\n");
  return 0;
}

}  // namespace vec
