// mmu::Memory: the guest's physical address space (4 GiB): RAM, ROM, MMIO,
// the i440FX-style BIOS shadowing, unassigned space, the A20 gate, and
// code tracking for self-modifying code at 128-byte granularity.
//
// The map is kept per 4 KiB page. Every page has a *read source* and a *write
// source*, each one of: RAM (the page's own bytes of the RAM array), a ROM
// mapping, an MMIO mapping, or nothing (unassigned: reads all ones, writes
// dropped). By default a page below ram_size() is RAM and every other page is
// unassigned. map_rom()/map_mmio() lay an overlay over pages (RAM underneath is
// hidden, not lost); unmap() removes it. set_shadow() switches pages to the
// PAM behaviour: reads from RAM or from the overlay (or unassigned without
// one), writes to RAM or to the overlay (dropped for ROM or without one).
//
// Invariants:
// - A guest address never reaches host memory outside the RAM array or a ROM
//   image: every access is A20-masked, split at page boundaries and bounds-
//   checked; bytes without a source read 0xFF and writes to them are dropped.
// - A write that touches a 128-byte chunk marked as code (mark_code) is
//   reported to the CodeListener before it is performed.
// - Every change that alters what a linear access may map to (map_*, unmap,
//   set_shadow, set_a20) increments generation() and tells every MapObserver
//   (the soft TLBs) to flush; a page getting its first code mark is reported
//   too, so cached direct-write translations of it can be revoked. Pages whose
//   read source changes and that hold marked code are reported to the
//   CodeListener as written (the bytes that were decoded may have changed).
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace mmu {

constexpr uint32_t kPageShift = 12;
constexpr uint32_t kPageSize = 1u << kPageShift;
constexpr uint32_t kPageMask = kPageSize - 1;
constexpr uint32_t kCodeChunkShift = 7;  // code tracking granularity: 128 bytes
constexpr uint32_t kCodeChunk = 1u << kCodeChunkShift;

// The code chunks of one page overlapped by [off, off+n): off < 4096, n >= 1,
// off + n <= 4096. Bit i stands for bytes [128*i, 128*i+127] of the page.
inline uint32_t code_chunks(uint32_t off, uint32_t n) {
  uint32_t first = off >> kCodeChunkShift, last = (off + n - 1) >> kCodeChunkShift;
  return ((2u << last) - 1) & ~((1u << first) - 1);
}

// Told about guest writes to 128-byte chunks marked as holding code.
class CodeListener {
 public:
  virtual ~CodeListener() = default;
  virtual void code_written(uint32_t paddr, unsigned size) = 0;
};

// A memory-mapped device. Offsets are relative to the base of the mapping.
// The map calls read/write only with sizes in widths() and offsets aligned to
// the size; other accesses are split into (or widened to) such calls.
class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  virtual uint64_t read(uint32_t offset, unsigned size) = 0;
  virtual void write(uint32_t offset, unsigned size, uint64_t value) = 0;
  // The access sizes the device implements: a bit mask of 1, 2, 4 and 8.
  virtual unsigned widths() const { return 1 | 2 | 4; }
};

// Told about changes of the map that invalidate cached translations.
class MapObserver {
 public:
  virtual ~MapObserver() = default;
  virtual void map_changed() = 0;                        // flush everything
  virtual void code_page_marked(uint32_t page) = 0;      // page got its first code mark
};

// How a physical page is reached, for whoever caches translations.
struct PageInfo {
  const uint8_t* read_host = nullptr;  // the page's bytes if reads may use them directly
  uint8_t* write_host = nullptr;       // the page's bytes if writes may store directly
  bool code = false;                   // some chunk of the page is marked as code
};

class Memory {
 public:
  explicit Memory(uint32_t ram_bytes);
  ~Memory();
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  uint32_t ram_size() const { return ram_size_; }
  uint8_t* ram() { return ram_.get(); }

  // ---- A20 gate: when off, physical address bit 20 reads as zero ----
  void set_a20(bool on);
  bool a20() const { return a20_mask_ == 0xFFFFFFFFu; }
  uint32_t a20_mask() const { return a20_mask_; }

  // ---- physical access (A20 applied). Little-endian, any alignment ----
  template <class T> T read(uint32_t pa) const {
    pa &= a20_mask_;
    const Slot* s = slot_if(pa);
    if (s && (s->fast & kFastRead) && (pa & (kPageSize - 1)) <= kPageSize - sizeof(T)) [[likely]] {
      T v;
      std::memcpy(&v, ram_.get() + pa, sizeof(T));
      return v;
    }
    return T(read_phys(pa, sizeof(T)));
  }
  template <class T> void write(uint32_t pa, T v) {
    pa &= a20_mask_;
    const Slot* s = slot_if(pa);
    if (s && (s->fast & kFastWrite) && (pa & (kPageSize - 1)) <= kPageSize - sizeof(T)) [[likely]] {
      std::memcpy(ram_.get() + pa, &v, sizeof(T));
      return;
    }
    write_phys(pa, sizeof(T), uint64_t(v));
  }
  uint8_t read8(uint32_t pa) const { return read<uint8_t>(pa); }
  void write8(uint32_t pa, uint8_t v) { write<uint8_t>(pa, v); }

  // The general physical access (1..8 bytes, may cross pages, A20 applied to
  // each page): RAM, ROM, MMIO (split to the device's widths), unassigned.
  // Addresses at or above 4 GiB (PAE) are unassigned.
  uint64_t read_phys(uint64_t pa, unsigned size) const;
  void write_phys(uint64_t pa, unsigned size, uint64_t v);

