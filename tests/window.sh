#!/usr/bin/env bash
# The SDL window under Xvfb shows the known screens of roms/draw.asm.
# usage: window.sh XLAT86 PNGCHECK BUILD_ROMS_DIR WORKDIR
#
# For each guest (80x25 text, mode 13h, VBE 640x480x32, mode X 320x240, mode
# 12h 640x480x16, VBE 1024x768x32) xlat86 runs with -display sdl until the
# guest says "drawn" on COM1, then:
#  - the window has the guest mode's size at the zoom xlat86 picks (720x400,
#    640x400 = 2 x 320x200, 640x480, 640x480 = 2 x 320x240, 640x480,
#    1024x768): it was resized on each mode change;
#  - an X-level capture of the real window (ImageMagick's import) and the
#    screenshot hotkey's PNG (Ctrl+Alt+S, pixels read back from the renderer)
#    both equal, pixel for pixel, the same run's --screen-png (the screen
#    xlat86 rendered at exit) scaled by the zoom;
#  - for the graphics modes the capture, scaled back down, also matches the pattern
#    xlat86-pngcheck computes from draw.asm's definition (not from xlat86);
#  - Ctrl+Alt+Q quits with status 0.
# In the VBE run the window is then resized (xdotool windowsize, as a user
# would with a window manager): at 1280x1024 the picture keeps its aspect
# ratio (1280x960, every guest pixel 2x2, black bars above and below); at
# 1000x800 with integer scaling (Ctrl+Alt+I) it is 640x480 in the middle.
# (Full screen needs a window manager: tests/window_fullscreen.sh.)
# Negative controls show that the comparisons can fail: the text capture is
# not the 13h picture, and pngcheck rejects it.
set -uo pipefail
xlat86=$1 pngcheck=$2 roms=$3 work=$4
source "$(dirname "$0")/window_lib.sh"
window_setup "$work"
fail=0
bad() { echo "FAILED: $*"; fail=1; }

