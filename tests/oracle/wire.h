/* The native oracle's shared definitions: the fixed address layout both sides
 * use and the binary records exchanged between the test (64-bit) and the
 * 32-bit host executor. Plain C so the executor, built with -m32 and no other
 * libraries, includes it too. Every record field is a fixed-width integer at
 * its natural alignment, so the layout is the same in both builds.
 *
 * Layout (linear addresses, identical in the host process and in the guest):
 *   ORC_SCRATCH  4 KiB data page. DS and SS are an LDT data segment based at
 *                ORC_SCRATCH, ES one based at ORC_SCRATCH + ORC_ES_DELTA (so a
 *                handler that mixes up DS and ES is caught), both 32-bit,
 *                4 GiB limit. 16-bit addressing (0x67) reaches the page.
 *   ORC_CODE     code page (flat 32-bit CS, or a 16-bit CS based here). The instruction under test sits at
 *                ORC_CODE + insn_off; each "exit" offset holds a stub that
 *                records where execution left the instruction.
 *   ORC_CTL      host-only control page (register images, saved selectors).
 */
#ifndef XLAT86_ORACLE_WIRE_H
#define XLAT86_ORACLE_WIRE_H

#include <stdint.h>

#define ORC_SCRATCH 0x00100000u
#define ORC_SCRATCH_SIZE 0x1000u
#define ORC_ES_DELTA 0x800u
#define ORC_CODE 0x00200000u
#define ORC_CODE_USED 0x400u   /* exits and the instruction lie in [0, this) */
#define ORC_CTL 0x00300000u
#define ORC_STUB_LEN 24u       /* bytes reserved for an exit stub (18 or 22 used on the host) */
#define ORC_MAX_EXITS 4
#define ORC_MAX_INSN 16

/* The LDT both sides set up (host: modify_ldt; guest: the same descriptor
 * caches). A case loads ES, SS and DS with selectors of these entries; the
 * defaults are ORC_SEL_EDATA for ES and ORC_SEL_DATA for SS and DS. */
typedef struct {
  uint32_t base;
  uint32_t limit;        /* 20-bit descriptor limit */
  uint8_t gran;          /* G: limit in 4 KiB units */
  uint8_t big;           /* D/B: 32-bit stack pointer / expand-down upper bound */
  uint8_t expand_down;
  uint8_t read_only;     /* data: read-only; code: execute-only */
  uint8_t code;
} OrcSeg;

#define ORC_LDT_N 7
static const OrcSeg orc_ldt[ORC_LDT_N] = {
    /* base                      limit    G  B  ED RO code */
    {ORC_SCRATCH,                0xFFFFF, 1, 1, 0, 0, 0}, /* 0x07: data, 4 GiB */
    {ORC_SCRATCH + ORC_ES_DELTA, 0xFFFFF, 1, 1, 0, 0, 0}, /* 0x0F: data, 4 GiB, ES default */
    {ORC_SCRATCH,                0xFFFFF, 1, 0, 0, 0, 0}, /* 0x17: data, 4 GiB, 16-bit (SP stack) */
    {ORC_SCRATCH + ORC_ES_DELTA, 0x7FF,   0, 1, 0, 0, 0}, /* 0x1F: data, limit 0x7FF */
    {ORC_SCRATCH,                0x7FF,   0, 1, 1, 0, 0}, /* 0x27: expand-down, offsets 0x800.. */
    {ORC_SCRATCH,                0xBFF,   0, 1, 0, 1, 0}, /* 0x2F: read-only, limit 0xBFF */
    {ORC_CODE,                   0xFFF,   0, 0, 0, 0, 1}, /* 0x37: 16-bit code, the code page */
};
#define ORC_SEL(entry) ((uint16_t)((entry) << 3 | 7)) /* LDT, RPL 3 */
#define ORC_SEL_DATA ORC_SEL(0)
#define ORC_SEL_EDATA ORC_SEL(1)
#define ORC_SEL_STACK16 ORC_SEL(2)
#define ORC_SEL_LIMITED ORC_SEL(3)
#define ORC_SEL_EXPDOWN ORC_SEL(4)
#define ORC_SEL_RDONLY ORC_SEL(5)
#define ORC_SEL_CODE16 ORC_SEL(6)
#define ORC_SEL_CODE 0x23u     /* Linux' 32-bit user CS (flat) */
#define ORC_SEL_FLAT 0x2Bu     /* Linux' 32-bit user DS (flat): FS during a case */

/* Byte-granular limit of an entry. */
static inline uint32_t orc_limit(const OrcSeg* s) { return s->gran ? (s->limit << 12 | 0xFFFu) : s->limit; }

#define ORC_MAGIC_IN 0x4E49524Fu  /* "ORIN" */
#define ORC_MAGIC_OUT 0x54554F4Fu /* "OOUT" */
#define ORC_NO_TRAP 0xFFFFFFFFu
#define ORC_TIMEOUT 0xFFFFu        /* trapno when the case did not finish in time */
#define ORC_EXIT_UNAVAILABLE 77    /* exit status: this machine cannot run the oracle (ctest: skipped) */

/* One case: followed by npatch OrcPatch records. */
typedef struct {
  uint32_t magic;
  uint32_t id;
  uint32_t gpr[8];       /* EAX ECX EDX EBX ESP EBP ESI EDI */
  uint32_t eflags;
  uint32_t seed;         /* scratch fill (orc_fill), then the patches */
  uint16_t insn_off;     /* offset of the instruction in the code page */
  uint8_t insn_len;
  uint8_t nexits;
  uint16_t exits[ORC_MAX_EXITS];  /* code-page offsets of the exit stubs */
  uint8_t insn[ORC_MAX_INSN];
  uint16_t npatch;
  uint16_t sel_es;       /* ORC_SEL(entry) */
  uint16_t sel_ss;
  uint16_t sel_ds;
  uint16_t sel_cs;       /* ORC_SEL_CODE (flat 32-bit) or ORC_SEL_CODE16 (EIP = offset in the code page) */
  uint16_t pad;
} OrcIn;
typedef char orc_in_size_check[sizeof(OrcIn) == 88 ? 1 : -1];

typedef struct {
  uint16_t off;          /* scratch offset */
  uint8_t val;
  uint8_t pad;
} OrcPatch;

/* One result: followed by nchange OrcPatch records (scratch bytes that differ
 * from their initial value). */
typedef struct {
  uint32_t magic;
  uint32_t id;
  uint32_t gpr[8];
  uint32_t eflags;
  uint32_t eip;          /* linear (CS base + EIP): the exit stub reached, or the faulting instruction */
  uint32_t trapno;       /* exception vector, ORC_NO_TRAP, or ORC_TIMEOUT */
  uint32_t err;
  uint32_t signo;
  uint32_t nchange;
  uint16_t sel_es;       /* data segment selectors after the case (or at the fault) */
  uint16_t sel_ss;
  uint16_t sel_ds;
  uint16_t sel_fs;
} OrcOut;
typedef char orc_out_size_check[sizeof(OrcOut) == 72 ? 1 : -1];

/* Deterministic scratch contents for a seed (xorshift32). */
static inline void orc_fill(uint32_t seed, uint8_t* buf) {
  uint32_t x = seed * 2654435761u + 0x9E3779B9u;
  unsigned k;
  if (!x) x = 1;
  for (k = 0; k < ORC_SCRATCH_SIZE; k += 4) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    buf[k] = (uint8_t)x;
    buf[k + 1] = (uint8_t)(x >> 8);
    buf[k + 2] = (uint8_t)(x >> 16);
    buf[k + 3] = (uint8_t)(x >> 24);
  }
}

#endif
