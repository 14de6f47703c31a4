; Self-modifying code against the decoded-instruction cache. A P6 detects
; stores into code that is already fetched or decoded, so each modification
; below takes effect at the next execution of the modified bytes, even when
; they are the very next instruction of the running block:
;   - the next instruction, a few instructions ahead, a loop body that already
;     ran (immediate and opcode), an instruction that patches its own
;     immediate, a write through a data segment with another base, REP MOVSB /
;     REP STOSB over code (also right behind themselves), writes that straddle
;     the 128-byte chunks the cache tracks code in; all with paging off and on;
;   - with paging: a second linear alias of the code page (written before and
;     after the code first ran), a code page remapped under the same linear
;     address, and an instruction that crosses into a page that is remapped
;     (PTE + INVLPG or MOV CR3), made not present (#PF at the instruction, CR2
;     the second page) or written.
%define TEST_NAME "smc"
%include "harness.inc"
%include "paging_lib.inc"

kRam            equ 0x40000            ; where section ramcode runs
kChunkCode      equ 0x4507C            ; 6 bytes straddling a 128-byte chunk boundary
kPushSave       equ 0x41000            ; ram_push's saved ESP
SEL_DATA_RAM    equ 0x40               ; data segment based at kRam
WALIAS          equ LIN(1) - LIN(0)    ; code at LIN(0) is written through LIN(1)

; CALL_EQ target, expected, "message": call target, check EAX.
%macro CALL_EQ 3
        call    %1
        CHECK_EQ eax, %2, %3
%endmacro

test_main:
        SET_DESC SEL_DATA_RAM, kRam, 0xFFFF, ACC_DATA, FLG_32
        PRINT   {"-- paging off", 13, 10}
        call    basic
        call    paging_init
        PRINT   {"-- paging on", 13, 10}
        call    basic
        call    alias_tests
        call    crossing_tests
        ret

; ---- the tests that need no paging (run twice) ----
basic:
        mov     esi, section.ramcode.start      ; (re)load the code: the copy
        mov     edi, kRam                       ; itself overwrites decoded code
        mov     ecx, ramcode_end - kRam
        rep movsb
        mov     bl, 0x42
        call    ram_next
        movzx   eax, al
        CHECK_EQ eax, 0x42, "patched the next instruction (first run)"
        mov     bl, 0x43
        call    ram_next
        movzx   eax, al
        CHECK_EQ eax, 0x43, "patched the next instruction (second run)"
        mov     ebx, 0x22222222
        CALL_EQ ram_ahead, 0x22222222, "patched an instruction three ahead"
        mov     ebx, 0x33333333
        CALL_EQ ram_ahead, 0x33333333, "patched it again"
        call    ram_loop
        CHECK_EQ edx, 1 + 2 + 4 + 8 + 16, "loop body: immediate doubled each iteration"
        CHECK_EQ eax, 3, "loop body: INC/NOP toggled each iteration"
        call    ram_loop
        CHECK_EQ edx, 32 * 31, "loop body, second call: the immediate kept going"
        CHECK_EQ eax, 2, "loop body, second call: starts with NOP"
        call    ram_self
        movzx   eax, byte [ram_self.s + 6]
        CHECK_EQ eax, 8, "instruction adding its own immediate to itself (1, 2, 4 -> 8)"
        mov     ax, SEL_DATA_RAM
        mov     es, ax
        mov     ebx, 0x5E65E650
        call    ram_dseg
        mov     cx, SEL_DATA0
        mov     es, cx
        CHECK_EQ eax, 0x5E65E650, "patched through a data segment based elsewhere"
        mov     ebx, 0x50505050
        CALL_EQ ram_push, 0x50505050, "patched by a PUSH (a stack write)"
        ; REP MOVSB of whole routines over a routine that ran.
        mov     esi, fn_a
        mov     edi, ram_target
        mov     ecx, fn_a_len
        rep movsb
        CALL_EQ ram_target, 0xA, "routine A copied in"
        mov     esi, fn_b
        mov     edi, ram_target
        mov     ecx, fn_b_len
        rep movsb
        CALL_EQ ram_target, 0xB + 5, "routine B copied over A"
        mov     esi, new_mov
        CALL_EQ ram_rep_self, 0x99999999, "REP MOVSB over the instruction after it"
        call    ram_stos
        CHECK_EQ ebx, 7, "REP STOSB of NOPs over the instruction after it"
        ; Writes that straddle the 128-byte chunks code is tracked in.
        mov     dword [kChunkCode], 0x332211B8  ; mov eax, 0x44332211 / ret
        mov     word [kChunkCode + 4], 0xC344
        CALL_EQ kChunkCode, 0x44332211, "code across a chunk boundary"
        mov     byte [kChunkCode + 4], 0x55     ; in the second chunk only
        CALL_EQ kChunkCode, 0x55332211, "write to its second chunk"
        mov     dword [kChunkCode + 2], 0xC3667788  ; straddles the boundary
        CALL_EQ kChunkCode, 0x66778811, "write straddling the chunk boundary"
        mov     dword [kChunkCode + 0x84], 0x90909090   ; a chunk without this code
        CALL_EQ kChunkCode, 0x66778811, "write to another chunk of the page"
        ret

