// The known architectural differences between the vector CPUs (Intel 8086,
// Harris 80C286 in real mode) and the Pentium II that xlat86 models.
//
// Rules for this file:
// - Every entry names the CPU it applies to, the opcodes (and ModRM.reg), and
//   when needed a predicate on the test, and says WHY a P6 legitimately
//   behaves differently. Sources: the Intel SDM (P6 behaviour), the 8086 and
//   80286 manuals, the vector set's README ("Caveats"), and checks of the
//   vectors themselves (noted where made).
// - Skip only what is not comparable; adjust only the bits that differ.
// - Never add an entry because one of our handlers is wrong. A failure that
//   is not explained by a documented architectural difference is a bug.
#include "known_differences.h"

namespace vec {

CpuKind cpu_kind(std::string_view id) {
  if (id == "8086" || id == "8088") return CpuKind::I8086;
  if (id == "C286" || id == "286") return CpuKind::I286;
  return CpuKind::Other;
}

const char* cpu_kind_name(CpuKind k) {
  switch (k) {
    case CpuKind::I8086: return "8086";
    case CpuKind::I286: return "80286";
    default: return "other";
  }
}

bool wraps_1mib(std::string_view id) {
  return id == "8086" || id == "8088" || id == "V20" || id == "V30" || id == "186";
}

// FLAGS a P6 in real mode can hold: CF PF AF ZF SF TF IF DF OF IOPL NT (bit 1
// is always 1; bits 3, 5 and 15 are always 0).
constexpr uint32_t kP6RealFlags = 0x7FD5;

uint32_t init_flags_keep(CpuKind k) {
  switch (k) {
    // 8086: FLAGS bits 12-15 always read 1. A P6 can hold 12-14 (IOPL, NT)
    // but not 15, so bit 15 is dropped (and ignored in comparisons, below).
    case CpuKind::I8086: return kP6RealFlags;
    // 80286 in real mode: bits 12-15 always read 0 (the classic 286 CPU test;
    // confirmed by the vectors: no final FLAGS and no pushed FLAGS word has
    // them set, whatever the initial value says). So the CPU really held 0.
    case CpuKind::I286: return kP6RealFlags & 0x0FFF;
    default: return kP6RealFlags;
  }
}

namespace {

// LOCK is allowed only on these instructions with a memory destination
// (SDM vol. 2, LOCK); anything else is #UD on a 386 and later.
bool lockable(const InsnKey& k) {
  if (!k.modrm_mem()) return false;
  const int reg = k.reg();
  switch (k.opcode) {
    case 0x00: case 0x01: case 0x08: case 0x09: case 0x10: case 0x11: case 0x18: case 0x19:
    case 0x20: case 0x21: case 0x28: case 0x29: case 0x30: case 0x31:  // ALU Eb/Ev,G
    case 0x86: case 0x87:                                              // XCHG
    case 0x0FAB: case 0x0FB3: case 0x0FBB:                             // BTS BTR BTC
    case 0x0FB0: case 0x0FB1: case 0x0FC0: case 0x0FC1:                // CMPXCHG XADD
      return true;
    case 0x80: case 0x81: case 0x82: case 0x83: return reg != 7;      // not CMP
    case 0xF6: case 0xF7: return reg == 2 || reg == 3;                 // NOT NEG
    case 0xFE: case 0xFF: return reg == 0 || reg == 1;                 // INC DEC
    case 0x0FBA: return reg >= 5;                                      // BTS/BTR/BTC imm
    case 0x0FC7: return reg == 1;                                      // CMPXCHG8B
    default: return false;
  }
}

// LOCK on a non-lockable instruction, unless the test CPU raised #UD anyway
// (an invalid encoding: then both CPUs agree).
bool lock_misused(const TestCtx& x) {
  return x.k.lock && !lockable(x.k) && !(x.t.has_excp && x.t.excp == 6);
}
bool f1_prefix(const TestCtx& x) { return x.k.f1; }
// The instruction pushed an interrupt frame (FLAGS, CS, IP): SP went down by 6.
bool pushed_frame(const TestCtx& x) { return uint16_t(x.init(SP) - x.fina(SP)) == 6; }
// Shift/rotate by CL >= 32: the 8086 uses CL, a 186+ CL & 1Fh. Skipped only
// when that changes the outcome (result or a compared flag):
//   ROL/ROR: rotating by CL or CL & 1Fh is the same (32 is a multiple of the
//            width), except that a masked count of 0 leaves CF alone;
//   RCL/RCR: the same when both counts agree modulo width+1;
//   SHL/SHR: the same when both counts exceed the width (result 0, CF 0);
//   SAR:     the same when both counts reach the width (all sign bits).
bool shift_count_differs(const TestCtx& x) {
  const unsigned cl = x.cl(), m = cl & 31, w = x.k.opcode == 0xD2 ? 8 : 16;
  if (cl < 32) return false;
  switch (x.k.reg()) {
    case 0: case 1: return m == 0;
    case 2: case 3: return cl % (w + 1) != m % (w + 1);
    case 7: return m < w;
    default: return m <= w;
  }
}
bool setmo_not_noop(const TestCtx& x) { return x.k.opcode <= 0xD1 || x.cl() != 0; }
bool modrm_is_sp(const TestCtx& x) { return x.k.has_modrm && x.k.modrm == 0xF4; }  // FF /6 with rm = SP
bool reg_ge4_or_cs(const TestCtx& x) { return x.k.reg() >= 4 || (x.k.opcode == 0x8E && x.k.reg() == 1); }
bool reg_nonzero(const TestCtx& x) { return x.k.reg() > 0; }
// MOV to/from FS/GS encodings (with LOCK both CPUs raise #UD: comparable).
bool reg_fs_gs(const TestCtx& x) { return (x.k.reg() == 4 || x.k.reg() == 5) && !x.k.lock; }
// One 286 vector whose #UD frame holds SS where CS belongs; the other 249
// vectors of the same encoding (26 FF DD) push CS. Keyed by its hash only.
bool suspect_286_ff3(const TestCtx& x) {
  return x.t.has_hash && x.t.hash_hex() == "ab0cea0f2b89ae469a98eaf20dedc9ff2ca08c91";
}
bool div_fault(const TestCtx& x) { return x.k.reg() >= 6 && pushed_frame(x); }
bool rep_imul_idiv(const TestCtx& x) { return (x.k.reg() == 5 || x.k.reg() == 7) && (x.k.rep || x.k.repne); }
bool bcd_adjusts(const TestCtx& x) { return (x.al() & 0x0F) > 9 || (x.init(FLAGS) & 0x10); }
bool aaa_carries(const TestCtx& x) { return bcd_adjusts(x) && x.al() >= 0xFA; }
bool aas_borrows(const TestCtx& x) { return bcd_adjusts(x) && x.al() < 6; }
// The test touched both offset FFFFh and offset 0 of one segment: an access
// that wrapped inside the segment (the vectors list every byte read in INIT
// and every byte written in FINA).
bool wrapped_in_segment(const TestCtx& x) {
  for (unsigned s : {CS, SS, DS, ES}) {
    uint32_t base = x.init(s) << 4, hi = (base + 0xFFFF) & 0xFFFFF, lo = base & 0xFFFFF;
    bool has_hi = false, has_lo = false;
    for (const auto* ram : {&x.t.init_ram, &x.t.fina_ram}) {
      for (const RamByte& b : *ram) {
        has_hi |= (b.addr & 0xFFFFF) == hi;
        has_lo |= (b.addr & 0xFFFFF) == lo;
      }
    }
    if (has_hi && has_lo) return true;
  }
  return false;
}
// DAA/DAS as specified for the 386 and later (SDM) and as the 8086 does them
// (fits all 800 8086 vectors): the 8086 compares the original AL against 9Fh
// instead of 99h when AF was set, and DAS does not set CF from the borrow of
// the low-nibble adjustment. Returns AL | CF << 8.
unsigned daa_das(uint8_t al, bool cf, bool af, bool sub, bool i8086) {
  const uint8_t old = al;
  const bool low = (al & 0x0F) > 9 || af;
  bool c = false;
  if (low) {
    if (!i8086) c = sub ? al < 6 : al > 0xF9;
    al = uint8_t(sub ? al - 6 : al + 6);
  }
  if (cf || old > (i8086 && af ? 0x9F : 0x99)) {
    al = uint8_t(sub ? al - 0x60 : al + 0x60);
    c = true;
  }
  return al | unsigned(c) << 8;
}
bool daa_das_8086_differs(const TestCtx& x) {
  const bool cf = x.init(FLAGS) & 1, af = x.init(FLAGS) & 0x10, sub = x.k.opcode == 0x2F;
  return daa_das(x.al(), cf, af, sub, true) != daa_das(x.al(), cf, af, sub, false);
}
bool we_raised_gp_or_ss_on_wrap(const TestCtx& x) {
  return x.run && (x.run->our_fault == 12 || x.run->our_fault == 13) && wrapped_in_segment(x);
}
bool gp13_where_we_ss12(const TestCtx& x) {
  return x.t.has_excp && x.t.excp == 13 && x.run && x.run->our_fault == 12;
}
// A word string instruction took exception 13 (a word at offset FFFFh) and
// the final state is not that of a precise fault. Precise: SI/DI advanced by
// exactly the completed iterations (with REP: the decrease of CX; else none)
// and the faulting index left at FFFFh. The 286 had already advanced the
// faulting element's index (and, with REP, CX).
bool string_fault_after_update(const TestCtx& x) {
  if (!x.t.has_excp || x.t.excp != 13) return false;
  const uint16_t op = x.k.opcode;
  const bool uses_si = (op >= 0x6E && op <= 0x6F) || (op >= 0xA4 && op <= 0xA7) || op == 0xAC || op == 0xAD;
  const bool uses_di = (op >= 0x6C && op <= 0x6D) || (op >= 0xA4 && op <= 0xA7) || op == 0xAA ||
                       op == 0xAB || op == 0xAE || op == 0xAF;
  const uint32_t done = (x.k.rep || x.k.repne) ? uint16_t(x.init(CX) - x.fina(CX)) : 0;
  const uint32_t step = (op & 1) ? 2 : 1;
  const uint16_t adv = uint16_t((x.init(FLAGS) & 0x400) ? 0 - done * step : done * step);
  const uint16_t si = uint16_t(x.fina(SI)), di = uint16_t(x.fina(DI));
  const bool consistent = uint16_t(si - x.init(SI)) == (uses_si ? adv : 0) &&
                          uint16_t(di - x.init(DI)) == (uses_di ? adv : 0);
  const bool at_ffff = (uses_si && si == 0xFFFF) || (uses_di && di == 0xFFFF);
  return !(consistent && at_ffff);
}
bool pop_fault_after_sp(const TestCtx& x) {
  return x.t.has_excp && x.t.excp == 13 && uint16_t(x.fina(SP) - x.init(SP)) == uint16_t(2 - 6);
}
// Shift/rotate by imm8 with a masked count above 1 (imm8 is the byte before the HLT).
bool imm_count_above_1(const TestCtx& x) {
  return x.insn_len >= 3 && (x.t.bytes[x.insn_len - 1] & 0x1F) > 1;
}
bool longer_than_10_gp(const TestCtx& x) { return x.insn_len > 10 && x.t.has_excp && x.t.excp == 13; }

constexpr CpuKind I86 = CpuKind::I8086, I286 = CpuKind::I286;
constexpr Stage B = Stage::Before, A = Stage::After;
constexpr Action SKIP = Action::Skip, ADJ = Action::Adjust;
constexpr uint16_t ALL_LO = 0x0000, ALL_HI = 0xFFFF;

const KnownDiff kTable[] = {
    // ---------------- both vector CPUs ----------------
    {"lock-not-lockable", I86, ALL_LO, ALL_HI, -1, B, lock_misused, SKIP, 0, -1,
     "LOCK on an instruction that cannot be locked (or with a register destination) is ignored "
     "by the 8086/286 but raises #UD on a 386 and later"},
    {"lock-not-lockable", I286, ALL_LO, ALL_HI, -1, B, lock_misused, SKIP, 0, -1,
     "LOCK on an instruction that cannot be locked (or with a register destination) is ignored "
     "by the 8086/286 but raises #UD on a 386 and later"},
    {"esc-without-fpu", I86, 0xD8, 0xDF, -1, B, nullptr, SKIP, 0, -1,
     "the test machine had no 8087: ESC only computed its address; a P6 has an FPU that executes it"},
    {"esc-without-fpu", I286, 0xD8, 0xDF, -1, B, nullptr, SKIP, 0, -1,
     "the test machine had no 80287: ESC did nothing; a P6 has an FPU that executes it"},

    // ---------------- 8086 ----------------
    {"8086-60-6F-alias-jcc", I86, 0x60, 0x6F, -1, B, nullptr, SKIP, 0, -1,
     "8086: 60-6F are undocumented aliases of Jcc 70-7F; on a 186+/386+ they are "
     "PUSHA/POPA/BOUND/ARPL, FS/GS/66/67 prefixes, PUSH imm, IMUL imm, INS/OUTS"},
    {"8086-C0-C1-alias-ret", I86, 0xC0, 0xC1, -1, B, nullptr, SKIP, 0, -1,
     "8086: C0/C1 alias RET imm16/RET (C2/C3); on a 186+ they are shift/rotate by imm8"},
    {"8086-C8-C9-alias-retf", I86, 0xC8, 0xC9, -1, B, nullptr, SKIP, 0, -1,
     "8086: C8/C9 alias RETF imm16/RETF (CA/CB); on a 186+ they are ENTER/LEAVE"},
    {"8086-setmo", I86, 0xD0, 0xD3, 6, B, setmo_not_noop, SKIP, 0, -1,
     "8086: shift group /6 is the undocumented SETMO/SETMOC (result all ones; SETMOC does nothing "
     "when CL = 0); on a 186+ /6 behaves as SHL/SAL"},
    {"8086-shift-count-unmasked", I86, 0xD2, 0xD3, -1, B, shift_count_differs, SKIP, 0, -1,
     "8086: shift/rotate counts in CL are not masked; a 186+ masks them to 5 bits, so CL >= 32 "
     "can give a different result (skipped only where it does, see the predicate)"},
    {"8086-push-sp", I86, 0x54, 0x54, -1, B, nullptr, SKIP, 0, -1,
     "8086: PUSH SP pushes the decremented SP; a 286+ pushes the value SP had before"},
    {"8086-push-sp", I86, 0xFF, 0xFF, 6, B, modrm_is_sp, SKIP, 0, -1,
     "8086: PUSH SP (FF /6, rm = SP) pushes the decremented SP; a 286+ pushes the value before"},
    {"8086-sreg-alias", I86, 0x8C, 0x8C, -1, B, reg_ge4_or_cs, SKIP, 0, -1,
     "8086: MOV Ew,Sreg decodes only 2 bits of ModRM.reg (/4-/7 alias ES..DS); a 386+ has "
     "FS/GS at /4 /5 and #UD for /6 /7"},
    {"8086-sreg-alias", I86, 0x8E, 0x8E, -1, B, reg_ge4_or_cs, SKIP, 0, -1,
     "8086: MOV Sreg,Ew decodes only 2 bits of ModRM.reg (/1 loads CS, /4-/7 alias ES..DS); "
     "a 386+ raises #UD for CS and /6 /7 and has FS/GS at /4 /5"},
    {"8086-C6-C7-reg-ignored", I86, 0xC6, 0xC7, -1, B, reg_nonzero, SKIP, 0, -1,
     "8086: MOV Eb/Ev,imm ignores ModRM.reg; a 286+ raises #UD for /1-/7"},
    {"8086-8F-reg-ignored", I86, 0x8F, 0x8F, -1, B, reg_nonzero, SKIP, 0, -1,
     "8086: POP Ev (8F) ignores ModRM.reg; a 286+ raises #UD for /1-/7"},
    {"8086-FF7-alias-push", I86, 0xFF, 0xFF, 7, B, nullptr, SKIP, 0, -1,
     "8086: FF /7 is an alias of PUSH Ev (FF /6); #UD on a 286+"},
    {"8086-divide-error-next-ip", I86, 0xF6, 0xF7, -1, B, div_fault, SKIP, 0, -1,
     "8086: a divide error pushes the address of the NEXT instruction (and IDIV faults on "
     "quotient -128/-32768); a 286+ pushes the faulting instruction"},
    {"8086-divide-error-next-ip", I86, 0xD4, 0xD4, -1, B, pushed_frame, SKIP, 0, -1,
     "8086: AAM 0 divide error pushes the address of the NEXT instruction; a 286+ pushes AAM's"},
    {"8086-rep-negates-imul-idiv", I86, 0xF6, 0xF7, -1, B, rep_imul_idiv, SKIP, 0, -1,
     "8086 microcode quirk: a REP/REPNE prefix negates the IMUL product / IDIV quotient "
     "(checked: the REP IDIV vectors hold the negated quotient); a 286+ ignores the prefix"},
    {"8086-aaa-no-carry-into-ah", I86, 0x37, 0x37, -1, B, aaa_carries, SKIP, 0, -1,
     "8086 AAA adds 6 to AL alone (AH += 1); a 286+ adds 106h to AX, so AL >= FAh also "
     "carries into AH (checked against the vectors: 8086 vs 286 sets)"},
    {"8086-aas-no-borrow-from-ah", I86, 0x3F, 0x3F, -1, B, aas_borrows, SKIP, 0, -1,
     "8086 AAS subtracts 6 from AL alone (AH -= 1); a 286+ subtracts 6 from AX, so AL < 6 "
     "also borrows from AH"},
    {"8086-daa-das", I86, 0x27, 0x27, -1, B, daa_das_8086_differs, SKIP, 0, -1,
     "8086 DAA compares the original AL with 9Fh (not 99h) when AF is set; the results differ "
     "from a 286+ only then (predicate computes both; the 8086 model fits all 8086 vectors)"},
    {"8086-daa-das", I86, 0x2F, 0x2F, -1, B, daa_das_8086_differs, SKIP, 0, -1,
     "8086 DAS compares the original AL with 9Fh (not 99h) when AF is set and does not set CF "
     "from the low-nibble borrow; the results differ from a 286+ only then"},
    {"8086-F1-is-lock", I86, ALL_LO, ALL_HI, -1, B, f1_prefix, SKIP, 0, -1,
     "8086: F1 is an alias of the LOCK prefix; on a 386+ F1 is INT1 (ICEBP)"},
    {"8086-no-segment-limits", I86, ALL_LO, ALL_HI, -1, A, we_raised_gp_or_ss_on_wrap, SKIP, 0, -1,
     "8086 has no segment limit checks: a word at offset FFFFh (data, stack or an instruction "
     "crossing IP FFFFh) wraps to offset 0; a 286+ raises #GP/#SS (skipped only when our run "
     "raised #GP/#SS and the test accessed both offset FFFFh and offset 0 of one segment)"},
    {"8086-flags-bit-15", I86, ALL_LO, ALL_HI, -1, B, nullptr, ADJ, 0x8000, -1,
     "8086: FLAGS bit 15 reads 1; on a P6 it is always 0 (bits 12-14 read 1 on the 8086 and a "
     "P6 in real mode keeps the 1s it was loaded with)"},
    {"8086-flags-bit-15-pushf", I86, 0x9C, 0x9C, -1, B, nullptr, ADJ, 0x8000, 0,
     "8086: PUSHF stores FLAGS bit 15 as 1; a P6 stores 0"},
    {"8086-flags-bit-15-int", I86, 0xCC, 0xCD, -1, B, nullptr, ADJ, 0x8000, 4,
     "8086: INT3/INT n push FLAGS with bit 15 = 1; a P6 pushes 0"},
    {"8086-flags-bit-15-into", I86, 0xCE, 0xCE, -1, B, pushed_frame, ADJ, 0x8000, 4,
     "8086: INTO (when taken) pushes FLAGS with bit 15 = 1; a P6 pushes 0"},
    {"8086-popf-iret-flags-12-15", I86, 0x9D, 0x9D, -1, B, nullptr, ADJ, 0xF000, -1,
     "8086: POPF forces FLAGS bits 12-15 to 1; a P6 in real mode loads IOPL/NT from the stack "
     "(bit 15 stays 0)"},
    {"8086-popf-iret-flags-12-15", I86, 0xCF, 0xCF, -1, B, nullptr, ADJ, 0xF000, -1,
     "8086: IRET forces FLAGS bits 12-15 to 1; a P6 in real mode loads IOPL/NT from the stack "
     "(bit 15 stays 0)"},

    // ---------------- 80286 (real mode) ----------------
    {"286-popf-iret-iopl-nt", I286, 0x9D, 0x9D, -1, B, nullptr, ADJ, 0x7000, -1,
     "80286 real mode: POPF cannot set IOPL/NT (bits 12-14 stay 0); a P6 in real mode loads them"},
    {"286-popf-iret-iopl-nt", I286, 0xCF, 0xCF, -1, B, nullptr, ADJ, 0x7000, -1,
     "80286 real mode: IRET cannot set IOPL/NT (bits 12-14 stay 0); a P6 in real mode loads them"},
    {"286-stack-overrun-is-13", I286, ALL_LO, ALL_HI, -1, A, gp13_where_we_ss12, SKIP, 0, -1,
     "80286 real mode reports a stack-segment overrun (e.g. POP/LEAVE/PUSHA or [BP+..] wrapping "
     "at offset FFFFh) as exception 13; a 386+ raises #SS (12) (the vectors show 13; we raised 12)"},
    {"286-insn-longer-than-10", I286, ALL_LO, ALL_HI, -1, B, longer_than_10_gp, SKIP, 0, -1,
     "80286: instructions longer than 10 bytes (redundant prefixes) raise #GP (13); the limit "
     "is 15 bytes on a 386+"},
    {"286-string-fault-after-update", I286, 0x6C, 0x6F, -1, B, string_fault_after_update, SKIP, 0, -1,
     "80286: INSW/OUTSW at offset FFFFh raise exception 13 after SI/DI were advanced past the "
     "faulting element (with REP, CX too); a 386+ faults precisely (restartable). Skipped only "
     "when the final state is not a precise fault's (see the predicate)"},
    {"286-string-fault-after-update", I286, 0xA4, 0xAF, -1, B, string_fault_after_update, SKIP, 0, -1,
     "80286: MOVSW/CMPSW/STOSW/LODSW/SCASW at offset FFFFh raise exception 13 after SI/DI were "
     "advanced past the faulting element (with REP, CX too); a 386+ faults precisely. Skipped "
     "only when the final state is not a precise fault's"},
    {"286-pop-mem-fault-after-sp", I286, 0x8F, 0x8F, 0, B, pop_fault_after_sp, SKIP, 0, -1,
     "80286: POP Ew whose memory destination faults (exception 13) has already incremented SP; a "
     "386+ leaves SP unchanged"},
    {"286-shift-imm-of", I286, 0xC0, 0xC0, -1, B, imm_count_above_1, ADJ, 0x0800, -1,
     "OF is undefined for shifts/rotates by more than 1 (SDM; the 286 metadata masks it for D2/D3 "
     "but not for C0/C1). For byte operands the 286 (OF from its last single-bit step) and a P6 "
     "differ: ignore OF when (imm8 & 1Fh) > 1 (C1, word operands, needs no adjustment)"},
    {"286-no-fs-gs", I286, 0x8C, 0x8C, -1, B, reg_fs_gs, SKIP, 0, -1,
     "80286: MOV Ew,Sreg /4 /5 is #UD (no FS/GS); a 386+ stores FS/GS"},
    {"286-no-fs-gs", I286, 0x8E, 0x8E, -1, B, reg_fs_gs, SKIP, 0, -1,
     "80286: MOV Sreg,Ew /4 /5 is #UD (no FS/GS); a 386+ loads FS/GS"},
    {"286-suspect-vector", I286, 0xFF, 0xFF, 3, B, suspect_286_ff3, SKIP, 0, -1,
     "one recorded 80286 test (hash ab0cea0f..., 26 FF DD = #UD) pushed SS in the CS slot of its "
     "exception frame; all 249 other vectors of this encoding push CS, as every x86 does. A "
     "capture glitch, not an architectural difference: skipped by hash, a candidate for the "
     "upstream revocation list"},
};

}  // namespace

bool known_diff_matches(const KnownDiff& d, CpuKind cpu, const TestCtx& x) {
  if (d.cpu != cpu || x.k.opcode < d.op_lo || x.k.opcode > d.op_hi) return false;
  if (d.reg >= 0 && x.k.reg() != d.reg) return false;
  return !d.pred || d.pred(x);
}

std::span<const KnownDiff> known_differences() { return kTable; }

const KnownDiff* find_skip(CpuKind cpu, const TestCtx& x, Stage stage) {
  for (const KnownDiff& d : kTable)
    if (d.action == Action::Skip && d.stage == stage && known_diff_matches(d, cpu, x)) return &d;
  return nullptr;
}

void apply_adjustments(CpuKind cpu, const TestCtx& x, CompareOpts& o, const KnownDiff* except) {
  for (const KnownDiff& d : kTable) {
    if (&d == except || d.action != Action::Adjust || !known_diff_matches(d, cpu, x)) continue;
    o.flags_mask &= uint16_t(~d.ignore_flags);
    if (d.pushed_sp_off >= 0) {
      uint32_t ss = x.fina(SS) & 0xFFFF, sp = x.fina(SP);
      o.mask_pushed_flags((ss << 4) + ((sp + uint32_t(d.pushed_sp_off)) & 0xFFFF), uint16_t(~d.ignore_flags));
    }
  }
}

}  // namespace vec
