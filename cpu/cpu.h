// cpu::Cpu: the CPU state plus the runtime it executes against, and the
// small inline API every reference handler is written in: registers, operands,
// segmented memory access with limit checks, the stack, and faults.
//
// Faults: a handler that detects a fault calls fault(), which never returns:
// it longjmps to the engine's dispatcher (DESIGN.md principle 7), which
// restores the per-instruction snapshot (GPRs, EIP, EFLAGS) and delivers the
// exception. Therefore handlers keep no objects with destructors alive across
// anything that can fault, and they load segment registers last.
#pragma once
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <memory>

#include "cpu/decode.h"
#include "cpu/state.h"
#include "mmu/memory.h"
#include "mmu/tlb.h"

namespace cpu {

// The port bus the CPU performs IN/OUT on (devices::IoBus implements it).
class PortBus {
 public:
  virtual ~PortBus() = default;
  virtual uint32_t in(uint16_t port, unsigned size) = 0;
  virtual void out(uint16_t port, unsigned size, uint32_t value) = 0;
};

// The interrupt controller as the CPU sees it (the PIC implements it).
class IntrSource {
 public:
  virtual ~IntrSource() = default;
  virtual bool intr_pending() = 0;  // INTR line asserted
  virtual uint8_t intr_ack() = 0;   // INTA cycle: the vector
};

// Cpu::events bits: anything that must end the current block early.
enum : uint32_t {
  EV_SMC = 1u << 0,    // the running block was invalidated by a code write
  EV_MODE = 1u << 1,   // a mode bit changed (CR0, CS.D, ...): look blocks up again
  EV_STOP = 1u << 2,   // a device asked the engine to return (debug exit, reset)
  EV_HALT = 1u << 3,   // HLT executed
  EV_TRAP = 1u << 4,   // single-step trap pending after this instruction
  EV_SHUTDOWN = 1u << 5,  // triple fault: the platform must reset
  EV_IRQ = 1u << 6,    // INTR may be asserted: ask the interrupt controller (set by devices)
};

// Pending events (the EV_* bits) and the translator's budget end, kept
// together: raising any event also ends the budget, so a translated block
// sees both with the one test at its entry (jit/translator.cpp). The
// translator's dispatcher sets budget_end before it enters generated code,
// and only with no event pending.
struct Events {
  uint32_t bits = 0;
  uint64_t budget_end = ~0ull;  // translated code does not start a block that would pass this tsc
  Events& operator|=(uint32_t e) {
    bits |= e;
    budget_end = 0;
    return *this;
  }
  Events& operator&=(uint32_t m) {
    bits &= m;
    return *this;
  }
  Events& operator=(uint32_t v) {
    bits = v;
    if (v) budget_end = 0;
    return *this;
  }
  uint32_t operator&(uint32_t m) const { return bits & m; }
  explicit operator bool() const { return bits != 0; }
};

struct Cpu : CpuState {
  mmu::Memory* mem = nullptr;
  mmu::Tlb* tlb = nullptr;  // the soft TLB over `mem`: attach_memory() creates it
  PortBus* io = nullptr;
  IntrSource* intr = nullptr;
  std::unique_ptr<mmu::Tlb> own_tlb;

  // Engine runtime (not architectural state).
  uint32_t snap[10] = {};        // gpr[8], eip, eflags at the start of the instruction
  std::jmp_buf* fault_jmp = nullptr;
  Events events;                 // EV_* bits, and the translator's budget end
  uint8_t inhibit = 0;           // interrupts inhibited after this instruction (MOV SS, STI)
  uint8_t fault_vec = 0;         // set by fault() for the dispatcher
  uint8_t fault_nested = 0;      // fault while delivering a fault (double/triple fault)
  uint32_t fault_err = 0;

  Cpu() { std::memset(static_cast<CpuState*>(this), 0, sizeof(CpuState)); }
  CpuState& state() { return *this; }
  const CpuState& state() const { return *this; }

  // Use `m` as physical memory and create the soft TLB over it, in step with
  // CR0/CR3/CR4. Engines call it if the owner has only set `mem`.
  void attach_memory(mmu::Memory& m);
  // After CR0/CR3/CR4 were set directly (reset, state restore): resync the TLB.
  void sync_paging();

