// A minimal PNG writer: signature, IHDR, one IDAT holding the zlib stream of
// the filtered rows (filter type 0 = None), IEND. Chunk CRCs are CRC-32 over
// the chunk type and data (zlib's crc32), as the PNG specification requires.
#include "devices/vga_png.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace devices {

namespace {

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v >> 24));
  out.push_back(uint8_t(v >> 16));
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}

void put_chunk(std::vector<uint8_t>& out, const char type[4], const uint8_t* data, size_t len) {
  put_be32(out, uint32_t(len));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  if (len) out.insert(out.end(), data, data + len);
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, out.data() + start, uInt(out.size() - start));
  put_be32(out, uint32_t(crc));
}

}  // namespace

std::vector<uint8_t> encode_png(const Frame& f) {
  unsigned w = f.width, h = f.height;
  bool empty = w == 0 || h == 0 || f.pixels.size() < size_t(w) * h;
  if (empty) w = h = 1;

  // Raw scanlines: a filter byte (0) then R, G, B per pixel.
  std::vector<uint8_t> raw;
  raw.reserve(size_t(h) * (1 + size_t(w) * 3));
  for (unsigned y = 0; y < h; ++y) {
    raw.push_back(0);
    for (unsigned x = 0; x < w; ++x) {
      uint32_t p = empty ? 0 : f.pixels[size_t(y) * f.width + x];
      raw.push_back(uint8_t(p >> 16));
      raw.push_back(uint8_t(p >> 8));
      raw.push_back(uint8_t(p));
    }
  }
  uLongf zlen = compressBound(uLong(raw.size()));
  std::vector<uint8_t> z(zlen);
  if (compress2(z.data(), &zlen, raw.data(), uLong(raw.size()), 6) != Z_OK)
    throw std::runtime_error("PNG: zlib compression failed");
  z.resize(zlen);

  static const uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> out(kSignature, kSignature + 8);
  uint8_t ihdr[13];
  ihdr[0] = uint8_t(w >> 24), ihdr[1] = uint8_t(w >> 16), ihdr[2] = uint8_t(w >> 8), ihdr[3] = uint8_t(w);
  ihdr[4] = uint8_t(h >> 24), ihdr[5] = uint8_t(h >> 16), ihdr[6] = uint8_t(h >> 8), ihdr[7] = uint8_t(h);
  ihdr[8] = 8;   // bit depth
  ihdr[9] = 2;   // colour type: truecolour
  ihdr[10] = 0;  // compression: deflate
  ihdr[11] = 0;  // filter method 0
  ihdr[12] = 0;  // no interlace
  put_chunk(out, "IHDR", ihdr, sizeof ihdr);
  put_chunk(out, "IDAT", z.data(), z.size());
  put_chunk(out, "IEND", nullptr, 0);
  return out;
}

bool write_png(const std::string& path, const Frame& f, std::string* error) {
  std::vector<uint8_t> png = encode_png(f);
  FILE* fp = std::fopen(path.c_str(), "wb");
  if (!fp) {
    if (error) *error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(png.data(), 1, png.size(), fp) == png.size();
  int err = errno;
  if (std::fclose(fp) != 0) ok = false, err = errno;
  if (!ok && error) *error = "cannot write '" + path + "': " + std::strerror(err);
  return ok;
}

}  // namespace devices
