; rmode: 16-bit real-mode code, run where the BIOS left us (interrupts on,
; the BIOS's timer ticking). Each of ITERS rounds:
;   sieve   REP STOSW clears a 64 KiB segment, then the sieve of Eratosthenes
;           marks the odd composites below 131074 (16-bit index arithmetic,
;           the end of the segment found by the carry out of ADD); REPNE
;           SCASB counts the primes
;   copy    REP MOVSW copies the sieve to a second segment, ES: LODSB / XLATB /
;           STOSB rewrites 16 KiB of it through a translation table that
;           changes every round, REPE CMPSB finds the first difference
;   sum     LODSW with ADD/ADC into a 32-bit sum kept in DX:BX
;   mix     a far call through another CS base (07C0h) into a routine that
;           folds the round's numbers together with MUL and DIV
; The checksum is the folded value of every round.

%define BENCH_NAME "rmode"
%ifndef ITERS
  %ifdef SMALL
    %define ITERS 3
  %else
    %define ITERS 300
  %endif
%endif
%include "boot.inc"

SIEVE_SEG       equ 0x2000
COPY_SEG        equ 0x3000
DATA_SEG        equ 0x5000              ; variables and the translation table
v_round         equ 0x0000              ; word
v_primes        equ 0x0002              ; word
v_diff          equ 0x0004              ; word
v_sum           equ 0x0006              ; dword
v_check         equ 0x000A              ; dword
v_table         equ 0x0100              ; 256 bytes

bench16:
        mov     ax, DATA_SEG
        mov     ds, ax
        mov     word [v_round], 0
        mov     dword [v_check], 0
round_loop:
        ; ------------------------------------------------ sieve
        mov     ax, SIEVE_SEG
        mov     es, ax
        xor     di, di
        mov     cx, 0x8000
        mov     ax, 0x0101
        rep stosw
        xor     si, si                  ; index i stands for 2i + 3
.outer: cmp     byte [es:si], 0
        je      .skip
        mov     dx, si                  ; p = 2i + 3
        shl     dx, 1
        add     dx, 3
        mov     bx, si
.mark:  add     bx, dx                  ; 3p, 5p, ... until the index leaves the segment
        jc      .skip
        mov     byte [es:bx], 0
        jmp     .mark
.skip:  inc     si
        cmp     si, 181                 ; 2 * 181 + 3 = 365 > sqrt(131074)
        jb      .outer
        xor     di, di                  ; count the 1 bytes
        mov     cx, 0xFFFF
        mov     al, 1
        xor     bx, bx
.find:  repne scasb
        jne     .counted
        inc     bx
        jcxz    .counted
        jmp     .find
.counted:
        mov     [v_primes], bx
        ; ------------------------------------------------ copy
        mov     ax, [v_round]           ; this round's table: t[i] = i * 33 + round
        xor     bx, bx
.table: mov     [v_table + bx], al
        add     al, 33
        inc     bx
        cmp     bx, 256
        jb      .table
        push    ds
        mov     ax, SIEVE_SEG
        mov     ds, ax
        mov     ax, COPY_SEG
        mov     es, ax
        xor     si, si
        xor     di, di
        mov     cx, 0x8000
        rep movsw
        pop     ds
        mov     si, [v_round]           ; 16 KiB from offset round * 64, translated
        shl     si, 6
        mov     di, si
        mov     bx, v_table
        mov     cx, 0x4000
.xlat:  es lodsb
        xlatb
        stosb
        loop    .xlat
        push    ds
        mov     ax, SIEVE_SEG
        mov     ds, ax
        xor     si, si
        xor     di, di
        mov     cx, 0xFFFF
        repe cmpsb
        pop     ds
        mov     [v_diff], cx
        ; ------------------------------------------------ sum
        push    ds
        mov     ax, COPY_SEG
        mov     ds, ax
        xor     si, si
        xor     bx, bx
        xor     dx, dx
        mov     cx, 0x8000
.sum:   lodsw
        add     bx, ax
        adc     dx, 0
        rol     bx, 1
        loop    .sum
        pop     ds
        mov     [v_sum], bx
        mov     [v_sum + 2], dx
        ; ------------------------------------------------ mix
        call    0x07C0:(mix - 0x7C00)
        inc     word [v_round]
        cmp     word [v_round], ITERS
        jb      round_loop
        mov     eax, [v_check]
        jmp     report16

; mix: check = rol(check, 5) ^ (primes * diff) ^ sum ^ (sum / (round | 1)),
; called far with CS = 07C0h (code written for ORG 7C00h, so only relative
; jumps in here). DS = DATA_SEG.
mix:    mov     ax, [v_primes]
        mul     word [v_diff]           ; DX:AX
        xor     ax, [v_sum]
        xor     dx, [v_sum + 2]
        rol     dword [v_check], 5
        xor     [v_check], ax
        xor     [v_check + 2], dx
        mov     ax, [v_sum]
        mov     dx, [v_sum + 2]
        and     dx, 0x7FFF              ; keep the quotient in 16 bits: sum / (round | 0x8001)
        mov     cx, [v_round]
        or      cx, 0x8001
        div     cx
        add     [v_check], ax
        add     [v_check + 2], dx
        retf

        BENCH_END
