// CpuState: the architectural state of one x86 CPU as plain data.
//
// Everything guest-visible lives here and nothing else does: no pointers, no
// host resources. The translator addresses fields by offsetof(), and a whole
// machine is saved by copying this struct. Runtime plumbing (memory, port bus,
// caches) lives in cpu::Cpu (cpu.h), which derives from this.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace cpu {

enum Gpr : uint8_t { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };
enum SegReg : uint8_t { ES, CS, SS, DS, FS, GS, kSegCount };
constexpr uint8_t kNoReg = 0xFF;

// EFLAGS bits.
inline constexpr uint32_t CF = 1u << 0;
inline constexpr uint32_t PF = 1u << 2;
inline constexpr uint32_t AF = 1u << 4;
inline constexpr uint32_t ZF = 1u << 6;
inline constexpr uint32_t SF = 1u << 7;
inline constexpr uint32_t TF = 1u << 8;
inline constexpr uint32_t IF = 1u << 9;
inline constexpr uint32_t DF = 1u << 10;
inline constexpr uint32_t OF = 1u << 11;
inline constexpr uint32_t IOPL = 3u << 12;
inline constexpr uint32_t NT = 1u << 14;
inline constexpr uint32_t RF = 1u << 16;
inline constexpr uint32_t VM = 1u << 17;
inline constexpr uint32_t AC = 1u << 18;
inline constexpr uint32_t VIF = 1u << 19;
inline constexpr uint32_t VIP = 1u << 20;
inline constexpr uint32_t ID = 1u << 21;
inline constexpr uint32_t kArithFlags = CF | PF | AF | ZF | SF | OF;
inline constexpr uint32_t kFlagsFixed1 = 1u << 1;  // bit 1 always reads 1

// CR0 bits.
inline constexpr uint32_t CR0_PE = 1u << 0;
inline constexpr uint32_t CR0_MP = 1u << 1;
inline constexpr uint32_t CR0_EM = 1u << 2;
inline constexpr uint32_t CR0_TS = 1u << 3;
inline constexpr uint32_t CR0_ET = 1u << 4;
inline constexpr uint32_t CR0_NE = 1u << 5;
inline constexpr uint32_t CR0_WP = 1u << 16;
inline constexpr uint32_t CR0_AM = 1u << 18;
inline constexpr uint32_t CR0_NW = 1u << 29;
inline constexpr uint32_t CR0_CD = 1u << 30;
inline constexpr uint32_t CR0_PG = 1u << 31;

// CR4 bits of a Pentium II.
inline constexpr uint32_t CR4_VME = 1u << 0;
inline constexpr uint32_t CR4_PVI = 1u << 1;
inline constexpr uint32_t CR4_TSD = 1u << 2;
inline constexpr uint32_t CR4_DE = 1u << 3;
inline constexpr uint32_t CR4_PSE = 1u << 4;
inline constexpr uint32_t CR4_PAE = 1u << 5;
inline constexpr uint32_t CR4_MCE = 1u << 6;
inline constexpr uint32_t CR4_PGE = 1u << 7;
inline constexpr uint32_t CR4_PCE = 1u << 8;
inline constexpr uint32_t kCr4Bits = 0x1FF;

// Exception vectors.
enum : uint8_t {
  kDE = 0, kDB = 1, kNMI = 2, kBP = 3, kOF = 4, kBR = 5, kUD = 6, kNM = 7, kDF = 8,
  kTS = 10, kNP = 11, kSS = 12, kGP = 13, kPF = 14, kMF = 16, kAC = 17,
};

// Segment descriptor attribute bits as kept in Segment::attr: bits 8..15 and
// 20..23 of the descriptor's high dword, shifted down by 8 (so type = bits 0..3,
// S = 4, DPL = 5..6, P = 7, AVL = 12, D/B = 14, G = 15).
inline constexpr uint32_t SEG_TYPE_MASK = 0x0F;
inline constexpr uint32_t SEG_ACCESSED = 0x01;
inline constexpr uint32_t SEG_RW = 0x02;
inline constexpr uint32_t SEG_DC = 0x04;
inline constexpr uint32_t SEG_CODE = 0x08;
inline constexpr uint32_t SEG_S = 0x10;
inline constexpr uint32_t SEG_DPL_SHIFT = 5;
inline constexpr uint32_t SEG_P = 0x80;
inline constexpr uint32_t SEG_DB = 0x4000;
inline constexpr uint32_t SEG_G = 0x8000;

struct Segment {
  uint16_t sel;
  uint16_t pad;
  uint32_t base;
  uint32_t limit;  // byte-granular effective limit
  uint32_t attr;
};

struct DescTable {
  uint32_t base;
  uint32_t limit;
};

struct Msrs {
  // The guest's time-stamp counter is CpuState::tsc (instructions retired,
  // the clock virtual time is derived from) plus tsc_adjust: WRMSR to the TSC
  // moves only what the guest sees, never virtual time.
  uint64_t tsc_adjust;
  uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
  uint64_t apic_base;
  uint64_t pat;
  uint64_t mtrr_cap, mtrr_def_type;
  uint64_t mtrr_fixed[11];
  uint64_t mtrr_var[16];  // base/mask pairs
};

struct CpuState {
  // The first 40 bytes (gpr, eip, eflags) are the per-instruction snapshot the
  // interpreter restores when an instruction faults; keep them together.
  uint32_t gpr[8];
  uint32_t eip;
  uint32_t eflags;

  Segment seg[kSegCount];
  Segment ldtr, tr;
  DescTable gdtr, idtr;
  uint32_t cr[5];
  uint32_t dr[8];
  uint64_t tsc;
  Msrs msr;

  uint8_t cpl;
  uint8_t halted;    // HLT executed, waiting for an interrupt
  uint8_t a20;       // A20 gate as the CPU sees it (mirrors mmu::Memory)
  uint8_t pad0;
};

static_assert(std::is_standard_layout_v<CpuState>);
static_assert(std::is_trivially_copyable_v<CpuState>);
static_assert(offsetof(CpuState, eip) == 32 && offsetof(CpuState, eflags) == 36);

// Reset state of a Pentium II-class CPU (SDM vol. 3, 9.1.1), CS:IP = F000:FFF0.
void reset_state(CpuState& s);

}  // namespace cpu
