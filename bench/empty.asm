; empty: boots, loads itself like every benchmark, and exits at once. Its
; time and instruction count are the fixed cost (SeaBIOS's POST, the boot,
; the program load) inside every other benchmark's figures; bench/run
; subtracts them for the "net" columns.

%define BENCH_NAME "empty"
%include "boot.inc"

bench16:
        xor     eax, eax
        jmp     report16

        BENCH_END
