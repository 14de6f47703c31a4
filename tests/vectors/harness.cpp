#include "harness.h"

#include "jit/engine.h"

#include <cstdio>

namespace vec {

// Sees every guest RAM write (all pages stay marked as code pages), logs it
// for restore(), and passes it on to the interpreter's decoded-block cache so
// self-modifying code behaves exactly as without the log.
class Harness::WriteLog final : public mmu::CodeListener {
 public:
  explicit WriteLog(mmu::Memory& m) : mem(m) {}
  void code_written(uint32_t pa, unsigned size) override {
    if (on) writes.push_back({pa, size});
    if (next) next->code_written(pa, size);
    // The cache unmarks a page when it drops its blocks: keep every page marked.
    mem.mark_code_page(pa >> mmu::kPageShift);
    mem.mark_code_page((pa + size - 1) >> mmu::kPageShift);
  }
  void mark_all() {
    for (uint32_t p = 0; p <= (mem.ram_size() - 1) >> mmu::kPageShift; ++p) mem.mark_code_page(p);
  }

  mmu::Memory& mem;
  mmu::CodeListener* next = nullptr;
  bool on = true;
  struct Write {
    uint32_t pa;
    unsigned size;
  };
  std::vector<Write> writes;
};

namespace {

constexpr uint8_t kGprOf[kNumRegs] = {cpu::EAX, cpu::EBX, cpu::ECX, cpu::EDX, 0, 0, 0, 0,
                                      cpu::ESP, cpu::EBP, cpu::ESI, cpu::EDI, 0, 0, 0, 0};
int seg_of(unsigned r) {
  switch (r) {
    case ES: return cpu::ES;
    case CS: return cpu::CS;
    case SS: return cpu::SS;
    case DS: return cpu::DS;
    case FS: return cpu::FS;
    case GS: return cpu::GS;
    default: return -1;
  }
}
bool is_gpr(unsigned r) { return r <= DX || (r >= SP && r <= DI); }

}  // namespace

Harness::Harness(bool wrap_1mib)
    : mem_(wrap_1mib ? (2u << 20) : (16u << 20)), listed_(mem_.ram_size(), 0) {
  mem_.set_a20(!wrap_1mib);
  log_ = std::make_unique<WriteLog>(mem_);
}

Harness::~Harness() {
  engine_.reset();
  mem_.set_code_listener(nullptr);
}

void Harness::begin_file() {
  engine_.reset();
  c_ = std::make_unique<cpu::Cpu>();
  c_->mem = &mem_;
  c_->io = &io_;  // no devices: ports read all ones, as on the test boards
  // Either engine registers its decoded-block cache as the code listener.
  if (jit_) {
    auto j = std::make_unique<jit::JitEngine>(*c_, jit::parse_config("max-insns=1,smc-interp=0," + jit_spec_));
    icache_ = &j->interpreter().icache();
    engine_ = std::move(j);
  } else {
    auto i = std::make_unique<cpu::Interpreter>(*c_);
    icache_ = &i->icache();
    engine_ = std::move(i);
  }
  log_->next = icache_;
  mem_.set_code_listener(log_.get());
  log_->mark_all();
}

uint32_t Harness::our_reg(unsigned r) const {
  const cpu::Cpu& c = *c_;
  if (is_gpr(r)) return c.gpr[kGprOf[r]];
  if (int s = seg_of(r); s >= 0) return c.seg[s].sel;
  if (r == IP) return c.eip;
  if (r == FLAGS) return c.eflags;
  return 0;
}

RunInfo Harness::run(const Test& t, bool hlt_mode, bool rep_string, uint32_t init_flags_keep) {
  cpu::Cpu& c = *c_;
  cpu::reset_state(c);  // real mode, CR0.PE = 0, IDTR = 0:3FF
  c.a20 = mem_.a20();
  for (unsigned r = 0; r < kNumRegs; ++r) {
    if (!t.init.has(r)) continue;
    uint32_t v = t.init.v[r];
    if (is_gpr(r)) {
      c.gpr[kGprOf[r]] = t.wide ? v : (v & 0xFFFF);
    } else if (int s = seg_of(r); s >= 0) {
      cpu::Segment& sg = c.seg[s];
      sg.sel = uint16_t(v);
      sg.base = uint32_t(uint16_t(v)) << 4;
      sg.limit = 0xFFFF;
      sg.attr = cpu::SEG_P | cpu::SEG_S | cpu::SEG_RW | cpu::SEG_ACCESSED | (s == cpu::CS ? cpu::SEG_CODE : 0);
    } else if (r == IP) {
      c.eip = t.wide ? v : (v & 0xFFFF);
    } else if (r == FLAGS) {
      c.eflags = (v & init_flags_keep) | cpu::kFlagsFixed1;
    }
  }
  log_->on = true;
  for (const RamByte& b : t.init_ram) {
    mem_.write8(b.addr, b.value);
    uint32_t pa = b.addr & mem_.a20_mask();
    if (pa < listed_.size() && !listed_[pa]) {
      listed_[pa] = 1;
      listed_addrs_.push_back(pa);
    }
  }
  c.events = 0;  // loading may have invalidated cached blocks (EV_SMC)
  c.inhibit = 0;
  c.fault_nested = 0;
  c.fault_vec = 0xFF;

  RunInfo ri;
  auto phys_ip = [&] { return (c.seg[cpu::CS].base + c.eip) & mem_.a20_mask(); };
  // The instruction under test. A REP string instruction that the handler
  // executes in pieces (EIP left at the instruction) is continued to its end.
  const uint32_t start = phys_ip();
  cpu::Exit e = engine_->run(c, 1);
  ri.steps = 1;
  while (rep_string && e == cpu::Exit::Budget && phys_ip() == start && ri.steps < kMaxInsns) {
    e = engine_->run(c, 1);
    ++ri.steps;
  }
  if (c.fault_vec != 0xFF) ri.our_fault = c.fault_vec;  // raised by the instruction itself
  if (e == cpu::Exit::Shutdown || e == cpu::Exit::Stop) {
    ri.status = RunInfo::Shutdown;
  } else if (hlt_mode && e != cpu::Exit::Halted) {
    // Then on to the HLT (after the instruction, at the branch target or in
    // the exception handler). Executing bytes the test did not list means we
    // went somewhere the real CPU did not (a wrong target or vector): stop
    // there rather than run zeros to the cap.
    constexpr uint64_t kChunk = 64;
    for (;;) {
      uint32_t ip = phys_ip();
      if (ip >= listed_.size() || !listed_[ip]) { ri.status = RunInfo::RanAway; break; }
      e = engine_->run(c, kChunk);
      ri.steps += kChunk;
      if (e == cpu::Exit::Halted) break;
      if (e == cpu::Exit::Shutdown || e == cpu::Exit::Stop) { ri.status = RunInfo::Shutdown; break; }
      if (ri.steps >= kMaxInsns) { ri.status = RunInfo::NoHlt; break; }
    }
  }
  return ri;
}

bool Harness::compare(const Test& t, const RunInfo& ri, const CompareOpts& o, std::string* diff) const {
  bool ok = true;
  char buf[160];
  const cpu::Cpu& c = *c_;
  if (ri.status != RunInfo::Ok) {
    ok = false;
    if (!diff) return false;
    const char* what = ri.status == RunInfo::NoHlt     ? "no HLT: instruction cap reached"
                       : ri.status == RunInfo::Shutdown ? "no HLT: CPU shut down (triple fault or undeliverable exception)"
                                                        : "no HLT: executing bytes the test did not list";
    std::snprintf(buf, sizeof buf, "%s at %04X:%04X (fault vector %d)\n", what, c.seg[cpu::CS].sel,
                  c.eip, ri.our_fault);
    *diff += buf;
  }
  const uint32_t width = t.wide ? 0xFFFFFFFFu : 0xFFFFu;
  for (unsigned r = 0; r < kNumRegs; ++r) {
    if (!t.init.has(r) && !t.fina.has(r)) continue;
    uint32_t want = t.fina.has(r) ? t.fina.v[r] : t.init.v[r];
    uint32_t m = seg_of(r) >= 0 ? 0xFFFFu : width;
    if (o.top_mask && o.top_mask->has(r)) m &= o.top_mask->v[r];
    if (t.fina_mask.has(r)) m &= t.fina_mask.v[r];
    if (r == FLAGS) m &= 0xFFFF0000u | o.flags_mask;
    uint32_t got = our_reg(r);
    if (!((got ^ want) & m)) continue;
    ok = false;
    if (!diff) return false;
    if (m == width || (seg_of(r) >= 0 && m == 0xFFFF))
      std::snprintf(buf, sizeof buf, "  %-5s got %04X want %04X\n", reg_name(r), got & width, want);
    else
      std::snprintf(buf, sizeof buf, "  %-5s got %04X want %04X (compared bits %04X, differing %04X)\n",
                    reg_name(r), got & width, want, m, (got ^ want) & m);
    *diff += buf;
  }
  for (const RamByte& b : t.fina_ram) {
    uint8_t m = 0xFF;
    uint32_t pa = b.addr & mem_.a20_mask();
    for (int k = 0; k < o.npushed; ++k) {
      if (pa == (o.pushed[k].addr & mem_.a20_mask())) m &= uint8_t(o.pushed[k].mask);
      if (pa == ((o.pushed[k].addr + 1) & mem_.a20_mask())) m &= uint8_t(o.pushed[k].mask >> 8);
    }
    uint8_t got = mem_.read8(b.addr);
    if (!((got ^ b.value) & m)) continue;
    ok = false;
    if (!diff) return false;
    std::snprintf(buf, sizeof buf, "  ram[%06X] got %02X want %02X%s\n", b.addr, got, b.value,
                  m != 0xFF ? " (masked pushed FLAGS byte)" : "");
    *diff += buf;
  }
  return ok;
}

void Harness::restore() {
  log_->on = false;
  for (const WriteLog::Write& w : log_->writes)
    for (unsigned k = 0; k < w.size; ++k) mem_.write8(w.pa + k, 0);
  log_->writes.clear();
  log_->on = true;
  for (uint32_t pa : listed_addrs_) listed_[pa] = 0;
  listed_addrs_.clear();
  icache_->collect_garbage();
}

}  // namespace vec
