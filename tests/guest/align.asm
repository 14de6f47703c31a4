; Alignment checking (#AC, vector 17, error code 0): only at CPL 3 with
; CR0.AM and EFLAGS.AC both set; ring 0 and implicit accesses never check.
%define TEST_NAME "align"
%include "harness.inc"

test_main:
        ; Ring 0 with AM and AC: no check.
        mov     eax, cr0
        or      eax, 1 << 18           ; CR0.AM
        mov     cr0, eax
        pushfd
        or      dword [esp], 1 << 18   ; EFLAGS.AC
        popfd
        TRY     .r0
        mov     eax, [0x10001]
.r0:    ENDTRY
        CHECK_NO_FAULT "misaligned dword read in ring 0 with AM and AC"

        ; Ring 3, AC set (inherited by run_ring3), AM set: a misaligned word faults.
        TRY     .r3
        mov     eax, ring3_word
        call    run_ring3
.r3:    ENDTRY
        CHECK_FAULT 17, 0, "#AC on a misaligned word write in ring 3"
        CHECK_EQ [exc_eip], ring3_word.insn, "#AC points at the instruction"
        CHECK_EQ [exc_cs], SEL_CODE3, "#AC frame CS is ring 3"

        ; Ring 3, an aligned dword and a misaligned byte: no fault.
        TRY     .ok3
        mov     eax, ring3_aligned
        call    run_ring3
.ok3:   ENDTRY
        CHECK_NO_FAULT "aligned dword and byte accesses in ring 3"
        CHECK_EQ eax, 0x1234, "ring 3 ran to its end"

        ; Ring 3 with AM clear: no check.
        mov     eax, cr0
        and     eax, ~(1 << 18)
        mov     cr0, eax
        TRY     .noam
        mov     eax, ring3_word
        call    run_ring3
.noam:  ENDTRY
        CHECK_NO_FAULT "misaligned word in ring 3 with CR0.AM clear"
        ret

ring3_word:
.insn:  mov     word [0x10003], 0x55AA
        int     kIntBack
ring3_aligned:
        mov     eax, [0x10004]
        mov     byte [0x10007], 1
        mov     eax, 0x1234
        int     kIntBack

        HARNESS_END
