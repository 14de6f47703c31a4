#!/usr/bin/env bash
# Runs one guest test ROM (tests/guest/*.asm) without firmware and checks that
# it reported PASS and exited through isa-debug-exit with 0 (status 1).
# usage: run.sh XLAT86 ROM [ENGINE]
set -uo pipefail
xlat86=$1 rom=$2 engine=${3:-interp}
out=$("$xlat86" -bios "$rom" --cpu "$engine" -display none -serial stdio --debug-exit --max-seconds 20 2>&1)
st=$?
printf '%s\n' "$out"
if [ "$st" -ne 1 ] || ! grep -q '^PASS ' <<<"$out"; then
  echo "run.sh: $(basename "$rom") under $engine: exit status $st (1 means the guest passed)" >&2
  exit 1
fi
