#!/usr/bin/env bash
# Keyboard and mouse through the SDL window under Xvfb: X events from xdotool
# reach the guest as the right PS/2 bytes.
# usage: window_keys.sh XLAT86 BUILD_ROMS_DIR WORKDIR
#
# The guest is roms/keyecho.asm: it turns the 8042's translation off and
# prints every byte it receives on COM1 (keyboard bytes as "xx ", mouse bytes
# as "mxx "). After each X event the whole COM1 output must be exactly what
# the PS/2 keyboard (scan code set 2) and mouse send:
#   a, Enter, Up (E0), Shift+B, keypad Enter (E0), Insert (E0), Print Screen,
#   Pause (make only), F11, a held key (host key repeat: the make again),
#   Ctrl+Alt+G (a window hotkey: Ctrl and Alt reach the guest, G does not);
#   a click grabs the mouse (the click itself is not sent; the title says so),
#   relative motion right and up, left and right clicks as packets,
#   Ctrl+Alt+G releases it (the title says so) and motion is no longer sent;
# Ctrl+Alt+P pauses (the title says so, a key typed meanwhile is echoed only
# after Ctrl+Alt+P resumes), Ctrl+Alt+R resets (keyecho boots again and
# echoes keys), Ctrl+Alt+Q quits with status 0.
set -uo pipefail
xlat86=$1 roms=$2 work=$3
source "$(dirname "$0")/window_lib.sh"
window_setup "$work"
fail=0
bad() { echo "FAILED: $*"; fail=1; }
out="$work/com1.txt"
"$xlat86" -display sdl -fda "$roms/keyecho.img" -snapshot >"$out" 2>"$work/stderr.txt" &
emu_pid=$!
wait_for "$out" "keyecho ready" 120 || { echo "FAILED: keyecho did not start"; cat "$work/stderr.txt"; exit 1; }
find_window || exit 1
xdotool mousemove --window "$wid" 40 40
sleep 0.3
ready=$'keyecho ready\r\n'
expect=$ready
# com1_into VAR: COM1's output so far, trailing newlines kept (unlike $(...)).
com1_into() { local t; t=$(cat "$out"; echo .); printf -v "$1" '%s' "${t%.}"; }

# step NAME EXPECTED-BYTES XDOTOOL-ARGS...: send, then wait for the exact output.
step() {
  local name=$1 bytes=$2
  shift 2
  xdotool "$@"
  expect+=$bytes
  local got
  for _ in $(seq 100); do
    com1_into got
    [ "$got" = "$expect" ] && break
    sleep 0.05
  done
  if [ "$got" = "$expect" ]; then
    echo "$name: ${bytes% }"
  else
    bad "$name: COM1 has '${got#"$ready"}'"
    echo "        want '${expect#"$ready"}'"
    expect=$got  # go on from what arrived
  fi
}

step "a" "1c f0 1c " key a
step "Enter" "5a f0 5a " key Return
step "Up" "e0 75 e0 f0 75 " key Up
step "Shift+B" "12 32 f0 32 f0 12 " keydown Shift_L key b keyup Shift_L
step "keypad Enter" "e0 5a e0 f0 5a " key KP_Enter
step "Insert" "e0 70 e0 f0 70 " key Insert
step "Print Screen" "e0 12 e0 7c e0 f0 7c e0 f0 12 " key Print
step "Pause" "e1 14 77 e1 f0 14 f0 77 " key Pause
step "F11" "78 f0 78 " key F11

# Host key repeat: X (Xvfb's autorepeat) repeats the held key; each repeat is a make.
com1_into before
xdotool keydown x
sleep 1.5
xdotool keyup x
for _ in $(seq 50); do
  sleep 0.1
  com1_into held
  [[ "$held" == *"f0 22 " ]] && break
