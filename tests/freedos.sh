#!/usr/bin/env bash
# FreeDOS from ../shared/testdata/os boots through SeaBIOS to the A:\> prompt,
# `ver` typed on the PS/2 keyboard is answered on the text screen, and two runs
# give the same screen (virtual time, fixed RTC time).
# usage: freedos.sh XLAT86 IMAGE WORKDIR
set -euo pipefail
xlat86=$1 image=$2 work=$3
mkdir -p "$work"
for run in 1 2; do
  "$xlat86" -fda "$image" -snapshot -boot a --rtc-time 1700000000 --max-seconds 4 \
            --type '2:ver\n' --screen-dump "$work/freedos-$run.txt" -serial none
done
cat "$work/freedos-1.txt"
grep -q 'FreeCom version' "$work/freedos-1.txt" || { echo "FAILED: no answer to ver"; exit 1; }
[ "$(grep -c 'A:\\>' "$work/freedos-1.txt")" -ge 2 ] || { echo "FAILED: no prompt after ver"; exit 1; }
cmp -s "$work/freedos-1.txt" "$work/freedos-2.txt" || { echo "FAILED: two runs differ"; exit 1; }
echo "freedos: prompt, ver answered, runs identical"
