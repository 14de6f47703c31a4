// xlat86-pngcheck: decodes a PNG screen dump and compares every pixel with a
// pattern that roms/draw.asm draws, computed here from the pattern's written
// definition (not from the emulator's code).
//
//   xlat86-pngcheck FILE.png 13h    the mode 13h picture of draw_13h.img
//   xlat86-pngcheck FILE.png modex  the 320x240 mode X picture of draw_modex.img
//   xlat86-pngcheck FILE.png 12h    the 640x480x16 mode 12h picture of draw_12h.img
//   xlat86-pngcheck FILE.png vbe    the VBE 640x480x32 picture of draw_vbe.img
//   xlat86-pngcheck FILE.png vbe1024  the same pattern at 1024x768x32 (draw_vbe1024.img)
//   xlat86-pngcheck --selftest      the decoder on all five filter types, and
//                                   the comparison catching a one-pixel change
//
// The decoder takes what a screen dump may be: 8 bits per channel, colour
// type 2 (RGB) or 6 (RGBA, alpha ignored), no interlace, any of the five
// filter types per row, the zlib stream split over any number of IDAT chunks.
// Chunk CRCs are checked. Exit status 0 on a match, 1 on any difference or error.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Image {
  unsigned w = 0, h = 0;
  std::vector<uint32_t> px;  // 0x00RRGGBB, row-major
};

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

int paeth(int a, int b, int c) {
  int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

Image decode(const std::vector<uint8_t>& f) {
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (f.size() < 8 || std::memcmp(f.data(), sig, 8) != 0) throw std::runtime_error("not a PNG signature");
  size_t pos = 8;
  Image img;
  unsigned channels = 0;
  std::vector<uint8_t> z;
  bool ihdr = false, iend = false;
  while (!iend) {
    if (pos + 12 > f.size()) throw std::runtime_error("truncated chunk");
    uint32_t len = be32(&f[pos]);
    if (len > f.size() - pos - 12) throw std::runtime_error("chunk length past the end");
    const uint8_t* type = &f[pos + 4];
    const uint8_t* data = type + 4;
    uLong crc = crc32(crc32(0L, Z_NULL, 0), type, uInt(len + 4));
    if (crc != be32(data + len)) throw std::runtime_error("bad CRC on chunk " + std::string((const char*)type, 4));
    std::string t((const char*)type, 4);
    if (!ihdr && t != "IHDR") throw std::runtime_error("first chunk is not IHDR");
    if (t == "IHDR") {
      if (len != 13 || ihdr) throw std::runtime_error("bad IHDR");
      ihdr = true;
      img.w = be32(data), img.h = be32(data + 4);
      if (data[8] != 8) throw std::runtime_error("bit depth " + std::to_string(data[8]) + " (want 8)");
      if (data[9] == 2) channels = 3;
      else if (data[9] == 6) channels = 4;
      else throw std::runtime_error("colour type " + std::to_string(data[9]) + " (want 2 or 6)");
      if (data[10] != 0 || data[11] != 0) throw std::runtime_error("unknown compression/filter method");
      if (data[12] != 0) throw std::runtime_error("interlaced");
      if (img.w == 0 || img.h == 0 || img.w > 16384 || img.h > 16384) throw std::runtime_error("bad size");
    } else if (t == "IDAT") {
      z.insert(z.end(), data, data + len);
    } else if (t == "IEND") {
      iend = true;
    } else if (!(type[0] & 0x20)) {
      throw std::runtime_error("unknown critical chunk " + t);
    }
    pos += 12 + len;
  }
  size_t stride = size_t(img.w) * channels;
  std::vector<uint8_t> raw(img.h * (stride + 1) + 1);
  z_stream s{};
  if (inflateInit(&s) != Z_OK) throw std::runtime_error("inflateInit");
  s.next_in = z.data(), s.avail_in = uInt(z.size());
  s.next_out = raw.data(), s.avail_out = uInt(raw.size());
  int r = inflate(&s, Z_FINISH);
  size_t got = raw.size() - s.avail_out;
  inflateEnd(&s);
  if (r != Z_STREAM_END) throw std::runtime_error("zlib stream does not end where the image does");
  if (got != img.h * (stride + 1)) throw std::runtime_error("image data is " + std::to_string(got) + " bytes");

  std::vector<uint8_t> prev(stride, 0), cur(stride);
  img.px.resize(size_t(img.w) * img.h);
  for (unsigned y = 0; y < img.h; ++y) {
    const uint8_t* in = &raw[y * (stride + 1)];
    uint8_t ft = in[0];
    ++in;
    for (size_t i = 0; i < stride; ++i) {
      int a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
      int pred;
      switch (ft) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: pred = paeth(a, b, c); break;
        default: throw std::runtime_error("row " + std::to_string(y) + ": filter type " + std::to_string(ft));
      }
      cur[i] = uint8_t(in[i] + pred);
    }
    for (unsigned x = 0; x < img.w; ++x) {
      const uint8_t* p = &cur[size_t(x) * channels];
      img.px[size_t(y) * img.w + x] = uint32_t(p[0]) << 16 | p[1] << 8 | p[2];
    }
    prev.swap(cur);
  }
  return img;
}