done
held=${held#"$before"}
makes=$(grep -o '22 ' <<<"${held%f0 22 }" | wc -l)
if [[ "$held" =~ ^(22\ )+f0\ 22\ $ ]] && [ "$makes" -ge 3 ]; then
  echo "held x: $makes makes (host repeat), one break"
else
  bad "held x: '$held'"
fi
com1_into expect

step "Ctrl+Alt+G (hotkey)" "14 11 f0 14 f0 11 " key ctrl+alt+g

title() { xdotool getwindowname "$wid"; }
xdotool click 1
sleep 0.3
[[ "$(title)" == *"mouse grabbed (Ctrl+Alt+G releases)"* ]] && echo "click: mouse grabbed, title: $(title)" ||
  bad "click did not grab the mouse: title '$(title)'"
com1_into now; [ "$now" = "$expect" ] || bad "the grabbing click reached the guest"

# motion_sum "mxx mxx ...": sx, sy = the summed motion of the packets, ok = 1
# when they are whole 3-byte packets without buttons.
motion_sum() {
  sx=0 sy=0 ok=1
  local k bytes=()
  for k in $1; do
    [[ "$k" =~ ^m[0-9a-f]{2}$ ]] || { ok=0; continue; }
    bytes+=($((16#${k#m})))
  done
  [ ${#bytes[@]} -gt 0 ] && [ $((${#bytes[@]} % 3)) -eq 0 ] || ok=0
  for ((k = 0; ok && k < ${#bytes[@]}; k += 3)); do
    local b0=${bytes[k]} dx=${bytes[k + 1]} dy=${bytes[k + 2]}
    ((b0 & 0x0F)) && [ $((b0 & 0x0F)) -ne 8 ] && ok=0
    ((b0 & 0x10)) && dx=$((dx - 256))
    ((b0 & 0x20)) && dy=$((dy - 256))
    sx=$((sx + dx)) sy=$((sy + dy))
  done
}
# Motion may arrive split into several packets: sum them.
motion() {  # name dx dy(PS/2: up positive) xdotool-args
  local name=$1 wx=$2 wy=$3
  shift 3
  local before after
  com1_into before
  xdotool "$@"
  local i new
  for i in $(seq 50); do  # until the packets add up (or 5 s)
    sleep 0.1
    com1_into after
    new=${after#"$before"}
    motion_sum "$new"
    [ "$ok" = 1 ] && [ "$sx" = "$wx" ] && [ "$sy" = "$wy" ] && break
  done
  if [ "$ok" = 1 ] && [ "$sx" = "$wx" ] && [ "$sy" = "$wy" ]; then
    echo "$name: packets '${new% }', dx $sx dy $sy"
  else
    bad "$name: packets '$new' (want dx $wx dy $wy, no buttons)"
  fi
  com1_into expect
}
motion "mouse right 10" 10 0 mousemove_relative -- 10 0
motion "mouse up 5" 0 5 mousemove_relative -- 0 -5
step "left click" "m09 m00 m00 m08 m00 m00 " click 1
step "right click" "m0a m00 m00 m08 m00 m00 " click 3
step "Ctrl+Alt+G (release)" "14 11 f0 14 f0 11 " key ctrl+alt+g
[[ "$(title)" == *"click to grab the mouse"* ]] && echo "released: title: $(title)" ||
  bad "Ctrl+Alt+G did not release the mouse: title '$(title)'"
xdotool mousemove_relative -- 15 15
sleep 0.5
com1_into now; [ "$now" = "$expect" ] && echo "motion after the release: not sent" || bad "motion after the release reached the guest"

# Pause (Ctrl+Alt+P): the title says so and the guest does not run, so a key
# typed meanwhile is echoed only after the resume (Ctrl+Alt+P again). (How
# many of the Ctrl and Alt bytes before the pause are echoed before it takes
# effect depends on timing; the whole sequence is checked after the resume.)
com1_into start
xdotool key ctrl+alt+p
sleep 0.3
[[ "$(title)" == *"paused"* ]] && echo "Ctrl+Alt+P: title: $(title)" || bad "Ctrl+Alt+P: title '$(title)'"
com1_into paused
xdotool key a
sleep 0.5
com1_into now
if [ "$now" = "$paused" ] && [[ "${paused#"$start"}" != *1c* ]]; then
  echo "paused: the key typed meanwhile is not echoed"
else
  bad "paused, but COM1 went on: '${now#"$start"}'"
fi
expect=$start
step "Ctrl+Alt+P again: resumed" "14 11 f0 14 f0 11 1c f0 1c 14 11 f0 14 f0 11 " key ctrl+alt+p
[[ "$(title)" != *"paused"* ]] || bad "still paused: title '$(title)'"

# Reset (Ctrl+Alt+R): the PC reboots and keyecho starts again.
xdotool key ctrl+alt+r
for _ in $(seq 300); do [ "$(grep -c "keyecho ready" "$out")" -ge 2 ] && break; sleep 0.1; done
if [ "$(grep -c "keyecho ready" "$out")" -ge 2 ]; then
  echo "Ctrl+Alt+R: the guest booted again"
  sleep 0.3
  com1_into expect
  step "a after the reset" "1c f0 1c " key a
else
  bad "Ctrl+Alt+R: no second 'keyecho ready'"
fi

xdotool key ctrl+alt+q
wait_exit 30
[ "$emu_status" -eq 0 ] && echo "Ctrl+Alt+Q: status 0" || bad "status $emu_status after Ctrl+Alt+Q"
[ $fail -eq 0 ] && echo "window keys: all checks passed"
exit $fail
