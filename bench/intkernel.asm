; intkernel: an integer kernel in the spirit of CoreMark, in 32-bit flat
; protected mode. Each iteration runs three kernels on fresh pseudo-random
; data (a 32-bit LCG) and folds each result into a CRC-16/CCITT and a rotating
; sum:
;   list    build a 128-node linked list, merge-sort it by key (recursive:
;           CALL/RET, pointer chasing, data-dependent branches), walk it
;           checking the order and summing key * value (IMUL)
;   matrix  10x10 signed 32-bit matrix product (IMUL, scaled-index loads)
;   state   a number-recognising state machine over a 96-character text
;           (DIV to draw the text, byte-table lookups, an indirect JMP per
;           character through a table of state handlers)
; The CRC itself is computed bitwise (SHL/JNC per bit). The checksum printed
; is CRC << 16 ^ sum.

%define BENCH_NAME "intkernel"
%ifndef ITERS
  %ifdef SMALL
    %define ITERS 40
  %else
    %define ITERS 6000
  %endif
%endif
%include "boot.inc"

bench16:
        jmp     enter_pm32

%include "pm32.inc"

kNodes          equ 0x100000            ; NODES x 12 bytes: next, key, value
NODES           equ 128
MAT_N           equ 10
kMatA           equ 0x110000
kMatB           equ kMatA + MAT_N * MAT_N * 4
kMatC           equ kMatB + MAT_N * MAT_N * 4
kText           equ 0x111000
TEXT_LEN        equ 96
kVars           equ 0x112000            ; writable variables, away from the code pages
seed            equ kVars
crc             equ kVars + 4
acc             equ kVars + 8
iter            equ kVars + 12
counts          equ kVars + 16          ; 9 dwords

bench32:
        mov     dword [seed], 0x12345678
        mov     dword [crc], 0xFFFF
        mov     dword [acc], 0
        mov     dword [iter], ITERS
.loop:  call    list_bench
        call    fold
        call    matrix_bench
        call    fold
        call    state_bench
        call    fold
        dec     dword [iter]
        jnz     .loop
        mov     eax, [crc]
        shl     eax, 16
        xor     eax, [acc]
        jmp     report32

; fold: acc = rol(acc, 7) + EAX; the four bytes of EAX into the CRC.
fold:   rol     dword [acc], 7
        add     [acc], eax
        mov     ecx, 4
        mov     edx, [crc]
.byte:  call    crc16_byte
        shr     eax, 8
        dec     ecx
        jnz     .byte
        mov     [crc], edx
        ret

; crc16_byte: CRC-16/CCITT (polynomial 0x1021, MSB first) of AL into DX,
; one bit at a time. Preserves EAX and ECX.
crc16_byte:
        push    ecx
        xor     dh, al
        mov     ecx, 8
.bit:   shl     dx, 1                   ; CF = the bit shifted out
        jnc     .next
        xor     dx, 0x1021
.next:  dec     ecx
        jnz     .bit
        pop     ecx
        ret

; rand: the next LCG value (bits 8..31 of the state) in EAX; flags changed.
rand:   mov     eax, [seed]
        imul    eax, eax, 1103515245
        add     eax, 12345
        mov     [seed], eax
        shr     eax, 8
        ret

; ------------------------------------------------------------ list
list_bench:
        mov     edi, kNodes
        mov     ebx, NODES
.build: call    rand
        and     eax, 0xFFFF
        mov     [edi + 4], eax          ; key
        mov     [edi + 8], ebx          ; value
        lea     edx, [edi + 12]
        mov     [edi], edx              ; next
        add     edi, 12
        dec     ebx
        jnz     .build
        mov     dword [edi - 12], 0
        mov     esi, kNodes
        call    msort
        mov     esi, eax                ; walk the sorted list
        xor     ebx, ebx                ; rotating sum of key * value
        xor     ecx, ecx                ; order violations (0 if sorted)
        xor     edx, edx                ; the previous key
.walk:  test    esi, esi
        jz      .done
        mov     eax, [esi + 4]
        cmp     eax, edx
        jae     .ordered
        inc     ecx
.ordered:
        mov     edx, eax
        imul    eax, [esi + 8]
        add     ebx, eax
        rol     ebx, 1
        mov     esi, [esi]
        jmp     .walk
.done:  lea     eax, [ebx + ecx * 8]
        ret

; msort: ESI = list head -> EAX = the list sorted by key (stable merge
; sort). Clobbers EBX, ECX, EDX, ESI, EDI.
msort:  mov     eax, esi
        test    esi, esi
        jz      .ret
        cmp     dword [esi], 0
        je      .ret
        mov     ebx, esi                ; slow
        mov     ecx, [esi]              ; fast
.split: mov     ecx, [ecx]
        test    ecx, ecx
        jz      .cut
        mov     ecx, [ecx]
        mov     ebx, [ebx]
        test    ecx, ecx
        jnz     .split
.cut:   mov     edi, [ebx]              ; the second half
        mov     dword [ebx], 0
        push    edi
        call    msort                   ; the first half
        pop     esi
        push    eax
        call    msort                   ; the second half
        pop     edx                     ; EDX: first sorted, EAX: second sorted
        sub     esp, 12                 ; a dummy node on the stack
        mov     edi, esp                ; the tail
