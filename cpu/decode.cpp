// Zydis -> Insn. The only file (with its header) that includes Zydis.
//
// Zydis validates the encoding, sizes it and parses prefixes, ModRM, SIB,
// displacement and immediates. We then find the instruction-table row for
// (opcode map, opcode, ModRM.reg, mnemonic); no row means #UD. Zydis decodes
// far newer ISAs than a Pentium II, so the table, not Zydis, decides what
// exists.
#include "cpu/decode.h"

#include <Zydis/Zydis.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

#include "cpu/table.h"

namespace cpu {
namespace {

struct Decoders {
  ZydisDecoder d[3];
  Decoders() {
    ZydisDecoderInit(&d[0], ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&d[1], ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&d[2], ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
  }
};

// (map, opcode, reg, mnemonic) -> row index. reg 8 stands for "any".
uint64_t row_key(unsigned map, unsigned op, unsigned reg, unsigned mnem) {
  return (uint64_t(mnem) << 16) | (map << 12) | (op << 4) | reg;
}

struct RowIndex {
  std::unordered_map<uint64_t, uint16_t> map;
  RowIndex() {
    std::unordered_map<std::string, unsigned> by_name;
    for (unsigned m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; ++m)
      if (const char* s = ZydisMnemonicGetString(ZydisMnemonic(m))) by_name[s] = m;
    auto rows = table();
    for (size_t k = 0; k < rows.size(); ++k) {
      const Row& r = rows[k];
      std::string name;
      for (const char* p = r.form; *p && *p != ' '; ++p) name += char(std::tolower(*p));
      auto it = by_name.find(name);
      if (it == by_name.end()) {
        std::fprintf(stderr, "xlat86: instruction table row \"%s\": unknown mnemonic\n", r.form);
        std::abort();
      }
      unsigned reg = r.reg < 0 ? 8 : unsigned(r.reg);
      if (!map.emplace(row_key(r.map, r.opcode, reg, it->second), uint16_t(k)).second) {
        std::fprintf(stderr, "xlat86: instruction table row \"%s\" duplicates another\n", r.form);
        std::abort();
      }
    }
  }
  const Row* find(unsigned map_, unsigned op, unsigned reg, unsigned mnem, uint16_t* index) const {
    auto it = map.find(row_key(map_, op, reg, mnem));
    if (it == map.end()) it = map.find(row_key(map_, op, 8, mnem));
    if (it == map.end()) return nullptr;
    *index = it->second;
    return &table()[it->second];
  }
};

const Decoders& decoders() {
  static const Decoders d;
  return d;
}
const RowIndex& row_index() {
  static const RowIndex r;
  return r;
}

uint8_t gpr_of(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return kNoReg;
  ZydisRegisterClass cls = ZydisRegisterGetClass(r);
  if (cls != ZYDIS_REGCLASS_GPR16 && cls != ZYDIS_REGCLASS_GPR32) return kNoReg;
  return uint8_t(ZydisRegisterGetId(r));
}

uint8_t seg_of(ZydisRegister r) {
  switch (r) {
    case ZYDIS_REGISTER_ES: return ES;
    case ZYDIS_REGISTER_CS: return CS;
    case ZYDIS_REGISTER_SS: return SS;
    case ZYDIS_REGISTER_FS: return FS;
    case ZYDIS_REGISTER_GS: return GS;
    default: return DS;
  }
}

// Segment selected by the effective segment-override prefix, if any.
bool override_seg(const ZydisDecodedInstruction& in, uint8_t* seg) {
  static const struct { ZyanU64 attr; uint8_t seg; } k[] = {
      {ZYDIS_ATTRIB_HAS_SEGMENT_ES, ES}, {ZYDIS_ATTRIB_HAS_SEGMENT_CS, CS},
      {ZYDIS_ATTRIB_HAS_SEGMENT_SS, SS}, {ZYDIS_ATTRIB_HAS_SEGMENT_DS, DS},
      {ZYDIS_ATTRIB_HAS_SEGMENT_FS, FS}, {ZYDIS_ATTRIB_HAS_SEGMENT_GS, GS}};
  for (auto& e : k)
    if (in.attributes & e.attr) { *seg = e.seg; return true; }
  // Zydis marks a segment prefix on instructions without a memory operand as
  // ignored; the last one still selects the segment for string sources etc.
  for (int p = in.raw.prefix_count - 1; p >= 0; --p) {
    switch (in.raw.prefixes[p].value) {
      case 0x26: *seg = ES; return true;
      case 0x2E: *seg = CS; return true;
      case 0x36: *seg = SS; return true;
      case 0x3E: *seg = DS; return true;
      case 0x64: *seg = FS; return true;
      case 0x65: *seg = GS; return true;
    }
  }
  return false;
}

}  // namespace

DecodeStatus decode(DecodeMode mode, const uint8_t* bytes, size_t avail, Insn& out) {
  ZydisDecodedInstruction in;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  ZyanStatus st = ZydisDecoderDecodeFull(&decoders().d[unsigned(mode)], bytes, avail, &in, ops);
  if (st == ZYDIS_STATUS_NO_MORE_DATA) return avail >= 15 ? DecodeStatus::TooLong : DecodeStatus::NeedMore;
  if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) return DecodeStatus::TooLong;
  if (ZYAN_FAILED(st)) return DecodeStatus::Invalid;
  if (in.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY) return DecodeStatus::Invalid;
  if (in.opcode_map != ZYDIS_OPCODE_MAP_DEFAULT && in.opcode_map != ZYDIS_OPCODE_MAP_0F)
    return DecodeStatus::Invalid;

