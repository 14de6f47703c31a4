#include "jit/config.h"

#include <stdexcept>

namespace jit {
namespace {

uint64_t parse_size(const std::string& item, const std::string& v) {
  size_t pos = 0;
  uint64_t n = 0;
  try {
    n = std::stoull(v, &pos, 0);
  } catch (const std::exception&) {
    throw std::invalid_argument("--jit " + item + ": not a number");
  }
  std::string unit = v.substr(pos);
  if (unit == "K" || unit == "k") n <<= 10;
  else if (unit == "M" || unit == "m") n <<= 20;
  else if (!unit.empty()) throw std::invalid_argument("--jit " + item + ": unknown unit '" + unit + "'");
  return n;
}

const char* const kEmitterNames[] = {"mov", "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp",
                                     "test", "inc", "dec", "push", "pop", "jcc", "lea", "movzx", "movsx", "call", "ret", "setcc", "cmovcc",
                                     "imul", "shift", "rotate", "neg", "not", "xchg", "jmp", "rep"};
static_assert(sizeof kEmitterNames / sizeof *kEmitterNames == size_t(Emitter::Count));

}  // namespace

const char* const* emitter_names() { return kEmitterNames; }

Config parse_config(const std::string& spec) {
  Config c;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) continue;
    std::string key = item, val;
    if (size_t eq = item.find('='); eq != std::string::npos) {
      key = item.substr(0, eq);
      val = item.substr(eq + 1);
    }
    if (key == "no-chain" && val.empty()) c.chain = false;
    else if (key == "chain" && val.empty()) c.chain = true;
    else if (key == "no-inline" && val.empty()) c.inline_ops = false;
    else if (key == "inline" && val.empty()) c.inline_ops = true;
    else if (key == "no-flag-elision" && val.empty()) c.flag_elision = false;
    else if (key == "flag-elision" && val.empty()) c.flag_elision = true;
    else if (key == "no-inline-mem" && val.empty()) c.inline_mem = false;
    else if (key == "no-jump-cache" && val.empty()) c.jump_cache = false;
    else if (key == "smc-interp" && !val.empty()) {
      uint64_t n = parse_size(item, val);
      if (n > 255) throw std::invalid_argument("--jit " + item + ": must be 0..255");
      c.smc_interp = unsigned(n);
    } else if (key == "no-emit" && !val.empty()) {
      unsigned k = 0;
      while (k < unsigned(Emitter::Count) && val != kEmitterNames[k]) ++k;
      if (k == unsigned(Emitter::Count)) throw std::invalid_argument("--jit " + item + ": no such emitter");
      c.no_emit |= 1u << k;
    }
    else if (key == "jump-cache" && val.empty()) c.jump_cache = true;
    else if (key == "no-reg-cache" && val.empty()) c.reg_cache = false;
    else if (key == "reg-cache" && val.empty()) c.reg_cache = true;
    else if (key == "no-flat" && val.empty()) c.flat_segments = false;
    else if (key == "flat" && val.empty()) c.flat_segments = true;
    else if (key == "inline-mem" && val.empty()) c.inline_mem = true;
    else if (key == "max-insns" && !val.empty()) {
      uint64_t n = parse_size(item, val);
      if (n < 1 || n > 256) throw std::invalid_argument("--jit " + item + ": must be 1..256");
      c.max_insns = unsigned(n);
    } else if (key == "cache" && !val.empty()) {
      uint64_t n = parse_size(item, val);
      if (n < 16384 || n > (uint64_t(1) << 30)) throw std::invalid_argument("--jit " + item + ": must be 16K..1024M");
      c.cache_bytes = size_t(n);
    } else {
      throw std::invalid_argument("--jit: unknown item '" + item + "' (" + config_help() + ")");
    }
  }
  return c;
}

std::string config_help() {
  return "no-chain, no-jump-cache, no-inline, no-inline-mem, no-flag-elision, no-emit=NAME (mov add or adc sbb "
         "and sub xor cmp test inc dec push pop jcc lea movzx movsx call ret setcc cmovcc imul shift rotate neg not xchg "
         "jmp rep), no-reg-cache, no-flat, max-insns=N, cache=SIZE[K|M], smc-interp=N";
}

}  // namespace jit
