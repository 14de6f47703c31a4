// mmu::Memory: guest physical memory (RAM) with the A20 gate and code-page
// tracking for self-modifying code.
//
// Invariants:
// - A guest address never reaches host memory outside `ram_`: every access is
//   masked by A20 and bounds-checked; addresses outside RAM read all ones and
//   ignore writes (unassigned space).
// - A write to a page that a CodeListener registered (it holds decoded or
//   translated code) is reported to that listener before the write returns.
//
// The full physical map (ROM, MMIO, PAM shadowing) and paging are the next
// layer (issue 3); this file stays the RAM and the tracking.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace mmu {

constexpr uint32_t kPageShift = 12;
constexpr uint32_t kPageSize = 1u << kPageShift;

// Told about guest writes to pages marked as holding code.
class CodeListener {
 public:
  virtual ~CodeListener() = default;
  virtual void code_written(uint32_t paddr, unsigned size) = 0;
};

class Memory {
 public:
  explicit Memory(uint32_t ram_bytes);

  uint32_t ram_size() const { return ram_size_; }
  uint8_t* ram() { return ram_.get(); }

  // A20 gate: when off, physical address bit 20 reads as zero (1 MiB wrap).
  void set_a20(bool on) { a20_mask_ = on ? 0xFFFFFFFFu : 0xFFEFFFFFu; }
  bool a20() const { return a20_mask_ == 0xFFFFFFFFu; }
  uint32_t a20_mask() const { return a20_mask_; }

  // Physical access, A20 applied. Little-endian, any alignment.
  template <class T> T read(uint32_t pa) const {
    pa &= a20_mask_;
    if (fast(pa, sizeof(T))) [[likely]] {
      T v;
      std::memcpy(&v, ram_.get() + pa, sizeof(T));
      return v;
    }
    return read_slow<T>(pa);
  }
  template <class T> void write(uint32_t pa, T v) {
    pa &= a20_mask_;
    if (fast(pa, sizeof(T))) [[likely]] {
      if (code_pages_[pa >> kPageShift] | code_pages_[(pa + sizeof(T) - 1) >> kPageShift]) [[unlikely]]
        notify_code_write(pa, sizeof(T));
      std::memcpy(ram_.get() + pa, &v, sizeof(T));
      return;
    }
    write_slow<T>(pa, v);
  }
  uint8_t read8(uint32_t pa) const { return read<uint8_t>(pa); }
  void write8(uint32_t pa, uint8_t v) { write<uint8_t>(pa, v); }

  // Bulk load (firmware, test images); does not notify listeners of code writes
  // but does invalidate them (treated as a code write of the whole range).
  void load(uint32_t pa, const void* data, uint32_t len);

  // Code-page tracking. A page stays marked until the listener unmarks it.
  void set_code_listener(CodeListener* l) { listener_ = l; }
  void mark_code_page(uint32_t page) {
    if (page < code_pages_.size()) code_pages_[page] = 1;
  }
  void unmark_code_page(uint32_t page) {
    if (page < code_pages_.size()) code_pages_[page] = 0;
  }
  bool is_code_page(uint32_t page) const { return page < code_pages_.size() && code_pages_[page]; }

 private:
  // Whole access inside RAM and not wrapping at the A20 boundary.
  bool fast(uint32_t pa, uint32_t n) const {
    return pa <= ram_size_ - n && ((pa + n - 1) & ~a20_mask_) == 0;
  }
  template <class T> T read_slow(uint32_t pa) const;
  template <class T> void write_slow(uint32_t pa, T v);
  void notify_code_write(uint32_t pa, unsigned size);

  std::unique_ptr<uint8_t[]> ram_;
  uint32_t ram_size_;
  uint32_t a20_mask_ = 0xFFFFFFFFu;
  std::vector<uint8_t> code_pages_;  // one byte per RAM page (+1 guard)
  CodeListener* listener_ = nullptr;
};

}  // namespace mmu