  unsigned map = in.opcode_map == ZYDIS_OPCODE_MAP_0F ? 1 : 0;
  unsigned reg = (in.attributes & ZYDIS_ATTRIB_HAS_MODRM) ? in.raw.modrm.reg : 8;
  uint16_t index = 0;
  const Row* row = row_index().find(map, in.opcode, reg, in.mnemonic, &index);
  if (!row) return DecodeStatus::Invalid;

  std::memset(&out, 0, sizeof out);
  out.row = index;
  out.len = in.length;
  out.base = out.index = kNoReg;
  out.seg = DS;
  if (in.operand_width == 32) out.flags |= I_OSZ32;
  if (in.address_width == 32) out.flags |= I_ASZ32;
  if (in.attributes & ZYDIS_ATTRIB_HAS_LOCK) out.flags |= I_LOCK;
  if (row->attrs & A_STRING) {
    // The last F2/F3 prefix decides (Zydis reports it as REP/REPE/REPNE).
    for (int p = in.raw.prefix_count - 1; p >= 0; --p) {
      uint8_t v = in.raw.prefixes[p].value;
      if (v == 0xF3) { out.flags |= I_REP; break; }
      if (v == 0xF2) { out.flags |= I_REPNE; break; }
    }
  }
  uint8_t ovr;
  if (override_seg(in, &ovr)) { out.seg = ovr; out.flags |= I_SEGOVR; }

  if (in.attributes & ZYDIS_ATTRIB_HAS_MODRM) {
    out.reg = in.raw.modrm.reg;
    out.rm = in.raw.modrm.rm;
  } else {
    out.reg = in.opcode & 7;  // register encoded in the opcode (50+r, B8+r, 0F C8+r ...)
  }

  bool have_imm = false;
  for (unsigned k = 0; k < in.operand_count_visible; ++k) {
    const ZydisDecodedOperand& op = ops[k];
    switch (op.type) {
      case ZYDIS_OPERAND_TYPE_MEMORY:
        if (op.mem.type != ZYDIS_MEMOP_TYPE_MEM && op.mem.type != ZYDIS_MEMOP_TYPE_AGEN) break;
        if (row->attrs & A_STRING) break;  // implicit DS:SI / ES:DI, segment set above
        if (out.flags & I_MEM) break;
        out.flags |= I_MEM;
        out.base = gpr_of(op.mem.base);
        out.index = gpr_of(op.mem.index);
        out.scale = op.mem.scale ? uint8_t(__builtin_ctz(op.mem.scale)) : 0;
        out.disp = uint32_t(op.mem.disp.value);
        // An explicit override wins even where Zydis reads the prefix as a
        // hint (3E = NOTRACK on indirect CALL/JMP is a DS override on a P6).
        if (op.mem.type == ZYDIS_MEMOP_TYPE_MEM && !(out.flags & I_SEGOVR))
          out.seg = seg_of(op.mem.segment);
        break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        if (!have_imm) { out.imm = uint32_t(op.imm.value.u); have_imm = true; }
        else out.imm2 = uint16_t(op.imm.value.u);
        break;
      case ZYDIS_OPERAND_TYPE_POINTER:
        out.imm = op.ptr.offset;
        out.imm2 = op.ptr.segment;
        break;
      default: break;
    }
  }
  // String instructions: i.seg is the source segment (DS or the override);
  // the ES:(E)DI destination cannot be overridden.

  switch (row->size) {
    case Size::B: out.fn = row->h8; break;
    case Size::V: out.fn = (out.flags & I_OSZ32) ? row->h32 : row->h16; break;
    default: out.fn = (out.flags & I_OSZ32) ? row->h32 : row->h16; break;
  }
  return out.fn ? DecodeStatus::Ok : DecodeStatus::Invalid;
}

std::string disassemble(DecodeMode mode, const uint8_t* bytes, size_t avail) {
  ZydisDecodedInstruction in;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (ZYAN_FAILED(ZydisDecoderDecodeFull(&decoders().d[unsigned(mode)], bytes, avail, &in, ops)))
    return "(bad)";
  ZydisFormatter fmt;
  ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);
  char buf[128];
  if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&fmt, &in, ops, in.operand_count_visible, buf,
                                                  sizeof buf, ZYDIS_RUNTIME_ADDRESS_NONE, nullptr)))
    return "(bad)";
  return buf;
}

ZydisView zydis_view(DecodeMode mode, const uint8_t* bytes, size_t avail) {
  ZydisDecodedInstruction in;
  if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&decoders().d[unsigned(mode)], nullptr, bytes, avail, &in)))
    return {nullptr, false, 0};
  ZydisInstructionCategory cat = in.meta.category;
  bool branch = cat == ZYDIS_CATEGORY_COND_BR || cat == ZYDIS_CATEGORY_UNCOND_BR ||
                cat == ZYDIS_CATEGORY_CALL || cat == ZYDIS_CATEGORY_RET ||
                cat == ZYDIS_CATEGORY_INTERRUPT;
  return {ZydisMnemonicGetString(in.mnemonic), branch, in.length};
}

}  // namespace cpu
