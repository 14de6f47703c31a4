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
 *   ORC_CODE     code page (flat CS). The instruction under test sits at
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
#define ORC_STUB_LEN 18u       /* bytes an exit stub occupies on the host */
#define ORC_MAX_EXITS 4
#define ORC_MAX_INSN 16

/* Selectors: LDT entries 0 and 1 with RPL 3, as both sides load them. */
#define ORC_SEL_DATA 0x07u     /* DS, SS: base ORC_SCRATCH */
#define ORC_SEL_EDATA 0x0Fu    /* ES: base ORC_SCRATCH + ORC_ES_DELTA */
#define ORC_SEL_CODE 0x23u     /* Linux' 32-bit user CS (flat) */
#define ORC_SEL_FLAT 0x2Bu     /* Linux' 32-bit user DS (flat): FS during a case */

#define ORC_MAGIC_IN 0x4E49524Fu  /* "ORIN" */
#define ORC_MAGIC_OUT 0x54554F4Fu /* "OOUT" */
#define ORC_NO_TRAP 0xFFFFFFFFu
#define ORC_TIMEOUT 0xFFFFu        /* trapno when the case did not finish in time */

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
  uint16_t pad;
} OrcIn;

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
  uint32_t eip;          /* linear: the exit stub reached, or the faulting EIP */
  uint32_t trapno;       /* exception vector, ORC_NO_TRAP, or ORC_TIMEOUT */
  uint32_t err;
  uint32_t signo;
  uint32_t nchange;
} OrcOut;

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
