// The instruction table against Zydis: every row's encoding decodes to the
// row's mnemonic in some mode, and every row Zydis calls a control transfer
// ends a block. Catches typos in opcodes, reg fields and attributes.
#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <vector>

#include "cpu/decode.h"
#include "cpu/table.h"

using namespace cpu;

namespace {
std::string lower_first_word(const char* form) {
  std::string s;
  for (const char* p = form; *p && *p != ' '; ++p) s += char(std::tolower(*p));
  return s;
}
// Candidate encodings of a row: optional prefixes, the opcode, every ModRM with
// the row's reg field (or any reg), then zero immediates.
std::vector<std::vector<uint8_t>> encodings(const Row& r) {
  std::vector<std::vector<uint8_t>> out;
  const std::vector<std::vector<uint8_t>> prefixes = {{}, {0x66}, {0xF3}, {0xF2}, {0xF3, 0x66}};
  for (const auto& pre : prefixes) {
    for (int reg = r.reg < 0 ? 0 : r.reg; reg <= (r.reg < 0 ? 7 : r.reg); ++reg) {
      for (int mod = 0; mod < 4; ++mod) {
        for (int rm = 0; rm < 8; ++rm) {
          std::vector<uint8_t> b(pre);
          if (r.map == 1) b.push_back(0x0F);
          b.push_back(r.opcode);
          b.push_back(uint8_t((mod << 6) | (reg << 3) | rm));
          for (int k = 0; k < 8; ++k) b.push_back(0);
          out.push_back(b);
        }
      }
    }
  }
  return out;
}
}  // namespace

TEST_CASE("table: every row decodes to its mnemonic, and branches end blocks") {
  size_t rows = 0;
  for (const Row& r : table()) {
    std::string form = r.form;
    CAPTURE(form);
    std::string want = lower_first_word(r.form);
    bool found = false, branch = false;
    for (auto& b : encodings(r)) {
      for (DecodeMode m : {DecodeMode::Real16, DecodeMode::Prot16, DecodeMode::Prot32}) {
        ZydisView v = zydis_view(m, b.data(), b.size());
        if (v.mnemonic && want == v.mnemonic) {
          found = true;
          branch = branch || v.branch;
        }
      }
    }
    CHECK(found);
    // Zydis files BOUND under INTERRUPT because it can raise #BR; like any fault,
    // that needs no block end.
    if (branch && want != "bound") CHECK((r.attrs & A_END) != 0);
    ++rows;
  }
  CHECK(rows > 400);
}

TEST_CASE("table: disassembly for diagnostics") {
  const uint8_t b[] = {0x66, 0x01, 0xD8};
  CHECK(disassemble(DecodeMode::Prot32, b, sizeof b) == "add ax, bx");
  const uint8_t bad[] = {0x0F, 0xFF};
  CHECK(disassemble(DecodeMode::Prot32, bad, 1) == "(bad)");
}
