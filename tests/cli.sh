#!/usr/bin/env bash
# Command-line behaviour that needs more than one run or an exit status:
# --debug-exit passes the guest's status through; an image in use by a running
# xlat86 is refused with a clear error; the first run's image is untouched
# with -snapshot.
# usage: cli.sh XLAT86 BUILD_ROMS_DIR WORKDIR
set -uo pipefail
xlat86=$1 roms=$2 work=$3
mkdir -p "$work"
fail=0

"$xlat86" -bios "$roms/exitrom.bin" --debug-exit --max-seconds 5
st=$?
[ "$st" -eq 11 ] && echo "debug-exit: status 11 as (5<<1)|1" || { echo "FAILED: debug-exit status $st, want 11"; fail=1; }

cp "$roms/boot.img" "$work/locked.img"
sum_before=$(md5sum < "$work/locked.img")
"$xlat86" -fda "$work/locked.img" -boot a -snapshot --max-seconds 60 --type '30:x' -serial none --pace realtime &
first=$!
sleep 1
err=$("$xlat86" -fda "$work/locked.img" -boot a --max-seconds 1 -serial none 2>&1)
st=$?
kill "$first" 2>/dev/null; wait "$first" 2>/dev/null
if [ "$st" -ne 0 ] && grep -q "locked by another xlat86" <<<"$err"; then
  echo "lock: second run refused: $err"
else
  echo "FAILED: second run on a locked image: status $st, '$err'"; fail=1
fi
[ "$(md5sum < "$work/locked.img")" = "$sum_before" ] && echo "snapshot: image unchanged" || { echo "FAILED: image changed"; fail=1; }
exit $fail
