#include "jit/code_cache.h"

#include <sys/mman.h>

#include <asmjit/x86.h>
#include <cstring>
#include <stdexcept>
#include <string>

namespace jit {
namespace {

void anchor() {}

// Try to map `bytes` RWX within +-1 GiB of our own code, else anywhere.
uint8_t* map_near(size_t bytes) {
  const int prot = PROT_READ | PROT_WRITE | PROT_EXEC;
  const int flags = MAP_PRIVATE | MAP_ANONYMOUS;
  uintptr_t text = reinterpret_cast<uintptr_t>(&anchor) & ~uintptr_t(0xFFFFF);
  for (uintptr_t dist = uintptr_t(256) << 20; dist <= (uintptr_t(1) << 30); dist += uintptr_t(256) << 20) {
    for (int dir : {-1, 1}) {
      uintptr_t hint = dir < 0 ? text - dist - bytes : text + dist;
      void* p = mmap(reinterpret_cast<void*>(hint), bytes, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
      if (p != MAP_FAILED) {
        if (reinterpret_cast<uintptr_t>(p) == hint) return static_cast<uint8_t*>(p);
        munmap(p, bytes);  // an old kernel ignored the flag and put it elsewhere
      }
    }
  }
  void* p = mmap(nullptr, bytes, prot, flags, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

}  // namespace

CodeCache::CodeCache(size_t bytes) : size_((bytes + 4095) & ~size_t(4095)) {
  base_ = map_near(size_);
  if (!base_)
    throw std::runtime_error("cannot map " + std::to_string(size_ >> 10) +
                             " KiB of executable memory for the translator's code cache");
}

CodeCache::~CodeCache() {
  if (base_) munmap(base_, size_);
}

uint8_t* CodeCache::commit(asmjit::CodeHolder& code) {
  using namespace asmjit;
  if (code.flatten() != kErrorOk || code.resolveUnresolvedLinks() != kErrorOk) return nullptr;
  if (code.relocateToBase(uint64_t(uintptr_t(cursor()))) != kErrorOk) return nullptr;
  size_t n = code.codeSize();
  if (n > size_ - used_) return nullptr;
  uint8_t* p = cursor();
  if (code.copyFlattenedData(p, n, CopySectionFlags::kPadSectionBuffer) != kErrorOk) return nullptr;
  used_ = (used_ + n + 15) & ~size_t(15);
  if (used_ > size_) used_ = size_;
  return p;
}

void CodeCache::patch_jump(uint8_t* jmp, const uint8_t* target) {
  int32_t rel = int32_t(target - (jmp + 5));
  std::memcpy(jmp + 1, &rel, 4);
}

}  // namespace jit
