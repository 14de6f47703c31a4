// Reference handlers: system and miscellaneous instructions (rows in
// cpu/table/system.inc): flag instructions, HLT, IN/OUT, CPUID, RDTSC,
// segment-register moves and far-pointer loads, control/debug register moves,
// descriptor-table register loads and stores, LMSW/SMSW/CLTS, cache no-ops,
// UD2, WAIT and the x87 escape placeholders.
//
// Not here yet (issue 3, they stay #UD by having no row): LLDT/LTR/SLDT/STR,
// LAR/LSL/VERR/VERW/ARPL, INVLPG, RDMSR/WRMSR, SYSENTER/SYSEXIT, RDPMC.
#include <vector>

#include "cpu/ops/common.h"
#include "cpu/ops/privilege.h"

namespace cpu::ops {
namespace {

// #GP(0) unless the CPU is at CPL 0 (real mode counts as CPL 0, V86 as 3).
inline void require_cpl0(Cpu& c) {
  if (cur_cpl(c) != 0) fault(c, kGP, 0);
}
// Offset `k` bytes after `off`, wrapped to the address size.
inline uint32_t off_add(const Insn& i, uint32_t off, uint32_t k) {
  return i.asz32() ? off + k : ((off + k) & 0xFFFFu);
}

// ---- port I/O and HLT ----
template <class T> void in_imm(Cpu& c, const Insn& i) {
  uint16_t port = uint8_t(i.imm);
  check_io(c, port, sizeof(T));
  setr<T>(c, EAX, T(c.io->in(port, sizeof(T))));
}
template <class T> void in_dx(Cpu& c, const Insn&) {
  uint16_t port = uint16_t(c.gpr[EDX]);
  check_io(c, port, sizeof(T));
  setr<T>(c, EAX, T(c.io->in(port, sizeof(T))));
}
template <class T> void out_imm(Cpu& c, const Insn& i) {
  uint16_t port = uint8_t(i.imm);
  check_io(c, port, sizeof(T));
  c.io->out(port, sizeof(T), getr<T>(c, EAX));
}
template <class T> void out_dx(Cpu& c, const Insn&) {
  uint16_t port = uint16_t(c.gpr[EDX]);
  check_io(c, port, sizeof(T));
  c.io->out(port, sizeof(T), getr<T>(c, EAX));
}

template <class T> void hlt(Cpu& c, const Insn&) {
  require_cpl0(c);
  c.halted = 1;
  c.events |= EV_HALT;
}

// ---- flag instructions ----
template <class T> void clc(Cpu& c, const Insn&) { c.eflags &= ~CF; }
template <class T> void stc(Cpu& c, const Insn&) { c.eflags |= CF; }
template <class T> void cmc(Cpu& c, const Insn&) { c.eflags ^= CF; }
template <class T> void cld(Cpu& c, const Insn&) { c.eflags &= ~DF; }
template <class T> void std_(Cpu& c, const Insn&) { c.eflags |= DF; }

// CLI/STI: protected mode needs CPL <= IOPL (V86: IOPL = 3; the VME/PVI
// variants are issue 3).
template <class T> void cli(Cpu& c, const Insn&) {
  if (!c.real_mode() && cur_cpl(c) > iopl(c)) fault(c, kGP, 0);
  c.eflags &= ~IF;
}
template <class T> void sti(Cpu& c, const Insn&) {
  if (!c.real_mode() && cur_cpl(c) > iopl(c)) fault(c, kGP, 0);
  if (!(c.eflags & IF)) {
    c.eflags |= IF;
    c.inhibit = 1;  // interrupts are recognized after the next instruction
  }
}

// ---- CPUID and RDTSC ----
// A Pentium II "Klamath" (family 6, model 3, stepping 3). Leaf 1 EDX reports
// only what this emulator implements: DE (2: CR4.DE, DR4/DR5 #UD), PSE (3),
// TSC (4), MSR (5), PAE (6), CX8 (8), SEP (11: SYSENTER/SYSEXIT), MTRR (12:
// the MTRR MSRs, stored), PGE (13), CMOV (15). Not yet: FPU (0) and MMX (23),
// VME (1), MCE/MCA (7, 14: no machine-check architecture), APIC (9: no local
// APIC device). A Pentium II does not report PAT.
constexpr uint32_t kCpuidSignature = 0x00000633;
constexpr uint32_t kCpuidFeatures = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) |
                                    (1u << 8) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 15);

