// devices::Frame and a minimal PNG encoder (8-bit RGB, zlib-compressed) for
// screen dumps of graphics modes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace devices {

// A rendered picture: width x height pixels, row-major, each 0x00RRGGBB.
struct Frame {
  unsigned width = 0, height = 0;
  std::vector<uint32_t> pixels;

  uint32_t at(unsigned x, unsigned y) const { return pixels[size_t(y) * width + x]; }
};

// The PNG file for `f` (colour type 2, 8 bits per channel, no interlace,
// filter type 0 on every row). An empty frame encodes as a 1x1 black image.
std::vector<uint8_t> encode_png(const Frame& f);

// Write encode_png(f) to `path`; false (with a message in *error) on failure.
bool write_png(const std::string& path, const Frame& f, std::string* error = nullptr);

}  // namespace devices
