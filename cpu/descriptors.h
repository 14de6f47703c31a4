// The protected-mode system architecture (SDM vol. 3, chapters 5-7 and 20):
// descriptors, checked segment loads, stacks built before they are
// committed, far transfers through gates, interrupt delivery, IRET, task
// switches and the I/O permission bitmap.
//
// Files: descriptors.cpp (descriptor reads, checked segment loads),
// segments.cpp (far JMP/CALL/RET through code segments, call gates, task
// gates and TSSs), interrupts.cpp (INT/exceptions through the IDT, IRET),
// tasks.cpp (task switches, TSS stacks, the I/O bitmap).
//
// Precise faults: every path reads and checks everything (descriptors, the
// new stack's limits and pages) before it changes a segment register, CPL or
// memory; a fault longjmps out (cpu.h) and the snapshot restores the rest.
// The one documented exception is a task switch: once the outgoing state is
// saved and the incoming one loaded, faults on the new task's segments are
// raised in the new task (SDM 7.3, step 14); task_switch() retakes the
// snapshot at that point.
//
// Error codes: selector errors push (selector & ~3) | EXT; IDT errors push
// vector * 8 + 2 | EXT. EXT is set while delivering an event the program
// did not ask for (an exception or a hardware interrupt, not INT n/INT3/INTO).
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace cpu {

// System descriptor types (S = 0).
enum : uint8_t {
  kTss16 = 1, kLdtDesc = 2, kTss16Busy = 3, kCallGate16 = 4, kTaskGate = 5, kIntGate16 = 6,
  kTrapGate16 = 7, kTss32 = 9, kTss32Busy = 11, kCallGate32 = 12, kIntGate32 = 14, kTrapGate32 = 15,
};

struct Descriptor {
  uint32_t lo = 0, hi = 0;

  uint32_t base() const { return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u); }
  uint32_t limit() const {  // byte-granular
    uint32_t l = (lo & 0xFFFF) | (hi & 0x000F0000u);
    return (hi & (1u << 23)) ? (l << 12) | 0xFFF : l;
  }
  uint32_t attr() const { return (hi >> 8) & 0xF0FF; }  // Segment::attr layout
  unsigned type() const { return (hi >> 8) & 0xF; }
  unsigned dpl() const { return (hi >> 13) & 3; }
  bool present() const { return hi & (1u << 15); }
  bool system() const { return !(hi & (1u << 12)); }
  bool code() const { return !system() && (hi & (1u << 11)); }
  bool data() const { return !system() && !(hi & (1u << 11)); }
  bool conforming() const { return code() && (hi & (1u << 10)); }
  bool readable() const { return data() || (code() && (hi & (1u << 9))); }
  bool writable() const { return data() && (hi & (1u << 9)); }
  // Gates: target selector, offset (16-bit gates use the low word only),
  // parameter count (call gates), size.
  uint16_t gate_sel() const { return uint16_t(lo >> 16); }
  bool gate32() const { return type() & 8; }
  uint32_t gate_offset() const { return gate32() ? (lo & 0xFFFF) | (hi & 0xFFFF0000u) : (lo & 0xFFFF); }
  unsigned gate_params() const { return hi & 0x1F; }
  // TSS descriptors.
  bool tss_available() const { return system() && (type() == kTss16 || type() == kTss32); }
  bool tss_busy() const { return system() && (type() == kTss16Busy || type() == kTss32Busy); }
};

// A descriptor and the linear address it was read from (for the accessed
// and busy bits).
struct DescRef {
  Descriptor d;
  uint32_t addr = 0;
};

inline uint32_t sel_error(uint16_t sel, bool ext) { return (sel & 0xFFFCu) | (ext ? 1u : 0u); }
inline uint32_t idt_error(uint8_t vec, bool ext) { return uint32_t(vec) * 8 + 2 + (ext ? 1u : 0u); }
inline bool null_sel(uint16_t sel) { return (sel & 0xFFFC) == 0; }

// ---- descriptor tables (descriptors.cpp) ----
// The descriptor `sel` names: false if it lies outside the GDT/LDT limit
// (or the LDT is unusable). Reads are supervisor accesses (#PF possible).
bool fetch_descriptor(Cpu& c, uint16_t sel, DescRef* out);
// The same, raising vec(sel|EXT) when outside the table.
DescRef read_descriptor(Cpu& c, uint16_t sel, uint8_t vec, bool ext);
// Set the accessed bit in memory (if clear).
void set_accessed(Cpu& c, DescRef& r);
// Set or clear a TSS descriptor's busy bit in memory.
void set_busy(Cpu& c, DescRef& r, bool busy);

