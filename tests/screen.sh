#!/usr/bin/env bash
# --screen-dump of the known screens of roms/draw.asm, booted through SeaBIOS
# and the VGA BIOS from a floppy.
# usage: screen.sh XLAT86 PNGCHECK BUILD_ROMS_DIR WORKDIR text|13h|modex|12h|vbe|vbe1024 [EXPECTED_TEXT]
#  - the *_exit image with --debug-exit: status 1 (it wrote 0 to port 0xF4),
#    COM1 says exactly "drawn\r\n", and the dump is the expected screen: for
#    text the UTF-8 file EXPECTED_TEXT, for 13h/vbe every pixel of the PNG as
#    xlat86-pngcheck computes the pattern;
#  - the plain image idles in HLT until --max-seconds (status 0) and its dump
#    is byte-identical (the picture stays, and runs are deterministic).
set -uo pipefail
xlat86=$1 pngcheck=$2 roms=$3 work=$4 mode=$5 expected=${6:-}
mkdir -p "$work"
fail=0
ext=png
[ "$mode" = text ] && ext=txt
a="$work/$mode-exit.$ext" b="$work/$mode-idle.$ext"
rm -f "$a" "$b"

out=$("$xlat86" -fda "$roms/draw_${mode}_exit.img" -display none --debug-exit --max-seconds 30 --screen-dump "$a" | od -An -c | tr -s ' ')
st=${PIPESTATUS[0]}
[ "$st" -eq 1 ] && echo "exit variant: status 1" || { echo "FAILED: exit variant status $st, want 1"; fail=1; }
[ "$out" = " d r a w n \r \n" ] && echo "COM1: drawn" || { echo "FAILED: COM1 said '$out'"; fail=1; }

if [ "$mode" = text ]; then
  if cmp -s "$a" "$expected"; then
    echo "text dump: $(wc -l < "$a") lines identical to $expected"
  else
    echo "FAILED: text dump differs from $expected:"; diff "$expected" "$a" | head -20; fail=1
  fi
else
  "$pngcheck" "$a" "$mode" || fail=1
fi

out=$("$xlat86" -fda "$roms/draw_${mode}.img" -display none --max-seconds 3 --screen-dump "$b" | od -An -c | tr -s ' ')
st=${PIPESTATUS[0]}
[ "$st" -eq 0 ] && [ "$out" = " d r a w n \r \n" ] && echo "idle variant: status 0, COM1: drawn" ||
  { echo "FAILED: idle variant status $st, COM1 '$out'"; fail=1; }
cmp -s "$a" "$b" && echo "idle variant: same dump after 3 s" || { echo "FAILED: idle variant's dump differs"; fail=1; }
exit $fail
