; Segment-register loads and their faults (SDM vol. 3, 3.4-3.5, 5.4-5.7;
; vol. 2 MOV/LDS/LAR/LSL/VERR/VERW): null selectors, the GDT/LDT limit,
; presence, types, DPL/RPL/CPL, expand-down limits with the B bit,
; granularity, the accessed bit, LDTs, and the descriptor queries.
%define TEST_NAME "segments"
%include "harness.inc"

D_DATA  equ 0x40        ; data, ring 0, base 20000h, limit FFFh
D_NP    equ 0x48        ; data, not present
D_XO    equ 0x50        ; code, execute-only, ring 0, flat 32-bit
D_RCODE equ 0x58        ; code, readable, ring 0, base 20000h, limit FFFh
D_ED16  equ 0x60        ; data, expand-down, limit FFFh, B = 0
D_ED32  equ 0x68        ; data, expand-down, limit FFFh, B = 1
D_DATA3 equ 0x70        ; data, ring 3, base 20000h, limit FFFh
D_RO    equ 0x78        ; data, read-only
D_GRAN  equ 0x80        ; data, limit 1 with G = 1 (1FFFh)
D_ACC   equ 0x88        ; data with the accessed bit clear, never loaded before
D_LDT   equ 0x90        ; LDT at 40000h, 4 entries
D_CONF  equ 0x98        ; conforming readable code, ring 0
D_GATE  equ 0xA0        ; a call gate (DPL 3), for LAR
D_INTG  equ 0xA8        ; an interrupt gate in the GDT (not valid for LAR)
D_ED3   equ 0xB0        ; data, expand-down, ring 3, limit FFFh, B = 1
D_BIG   equ 0xB8        ; data, limit F0001h, D/B set (LAR masks the limit bits)
D_EDG   equ 0xC0        ; data, expand-down, limit Fh with G = 1 and B = 1
D_LDTNP equ 0xC8        ; an LDT descriptor, not present
D_CODE3 equ 0xD0        ; ring 3 code, flat (for JMP from ring 0)
D_EDS   equ 0xD8        ; data, expand-down, base 0, limit FFFh, B = 1 (a ring 0 stack)

kLdt    equ 0x40000
kBase   equ 0x20000
res     equ 0x10000     ; results written by ring 3 code

; ZF -> ECX (0/1), then check it.
%macro CHECK_ZF 2
        setz    cl
        movzx   ecx, cl
        CHECK_EQ ecx, %1, %2
%endmacro

test_main:
        SET_DESC D_DATA, kBase, 0xFFF, ACC_DATA, 0
        SET_DESC D_NP, kBase, 0xFFF, 0x12, 0
        SET_DESC D_XO, 0, 0xFFFFF, 0x98, FLG_32 | FLG_4K
        SET_DESC D_RCODE, kBase, 0xFFF, ACC_CODE, FLG_32
        SET_DESC D_ED16, kBase, 0xFFF, 0x96, 0
        SET_DESC D_ED32, kBase, 0xFFF, 0x96, FLG_32
        SET_DESC D_DATA3, kBase, 0xFFF, 0xF2, 0
        SET_DESC D_RO, kBase, 0xFFF, 0x90, 0
        SET_DESC D_GRAN, kBase, 1, ACC_DATA, FLG_4K
        SET_DESC D_ACC, kBase, 0xFFF, ACC_DATA, 0
        SET_DESC D_LDT, kLdt, 0x1F, ACC_LDT, 0
        SET_DESC D_CONF, kBase, 0xFFF, 0x9E, FLG_32
        mov     dword [kGdt + D_GATE], (SEL_CODE0 << 16) | 0x1234
        mov     dword [kGdt + D_GATE + 4], 0x0000EC02
        mov     dword [kGdt + D_INTG], (SEL_CODE0 << 16) | 0x1234
        mov     dword [kGdt + D_INTG + 4], 0x00008E00
        SET_DESC D_ED3, kBase, 0xFFF, 0xF6, FLG_32
        SET_DESC D_BIG, kBase, 0xF0001, ACC_DATA, FLG_32
        SET_DESC D_EDG, kBase, 0xF, 0x96, FLG_32 | FLG_4K
        SET_DESC D_LDTNP, kLdt, 0x1F, 0x02, 0
        SET_DESC D_CODE3, 0, 0xFFFFF, 0xFA, FLG_32 | FLG_4K
        SET_DESC D_EDS, 0, 0xFFF, 0x96, FLG_32
        mov     dword [kBase + 0x10], 0xC0FFEE01

        call    null_and_limits
        call    presence_and_types
        call    privilege
        call    expand_down
        call    granularity_and_accessed
        call    ldt_tests
        call    queries
        call    ring3_tests
        ret

