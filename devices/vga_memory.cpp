// devices::Vga: host access to video memory through the legacy window
// (0xA0000-0xBFFFF) and the linear framebuffer.
//
// The legacy window decodes the part chosen by the Graphics Controller's
// memory map select (GC 06h bits 2-3: A0000 128K, A0000 64K, B0000 32K,
// B8000 32K); the rest of 0xA0000-0xBFFFF reads all ones and ignores writes,
// and so does all of it while the misc output's RAM enable bit is clear.
// With VBE enabled at 8 bpp or more the window is a 64 KiB bank of VRAM
// (dispi BANK); otherwise accesses go through the VGA's planar data path:
// - addressing: chain-4 (SEQ 04h bit 3), odd/even (SEQ 04h bit 2 clear for
//   writes, GC 05h bit 4 for reads), or planar through the map mask (writes)
//   and read map select (reads);
// - reads load the four latches; read mode 0 returns one plane, read mode 1
//   the colour compare result (GC 02h colour, GC 07h colour don't care);
// - write modes 0-3 with set/reset and its enable, data rotate, the logical
//   operation (replace, AND, OR, XOR with the latches) and the bit mask.
#include <cstring>

#include "devices/vga.h"

namespace devices {

namespace {

constexpr uint32_t kBytes = 0x01010101u;  // replicate a byte into each plane

// Bits 0-3 of `bits` to bytes: plane p's byte is 0xFF when bit p is set.
uint32_t expand_planes(unsigned bits) {
  uint32_t w = 0;
  for (unsigned p = 0; p < 4; ++p)
    if (bits & (1u << p)) w |= 0xFFu << (8 * p);
  return w;
}

uint8_t rotate_right(uint8_t v, unsigned n) {
  n &= 7;
  return n ? uint8_t((v >> n) | (v << (8 - n))) : v;
}

}  // namespace

uint32_t Vga::plane_word(uint32_t offset) const {
  uint32_t w;
  std::memcpy(&w, vram_.data() + ((offset << 2) & (vram_size() - 1)), 4);
  return w;
}

uint8_t Vga::read_window(uint32_t off) {
  static const uint32_t kBase[4] = {0x00000, 0x00000, 0x10000, 0x18000};
  static const uint32_t kSize[4] = {0x20000, 0x10000, 0x08000, 0x08000};
  unsigned sel = (r_.gc[6] >> 2) & 3;
  if (off < kBase[sel] || off - kBase[sel] >= kSize[sel] || !(r_.misc & 2)) return 0xFF;
  uint32_t a = off - kBase[sel];
  if (vbe_enabled() && vbe_.reg[kDispiBpp] != 4)
    return vram_[((uint32_t(vbe_.reg[kDispiBank]) << 16) + a) & (vram_size() - 1)];
  return planar_read(a);
}

void Vga::write_window(uint32_t off, uint8_t v) {
  static const uint32_t kBase[4] = {0x00000, 0x00000, 0x10000, 0x18000};
  static const uint32_t kSize[4] = {0x20000, 0x10000, 0x08000, 0x08000};
  unsigned sel = (r_.gc[6] >> 2) & 3;
  if (off < kBase[sel] || off - kBase[sel] >= kSize[sel] || !(r_.misc & 2)) return;
  uint32_t a = off - kBase[sel];
  if (vbe_enabled() && vbe_.reg[kDispiBpp] != 4) {
    vram_[((uint32_t(vbe_.reg[kDispiBank]) << 16) + a) & (vram_size() - 1)] = v;
    return;
  }
  planar_write(a, v);
}

// Plane offsets wrap at 64 KiB (a 256 KiB VGA) unless a 4-bpp VBE mode is
// on, where the bank selects a 64 KiB piece of the larger planes.
static uint32_t plane_offset(uint32_t o, bool vbe4, uint16_t bank, uint32_t vram_size) {
  if (vbe4) return (o + (uint32_t(bank) << 16)) & (vram_size / 4 - 1);
  return o & 0xFFFF;
}

uint8_t Vga::planar_read(uint32_t a) {
  unsigned plane;
  uint32_t o;
  if (r_.seq[4] & 0x08) {  // chain-4
    plane = a & 3, o = a & ~3u;
  } else if (r_.gc[5] & 0x10) {  // odd/even
    plane = (r_.gc[4] & 2) | (a & 1), o = a & ~1u;
  } else {
    plane = r_.gc[4] & 3, o = a;
  }
  o = plane_offset(o, vbe_enabled(), vbe_.reg[kDispiBank], vram_size());
  uint32_t w = plane_word(o);
  std::memcpy(r_.latch, &w, 4);
  if (r_.gc[5] & 0x08) {  // read mode 1: colour compare
    uint32_t care = expand_planes(r_.gc[7]);
    uint32_t diff = (w ^ expand_planes(r_.gc[2])) & care;
    uint8_t any = uint8_t(diff | diff >> 8 | diff >> 16 | diff >> 24);
    return uint8_t(~any);
  }
  return r_.latch[plane];
}

void Vga::planar_write(uint32_t a, uint8_t v) {
  unsigned mask = r_.seq[2] & 0x0F;
  uint32_t o;
  if (r_.seq[4] & 0x08) {  // chain-4
    mask &= 1u << (a & 3), o = a & ~3u;
  } else if (!(r_.seq[4] & 0x04)) {  // odd/even: even addresses to planes 0/2, odd to 1/3
    mask &= (a & 1) ? 0x0A : 0x05, o = a & ~1u;
  } else {
    o = a;
  }
  if (!mask) return;
  o = plane_offset(o, vbe_enabled(), vbe_.reg[kDispiBank], vram_size());

  uint32_t latch;
  std::memcpy(&latch, r_.latch, 4);
  uint32_t set_reset = expand_planes(r_.gc[0]);
  uint32_t bit_mask = uint32_t(r_.gc[8]) * kBytes;
  unsigned rot = r_.gc[3] & 7, func = (r_.gc[3] >> 3) & 3;
  uint32_t data;
  switch (r_.gc[5] & 3) {
    case 0: {
      uint32_t d = uint32_t(rotate_right(v, rot)) * kBytes;
      uint32_t enable = expand_planes(r_.gc[1]);
      data = (d & ~enable) | (set_reset & enable);
      break;
    }
    case 1:  // the latches, unchanged by the ALU and the bit mask
      data = latch;
      bit_mask = 0xFFFFFFFFu;
      func = 0;
      break;
    case 2:
      data = expand_planes(v);
      break;
    default:  // 3: the rotated data ANDed with the bit mask is the mask
      bit_mask &= uint32_t(rotate_right(v, rot)) * kBytes;
      data = set_reset;
      break;
  }
  switch (func) {
    case 1: data &= latch; break;
    case 2: data |= latch; break;
    case 3: data ^= latch; break;
    default: break;
  }
  data = (data & bit_mask) | (latch & ~bit_mask);

  uint8_t* p = vram_.data() + ((o << 2) & (vram_size() - 1));
  for (unsigned i = 0; i < 4; ++i)
    if (mask & (1u << i)) p[i] = uint8_t(data >> (8 * i));
}

uint64_t Vga::Lfb::read(uint32_t off, unsigned size) {
  uint64_t v = 0;
  if (uint64_t(off) + size <= v_->vram_.size()) std::memcpy(&v, v_->vram_.data() + off, size);
  else v = ~0ull;
  return v;
}

void Vga::Lfb::write(uint32_t off, unsigned size, uint64_t val) {
  if (uint64_t(off) + size <= v_->vram_.size()) std::memcpy(v_->vram_.data() + off, &val, size);
}

}  // namespace devices
