#include "json.h"

#include <cstdlib>

namespace vec {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  bool document(Json& out, std::string* err) {
    bool ok = value(out, 0);
    if (ok) {
      skip_ws();
      if (pos_ != s_.size()) ok = fail("trailing characters after the document");
    }
    if (!ok) {
      size_t line = 1;
      for (size_t k = 0; k < pos_ && k < s_.size(); ++k) line += s_[k] == '\n';
      *err = "line " + std::to_string(line) + ": " + msg_;
    }
    return ok;
  }

 private:
  bool fail(const char* m) {
    if (msg_.empty()) msg_ = m;
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == c) { ++pos_; return true; }
    return false;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool value(Json& out, int depth) {
    if (depth > 64) return fail("nesting too deep");
    skip_ws();
    if (pos_ >= s_.size()) return fail("unexpected end of input");
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') { out.type = Json::String; return string(out.str); }
    if (c == 't') { out.type = Json::Bool; out.boolean = true; return literal("true"); }
    if (c == 'f') { out.type = Json::Bool; out.boolean = false; return literal("false"); }
    if (c == 'n') { out.type = Json::Null; return literal("null"); }
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    return fail("unexpected character");
  }

  bool number(Json& out) {
    size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[pos_]) != std::string_view::npos) ++pos_;
    std::string tok(s_.substr(start, pos_ - start));
    char* end = nullptr;
    out.type = Json::Number;
    out.number = std::strtod(tok.c_str(), &end);
    if (end != tok.c_str() + tok.size()) return fail("invalid number");
    return true;
  }

  static void utf8(std::string& s, unsigned cp) {
    if (cp < 0x80) {
      s += char(cp);
    } else if (cp < 0x800) {
      s += char(0xC0 | cp >> 6);
      s += char(0x80 | (cp & 0x3F));
    } else {
      s += char(0xE0 | cp >> 12);
      s += char(0x80 | ((cp >> 6) & 0x3F));
      s += char(0x80 | (cp & 0x3F));
    }
  }

  bool string(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') { out += c; continue; }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return fail("bad \\u escape");
          unsigned cp = unsigned(std::strtoul(std::string(s_.substr(pos_, 4)).c_str(), nullptr, 16));
          pos_ += 4;
          utf8(out, cp);
          break;
        }
        default: return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }

  bool array(Json& out, int depth) {
    ++pos_;
    out.type = Json::Array;
    if (eat(']')) return true;
    do {
      out.items.emplace_back();
      if (!value(out.items.back(), depth + 1)) return false;
    } while (eat(','));
    return eat(']') || fail("expected ',' or ']'");
  }

  bool object(Json& out, int depth) {
    ++pos_;
    out.type = Json::Object;
    if (eat('}')) return true;
    do {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a member name");
      out.members.emplace_back();
      if (!string(out.members.back().first)) return false;
      if (!eat(':')) return fail("expected ':'");
      if (!value(out.members.back().second, depth + 1)) return false;
    } while (eat(','));
    return eat('}') || fail("expected ',' or '}'");
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string msg_;
};

}  // namespace

const Json* Json::get(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

bool parse_json(std::string_view text, Json& out, std::string* err) {
  out = Json{};
  return Parser(text).document(out, err);
}

}  // namespace vec