// ---- the patterns (definitions copied from the comments in roms/draw.asm) ----

// Mode 13h, 320x200. DAC entry i: R = (i&7)*9, G = ((i>>3)&7)*9, B = (i>>6)*21,
// six bits each, shown as 8 bits by v<<2 | v>>4 (63 -> 255).
Image expect_13h() {
  Image e{320, 200, {}};
  e.px.resize(320 * 200);
  auto dac8 = [](unsigned v) { return (v << 2) | (v >> 4); };
  for (unsigned y = 0; y < 200; ++y)
    for (unsigned x = 0; x < 320; ++x) {
      unsigned c = y < 160 ? (x / 20) * 16 + y / 10 : (x + y) & 255;
      if (x == y) c = 255;
      unsigned r = (c & 7) * 9, g = ((c >> 3) & 7) * 9, b = (c >> 6) * 21;
      e.px[y * 320 + x] = dac8(r) << 16 | dac8(g) << 8 | dac8(b);
    }
  return e;
}

// Mode X, 320x240 unchained, the mode 13h palette above:
// colour (x / 20) * 16 + y / 15, except 0 where x == y.
Image expect_modex() {
  Image e{320, 240, {}};
  e.px.resize(320 * 240);
  auto dac8 = [](unsigned v) { return (v << 2) | (v >> 4); };
  for (unsigned y = 0; y < 240; ++y)
    for (unsigned x = 0; x < 320; ++x) {
      unsigned c = x == y ? 0 : (x / 20) * 16 + y / 15;
      unsigned r = (c & 7) * 9, g = ((c >> 3) & 7) * 9, b = (c >> 6) * 21;
      e.px[y * 320 + x] = dac8(r) << 16 | dac8(g) << 8 | dac8(b);
    }
  return e;
}

// Mode 12h, 640x480, the sixteen standard EGA/VGA colours (the BIOS default):
// y < 240: colour x / 40; below: (x / 8 + y / 8) & 15; colour 15 where x == y - 240.
Image expect_12h() {
  static const uint32_t ega[16] = {0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA,
                                   0xAA5500, 0xAAAAAA, 0x555555, 0x5555FF, 0x55FF55, 0x55FFFF,
                                   0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF};
  Image e{640, 480, {}};
  e.px.resize(640 * 480);
  for (unsigned y = 0; y < 480; ++y)
    for (unsigned x = 0; x < 640; ++x) {
      unsigned c = y < 240 ? x / 40 : (x / 8 + y / 8) & 15;
      if (y >= 240 && x == y - 240) c = 15;
      e.px[y * 640 + x] = ega[c];
    }
  return e;
}

