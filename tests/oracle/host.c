/* xlat86-oracle-host: runs instruction snippets on the host CPU inside a
 * 32-bit process and reports the resulting architectural state.
 *
 * Built with -m32 (gcc-multilib), no libraries beyond libc. Reads OrcIn
 * records (wire.h) on stdin, writes one OrcOut per case on stdout.
 *
 * Per case: the scratch page is filled from the seed plus patches, the code
 * page is filled with INT3 and gets the instruction bytes and one exit stub
 * per exit offset. A stub is
 *     mov dword [fs:ORC_CTL+MARK], <its own linear address>
 *     jmp dword [fs:ORC_CTL+EXITPTR]
 * which touches neither registers nor flags. orc_enter (below) loads EFLAGS,
 * the data selectors and all eight GPRs from the control page and jumps to
 * the instruction; orc_exit stores the GPRs and EFLAGS back and returns to C.
 * A fault is caught by a signal handler running on an alternate stack (ESP
 * may point anywhere); it records the ucontext registers and the hardware
 * vector (REG_TRAPNO) and siglongjmps back.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "wire.h"

#if !defined(__i386__)
#error "xlat86-oracle-host must be built for i386 (-m32)"
#endif

/* Control page offsets. */
#define CTL_IN_GPR 0x00      /* 8 dwords */
#define CTL_IN_EFLAGS 0x20
#define CTL_HOST_ESP 0x2C
#define CTL_SAVE_DS 0x30
#define CTL_SAVE_ES 0x34
#define CTL_SAVE_FS 0x38
#define CTL_SEL_DS 0x3C
#define CTL_SEL_ES 0x40
#define CTL_MARK 0x44
#define CTL_SEL_SS 0x48
#define CTL_OUT_GPR 0x50     /* 8 dwords */
#define CTL_OUT_EFLAGS 0x70
#define CTL_ENTRY 0x80       /* far pointer m16:32 to the instruction */
#define CTL_EXITPTR 0x88     /* far pointer m16:32 to orc_exit */
#define CTL_OUT_SEL 0x90     /* ES SS DS FS selectors, a dword each */

#define S_(x) #x
#define S(x) S_(x)

void orc_enter(void);
void orc_exit(void);

/* The trampoline. Absolute addresses in the control page; after the data
 * selectors are loaded DS/SS no longer are flat, so the control page is
 * reached through FS, which holds the flat selector during a case. */
__asm__(
    ".text\n"
    ".globl orc_enter\n"
    ".type orc_enter,@function\n"
    "orc_enter:\n"
    "  pushl %ebp\n  pushl %ebx\n  pushl %esi\n  pushl %edi\n"
    "  movl %esp, " S(ORC_CTL) "+" S(CTL_HOST_ESP) "\n"
    "  movw %ds, %ax\n  movw %ax, %fs\n"
    "  pushl " S(ORC_CTL) "+" S(CTL_IN_EFLAGS) "\n  popfl\n"
    "  movl " S(ORC_CTL) "+" S(CTL_SEL_DS) ", %eax\n"
    "  movl " S(ORC_CTL) "+" S(CTL_SEL_ES) ", %ebx\n"
    "  movl " S(ORC_CTL) "+" S(CTL_SEL_SS) ", %ecx\n"
    "  movw %bx, %es\n  movw %cx, %ss\n  movw %ax, %ds\n"
    "  movl %fs:" S(ORC_CTL) "+0x00, %eax\n"
    "  movl %fs:" S(ORC_CTL) "+0x04, %ecx\n"
    "  movl %fs:" S(ORC_CTL) "+0x08, %edx\n"
    "  movl %fs:" S(ORC_CTL) "+0x0C, %ebx\n"
    "  movl %fs:" S(ORC_CTL) "+0x10, %esp\n"
    "  movl %fs:" S(ORC_CTL) "+0x14, %ebp\n"
    "  movl %fs:" S(ORC_CTL) "+0x18, %esi\n"
    "  movl %fs:" S(ORC_CTL) "+0x1C, %edi\n"
    "  ljmp *%fs:" S(ORC_CTL) "+" S(CTL_ENTRY) "\n"
    ".globl orc_exit\n"
    ".type orc_exit,@function\n"
    "orc_exit:\n"
    "  movl %eax, %fs:" S(ORC_CTL) "+0x50\n"
    "  movl %ecx, %fs:" S(ORC_CTL) "+0x54\n"
    "  movl %edx, %fs:" S(ORC_CTL) "+0x58\n"
    "  movl %ebx, %fs:" S(ORC_CTL) "+0x5C\n"
    "  movl %esp, %fs:" S(ORC_CTL) "+0x60\n"
    "  movl %ebp, %fs:" S(ORC_CTL) "+0x64\n"
    "  movl %esi, %fs:" S(ORC_CTL) "+0x68\n"
    "  movl %edi, %fs:" S(ORC_CTL) "+0x6C\n"
    "  movl $0, %fs:" S(ORC_CTL) "+0x90\n"
    "  movw %es, %fs:" S(ORC_CTL) "+0x90\n"
    "  movl $0, %fs:" S(ORC_CTL) "+0x94\n"
    "  movw %ss, %fs:" S(ORC_CTL) "+0x94\n"
    "  movl $0, %fs:" S(ORC_CTL) "+0x98\n"
    "  movw %ds, %fs:" S(ORC_CTL) "+0x98\n"
    "  movl $0, %fs:" S(ORC_CTL) "+0x9C\n"
    "  movw %fs, %fs:" S(ORC_CTL) "+0x9C\n"
    "  movl %fs:" S(ORC_CTL) "+" S(CTL_SAVE_DS) ", %eax\n"
    "  movw %ax, %ds\n  movw %ax, %ss\n"
    "  movl " S(ORC_CTL) "+" S(CTL_HOST_ESP) ", %esp\n"
    "  pushfl\n  popl " S(ORC_CTL) "+" S(CTL_OUT_EFLAGS) "\n"
    "  pushl $0x202\n  popfl\n"
    "  movl " S(ORC_CTL) "+" S(CTL_SAVE_ES) ", %eax\n  movw %ax, %es\n"
    "  movl " S(ORC_CTL) "+" S(CTL_SAVE_FS) ", %eax\n  movw %ax, %fs\n"
    "  popl %edi\n  popl %esi\n  popl %ebx\n  popl %ebp\n"
    "  ret\n");

