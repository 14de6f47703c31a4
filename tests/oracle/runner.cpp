// The native oracle's executors and comparison (see runner.h).
#include "runner.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cpu/interp.h"
#include "jit/engine.h"

extern char** environ;

namespace oracle {

// ---- host side ----

namespace {
struct TempFile {
  std::string path;
  int fd = -1;
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir && *dir ? dir : "/tmp") + "/xlat86-oracle-XXXXXX";
    fd = mkstemp(path.data());
  }
  ~TempFile() {
    if (fd >= 0) close(fd);
    if (!path.empty()) unlink(path.c_str());
  }
};
}  // namespace

bool run_host(bool* unavailable, const std::string& host, const std::vector<Case>& cases, std::vector<HostResult>& res,
              std::string& err) {
  TempFile in, out;
  if (in.fd < 0 || out.fd < 0) {
    err = "cannot create temporary files";
    return false;
  }
  std::vector<uint8_t> buf;
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    OrcIn r{};
    r.magic = ORC_MAGIC_IN;
    r.id = uint32_t(k);
    std::memcpy(r.gpr, c.gpr, sizeof r.gpr);
    r.eflags = c.eflags;
    r.seed = c.seed;
    r.insn_off = c.off;
    r.insn_len = uint8_t(c.insn.size());
    r.nexits = uint8_t(c.exits.size());
    for (size_t e = 0; e < c.exits.size() && e < ORC_MAX_EXITS; ++e) r.exits[e] = c.exits[e];
    std::memcpy(r.insn, c.insn.data(), std::min<size_t>(c.insn.size(), ORC_MAX_INSN));
    r.npatch = uint16_t(c.patches.size());
    r.sel_es = c.sel_es;
    r.sel_ss = c.sel_ss;
    r.sel_ds = c.sel_ds;
    r.sel_cs = c.code16 ? ORC_SEL_CODE16 : ORC_SEL_CODE;
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&r);
    buf.insert(buf.end(), p, p + sizeof r);
    p = reinterpret_cast<const uint8_t*>(c.patches.data());
    buf.insert(buf.end(), p, p + c.patches.size() * sizeof(OrcPatch));
  }
  if (write(in.fd, buf.data(), buf.size()) != ssize_t(buf.size()) || lseek(in.fd, 0, SEEK_SET) != 0) {
    err = "cannot write the case file";
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out.fd, 1);
  char* argv[] = {const_cast<char*>(host.c_str()), nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, host.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  *unavailable = false;
  if (rc != 0) {
    *unavailable = rc == ENOEXEC;  // a kernel without i386 binary support
    err = "cannot start " + host + ": " + std::strerror(rc);
    return false;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == ORC_EXIT_UNAVAILABLE) {
    *unavailable = true;
    err = host + " cannot run on this machine (see its message above)";
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    err = host + " failed (status " + std::to_string(status) + ")";
    return false;
  }
  off_t size = lseek(out.fd, 0, SEEK_END);
  std::vector<uint8_t> ob(size_t(size > 0 ? size : 0));
  if (pread(out.fd, ob.data(), ob.size(), 0) != ssize_t(ob.size())) {
    err = "cannot read the host results";
    return false;
  }
  res.assign(cases.size(), HostResult{});
  size_t pos = 0;
  for (size_t k = 0; k < cases.size(); ++k) {
    HostResult& h = res[k];
    if (pos + sizeof h.out > ob.size()) {
      err = "host results end early (case " + std::to_string(k) + ")";
      return false;
    }
    std::memcpy(&h.out, ob.data() + pos, sizeof h.out);
    pos += sizeof h.out;
    if (h.out.magic != ORC_MAGIC_OUT || h.out.id != k || h.out.nchange > ORC_SCRATCH_SIZE ||
        pos + h.out.nchange * sizeof(OrcPatch) > ob.size()) {
      err = "malformed host result for case " + std::to_string(k);
      return false;
    }
    h.changes.resize(h.out.nchange);
    if (h.out.nchange)  // memcpy from/to an empty vector's null data() is UB
      std::memcpy(h.changes.data(), ob.data() + pos, h.out.nchange * sizeof(OrcPatch));
    pos += h.out.nchange * sizeof(OrcPatch);
  }
  return true;
}

// ---- guest side ----