  // Bulk load into RAM (firmware, test images), bypassing overlays; throws
  // std::out_of_range if it does not fit. Marked code it overwrites is
  // reported to the listener.
  void load(uint32_t pa, const void* data, uint32_t len);

  // ---- the map (bases and sizes are multiples of 4 KiB; else std::invalid_argument) ----
  // A ROM image; Memory keeps its own copy. Returns its id for map_rom.
  int add_rom(const void* data, uint32_t len);
  const uint8_t* rom_data(int rom) const;
  // Map [base, base+size) to ROM `rom` starting at byte `rom_offset` of it
  // (bytes past the image's end read 0xFF). Writes are ignored.
  void map_rom(uint32_t base, uint32_t size, int rom, uint32_t rom_offset = 0);
  // Map [base, base+size) to a device; it sees offsets from `base`.
  void map_mmio(uint32_t base, uint32_t size, MmioHandler* h);
  // Remove overlays from [base, base+size): back to RAM below ram_size().
  void unmap(uint32_t base, uint32_t size);
  // PAM shadowing of [base, base+size) (any page range; the i440FX uses
  // 16 KiB pieces of 0xC0000-0xEFFFF and 64 KiB at 0xF0000): reads come from
  // RAM (read_ram) or from the overlay; writes go to RAM (write_ram) or to the
  // overlay. Without an overlay, the non-RAM side is unassigned. Pages never
  // given to set_shadow behave normally (overlay if any, else RAM).
  void set_shadow(uint32_t base, uint32_t size, bool read_ram, bool write_ram);
  // Back to the normal behaviour (no PAM control) for [base, base+size).
  void clear_shadow(uint32_t base, uint32_t size);

  // What a physical page (A20 already applied) reads and writes.
  enum class Source : uint8_t { Unassigned, Ram, Rom, Mmio };
  Source read_source(uint32_t pa) const;
  Source write_source(uint32_t pa) const;
  PageInfo page_info(uint32_t pa) const;

  // Incremented by every change that affects translations.
  uint64_t generation() const { return generation_; }
  void add_observer(MapObserver* o);
  void remove_observer(MapObserver* o);

  // ---- code tracking for self-modifying code ----
  void set_code_listener(CodeListener* l) { listener_ = l; }
  // Mark / unmark the 128-byte chunks overlapping [paddr, paddr+len).
  void mark_code(uint32_t paddr, uint32_t len);
  void unmark_code(uint32_t paddr, uint32_t len);
  bool is_code(uint32_t paddr, uint32_t len) const;  // any chunk in the range marked
  // Whole-page forms (page = physical address >> 12).
  void mark_code_page(uint32_t page) { mark_code(page << kPageShift, kPageSize); }
  void unmark_code_page(uint32_t page) { unmark_code(page << kPageShift, kPageSize); }
  bool is_code_page(uint32_t page) const;
  uint32_t code_mask(uint32_t page) const;  // bit i: chunk i of the page is marked

 private:
  enum : uint8_t { kFastRead = 1, kFastWrite = 2 };
  enum : uint8_t { kShadowOn = 0x80, kShadowReadRam = 1, kShadowWriteRam = 2 };
  struct Slot {
    uint32_t code = 0;     // marked 128-byte chunks
    uint16_t overlay = 0;  // region id, 0 = none
    uint8_t shadow = 0;    // kShadow* bits; 0 = not PAM-controlled
    uint8_t fast = 0;      // kFast* bits: plain RAM access allowed
  };
  struct Region {
    Source kind = Source::Unassigned;
    uint32_t base = 0;       // physical base of the mapping
    int rom = -1;            // ROM image (Rom)
    uint32_t rom_offset = 0;
    MmioHandler* mmio = nullptr;
    uint32_t pages = 0;      // pages referencing it (0: slot is free)
  };
  static constexpr uint32_t kDirShift = 22;  // one directory entry per 4 MiB
  static constexpr uint32_t kSlotsPerDir = 1u << (kDirShift - kPageShift);

  const Slot* slot_if(uint32_t pa) const {
    const Slot* d = dir_[pa >> kDirShift].get();
    return d ? &d[(pa >> kPageShift) & (kSlotsPerDir - 1)] : nullptr;
  }
  Slot& slot(uint32_t pa);  // allocates the directory entry if needed
  Source source(uint32_t pa, const Slot* s, bool write) const;
  void refresh_fast(uint32_t pa, Slot& s);
  void set_overlay(uint32_t base, uint32_t size, uint16_t region);
  void map_changed(uint32_t base, uint32_t size, const std::vector<uint8_t>& old_read_src);
  std::vector<uint8_t> read_sources(uint32_t base, uint32_t size) const;
  uint16_t new_region(const Region& r);
  static void check_range(uint32_t base, uint32_t size);
  uint64_t read_page(uint32_t pa, unsigned n) const;     // n bytes inside one page
  void write_page(uint32_t pa, unsigned n, uint64_t v);
  void notify_code_write(uint32_t pa, unsigned n);

  std::unique_ptr<uint8_t[]> ram_;
  uint32_t ram_size_;
  uint32_t a20_mask_ = 0xFFFFFFFFu;
  std::unique_ptr<Slot[]> dir_[1u << (32 - kDirShift)];
  std::vector<Region> regions_;  // [0] unused (no overlay)
  std::vector<std::vector<uint8_t>> roms_;
  std::vector<MapObserver*> observers_;
  uint64_t generation_ = 0;
  CodeListener* listener_ = nullptr;
};

}  // namespace mmu
