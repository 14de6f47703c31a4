#include "moo.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace vec {
namespace {

const char* const kRegNames[kNumRegs] = {"ax", "bx", "cx", "dx", "cs", "ss", "ds", "es",
                                         "sp", "bp", "si", "di", "ip", "flags", "fs", "gs"};

// RG32/RM32 bit order -> our Reg (cr0, cr3, dr6, dr7 are not modelled: kNumRegs).
const uint8_t kRg32Map[20] = {kNumRegs, kNumRegs, AX, BX, CX, DX, SI, DI, BP, SP,
                              CS,       DS,       ES, FS, GS, SS, IP, FLAGS, kNumRegs, kNumRegs};

uint32_t rd32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint16_t rd16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }

std::string trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return std::string(s);
}

// Iterates the chunks in [p, end): id, payload, length. False on a truncated chunk.
struct Chunks {
  const uint8_t* p;
  const uint8_t* end;
  bool bad = false;
  bool next(std::string_view& id, const uint8_t*& payload, size_t& len) {
    if (p == end) return false;
    if (end - p < 8) { bad = true; return false; }
    id = std::string_view(reinterpret_cast<const char*>(p), 4);
    len = rd32(p + 4);
    if (size_t(end - p - 8) < len) { bad = true; return false; }
    payload = p + 8;
    p += 8 + len;
    return true;
  }
};

// REGS/RMSK (16-bit) or RG32/RM32 (32-bit) payload.
bool parse_regs(const uint8_t* p, size_t len, bool wide, RegSet& out) {
  const size_t w = wide ? 4 : 2;
  if (len < w) return false;
  uint32_t mask = wide ? rd32(p) : rd16(p);
  size_t off = w;
  for (unsigned bit = 0; bit < (wide ? 20u : 14u); ++bit) {
    if (!(mask >> bit & 1)) continue;
    if (off + w > len) return false;
    uint32_t v = wide ? rd32(p + off) : rd16(p + off);
    off += w;
    unsigned r = wide ? kRg32Map[bit] : bit;
    if (r < kNumRegs) out.set(r, v);
  }
  return true;
}

bool parse_ram(const uint8_t* p, size_t len, std::vector<RamByte>& out) {
  if (len < 4) return false;
  uint32_t n = rd32(p);
  if ((len - 4) / 5 < n) return false;
  out.resize(n);
  for (uint32_t k = 0; k < n; ++k) out[k] = RamByte{rd32(p + 4 + 5 * k), p[8 + 5 * k]};
  return true;
}

// INIT or FINA payload.
bool parse_state(const uint8_t* p, size_t len, Test& t, bool final_state) {
  Chunks ch{p, p + len};
  std::string_view id;
  const uint8_t* q;
  size_t n;
  RegSet& regs = final_state ? t.fina : t.init;
  while (ch.next(id, q, n)) {
    if (id == "REGS" || id == "RG32") {
      if (id == "RG32") t.wide = true;
      if (!parse_regs(q, n, id == "RG32", regs)) return false;
    } else if (id == "RMSK" || id == "RM32") {
      if (final_state && !parse_regs(q, n, id == "RM32", t.fina_mask)) return false;
    } else if (id == "RAM ") {
      if (!parse_ram(q, n, final_state ? t.fina_ram : t.init_ram)) return false;
    }  // QUEU, EA32: not needed
  }
  return !ch.bad;
}

bool parse_test(const uint8_t* p, size_t len, Test& t) {
  t = Test{};
  if (len < 4) return false;
  t.index = rd32(p);
  Chunks ch{p + 4, p + len};
  std::string_view id;
  const uint8_t* q;
  size_t n;
  bool init = false, fina = false;
  while (ch.next(id, q, n)) {
    if (id == "NAME" || id == "BYTS") {
      if (n < 4 || rd32(q) > n - 4) return false;
      if (id == "NAME") t.name = std::string_view(reinterpret_cast<const char*>(q + 4), rd32(q));
      else t.bytes = std::span<const uint8_t>(q + 4, rd32(q));
    } else if (id == "INIT") {
      if (!parse_state(q, n, t, false)) return false;
      init = true;
    } else if (id == "FINA") {
      if (!parse_state(q, n, t, true)) return false;
      fina = true;
    } else if (id == "EXCP") {
      if (n < 5) return false;
      t.has_excp = true;
      t.excp = q[0];
      t.excp_flags_addr = rd32(q + 1);
    } else if (id == "HASH") {
      if (n < 20) return false;
      t.has_hash = true;
      std::memcpy(t.hash, q, 20);
    }  // GMET, CYCL, IDX: ignored
  }
  return !ch.bad && init && fina && !t.bytes.empty();
}

}  // namespace

const char* reg_name(unsigned r) { return r < kNumRegs ? kRegNames[r] : "?"; }

std::string Test::hash_hex() const {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : hash) { s += hex[b >> 4]; s += hex[b & 15]; }
  return s;
}