namespace {
// No device answers: an IN that gets through reads all ones (it should not
// get through at CPL 3 with IOPL 0 and no I/O bitmap).
struct NoPorts final : cpu::PortBus {
  uint32_t in(uint16_t, unsigned) override { return 0xFFFFFFFFu; }
  void out(uint16_t, unsigned, uint32_t) override {}
};
// The descriptor cache of one of wire.h's LDT entries, as the host CPU holds it.
cpu::Segment ldt_segment(uint16_t sel) {
  using namespace cpu;
  const OrcSeg& d = orc_ldt[(sel >> 3) % ORC_LDT_N];
  uint32_t attr = SEG_P | SEG_S | SEG_ACCESSED | (3u << SEG_DPL_SHIFT);
  if (!d.read_only) attr |= SEG_RW;
  if (d.expand_down) attr |= SEG_DC;
  if (d.code) attr |= SEG_CODE | SEG_RW;  // readable code
  if (d.big) attr |= SEG_DB;
  if (d.gran) attr |= SEG_G;
  return Segment{sel, 0, d.base, orc_limit(&d), attr};
}
// A descriptor's 8 bytes (SDM vol. 3, 3.4.5).
uint64_t descriptor(uint32_t base, uint32_t limit20, uint32_t type_s_dpl_p, bool db, bool g) {
  uint32_t lo = (limit20 & 0xFFFF) | (base << 16);
  uint32_t hi = ((base >> 16) & 0xFF) | (type_s_dpl_p << 8) | (limit20 & 0xF0000) | (db ? 1u << 22 : 0) |
                (g ? 1u << 23 : 0) | (base & 0xFF000000u);
  return uint64_t(hi) << 32 | lo;
}
constexpr uint32_t kTss = 0x3000;     // a 32-bit TSS without an I/O bitmap, like Linux'
constexpr uint32_t kGdt = 0x5000;     // Linux' user code/data descriptors at 0x23/0x2B
constexpr uint32_t kLdt = 0x5800;     // wire.h's LDT
constexpr uint32_t kGdtLimit = 16 * 8 - 1;
constexpr uint32_t kMaxSteps = 10000;
// Exceptions are delivered as on Linux: through IDT interrupt gates to ring 0
// (a HLT stub per vector), on the TSS's ring-0 stack. The stub's address gives
// the vector; the frame gives the error code and the ring-3 state at the fault.
constexpr uint32_t kIdt = 0x6000;
constexpr uint32_t kStubs = 0x7000;   // vector v: HLT at kStubs + v
constexpr uint32_t kStack0 = 0x9000;  // ring-0 stack top
constexpr uint16_t kSelCode0 = 0x08, kSelData0 = 0x10;
bool has_error_code(unsigned v) { return v == 8 || (v >= 10 && v <= 14) || v == 17; }
}  // namespace

struct Guest::Impl {
  mmu::Memory mem{4u << 20};
  cpu::Cpu c;
  NoPorts ports;
  std::unique_ptr<cpu::Engine> eng;
  explicit Impl(bool jit) {
    cpu::reset_state(c);
    c.mem = &mem;
    c.io = &ports;
    if (jit) eng = jit::make_engine(c, jit::parse_config("max-insns=1,smc-interp=0"));
    else eng = std::make_unique<cpu::Interpreter>(c);
  }
};

Guest::Guest(bool jit) : p_(std::make_unique<Impl>(jit)) {}
Guest::~Guest() = default;

