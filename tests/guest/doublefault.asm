; Double fault and the exception classes (SDM vol. 3, 6.15 "Interrupt 8",
; table 6-5): a contributory exception while delivering a contributory one,
; and any contributory exception or page fault while delivering a page
; fault, become #DF with error code 0; a benign first exception, or a page
; fault while delivering a contributory one, are handled serially. A fault
; while delivering #DF is a triple fault: the machine resets and this ROM
; starts again, which the second run notices and reports.
%define TEST_NAME "doublefault"
%include "harness.inc"

D_NP    equ 0x40        ; a not-present data segment
kPd     equ 0x50000
kPt0    equ 0x51000     ; 0-4 MiB identity, except 3FF000h (set per test)
kPt1    equ 0x52000     ; 400000h (set per test)
kSave   equ 0x9000      ; survives the reset: magic, checks, failures
kMagic  equ 0x7219FA17

test_main:
        cmp     dword [kSave], kMagic
        je      after_reset
        SET_DESC D_NP, 0, 0xFFFF, 0x12, 0
        call    contributory_pairs
        call    benign_first
        call    page_faults
        call    triple_fault            ; does not return
        ret

; ---------------------------------------------------------------- #GP/#NP pairs
contributory_pairs:
        ; Vector 11's gate names a code selector past the GDT: delivering the
        ; #NP raises #GP(sel|EXT), and #NP + #GP is a double fault.
        mov     eax, [kIdt + 11 * 8]
        mov     edx, [kIdt + 11 * 8 + 4]
        mov     word [kIdt + 11 * 8 + 2], 0x100
        TRY     .f1
        mov     cx, D_NP
.np:    mov     ds, cx
.f1:    ENDTRY
        mov     [kIdt + 11 * 8], eax
        mov     [kIdt + 11 * 8 + 4], edx
        CHECK_FAULT 8, 0, "#GP while delivering #NP: #DF(0)"
        CHECK_EQ [exc_cs], SEL_CODE0, "#DF handler frame CS"
        ; The same #NP with a good gate: no double fault.
        TRY     .f2
        mov     cx, D_NP
        mov     ds, cx
.f2:    ENDTRY
        CHECK_FAULT 11, D_NP, "the #NP alone is delivered as #NP(sel)"
        ; IDT limit covering vectors 0-8 only: the #GP's own gate is past
        ; the limit, which raises #GP(13*8+2+EXT) while delivering it.
        lidt    [small_idt]
        TRY     .f3
        mov     cx, 0x100
        mov     ds, cx
.f3:    ENDTRY
        lidt    [idt_ptr]
        CHECK_FAULT 8, 0, "#GP with the IDT limit below its vector: #DF(0)"
        ; Vector 13 not present: #GP then #NP(13*8+2+EXT).
        and     byte [kIdt + 13 * 8 + 5], 0x7F
        TRY     .f4
        mov     cx, 0x100
        mov     es, cx
.f4:    ENDTRY
        or      byte [kIdt + 13 * 8 + 5], 0x80
        CHECK_FAULT 8, 0, "#NP while delivering #GP: #DF(0)"
        ret

; ---------------------------------------------------------------- benign first
benign_first:
        ; #UD through a not-present gate: #NP(6*8+2+EXT), no double fault.
        and     byte [kIdt + 6 * 8 + 5], 0x7F
        TRY     .f1
        ud2
.f1:    ENDTRY
        or      byte [kIdt + 6 * 8 + 5], 0x80
        CHECK_FAULT 11, 6 * 8 + 2 + 1, "#NP while delivering #UD (benign): #NP(vec*8+2+EXT)"
        ; INT 6 from software through the same gate: EXT clear.
        and     byte [kIdt + 6 * 8 + 5], 0x7F
        TRY     .f2
        int     6
.f2:    ENDTRY
        or      byte [kIdt + 6 * 8 + 5], 0x80
        CHECK_FAULT 11, 6 * 8 + 2, "INT 6 through a not-present gate: #NP(vec*8+2)"
        ret

; ---------------------------------------------------------------- with paging
page_faults:
        mov     edi, kPt0
        mov     eax, 3
        mov     ecx, 1024
.pt:    stosd
        add     eax, 0x1000
        loop    .pt
        mov     edi, kPd
        xor     eax, eax
        mov     ecx, 1024
        rep stosd
        mov     edi, kPt1
        mov     ecx, 1024
        rep stosd
        mov     dword [kPd], kPt0 | 3
        mov     dword [kPd + 4], kPt1 | 3
        mov     eax, kPd
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax

        ; #PF through a not-present gate 14: page fault then contributory.
        and     byte [kIdt + 14 * 8 + 5], 0x7F
        TRY     .f1
        mov     eax, [0x400800]
