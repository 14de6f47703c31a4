#!/usr/bin/env bash
# Full screen under Xvfb with a window manager (evilwm: full screen is a
# request to the window manager, so Xvfb alone cannot show it).
# usage: window_fullscreen.sh XLAT86 BUILD_ROMS_DIR WORKDIR
#
# draw_vbe.img (VBE 640x480x32) with -full-screen: the X window covers the
# 1280x1024 screen and shows the picture scaled x2 to 1280x960 between black
# bars (aspect kept), pixel for pixel the run's --screen-png scaled and
# centred. Ctrl+Alt+F gives a 640x480 window with the picture x1, a second
# Ctrl+Alt+F full screen again; Ctrl+Alt+Q quits with status 0.
set -uo pipefail
xlat86=$1 roms=$2 work=$3
source "$(dirname "$0")/window_lib.sh"
command -v evilwm >/dev/null || { echo "FAILED: evilwm is missing (tests/install-deps installs it)"; exit 1; }
window_setup "$work"
fail=0
bad() { echo "FAILED: $*"; fail=1; }
# Its own key bindings on Super, so that Ctrl+Alt reaches xlat86; "fixed" is Xvfb's built-in font.
evilwm -fn fixed -mask1 mod4 >"$work/evilwm.log" 2>&1 &
wm_pid=$!
trap 'kill $wm_pid 2>/dev/null; window_cleanup' EXIT
sleep 0.5

"$xlat86" -display sdl -full-screen -fda "$roms/draw_vbe.img" -snapshot --pace none \
  --screen-png "$work/expected.png" >"$work/com1.txt" 2>"$work/stderr.txt" &
emu_pid=$!
wait_for "$work/com1.txt" drawn 120 || { echo "FAILED: the guest did not say 'drawn'"; cat "$work/stderr.txt"; exit 1; }
find_window || exit 1

# check NAME SIZE: wait until the window has SIZE, capture it as NAME.png.
check_size() {
  local got
  for _ in $(seq 50); do
    got=$(window_size)
    [ "$got" = "$2" ] && break
    sleep 0.1
  done
  sleep 0.5  # the picture at the new size
  [ "$got" = "$2" ] && echo "$1: window $got" || bad "$1: window $got, want $2"
  import -window "$wid" "$work/$1.png"
}
check_size full 1280x1024
xdotool mousemove --window "$wid" 8 8
xdotool key ctrl+alt+f
check_size windowed 640x480
xdotool mousemove --window "$wid" 8 8
xdotool key ctrl+alt+f
check_size full-again 1280x1024
xdotool mousemove --window "$wid" 8 8
xdotool key ctrl+alt+q
wait_exit 30
[ "$emu_status" -eq 0 ] && echo "Ctrl+Alt+Q: status 0" || bad "status $emu_status after Ctrl+Alt+Q"

convert "$work/expected.png" -scale 200% "$work/expected-2x.png"
convert -size 1280x1024 xc:black "$work/expected-2x.png" -geometry +0+32 -composite PNG24:"$work/expected-full.png"
for shot in full full-again; do
  n=$(pixels_differ "$work/$shot.png" "$work/expected-full.png")
  [ "$n" = 0 ] && echo "$shot: the picture x2 at 1280x960, black bars above and below" ||
    bad "$shot: differs from the expected full-screen picture in $n pixels"
done
n=$(pixels_differ "$work/windowed.png" "$work/expected.png")
[ "$n" = 0 ] && echo "windowed: the picture x1" || bad "windowed: differs from the rendered screen in $n pixels"
[ $fail -eq 0 ] && echo "window full screen: all checks passed"
exit $fail