void Guest::run(const Case& k, GuestResult& g) {
  using namespace cpu;
  Cpu& c = p_->c;
  reset_state(c);
  c.events = 0;
  c.inhibit = 0;
  c.fault_vec = 0;
  c.fault_nested = 0;
  c.fault_err = 0;
  c.halted = 0;
  c.cr[0] = CR0_PE | CR0_ET | CR0_NE | CR0_AM;
  c.cpl = 3;
  const uint32_t dpl3 = 3u << SEG_DPL_SHIFT;
  const uint32_t data = SEG_P | SEG_S | SEG_RW | SEG_ACCESSED | SEG_DB | SEG_G | dpl3;
  c.seg[CS] = k.code16 ? ldt_segment(ORC_SEL_CODE16)
                                         : Segment{uint16_t(ORC_SEL_CODE), 0, 0, 0xFFFFFFFFu, data | SEG_CODE};
  c.seg[DS] = ldt_segment(k.sel_ds);
  c.seg[SS] = ldt_segment(k.sel_ss);
  c.seg[ES] = ldt_segment(k.sel_es);
  c.seg[FS] = Segment{uint16_t(ORC_SEL_FLAT), 0, 0, 0xFFFFFFFFu, data};
  c.seg[GS] = Segment{0x63, 0, 0, 0xFFFFFFFFu, data};
  c.tr = Segment{0x80, 0, kTss, 0x67, SEG_P | 0xB};
  p_->mem.write<uint16_t>(kTss + 0x66, 0x68);  // I/O bitmap offset beyond the limit
  // Descriptor tables for segment loads: the GDT entries the tests use (the
  // others stay not-present zeros: never loaded), and the LDT.
  for (uint32_t a = 0; a <= kGdtLimit; a += 4) p_->mem.write<uint32_t>(kGdt + a, 0);
  p_->mem.write<uint64_t>(kGdt + (ORC_SEL_CODE & ~7u), descriptor(0, 0xFFFFF, 0xFB, true, true));
  p_->mem.write<uint64_t>(kGdt + (ORC_SEL_FLAT & ~7u), descriptor(0, 0xFFFFF, 0xF3, true, true));
  for (unsigned e = 0; e < ORC_LDT_N; ++e) {
    const OrcSeg& d = orc_ldt[e];
    uint32_t type = (d.code ? 0xA : (d.read_only ? 0x0 : 0x2) | (d.expand_down ? 0x4 : 0)) | 1;  // accessed, as Linux sets it
    p_->mem.write<uint64_t>(kLdt + 8 * e, descriptor(d.base, d.limit, 0xF0 | type, d.big, d.gran));
  }
  p_->mem.write<uint64_t>(kGdt + kSelCode0, descriptor(0, 0xFFFFF, 0x9B, true, true));
  p_->mem.write<uint64_t>(kGdt + kSelData0, descriptor(0, 0xFFFFF, 0x93, true, true));
  p_->mem.write<uint32_t>(kTss + 4, kStack0);
  p_->mem.write<uint32_t>(kTss + 8, kSelData0);
  for (uint32_t v = 0; v < 32; ++v) {
    uint32_t off = kStubs + v;
    uint32_t dpl = (v == 3 || v == 4) ? 3 : 0;  // INT3/INTO allowed from ring 3, as Linux does
    p_->mem.write<uint32_t>(kIdt + 8 * v, (off & 0xFFFF) | (uint32_t(kSelCode0) << 16));
    p_->mem.write<uint32_t>(kIdt + 8 * v + 4, (off & 0xFFFF0000u) | 0x8E00 | (dpl << 13));
    p_->mem.write<uint8_t>(kStubs + v, 0xF4);
  }
  c.idtr = DescTable{kIdt, 32 * 8 - 1};
  c.gdtr = DescTable{kGdt, kGdtLimit};
  c.ldtr = Segment{0x58, 0, kLdt, ORC_LDT_N * 8 - 1, SEG_P | 0x2};
  std::memcpy(c.gpr, k.gpr, sizeof c.gpr);
  c.eflags = k.eflags | 0x2;
  const uint32_t cs_base = c.seg[CS].base;
  c.eip = ORC_CODE + k.off - cs_base;

  uint8_t img[ORC_SCRATCH_SIZE];
  k.image(img);
  p_->mem.load(ORC_SCRATCH, img, ORC_SCRATCH_SIZE);
  uint8_t code[ORC_CODE_USED];
  std::memset(code, 0xCC, sizeof code);
  std::memcpy(code + k.off, k.insn.data(), k.insn.size());
  p_->mem.load(ORC_CODE, code, ORC_CODE_USED);

  g.trap = kNoExit;
  g.err = 0;
  bool trapped = false;
  for (g.steps = 0; g.steps < kMaxSteps;) {
    Exit e = p_->eng->run(c, 1);
    ++g.steps;
    if (c.cpl == 0 && c.eip >= kStubs && c.eip < kStubs + 32) {  // in a ring-0 exception stub
      g.trap = uint8_t(c.eip - kStubs);
      trapped = true;
      break;
    }
    if (e == Exit::Shutdown || (c.events & EV_SHUTDOWN)) {  // delivery itself failed: report it
      g.trap = c.fault_vec;
      g.err = c.fault_err;
      break;
    }
    bool at_exit = false;
    for (uint16_t x : k.exits) at_exit |= c.eip + cs_base == ORC_CODE + x;
    if (at_exit) {
      g.trap = kNoTrap;
      break;
    }
    if (e != Exit::Budget) break;
  }
  std::memcpy(g.gpr, c.gpr, sizeof g.gpr);
  g.eflags = c.eflags;
  g.eip = c.eip + cs_base;  // linear, as the host reports it
  g.sel[0] = c.seg[ES].sel;
  g.sel[1] = c.seg[SS].sel;
  g.sel[2] = c.seg[DS].sel;
  g.sel[3] = c.seg[FS].sel;
  if (trapped) {
    // The ring-3 state at the fault, from the frame: [err] EIP CS EFLAGS ESP SS.
    uint32_t sp = c.gpr[ESP];
    if (has_error_code(g.trap)) {
      g.err = p_->mem.read<uint32_t>(sp);
      sp += 4;
    }
    g.eip = p_->mem.read<uint32_t>(sp) + cs_base;
    g.eflags = p_->mem.read<uint32_t>(sp + 8);
    g.gpr[ESP] = p_->mem.read<uint32_t>(sp + 12);
    g.sel[1] = uint16_t(p_->mem.read<uint32_t>(sp + 16));
  }
  for (uint32_t a = 0; a < ORC_SCRATCH_SIZE; ++a) g.mem[a] = p_->mem.read<uint8_t>(ORC_SCRATCH + a);
}