static volatile uint32_t* const ctl = (volatile uint32_t*)ORC_CTL;
static uint8_t* const scratch = (uint8_t*)ORC_SCRATCH;
static uint8_t* const code = (uint8_t*)ORC_CODE;

static sigjmp_buf fault_jb;
static volatile sig_atomic_t in_case;
static OrcOut fault_out;
static uint8_t altstack[1 << 16];

static void on_signal(int sig, siginfo_t* si, void* uctx) {
  (void)si;
  if (!in_case) {
    if (sig == SIGALRM) return;
    signal(sig, SIG_DFL);  /* a genuine crash of the executor: let it happen */
    return;
  }
  ucontext_t* uc = (ucontext_t*)uctx;
  greg_t* g = uc->uc_mcontext.gregs;
  fault_out.gpr[0] = g[REG_EAX];
  fault_out.gpr[1] = g[REG_ECX];
  fault_out.gpr[2] = g[REG_EDX];
  fault_out.gpr[3] = g[REG_EBX];
  fault_out.gpr[4] = g[REG_UESP];
  fault_out.gpr[5] = g[REG_EBP];
  fault_out.gpr[6] = g[REG_ESI];
  fault_out.gpr[7] = g[REG_EDI];
  fault_out.eflags = g[REG_EFL];
  fault_out.eip = g[REG_EIP] + ((g[REG_CS] & 0xFFFF) == ORC_SEL_CODE16 ? ORC_CODE : 0);
  fault_out.trapno = sig == SIGALRM ? ORC_TIMEOUT : (uint32_t)g[REG_TRAPNO];
  fault_out.err = g[REG_ERR];
  fault_out.signo = sig;
  fault_out.sel_es = (uint16_t)g[REG_ES];
  fault_out.sel_ss = (uint16_t)g[REG_SS];
  fault_out.sel_ds = (uint16_t)g[REG_DS];
  fault_out.sel_fs = (uint16_t)g[REG_FS];
  in_case = 0;
  siglongjmp(fault_jb, 1);
}

/* The environment cannot run the oracle (no fixed low mappings, no LDT,
 * another CS): ORC_EXIT_UNAVAILABLE, which the test reports as skipped. */
static void die(const char* what) {
  perror(what);
  exit(ORC_EXIT_UNAVAILABLE);
}

static void* map_fixed(uint32_t addr, uint32_t len, int prot) {
  void* p = mmap((void*)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED || p != (void*)addr) {
    fprintf(stderr, "xlat86-oracle-host: cannot map %#x\n", addr);
    exit(ORC_EXIT_UNAVAILABLE);
  }
  return p;
}

static void set_ldt(unsigned entry, const OrcSeg* s) {
  struct user_desc d;
  memset(&d, 0, sizeof d);
  d.entry_number = entry;
  d.base_addr = s->base;
  d.limit = s->limit;
  d.seg_32bit = s->big;
  d.limit_in_pages = s->gran;
  d.contents = s->code ? 2 : s->expand_down ? 1 : 0;  /* code; data expand-up or expand-down */
  d.read_exec_only = s->read_only;
  d.useable = 1;
  if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) die("modify_ldt");
}