bool MooFile::load(const std::string& path, std::string* err) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files unchanged too
  if (!f) {
    *err = "cannot open '" + path + "': " + std::strerror(errno ? errno : ENOENT);
    return false;
  }
  gzbuffer(f, 1 << 17);
  data_.clear();
  size_t used = 0;
  for (;;) {
    if (data_.size() - used < (1u << 20)) data_.resize(used + (4u << 20));
    int n = gzread(f, data_.data() + used, unsigned(data_.size() - used));
    if (n < 0) {
      int code;
      *err = "cannot read '" + path + "': " + gzerror(f, &code);
      gzclose(f);
      return false;
    }
    if (n == 0) break;
    used += size_t(n);
  }
  gzclose(f);
  data_.resize(used);
  tests_.clear();

  Chunks ch{data_.data(), data_.data() + data_.size()};
  std::string_view id;
  const uint8_t* q;
  size_t n;
  bool header = false;
  while (ch.next(id, q, n)) {
    if (id == "MOO ") {
      if (n < 12) break;
      major = q[0];
      minor = q[1];
      test_count = rd32(q + 4);
      cpu_id = trim(std::string_view(reinterpret_cast<const char*>(q + 8), 4));
      header = true;
    } else if (id == "META") {
      if (n < 19) break;
      has_meta = true;
      meta_opcode = rd32(q + 3);
      meta_mnemonic = trim(std::string_view(reinterpret_cast<const char*>(q + 7), 8));
    } else if (id == "RMSK" || id == "RM32") {
      if (!parse_regs(q, n, id == "RM32", top_mask)) ch.bad = true;
    } else if (id == "TEST") {
      tests_.emplace_back(q - data_.data(), n);
    }
  }
  if (!header || ch.bad) {
    *err = "'" + path + "' is not a valid MOO file (" + (header ? "truncated or malformed chunk" : "no 'MOO ' header chunk") + ")";
    return false;
  }
  return true;
}

bool MooFile::parse_tests(std::vector<Test>& out, std::string* err) const {
  out.resize(tests_.size());
  for (size_t k = 0; k < tests_.size(); ++k) {
    if (!parse_test(data_.data() + tests_[k].first, tests_[k].second, out[k])) {
      *err = "malformed TEST chunk #" + std::to_string(k);
      return false;
    }
  }
  return true;
}

// ---- writer ----
namespace {
void put32(std::vector<uint8_t>& v, uint32_t x) { for (int k = 0; k < 4; ++k) v.push_back(uint8_t(x >> (8 * k))); }
void put16(std::vector<uint8_t>& v, uint16_t x) { v.push_back(uint8_t(x)); v.push_back(uint8_t(x >> 8)); }
void chunk(std::vector<uint8_t>& v, const char* id, const std::vector<uint8_t>& payload) {
  v.insert(v.end(), id, id + 4);
  put32(v, uint32_t(payload.size()));
  v.insert(v.end(), payload.begin(), payload.end());
}
std::vector<uint8_t> state_payload(const RegSet& r, const std::vector<RamByte>& ram) {
  std::vector<uint8_t> regs, ramv, out;
  put16(regs, uint16_t(r.present & 0x3FFF));
  for (unsigned k = 0; k < 14; ++k)
    if (r.has(k)) put16(regs, uint16_t(r.v[k]));
  put32(ramv, uint32_t(ram.size()));
  for (const RamByte& b : ram) { put32(ramv, b.addr); ramv.push_back(b.value); }
  chunk(out, "REGS", regs);
  chunk(out, "RAM ", ramv);
  return out;
}
}  // namespace

MooWriter::MooWriter(std::string_view cpu_id) : cpu_id_(cpu_id) { cpu_id_.resize(4, ' '); }

void MooWriter::add_test(std::string_view name, std::span<const uint8_t> bytes, const RegSet& init,
                         const std::vector<RamByte>& init_ram, const RegSet& fina,
                         const std::vector<RamByte>& fina_ram, const uint8_t* hash20, int excp,
                         uint32_t excp_addr) {
  std::vector<uint8_t> t, p;
  put32(t, count_++);
  put32(p, uint32_t(name.size()));
  p.insert(p.end(), name.begin(), name.end());
  chunk(t, "NAME", p);
  p.clear();
  put32(p, uint32_t(bytes.size()));
  p.insert(p.end(), bytes.begin(), bytes.end());
  chunk(t, "BYTS", p);
  chunk(t, "INIT", state_payload(init, init_ram));
  chunk(t, "FINA", state_payload(fina, fina_ram));
  if (excp >= 0) {
    p.assign(1, uint8_t(excp));
    put32(p, excp_addr);
    chunk(t, "EXCP", p);
  }
  if (hash20) chunk(t, "HASH", std::vector<uint8_t>(hash20, hash20 + 20));
  chunk(tests_, "TEST", t);
}

bool MooWriter::save(const std::string& path, bool gz, std::string* err) const {
  std::vector<uint8_t> file, hdr = {1, 0, 0, 0};
  put32(hdr, count_);
  hdr.insert(hdr.end(), cpu_id_.begin(), cpu_id_.end());
  chunk(file, "MOO ", hdr);
  file.insert(file.end(), tests_.begin(), tests_.end());
  gzFile f = gzopen(path.c_str(), gz ? "wb9" : "wbT");  // T: no compression
  bool ok = f && gzwrite(f, file.data(), unsigned(file.size())) == int(file.size());
  if (f && gzclose(f) != Z_OK) ok = false;
  if (!ok) *err = "cannot write '" + path + "'";
  return ok;
}

}  // namespace vec
