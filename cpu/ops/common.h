// Shared includes for the reference handlers (cpu/ops/*.cpp).
//
// A handler is `template <class T> void name(Cpu& c, const Insn& i)`, where T
// is the operand type (uint8_t, uint16_t or uint32_t) chosen by the row's size
// class. On entry c.eip already points past the instruction (the snapshot
// holds the instruction's own EIP). A handler reads all its operands and
// checks everything that can fault before it writes any architectural state,
// and it loads segment registers last.
#pragma once
#include <cstdint>
#include <span>
#include <type_traits>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/table.h"

namespace cpu::ops {

template <class T> using S = std::make_signed_t<T>;
template <class T> constexpr unsigned kBits = sizeof(T) * 8;

// The EIP of the instruction being executed (for handlers that need it).
inline uint32_t insn_eip(const Cpu& c) { return c.snap[8]; }

}  // namespace cpu::ops
