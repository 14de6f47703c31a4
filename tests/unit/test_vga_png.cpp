// devices::encode_png and Vga::screen_dump: the PNG is parsed back (chunk
// layout, CRCs, IHDR, inflated scanlines) and the dump files are compared.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "test_vga_rig.h"

namespace {

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

struct Chunk {
  std::string type;
  std::vector<uint8_t> data;
};

// Split a PNG into chunks, checking the signature and every CRC.
std::vector<Chunk> parse_png(const std::vector<uint8_t>& png) {
  static const uint8_t kSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  REQUIRE(png.size() >= 8);
  REQUIRE(std::equal(kSig, kSig + 8, png.begin()));
  std::vector<Chunk> out;
  size_t pos = 8;
  while (pos + 12 <= png.size()) {
    uint32_t len = be32(&png[pos]);
    REQUIRE(pos + 12 + len <= png.size());
    Chunk c{std::string(png.begin() + pos + 4, png.begin() + pos + 8),
            std::vector<uint8_t>(png.begin() + pos + 8, png.begin() + pos + 8 + len)};
    uLong crc = crc32(0L, png.data() + pos + 4, uInt(4 + len));
    CHECK(be32(&png[pos + 8 + len]) == uint32_t(crc));
    out.push_back(std::move(c));
    pos += 12 + len;
  }
  CHECK(pos == png.size());
  return out;
}

std::vector<uint8_t> inflate_all(const std::vector<uint8_t>& z, size_t expect) {
  std::vector<uint8_t> raw(expect + 16);
  uLongf len = uLongf(raw.size());
  REQUIRE(uncompress(raw.data(), &len, z.data(), uLong(z.size())) == Z_OK);
  raw.resize(len);
  return raw;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          ("xlat86-vga-" + std::to_string(getpid()) + "-" + name))
      .string();
}

}  // namespace

TEST_CASE("vga: PNG encoder writes valid chunks and the exact pixels") {
  devices::Frame f;
  f.width = 3, f.height = 2;
  f.pixels = {0xFF0000, 0x00FF00, 0x0000FF, 0x123456, 0xFFFFFF, 0x000000};
  std::vector<Chunk> chunks = parse_png(devices::encode_png(f));
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].type == "IHDR");
  CHECK(chunks[1].type == "IDAT");
  CHECK(chunks[2].type == "IEND");
  CHECK(chunks[2].data.empty());
  const std::vector<uint8_t>& h = chunks[0].data;
  REQUIRE(h.size() == 13);
  CHECK(be32(&h[0]) == 3);
  CHECK(be32(&h[4]) == 2);
  CHECK(h[8] == 8);   // bits per channel
  CHECK(h[9] == 2);   // truecolour
  CHECK(h[10] == 0);
  CHECK(h[11] == 0);
  CHECK(h[12] == 0);
  std::vector<uint8_t> raw = inflate_all(chunks[1].data, 2 * (1 + 9));
  const std::vector<uint8_t> expect = {0, 0xFF, 0, 0, 0, 0xFF, 0, 0, 0, 0xFF,
                                       0, 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF, 0, 0, 0};
  CHECK(raw == expect);

  devices::Frame empty;
  chunks = parse_png(devices::encode_png(empty));  // a 1x1 black image
  REQUIRE(chunks.size() == 3);
  CHECK(be32(&chunks[0].data[0]) == 1);
  CHECK(inflate_all(chunks[1].data, 4) == std::vector<uint8_t>{0, 0, 0, 0});
}

TEST_CASE("vga: screen dump is UTF-8 text in text modes and PNG in graphics modes") {
  vgatest::Rig r;
  r.program(vgatest::kMode3);
  r.wb(0xB8000, 0xC9), r.wb(0xB8002, 'O'), r.wb(0xB8004, 'K');
  std::string txt = temp_path("screen.txt"), png = temp_path("screen.png");
  std::string err;
  REQUIRE(r.vga.screen_dump(txt, &err));
  std::vector<uint8_t> text = read_file(txt);
  CHECK(std::string(text.begin(), text.end()) == r.vga.text_dump());
  CHECK(std::string(text.begin(), text.begin() + 5) == "╔OK");

  r.program(vgatest::kMode13);
  r.dac(7, 63, 63, 0);
  r.wb(0xA0000 + 320 * 10 + 10, 7);
  REQUIRE(r.vga.screen_dump(png, &err));
  std::vector<Chunk> chunks = parse_png(read_file(png));
  REQUIRE(chunks.size() == 3);
  CHECK(be32(&chunks[0].data[0]) == 320);
  CHECK(be32(&chunks[0].data[4]) == 200);
  std::vector<uint8_t> raw = inflate_all(chunks[1].data, 200 * (1 + 960));
  REQUIRE(raw.size() == 200 * 961);
  const uint8_t* px = &raw[10 * 961 + 1 + 10 * 3];
  CHECK(px[0] == 0xFF);
  CHECK(px[1] == 0xFF);
  CHECK(px[2] == 0x00);
  CHECK(px[3] == 0x00);
  std::remove(txt.c_str());
  std::remove(png.c_str());

  CHECK(!r.vga.screen_dump("/nonexistent-dir/x.png", &err));
  CHECK(err.find("cannot open '/nonexistent-dir/x.png'") == 0);
}
