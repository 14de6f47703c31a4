; irq: an interrupt-heavy loop in 32-bit flat protected mode. The PIT's
; channel 0 runs as a rate generator with divisor PIT_DIV (12: 99.4 kHz, an
; interrupt every ~10 us of guest time); the PIC delivers IRQ 0 at vector
; 0x20 to a handler that counts ticks and acknowledges the PIC. Meanwhile
; the main loop does a fixed amount of work whose flags live across many
; instructions, so an interrupt landing anywhere in it must preserve them:
; ITERS rounds of a 2048-bit addition (an ADC chain over 64 dwords, the carry
; kept across LEA/DEC/JNZ) and a 2048-bit rotate through carry (an RCL
; chain). The checksum depends only on that work; the tick count is printed
; on its own line ("irq ticks XXXXXXXX"): guest time is virtual, so both
; xlat86 engines must agree on it too (QEMU's timer follows the wall clock).

%define BENCH_NAME "irq"
%ifndef ITERS
  %ifdef SMALL
    %define ITERS 2000
  %else
    %define ITERS 300000
  %endif
%endif
%ifndef PIT_DIV
  %define PIT_DIV 12
%endif
%include "boot.inc"

bench16:
        jmp     enter_pm32

%include "pm32.inc"

kA              equ 0x100000            ; 64 dwords
kB              equ 0x100100            ; 64 dwords
WORDS           equ 64
kVars           equ 0x101000
ticks           equ kVars
round           equ kVars + 4

bench32:
        mov     al, 0x11                ; both PICs: ICW1 (edge, cascade, ICW4)
        out     0x20, al
        out     0xA0, al
        mov     al, 0x20                ; ICW2: master at vector 0x20, slave at 0x28
        out     0x21, al
        mov     al, 0x28
        out     0xA1, al
        mov     al, 4                   ; ICW3
        out     0x21, al
        mov     al, 2
        out     0xA1, al
        mov     al, 1                   ; ICW4: 8086 mode
        out     0x21, al
        out     0xA1, al
        mov     al, 0xFE                ; only IRQ 0
        out     0x21, al
        mov     al, 0xFF
        out     0xA1, al
        SET_GATE 0x20, irq0
        mov     edi, kA                 ; A[i] = i * golden ratio, B = 0
        xor     eax, eax
        mov     ecx, WORDS
.init:  stosd
        add     eax, 0x9E3779B9
        dec     ecx
        jnz     .init
        mov     ecx, WORDS
        xor     eax, eax
        rep stosd
        mov     dword [ticks], 0
        mov     dword [round], 0
        mov     al, 0x34                ; PIT channel 0: mode 2, binary, lo/hi
        out     0x43, al
        mov     al, PIT_DIV & 0xFF
        out     0x40, al
        mov     al, PIT_DIV >> 8
        out     0x40, al
        sti
.round: mov     esi, kA                 ; B += A
        mov     edi, kB
        mov     ecx, WORDS
        clc
.add:   mov     eax, [esi]
        adc     [edi], eax
        lea     esi, [esi + 4]
        lea     edi, [edi + 4]
        dec     ecx
        jnz     .add
        mov     esi, kA                 ; A = A rotated left one bit (2048-bit)
        mov     eax, [kA + (WORDS - 1) * 4]
        shl     eax, 1                  ; CF = the top bit, which comes around
        mov     ecx, WORDS
.rot:   rcl     dword [esi], 1
        lea     esi, [esi + 4]
        dec     ecx
        jnz     .rot
        mov     eax, [round]            ; A[round & 63] += round * FNV prime
        mov     edx, eax
        and     edx, WORDS - 1
        imul    eax, eax, 0x01000193
        add     [kA + edx * 4], eax
        inc     dword [round]
        cmp     dword [round], ITERS
        jb      .round
        cli
        mov     al, 0xFF                ; mask the timer again
        out     0x21, al
        mov     esi, kB                 ; the checksum: a rotating sum of B
        mov     ecx, WORDS
        xor     ebx, ebx
.sum:   lodsd
        rol     ebx, 7
        xor     ebx, eax
        dec     ecx
        jnz     .sum
        mov     esi, ticks_text
        mov     eax, [ticks]
        call    extra32
        mov     eax, ebx
        jmp     report32

ticks_text:     db " ticks ", 0

irq0:   push    eax
        inc     dword [ticks]
        mov     al, 0x20                ; non-specific EOI
        out     0x20, al
        pop     eax
        iretd

        BENCH_END
