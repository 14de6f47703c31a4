// Where the guest picture goes in the window (no SDL here, so it is unit tested).
//
// The picture keeps its aspect ratio (square guest pixels, as Vga::render
// produces the logical resolution): it is scaled to the largest size that
// fits the window and centred, with black bars on two sides. With integer
// scaling the factor is rounded down to a whole number (sharp, even pixels)
// when the window can hold at least one full copy.
#pragma once

namespace devices {
class Vga;
}

namespace frontend {

struct ViewRect {
  int x = 0, y = 0, w = 0, h = 0;
  bool operator==(const ViewRect&) const = default;
};

ViewRect fit_picture(int out_w, int out_h, int pic_w, int pic_h, bool integer);

// How many display dots wide and scan lines high one pixel of Vga::render's
// logical picture is on a monitor, reduced so that square pixels give 1:1.
// Legacy VGA modes can double pixels in one direction only: 40-column text
// (the dot clock halved: 2:1) and 640x200 CGA/EGA graphics (double scanned:
// 1:2). VBE modes are square.
struct PixelAspect {
  unsigned x = 1, y = 1;
  bool operator==(const PixelAspect&) const = default;
};
PixelAspect pixel_aspect(const devices::Vga& vga, unsigned frame_w, unsigned frame_h);

// The window zoom for a new guest mode: the whole number that makes the
// picture at least 640 pixels wide (so 320x200 opens at 640x400), reduced
// until it fits in max_w x max_h (at least 1).
int initial_zoom(int pic_w, int pic_h, int max_w, int max_h);

}  // namespace frontend