; ---------------------------------------------------------------- null, GDT limit
null_and_limits:
        TRY     .f1
        xor     eax, eax
        mov     fs, ax                  ; null into a data register: fine
        mov     eax, fs
.f1:    ENDTRY
        CHECK_NO_FAULT "null selector into FS"
        CHECK_EQ eax, 0, "FS holds the null selector"
        TRY     .f2
        mov     ax, 3                   ; a null selector with RPL 3
        mov     fs, ax
        mov     eax, [fs:0]
.f2:    ENDTRY
        CHECK_FAULT 13, 0, "access through a null FS is #GP(0)"
        TRY     .f3
        xor     eax, eax
        mov     ss, ax
.f3:    ENDTRY
        CHECK_FAULT 13, 0, "null selector into SS is #GP(0)"
        TRY     .f4
        mov     ax, 0x100               ; first selector past the GDT limit (FFh)
        mov     ds, ax
.f4:    ENDTRY
        CHECK_FAULT 13, 0x100, "selector beyond the GDT limit: #GP(sel)"
        TRY     .f5
        mov     ax, 0x10B               ; RPL does not reach the error code
        mov     es, ax
.f5:    ENDTRY
        CHECK_FAULT 13, 0x108, "selector beyond the GDT limit with RPL 3: #GP(sel & ~3)"
        TRY     .f6
        mov     ax, 0x100
        mov     ss, ax
.f6:    ENDTRY
        CHECK_FAULT 13, 0x100, "SS beyond the GDT limit: #GP(sel)"
        ret

; ---------------------------------------------------------------- presence, types
presence_and_types:
        TRY     .f1
        mov     ax, D_NP
        mov     ds, ax
.f1:    ENDTRY
        CHECK_FAULT 11, D_NP, "not-present data segment into DS: #NP(sel)"
        TRY     .f2
        mov     ax, D_NP
        mov     ss, ax
.f2:    ENDTRY
        CHECK_FAULT 12, D_NP, "not-present segment into SS: #SS(sel)"
        TRY     .f3
        mov     dword [res + 0x40], 0
        mov     word [res + 0x44], D_NP
        lgs     eax, [res + 0x40]
.f3:    ENDTRY
        CHECK_FAULT 11, D_NP, "LGS with a not-present segment: #NP(sel)"
        TRY     .f4
        mov     ax, D_XO
        mov     ds, ax
.f4:    ENDTRY
        CHECK_FAULT 13, D_XO, "execute-only code into DS: #GP(sel)"
        TRY     .f5
        mov     ax, SEL_TSS0
        mov     es, ax
.f5:    ENDTRY
        CHECK_FAULT 13, SEL_TSS0, "a TSS descriptor into ES: #GP(sel)"
        TRY     .f6
        mov     ax, D_RO
        mov     ss, ax
.f6:    ENDTRY
        CHECK_FAULT 13, D_RO, "read-only data into SS: #GP(sel)"
        TRY     .f7
        mov     ax, D_RCODE
        mov     ss, ax
.f7:    ENDTRY
        CHECK_FAULT 13, D_RCODE, "readable code into SS: #GP(sel)"
        ; Readable code in DS: reads work, writes fault.
        TRY     .f8
        mov     ax, D_RCODE
        mov     fs, ax
        mov     eax, [fs:0x10]