// VBE w x h, 32 bpp: y < h-80: R = x&255, G = y&255, B = (x^y)&255; below,
// eight w/8-pixel bars white, yellow, cyan, green, magenta, red, blue, black.
Image expect_vbe(unsigned w = 640, unsigned h = 480) {
  static const uint32_t bars[8] = {0xFFFFFF, 0xFFFF00, 0x00FFFF, 0x00FF00, 0xFF00FF, 0xFF0000, 0x0000FF, 0};
  Image e{w, h, {}};
  e.px.resize(size_t(w) * h);
  for (unsigned y = 0; y < h; ++y)
    for (unsigned x = 0; x < w; ++x)
      e.px[size_t(y) * w + x] = y < h - 80 ? (x & 255) << 16 | (y & 255) << 8 | ((x ^ y) & 255) : bars[x / (w / 8)];
  return e;
}

// Number of differing pixels (all of them on a size mismatch); prints the first few.
size_t compare(const Image& got, const Image& want, const char* what) {
  if (got.w != want.w || got.h != want.h) {
    std::printf("%s: image is %ux%u, expected %ux%u\n", what, got.w, got.h, want.w, want.h);
    return size_t(want.w) * want.h;
  }
  size_t bad = 0;
  for (unsigned y = 0; y < want.h; ++y)
    for (unsigned x = 0; x < want.w; ++x) {
      uint32_t g = got.px[size_t(y) * want.w + x], w = want.px[size_t(y) * want.w + x];
      if (g != w && ++bad <= 5) std::printf("%s: pixel (%u,%u) is %06X, expected %06X\n", what, x, y, g, w);
    }
  return bad;
}

// ---- self-test: an encoder with a chosen filter per row ----

std::vector<uint8_t> wrap(unsigned w, unsigned h, unsigned channels, const std::vector<uint8_t>& raw,
                          size_t idat_split);

std::vector<uint8_t> encode(const Image& img, unsigned channels, const std::vector<int>& filters,
                            size_t idat_split) {
  size_t stride = size_t(img.w) * channels;
  std::vector<uint8_t> raw, prev(stride, 0), cur(stride);
  for (unsigned y = 0; y < img.h; ++y) {
    for (unsigned x = 0; x < img.w; ++x) {
      uint32_t p = img.px[size_t(y) * img.w + x];
      uint8_t* q = &cur[size_t(x) * channels];
      q[0] = uint8_t(p >> 16), q[1] = uint8_t(p >> 8), q[2] = uint8_t(p);
      if (channels == 4) q[3] = uint8_t(x * 7 + y);  // alpha: ignored by the decoder
    }
    int ft = filters[y % filters.size()];
    raw.push_back(uint8_t(ft));
    for (size_t i = 0; i < stride; ++i) {
      int a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
      int pred = ft == 0 ? 0 : ft == 1 ? a : ft == 2 ? b : ft == 3 ? (a + b) / 2 : paeth(a, b, c);
      raw.push_back(uint8_t(cur[i] - pred));
    }
    prev = cur;
  }
  return wrap(img.w, img.h, channels, raw, idat_split);
}

// A PNG around already filtered rows `raw`.
std::vector<uint8_t> wrap(unsigned w, unsigned h, unsigned channels, const std::vector<uint8_t>& raw,
                          size_t idat_split) {
  uLongf zl = compressBound(uLong(raw.size()));
  std::vector<uint8_t> zd(zl);
  compress2(zd.data(), &zl, raw.data(), uLong(raw.size()), 9);
  zd.resize(zl);
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  auto chunk = [&](const char* t, const uint8_t* d, size_t n) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(n >> s));
    size_t at = out.size();
    out.insert(out.end(), t, t + 4);
    out.insert(out.end(), d, d + n);
    uLong c = crc32(crc32(0L, Z_NULL, 0), &out[at], uInt(n + 4));
    for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(c >> s));
  };
  uint8_t ih[13] = {uint8_t(w >> 24), uint8_t(w >> 16), uint8_t(w >> 8), uint8_t(w),
                    uint8_t(h >> 24), uint8_t(h >> 16), uint8_t(h >> 8), uint8_t(h),
                    8, uint8_t(channels == 4 ? 6 : 2), 0, 0, 0};
  chunk("IHDR", ih, 13);
  chunk("tEXt", (const uint8_t*)"Comment\0x", 9);  // an ancillary chunk to skip
  for (size_t off = 0; off < zd.size(); off += idat_split)
    chunk("IDAT", zd.data() + off, std::min(idat_split, zd.size() - off));
  chunk("IEND", nullptr, 0);
  return out;
}

