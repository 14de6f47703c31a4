#include "devices/fwcfg.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace devices {

namespace {
void put_le(std::vector<uint8_t>& out, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put_be(std::vector<uint8_t>& out, uint64_t v, unsigned bytes) {
  for (unsigned i = bytes; i-- > 0;) out.push_back(uint8_t(v >> (8 * i)));
}
}  // namespace

FwCfg::FwCfg(uint64_t ram_bytes, uint16_t cpus) {
  set_item(kSignature, {'Q', 'E', 'M', 'U'});
  set_int(kId, 1, 4);
  set_int(kRamSize, ram_bytes, 8);
  set_int(kNbCpus, cpus, 2);
  set_int(kMaxCpus, cpus, 2);
  set_boot_menu(false);
  set_nographic(false);
  rebuild_directory();
}

void FwCfg::map(IoBus& io) {
  io.map(
      kSelectorPort, kDataPort,
      [this](uint16_t port, unsigned size) -> uint32_t {
        if (port != kDataPort) return 0xFFFFFFFFu;
        return read_data() | 0xFFFFFF00u;
      },
      [this](uint16_t port, unsigned size, uint32_t v) {
        if (port == kSelectorPort && size >= 2) select(uint16_t(v));
      });
}

void FwCfg::set_item(uint16_t key, std::vector<uint8_t> data) {
  key &= uint16_t(~kWriteChannel);
  if (key == kFileDir) throw std::invalid_argument("fw_cfg: the file directory is built from add_file");
  items_[key] = std::move(data);
}

void FwCfg::set_int(uint16_t key, uint64_t v, unsigned bytes) {
  std::vector<uint8_t> d;
  put_le(d, v, bytes);
  set_item(key, std::move(d));
}

uint16_t FwCfg::add_file(const std::string& name, std::vector<uint8_t> data) {
  if (name.empty() || name.size() > kMaxName || name.find('\0') != std::string::npos)
    throw std::invalid_argument("fw_cfg: bad file name '" + name + "'");
  uint16_t key = 0;
  for (const File& f : files_)
    if (f.name == name) key = f.key;
  if (!key) {
    key = uint16_t(kFileFirst + files_.size());
    if (key >= kWriteChannel) throw std::length_error("fw_cfg: too many files");
    files_.push_back(File{name, key});
  }
  items_[key] = std::move(data);
  rebuild_directory();
  return key;
}

uint16_t FwCfg::add_file_int(const std::string& name, uint64_t v, unsigned bytes) {
  std::vector<uint8_t> d;
  put_le(d, v, bytes);
  return add_file(name, std::move(d));
}

void FwCfg::rebuild_directory() {
  std::vector<const File*> sorted;
  for (const File& f : files_) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const File* a, const File* b) { return a->name < b->name; });
  std::vector<uint8_t> dir;
  put_be(dir, sorted.size(), 4);
  for (const File* f : sorted) {
    put_be(dir, items_[f->key].size(), 4);
    put_be(dir, f->key, 2);
    put_be(dir, 0, 2);
    for (size_t i = 0; i < 56; ++i) dir.push_back(i < f->name.size() ? uint8_t(f->name[i]) : 0);
  }
  items_[kFileDir] = std::move(dir);
}

void FwCfg::set_e820(const std::vector<E820Entry>& entries) {
  std::vector<uint8_t> d;
  for (const E820Entry& e : entries) {
    put_le(d, e.address, 8);
    put_le(d, e.length, 8);
    put_le(d, e.type, 4);
  }
  add_file("etc/e820", std::move(d));
}

void FwCfg::set_boot_order(const std::vector<std::string>& paths, bool strict) {
  std::string s;
  for (const std::string& p : paths) s += p + "\n";
  if (strict) s += "HALT\n";
  if (!s.empty()) s.back() = '\0';  // lines separated by '\n', NUL-terminated
  else s.push_back('\0');
  add_file("bootorder", std::vector<uint8_t>(s.begin(), s.end()));
}

std::vector<FwCfg::E820Entry> FwCfg::pc_e820(uint64_t ram_bytes) {
  std::vector<E820Entry> e;
  e.push_back({0, std::min<uint64_t>(ram_bytes, 0xA0000), 1});
  e.push_back({0xA0000, 0x60000, 2});
  if (ram_bytes > 0x100000) e.push_back({0x100000, ram_bytes - 0x100000, 1});
  return e;
}

std::string FwCfg::floppy_path(unsigned unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "/pci@i0cf8/isa@1/fdc@03f0/floppy@%x", unit);
  return buf;
}

std::string FwCfg::ata_path(unsigned channel, unsigned slave) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "/pci@i0cf8/ide@1,1/drive@%x/disk@%x", channel, slave);
  return buf;
}

void FwCfg::select(uint16_t selector) {
  selector_ = selector;
  offset_ = 0;
}

const std::vector<uint8_t>* FwCfg::item(uint16_t key) const {
  auto it = items_.find(uint16_t(key & ~kWriteChannel));
  return it == items_.end() ? nullptr : &it->second;
}

uint8_t FwCfg::read_data() {
  const std::vector<uint8_t>* d = item(selector_);
  if (!d || offset_ >= d->size()) return 0;
  return (*d)[offset_++];
}

}  // namespace devices
