// The CPU on top of the soft TLB: paging turned on by guest code, #PF with
// CR2, self-modifying code through a second linear alias, blocks crossing a
// page boundary, INVLPG.
#include <doctest/doctest.h>

#include "test_machine.h"

using namespace cpu;

namespace {
constexpr uint32_t kPd = 0x10000, kPt = 0x11000;
// Identity-map the first 4 MiB with 4 KiB pages (present, writable, user).
void identity_map(xt::TestMachine& t) {
  t.mem.write<uint32_t>(kPd, kPt | 7);
  for (uint32_t p = 0; p < 1024; ++p) t.mem.write<uint32_t>(kPt + p * 4, (p << 12) | 7);
}
void map(xt::TestMachine& t, uint32_t lin, uint32_t phys, uint32_t flags = 7) {
  t.mem.write<uint32_t>(kPt + ((lin >> 12) & 1023) * 4, (phys & ~0xFFFu) | flags);
}
// mov eax,kPd ; mov cr3,eax ; mov eax,cr0 ; or eax,0x80000000 ; mov cr0,eax
const std::initializer_list<uint8_t> kEnablePaging = {0xB8, 0x00, 0x00, 0x01, 0x00, 0x0F, 0x22, 0xD8,
                                                      0x0F, 0x20, 0xC0, 0x0D, 0x00, 0x00, 0x00, 0x80,
                                                      0x0F, 0x22, 0xC0};
std::vector<uint8_t> cat(std::initializer_list<uint8_t> a, std::initializer_list<uint8_t> b) {
  std::vector<uint8_t> v(a);
  v.insert(v.end(), b);
  v.push_back(0xF4);
  return v;
}
void run(xt::TestMachine& t, const std::vector<uint8_t>& code) {
  t.mem.load(xt::TestMachine::kCode, code.data(), uint32_t(code.size()));
  t.engine->run(t.c, 10000);
}
}  // namespace

TEST_CASE("paging-cpu: guest code enables paging and reads through a mapping") {
  xt::TestMachine t(4u << 20);
  t.flat32();
  identity_map(t);
  map(t, 0x3FF000, 0x200000);
  t.mem.write<uint32_t>(0x200010, 0xCAFEF00D);
  // mov ebx,[0x3FF010]
  run(t, cat(kEnablePaging, {0x8B, 0x1D, 0x10, 0xF0, 0x3F, 0x00}));
  CHECK(t.c.halted);
  CHECK((t.c.cr[0] & CR0_PG) != 0);
  CHECK(t.r(EBX) == 0xCAFEF00D);
  // The walk set the accessed bit of the PTE used.
  CHECK((t.mem.read<uint32_t>(kPt + 0x3FF * 4) & 0x20) != 0);
}

TEST_CASE("paging-cpu: a write to a not-present page is #PF with CR2, nothing written") {
  xt::TestMachine t(4u << 20);
  t.flat32();
  identity_map(t);
  map(t, 0x3FE000, 0x3FE000, 0);  // not present
  t.c.gpr[EDX] = 0;
  // mov ecx,7 ; mov [0x3FE004],ecx (faults) ; mov edx,1
  run(t, cat(kEnablePaging, {0xB9, 0x07, 0x00, 0x00, 0x00, 0x89, 0x0D, 0x04, 0xE0, 0x3F, 0x00, 0xBA,
                             0x01, 0x00, 0x00, 0x00}));
  CHECK(t.c.cr[2] == 0x3FE004);
  CHECK(t.r(ECX) == 7);
  CHECK(t.r(EDX) == 0);
  CHECK(t.mem.read<uint32_t>(0x3FE004) == 0);
}

