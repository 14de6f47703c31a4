// devices::DiskImage: file-backed disk images (see disk_image.h).
#include "devices/disk_image.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace devices {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("cannot open disk image '" + path + "': " + why);
}

}  // namespace

std::unique_ptr<DiskImage> DiskImage::open(const std::string& path, bool snapshot,
                                           bool read_only) {
  std::unique_ptr<DiskImage> img(new DiskImage);
  img->path_ = path;
  img->snapshot_ = snapshot;
  img->read_only_ = read_only;
  // A snapshot never writes the file, so it needs only read access.
  bool want_write = !read_only && !snapshot;
  int fd = -1;
  if (want_write) {
    fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
      img->read_only_ = true;  // not writable: fall back to read-only
      want_write = false;
    } else if (fd < 0) {
      fail(path, std::strerror(errno));
    }
  }
  if (fd < 0) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, std::strerror(errno));
  }
  img->fd_ = fd;  // closed by the destructor from here on
  struct stat st;
  if (::fstat(fd, &st) != 0) fail(path, std::strerror(errno));
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) fail(path, "not a regular file");
  // A writer excludes everyone; readers (-snapshot, read-only) share: a
  // snapshot run never changes the file, so any number may use it at once.
  if (::flock(fd, (want_write ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) fail(path, "image is locked by another xlat86");
    fail(path, std::string("cannot lock: ") + std::strerror(errno));
  }
  if (S_ISBLK(st.st_mode)) {
    off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) fail(path, std::strerror(errno));
    img->size_ = uint64_t(end);
  } else {
    img->size_ = uint64_t(st.st_size);
  }
  return img;
}

DiskImage::~DiskImage() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock too
}

bool DiskImage::file_read(uint64_t off, void* buf, size_t n) {
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    ssize_t got = ::pread(fd_, p, n, off_t(off));
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (got == 0) {  // the file shrank under us: read zeros
      std::memset(p, 0, n);
      return true;
    }
    p += got, off += uint64_t(got), n -= size_t(got);
  }
  return true;
}

bool DiskImage::read(uint64_t off, void* buf, size_t n) {
  if (off > size_ || n > size_ - off) return false;
  if (snapshot_ && !overlay_.empty()) return overlay_read(off, static_cast<uint8_t*>(buf), n);
  return file_read(off, buf, n);
}

bool DiskImage::write(uint64_t off, const void* buf, size_t n) {
  if (read_only_ || off > size_ || n > size_ - off) return false;
  if (snapshot_) return overlay_write(off, static_cast<const uint8_t*>(buf), n);
  auto* p = static_cast<const uint8_t*>(buf);
  while (n > 0) {
    ssize_t put = ::pwrite(fd_, p, n, off_t(off));
    if (put < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (put == 0) return false;
    p += put, off += uint64_t(put), n -= size_t(put);
  }
  return true;
}

// Sector by sector: from the overlay where a sector has been written, else
// from the file.
bool DiskImage::overlay_read(uint64_t off, uint8_t* buf, size_t n) {
  while (n > 0) {
    uint64_t sec = off / kSectorSize;
    size_t in = size_t(off % kSectorSize);
    size_t len = std::min(n, size_t(kSectorSize) - in);
    auto it = overlay_.find(sec);
    if (it != overlay_.end()) {
      std::memcpy(buf, it->second.data() + in, len);
    } else if (!file_read(off, buf, len)) {
      return false;
    }
    buf += len, off += len, n -= len;
  }
  return true;
}

bool DiskImage::overlay_write(uint64_t off, const uint8_t* buf, size_t n) {
  while (n > 0) {
    uint64_t sec = off / kSectorSize;
    size_t in = size_t(off % kSectorSize);
    size_t len = std::min(n, size_t(kSectorSize) - in);
    auto it = overlay_.find(sec);
    if (it == overlay_.end()) {
      std::vector<uint8_t> data(kSectorSize, 0);
      uint64_t start = sec * kSectorSize;
      size_t avail = size_t(std::min<uint64_t>(kSectorSize, size_ - start));
      if (len < kSectorSize && !file_read(start, data.data(), avail)) return false;
      it = overlay_.emplace(sec, std::move(data)).first;
    }
    std::memcpy(it->second.data() + in, buf, len);
    buf += len, off += len, n -= len;
  }
  return true;
}

void DiskImage::flush() {
  if (!snapshot_ && !read_only_ && fd_ >= 0) ::fsync(fd_);
}

}  // namespace devices