run_guest() {  # mode zoom expected-size extra-options...
  local mode=$1 zoom=$2 size=$3
  shift 3
  local d="$work/$mode"
  rm -rf "$d"
  mkdir -p "$d/shots"
  "$xlat86" -display sdl -fda "$roms/draw_$mode.img" -snapshot --screen-png "$d/expected.png" \
    --screenshot-dir "$d/shots" "$@" >"$d/com1.txt" 2>"$d/stderr.txt" &
  emu_pid=$!
  if ! wait_for "$d/com1.txt" drawn 120; then
    bad "$mode: the guest did not say 'drawn'"; cat "$d/stderr.txt"; kill "$emu_pid"; wait_exit 5; return
  fi
  find_window || { fail=1; kill "$emu_pid"; wait_exit 5; return; }
  sleep 1  # a few more frames reach the window
  local got
  got=$(window_size)
  [ "$got" = "$size" ] && echo "$mode: window $got" || bad "$mode: window is $got, want $size"
  import -window "$wid" "$d/capture.png"
  xdotool mousemove --window "$wid" 4 4
  xdotool key ctrl+alt+s
  wait_for "$d/stderr.txt" "screenshot " 10 || bad "$mode: no screenshot message"
  if [ "$mode" = vbe ]; then
    # The user makes the window 1280x1024 (as a window manager would): the
    # picture fills it at 1280x960, centred. Then 1000x800 with integer
    # scaling (Ctrl+Alt+I): 640x480 in the middle.
    xdotool windowmove "$wid" 0 0 windowsize "$wid" 1280 1024
    sleep 0.5
    xdotool mousemove --window "$wid" 4 4
    import -window "$wid" "$d/capture-1280.png"
    xdotool key ctrl+alt+s
    for _ in $(seq 50); do [ "$(ls "$d/shots" | wc -l)" -ge 2 ] && break; sleep 0.1; done
    xdotool windowsize "$wid" 1000 800
    sleep 0.3
    xdotool mousemove --window "$wid" 4 4
    xdotool key ctrl+alt+i
    sleep 0.3
    import -window "$wid" "$d/capture-int.png"
    xdotool key ctrl+alt+s
    for _ in $(seq 50); do [ "$(ls "$d/shots" | wc -l)" -ge 3 ] && break; sleep 0.1; done
  fi
  xdotool key ctrl+alt+q
  wait_exit 30
  [ "$emu_status" -eq 0 ] && echo "$mode: Ctrl+Alt+Q, status 0" || bad "$mode: status $emu_status after Ctrl+Alt+Q"

  [ -s "$d/expected.png" ] || { bad "$mode: no --screen-png"; return; }
  convert "$d/expected.png" -scale "$((zoom * 100))%" "$d/expected-zoom.png"
  local n shots=("$d"/shots/*.png)
  n=$(pixels_differ "$d/capture.png" "$d/expected-zoom.png")
  [ "$n" = 0 ] && echo "$mode: X capture of the window = the rendered screen x$zoom ($size)" ||
    bad "$mode: X capture differs from the rendered screen in $n pixels"
  n=$(pixels_differ "${shots[0]}" "$d/expected-zoom.png")
  [ "$n" = 0 ] && echo "$mode: hotkey screenshot ${shots[0]##*/} = the rendered screen x$zoom" ||
    bad "$mode: hotkey screenshot differs from the rendered screen in $n pixels"
  if [ "$mode" != text ]; then
    local w h
    read -r w h < <(identify -format '%w %h\n' "$d/expected.png")
    convert "$d/capture.png" -sample "${w}x${h}!" PNG24:"$d/capture-1x.png"
    "$pngcheck" "$d/capture-1x.png" "$mode" || bad "$mode: the captured window is not draw.asm's pattern"
  fi
  if [ "$mode" = vbe ]; then
    [ ${#shots[@]} -ge 3 ] || { bad "vbe: missing screenshots after resizing"; return; }
    convert "$d/expected.png" -scale 200% "$d/expected-2x.png"
    convert -size 1280x1024 xc:black "$d/expected-2x.png" -geometry +0+32 -composite PNG24:"$d/expected-1280.png"
    n=$(pixels_differ "$d/capture-1280.png" "$d/expected-1280.png")
    [ "$n" = 0 ] && echo "vbe: window resized to 1280x1024: the picture x2 at 1280x960, black bars above and below" ||
      bad "vbe: the 1280x1024 window differs from the expected letterboxed picture in $n pixels"
    n=$(pixels_differ "${shots[1]}" "$d/expected-2x.png")
    [ "$n" = 0 ] && echo "vbe: its hotkey screenshot = the rendered screen x2" ||
      bad "vbe: the 1280x1024 screenshot differs from the rendered screen x2 in $n pixels"
    convert -size 1000x800 xc:black "$d/expected.png" -geometry +180+160 -composite PNG24:"$d/expected-int.png"
    n=$(pixels_differ "$d/capture-int.png" "$d/expected-int.png")
    [ "$n" = 0 ] && echo "vbe: 1000x800 window with integer scaling: the picture x1, centred" ||
      bad "vbe: the integer-scaled 1000x800 window differs from the expected picture in $n pixels"
    n=$(pixels_differ "${shots[2]}" "$d/expected.png")
    [ "$n" = 0 ] && echo "vbe: its hotkey screenshot = the rendered screen" ||
      bad "vbe: the integer-scaled screenshot differs from the rendered screen in $n pixels"
  fi
}

run_guest text 1 720x400
run_guest 13h 2 640x400
run_guest vbe 1 640x480 --pace none
run_guest modex 2 640x480
run_guest 12h 1 640x480 --integer-scale
run_guest vbe1024 1 1024x768 --pace none

# Negative controls: the comparisons tell different screens apart.
if [ -s "$work/text/capture.png" ] && [ -s "$work/13h/capture.png" ]; then
  convert "$work/text/capture.png" -crop 640x400+0+0 +repage "$work/text-crop.png"
  n=$(pixels_differ "$work/text-crop.png" "$work/13h/capture.png")
  [ "$n" -gt 10000 ] && echo "control: the text and 13h captures differ in $n pixels" ||
    bad "control: the text and 13h captures differ in only $n pixels"
  convert "$work/text-crop.png" -sample '320x200!' PNG24:"$work/text-320.png"
  if "$pngcheck" "$work/text-320.png" 13h >/dev/null; then
    bad "control: pngcheck accepted the text screen as the 13h pattern"
  else
    echo "control: pngcheck rejects the text capture as the 13h pattern"
  fi
fi
[ $fail -eq 0 ] && echo "window: all checks passed"
exit $fail