TEST_CASE("paging-cpu: code modified through another linear alias is re-decoded") {
  xt::TestMachine t(4u << 20);
  t.flat32();
  identity_map(t);
  map(t, 0x3FF000, xt::TestMachine::kCode & ~0xFFFu);  // alias of the code page
  // Run twice over a patched instruction: the second pass must see the patch.
  // loop: inc esi ; (patch site) mov al,1 ; add edi,eax ; cmp esi,2 ; je done
  //       mov byte [alias of patch site + 1], 5 ; jmp loop ; done: hlt
  const uint32_t code = xt::TestMachine::kCode;
  std::vector<uint8_t> v(kEnablePaging);
  v.insert(v.end(), {0x31, 0xC0});  // xor eax,eax
  uint32_t loop = code + uint32_t(v.size());
  v.insert(v.end(), {0x46, 0xB0, 0x01, 0x01, 0xC7, 0x83, 0xFE, 0x02, 0x74, 0x09});
  uint32_t patch_imm = loop + 2;
  uint32_t alias = 0x3FF000 | (patch_imm & 0xFFF);
  v.insert(v.end(), {0xC6, 0x05, uint8_t(alias), uint8_t(alias >> 8), uint8_t(alias >> 16), uint8_t(alias >> 24), 0x05});
  int8_t back = int8_t(int32_t(loop) - int32_t(code + v.size() + 2));
  v.insert(v.end(), {0xEB, uint8_t(back)});
  v.push_back(0xF4);
  t.mem.load(code, v.data(), uint32_t(v.size()));
  t.engine->run(t.c, 10000);
  CHECK(t.c.halted);
  CHECK(t.r(EDI) == 1 + 5);
  CHECK(t.engine->icache().stats().invalidations >= 1);
}

TEST_CASE("paging-cpu: an instruction crossing into an unmapped page faults on that page") {
  xt::TestMachine t(4u << 20);
  t.flat32();
  identity_map(t);
  map(t, 0x3FF000, 0x200000);
  map(t, 0x400000 - 0x1000 * 0, 0x200000);  // keep slot sane
  // Jump to 0x3FFFFE where "mov eax, imm32" starts and runs into 0x400000
  // (beyond the 4 MiB page table: not present).
  t.mem.write<uint8_t>(0x200FFE, 0xB8);
  t.mem.write<uint8_t>(0x200FFF, 0x11);
  t.mem.write<uint32_t>(kPd + 4, 0);  // PDE for 4-8 MiB not present
  // mov ecx,0x3FFFFE ; jmp ecx
  run(t, cat(kEnablePaging, {0xB9, 0xFE, 0xFF, 0x3F, 0x00, 0xFF, 0xE1}));
  CHECK(t.c.cr[2] == 0x400000);
}

TEST_CASE("paging-cpu: INVLPG makes a changed PTE visible") {
  xt::TestMachine t(4u << 20);
  t.flat32();
  identity_map(t);
  map(t, 0x3FF000, 0x200000);
  t.mem.write<uint32_t>(0x200000, 0x11111111);
  t.mem.write<uint32_t>(0x201000, 0x22222222);
  // mov eax,[0x3FF000] ; mov dword [pte of 0x3FF000], 0x201007 ; mov ebx,[0x3FF000]
  // invlpg [0x3FF000] ; mov ecx,[0x3FF000]
  uint32_t pte = kPt + 0x3FF * 4;
  run(t, cat(kEnablePaging, {0xA1, 0x00, 0xF0, 0x3F, 0x00,
                             0xC7, 0x05, uint8_t(pte), uint8_t(pte >> 8), uint8_t(pte >> 16), 0x00, 0x07, 0x10, 0x20, 0x00,
                             0x8B, 0x1D, 0x00, 0xF0, 0x3F, 0x00,
                             0x0F, 0x01, 0x3D, 0x00, 0xF0, 0x3F, 0x00,
                             0x8B, 0x0D, 0x00, 0xF0, 0x3F, 0x00}));
  CHECK(t.r(EAX) == 0x11111111);
  CHECK(t.r(EBX) == 0x11111111);  // stale TLB entry, as on hardware
  CHECK(t.r(ECX) == 0x22222222);
}