.f1:    ENDTRY
        or      byte [kIdt + 14 * 8 + 5], 0x80
        CHECK_FAULT 8, 0, "#NP while delivering #PF: #DF(0)"
        CHECK_EQ [exc_cr2], 0x400800, "CR2 from the first page fault"

        ; The #PF alone.
        TRY     .f2
        mov     eax, [0x400800]
.f2:    ENDTRY
        CHECK_FAULT 14, 0, "read of an unmapped page alone: #PF(0)"

        ; IDT at 3FFFB8h: vector 8 ends the mapped page 3FF000h, vector 14
        ; lies on the unmapped page 400000h. #PF then #PF: #DF.
        mov     dword [kPt0 + 0x3FF * 4], 0x71000 | 3
        mov     dword [kPt1], 0
        mov     eax, cr3
        mov     cr3, eax
        mov     eax, [kIdt + 8 * 8]
        mov     [0x3FFFF8], eax
        mov     eax, [kIdt + 8 * 8 + 4]
        mov     [0x3FFFFC], eax
        lidt    [idt_at_3ffb8]
        TRY     .f3
        mov     eax, [0x400800]
.f3:    ENDTRY
        lidt    [idt_ptr]
        CHECK_FAULT 8, 0, "#PF while delivering #PF (IDT entry unmapped): #DF(0)"
        CHECK_EQ [exc_cr2], 0x3FFFB8 + 14 * 8, "CR2 = the IDT entry of vector 14"

        ; IDT at 3FFFC0h: vector 0 on the unmapped page 3FF000h, vectors
        ; 8-31 on the mapped page 400000h. #DE then #PF: handled serially.
        mov     dword [kPt0 + 0x3FF * 4], 0
        mov     dword [kPt1], 0x70000 | 3
        mov     eax, cr3
        mov     cr3, eax
        mov     esi, kIdt + 8 * 8
        mov     edi, 0x400000
        mov     ecx, 24 * 2
        rep movsd
        lidt    [idt_at_3ffc0]
        TRY     .f4
        xor     edx, edx
        xor     ecx, ecx
.div:   div     ecx
.f4:    ENDTRY
        lidt    [idt_ptr]
        CHECK_FAULT 14, 0, "#PF while delivering #DE: the #PF is delivered (no #DF)"
        CHECK_EQ [exc_cr2], 0x3FFFC0, "CR2 = the IDT entry of vector 0"
        CHECK_EQ [exc_eip], .div, "#PF frame EIP = the DIV"

        mov     eax, cr0
        and     eax, 0x7FFFFFFF
        mov     cr0, eax
        ret

; ---------------------------------------------------------------- triple fault
; An IDT of limit 0: #GP, then #GP delivering it (#DF), then #GP delivering
; the #DF: shutdown, which the PC turns into a reset.
triple_fault:
        mov     eax, [checks]
        mov     [kSave + 4], eax
        mov     eax, [failures]
        mov     [kSave + 8], eax
        mov     dword [kSave], kMagic
        PRINT   {"triple fault next: the ROM should start again", 13, 10}
        mov     dx, kCom1 + 5           ; let the UART drain: the reset clears it
.drain: in      al, dx
        test    al, 0x40
        jz      .drain
        mov     eax, kPd                ; paging on: a reset turns it off
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        lidt    [null_idt]
        mov     cx, 0x100
        mov     ds, cx
        ; Not reached: a machine that comes back here did not shut down.
        lidt    [idt_ptr]
        mov     ax, SEL_DATA0
        mov     ds, ax
        mov     dword [kSave], 0
        CHECK_EQ 0, 1, "triple fault reset the machine"
        ret

after_reset:
        mov     dword [kSave], 0
        mov     eax, [kSave + 4]
        mov     [checks], eax
        mov     eax, [kSave + 8]
        mov     [failures], eax
        mov     eax, cr0
        and     eax, 0x80000000
        CHECK_EQ eax, 0, "after the triple fault the ROM ran again with paging off (reset)"
        mov     eax, cr3
        CHECK_EQ eax, 0, "after the reset: CR3 = 0"
        ret

small_idt:      dw 9 * 8 - 1
                dd kIdt
null_idt:       dw 0
                dd kIdt
idt_at_3ffb8:   dw 256 * 8 - 1
                dd 0x3FFFB8
idt_at_3ffc0:   dw 32 * 8 - 1
                dd 0x3FFFC0

        HARNESS_END