// ---- comparison ----

namespace {
constexpr uint32_t kCmpFlags = 0x003F7FD5u & ~(1u << 16) & ~(1u << 17);  // all but RF, VM, reserved

std::string flag_names(uint32_t f) {
  static const struct { uint32_t bit; const char* n; } names[] = {
      {1u << 0, "CF"},  {1u << 2, "PF"},  {1u << 4, "AF"},  {1u << 6, "ZF"},  {1u << 7, "SF"},
      {1u << 8, "TF"},  {1u << 9, "IF"},  {1u << 10, "DF"}, {1u << 11, "OF"}, {3u << 12, "IOPL"},
      {1u << 14, "NT"}, {1u << 16, "RF"}, {1u << 17, "VM"}, {1u << 18, "AC"}, {1u << 19, "VIF"},
      {1u << 20, "VIP"}, {1u << 21, "ID"}};
  std::string s;
  for (auto& n : names)
    if (f & n.bit) s += (s.empty() ? "" : " ") + std::string(n.n);
  return s.empty() ? "-" : s;
}

std::string trap_name(int t) {
  if (t == kNoTrap) return "none";
  if (t == kNoExit) return "no exit reached";
  if (t == int(ORC_TIMEOUT)) return "host timeout";
  static const char* const n[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?9",
                                  "#TS", "#NP", "#SS", "#GP", "#PF", "?15", "#MF", "#AC"};
  return (t >= 0 && t < 18 ? std::string(n[t]) : "?") + " (" + std::to_string(t) + ")";
}

constexpr int kDF = 8, kTS = 10, kGP = 13, kAC = 17;

int host_trap(const HostResult& h) { return h.out.trapno == ORC_NO_TRAP ? kNoTrap : int(h.out.trapno); }

std::string regs_line(const uint32_t* gpr, uint32_t eflags) {
  std::string s;
  for (unsigned k = 0; k < 8; ++k) s += std::string(reg_name(k, 4)) + "=" + hex(gpr[k]) + " ";
  return s + "fl=" + hex(eflags) + " (" + flag_names(eflags & 0x3F7FD5u) + ")";
}
}  // namespace