; ---- paging: linear aliases and remapped code pages ----
alias_tests:
        SETPTE  0, FRAME(0) | PG_P | PG_W
        SETPTE  1, FRAME(0) | PG_P | PG_W
        SETPTE  2, FRAME(0) | PG_P | PG_W
        mov     esi, section.aliascode.start    ; the code is written through
        mov     edi, LIN(1)                     ; LIN(1) before it first runs
        mov     ecx, aliascode_end - LIN(0)
        rep movsb
        CALL_EQ al_fn, 0x11111111, "code at LIN(0) written through LIN(1)"
        mov     dword [al_fn + 1 + WALIAS], 0x22222222
        CALL_EQ al_fn, 0x22222222, "patched through the alias after it ran"
        CALL_EQ al_fn - LIN(0) + LIN(2), 0x22222222, "a third alias runs the same bytes"
        mov     dword [al_fn + 1 + WALIAS], 0x23232323
        CALL_EQ al_fn - LIN(0) + LIN(2), 0x23232323, "third alias after another patch"
        mov     ebx, 0x33333333
        CALL_EQ al_self, 0x33333333, "same block patched through the alias"
        mov     ebx, 0x44444444
        CALL_EQ al_self, 0x44444444, "same block patched again"
        ; The same linear code page remapped to another frame.
        mov     esi, FRAME(0)
        mov     edi, FRAME(1)
        mov     ecx, aliascode_end - LIN(0)
        rep movsb
        mov     dword [FRAME(1) + al_fn + 1 - LIN(0)], 0x55555555
        SETPTE  0, FRAME(1) | PG_P | PG_W
        invlpg  [LIN(0)]
        CALL_EQ al_fn, 0x55555555, "code page remapped (PTE + INVLPG)"
        SETPTE  0, FRAME(0) | PG_P | PG_W
        RELOAD_CR3
        CALL_EQ al_fn, 0x23232323, "code page mapped back (PTE + MOV CR3)"
        ret

