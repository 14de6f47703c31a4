#include "frontend/view.h"

#include <algorithm>
#include <cstdint>

#include "devices/vga.h"

namespace frontend {

ViewRect fit_picture(int out_w, int out_h, int pic_w, int pic_h, bool integer) {
  if (out_w <= 0 || out_h <= 0 || pic_w <= 0 || pic_h <= 0) return {};
  ViewRect r;
  // Scale = min(out_w / pic_w, out_h / pic_h), kept as a fraction to stay exact.
  bool width_limits = int64_t(out_w) * pic_h <= int64_t(out_h) * pic_w;
  if (integer && out_w >= pic_w && out_h >= pic_h) {
    int k = std::min(out_w / pic_w, out_h / pic_h);
    r.w = pic_w * k, r.h = pic_h * k;
  } else if (width_limits) {
    r.w = out_w;
    r.h = int(int64_t(pic_h) * out_w / pic_w);
  } else {
    r.h = out_h;
    r.w = int(int64_t(pic_w) * out_h / pic_h);
  }
  r.w = std::max(r.w, 1), r.h = std::max(r.h, 1);
  r.x = (out_w - r.w) / 2;
  r.y = (out_h - r.h) / 2;
  return r;
}

PixelAspect pixel_aspect(const devices::Vga& vga, unsigned frame_w, unsigned frame_h) {
  if (vga.vbe_enabled() || !frame_w || !frame_h) return {};
  const devices::Vga::Regs& r = vga.regs();
  // Dots per line: character clocks x 8 or 9 dots (graphics: 8), twice as wide
  // with the dot clock halved; scan lines: the vertical display end.
  unsigned dots = vga.text_mode() && !(r.seq[1] & 1) ? 9 : 8;
  unsigned w = (r.crtc[1] + 1u) * dots * ((r.seq[1] & 0x08) ? 2 : 1);
  unsigned ov = r.crtc[7];
  unsigned h = (r.crtc[0x12] | ((ov >> 1) & 1) << 8 | ((ov >> 6) & 1) << 9) + 1u;
  auto ratio = [](unsigned phys, unsigned logical) {
    return std::clamp((phys + logical / 2) / logical, 1u, 4u);
  };
  PixelAspect a{ratio(w, frame_w), ratio(h, frame_h)};
  if (a.x == a.y) a = {};
  return a;
}

int initial_zoom(int pic_w, int pic_h, int max_w, int max_h) {
  if (pic_w <= 0 || pic_h <= 0) return 1;
  int k = std::max(1, (640 + pic_w - 1) / pic_w);
  while (k > 1 && (pic_w * k > max_w || pic_h * k > max_h)) --k;
  return k;
}

}  // namespace frontend
