// devices::DiskImage: the byte-addressed backing store of a disk drive
// (floppy or IDE), opened from a raw image file.
//
//   auto img = DiskImage::open(path, snapshot, read_only);
//   img->read(off, buf, n) / img->write(off, buf, n)   -> false on I/O errors
//                                                         (or past the end,
//                                                         or writing read-only)
//   img->flush()                                        -> fsync (file mode)
//
// Modes:
// - normal: the file is opened read-write; if it is not writable (EACCES,
//   EROFS, EPERM) it is opened read-only instead and read_only() is true.
//   Writes go straight to the file (pwrite); flush() fsyncs it.
// - read_only = true: opened read-only; write() returns false.
// - snapshot = true: the file is opened read-only and is never modified;
//   writes land in an in-memory overlay of 512-byte sectors that later reads
//   see. read_only() is false (the guest may write) unless read_only was
//   also asked for.
//
// Every open takes an exclusive advisory lock on the file (flock LOCK_EX |
// LOCK_NB), held until the image is destroyed, so a second xlat86 opening the
// same image fails with "image is locked by another xlat86". open() throws
// std::runtime_error with the path and the reason on every failure.
//
// size() is the file's size at open; reads and writes never go past it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace devices {

class DiskImage {
 public:
  static constexpr uint32_t kSectorSize = 512;  // the snapshot overlay's granule

  static std::unique_ptr<DiskImage> open(const std::string& path, bool snapshot = false,
                                         bool read_only = false);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  uint64_t size() const { return size_; }
  bool read(uint64_t off, void* buf, size_t n);
  bool write(uint64_t off, const void* buf, size_t n);
  bool read_only() const { return read_only_; }
  bool snapshot() const { return snapshot_; }
  void flush();
  const std::string& path() const { return path_; }

 private:
  DiskImage() = default;
  bool file_read(uint64_t off, void* buf, size_t n);  // pread loop, zero-fill past EOF
  bool overlay_read(uint64_t off, uint8_t* buf, size_t n);
  bool overlay_write(uint64_t off, const uint8_t* buf, size_t n);

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool read_only_ = false;
  bool snapshot_ = false;
  std::map<uint64_t, std::vector<uint8_t>> overlay_;  // sector number -> 512 bytes
};

}  // namespace devices