template <class T> void cpuid(Cpu& c, const Insn&) {
  uint32_t leaf = c.gpr[EAX];
  uint32_t a, b, cx, d;
  // Leaves above the maximum (including 8000_0000h, which the P6 does not
  // have) return the highest basic leaf, as Intel processors do.
  if (leaf > 2) leaf = 2;
  switch (leaf) {
    case 0:
      a = 2;
      b = 0x756E6547;   // "Genu"
      d = 0x49656E69;   // "ineI"
      cx = 0x6C65746E;  // "ntel"
      break;
    case 1:
      a = kCpuidSignature;
      b = 0;
      cx = 0;
      d = kCpuidFeatures;
      break;
    default:
      // Cache/TLB descriptors of a Klamath: 01 ITLB 4K, 02 ITLB 4M, 03 DTLB
      // 4K, 43 512K L2, 08 16K L1 I, 04 DTLB 4M, 0C 16K L1 D; AL = 1 (one call).
      a = 0x03020101;
      b = 0;
      cx = 0;
      d = 0x0C040843;
      break;
  }
  c.gpr[EAX] = a;
  c.gpr[EBX] = b;
  c.gpr[ECX] = cx;
  c.gpr[EDX] = d;
}


template <class T> void rdtsc(Cpu& c, const Insn&) {
  if ((c.cr[4] & CR4_TSD) && cur_cpl(c) != 0) fault(c, kGP, 0);
  uint64_t t = c.tsc + c.msr.tsc_adjust;
  c.gpr[EAX] = uint32_t(t);
  c.gpr[EDX] = uint32_t(t >> 32);
}

// ---- segment registers ----
// MOV Sreg,Ew: ModRM.reg is the segment number (ES CS SS DS FS GS, our
// SegReg order). MOV CS (and reg 6/7) do not decode; kept as #UD here too.
template <class T> void mov_sreg_ew(Cpu& c, const Insn& i) {
  if (i.reg == CS || i.reg >= kSegCount) fault(c, kUD, 0);
  uint16_t sel = read_rm<uint16_t>(c, i);
  load_segment(c, i.reg, sel);
  if (i.reg == SS) c.inhibit = 1;
}
// MOV Ew,Sreg: a memory destination gets 16 bits; a 32-bit register gets the
// selector zero-extended (P6 behaviour).
template <class T> void mov_ew_sreg(Cpu& c, const Insn& i) {
  if (i.reg >= kSegCount) fault(c, kUD, 0);
  uint16_t sel = c.seg[i.reg].sel;
  if (i.mem()) write_mem<uint16_t>(c, i.seg, ea(c, i), sel);
  else setr<T>(c, i.rm, T(sel));
}

// LDS/LES/LSS/LFS/LGS Gv,Mp: offset then selector; memory operand only.
template <unsigned Seg> struct LoadFar {
  template <class T> static void h(Cpu& c, const Insn& i) {
    if (!i.mem()) fault(c, kUD, 0);
    uint32_t off = ea(c, i);
    T v = read_mem<T>(c, i.seg, off);
    uint16_t sel = read_mem<uint16_t>(c, i.seg, off_add(i, off, sizeof(T)));
    write_reg<T>(c, i, v);
    load_segment(c, Seg, sel);  // last; a fault restores the register
  }
};

// ---- control and debug registers (CPL 0; #GP(0) in V86 mode) ----
// CR writes themselves (checks, TLB flushes) are in cpu/control_regs.cpp.

template <class T> void mov_r_cr(Cpu& c, const Insn& i) {
  require_cpl0(c);
  if (i.reg == 1 || i.reg > 4) fault(c, kUD, 0);
  c.gpr[i.rm] = c.cr[i.reg];
}
template <class T> void mov_cr_r(Cpu& c, const Insn& i) {
  require_cpl0(c);
  uint32_t v = c.gpr[i.rm];
  switch (i.reg) {
    case 0: write_cr0(c, v); break;
    case 2: c.cr[2] = v; break;
    case 3: write_cr3(c, v); break;
    case 4: write_cr4(c, v); break;
    default: fault(c, kUD, 0);
  }
}

// Debug registers: DR4/DR5 alias DR6/DR7 unless CR4.DE (then #UD).
// DR7.GD makes any access a #DB with DR6.BD set (GD is cleared).
unsigned dr_index(Cpu& c, unsigned n) {
  require_cpl0(c);
  if (n == 4 || n == 5) {
    if (c.cr[4] & CR4_DE) fault(c, kUD, 0);
    n += 2;
  }
  if (c.dr[7] & (1u << 13)) {
    c.dr[6] |= 1u << 13;
    c.dr[7] &= ~(1u << 13);
    fault(c, kDB, 0);
  }
  return n;
}
template <class T> void mov_r_dr(Cpu& c, const Insn& i) {
  unsigned n = dr_index(c, i.reg);
  c.gpr[i.rm] = c.dr[n];
}
template <class T> void mov_dr_r(Cpu& c, const Insn& i) {
  unsigned n = dr_index(c, i.reg);
  uint32_t v = c.gpr[i.rm];
  if (n == 6) v = (v & 0x0000E00Fu) | 0xFFFF0FF0u;       // P6: reserved bits read as 1, bit 12 as 0
  else if (n == 7) v = (v | 0x400u) & ~0x0000D800u;    // bit 10 is 1; 11, 12, 14, 15 are 0
  c.dr[n] = v;
}

