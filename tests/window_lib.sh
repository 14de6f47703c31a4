# Shared by tests/window*.sh: a private Xvfb server and helpers to drive
# xlat86's SDL window with xdotool and ImageMagick. Source it, then call
# window_setup WORKDIR. Every process started here is stopped on exit.

window_setup() {
  work=$1
  mkdir -p "$work"
  local t
  for t in Xvfb xdotool import convert compare identify; do
    command -v "$t" >/dev/null || { echo "FAILED: $t is missing (tests/install-deps installs xvfb, xdotool, imagemagick)"; exit 1; }
  done
  xvfb_pid= emu_pid=
  trap window_cleanup EXIT
  # -displayfd: the server picks a free display and writes its number when it is ready.
  rm -f "$work/xvfb.display"
  # -noreset: the server stays up between clients (no reset when the last one leaves).
  Xvfb -displayfd 9 -screen 0 1280x1024x24 -nolisten tcp -noreset 9>"$work/xvfb.display" 2>"$work/xvfb.log" &
  xvfb_pid=$!
  for _ in $(seq 200); do
    [ -s "$work/xvfb.display" ] && break
    sleep 0.05
  done
  [ -s "$work/xvfb.display" ] || { echo "FAILED: Xvfb did not start"; cat "$work/xvfb.log"; exit 1; }
  export DISPLAY=":$(head -1 "$work/xvfb.display")"
  unset WAYLAND_DISPLAY
  echo "Xvfb on $DISPLAY (1280x1024x24)"
}

window_cleanup() {
  [ -n "${emu_pid:-}" ] && kill "$emu_pid" 2>/dev/null
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null
  wait 2>/dev/null
  return 0
}

# The emulator is running (a process that exited but is not reaped yet is a zombie: not running).
alive() {
  kill -0 "$emu_pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$emu_pid/status" 2>/dev/null
}

# wait_for FILE PATTERN SECONDS: until FILE contains the fixed string PATTERN.
wait_for() {
  local i
  for i in $(seq $(($3 * 10))); do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    alive || { grep -qF -- "$2" "$1" 2>/dev/null; return; }
    sleep 0.1
  done
  return 1
}

# The X window of the running emulator ($emu_pid), in $wid.
find_window() {
  wid=
  local i
  for i in $(seq 100); do
    wid=$(xdotool search --pid "$emu_pid" 2>/dev/null | head -1)
    [ -n "$wid" ] && return 0
    sleep 0.1
  done
  echo "FAILED: no window for pid $emu_pid"
  return 1
}

# Window size as WxH.
window_size() {
  local WIDTH HEIGHT
  eval "$(xdotool getwindowgeometry --shell "$wid" | grep -E '^(WIDTH|HEIGHT)=')"
  echo "${WIDTH}x${HEIGHT}"
}

# wait_exit SECONDS: wait for the emulator to end; its status in $emu_status.
wait_exit() {
  local i
  for i in $(seq $(($1 * 10))); do
    alive || break
    sleep 0.1
  done
  if alive; then
    echo "FAILED: xlat86 still running after $1 s"
    kill "$emu_pid"
  fi
  wait "$emu_pid"
  emu_status=$?
  emu_pid=
}

# Pixels that differ between two images of the same size (-1 on an error, e.g. other sizes).
pixels_differ() {
  local n
  n=$(compare -metric AE "$1" "$2" null: 2>&1) || [ $? -eq 1 ] || { echo -1; return; }
  awk -v v="$n" 'BEGIN { printf "%d\n", v }'
}