  bool user() const { return cpl == 3; }  // data accesses are user-mode at CPL 3
  bool real_mode() const { return !(cr[0] & CR0_PE); }
  bool v86() const { return eflags & VM; }
  bool stack32() const { return seg[SS].attr & SEG_DB; }
  bool code32() const { return seg[CS].attr & SEG_DB; }
};

// ---- faults ----
[[noreturn]] void fault(Cpu& c, uint8_t vector, uint32_t error_code = 0);
// #PF: CR2 = the faulting linear address, then fault(kPF, error code).
[[noreturn]] void page_fault(Cpu& c, const mmu::PageFault& pf);
inline void take_snapshot(Cpu& c) { std::memcpy(c.snap, c.gpr, sizeof c.snap); }
inline void restore_snapshot(Cpu& c) { std::memcpy(c.gpr, c.snap, sizeof c.snap); }

// ---- registers ----
// 8-bit register numbers are the ModRM encoding: 0-3 = AL,CL,DL,BL; 4-7 = AH..BH.
template <class T> inline T getr(const Cpu& c, unsigned r) {
  if constexpr (sizeof(T) == 1)
    return r < 4 ? uint8_t(c.gpr[r]) : uint8_t(c.gpr[r - 4] >> 8);
  else
    return T(c.gpr[r]);
}
template <class T> inline void setr(Cpu& c, unsigned r, T v) {
  if constexpr (sizeof(T) == 1) {
    if (r < 4) c.gpr[r] = (c.gpr[r] & ~0xFFu) | v;
    else c.gpr[r - 4] = (c.gpr[r - 4] & ~0xFF00u) | (uint32_t(v) << 8);
  } else if constexpr (sizeof(T) == 2) {
    c.gpr[r] = (c.gpr[r] & ~0xFFFFu) | v;
  } else {
    c.gpr[r] = v;
  }
}
// Sign-extend an immediate stored in Insn::imm (already sign-extended to 32 bits).
template <class T> inline T imm(const Insn& i) { return T(i.imm); }

// ---- segmentation ----
// Check that [off, off+last] is inside the segment for a read or write, then
// return the linear address. #SS(0) for SS, #GP(0) otherwise.
void segment_fault(Cpu& c, unsigned seg);  // [[noreturn]] in effect
inline bool seg_ok(const Segment& s, uint32_t off, uint32_t last) {
  if (!(s.attr & SEG_DC) || (s.attr & SEG_CODE)) {  // expand-up (or code)
    return off <= s.limit && last <= s.limit - off;
  }
  uint32_t upper = (s.attr & SEG_DB) ? 0xFFFFFFFFu : 0xFFFFu;  // expand-down data
  return off > s.limit && off <= upper && last <= upper - off;
}
inline uint32_t linear(Cpu& c, unsigned seg, uint32_t off, uint32_t last, bool write) {
  const Segment& s = c.seg[seg];
  bool bad_type = write ? ((s.attr & (SEG_CODE | SEG_RW)) != SEG_RW)
                        : ((s.attr & (SEG_CODE | SEG_RW)) == SEG_CODE);
  if (!seg_ok(s, off, last) || (bad_type && !c.real_mode()) || !(s.attr & SEG_P)) [[unlikely]]
    segment_fault(c, seg);
  return s.base + off;
}

// ---- memory: linear addresses through the soft TLB (paging, A20, the map) ----
// #AC(0): a misaligned data access at CPL 3 with CR0.AM and EFLAGS.AC set
// (protected and V86 mode). Implicit supervisor accesses never check.
inline void alignment_check(Cpu& c, uint32_t lin, unsigned size) {
  if (size > 1 && (lin & (size - 1)) && c.cpl == 3 && (c.cr[0] & CR0_AM) && (c.eflags & AC) &&
      !c.real_mode()) [[unlikely]]
    fault(c, kAC, 0);
}

// Data accesses: user-mode checks at CPL 3.
template <class T> inline T data_read(Cpu& c, uint32_t lin) {
  if constexpr (sizeof(T) > 1) alignment_check(c, lin, sizeof(T));
  T v;
  mmu::PageFault pf;
  if (!c.tlb->read<T>(lin, c.user(), &v, &pf)) [[unlikely]] page_fault(c, pf);
  return v;
}
template <class T> inline void data_write(Cpu& c, uint32_t lin, T v) {
  if constexpr (sizeof(T) > 1) alignment_check(c, lin, sizeof(T));
  mmu::PageFault pf;
  if (!c.tlb->write<T>(lin, c.user(), v, &pf)) [[unlikely]] page_fault(c, pf);
}
// Implicit system accesses (descriptor tables, IDT/IVT, TSS): always
// supervisor, whatever the CPL (SDM vol. 3, 4.6).
template <class T> inline T lin_read(Cpu& c, uint32_t lin) {
  T v;
  mmu::PageFault pf;
  if (!c.tlb->read<T>(lin, false, &v, &pf)) [[unlikely]] page_fault(c, pf);
  return v;
}
template <class T> inline void lin_write(Cpu& c, uint32_t lin, T v) {
  mmu::PageFault pf;
  if (!c.tlb->write<T>(lin, false, v, &pf)) [[unlikely]] page_fault(c, pf);
}

template <class T> inline T read_mem(Cpu& c, unsigned seg, uint32_t off) {
  return data_read<T>(c, linear(c, seg, off, sizeof(T) - 1, false));
}
template <class T> inline void write_mem(Cpu& c, unsigned seg, uint32_t off, T v) {
  data_write<T>(c, linear(c, seg, off, sizeof(T) - 1, true), v);
}
// Check a write of `len` bytes at seg:off without writing (multi-part stores
// that must not be partially done, e.g. far pointers, PUSHA, ENTER).
// Segment limits and every page are checked, with no side effects.
inline void check_write(Cpu& c, unsigned seg, uint32_t off, uint32_t len) {
  uint32_t lin = linear(c, seg, off, len - 1, true);
  mmu::PageFault pf;
  if (!c.tlb->probe(lin, len, mmu::Access::Write, c.user(), &pf)) page_fault(c, pf);
}

// ---- operands ----
// Effective address (offset) of the memory operand, wrapped to the address size.
inline uint32_t ea(const Cpu& c, const Insn& i) {
  uint32_t a = i.disp;
  if (i.base != kNoReg) a += c.gpr[i.base];
  if (i.index != kNoReg) a += c.gpr[i.index] << i.scale;
  return i.asz32() ? a : (a & 0xFFFFu);
}
// r/m operand (E): register i.rm or memory at i.seg:ea.
template <class T> inline T read_rm(Cpu& c, const Insn& i) {
  return i.mem() ? read_mem<T>(c, i.seg, ea(c, i)) : getr<T>(c, i.rm);
}
template <class T> inline void write_rm(Cpu& c, const Insn& i, T v) {
  if (i.mem()) write_mem<T>(c, i.seg, ea(c, i), v);
  else setr<T>(c, i.rm, v);
}
// reg operand (G).
template <class T> inline T read_reg(const Cpu& c, const Insn& i) { return getr<T>(c, i.reg); }
template <class T> inline void write_reg(Cpu& c, const Insn& i, T v) { setr<T>(c, i.reg, v); }

// ---- stack (SS.B selects ESP or SP) ----
inline uint32_t sp_value(const Cpu& c) { return c.stack32() ? c.gpr[ESP] : (c.gpr[ESP] & 0xFFFFu); }
inline void set_sp(Cpu& c, uint32_t v) {
  if (c.stack32()) c.gpr[ESP] = v;
  else c.gpr[ESP] = (c.gpr[ESP] & ~0xFFFFu) | (v & 0xFFFFu);
}
inline uint32_t sp_add(const Cpu& c, uint32_t sp, int32_t d) {
  return c.stack32() ? sp + d : ((sp + d) & 0xFFFFu);
}
template <class T> inline void push(Cpu& c, T v) {
  uint32_t sp = sp_add(c, sp_value(c), -int32_t(sizeof(T)));
  write_mem<T>(c, SS, sp, v);
  set_sp(c, sp);
}
template <class T> inline T pop(Cpu& c) {
  uint32_t sp = sp_value(c);
  T v = read_mem<T>(c, SS, sp);
  set_sp(c, sp_add(c, sp, sizeof(T)));
  return v;
}

// ---- control transfer ----
// Set EIP for a near transfer with operand size T (16-bit targets wrap), with
// the CS limit check (#GP(0)).
template <class T> inline void jump_near(Cpu& c, uint32_t target) {
  if constexpr (sizeof(T) == 2) target &= 0xFFFFu;
  if (target > c.seg[CS].limit) [[unlikely]] fault(c, kGP, 0);
  c.eip = target;
}

// ---- segment registers ----
// Load a segment register in real or V86 mode (base = sel << 4), or in
// protected mode from the GDT/LDT (cpu/segments.cpp).
void load_segment(Cpu& c, unsigned seg, uint16_t sel);
// Far transfer: load CS:EIP (real mode, or protected mode same-privilege code
// segment; gates and privilege changes are the system-architecture layer).
void far_jump(Cpu& c, uint16_t sel, uint32_t eip, bool osz32);

// ---- interrupts (cpu/interrupts.cpp) ----
enum class IntKind : uint8_t { Exception, Software, External, Int3, Into };
// Deliver interrupt/exception `vec` now. For Software/Int3/Into, EIP is the
// next instruction; for exceptions it is the faulting instruction.
void deliver_interrupt(Cpu& c, uint8_t vec, IntKind kind, uint32_t err = 0);

// ---- control registers (cpu/control_regs.cpp): the TLB follows them ----
// Apply the SDM's checks (#GP(0) on invalid combinations or PDPTE reserved
// bits), update the TLB and request a block lookup (EV_MODE).
void write_cr0(Cpu& c, uint32_t v);
void write_cr3(Cpu& c, uint32_t v);
void write_cr4(Cpu& c, uint32_t v);

// EFLAGS write with the bits this mode allows (POPF, IRET): `mask` is the set
// of bits the instruction may change.
void write_eflags(Cpu& c, uint32_t value, uint32_t mask);

}  // namespace cpu
