; smc: self-modifying code, in 32-bit flat protected mode. Three loops
; (ITERS * 256, ITERS * 1024 and ITERS * 1024 iterations):
;   own     the loop patches the opcode (ADD/SUB/XOR/ADC EAX, imm32) and the
;           immediate of an instruction in its own body, a few bytes after
;           the store: a write into the block that is running, every pass
;   callee  the loop patches the immediate of MOV EDX, imm32 in a function
;           on another page, then calls it
;   gen     the loop writes a fresh 8-byte function (MOV EAX, imm32; XOR
;           EAX, ECX; RET) into one of 64 slots of a code buffer and calls
;           it, the way a guest with its own code generator would
; Each loop folds what the patched code computed into the checksum.

%define BENCH_NAME "smc"
%ifndef ITERS
  %ifdef SMALL
    %define ITERS 4
  %else
    %define ITERS 256
  %endif
%endif
%include "boot.inc"

bench16:
        jmp     enter_pm32

%include "pm32.inc"

kGenBuf         equ 0x180000            ; 64 slots x 16 bytes
%ifndef OWN_N
  %define OWN_N ITERS * 256
%endif
%ifndef CALL_N
  %define CALL_N ITERS * 1024
%endif
%ifndef GEN_N
  %define GEN_N ITERS * 1024
%endif

bench32:
        xor     ebp, ebp                ; the checksum
        ; ------------------------------------------------ own block
        mov     ecx, OWN_N
        xor     eax, eax
own_loop:   mov     ebx, ecx
        and     ebx, 3
        mov     bl, [alu_ops + ebx]
        mov     [own_op], bl            ; the opcode ...
        mov     [own_imm], ecx          ; ... and the immediate, a few bytes on
        db      0x05                    ; ADD/SUB/XOR/ADC EAX, imm32 (patched)
own_op  equ     $ - 1
own_imm:
        dd      0
        rol     eax, 3
        dec     ecx
        jnz     own_loop
        add     ebp, eax
        ; ------------------------------------------------ callee on another page
        mov     ecx, CALL_N
        xor     eax, eax
call_loop:  lea     ebx, [ecx * 8 + 0x1234]
        mov     [callee_imm], ebx
        call    callee
        add     eax, edx
        rol     eax, 5
        dec     ecx
        jnz     call_loop
        xor     ebp, eax
        rol     ebp, 11
        ; ------------------------------------------------ generated functions
        mov     ecx, GEN_N
        xor     esi, esi                ; the running sum
gen_loop:   mov     edi, ecx                ; slot (ecx * 5) & 63
        imul    edi, edi, 5
        and     edi, 63
        shl     edi, 4
        add     edi, kGenBuf
        mov     byte [edi], 0xB8        ; MOV EAX, imm32
        mov     eax, ecx
        imul    eax, eax, 0x9E3779B1
        mov     [edi + 1], eax
        mov     dword [edi + 5], 0xC3C831 ; XOR EAX, ECX; RET
        call    edi
        add     esi, eax
        rol     esi, 1
        dec     ecx
        jnz     gen_loop
        add     ebp, esi
        mov     eax, ebp
        jmp     report32

alu_ops:
        db      0x05, 0x2D, 0x35, 0x15  ; ADD, SUB, XOR, ADC EAX, imm32 (each invertible, so the result depends on every pass)

        times   (0x10000 - ($ - $$ + 0x7C00)) & 4095 db 0x90   ; to the next page (ALIGN would move the section)
callee: db      0xBA                    ; MOV EDX, imm32 (patched)
callee_imm:
        dd      0
        xor     edx, ecx
        ret

        BENCH_END