static void setup(void) {
  map_fixed(ORC_SCRATCH, ORC_SCRATCH_SIZE, PROT_READ | PROT_WRITE);
  map_fixed(ORC_CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
  map_fixed(ORC_CTL, 0x1000, PROT_READ | PROT_WRITE);
  for (unsigned k = 0; k < ORC_LDT_N; ++k) set_ldt(k, &orc_ldt[k]);

  stack_t ss;
  ss.ss_sp = altstack;
  ss.ss_size = sizeof altstack;
  ss.ss_flags = 0;
  if (sigaltstack(&ss, NULL) != 0) die("sigaltstack");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGALRM};
  for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; ++k)
    if (sigaction(sigs[k], &sa, NULL) != 0) die("sigaction");

  uint16_t ds, es, fs;
  __asm__ volatile("movw %%ds, %0" : "=r"(ds));
  __asm__ volatile("movw %%es, %0" : "=r"(es));
  __asm__ volatile("movw %%fs, %0" : "=r"(fs));
  ctl[CTL_SAVE_DS / 4] = ds;
  ctl[CTL_SAVE_ES / 4] = es;
  ctl[CTL_SAVE_FS / 4] = fs;
  uint16_t cs;
  __asm__ volatile("movw %%cs, %0" : "=r"(cs));
  if (cs != ORC_SEL_CODE) {  /* the guest side mirrors Linux' 32-bit user CS */
    fprintf(stderr, "xlat86-oracle-host: CS is %#x, expected %#x\n", cs, ORC_SEL_CODE);
    exit(ORC_EXIT_UNAVAILABLE);
  }
  ctl[CTL_EXITPTR / 4] = (uint32_t)&orc_exit;
  ctl[CTL_EXITPTR / 4 + 1] = cs;
}

/* mov dword [fs:mark], self ; jmp far [fs:exitptr]. In 16-bit code the same
 * with 66 67 prefixes (32-bit operand and address size). */
static void put_stub(uint16_t off, int code16) {
  uint8_t* p = code + off;
  uint32_t self = ORC_CODE + off;
  uint32_t mark = ORC_CTL + CTL_MARK, exitp = ORC_CTL + CTL_EXITPTR;
  unsigned n = 0;
  if (code16) p[n++] = 0x66, p[n++] = 0x67;
  p[n++] = 0x64; p[n++] = 0xC7; p[n++] = 0x05;
  memcpy(p + n, &mark, 4), n += 4;
  memcpy(p + n, &self, 4), n += 4;
  if (code16) p[n++] = 0x66, p[n++] = 0x67;
  p[n++] = 0x64; p[n++] = 0xFF; p[n++] = 0x2D;
  memcpy(p + n, &exitp, 4);
}

static int valid_sel(uint16_t sel) { return (sel & 7) == 7 && (sel >> 3) < ORC_LDT_N; }

static int valid_case(const OrcIn* in) {
  if (!valid_sel(in->sel_es) || !valid_sel(in->sel_ds) || !valid_sel(in->sel_ss)) return 0;
  if (orc_ldt[in->sel_ss >> 3].read_only || orc_ldt[in->sel_ss >> 3].code) return 0;  /* SS must be writable data */
  if (in->sel_cs != ORC_SEL_CODE && in->sel_cs != ORC_SEL_CODE16) return 0;
  if (in->insn_len == 0 || in->insn_len > ORC_MAX_INSN || in->nexits > ORC_MAX_EXITS) return 0;
  if (in->insn_off + in->insn_len > ORC_CODE_USED) return 0;
  for (unsigned k = 0; k < in->nexits; ++k) {
    uint32_t e = in->exits[k];
    if (e + ORC_STUB_LEN > ORC_CODE_USED) return 0;
    if (e < in->insn_off + in->insn_len && e + ORC_STUB_LEN > in->insn_off) return 0;
  }
  return 1;
}

static uint8_t initial[ORC_SCRATCH_SIZE];
static OrcPatch patches[ORC_SCRATCH_SIZE];
static OrcPatch changes[ORC_SCRATCH_SIZE];

