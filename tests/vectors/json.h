// A minimal JSON reader, enough for the vectors' metadata.json files.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vec {

struct Json {
  enum Type { Null, Bool, Number, String, Array, Object } type = Null;
  bool boolean = false;
  double number = 0;
  std::string str;
  std::vector<Json> items;                            // Array
  std::vector<std::pair<std::string, Json>> members;  // Object, in file order

  const Json* get(std::string_view key) const;  // Object member or nullptr
  bool is_string() const { return type == String; }
  bool is_number() const { return type == Number; }
  bool is_object() const { return type == Object; }
};

// Parses a whole document. False with *err ("line N: ...") on a syntax error.
bool parse_json(std::string_view text, Json& out, std::string* err);

}  // namespace vec
