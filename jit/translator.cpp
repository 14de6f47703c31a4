// The translator: guest blocks into x86-64 host code.
//
// How the work is divided
// -----------------------
// The interpreter (cpu/interp.cpp) is the definition of every instruction.
// The translator never redefines one; it removes the interpreter's per-
// instruction overhead (the dispatch loop, the indirect call through the
// Insn, the events test in C++) and, where an inline emitter exists, the
// handler call itself. Everything else is shared: decoding and self-modifying
// code tracking come from the same cpu::ICache (a translated block is always
// a prefix of one of its blocks, and dies with it), faults are delivered by
// the same code, and events are serviced by the same code.
//
// Register and frame conventions
// ------------------------------
// The dispatcher calls the trampoline `enter(cpu, code)`, which saves the
// callee-saved registers, pins r15 to the Cpu and calls the block. At that
// point rsp is 16-byte aligned, so a block may `call` a reference handler
// directly. A block ends with `ret` to the trampoline, with rax = 0 (look up
// CS:EIP) or a ChainSlot* (a direct exit the dispatcher may patch). Chained
// blocks jump to each other without touching rsp, so a chain of any length
// runs in the one frame. A guest fault longjmps from inside a handler
// straight back to the dispatcher's setjmp: generated code keeps nothing on
// the host stack that needs unwinding, and longjmp restores r12-r15/rbx/rbp.
//
// Host registers: r15 the Cpu; r12 the soft-TLB table for the CPL (set by
// the trampoline: CPL cannot change inside a chain); r13 and r14 count block
// entries and handler calls for --stats; rbp holds Cpu::tsc and rbx the
// guest's arithmetic flags at block boundaries (below); rax, rcx and rdx are
// the emitters' scratch registers.
//
// State at block boundaries
// -------------------------
// Three things are not in CpuState while a chain of blocks runs; the
// trampoline loads them before the first block and stores them when the
// chain returns, so a chained jump costs nothing for them:
// * tsc is in rbp. A block adds its whole instruction count at entry (the
//   budget test computes that sum anyway) and keeps, at translation time,
//   `bias`: how many of those have not retired yet. A handler call stores
//   rbp - bias into Cpu::tsc first and reloads rbp from it afterwards (a
//   handler may count more, as a REP in bulk does); a mid-block exit takes
//   the bias off again.
// * The arithmetic flags (OSZAPC) are in rbx as an RFLAGS image. An exit
//   with the flags in host RFLAGS saves them with pushfq/pop rbx, two
//   instructions; a Jcc on flags in rbx tests their bits instead of popfq.
//   Inside a block they move between RFLAGS, rbx and CpuState as emission.h
//   describes.
// * EIP is written only where something reads it: before a handler call, at
//   an exit through the jump cache or the dispatcher, by a chain slot's stub
//   while the slot is unpatched, and by a block that refuses to run (its
//   entry checks failed). A patched chained jump writes nothing.
//
// What must be exact at every handler call (DESIGN.md principle 4)
// --------------------------------------------------------------------
// * CpuState holds every architectural register, EFLAGS included, with EIP
//   past the instruction (the handler convention) and the snapshot (snap[])
//   holding the registers at the instruction's start, so a fault restores
//   them exactly as the interpreter would.
// * tsc counts every instruction retired before this one (rbp - bias, see
//   above), so RDTSC, the PIT and every device see the same virtual time in
//   both engines.
// * After each call, Cpu::events is tested; any event (an interrupt request
//   from a device, a write into translated code, a mode change, HLT) leaves
//   the block at once, at the same instruction boundary at which the
//   interpreter would look at it. That is what makes runs deterministic and
//   identical in the two engines (principle 8).
//
// Block entry
// -----------
// Every block starts with one check: whether the whole block fits in the
// budget (Cpu::events.budget_end), which raising any event sets to 0
// (cpu/cpu.h: Events), so the same test sees pending events. If it fails,
// the block returns to the dispatcher before doing anything, and the
// dispatcher services the event or hands the instructions to the interpreter. So chained blocks never
// run past a budget or over a pending interrupt.
// The dispatcher itself never enters generated code in an interrupt shadow
// (MOV SS, STI) or with TF or RF set, and a chained or jump-cache entry
// cannot find them set either: every instruction that sets one of them
// raises an event (EV_MODE: STI, loads of SS, TF changes, task switches)
// or is an A_MODE block end that returns to the dispatcher (POPF, IRET), and
// any event makes generated code return to the dispatcher at once.
//
// Inside a block
// --------------
// Before emitting, two passes over the block's instructions: flag liveness,
// backwards from the exits (inline_ops.h: flag_effect), which lets an
// emitter skip flags nobody reads before they are rewritten (a memory access
// or a handler call needs them all exact, so it is a barrier); and the
// register plan (regcache.h), which gives the most used guest registers host
// registers for the block's duration. Each instruction is then either
// emitted inline (inline_ops, inline_arith, inline_shift, tails) or becomes a
// call of its reference handler with the state made exact first.
//
// Chaining
// --------
// See jit/block.h: exits to a statically known EIP in the same linear page as
// the block's start become patchable `jmp rel32` slots.
#include "jit/translator.h"