int selftest() {
  int fails = 0;
  auto expect = [&](bool ok, const std::string& what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
    if (!ok) ++fails;
  };
  // Rows filtered by hand (Sub, Average, Paeth, Up) for a 2x4 RGB picture:
  // the predictions were worked out on paper from the PNG specification.
  {
    const std::vector<uint8_t> raw = {1, 10, 20, 30, 30, 30, 30,       // (10,20,30) (40,50,60)
                                      3, 10, 15, 20, 173, 63, 209,     // (15,25,35) (200,100,0)
                                      4, 241, 230, 93, 63, 8, 135,     // (0,255,128) (7,7,7)
                                      2, 1, 3, 131, 253, 254, 255};    // (1,2,3) (4,5,6)
    Image want{2, 4, {0x0A141E, 0x28323C, 0x0F1923, 0xC86400, 0x00FF80, 0x070707, 0x010203, 0x040506}};
    expect(compare(decode(wrap(2, 4, 3, raw, 5)), want, "by hand") == 0, "hand-filtered rows decode exactly");
  }
  Image vbe = expect_vbe();
  for (unsigned channels : {3u, 4u})
    for (int ft = 0; ft <= 4; ++ft) {
      Image d = decode(encode(vbe, channels, {ft}, 1 << 30));
      expect(compare(d, vbe, "filter") == 0,
             "filter type " + std::to_string(ft) + (channels == 4 ? " RGBA" : " RGB") + " decodes exactly");
    }
  Image m = expect_13h();
  Image d = decode(encode(m, 3, {0, 1, 2, 3, 4, 4, 3, 1}, 1000));
  expect(compare(d, m, "mixed") == 0, "mixed filters per row over 1000-byte IDAT chunks decode exactly");
  d.px[123 * 320 + 45] ^= 0x000100;
  expect(compare(d, m, "changed") == 1, "one changed pixel is one difference");
  std::vector<uint8_t> bad = encode(m, 3, {0}, 1 << 30);
  bad[40] ^= 1;  // inside IDAT
  bool threw = false;
  try { decode(bad); } catch (const std::exception&) { threw = true; }
  expect(threw, "a corrupted chunk is an error (CRC)");
  Image small = expect_vbe();
  small.h = 479;
  small.px.resize(640 * 479);
  expect(compare(decode(encode(small, 3, {2}, 1 << 30)), vbe, "size") != 0, "a wrong size is a difference");
  return fails ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 2 && std::string(argv[1]) == "--selftest") return selftest();
    if (argc != 3) {
      std::fprintf(stderr, "usage: xlat86-pngcheck FILE.png 13h|modex|12h|vbe|vbe1024  |  xlat86-pngcheck --selftest\n");
      return 2;
    }
    std::string pat = argv[2];
    Image want;
    if (pat == "13h") want = expect_13h();
    else if (pat == "vbe") want = expect_vbe();
    else if (pat == "vbe1024") want = expect_vbe(1024, 768);
    else if (pat == "modex") want = expect_modex();
    else if (pat == "12h") want = expect_12h();
    else throw std::runtime_error("unknown pattern '" + pat + "'");
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot open ") + argv[1]);
    std::vector<uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Image got = decode(f);
    size_t bad = compare(got, want, argv[1]);
    if (bad) {
      std::printf("%s: %zu of %u pixels differ from the %s pattern\n", argv[1], bad, want.w * want.h, pat.c_str());
      return 1;
    }
    std::printf("%s: %ux%u, all pixels match the %s pattern\n", argv[1], got.w, got.h, pat.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::printf("xlat86-pngcheck: %s\n", e.what());
    return 1;
  }
}
