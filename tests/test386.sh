#!/usr/bin/env bash
# test386.asm as the BIOS ROM: it must reach POST code FF and print, on the
# parallel port 0x3BC, exactly the reference output (undefined flags masked).
# usage: test386.sh XLAT86 ROM REFERENCE.gz WORKDIR [ENGINE]
set -euo pipefail
xlat86=$1 rom=$2 ref=$3 engine=${5:-jit}
work=$4/$engine
mkdir -p "$work"
name=$(basename "$rom" .bin)
post="$work/$name.post" out="$work/$name.lpt"
rm -f "$post" "$out"
"$xlat86" --cpu "$engine" -bios "$rom" --post-port "0x190:$post" -parallel "file:$out" --max-seconds 30
last=$(tail -n 1 "$post")
echo "$name ($engine): last POST code $last, $(wc -l < "$out") result lines"
if [ "$last" != "ff" ]; then
  echo "$name: FAILED: stopped at POST $last"
  exit 1
fi
if ! gzip -dc "$ref" | diff -q - "$out" >/dev/null; then
  gzip -dc "$ref" | diff - "$out" | head -20
  echo "$name: FAILED: output differs from $(basename "$ref")"
  exit 1
fi
echo "$name: passed (POST FF, output identical to the reference)"