#include <asmjit/x86.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cpu/icache.h"
#include "cpu/table.h"
#include "jit/emission.h"
#include "jit/inline_ops.h"

namespace jit {

using namespace asmjit;
using cpu::Cpu;
using cpu::Insn;

namespace {


int32_t field(const Cpu& c, const void* p) {
  return int32_t(static_cast<const char*>(p) - reinterpret_cast<const char*>(&c));
}

// The direct targets of a block's last instruction: {taken, fall-through}.
// Only relative near branches have a target known at translation time.
struct Targets {
  int n = 0;
  uint32_t eip[2] = {};
};

Targets direct_targets(const Insn& in, uint32_t next) {
  Targets t;
  const cpu::Row& row = cpu::table()[in.row];
  std::string_view form(row.form);
  std::string_view mn = form.substr(0, form.find(' '));
  bool rel = form.find(" J") != std::string_view::npos;  // Jb / Jz operands
  if (!rel) return t;
  uint32_t taken = next + in.imm;
  if (!in.osz32()) taken &= 0xFFFF;
  t.eip[t.n++] = taken;
  if (mn != "JMP" && mn != "CALL") t.eip[t.n++] = next;  // conditional: Jcc, JCXZ, LOOP*
  return t;
}

}  // namespace

CpuOffsets::CpuOffsets(const Cpu& c)
    : gpr(field(c, &c.gpr)), eip(field(c, &c.eip)), eflags(field(c, &c.eflags)), snap(field(c, &c.snap)),
      events(field(c, &c.events.bits)), inhibit(field(c, &c.inhibit)), tsc(field(c, &c.tsc)),
      budget_end(field(c, &c.events.budget_end)), cs_limit(field(c, &c.seg[cpu::CS].limit)), cpl(field(c, &c.cpl)) {
  for (int s = 0; s < 6; ++s) {
    seg_base[s] = field(c, &c.seg[s].base);
    seg_limit[s] = field(c, &c.seg[s].limit);
    seg_attr[s] = field(c, &c.seg[s].attr);
  }
}

// asmjit reports an instruction it cannot encode here instead of emitting
// it; the translation is then abandoned (Result::EncodeError).
struct EncodeErrors : ErrorHandler {
  bool failed = false;
  std::string message;
  void handleError(Error, const char* msg, BaseEmitter*) override {
    if (!failed) message = msg;
    failed = true;
  }
};

struct Translator::Impl {
  CodeHolder code;
  x86::Assembler a;
  EncodeErrors errors;
  // XLAT86_JIT_LOG=FILE: every translated block's host code, for debugging.
  FILE* log = nullptr;
  StringLogger logger;
  Impl() {
    if (const char* path = std::getenv("XLAT86_JIT_LOG")) log = std::fopen(path, "w");
  }
  ~Impl() {
    if (log) std::fclose(log);
  }
};

Translator::Translator(const Cpu& c, CodeCache& cache, const Config& cfg)
    : impl_(std::make_unique<Impl>()), cpu_(c), cache_(cache), cfg_(cfg), off_(c) {
  reset();
}

Translator::~Translator() = default;

void Translator::reset() {
  cache_.flush();
  CodeHolder& code = impl_->code;
  code.reset();
  code.init(Environment::host(), uint64_t(uintptr_t(cache_.cursor())));
  x86::Assembler& a = impl_->a;
  code.attach(&a);
  const x86::Gp saved[] = {x86::rbx, x86::rbp, x86::r12, x86::r13, x86::r14, x86::r15};
  for (const x86::Gp& r : saved) a.push(r);
  a.mov(kCpu, x86::rdi);
  // kTlbTable for the CPL: a chain of blocks never changes CPL (that takes an
  // instruction that raises an event or ends its block for the dispatcher).
  a.mov(kTlbTable, uint64_t(uintptr_t(cpu_.tlb->table(false))));
  a.mov(x86::rax, uint64_t(uintptr_t(cpu_.tlb->table(true))));
  a.cmp(x86::byte_ptr(kCpu, off_.cpl), 3);
  a.cmove(kTlbTable, x86::rax);
  a.xor_(kEntries, kEntries);
  a.xor_(kHelpers, kHelpers);
  a.mov(x86::ebx, x86::dword_ptr(kCpu, off_.eflags));  // the flags at block boundaries
  a.mov(kTsc, x86::qword_ptr(kCpu, off_.tsc));
  a.call(x86::rsi);
  a.mov(x86::qword_ptr(kCpu, off_.tsc), kTsc);
  a.mov(x86::ecx, x86::dword_ptr(kCpu, off_.eflags));
  a.and_(x86::ebx, kArithFlags);
  a.and_(x86::ecx, ~kArithFlags);
  a.or_(x86::ecx, x86::ebx);
  a.mov(x86::dword_ptr(kCpu, off_.eflags), x86::ecx);
  a.mov(x86::rcx, uint64_t(uintptr_t(&counters_)));
  a.add(x86::qword_ptr(x86::rcx, offsetof(GeneratedCounters, block_entries)), kEntries);
  a.add(x86::qword_ptr(x86::rcx, offsetof(GeneratedCounters, helper_calls)), kHelpers);
  for (int k = 5; k >= 0; --k) a.pop(saved[k]);
  a.ret();
  uint8_t* p = cache_.commit(code);
  enter_ = reinterpret_cast<EnterFn>(p);
}

const std::string& Translator::encode_error() const { return impl_->errors.message; }

Translator::Result Translator::translate(cpu::Block& b, uint32_t eip, uint32_t cs_base, uint32_t segkey,
                                         JitBlock& out) {
  CodeHolder& code = impl_->code;
  code.reset();
  code.init(Environment::host(), uint64_t(uintptr_t(cache_.cursor())));
  impl_->errors.failed = false;
  code.setErrorHandler(&impl_->errors);
  x86::Assembler& a = impl_->a;
  code.attach(&a);

  if (impl_->log) {
    impl_->logger.clear();
    code.setLogger(&impl_->logger);
  }
  const uint32_t n = std::min<uint32_t>(uint32_t(b.insns.size()), cfg_.max_insns);
  Emission e(a, off_, cfg_, cpu_, cs_base, eip, uint32_t(b.key >> 32), segkey,
             cfg_.jump_cache ? jump_table_ : nullptr);

  // Entry checks (see the essay).
  Label refuse = a.newLabel();
  a.inc(kEntries);
  a.lea(x86::rax, x86::ptr(kTsc, int32_t(n)));
  a.cmp(x86::rax, x86::qword_ptr(kCpu, off_.budget_end));
  a.ja(refuse);
  a.mov(kTsc, x86::rax);  // the whole block counted now; e.bias says what has not retired
  e.bias = n;
  e.rc = plan_registers(b.insns, n, cfg_);
  e.regs_load(e.rc.write_first);

  // The block's last instruction, if it is a branch emitted inline (tails.cpp).
  const Insn& last = b.insns[n - 1];
  const bool whole = n == b.insns.size();
  const Tail tail = whole ? inline_tail(last, cfg_) : Tail::None;
  const uint32_t body = tail != Tail::None ? n - 1 : n;

  // Flag liveness, backwards from the exits (where every flag is live): an
  // emitter may skip computing flags that are written again before anything
  // reads them. Handler calls and memory accesses (which may fault) need
  // them all exact. `no-flag-elision` keeps every flag exact everywhere.
  uint32_t live_after[cpu::ICache::kMaxInsns + 1];
  uint32_t live = kArithFlags;
  for (uint32_t k = n; k-- > 0;) {
    live_after[k] = cfg_.flag_elision ? live : kArithFlags;
    FlagEffect fe = flag_effect(b.insns[k], cfg_);
    live = fe.barrier ? kArithFlags : (live & ~fe.written) | fe.read;
  }

  uint32_t at = eip;
  for (uint32_t k = 0; k < body; ++k) {
    const Insn& in = b.insns[k];
    uint32_t next = at + in.len;  // as the interpreter: EIP += length
    if (can_inline(in, cfg_)) {
      e.live_after = live_after[k];
      emit_inline(e, in, at, next);
      e.live_after = kArithFlags;
      if (!cfg_.flag_elision) materialize_flags(a, off_, e.st);
      e.eip_stale = true;
    } else {
      e.call_handler(in, at, next);
      if (k + 1 < n) e.events_exit_check();
    }
    e.retire();
    at = next;
  }

  if (tail != Tail::None) {
    emit_tail(e, tail, last, at);
  } else {
    // The exits. An event after the last instruction also returns to the
    // dispatcher; otherwise a known target may be chained.
    e.sync_exit(at);
    const cpu::Row& row = cpu::table()[last.row];
    bool ends = whole && (row.attrs & (cpu::A_END | cpu::A_MODE));
    bool bad_tail = last.fn != row.h8 && last.fn != row.h16 && last.fn != row.h32;  // #UD/#GP/#PF stand-ins
    Targets tg;
    if (!ends) tg.eip[tg.n++] = at;
    else if (!(row.attrs & cpu::A_MODE) && !bad_tail) tg = direct_targets(last, at);
    a.cmp(x86::dword_ptr(kCpu, off_.events), 0);
    a.jne(e.exit);
    for (int k = 0; k < tg.n; ++k) {
      if (!e.chainable(tg.eip[k])) continue;
      Label skip = a.newLabel();
      a.cmp(x86::dword_ptr(kCpu, off_.eip), tg.eip[k]);
      a.jne(skip);
      e.slot_jump(tg.eip[k]);
      a.bind(skip);
    }
    if (ends && (row.attrs & cpu::A_MODE)) a.jmp(e.exit);  // the dispatcher looks the new mode up
    else e.exit_indirect();
  }
  e.emit_cold();  // out of line, after every exit
  // The entry checks failed: nothing ran; a chained entry did not set EIP.
  a.bind(refuse);
  a.mov(x86::dword_ptr(kCpu, off_.eip), eip);
  a.bind(e.exit);
  a.xor_(x86::eax, x86::eax);
  a.ret();

  // Slot records must exist before the code is committed (their addresses
  // are immediates), so create them first and fill in positions after.
  out.slots.clear();
  for (int k = 0; k < e.nslots; ++k) {
    auto s = std::make_unique<ChainSlot>();
    s->from = &out;
    s->target_eip = e.slots[k].target;
    out.slots.push_back(std::move(s));
  }
  if (impl_->errors.failed) {
    out.slots.clear();
    code.setLogger(nullptr);
    return Result::EncodeError;
  }
  uint8_t* p = cache_.commit(code);
  if (impl_->log) {
    std::fprintf(impl_->log, "block eip %08X (%u insns) at %p\n%s\n", eip, n, static_cast<void*>(p),
                 impl_->logger.data());
    std::fflush(impl_->log);
    code.setLogger(nullptr);
  }
  if (!p) {
    out.slots.clear();
    return Result::CacheFull;
  }
  for (int k = 0; k < e.nslots; ++k) {
    ChainSlot& s = *out.slots[k];
    s.jmp = p + e.slots[k].jmp_off;
    s.stub = p + code.labelOffsetFromBase(e.slots[k].stub);
    // The stub is `mov [eip], target; mov rax, imm64; ret`: the immediate
    // starts 2 bytes into the movabs.
    uint64_t self = uint64_t(uintptr_t(&s));
    std::memcpy(p + code.labelOffsetFromBase(e.slots[k].movabs) + 2, &self, 8);
  }
  out.block = &b;
  out.eip = eip;
  out.ninsns = n;
  out.segkey = segkey;
  out.code = p;
  out.code_size = uint32_t(code.codeSize());
  return Result::Ok;
}

}  // namespace jit
