#!/usr/bin/env bash
# FreeDOS from ../shared/testdata/os boots through SeaBIOS to the A:\> prompt,
# `ver` typed on the PS/2 keyboard is answered on the text screen; two runs of
# the interpreter and one of the translator give the same screen and retire
# the same number of instructions (virtual time, fixed RTC time).
# usage: freedos.sh XLAT86 IMAGE WORKDIR
set -euo pipefail
xlat86=$1 image=$2 work=$3
mkdir -p "$work"
for run in interp-1 interp-2 jit; do
  "$xlat86" -fda "$image" -snapshot -boot a --rtc-time 1700000000 --max-seconds 4 --cpu "${run%-*}" \
            --type '2:ver\n' --screen-dump "$work/freedos-$run.txt" -serial none --stats 2> "$work/stats-$run.txt"
  grep -o 'after [0-9]* instructions' "$work/stats-$run.txt" > "$work/count-$run.txt"
done
cat "$work/freedos-interp-1.txt"
grep -q 'FreeCom version' "$work/freedos-interp-1.txt" || { echo "FAILED: no answer to ver"; exit 1; }
[ "$(grep -c 'A:\\>' "$work/freedos-interp-1.txt")" -ge 2 ] || { echo "FAILED: no prompt after ver"; exit 1; }
cmp -s "$work/freedos-interp-1.txt" "$work/freedos-interp-2.txt" || { echo "FAILED: two runs differ"; exit 1; }
cmp -s "$work/freedos-interp-1.txt" "$work/freedos-jit.txt" || { echo "FAILED: the translator's screen differs"; exit 1; }
cmp -s "$work/count-interp-1.txt" "$work/count-jit.txt" ||
  { echo "FAILED: instruction counts differ: $(cat "$work/count-interp-1.txt") vs $(cat "$work/count-jit.txt")"; exit 1; }
cat "$work/stats-jit.txt"
echo "freedos: prompt, ver answered, interpreter runs identical, translator identical ($(cat "$work/count-jit.txt"))"
