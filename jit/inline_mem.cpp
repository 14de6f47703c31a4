// The soft-TLB fast path, inline (DESIGN.md principle 5; mmu/tlb.h).
//
//   ea      = disp + base + index << scale          (wrapped to 16 bits for a16)
//   segment : present, data, expand-up (and writable for a write), and
//             ea + w - 1 <= limit, computed in 64 bits so it cannot wrap;
//             left out as far as the block's segment key allows (segkey.h):
//             a "usable" segment tests only the limit, a flat one nothing
//   EFLAGS.AC set -> slow (the alignment check lives in the slow path);
//             left out when the key says #AC cannot happen
//   lin     = ea + base                              (32-bit wrap)
//   entry   = table[(lin >> 12) & kTlbMask]          (the block's CPL's table)
//   tag     = (lin + w - 1) & ~0xFFF  == entry.read_tag / write_tag
//   host    = entry.addend + lin
//
// The tag of the last byte's page makes a page-crossing access miss, and the
// flag bits in a tag (MMIO, ROM, code page, not yet dirty) make it miss too,
// so the slow path - the instruction's own handler - sees every case that is
// not plain RAM.
#include "cpu/cpu.h"
#include "jit/inline_ops.h"
#include "jit/segkey.h"

namespace jit {

using asmjit::Label;

namespace {

static_assert(sizeof(mmu::TlbEntry) == 24 && offsetof(mmu::TlbEntry, write_tag) == 4 &&
              offsetof(mmu::TlbEntry, addend) == 8);

x86::Mem gpr32(const CpuOffsets& off, unsigned r) { return x86::dword_ptr(kCpu, off.gpr + 4 * int32_t(r)); }

// Segment checks on the offset in rcx, then rcx := linear address.
void segment_checks(Emission& e, unsigned seg, unsigned w, bool write, const Label& slow) {
  x86::Assembler& a = e.a;
  const uint32_t cls = seg_class(e.segkey, seg);
  if (cls == kSegFlat) return;  // base 0, 4 GiB: the offset is the linear address
  const uint32_t mask = cpu::SEG_P | cpu::SEG_DC | cpu::SEG_CODE | (write ? cpu::SEG_RW : 0);
  const uint32_t want = cpu::SEG_P | (write ? cpu::SEG_RW : 0);
  if (cls == kSegGeneric) {
    a.mov(x86::eax, x86::dword_ptr(kCpu, e.off.seg_attr[seg]));
    a.and_(x86::eax, mask);
    a.cmp(x86::eax, want);
    a.jne(slow);
  }
  a.mov(x86::eax, x86::dword_ptr(kCpu, e.off.seg_limit[seg]));
  a.lea(x86::rdx, x86::ptr(x86::rcx, int32_t(w - 1)));
  a.cmp(x86::rdx, x86::rax);
  a.ja(slow);
  a.add(x86::ecx, x86::dword_ptr(kCpu, e.off.seg_base[seg]));
}

// The TLB check on the linear address in rcx; returns [rax + rcx].
x86::Mem tlb_fast(Emission& e, unsigned w, bool write, const Label& slow) {
  x86::Assembler& a = e.a;
  if (!(e.segkey & kSegKeyNoAC)) {
    a.test(x86::dword_ptr(kCpu, e.off.eflags), cpu::AC);
    a.jnz(slow);
  }
  a.mov(x86::eax, x86::ecx);
  a.shr(x86::eax, mmu::kPageShift);
  a.and_(x86::eax, mmu::kTlbMask);
  a.lea(x86::rdx, x86::ptr(x86::rax, x86::rax, 1));  // index * 3: entries are 24 bytes
  a.lea(x86::eax, x86::ptr(x86::rcx, int32_t(w - 1)));
  a.and_(x86::eax, ~mmu::kTagFlags);
  a.cmp(x86::eax, x86::dword_ptr(kTlbTable, x86::rdx, 3, write ? 4 : 0));
  a.jne(slow);
  a.mov(x86::rax, x86::qword_ptr(kTlbTable, x86::rdx, 3, 8));
  return x86::ptr(x86::rax, x86::rcx, 0, 0, w);
}

}  // namespace

// A base or index register from CpuState: 16-bit addressing reads only the
// word (16-bit code writes registers with 16-bit stores, and a wider load
// right after one cannot be forwarded from the store: a stall of a dozen
// cycles on every such access).
static void load_addr_reg(Emission& e, const cpu::Insn& in, const x86::Gp& dst, unsigned r) {
  if (in.asz32()) e.a.mov(dst, gpr32(e.off, r));
  else e.a.movzx(dst, x86::word_ptr(kCpu, e.off.gpr + 4 * int32_t(r)));
}

void emit_ea(Emission& e, const cpu::Insn& in) {
  // MOV, LEA and MOVZX only: RFLAGS (which may hold the guest's) is untouched.
  x86::Assembler& a = e.a;
  const bool base = in.base != cpu::kNoReg, index = in.index != cpu::kNoReg;
  const int32_t disp = int32_t(in.disp);
  // Base and index from their host registers when they have one (regcache.h).
  x86::Gp ri = x86::rdx, rb = x86::rcx;
  if (index) {
    if (e.rc.has(in.index)) ri = e.rc.host[in.index].r64();
    else load_addr_reg(e, in, x86::edx, in.index);
  }
  if (base) {
    if (e.rc.has(in.base)) rb = e.rc.host[in.base].r64();
    else load_addr_reg(e, in, x86::ecx, in.base);
    if (index) a.lea(x86::ecx, x86::ptr(rb, ri, in.scale, disp));
    else if (disp || rb != x86::rcx) a.lea(x86::ecx, x86::ptr(rb, disp));
  } else if (index) {
    // [index*scale + disp32]: the displacement sign-extends, and only the low
    // 32 bits of the sum are kept, which is the guest's wrap-around.
    a.lea(x86::ecx, x86::ptr(uint64_t(int64_t(int32_t(in.disp))), ri, in.scale));
  } else {
    a.mov(x86::ecx, in.disp);
  }
  if (!in.asz32()) a.movzx(x86::ecx, x86::cx);
}

x86::Mem emit_mem_fast(Emission& e, const cpu::Insn& in, unsigned w, bool write, const Label& slow) {
  save_flags(e.a, e.st);
  emit_ea(e, in);
  segment_checks(e, in.seg, w, write, slow);
  return tlb_fast(e, w, write, slow);
}

x86::Mem emit_mem_at(Emission& e, unsigned seg, unsigned w, bool write, const Label& slow) {
  save_flags(e.a, e.st);
  segment_checks(e, seg, w, write, slow);
  return tlb_fast(e, w, write, slow);
}

// 32-bit code is compiled for a 32-bit stack (SS.B = 1), 16-bit and real-mode
// code for a 16-bit one (SP wraps at 64 KiB); the other kind takes the slow path.
static bool stack32(const Emission& e) { return e.mode == uint32_t(cpu::DecodeMode::Prot32); }

x86::Mem emit_stack_fast(Emission& e, unsigned w, bool push, const Label& slow) {
  x86::Assembler& a = e.a;
  save_flags(a, e.st);
  a.test(x86::dword_ptr(kCpu, e.off.seg_attr[cpu::SS]), cpu::SEG_DB);
  if (stack32(e)) {
    a.jz(slow);
    a.emit(x86::Inst::kIdMov, x86::ecx, e.greg(cpu::ESP, 4, false));
    if (push) a.sub(x86::ecx, w);
  } else {
    a.jnz(slow);
    a.emit(x86::Inst::kIdMovzx, x86::ecx, e.greg(cpu::ESP, 2, false));
    if (push) {
      a.sub(x86::ecx, w);
      a.and_(x86::ecx, 0xFFFF);
    }
  }
  segment_checks(e, cpu::SS, w, push, slow);
  return tlb_fast(e, w, push, slow);
}

void emit_sp_add(Emission& e, int32_t delta) {
  e.a.emit(x86::Inst::kIdAdd, e.greg(cpu::ESP, stack32(e) ? 4 : 2, true), asmjit::imm(delta));
}

}  // namespace jit
