// xlat86-benchchart: draws bench/run's results as a grouped bar chart (PNG).
//
//   xlat86-benchchart RESULTS.tsv CHART.png [TITLE]
//
// RESULTS.tsv: one line per bar, "benchmark<TAB>engine<TAB>MIPS" (lines
// starting with '#' are skipped). Benchmarks become groups along the x axis
// and engines the bars of a group, both in the order they first appear. The
// y axis is logarithmic (the workloads span two orders of magnitude) with a
// grid line at every power of ten; each bar carries its value.
// The picture is encoded by devices::write_png (the project's PNG writer).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/font.h"
#include "devices/vga_png.h"

namespace {

struct Canvas {
  devices::Frame f;
  Canvas(unsigned w, unsigned h, uint32_t bg) {
    f.width = w, f.height = h;
    f.pixels.assign(size_t(w) * h, bg);
  }
  void put(int x, int y, uint32_t c) {
    if (x >= 0 && y >= 0 && unsigned(x) < f.width && unsigned(y) < f.height) f.pixels[size_t(y) * f.width + x] = c;
  }
  void rect(int x, int y, int w, int h, uint32_t c) {
    for (int j = 0; j < h; ++j)
      for (int i = 0; i < w; ++i) put(x + i, y + j, c);
  }
  // Text with its top-left corner at (x, y), each font pixel scale x scale.
  void text(int x, int y, const std::string& s, uint32_t c, int scale = 1) {
    for (char ch : s) {
      if (const bench::Glyph* g = bench::find_glyph(ch))
        for (int r = 0; r < 7; ++r)
          for (int col = 0; col < 5; ++col)
            if (g->rows[r][col] == '#') rect(x + col * scale, y + r * scale, scale, scale, c);
      x += 6 * scale;
    }
  }
};

int text_width(const std::string& s, int scale = 1) { return s.empty() ? 0 : int(s.size()) * 6 * scale - scale; }

std::string format_value(double v) {
  char buf[32];
  if (v >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (v >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

uint32_t engine_colour(const std::string& e, size_t index) {
  if (e == "interp") return 0x8C8C8C;
  if (e == "jit") return 0x2F74C0;
  if (e == "qemu") return 0xE0812A;
  static const uint32_t others[] = {0x4DA453, 0xB04A9C, 0xC8B430, 0x3AAFB9};
  return others[index % 4];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: xlat86-benchchart RESULTS.tsv CHART.png [TITLE]\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "xlat86-benchchart: cannot open '%s'\n", argv[1]);
    return 1;
  }
  std::vector<std::string> benches, engines;
  std::map<std::pair<std::string, std::string>, double> value;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string b, e, v;
    if (!std::getline(ls, b, '\t') || !std::getline(ls, e, '\t') || !std::getline(ls, v, '\t')) {
      std::fprintf(stderr, "xlat86-benchchart: bad line '%s'\n", line.c_str());
      return 1;
    }
    double x = std::strtod(v.c_str(), nullptr);
    if (!(x > 0)) continue;  // a failed run has no bar
    if (std::find(benches.begin(), benches.end(), b) == benches.end()) benches.push_back(b);
    if (std::find(engines.begin(), engines.end(), e) == engines.end()) engines.push_back(e);
    value[{b, e}] = x;
  }
  if (value.empty()) {
    std::fprintf(stderr, "xlat86-benchchart: no values in '%s'\n", argv[1]);
    return 1;
  }
  double lo = 1e300, hi = 0;
  for (auto& [k, v] : value) lo = std::min(lo, v), hi = std::max(hi, v);
  int p_lo = int(std::floor(std::log10(lo))), p_hi = int(std::ceil(std::log10(hi)));
  if (p_hi == p_lo) ++p_hi;
  if (std::log10(hi) > p_hi - 0.15) ++p_hi;  // room for the value above the tallest bar

  const int bar_w = 30, bar_gap = 4, group_gap = 36, left = 64, right = 24, top = 74, plot_h = 320, bottom = 44;
  int group_w = int(engines.size()) * (bar_w + bar_gap) - bar_gap;
  std::string title = argc == 4 ? argv[3] : "xlat86 benchmarks: guest MIPS";
  int width = std::max(left + int(benches.size()) * (group_w + group_gap) + right, left + text_width(title, 2) + right);
  int height = top + plot_h + bottom;
  Canvas c(unsigned(width), unsigned(height), 0xFFFFFF);
  const uint32_t ink = 0x202020, grid = 0xD8D8D8;

  c.text(left, 10, title, ink, 2);
  int lx = left;  // the legend
  for (size_t i = 0; i < engines.size(); ++i) {
    c.rect(lx, 38, 12, 12, engine_colour(engines[i], i));
    c.text(lx + 16, 39, engines[i], ink, 1);
    lx += 16 + text_width(engines[i]) + 18;
  }
  c.text(width - right - text_width("MIPS, LOG SCALE"), 39, "MIPS, log scale", ink, 1);

  auto y_of = [&](double v) {
    double t = (std::log10(v) - p_lo) / double(p_hi - p_lo);
    return top + plot_h - int(std::lround(t * plot_h));
  };
  for (int p = p_lo; p <= p_hi; ++p) {
    int y = y_of(std::pow(10.0, p));
    c.rect(left, y, width - left - right, 1, grid);
    std::string label = format_value(std::pow(10.0, p));
    if (p >= 0) label = std::to_string(int(std::lround(std::pow(10.0, p))));
    c.text(left - 8 - text_width(label), y - 3, label, ink, 1);
  }
  c.rect(left, top, 1, plot_h + 1, ink);
  c.rect(left, top + plot_h, width - left - right, 1, ink);

  for (size_t g = 0; g < benches.size(); ++g) {
    int gx = left + group_gap / 2 + int(g) * (group_w + group_gap);
    for (size_t i = 0; i < engines.size(); ++i) {
      auto it = value.find({benches[g], engines[i]});
      if (it == value.end()) continue;
      int x = gx + int(i) * (bar_w + bar_gap);
      int y = y_of(it->second);
      c.rect(x, y, bar_w, top + plot_h - y, engine_colour(engines[i], i));
      std::string v = format_value(it->second);
      c.text(x + (bar_w - text_width(v)) / 2, y - 10, v, ink, 1);
    }
    c.text(gx + (group_w - text_width(benches[g], 2)) / 2, top + plot_h + 12, benches[g], ink, 2);
  }

  std::string err;
  if (!devices::write_png(argv[2], c.f, &err)) {
    std::fprintf(stderr, "xlat86-benchchart: %s\n", err.c_str());
    return 1;
  }
  return 0;
}
