// devices::Vga: the Bochs VBE "dispi" interface (index 0x1CE, data 0x1CF) and
// the QEMU stdvga MMIO BAR (BAR2) that mirrors the VGA ports and the dispi
// registers for guests that prefer memory-mapped registers.
//
// dispi registers (16 bits each):
//   0 ID             B0C0..B0C5 accepted; reads back the last accepted value
//   1 XRES, 2 YRES   at most kMaxXres x kMaxYres
//   3 BPP            4, 8, 15, 16, 24 or 32 (0 means 8; other values ignored)
//   4 ENABLE         ENABLED, GETCAPS (XRES/YRES/BPP read their maxima),
//                    8BIT_DAC, LFB_ENABLED, NOCLEARMEM
//   5 BANK           64 KiB bank shown in the A0000 window (masked to VRAM)
//   6 VIRT_WIDTH     raised to XRES at least; 7 VIRT_HEIGHT at most VRAM / line
//   8 X_OFFSET, 9 Y_OFFSET   display start inside the virtual screen
//   10 VIDEO_MEMORY_64K      read-only: VRAM size in 64 KiB units
// Turning ENABLED on resets the virtual size to the mode (VIRT_WIDTH = XRES,
// VIRT_HEIGHT = as many lines as VRAM holds), the offsets and the bank to 0,
// clears the visible memory unless NOCLEARMEM, and switches the Graphics
// Controller to graphics with the 64 KiB window at A0000.
//
// BAR2 layout (4 KiB): 0x000-0x3FF EDID (none: reads 0), 0x400-0x41F the VGA
// ports 0x3C0-0x3DF (byte registers), 0x500-0x515 the dispi registers
// (index * 2), 0x600 the size of the QEMU extended register block (8), 0x604
// the framebuffer byte order (0x1E1E1E1E: little-endian; writes ignored).
#include <algorithm>
#include <cstring>

#include "devices/vga.h"

namespace devices {

namespace {

bool valid_bpp(unsigned bpp) {
  return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

}  // namespace

unsigned Vga::vbe_line_bytes() const {
  unsigned vw = vbe_.reg[kDispiVirtWidth], bpp = vbe_.reg[kDispiBpp];
  return bpp == 4 ? vw / 2 : vw * ((bpp + 7) / 8);
}

void Vga::vbe_fixup() {
  uint16_t* reg = vbe_.reg;
  if (!valid_bpp(reg[kDispiBpp])) reg[kDispiBpp] = 8;
  reg[kDispiVirtWidth] = std::max(reg[kDispiVirtWidth], reg[kDispiXres]);
  unsigned line = vbe_line_bytes();
  unsigned max_height = line ? std::min<uint32_t>(vram_size() / line, 0xFFFF) : 0;
  if (reg[kDispiVirtHeight] < reg[kDispiYres] || reg[kDispiVirtHeight] > max_height)
    reg[kDispiVirtHeight] = uint16_t(max_height);
}

uint16_t Vga::read_dispi(uint16_t index) const {
  if (index >= kDispiRegs) return 0;
  if (vbe_.reg[kDispiEnable] & kGetCaps) {
    if (index == kDispiXres) return kMaxXres;
    if (index == kDispiYres) return kMaxYres;
    if (index == kDispiBpp) return kMaxBpp;
  }
  return vbe_.reg[index];
}

void Vga::write_dispi(uint16_t index, uint16_t v) {
  uint16_t* reg = vbe_.reg;
  switch (index) {
    case kDispiId:
      if (v >= 0xB0C0 && v <= 0xB0C5) reg[kDispiId] = v;
      break;
    case kDispiXres: reg[kDispiXres] = std::min<uint16_t>(v, kMaxXres), vbe_fixup(); break;
    case kDispiYres: reg[kDispiYres] = std::min<uint16_t>(v, kMaxYres), vbe_fixup(); break;
    case kDispiBpp:
      if (v == 0) v = 8;
      if (valid_bpp(v)) reg[kDispiBpp] = v, vbe_fixup();
      break;
    case kDispiEnable: vbe_enable(v); break;
    case kDispiBank: reg[kDispiBank] = uint16_t(v & ((vram_size() >> 16) - 1)); break;
    case kDispiVirtWidth:
    case kDispiVirtHeight:
      reg[index] = v;
      vbe_fixup();
      break;
    case kDispiXOffset:
    case kDispiYOffset: reg[index] = v; break;
    default: break;  // VIDEO_MEMORY_64K and unknown indices are read-only
  }
}

void Vga::vbe_enable(uint16_t v) {
  uint16_t* reg = vbe_.reg;
  bool was_on = reg[kDispiEnable] & kEnabled;
  reg[kDispiEnable] = v & (kEnabled | kGetCaps | kDac8Bit | kLfbEnabled | kNoClearMem);
  if (!(v & kEnabled) || was_on) return;
  reg[kDispiVirtWidth] = reg[kDispiXres];
  reg[kDispiVirtHeight] = 0;
  reg[kDispiXOffset] = reg[kDispiYOffset] = 0;
  reg[kDispiBank] = 0;
  vbe_fixup();
  if (!(v & kNoClearMem)) {
    uint64_t visible = uint64_t(vbe_line_bytes()) * reg[kDispiYres];
    std::memset(vram_.data(), 0, size_t(std::min<uint64_t>(visible, vram_size())));
  }
  r_.gc[6] = uint8_t((r_.gc[6] & ~0x0C) | 0x05);  // graphics, A0000-AFFFF
}

uint64_t Vga::Mmio::read(uint32_t off, unsigned size) {
  uint64_t v = 0;
  if (off >= 0x400 && off < 0x420) {
    for (unsigned i = 0; i < size && off + i < 0x420; ++i)
      v |= uint64_t(v_->read_port(uint16_t(0x3C0 + off - 0x400 + i))) << (8 * i);
  } else if (off >= 0x500 && off < 0x500 + 2 * kDispiRegs) {
    for (unsigned i = 0; i < size; i += 2) {
      unsigned o = off + i - 0x500;
      uint16_t r = v_->read_dispi(uint16_t(o / 2));
      v |= uint64_t(size == 1 ? (r >> (8 * (o & 1))) & 0xFF : r) << (8 * i);
    }
  } else if (off == 0x600) {
    v = 8;
  } else if (off == 0x604) {
    v = 0x1E1E1E1E;
  }
  return v;
}

void Vga::Mmio::write(uint32_t off, unsigned size, uint64_t val) {
  if (off >= 0x400 && off < 0x420) {
    for (unsigned i = 0; i < size && off + i < 0x420; ++i)
      v_->write_port(uint16_t(0x3C0 + off - 0x400 + i), uint8_t(val >> (8 * i)));
  } else if (off >= 0x500 && off < 0x500 + 2 * kDispiRegs) {
    if (size == 1) {  // one byte of a register: merge with the other byte
      unsigned o = off - 0x500, sh = 8 * (o & 1);
      uint16_t r = v_->vbe_.reg[o / 2];
      v_->write_dispi(uint16_t(o / 2), uint16_t((r & ~(0xFF << sh)) | (uint8_t(val) << sh)));
      return;
    }
    for (unsigned i = 0; i < size; i += 2)
      v_->write_dispi(uint16_t((off + i - 0x500) / 2), uint16_t(val >> (8 * i)));
  }
}

}  // namespace devices