.f8:    ENDTRY
        CHECK_NO_FAULT "readable code into FS and a read through it"
        CHECK_EQ eax, 0xC0FFEE01, "read through readable code FS"
        TRY     .f9
        mov     ax, D_RCODE
        mov     fs, ax
        mov     dword [fs:0x10], 0
.f9:    ENDTRY
        CHECK_FAULT 13, 0, "write through a code segment: #GP(0)"
        TRY     .f10
        mov     ax, D_RO
        mov     gs, ax
        mov     eax, [gs:0x10]
        mov     byte [gs:0x10], 0
.f10:   ENDTRY
        CHECK_FAULT 13, 0, "write through read-only data: #GP(0)"
        CHECK_EQ [kBase + 0x10], 0xC0FFEE01, "the refused writes changed nothing"
        ; Far JMP: data is not code; execute-only code is fine.
        TRY     .f11
        jmp     D_DATA:0
.f11:   ENDTRY
        CHECK_FAULT 13, D_DATA, "far JMP to a data segment: #GP(sel)"
        TRY     .f12
        jmp     D_XO:.in_xo
.in_xo: mov     eax, cs
        jmp     SEL_CODE0:.f12
.f12:   ENDTRY
        CHECK_NO_FAULT "far JMP to execute-only code and back"
        CHECK_EQ eax, D_XO, "CS while in the execute-only segment"
        TRY     .f13
        jmp     D_RCODE:0x1000          ; limit FFFh
.f13:   ENDTRY
        CHECK_FAULT 13, 0, "far JMP past the code segment limit: #GP(0)"
        TRY     .f14
        jmp     D_CODE3:.f14            ; ring 3 code from ring 0
.f14:   ENDTRY
        CHECK_FAULT 13, D_CODE3, "far JMP to a DPL 3 non-conforming segment: #GP(sel)"
        ret

; ---------------------------------------------------------------- DPL/RPL at CPL 0
privilege:
        TRY     .f1
        mov     ax, D_DATA | 3          ; RPL 3 > DPL 0
        mov     ds, ax
.f1:    ENDTRY
        CHECK_FAULT 13, D_DATA, "RPL 3 selector for a DPL 0 data segment: #GP(sel)"
        TRY     .f2
        mov     ax, D_DATA3             ; CPL 0 may use DPL 3 data
        mov     es, ax
        mov     eax, [es:0x10]
.f2:    ENDTRY
        CHECK_NO_FAULT "DPL 3 data from CPL 0"
        CHECK_EQ eax, 0xC0FFEE01, "read through DPL 3 data"
        TRY     .f3
        mov     ax, D_DATA3             ; SS needs DPL = CPL
        mov     ss, ax
.f3:    ENDTRY
        CHECK_FAULT 13, D_DATA3, "SS with DPL 3 at CPL 0: #GP(sel)"
        TRY     .f4
        mov     ax, SEL_DATA0 | 1       ; SS needs RPL = CPL
        mov     ss, ax
.f4:    ENDTRY
        CHECK_FAULT 13, SEL_DATA0, "SS with RPL 1 at CPL 0: #GP(sel)"
        ret

; ---------------------------------------------------------------- expand-down
expand_down:
        ; B = 0: valid offsets 1000h..FFFFh.
        mov     ax, D_ED16
        mov     es, ax
        TRY     .f1
        mov     al, [es:0xFFF]
.f1:    ENDTRY
        CHECK_FAULT 13, 0, "expand-down B=0: byte at the limit faults"
        TRY     .f2
        mov     ax, D_ED16
        mov     es, ax
        mov     byte [es:0x1000], 0x5A
        mov     dword [es:0xFFFC], 0x11223344
        mov     word [es:0xFFFA], 0x5566