// ---- segment-register loads ----
// The descriptor cache a descriptor gives (accessed bit set).
inline Segment make_segment(uint16_t sel, const Descriptor& d) {
  return Segment{sel, 0, d.base(), d.limit(), d.attr() | SEG_ACCESSED};
}
// Load a register from a checked descriptor: accessed bit, cache (with the
// selector as given: callers put CPL into CS's RPL), EV_MODE for CS/SS.
void commit_segment(Cpu& c, unsigned seg, uint16_t sel, DescRef& r);
// A null selector: the register is unusable until reloaded.
void load_null(Cpu& c, unsigned seg, uint16_t sel);
// Real-mode style (V86): base = sel << 4, limit 64 KiB, DPL 3.
void load_v86(Cpu& c, unsigned seg, uint16_t sel);
// Check SS for privilege level `cpl`. Selector/type/privilege errors raise
// bad(sel|EXT) (#GP for instructions, #TS for stack and task switches; a
// null selector gives bad(0|EXT)); not present raises #SS(sel|EXT).
DescRef check_stack_segment(Cpu& c, uint16_t sel, unsigned cpl, uint8_t bad, bool ext);
// Check DS/ES/FS/GS for privilege level `cpl` (null is allowed: returns a
// zero descriptor). Errors: bad(sel|EXT); not present #NP(sel|EXT).
DescRef check_data_segment(Cpu& c, uint16_t sel, unsigned cpl, uint8_t bad, bool ext);
// The code segment a far RET/IRET returns to: null #GP(0); outside the
// table, not code, RPL < CPL, conforming with DPL > RPL or non-conforming
// with DPL != RPL #GP(sel); not present #NP(sel).
DescRef check_return_code(Cpu& c, uint16_t sel);
// After a return to an outer level: ES/DS/FS/GS holding data or
// non-conforming code with DPL < CPL become null.
void drop_inaccessible_segments(Cpu& c);
// Set CPL (and ask the engine to look blocks up again).
inline void set_cpl(Cpu& c, unsigned cpl) {
  c.cpl = uint8_t(cpl);
  c.events |= EV_MODE;
}

// ---- stack frames pushed before anything is committed ----
// Pushes recorded against a stack segment cache (possibly not loaded yet),
// then checked as a whole (limits: #SS(err); pages: #PF at the given
// privilege) and only then written.
struct StackFrame {
  Segment ss;
  uint32_t sp;
  bool user;
  uint32_t err;  // #SS error code for a limit violation
  unsigned n = 0;
  struct Slot {
    uint32_t off, value;
    uint8_t size;
  } slot[48];

  StackFrame(const Segment& s, uint32_t esp, bool user_access, uint32_t ss_err)
      : ss(s), sp((s.attr & SEG_DB) ? esp : (esp & 0xFFFF)), user(user_access), err(ss_err) {}
  void push(uint32_t v, unsigned size) {
    sp = (ss.attr & SEG_DB) ? sp - size : ((sp - size) & 0xFFFF);
    slot[n++] = Slot{sp, v, uint8_t(size)};
  }
  void check(Cpu& c) const;  // may fault (#SS, #PF, #AC at CPL 3); changes nothing
  void write(Cpu& c) const;  // after check()
};
// The current stack at the current privilege.
inline StackFrame current_stack(const Cpu& c) { return StackFrame(c.seg[SS], c.gpr[ESP], c.user(), 0); }
// Load ESP after switching to `ss` (SS.B decides whether SP or ESP is written).
inline void set_stack_pointer(Cpu& c, uint32_t sp) {
  if (c.stack32()) c.gpr[ESP] = sp;
  else c.gpr[ESP] = (c.gpr[ESP] & ~0xFFFFu) | (sp & 0xFFFF);
}

// ---- far transfers (segments.cpp; far_jump is in cpu.h) ----
void far_call(Cpu& c, uint16_t sel, uint32_t off, bool osz32);
// RETF: pop EIP and CS, release `release` bytes of parameters.
void far_return(Cpu& c, bool osz32, uint16_t release);

// ---- IRET (interrupts.cpp): every mode ----
void iret(Cpu& c, bool osz32);

// ---- tasks (tasks.cpp) ----
enum class TaskReason : uint8_t { Jmp, Call, Iret, Int };
// The TSS a task gate names (GDT only, available, present), checked with
// #GP(sel|EXT)/#NP(sel|EXT).
DescRef task_gate_tss(Cpu& c, uint16_t tss_sel, bool ext);
// Switch to the task whose available (busy for Iret) TSS descriptor is `tss`
// (SDM 7.3). Ends with EIP checked against the new CS limit. Returns the new
// TSS's T bit: the caller then calls task_debug_trap() once the switch is
// complete (after an error code push).
bool task_switch(Cpu& c, uint16_t tss_sel, DescRef tss, TaskReason why, bool ext);
// The debug trap of a TSS with T set: DR6.BT, then #DB in the new task.
void task_debug_trap(Cpu& c);
// SS:ESP for privilege level `dpl` from the current TSS (#TS(TR|EXT) if the
// TSS is too short).
void tss_stack(Cpu& c, unsigned dpl, bool ext, uint16_t* ss, uint32_t* esp);
// The I/O permission bitmap allows `size` bytes at `port` (32-bit TSS only).
bool io_bitmap_allows(Cpu& c, uint16_t port, unsigned size);

// ---- alignment check ----
// #AC(0) for a misaligned data access of `size` bytes at linear `lin` when
// CR0.AM and EFLAGS.AC are set at CPL 3 (V86 included). The data path
// (data_read/data_write, write_mem/read_mem and the stack) should call it;
// implicit supervisor accesses (descriptor tables, TSS, IDT) never do.

}  // namespace cpu