.merge: test    edx, edx
        jz      .take_b
        test    eax, eax
        jz      .take_a
        mov     ecx, [edx + 4]
        cmp     ecx, [eax + 4]
        jbe     .a
        mov     [edi], eax
        mov     edi, eax
        mov     eax, [eax]
        jmp     .merge
.a:     mov     [edi], edx
        mov     edi, edx
        mov     edx, [edx]
        jmp     .merge
.take_b:
        mov     [edi], eax
        jmp     .merged
.take_a:
        mov     [edi], edx
.merged:
        mov     eax, [esp]
        add     esp, 12
.ret:   ret

; ------------------------------------------------------------ matrix
matrix_bench:
        mov     edi, kMatA              ; A and B: signed bytes from the LCG
        mov     ecx, 2 * MAT_N * MAT_N
.fill:  call    rand
        movsx   eax, al
        stosd
        loop    .fill
        xor     esi, esi                ; i
.i:     xor     edi, edi                ; j
.j:     xor     ebx, ebx                ; the sum
        xor     ecx, ecx                ; k
.k:     imul    eax, esi, MAT_N
        add     eax, ecx
        mov     eax, [kMatA + eax * 4]
        imul    edx, ecx, MAT_N
        add     edx, edi
        imul    eax, [kMatB + edx * 4]
        add     ebx, eax
        inc     ecx
        cmp     ecx, MAT_N
        jb      .k
        imul    eax, esi, MAT_N
        add     eax, edi
        mov     [kMatC + eax * 4], ebx
        inc     edi
        cmp     edi, MAT_N
        jb      .j
        inc     esi
        cmp     esi, MAT_N
        jb      .i
        mov     esi, kMatC              ; reduce C
        mov     ecx, MAT_N * MAT_N
        xor     ebx, ebx
.red:   lodsd
        mov     edx, eax
        sar     edx, 3
        xor     eax, edx
        add     ebx, eax
        rol     ebx, 3
        loop    .red
        mov     eax, ebx
        ret

; ------------------------------------------------------------ state machine
; States: 0 start, 1 sign, 2 integer, 3 dot, 4 fraction, 5 exponent mark,
; 6 exponent sign, 7 exponent digits, 8 invalid. Character classes
; (char_class): 0 other, 1 digit, 2 sign, 3 dot, 4 'e'/'E'. ',' and ' '
; end a token, counted in counts[state].
S_START equ 0
S_SIGN  equ 1
S_INT   equ 2
S_DOT   equ 3
S_FRAC  equ 4
S_EXP   equ 5
S_ESIGN equ 6
S_EINT  equ 7
S_BAD   equ 8

state_bench:
        mov     edi, kText
        mov     ecx, TEXT_LEN
.gen:   call    rand
        xor     edx, edx
        mov     ebx, alphabet_len
        div     ebx
        mov     al, [alphabet + edx]
        stosb
        loop    .gen
        mov     byte [edi], 0
        mov     edi, counts
        xor     eax, eax
        mov     ecx, 9
        rep stosd
        mov     esi, kText
        xor     ebx, ebx                ; state
sm_next:
        movzx   eax, byte [esi]
        inc     esi
        test    al, al
        jz      .end
        cmp     al, ','
        je      .sep
        cmp     al, ' '
        je      .sep
        mov     dl, [char_class + eax]
        jmp     [state_tab + ebx * 4]
.sep:   inc     dword [counts + ebx * 4]
        xor     ebx, ebx
        jmp     sm_next
.end:   inc     dword [counts + ebx * 4]
        xor     eax, eax
        mov     ecx, 9
.hash:  imul    eax, eax, 31
        add     eax, [counts + ecx * 4 - 4]
        loop    .hash
        ret

; ON class, state: go to `state` on a character of `class`.
%macro ON 2
        mov     ebx, %2
        cmp     dl, %1
        je      sm_next
%endmacro
%macro OTHERWISE 1
        mov     ebx, %1
        jmp     sm_next
%endmacro

st_start:
        ON      1, S_INT
        ON      2, S_SIGN
        ON      3, S_DOT
        OTHERWISE S_BAD
st_sign:
        ON      1, S_INT
        ON      3, S_DOT
        OTHERWISE S_BAD
st_int:
        ON      1, S_INT
        ON      3, S_FRAC
        ON      4, S_EXP
        OTHERWISE S_BAD
st_dot:
        ON      1, S_FRAC
        OTHERWISE S_BAD
st_frac:
        ON      1, S_FRAC
        ON      4, S_EXP
        OTHERWISE S_BAD
st_exp:
        ON      1, S_EINT
        ON      2, S_ESIGN
        OTHERWISE S_BAD
st_esign:
        ON      1, S_EINT
        OTHERWISE S_BAD
st_eint:
        ON      1, S_EINT
        OTHERWISE S_BAD
st_bad:
        OTHERWISE S_BAD

        align   4
state_tab:
        dd      st_start, st_sign, st_int, st_dot, st_frac, st_exp, st_esign, st_eint, st_bad
alphabet:
        db      "0123456789012345+-..eE ,x"
alphabet_len equ $ - alphabet
char_class:
%assign c 0
%rep 256
  %if c >= '0' && c <= '9'
        db      1
  %elif c == '+' || c == '-'
        db      2
  %elif c == '.'
        db      3
  %elif c == 'e' || c == 'E'
        db      4
  %else
        db      0
  %endif
%assign c c + 1
%endrep

        BENCH_END
