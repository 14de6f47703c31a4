// Reader for MOO files: the chunked binary format of the SingleStepTests CPU
// test vectors (one file per opcode, each test = initial state, instruction
// bytes, final state). Format summary in tests/vectors/README.md.
//
// A MooFile holds the whole decompressed file; Tests refer into it (name and
// instruction bytes are views), so a MooFile must outlive its Tests.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vec {

// Registers in the order of the MOO `REGS` bitmask (bit i = register i);
// FS and GS exist only in the 32-bit `RG32` layout.
enum Reg : uint8_t { AX, BX, CX, DX, CS, SS, DS, ES, SP, BP, SI, DI, IP, FLAGS, FS, GS, kNumRegs };
const char* reg_name(unsigned r);

struct RegSet {
  uint32_t present = 0;  // bit r set: v[r] is given
  uint32_t v[kNumRegs] = {};
  bool has(unsigned r) const { return present >> r & 1; }
  void set(unsigned r, uint32_t value) { present |= 1u << r; v[r] = value; }
};

struct RamByte {
  uint32_t addr;
  uint8_t value;
};

struct Test {
  uint32_t index = 0;      // upstream index (not contiguous in subsets)
  std::string_view name;   // disassembly
  std::span<const uint8_t> bytes;
  bool wide = false;       // registers came from RG32 (32-bit values)
  RegSet init, fina;
  RegSet fina_mask;        // FINA RMSK/RM32: AND masks (1 = defined bit)
  std::vector<RamByte> init_ram, fina_ram;
  bool has_excp = false;
  uint8_t excp = 0;        // exception/interrupt number taken
  uint32_t excp_flags_addr = 0;  // address of the FLAGS word it pushed
  bool has_hash = false;
  uint8_t hash[20] = {};
  std::string hash_hex() const;
};

class MooFile {
 public:
  // Reads a gzip-compressed or plain MOO file. False with *err on failure.
  bool load(const std::string& path, std::string* err);
  // Parses every test; false with *err when the file is malformed.
  bool parse_tests(std::vector<Test>& out, std::string* err) const;

  uint8_t major = 0, minor = 0;
  uint32_t test_count = 0;
  std::string cpu_id;          // "8086", "C286", ... (trailing spaces removed)
  bool has_meta = false;
  uint32_t meta_opcode = 0;
  std::string meta_mnemonic;   // from META (trailing spaces removed)
  RegSet top_mask;             // top-level RMSK/RM32: applies to every test

 private:
  std::vector<uint8_t> data_;
  std::vector<std::pair<size_t, size_t>> tests_;  // (payload offset, length) of each TEST
};

// Builds MOO files (used by the self-test to write synthetic vectors).
class MooWriter {
 public:
  explicit MooWriter(std::string_view cpu_id);
  // One test: bytes, initial registers (all 14), final changed registers,
  // RAM before/after, optional exception.
  void add_test(std::string_view name, std::span<const uint8_t> bytes, const RegSet& init,
                const std::vector<RamByte>& init_ram, const RegSet& fina,
                const std::vector<RamByte>& fina_ram, const uint8_t* hash20 = nullptr,
                int excp = -1, uint32_t excp_addr = 0);
  // Writes the file (gzip-compressed when gz is true).
  bool save(const std::string& path, bool gz, std::string* err) const;

 private:
  std::string cpu_id_;
  uint32_t count_ = 0;
  std::vector<uint8_t> tests_;
};

}  // namespace vec