.f2:    ENDTRY
        CHECK_NO_FAULT "expand-down B=0: byte at limit+1, dword and word at the top"
        CHECK_EQ [kBase + 0xFFFC], 0x11223344, "expand-down dword landed at base+FFFCh"
        movzx   eax, byte [kBase + 0x1000]
        CHECK_EQ eax, 0x5A, "expand-down byte landed at base+1000h"
        TRY     .f3
        mov     ax, D_ED16
        mov     es, ax
        mov     ax, [es:0xFFF]
.f3:    ENDTRY
        CHECK_FAULT 13, 0, "expand-down B=0: word at the limit faults"
        TRY     .f4
        mov     ax, D_ED16
        mov     es, ax
        mov     ax, [es:0xFFFF]
.f4:    ENDTRY
        CHECK_FAULT 13, 0, "expand-down B=0: word at FFFFh crosses the 64 KiB top"
        TRY     .f5
        mov     ax, D_ED16
        mov     es, ax
        mov     eax, [es:0xFFFD]
.f5:    ENDTRY
        CHECK_FAULT 13, 0, "expand-down B=0: dword at FFFDh crosses the top"
        TRY     .f6
        mov     ax, D_ED16
        mov     es, ax
        mov     al, [es:0x10000]
.f6:    ENDTRY
        CHECK_FAULT 13, 0, "expand-down B=0: byte at 10000h is past the top"
        ; B = 1: valid offsets 1000h..FFFFFFFFh.
        TRY     .f7
        mov     ax, D_ED32
        mov     es, ax
        mov     dword [es:0xFFFD], 0xA1B2C3D4
        mov     dword [es:0xFFFFFFFC], 0x99887766
.f7:    ENDTRY
        CHECK_NO_FAULT "expand-down B=1: dword across 64 KiB and at the 4 GiB top"
        CHECK_EQ [kBase + 0xFFFD], 0xA1B2C3D4, "dword at base+FFFDh"
        CHECK_EQ [kBase - 4], 0x99887766, "offset FFFFFFFCh wraps to base-4"
        TRY     .f8
        mov     ax, D_ED32
        mov     es, ax
        mov     eax, [es:0xFFFFFFFD]
.f8:    ENDTRY
        CHECK_FAULT 13, 0, "expand-down B=1: dword at FFFFFFFDh faults"
        TRY     .f9
        mov     ax, D_ED32
        mov     es, ax
        mov     eax, [es:0xFFE]
.f9:    ENDTRY
        CHECK_FAULT 13, 0, "expand-down B=1: dword at FFEh (below limit+1) faults"
        ; An expand-down stack segment: the fault is #SS(0). (Base 0, so the
        ; handler's stack is where it would be with the flat SS.)
        TRY     .f10
        mov     ax, D_EDS
        mov     ss, ax
        mov     ebp, 0xFFF
        mov     al, [ebp]
.f10:   ENDTRY
        CHECK_FAULT 12, 0, "expand-down SS: byte at the limit is #SS(0)"
        ; G = 1: limit Fh means FFFFh, so offsets from 10000h.
        TRY     .f11
        mov     ax, D_EDG
        mov     es, ax
        mov     al, [es:0xFFFF]
.f11:   ENDTRY
        CHECK_FAULT 13, 0, "expand-down G=1: byte at FFFFh faults"
        TRY     .f12
        mov     ax, D_EDG
        mov     es, ax
        mov     al, [es:0x10000]
.f12:   ENDTRY
        CHECK_NO_FAULT "expand-down G=1: byte at 10000h"
        ; Expand-up for comparison: last valid byte FFFh.
        TRY     .f13
        mov     ax, D_DATA
        mov     es, ax
        mov     eax, [es:0xFFC]
        mov     al, [es:0xFFF]
.f13:   ENDTRY
        CHECK_NO_FAULT "expand-up: dword at FFCh, byte at FFFh"
        TRY     .f14
        mov     ax, D_DATA
        mov     es, ax
        mov     eax, [es:0xFFD]