static void run_case(const OrcIn* in, unsigned npatch) {
  OrcOut out;
  memset(&out, 0, sizeof out);
  out.magic = ORC_MAGIC_OUT;
  out.id = in->id;

  orc_fill(in->seed, initial);
  for (unsigned k = 0; k < npatch; ++k) initial[patches[k].off % ORC_SCRATCH_SIZE] = patches[k].val;
  memcpy(scratch, initial, ORC_SCRATCH_SIZE);
  memset(code, 0xCC, ORC_CODE_USED);
  memcpy(code + in->insn_off, in->insn, in->insn_len);
  int code16 = in->sel_cs == ORC_SEL_CODE16;
  for (unsigned k = 0; k < in->nexits; ++k) put_stub(in->exits[k], code16);
  __builtin___clear_cache((char*)code, (char*)code + ORC_CODE_USED);

  for (unsigned k = 0; k < 8; ++k) ctl[CTL_IN_GPR / 4 + k] = in->gpr[k];
  ctl[CTL_IN_EFLAGS / 4] = in->eflags;
  ctl[CTL_SEL_DS / 4] = in->sel_ds;
  ctl[CTL_SEL_ES / 4] = in->sel_es;
  ctl[CTL_SEL_SS / 4] = in->sel_ss;
  ctl[CTL_ENTRY / 4] = code16 ? in->insn_off : ORC_CODE + in->insn_off;
  ctl[CTL_ENTRY / 4 + 1] = code16 ? ORC_SEL_CODE16 : ctl[CTL_EXITPTR / 4 + 1];
  ctl[CTL_MARK / 4] = 0;

  struct itimerval t = {{0, 0}, {0, 200000}}, off = {{0, 0}, {0, 0}};
  if (sigsetjmp(fault_jb, 1) == 0) {
    setitimer(ITIMER_REAL, &t, NULL);
    in_case = 1;
    orc_enter();
    in_case = 0;
    setitimer(ITIMER_REAL, &off, NULL);
    for (unsigned k = 0; k < 8; ++k) out.gpr[k] = ctl[CTL_OUT_GPR / 4 + k];
    out.eflags = ctl[CTL_OUT_EFLAGS / 4];
    out.eip = ctl[CTL_MARK / 4];
    out.trapno = ORC_NO_TRAP;
    out.sel_es = (uint16_t)ctl[CTL_OUT_SEL / 4];
    out.sel_ss = (uint16_t)ctl[CTL_OUT_SEL / 4 + 1];
    out.sel_ds = (uint16_t)ctl[CTL_OUT_SEL / 4 + 2];
    out.sel_fs = (uint16_t)ctl[CTL_OUT_SEL / 4 + 3];
  } else {
    setitimer(ITIMER_REAL, &off, NULL);
    /* Back from the signal handler: the kernel gave it flat DS/ES/SS; FS still
     * holds the flat selector from orc_enter. Put the process' own back. */
    uint16_t ds = (uint16_t)ctl[CTL_SAVE_DS / 4], es = (uint16_t)ctl[CTL_SAVE_ES / 4],
             fs = (uint16_t)ctl[CTL_SAVE_FS / 4];
    __asm__ volatile("movw %0, %%ds\n\tmovw %1, %%es\n\tmovw %2, %%fs" ::"r"(ds), "r"(es), "r"(fs));
    memcpy(out.gpr, fault_out.gpr, sizeof out.gpr);
    out.eflags = fault_out.eflags;
    out.eip = fault_out.eip;
    out.trapno = fault_out.trapno;
    out.err = fault_out.err;
    out.signo = fault_out.signo;
    out.sel_es = fault_out.sel_es;
    out.sel_ss = fault_out.sel_ss;
    out.sel_ds = fault_out.sel_ds;
    out.sel_fs = fault_out.sel_fs;
  }

  unsigned n = 0;
  for (unsigned k = 0; k < ORC_SCRATCH_SIZE; ++k) {
    if (scratch[k] != initial[k]) {
      changes[n].off = (uint16_t)k;
      changes[n].val = scratch[k];
      changes[n].pad = 0;
      ++n;
    }
  }
  out.nchange = n;
  fwrite(&out, sizeof out, 1, stdout);
  if (n) fwrite(changes, sizeof changes[0], n, stdout);
}

int main(int argc, char** argv) {
  (void)argv;
  if (argc > 1) {
    fprintf(stderr,
            "usage: xlat86-oracle-host < cases > results\n"
            "Reads OrcIn records (tests/oracle/wire.h) and runs each on this CPU.\n");
    return 2;
  }
  setup();
  OrcIn in;
  while (fread(&in, sizeof in, 1, stdin) == 1) {
    if (in.magic != ORC_MAGIC_IN) {
      fprintf(stderr, "xlat86-oracle-host: bad record magic\n");
      return 2;
    }
    if (in.npatch > ORC_SCRATCH_SIZE ||
        fread(patches, sizeof patches[0], in.npatch, stdin) != in.npatch) {
      fprintf(stderr, "xlat86-oracle-host: truncated patch list\n");
      return 2;
    }
    if (!valid_case(&in)) {
      fprintf(stderr, "xlat86-oracle-host: case %u has a bad code layout\n", in.id);
      return 2;
    }
    run_case(&in, in.npatch);
  }
  fflush(stdout);
  return 0;
}
