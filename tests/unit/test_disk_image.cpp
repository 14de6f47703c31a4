// devices::DiskImage: file-backed images, read-only fallback, snapshot overlay, locking.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/disk_image.h"

using devices::DiskImage;

namespace {

// A temporary file of `size` bytes where byte i = (i * 7 + i / 512) & 0xFF;
// removed at the end of the test.
struct TempImage {
  std::string path;
  explicit TempImage(size_t size) {
    char name[] = "/tmp/xlat86-disk-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    path = name;
    std::vector<uint8_t> data(size);
    for (size_t i = 0; i < size; ++i) data[i] = uint8_t(i * 7 + i / 512);
    REQUIRE(::write(fd, data.data(), size) == ssize_t(size));
    ::close(fd);
  }
  ~TempImage() { ::unlink(path.c_str()); }
  std::vector<uint8_t> contents() const {
    std::vector<uint8_t> d;
    FILE* f = fopen(path.c_str(), "rb");
    REQUIRE(f);
    int c;
    while ((c = fgetc(f)) != EOF) d.push_back(uint8_t(c));
    fclose(f);
    return d;
  }
};

uint8_t pattern(size_t i) { return uint8_t(i * 7 + i / 512); }

std::string open_error(const std::string& path, bool snapshot = false, bool ro = false) {
  try {
    DiskImage::open(path, snapshot, ro);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("disk: read and write reach the file") {
  TempImage t(8192);
  auto img = DiskImage::open(t.path, false, false);
  CHECK(img->size() == 8192);
  CHECK_FALSE(img->read_only());
  CHECK(img->path() == t.path);
  uint8_t buf[600];
  REQUIRE(img->read(1000, buf, sizeof buf));
  for (size_t i = 0; i < sizeof buf; ++i) REQUIRE(buf[i] == pattern(1000 + i));
  std::memset(buf, 0xA5, sizeof buf);
  REQUIRE(img->write(700, buf, sizeof buf));
  img->flush();
  auto d = t.contents();
  CHECK(d.size() == 8192);
  CHECK(d[699] == pattern(699));
  CHECK(d[700] == 0xA5);
  CHECK(d[1299] == 0xA5);
  CHECK(d[1300] == pattern(1300));
  // Past the end: refused, nothing written.
  CHECK_FALSE(img->read(8000, buf, 300));
  CHECK_FALSE(img->write(8192, buf, 1));
  CHECK(img->read(8192, buf, 0));
  CHECK(t.contents().size() == 8192);
}

TEST_CASE("disk: snapshot mode keeps writes in memory") {
  TempImage t(4096);
  auto before = t.contents();
  {
    auto img = DiskImage::open(t.path, true, false);
    CHECK(img->snapshot());
    CHECK_FALSE(img->read_only());
    std::vector<uint8_t> w(700, 0x5A);
    REQUIRE(img->write(300, w.data(), w.size()));  // partial sectors 0 and 1
    img->flush();
    std::vector<uint8_t> r(1536);
    REQUIRE(img->read(0, r.data(), r.size()));
    for (size_t i = 0; i < r.size(); ++i) {
      uint8_t want = (i >= 300 && i < 1000) ? 0x5A : pattern(i);
      REQUIRE(r[i] == want);
    }
    CHECK(t.contents() == before);
  }
  CHECK(t.contents() == before);  // nothing written back on close either
}

TEST_CASE("disk: read-only open and fallback") {
  TempImage t(1024);
  {
    auto img = DiskImage::open(t.path, false, true);
    CHECK(img->read_only());
    uint8_t b = 0;
    CHECK_FALSE(img->write(0, &b, 1));
    CHECK(img->read(1, &b, 1));
    CHECK(b == pattern(1));
  }
  if (geteuid() != 0) {  // root may write anyway
    REQUIRE(chmod(t.path.c_str(), 0444) == 0);
    auto img = DiskImage::open(t.path, false, false);
    CHECK(img->read_only());
    uint8_t b = 0;
    CHECK_FALSE(img->write(0, &b, 1));
    CHECK(t.contents()[0] == pattern(0));
  }
}

TEST_CASE("disk: a second open of the same image is refused by the lock") {
  TempImage t(1024);
  {
    auto img = DiskImage::open(t.path, false, false);
    std::string e = open_error(t.path);
    CHECK(e.find("image is locked by another xlat86") != std::string::npos);
    CHECK(e.find(t.path) != std::string::npos);
    // Snapshot and read-only opens take the lock as well.
    CHECK(open_error(t.path, true).find("locked") != std::string::npos);
    CHECK(open_error(t.path, false, true).find("locked") != std::string::npos);
  }
  CHECK(open_error(t.path) == "");  // released with the first image
}

TEST_CASE("disk: snapshot and read-only opens share the image; a writer is refused meanwhile") {
  TempImage t(1024);
  auto a = DiskImage::open(t.path, true, false);
  auto b = DiskImage::open(t.path, true, false);
  auto c = DiskImage::open(t.path, false, true);
  CHECK(a);
  CHECK(b);
  CHECK(c);
  CHECK(open_error(t.path).find("image is locked by another xlat86") != std::string::npos);
}

TEST_CASE("disk: a missing file is a clear error") {
  std::string e = open_error("/nonexistent/xlat86-image.img");
  CHECK(e.find("/nonexistent/xlat86-image.img") != std::string::npos);
  CHECK(e.find("No such file") != std::string::npos);
}