.f14:   ENDTRY
        CHECK_FAULT 13, 0, "expand-up: dword at FFDh faults"
        ret

; ---------------------------------------------------------------- G bit, accessed bit
granularity_and_accessed:
        TRY     .f1
        mov     ax, D_GRAN
        mov     es, ax
        mov     eax, [es:0x1FFC]
.f1:    ENDTRY
        CHECK_NO_FAULT "G=1 limit 1: dword at 1FFCh"
        TRY     .f2
        mov     ax, D_GRAN
        mov     es, ax
        mov     eax, [es:0x1FFD]
.f2:    ENDTRY
        CHECK_FAULT 13, 0, "G=1 limit 1: dword at 1FFDh faults"
        movzx   eax, byte [kGdt + D_ACC + 5]
        CHECK_EQ eax, 0x92, "accessed bit clear before the load"
        lar     eax, [.acc]
        movzx   eax, byte [kGdt + D_ACC + 5]
        CHECK_EQ eax, 0x92, "LAR leaves the accessed bit alone"
        mov     ax, D_ACC
        mov     es, ax
        movzx   eax, byte [kGdt + D_ACC + 5]
        CHECK_EQ eax, 0x93, "loading ES set the accessed bit in the GDT"
        mov     ax, SEL_DATA0
        mov     es, ax
        ret
.acc:   dw      D_ACC

; ---------------------------------------------------------------- the LDT
ldt_tests:
        mov     edi, kLdt
        xor     eax, eax
        mov     ecx, 8
        rep stosd
        ; 08h: data DPL 3 at 41000h; 10h: not present; 18h: execute-only code.
        mov     dword [kLdt + 0x08], 0x10000FFF
        mov     dword [kLdt + 0x0C], 0x0000F204
        mov     dword [kLdt + 0x10], 0x0000FFFF
        mov     dword [kLdt + 0x14], 0x00001204
        mov     dword [kLdt + 0x18], 0x0000FFFF
        mov     dword [kLdt + 0x1C], 0x00CF9800
        mov     dword [0x41010], 0x1D71D700
        mov     ax, D_LDT
        lldt    ax
        sldt    eax
        CHECK_EQ eax, D_LDT, "SLDT after LLDT"
        TRY     .f1
        mov     ax, 0x0F                ; LDT entry 1, RPL 3
        mov     fs, ax
        mov     eax, [fs:0x10]
.f1:    ENDTRY
        CHECK_NO_FAULT "LDT data segment through a TI=1 selector"
        CHECK_EQ eax, 0x1D71D700, "read through the LDT segment (base 41000h)"
        movzx   eax, byte [kLdt + 0x0D]
        CHECK_EQ eax, 0xF3, "accessed bit set in the LDT entry"
        TRY     .f2
        mov     ax, 0x14
        mov     ds, ax
.f2:    ENDTRY
        CHECK_FAULT 11, 0x14, "not-present LDT segment: #NP(sel with TI)"
        TRY     .f3
        mov     ax, 0x1C
        mov     ds, ax
.f3:    ENDTRY
        CHECK_FAULT 13, 0x1C, "execute-only LDT code into DS: #GP(sel with TI)"
        TRY     .f4
        mov     ax, 0x24                ; entry 4: past the LDT limit 1Fh
        mov     ds, ax
.f4:    ENDTRY
        CHECK_FAULT 13, 0x24, "selector beyond the LDT limit: #GP(sel with TI)"
        mov     ax, 0x0C
        lsl     ebx, ax
        CHECK_ZF 1, "LSL of an LDT segment: ZF"
        CHECK_EQ ebx, 0xFFF, "LSL of an LDT segment"
        TRY     .f5
        mov     ax, D_DATA
        lldt    ax
.f5:    ENDTRY
        CHECK_FAULT 13, D_DATA, "LLDT of a data descriptor: #GP(sel)"
        TRY     .f6
        mov     ax, 0x0C
        lldt    ax
