// Control registers and the soft TLB that follows them.
//
// Every write of CR0/CR3/CR4 goes through here so the TLB's copy of the
// paging registers, its flushes (SDM vol. 3, 4.10.4) and the PAE PDPTE
// loads stay in step with CpuState.
#include "cpu/cpu.h"

namespace cpu {

void Cpu::attach_memory(mmu::Memory& m) {
  mem = &m;
  own_tlb = std::make_unique<mmu::Tlb>(m);
  tlb = own_tlb.get();
  sync_paging();
}

void Cpu::sync_paging() {
  mmu::PagingRegs r;
  r.cr0 = cr[0];
  r.cr3 = cr[3];
  r.cr4 = cr[4];
  tlb->set_regs(r);
  // PDPTEs are loaded from memory when PAE paging is active (as at a CR3 load).
  if ((cr[0] & CR0_PG) && (cr[4] & CR4_PAE)) tlb->set_cr3(cr[3]);
}

void page_fault(Cpu& c, const mmu::PageFault& pf) {
  c.cr[2] = pf.lin;
  fault(c, kPF, pf.error);
}

namespace {
constexpr uint32_t kCr0Bits = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP |
                              CR0_AM | CR0_NW | CR0_CD | CR0_PG;
}

void write_cr0(Cpu& c, uint32_t v) {
  v = (v & kCr0Bits) | CR0_ET;  // reserved bits are ignored; ET is fixed to 1
  if ((v & CR0_PG) && !(v & CR0_PE)) fault(c, kGP, 0);
  if ((v & CR0_NW) && !(v & CR0_CD)) fault(c, kGP, 0);
  if (!c.tlb->set_cr0(v)) fault(c, kGP, 0);  // PAE PDPTE with reserved bits
  uint32_t old = c.cr[0];
  c.cr[0] = v;
  // Entering protected mode keeps CPL 0 (CS keeps its real-mode selector
  // until the far jump); leaving it is CPL 0 by definition.
  if ((old ^ v) & CR0_PE) c.cpl = 0;
  c.events |= EV_MODE;  // PE/PG change decoding and the block key
}

void write_cr3(Cpu& c, uint32_t v) {
  if (!c.tlb->set_cr3(v)) fault(c, kGP, 0);
  c.cr[3] = v;
  c.events |= EV_MODE;  // code may now sit at other physical addresses
}

void write_cr4(Cpu& c, uint32_t v) {
  if (v & ~kCr4Bits) fault(c, kGP, 0);
  if (!c.tlb->set_cr4(v)) fault(c, kGP, 0);
  c.cr[4] = v;
  c.events |= EV_MODE;
}

}  // namespace cpu
