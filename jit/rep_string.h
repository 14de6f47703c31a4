// REP MOVS/STOS and REPE/REPNE CMPS/SCAS in bulk (`--jit no-emit=rep`
// switches it off).
//
// Generated code calls an instruction's reference handler with the state
// exact (Emission::call_handler). For REP MOVSB/W/D, REP STOSB/W/D and
// REPE/REPNE CMPSB/W/D and SCASB/W/D it calls, instead, a handler of the
// same signature from here that performs the reference handler's batch
// (cpu/ops/string.cpp) with host memory copies and compares when that is
// safe, and otherwise calls the reference handler itself.
//
// The batch is the reference's, element for element: a call performs at most
// 64 iterations (kBatch there), never continues once the next element leaves
// the page its first element is on (on either side), and when iterations
// remain it leaves EIP at the instruction and raises EV_MODE. So tsc, the
// points where interrupts are seen and every register after each call are
// exactly the interpreter's. CMPS and SCAS also stop after the element whose
// comparison ends the repetition (REPE: ZF = 0, REPNE: ZF = 1); that ends
// the instruction (EIP stays past it) and the arithmetic flags are those of
// that last comparison, computed by flags::sub as the reference does.
//
// The bulk path is taken only when nothing in the batch can fault or need
// the slow memory path: no pending events, TF clear, at least two
// iterations, every element on the first element's page and no (E)SI/(E)DI
// wrap, the segment checks passing for the whole range (tested once, even
// for elements a CMPS/SCAS may not reach), no alignment check possible, and
// both pages hit in the soft TLB with tags free of flag bits (no MMIO/ROM,
// no code on a written page, the dirty bit already set). STOS and SCAS,
// which have no source, still need i.seg:(E)SI not to straddle a page: the
// reference's page test looks at it and would end every batch early.
// Anything else goes to the reference handler, which performs the same
// batch one element at a time (and faults, marks dirty pages, detects
// self-modifying code and talks to MMIO as always).
//
// Overlapping MOVS keeps REP's element-by-element meaning: a copy whose
// destination lies ahead of its source in the direction of travel (dst =
// src + 1 with DF = 0 replicates the first byte) is done element by element;
// the others are a memmove.
#pragma once
#include <cstdint>

#include "cpu/decode.h"
#include "jit/config.h"

namespace jit {

// The bulk handler for `in` (a genuine REP/REPNE MOVS, STOS, CMPS or SCAS
// row, its emitter enabled), or nullptr: call in.fn.
cpu::Handler rep_handler(const cpu::Insn& in, const Config& cfg);

// Batches done in bulk since the process started (all machines): lets tests
// see that the fast path, not the fallback, produced their results.
uint64_t rep_bulk_batches();

// What generated code calls for `in`.
inline cpu::Handler call_target(const cpu::Insn& in, const Config& cfg) {
  cpu::Handler h = rep_handler(in, cfg);
  return h ? h : in.fn;
}

}  // namespace jit