Verdict compare(const Case& c, const HostResult& h, const GuestResult& g) {
  Verdict v;
  auto diff = [&](const std::string& s) {
    v.pass = false;
    v.diffs.push_back(s);
  };
  int ht = host_trap(h);
  bool clean = ht == kNoTrap;
  if (ht == int(ORC_TIMEOUT)) diff("the host did not finish the case (generator bug)");
  if (ht != g.trap) diff("exception: host " + trap_name(ht) + ", ours " + trap_name(g.trap));
  bool has_err = ht == kDF || (ht >= kTS && ht <= kGP) || ht == kAC;
  if (ht == g.trap && has_err && h.out.err != g.err)
    diff("error code: host " + hex(h.out.err, 4) + ", ours " + hex(g.err, 4));
  if (h.out.eip != g.eip)
    diff("eip: host " + hex(h.out.eip) + " (+" + hex(h.out.eip - ORC_CODE, 3) + "), ours " + hex(g.eip) + " (+" +
         hex(g.eip - ORC_CODE, 3) + ")");
  static const char* const sn[4] = {"es", "ss", "ds", "fs"};
  const uint16_t hs[4] = {h.out.sel_es, h.out.sel_ss, h.out.sel_ds, h.out.sel_fs};
  for (int k = 0; k < 4; ++k)
    if (hs[k] != g.sel[k]) diff(std::string(sn[k]) + ": host " + hex(hs[k], 4) + ", ours " + hex(g.sel[k], 4));
  for (unsigned k = 0; k < 8; ++k) {
    uint32_t m = clean ? ~c.gpr_undef[k] : ((c.fault_gpr_undef >> k) & 1) ? 0u : ~0u;
    if ((h.out.gpr[k] ^ g.gpr[k]) & m)
      diff(std::string(reg_name(k, 4)) + ": host " + hex(h.out.gpr[k]) + ", ours " + hex(g.gpr[k]) +
           (m != ~0u ? " (compared bits " + hex(m) + ")" : ""));
  }
  uint32_t fm = kCmpFlags & ~(clean ? c.flags_undef : c.fault_flags_undef);
  if ((h.out.eflags ^ g.eflags) & fm)
    diff("eflags: host " + hex(h.out.eflags) + ", ours " + hex(g.eflags) + ": differ in " +
         flag_names((h.out.eflags ^ g.eflags) & fm) +
         ((clean ? c.flags_undef : c.fault_flags_undef) ? " (undefined, not compared: " +
                                                              flag_names(clean ? c.flags_undef : c.fault_flags_undef) + ")"
                                                        : ""));
  uint8_t expect[ORC_SCRATCH_SIZE];
  c.image(expect);
  for (const OrcPatch& p : h.changes) expect[p.off] = p.val;
  unsigned shown = 0, total = 0;
  std::string first;
  for (uint32_t a = 0; a < ORC_SCRATCH_SIZE; ++a) {
    if (expect[a] == g.mem[a]) continue;
    bool masked = false;
    for (auto& u : clean ? c.mem_undef : c.fault_mem_undef) masked |= a >= u.first && a < uint32_t(u.first + u.second);
    if (masked) continue;
    ++total;
    if (shown++ < 8) first += " +" + hex(a, 3) + ": host " + hex(expect[a], 2) + " ours " + hex(g.mem[a], 2) + ";";
  }
  if (total) diff("memory: " + std::to_string(total) + " byte(s) differ:" + first + (total > 8 ? " ..." : ""));
  return v;
}

std::string describe(const Case& c, const HostResult& h, const GuestResult& g, const Verdict& v) {
  std::string s = "[" + c.family + "] " + c.form + (c.detail.empty() ? "" : "   " + c.detail) + "\n";
  s += "    bytes:";
  for (uint8_t b : c.insn) s += " " + hex(b, 2);
  s += "  = " + cpu::disassemble(c.code16 ? cpu::DecodeMode::Prot16 : cpu::DecodeMode::Prot32, c.insn.data(),
                                c.insn.size());
  s += "   at +" + hex(c.off, 3) + ", exits";
  for (uint16_t x : c.exits) s += " +" + hex(x, 3);
  if (c.code16) s += "   16-bit code";
  if (c.sel_es != ORC_SEL_EDATA || c.sel_ss != ORC_SEL_DATA || c.sel_ds != ORC_SEL_DATA)
    s += "   es=" + hex(c.sel_es, 2) + " ss=" + hex(c.sel_ss, 2) + " ds=" + hex(c.sel_ds, 2) + " (wire.h LDT)";
  s += "\n    init : " + regs_line(c.gpr, c.eflags) + "\n";
  s += "    host : " + regs_line(h.out.gpr, h.out.eflags) + "  eip +" + hex(h.out.eip - ORC_CODE, 3) + "  exc " +
       trap_name(host_trap(h)) + "\n";
  s += "    ours : " + regs_line(g.gpr, g.eflags) + "  eip +" + hex(g.eip - ORC_CODE, 3) + "  exc " +
       trap_name(g.trap) + "\n";
  for (const std::string& d : v.diffs) s += "    diff : " + d + "\n";
  return s;
}

}  // namespace oracle