.f6:    ENDTRY
        CHECK_FAULT 13, 0x0C, "LLDT with a TI=1 selector: #GP(sel)"
        TRY     .f7
        mov     ax, D_LDTNP
        lldt    ax
.f7:    ENDTRY
        CHECK_FAULT 11, D_LDTNP, "LLDT of a not-present LDT: #NP(sel)"
        xor     eax, eax
        lldt    ax
        TRY     .f8
        mov     ax, 0x0C
        mov     ds, ax
.f8:    ENDTRY
        CHECK_FAULT 13, 0x0C, "TI=1 selector with a null LDTR: #GP(sel)"
        ret

; ---------------------------------------------------------------- LAR/LSL/VERR/VERW
queries:
        mov     ebx, 0xDEADBEEF
        mov     ax, D_BIG
        lar     ebx, ax
        CHECK_ZF 1, "LAR data: ZF"
        CHECK_EQ ebx, 0x00409200, "LAR data (limit bits 16-19 masked, D/B)"
        mov     ax, D_GRAN
        lar     ebx, ax
        CHECK_EQ ebx, 0x00809300, "LAR data with G (accessed: loaded above)"
        mov     ax, D_NP
        lar     ebx, ax
        CHECK_ZF 1, "LAR of a not-present segment: ZF"
        CHECK_EQ ebx, 0x00001200, "LAR of a not-present segment"
        mov     ax, SEL_TSS0
        lar     ebx, ax
        CHECK_EQ ebx, 0x00008B00, "LAR of the busy TSS"
        mov     ax, D_GATE
        lar     ebx, ax
        CHECK_ZF 1, "LAR of a call gate: ZF"
        CHECK_EQ ebx, 0x0000EC00, "LAR of a call gate"
        mov     ebx, 0x5555
        mov     ax, D_INTG
        lar     ebx, ax
        CHECK_ZF 0, "LAR of an interrupt gate: ZF clear"
        CHECK_EQ ebx, 0x5555, "LAR failing leaves the destination"
        xor     eax, eax
        lar     ebx, ax
        CHECK_ZF 0, "LAR of the null selector: ZF clear"
        mov     ax, 0x100
        lar     ebx, ax
        CHECK_ZF 0, "LAR beyond the GDT limit: ZF clear"
        mov     ax, D_DATA | 3
        lar     ebx, ax
        CHECK_ZF 0, "LAR with RPL 3 > DPL 0: ZF clear"
        mov     ax, D_BIG
        lsl     ebx, ax
        CHECK_EQ ebx, 0xF0001, "LSL byte-granular"
        mov     ax, D_GRAN
        lsl     ebx, ax
        CHECK_EQ ebx, 0x1FFF, "LSL with G=1"
        mov     ax, SEL_TSS0
        lsl     ebx, ax
        CHECK_ZF 1, "LSL of the TSS: ZF"
        CHECK_EQ ebx, kTssIoMap + 8192, "LSL of the TSS"
        mov     ax, D_GATE
        lsl     ebx, ax
        CHECK_ZF 0, "LSL of a call gate: ZF clear"
        mov     ax, D_DATA
        verr    ax
        CHECK_ZF 1, "VERR data"
        mov     ax, D_XO
        verr    ax
        CHECK_ZF 0, "VERR execute-only code"
        mov     ax, D_RCODE
        verr    ax
        CHECK_ZF 1, "VERR readable code"
        mov     ax, D_GATE
        verr    ax
        CHECK_ZF 0, "VERR call gate"
        mov     ax, D_DATA
        verw    ax
        CHECK_ZF 1, "VERW writable data"
        mov     ax, D_RO
        verw    ax
        CHECK_ZF 0, "VERW read-only data"
        mov     ax, D_RCODE
        verw    ax
        CHECK_ZF 0, "VERW code"
        mov     ax, D_DATA | 3
        verw    ax
        CHECK_ZF 0, "VERW with RPL 3 > DPL 0"
        xor     eax, eax
        verr    ax
        CHECK_ZF 0, "VERR null"
        ret

