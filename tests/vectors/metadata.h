// Per-opcode metadata of a vector set (metadata.json) and its revocation list.
//
// metadata.json maps each opcode ("00".."FF", two-byte "0F01"...) to a status
// ("normal", "prefix", "extension" for the 0F escape, "alias", "undefined",
// "undocumented", "fpu") and, where results leave flags undefined, a
// "flags-mask" (AND mask over FLAGS: 0 bits are not compared). Group opcodes
// have a "reg" object keyed by ModRM.reg with the same fields.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>

namespace vec {

// What the runner needs to know about a test's instruction bytes.
struct InsnKey {
  uint16_t opcode = 0;     // 00-FF, or 0F00-0FFF after an "extension" escape byte
  uint8_t prefix_len = 0;  // prefix bytes before the opcode
  bool lock = false, rep = false, repne = false, f1 = false;  // F0, F3, F2, F1 prefixes
  int seg_override = -1;   // 26/2E/36/3E prefix byte (the last one), or -1
  bool has_modrm = false;  // a byte follows the opcode (it is the ModRM for ModRM opcodes)
  uint8_t modrm = 0;
  int reg() const { return has_modrm ? (modrm >> 3) & 7 : -1; }
  bool modrm_mem() const { return has_modrm && (modrm >> 6) != 3; }

  bool meta_found = false;    // the opcode (and reg, for groups) is in metadata.json
  std::string_view status;    // its status ("" when not found)
  uint16_t flags_mask = 0xFFFF;
};

class Metadata {
 public:
  Metadata();  // no file: default prefixes, no masks
  bool load(const std::string& path, std::string* err);
  const std::string& path() const { return path_; }
  InsnKey key(std::span<const uint8_t> bytes) const;

 private:
  struct Entry {
    bool present = false;
    std::string status;
    uint16_t flags_mask = 0xFFFF;
    bool has_reg = false;
    struct Sub {
      bool present = false;
      std::string status;
      uint16_t flags_mask = 0xFFFF;
    } reg[8];
  };
  Entry one_[256], two_[256];
  bool prefix_[256] = {};
  bool escape_[256] = {};  // status "extension": the next byte is the opcode
  std::string path_;
};

class Revocations {
 public:
  bool load(const std::string& path, std::string* err);  // lines of 40 hex digits, '#' comments
  bool contains(const std::string& hash_hex) const { return set_.count(hash_hex) != 0; }
  size_t size() const { return set_.size(); }

 private:
  std::unordered_set<std::string> set_;
};

}  // namespace vec