// ---- descriptor-table registers ----
// LGDT/LIDT m16&32: with 16-bit operand size only 24 bits of base are loaded.
template <class T> void lgdt_lidt(Cpu& c, const Insn& i, DescTable& dt) {
  require_cpl0(c);
  uint32_t off = ea(c, i);
  uint16_t limit = read_mem<uint16_t>(c, i.seg, off);
  uint32_t base = read_mem<uint32_t>(c, i.seg, off_add(i, off, 2));
  if (sizeof(T) == 2) base &= 0x00FFFFFFu;
  dt.limit = limit;
  dt.base = base;
}
template <class T> void lgdt(Cpu& c, const Insn& i) { lgdt_lidt<T>(c, i, c.gdtr); }
template <class T> void lidt(Cpu& c, const Insn& i) { lgdt_lidt<T>(c, i, c.idtr); }

// SGDT/SIDT: not privileged. With 16-bit operand size the P6 stores the top
// byte of the base as 0 (SDM: the 286 stored 1s there).
template <class T> void sgdt_sidt(Cpu& c, const Insn& i, const DescTable& dt) {
  uint32_t off = ea(c, i), off2 = off_add(i, off, 2);
  check_write(c, i.seg, off, 2);
  check_write(c, i.seg, off2, 4);
  uint32_t base = sizeof(T) == 2 ? (dt.base & 0x00FFFFFFu) : dt.base;
  write_mem<uint16_t>(c, i.seg, off, uint16_t(dt.limit));
  write_mem<uint32_t>(c, i.seg, off2, base);
}
template <class T> void sgdt(Cpu& c, const Insn& i) { sgdt_sidt<T>(c, i, c.gdtr); }
template <class T> void sidt(Cpu& c, const Insn& i) { sgdt_sidt<T>(c, i, c.idtr); }

// LMSW Ew: loads PE, MP, EM, TS; it can set PE but never clear it.
template <class T> void lmsw(Cpu& c, const Insn& i) {
  require_cpl0(c);
  uint16_t v = read_rm<uint16_t>(c, i);
  uint32_t cr0 = (c.cr[0] & ~uint32_t(CR0_MP | CR0_EM | CR0_TS)) |
                 (v & (CR0_PE | CR0_MP | CR0_EM | CR0_TS));
  write_cr0(c, cr0);
}
// SMSW Ew: memory gets the low 16 bits of CR0; a 32-bit register gets all of
// CR0 (P6 behaviour; the SDM leaves the upper half undefined).
template <class T> void smsw(Cpu& c, const Insn& i) {
  if (i.mem()) write_mem<uint16_t>(c, i.seg, ea(c, i), uint16_t(c.cr[0]));
  else setr<T>(c, i.rm, T(c.cr[0]));
}

// INVLPG m: drop the TLB entries for the page holding the operand's linear
// address (no segment limit check: the SDM says INVLPG never faults on it).
template <class T> void invlpg(Cpu& c, const Insn& i) {
  require_cpl0(c);
  c.tlb->invlpg(c.seg[i.seg].base + ea(c, i));
}

template <class T> void clts(Cpu& c, const Insn&) {
  require_cpl0(c);
  c.cr[0] &= ~CR0_TS;
}
// WBINVD/INVD: there are no caches to write back; only the privilege check.
template <class T> void cache_op(Cpu& c, const Insn&) { require_cpl0(c); }

template <class T> void ud2(Cpu& c, const Insn&) { fault(c, kUD, 0); }

// ---- x87 ----
// WAIT/FWAIT: #NM when CR0.MP and CR0.TS; no FPU exceptions can be pending yet.
template <class T> void fwait(Cpu& c, const Insn&) {
  if ((c.cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) fault(c, kNM, 0);
}
// Escape opcodes D8-DF: #NM when CR0.EM or CR0.TS (so an OS can emulate or
// lazily switch the FPU); otherwise #UD until the FPU family exists. The rows
// (cpu/table/x87_escape.inc) are placeholders that the FPU family replaces.
template <class T> void fpu_escape(Cpu& c, const Insn&) {
  if (c.cr[0] & (CR0_EM | CR0_TS)) fault(c, kNM, 0);
  fault(c, kUD, 0);
}

}  // namespace
}  // namespace cpu::ops

namespace cpu {
using namespace cpu::ops;
std::span<const Row> rows_system() {
  static const std::vector<Row> rows = {
#include "cpu/table/system.inc"
#include "cpu/table/x87_escape.inc"
  };
  return rows;
}
}  // namespace cpu
