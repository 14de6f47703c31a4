// jit::Config: every translator optimization, each switchable at run time
// (DESIGN.md principle 9), so a translator bug is bisected by configuration.
// Parsed from the command line's `--jit OPT,OPT,...`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace jit {

// The inline emitters, each switchable (`--jit no-emit=NAME`): names in
// emitter_names(), bits in Config::no_emit.
enum class Emitter : uint8_t { Mov, Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test, Inc, Dec, Push, Pop, Jcc, Lea, Movzx, Movsx, Call, Ret, Setcc, Cmovcc, Imul, Shift, Rotate, Neg, Not, Xchg, Jmp, Rep, Count };

struct Config {
  bool chain = true;          // patch direct block exits to jump straight to their target
  bool inline_ops = true;     // inline host code for the hot instructions (else: call the handler)
  bool flag_elision = true;   // keep guest flags in host RFLAGS between inline instructions
  bool inline_mem = true;     // memory operands through the inline soft-TLB path (else: the handler)
  bool jump_cache = true;     // indirect exits look their target up in generated code
  bool reg_cache = true;      // guest registers live in host registers within a block
  bool flat_segments = true;  // blocks entered with flat segments skip the segment checks
  uint32_t no_emit = 0;       // bit per Emitter: that instruction calls its handler
  unsigned smc_interp = 16;   // a page whose blocks were invalidated this often is interpreted (0: never)
  bool emits(Emitter e) const { return inline_ops && !(no_emit & (1u << unsigned(e))); }
  unsigned max_insns = 32;    // guest instructions per translated block (1 = translate one at a time)
  size_t cache_bytes = size_t(64) << 20;  // the code cache; flushed whole when full
};

// "no-chain,no-inline,max-insns=1,cache=256K": throws std::invalid_argument
// with a message naming the bad item.
Config parse_config(const std::string& spec);
const char* const* emitter_names();  // Emitter::Count names, lower case
std::string config_help();

}  // namespace jit
