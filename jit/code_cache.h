// jit::CodeCache: one preallocated region of executable memory that
// translated blocks are appended to, flushed whole when it is full
// (DESIGN.md principle 6). The region is mapped near the emulator's own code
// when the kernel allows, so calls from generated code to the reference
// handlers are direct `call rel32`.
#pragma once
#include <cstddef>
#include <cstdint>

namespace asmjit { inline namespace _abi_1_9 { class CodeHolder; } }

namespace jit {

class CodeCache {
 public:
  // Throws std::runtime_error if no executable memory can be mapped.
  explicit CodeCache(size_t bytes);
  ~CodeCache();
  CodeCache(const CodeCache&) = delete;
  CodeCache& operator=(const CodeCache&) = delete;

  // Where the next block will start: CodeHolders are initialised with it as
  // their base address so that relative calls and jumps come out final.
  uint8_t* cursor() const { return base_ + used_; }
  size_t size() const { return size_; }
  size_t used() const { return used_; }
  // Copies the finished code in at cursor(); nullptr when it does not fit
  // (the caller flushes and translates again).
  uint8_t* commit(asmjit::CodeHolder& code);
  // Forget everything (the caller drops every pointer into the cache).
  void flush() { used_ = 0; }
  bool contains(const void* p) const {
    auto* b = static_cast<const uint8_t*>(p);
    return b >= base_ && b < base_ + size_;
  }
  // Point the `jmp rel32` at `jmp` (the E9 byte) to `target`.
  static void patch_jump(uint8_t* jmp, const uint8_t* target);

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t used_ = 0;
};

}  // namespace jit