; ---------------------------------------------------------------- CPL 3
ring3_tests:
        TRY     .f1
        mov     eax, r3_dpl0
        call    run_ring3
.f1:    ENDTRY
        CHECK_FAULT 13, D_DATA, "CPL 3 loading DPL 0 data: #GP(sel)"
        CHECK_EQ [exc_eip], r3_dpl0.insn, "fault EIP is the MOV DS"
        CHECK_EQ [exc_cs], SEL_CODE3, "fault CS is ring 3"
        TRY     .f2
        mov     eax, r3_ss_rpl
        call    run_ring3
.f2:    ENDTRY
        CHECK_FAULT 13, D_DATA3, "CPL 3 loading SS with RPL 0: #GP(sel)"
        TRY     .f3
        mov     eax, r3_conf
        call    run_ring3
.f3:    ENDTRY
        CHECK_NO_FAULT "CPL 3 loads conforming DPL 0 code into DS and DPL 3 data into ES"
        CHECK_EQ eax, 0xC0FFEE01, "read through the conforming code segment"
        CHECK_EQ [res], 1, "ring 3 LAR of DPL 3 data: ZF"
        CHECK_EQ [res + 4], 0, "ring 3 LAR of DPL 0 data: ZF clear"
        CHECK_EQ [res + 8], 1, "ring 3 VERR conforming DPL 0 code: ZF"
        CHECK_EQ [res + 12], 0, "ring 3 VERR DPL 0 data: ZF clear"
        CHECK_EQ [res + 16], 1, "ring 3 VERW DPL 3 data: ZF"
        CHECK_EQ [res + 20], 0, "ring 3 LSL DPL 0 data: ZF clear"
        CHECK_EQ [res + 24], 0x0000F300, "ring 3 LAR of DPL 3 data (accessed)"
        TRY     .f4
        mov     eax, r3_stack
        call    run_ring3
.f4:    ENDTRY
        CHECK_FAULT 12, 0, "ring 3 push below an expand-down stack's limit: #SS(0)"
        CHECK_EQ [exc_eip], r3_stack.insn, "#SS at the second PUSH"
        CHECK_EQ [exc_esp], 0x1000, "ESP after the first PUSH only"
        CHECK_EQ [kBase + 0x1000], 0xFACE, "the first PUSH landed at base+1000h"
        TRY     .f5
        mov     eax, r3_lldt
        call    run_ring3
.f5:    ENDTRY
        CHECK_FAULT 13, 0, "LLDT at CPL 3: #GP(0)"
        ret

r3_dpl0:
        mov     ax, D_DATA | 3
.insn:  mov     ds, ax
        int     kIntBack
r3_ss_rpl:
        mov     ax, D_DATA3
        mov     ss, ax
        int     kIntBack
r3_conf:
        xor     eax, eax
        mov     [res + 24], eax
        mov     cx, D_DATA3 | 3
        lar     edx, cx
        setz    [res]
        mov     [res + 24], edx
        mov     cx, D_DATA | 3
        lar     edx, cx
        setz    [res + 4]
        mov     cx, D_CONF | 3
        verr    cx
        setz    [res + 8]
        mov     cx, D_DATA | 3
        verr    cx
        setz    [res + 12]
        mov     cx, D_DATA3 | 3
        verw    cx
        setz    [res + 16]
        mov     cx, D_DATA | 3
        lsl     edx, cx
        setz    [res + 20]
        mov     ax, D_DATA3 | 3
        mov     es, ax
        mov     ax, D_CONF | 3
        mov     ds, ax
        mov     eax, [0x10]
        int     kIntBack
r3_stack:
        mov     ax, D_ED3 | 3
        mov     ss, ax
        mov     esp, 0x1004
        push    dword 0xFACE
.insn:  push    dword 0xBAD
        int     kIntBack
r3_lldt:
        xor     eax, eax
        lldt    ax
        int     kIntBack

        HARNESS_END
