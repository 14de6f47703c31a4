#include "metadata.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "json.h"

namespace vec {
namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return !f.bad();
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = char(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "9C" -> 0x9C, "0F01" -> 0x0F01; -1 if not hex of length 2 or 4.
int parse_opcode(const std::string& s) {
  if (s.size() != 2 && s.size() != 4) return -1;
  int v = 0;
  for (char c : s) {
    int h = hexval(c);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

template <class E> void read_fields(const Json& j, E& e) {
  e.present = true;
  if (const Json* s = j.get("status"); s && s->is_string()) e.status = s->str;
  if (const Json* m = j.get("flags-mask"); m && m->is_number()) e.flags_mask = uint16_t(m->number);
}

}  // namespace

Metadata::Metadata() {
  // Without a metadata.json: the 8086/286 prefixes and the 0F escape.
  for (int p : {0x26, 0x2E, 0x36, 0x3E, 0xF0, 0xF1, 0xF2, 0xF3}) prefix_[p] = true;
  escape_[0x0F] = true;
}

bool Metadata::load(const std::string& path, std::string* err) {
  std::string text;
  if (!read_file(path, text)) {
    *err = "cannot read '" + path + "'";
    return false;
  }
  Json doc;
  std::string jerr;
  if (!parse_json(text, doc, &jerr)) {
    *err = "'" + path + "': invalid JSON: " + jerr;
    return false;
  }
  const Json* ops = doc.get("opcodes");
  if (!ops || !ops->is_object()) {
    *err = "'" + path + "': no \"opcodes\" object";
    return false;
  }
  *this = Metadata();
  for (auto& p : prefix_) p = false;
  for (auto& e : escape_) e = false;
  path_ = path;
  for (const auto& [name, j] : ops->members) {
    int op = parse_opcode(name);
    if (op < 0 || !j.is_object()) continue;
    Entry& e = op > 0xFF ? two_[op & 0xFF] : one_[op];
    read_fields(j, e);
    if (op <= 0xFF && e.status == "prefix") prefix_[op] = true;
    if (op <= 0xFF && e.status == "extension") escape_[op] = true;
    if (const Json* r = j.get("reg"); r && r->is_object()) {
      e.has_reg = true;
      for (const auto& [rn, rj] : r->members)
        if (rn.size() == 1 && rn[0] >= '0' && rn[0] <= '7' && rj.is_object()) read_fields(rj, e.reg[rn[0] - '0']);
    }
  }
  return true;
}

InsnKey Metadata::key(std::span<const uint8_t> b) const {
  InsnKey k;
  size_t i = 0;
  while (i < b.size() && prefix_[b[i]]) {
    switch (b[i]) {
      case 0xF0: k.lock = true; break;
      case 0xF1: k.f1 = true; break;
      case 0xF2: k.repne = true; break;
      case 0xF3: k.rep = true; break;
      case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65: k.seg_override = b[i]; break;
      default: break;
    }
    ++i;
  }
  k.prefix_len = uint8_t(i);
  if (i >= b.size()) return k;
  const Entry* e = &one_[b[i]];
  k.opcode = b[i];
  if (escape_[b[i]] && i + 1 < b.size()) {
    ++i;
    k.opcode = uint16_t(0x0F00 | b[i]);
    e = &two_[b[i]];
  }
  if (i + 1 < b.size()) {
    k.has_modrm = true;
    k.modrm = b[i + 1];
  }
  if (!e->present) return k;
  k.meta_found = true;
  k.status = e->status;
  k.flags_mask = e->flags_mask;
  if (e->has_reg) {
    const Entry::Sub* s = k.has_modrm ? &e->reg[k.reg()] : nullptr;
    k.meta_found = s && s->present;
    k.status = k.meta_found ? std::string_view(s->status) : std::string_view();
    k.flags_mask = k.meta_found ? s->flags_mask : 0xFFFF;
  }
  return k;
}

bool Revocations::load(const std::string& path, std::string* err) {
  std::ifstream f(path);
  if (!f) {
    *err = "cannot read '" + path + "'";
    return false;
  }
  std::string line;
  while (std::getline(f, line)) {
    std::string h;
    for (char c : line) {
      if (c == '#') break;
      if (hexval(c) >= 0) h += char(std::tolower(static_cast<unsigned char>(c)));
      else if (!std::isspace(static_cast<unsigned char>(c))) { h.clear(); break; }
    }
    if (h.size() == 40) set_.insert(h);
  }
  return true;
}

}  // namespace vec