; ---- an instruction that crosses from LIN(4) into LIN(5) ----
; mov eax, imm32 at LIN(4) + 0xFFD: B8 11 11 | xx xx, then ret (C3).
crossing_tests:
        mov     byte [FRAME(4) + 0xFFD], 0xB8
        mov     word [FRAME(4) + 0xFFE], 0x1111
        mov     dword [FRAME(5)], 0xC32222
        mov     dword [FRAME(6)], 0xC33333
        SETPTE  4, FRAME(4) | PG_P | PG_W
        SETPTE  5, FRAME(5) | PG_P | PG_W
        CALL_EQ LIN(4) + 0xFFD, 0x22221111, "crossing instruction, second page frame 5"
        SETPTE  5, FRAME(6) | PG_P | PG_W
        invlpg  [LIN(5)]
        CALL_EQ LIN(4) + 0xFFD, 0x33331111, "second page remapped to frame 6 (INVLPG)"
        SETPTE  5, FRAME(5) | PG_P | PG_W
        RELOAD_CR3
        CALL_EQ LIN(4) + 0xFFD, 0x22221111, "second page back to frame 5 (MOV CR3)"
        SETPTE  5, 0
        invlpg  [LIN(5)]
        TRY     .pf
        call    LIN(4) + 0xFFD
.pf:    ENDTRY
        PF_AT   0, LIN(5), LIN(4) + 0xFFD, "second page not present"
        SETPTE  5, FRAME(6) | PG_P | PG_W
        CALL_EQ LIN(4) + 0xFFD, 0x33331111, "second page present again (frame 6)"
        mov     byte [FRAME(6) + 1], 0x44
        CALL_EQ LIN(4) + 0xFFD, 0x44331111, "write to the second page's bytes"
        mov     byte [LIN(4) + 0xFFE], 0x55
        CALL_EQ LIN(4) + 0xFFD, 0x44331155, "write to the first page's bytes"
        ret

        [section .rodata]
fn_a:   mov     eax, 0xA
        ret
fn_a_len equ $ - fn_a
fn_b:   mov     eax, 0xB
        add     eax, 5
        ret
fn_b_len equ $ - fn_b
new_mov: mov    eax, 0x99999999

; ---- code that runs at kRam (copied there by `basic`) ----
        section ramcode follows=.rodata vstart=kRam
ram_next:                               ; AL = BL
        mov     [.i + 1], bl
.i:     mov     al, 0x11
        ret
ram_ahead:                              ; EAX = EBX
        mov     [.t + 1], ebx
        xor     eax, eax
        inc     ecx
        nop
.t:     mov     eax, 0x11111111
        ret
ram_loop:                               ; 5 iterations
        xor     edx, edx
        xor     eax, eax
        mov     ecx, 5
.body:
.add:   add     edx, strict dword 1
.op:    inc     eax
        shl     dword [.add + 2], 1
        xor     byte [.op], 0x40 ^ 0x90
        dec     ecx
        jnz     .body
        ret
ram_self:
        mov     ecx, 3
.s:     add     byte [.s + 6], 1        ; 80 05 disp32 ib: byte 6 is the immediate
        loop    .s
        ret
ram_dseg:                               ; EAX = EBX, written through ES (base kRam)
        mov     [es:.i + 1 - kRam], ebx
.i:     mov     eax, 0x11111111
        ret
ram_push:                               ; EAX = EBX, pushed over .t's immediate
        mov     [kPushSave], esp
        mov     esp, .t + 5
        push    ebx
        mov     esp, [kPushSave]
.t:     mov     eax, 0x11111111
        ret
ram_rep_self:                           ; ESI = 5 new bytes for .t
        mov     edi, .t
        mov     ecx, 5
        rep movsb
.t:     mov     eax, 0x11111111
        ret
ram_stos:                               ; .kill becomes NOPs: EBX stays 7
        mov     ebx, 7
        mov     al, 0x90
        mov     edi, .kill
        mov     ecx, 5
        rep stosb
.kill:  mov     ebx, 0x12345678
        ret
ram_target:
        times   16 int3
ramcode_end:

; ---- code that runs at LIN(0) (and LIN(2)) and is written through LIN(1) ----
        section aliascode follows=ramcode vstart=LIN(0)
al_fn:  mov     eax, 0x11111111
        ret
al_self:                                ; EAX = EBX
        mov     [.t + 1 + WALIAS], ebx
.t:     mov     eax, 0x11111111
        ret
aliascode_end:
        section .text

        HARNESS_END
