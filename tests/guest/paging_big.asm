; Large pages and PAE (SDM vol. 3, 4.3 and 4.4): 4 MiB pages with CR4.PSE
; (PDE.PS ignored without it), their A/D bits, #PF error codes and reserved
; bits (no PSE-36 on a Pentium II: bits 21:13 of a 4 MiB PDE are reserved),
; global large pages; PAE with 4 KiB and 2 MiB pages, A/D bits (none in the
; PDPTEs), error codes including RSVD (bits 63:36 of every entry: a Pentium
; II has no NX, so bit 63 is reserved too; bits 20:13 of a 2 MiB PDE), the
; PDPTE registers (loaded with CR3, #GP(0) for reserved bits 2:1, 8:5 and
; 63:36 of a present PDPTE, on MOV CR3 and on MOV CR0 turning paging on),
; physical addresses above 4 GiB, and global 2 MiB pages.
%define TEST_NAME "paging_big"
%include "harness.inc"
%include "paging_lib.inc"

%define BIG(i)  ((i) * 0x400000)        ; the linear 4 MiB page of PDE i
%define MV(p)   (0x80000000 | (p))       ; the marker paging_big leaves at physical p
%define PL(i)   (0x200000 + (i) * 0x1000) ; PAE: the 4 KiB pages of kPaePt1

kPdpt           equ 0x18000            ; PAE tables (above paging_lib's)
kPaePd0         equ 0x19000
kPaePt0         equ 0x1A000            ; identity 0..2 MiB
kPaePt1         equ 0x1B000            ; linear 0x200000..0x3FFFFF
kPaePt2         equ 0x1C000
kPaePd1         equ 0x1D000

; SETQ address, low, high: an 8-byte PAE entry.
%macro SETQ 3
        mov     dword [%1], %2
        mov     dword [(%1) + 4], %3
%endmacro

; READ_PF address, error code, "message": a ring-0 read at `address` faults.
%macro READ_PF 3
        TRY     %%f
%%i:    mov     eax, [%1]
%%f:    ENDTRY
        PF_AT   %2, %1, %%i, %3
%endmacro
%macro WRITE_PF 3
        TRY     %%f
%%i:    mov     dword [%1], 0x5A5A5A5A
%%f:    ENDTRY
        PF_AT   %2, %1, %%i, %3
%endmacro

; CR3_GP value, "message": MOV CR3 faults #GP(0) and leaves CR3 = kPdpt.
%macro CR3_GP 2
        mov     eax, %1
        TRY     %%gp
        mov     cr3, eax
%%gp:   ENDTRY
        CHECK_FAULT 13, 0, %2
        mov     eax, cr3
        CHECK_EQ eax, kPdpt, {%2, ": CR3 unchanged"}
%endmacro

test_main:
        mov     esi, markers            ; paging is off: physical addresses
.mark:  lodsd
        test    eax, eax
        jz      .marked
        mov     edx, eax
        or      edx, 0x80000000
        mov     [eax], edx
        jmp     .mark
.marked:
        call    paging_init

        ; ---- 32-bit paging: PS is ignored while CR4.PSE is clear ----
        mov     dword [kPd + 2 * 4], kTab2 | PG_PS | PG_P | PG_W   ; kTab2 has bit 13 set
        mov     dword [kTab2 + 1 * 4], FRAME(1) | PG_P | PG_W
        mov     eax, [BIG(2) + 0x1000]
        CHECK_EQ eax, FV(1, 0), "PSE=0: a PDE with PS points to a page table"

        ; ---- 4 MiB pages ----
        mov     dword [kPd + 2 * 4], 0xC00000 | PG_PS | PG_P | PG_W
        mov     dword [kPd + 3 * 4], 0xC00000 | PG_PS | PG_P | PG_W
        SET_CR  4, CR4_PSE
        mov     eax, [BIG(2) + 0x123454]
        CHECK_EQ eax, MV(0xD23454), "4 MiB page: offset 0x123454"
        mov     eax, [BIG(2) + 0x3FFFFC]
        CHECK_EQ eax, MV(0xFFFFFC), "4 MiB page: last dword"
        mov     dword [BIG(3) + 0x200000], 0x77
        CHECK_EQ [BIG(2) + 0x200000], 0x77, "two 4 MiB aliases of one frame"
        mov     dword [kPd + 8 * 4], kTab2 | PG_P | PG_W     ; not PS: bit 13 is an address bit
        mov     eax, [BIG(8) + 0x1000]
        CHECK_EQ eax, FV(1, 0), "PSE=1: a 4 KiB PDE has no reserved bits"
        ; A and D live in the 4 MiB PDE.
        mov     dword [kPd + 4 * 4], 0x1000000 | PG_PS | PG_P | PG_W
        mov     eax, [BIG(4) + 0x1000]
        CHECK_EQ eax, MV(0x1001000), "4 MiB page at 16 MiB"
        CHECK_EQ [kPd + 4 * 4], 0x1000000 | PG_PS | PG_P | PG_W | PG_A, "read: A set in the 4 MiB PDE"
        mov     byte [BIG(4) + 0x3FF000], 1
        CHECK_EQ [kPd + 4 * 4], 0x1000000 | PG_PS | PG_P | PG_W | PG_A | PG_D, "write: D set in the 4 MiB PDE"
        ; Protection.
        mov     dword [kPd + 5 * 4], 0x1400000 | PG_PS | PG_P          ; supervisor read-only
        mov     dword [kPd + 6 * 4], 0x1400000 | PG_PS | PG_P | PG_U   ; user read-only
        SET_CR  0, CR0_WP
        WRITE_PF BIG(5) + 0x10, 3, "WP=1: write to a read-only 4 MiB page"
        mov     eax, [kPd + 5 * 4]
        and     eax, PG_D
        CHECK_EQ eax, 0, "the faulting write left D clear"
        CLR_CR  0, CR0_WP
        R3      r3_read, BIG(5) + 0x10
        PF_AT   5, BIG(5) + 0x10, r3_read.insn, "ring 3 read of a supervisor 4 MiB page"
        R3      r3_read, BIG(6) + 0x10
        CHECK_EQ eax, MV(0x1400010), "ring 3 read of a user 4 MiB page"
        R3      r3_write, BIG(6) + 0x10
        PF_AT   7, BIG(6) + 0x10, r3_write.insn, "ring 3 write to a read-only user 4 MiB page"
        ; Reserved bits 21:13 of a 4 MiB PDE: #PF with P and RSVD.
        mov     dword [kPd + 7 * 4], 0x1400000 | 0x2000 | PG_PS | PG_P | PG_W | PG_U
        READ_PF BIG(7) + 0x20, 9, "4 MiB PDE with bit 13 set: read"
        WRITE_PF BIG(7) + 0x24, 0xB, "4 MiB PDE with bit 13 set: write"
        R3      r3_read, BIG(7) + 0x28
        PF_AT   0xD, BIG(7) + 0x28, r3_read.insn, "4 MiB PDE with bit 13 set: ring 3 read"
        mov     dword [kPd + 7 * 4], 0x1400000 | 0x200000 | PG_PS | PG_P | PG_W
        READ_PF BIG(7) + 0x30, 9, "4 MiB PDE with bit 21 set: read"
        mov     dword [kPd + 10 * 4], 0x3FE000 | PG_PS | PG_W          ; not present
        READ_PF BIG(10) + 0x30, 0, "not-present PDE: reserved bits do not count"
        ; Global 4 MiB pages; INVLPG of any address in the page drops it.
        SET_CR  4, CR4_PGE
        mov     dword [kPd + 9 * 4], 0x800000 | PG_G | PG_PS | PG_P | PG_W
        mov     dword [kPd + 11 * 4], 0x800000 | PG_PS | PG_P | PG_W
        mov     eax, [BIG(9) + 0x81000]
        mov     eax, [BIG(9) + 0x85000]
        CHECK_EQ eax, MV(0x885000), "global 4 MiB page at 8 MiB"
        mov     eax, [BIG(11) + 0x91000]
        mov     dword [kPd + 9 * 4], 0xC00000 | PG_G | PG_PS | PG_P | PG_W
        mov     dword [kPd + 11 * 4], 0xC00000 | PG_PS | PG_P | PG_W
        RELOAD_CR3
        mov     eax, [BIG(9) + 0x81000]
        CHECK_EQ eax, MV(0x881000), "the global 4 MiB page survives MOV CR3"
        mov     eax, [BIG(11) + 0x91000]
        CHECK_EQ eax, MV(0xC91000), "a non-global 4 MiB page does not"
        invlpg  [BIG(9) + 0x3000]
        mov     eax, [BIG(9) + 0x81000]
        CHECK_EQ eax, MV(0xC81000), "INVLPG elsewhere in the 4 MiB page: new mapping (+0x81000)"
        mov     eax, [BIG(9) + 0x85000]
        CHECK_EQ eax, MV(0xC85000), "INVLPG elsewhere in the 4 MiB page: new mapping (+0x85000)"
        mov     dword [kPd + 9 * 4], 0x1000000 | PG_G | PG_PS | PG_P | PG_W
        mov     dword [kPd + 11 * 4], 0x1000000 | PG_PS | PG_P | PG_W
        invlpg  [BIG(11) + 0x3FFFFF]
        mov     eax, [BIG(11) + 0x91000]
        CHECK_EQ eax, MV(0x1091000), "INVLPG of a non-global 4 MiB page"
        CLR_CR  4, CR4_PGE
        SET_CR  4, CR4_PGE
        mov     eax, [BIG(9) + 0x85000]
        CHECK_EQ eax, MV(0x1085000), "toggling CR4.PGE flushes the global 4 MiB page"

        ; ---- PAE: paging off, build the tables, CR4.PAE, CR3, paging on ----
        CLR_CR  0, CR0_PG
        CLR_CR  4, CR4_PSE | CR4_PGE           ; PAE honours PS without PSE
        mov     edi, kPdpt
        xor     eax, eax
        mov     ecx, 0x6000 / 4
        rep stosd
        SETQ    kPdpt, kPaePd0 | PG_P, 0
        SETQ    kPaePd0, kPaePt0 | PG_P | PG_W | PG_U, 0
        SETQ    kPaePd0 + 8, kPaePt1 | PG_P | PG_W | PG_U, 0
        mov     edi, kPaePt0
        mov     eax, PG_P | PG_W | PG_U
.id:    mov     [edi], eax
        add     edi, 8
        add     eax, 0x1000
        cmp     edi, kPaePt0 + 0x1000
        jb      .id
        SET_CR  4, CR4_PAE
        mov     eax, kPdpt
        mov     cr3, eax
        SET_CR  0, CR0_PG
        jmp     .pae
.pae:   SETQ    kPaePt1, FRAME(0) | PG_P | PG_W, 0
        SETQ    kPaePt1 + 8, FRAME(7) | PG_P | PG_W, 0
        mov     eax, [PL(0) + 0x10]
        CHECK_EQ eax, FV(0, 0x10), "PAE 4 KiB page: frame 0"
        mov     eax, [PL(1) + 0xFFC]
        CHECK_EQ eax, FV(7, 0xFFC), "PAE 4 KiB page: frame 7"
        mov     dword [PL(1) + 8], 0x12345678
        CHECK_EQ [FRAME(7) + 8], 0x12345678, "PAE write landed in frame 7"
        SETQ    kPaePd0 + 2 * 8, 0xC00000 | PG_PS | PG_P | PG_W, 0
        mov     eax, [0x400000 + 0x123454]
        CHECK_EQ eax, MV(0xD23454), "PAE 2 MiB page (CR4.PSE clear)"
        mov     eax, [0x400000 + 0x1FFFFC]
        CHECK_EQ eax, MV(0xDFFFFC), "PAE 2 MiB page: last dword"
        ; Accessed and dirty bits; the PDPTE has none.
        CHECK_EQ [kPaePd0 + 8], kPaePt1 | PG_P | PG_W | PG_U | PG_A, "PAE PDE: A"
        CHECK_EQ [kPaePt1], FRAME(0) | PG_P | PG_W | PG_A, "PAE PTE read: A"
        CHECK_EQ [kPaePt1 + 8], FRAME(7) | PG_P | PG_W | PG_A | PG_D, "PAE PTE written: A and D"
        CHECK_EQ [kPaePt1 + 12], 0, "PAE PTE: high dword untouched"
        CHECK_EQ [kPaePd0 + 2 * 8], 0xC00000 | PG_PS | PG_P | PG_W | PG_A, "PAE 2 MiB PDE read: A"
        mov     byte [0x400000 + 0x1000], 1
        CHECK_EQ [kPaePd0 + 2 * 8], 0xC00000 | PG_PS | PG_P | PG_W | PG_A | PG_D, "PAE 2 MiB PDE written: D"
        CHECK_EQ [kPdpt], kPaePd0 | PG_P, "the PDPTE is not written"
        ; Not-present PDPTE; the PDPTE registers are loaded only with CR3.
        READ_PF 0x40000010, 0, "PAE: not-present PDPTE"
        R3      r3_write, 0x40000010
        PF_AT   6, 0x40000010, r3_write.insn, "PAE: ring 3 write, not-present PDPTE"
        SETQ    kPaePd1, 0x800000 | PG_PS | PG_P | PG_W, 0
        SETQ    kPdpt + 8, kPaePd1 | PG_P, 0
        READ_PF 0x40081000, 0, "PDPTE made present in memory: the register still says not present"
        RELOAD_CR3
        mov     eax, [0x40081000]
        CHECK_EQ eax, MV(0x881000), "after MOV CR3 the new PDPTE is used"
        ; Error codes.
        SETQ    kPaePt1 + 2 * 8, FRAME(2) | PG_P, 0             ; supervisor read-only
        SETQ    kPaePt1 + 3 * 8, FRAME(3) | PG_P | PG_U, 0      ; user read-only
        SETQ    kPaePt1 + 4 * 8, 0, 0
        SETQ    kPaePd0 + 3 * 8, kPaePt2 | PG_P | PG_W, 0       ; supervisor PDE
        SETQ    kPaePt2, FRAME(4) | PG_P | PG_W | PG_U, 0
        SET_CR  0, CR0_WP
        WRITE_PF PL(2) + 4, 3, "PAE WP=1: ring 0 write to a read-only page"
        CLR_CR  0, CR0_WP
        R3      r3_read, PL(2) + 4
        PF_AT   5, PL(2) + 4, r3_read.insn, "PAE: ring 3 read of a supervisor page"
        R3      r3_read, PL(3) + 4
        CHECK_EQ eax, FV(3, 4), "PAE: ring 3 read of a user page"
        R3      r3_write, PL(3) + 4
        PF_AT   7, PL(3) + 4, r3_write.insn, "PAE: ring 3 write to a read-only user page"
        R3      r3_read, PL(4)
        PF_AT   4, PL(4), r3_read.insn, "PAE: ring 3 read of a not-present page"
        R3      r3_read, 0x600000
        PF_AT   5, 0x600000, r3_read.insn, "PAE: ring 3 read through a supervisor PDE"
        ; Reserved bits: #PF with P and RSVD.
        SETQ    kPaePt1 + 5 * 8, FRAME(5) | PG_P | PG_W, 0x10
        READ_PF PL(5), 9, "PAE PTE with bit 36 set"
        SETQ    kPaePt1 + 6 * 8, FRAME(6) | PG_P | PG_W | PG_U, 0x80000000
        READ_PF PL(6) + 8, 9, "PAE PTE with bit 63 set (no NX on a Pentium II)"
        R3      r3_write, PL(6) + 8
        PF_AT   0xF, PL(6) + 8, r3_write.insn, "PAE PTE with bit 63 set: ring 3 write"
        SETQ    kPaePd0 + 4 * 8, kPaePt2 | PG_P | PG_W, 0x100
        READ_PF 0x800000, 9, "PAE PDE with bit 40 set"
        SETQ    kPaePd0 + 5 * 8, 0xC00000 | 0x2000 | PG_PS | PG_P | PG_W, 0
        READ_PF 0xA00000, 9, "PAE 2 MiB PDE with bit 13 set: read"
        WRITE_PF 0xA00004, 0xB, "PAE 2 MiB PDE with bit 13 set: write"
        SETQ    kPaePd0 + 6 * 8, 0xC00000 | 0x100000 | PG_PS | PG_P | PG_W, 0
        READ_PF 0xC00000, 9, "PAE 2 MiB PDE with bit 20 set"
        ; Bits 35:32 are address bits: nothing is there (reads all ones).
        SETQ    kPaePt1 + 7 * 8, FRAME(2) | PG_P | PG_W, 1
        mov     eax, [PL(7)]
        CHECK_EQ eax, 0xFFFFFFFF, "PAE PTE for physical 0x1_00022000 (not frame 2)"
        ; Code fetched there is all ones too: FF FF is FF /7, #UD; frame 2
        ; (mov eax, 1 / ret) must not run.
        mov     dword [FRAME(2)], 0x000001B8
        mov     word [FRAME(2) + 4], 0xC300
        TRY     .ud
        call    PL(7)
.ud:    ENDTRY
        CHECK_FAULT 6, 0, "fetch from physical 0x1_00022000: #UD on FF FF"
        CHECK_EQ [exc_eip], PL(7), "the #UD is at the fetched address"
        ; An instruction crossing from frame 8 into a page remapped above 4 GiB:
        ; mov eax, imm32 = B8 11 11 | 22 22, then ret; then B8 11 11 | FF FF, FF FF.
        mov     byte [FRAME(8) + 0xFFD], 0xB8
        mov     word [FRAME(8) + 0xFFE], 0x1111
        mov     dword [FRAME(9)], 0xC32222
        SETQ    kPaePt1 + 8 * 8, FRAME(8) | PG_P | PG_W, 0
        SETQ    kPaePt1 + 9 * 8, FRAME(9) | PG_P | PG_W, 0
        call    PL(8) + 0xFFD
        CHECK_EQ eax, 0x22221111, "instruction crossing into frame 9"
        SETQ    kPaePt1 + 9 * 8, FRAME(9) | PG_P | PG_W, 1
        invlpg  [PL(9)]
        TRY     .ud2
        call    PL(8) + 0xFFD
.ud2:   ENDTRY
        CHECK_EQ eax, 0xFFFF1111, "second page remapped above 4 GiB: its bytes read as FF"
        CHECK_FAULT 6, 0, "then FF FF: #UD"
        CHECK_EQ [exc_eip], PL(9) + 2, "the #UD is at the next instruction"

        ; ---- PDPTE reserved bits: #GP(0), CR3 unchanged ----
        SETQ    kPdpt + 0x20, kPaePd0 | PG_P | PG_W, 0          ; bit 1
        SETQ    kPdpt + 0x40, kPaePd0 | PG_P | PG_A, 0          ; bit 5
        SETQ    kPdpt + 0x60, kPaePd0 | PG_P, 0x10              ; bit 36
        SETQ    kPdpt + 0x80 + 8, 0xFFFFFFFE, 0xFFFFFFFF        ; not present: not checked
        SETQ    kPdpt + 0x80 + 24, kPaePd0 | 0xE00 | PG_P, 0    ; bits 11:9 are free
        SETQ    kPdpt + 0x80, kPaePd0 | PG_P, 0
        CR3_GP  kPdpt + 0x20, "MOV CR3, PDPTE with bit 1 set"
        CR3_GP  kPdpt + 0x40, "MOV CR3, PDPTE with bit 5 set"
        CR3_GP  kPdpt + 0x60, "MOV CR3, PDPTE with bit 36 set"
        mov     eax, [PL(0) + 0x10]
        CHECK_EQ eax, FV(0, 0x10), "the old PDPTEs still translate"
        mov     eax, kPdpt + 0x80
        TRY     .ok80
        mov     cr3, eax
.ok80:  ENDTRY
        CHECK_NO_FAULT "PDPTEs: junk in a not-present one, bits 11:9 in a present one"
        mov     eax, [0xC0000000 + PL(0) + 0x10]
        CHECK_EQ eax, FV(0, 0x10), "PDPTE 3 used"
        CLR_CR  0, CR0_PG
        mov     eax, kPdpt + 0x20
        mov     cr3, eax                        ; not checked while paging is off
        mov     eax, cr0
        or      eax, CR0_PG
        TRY     .gppg
        mov     cr0, eax
.gppg:  ENDTRY
        CHECK_FAULT 13, 0, "MOV CR0 turning PAE paging on with a reserved PDPTE bit"
        mov     eax, cr0
        and     eax, CR0_PG
        CHECK_EQ eax, 0, "paging still off"
        mov     eax, kPdpt
        mov     cr3, eax
        SET_CR  0, CR0_PG

        ; ---- global 2 MiB pages ----
        SET_CR  4, CR4_PGE
        SETQ    kPaePd0 + 7 * 8, 0x800000 | PG_G | PG_PS | PG_P | PG_W, 0
        SETQ    kPaePd0 + 2 * 8, 0xC00000 | PG_PS | PG_P | PG_W, 0
        mov     eax, [0x400000 + 0xA1000]
        mov     eax, [0xE00000 + 0x10000]
        CHECK_EQ eax, MV(0x810000), "global 2 MiB page at 8 MiB"
        SETQ    kPaePd0 + 7 * 8, 0xA00000 | PG_G | PG_PS | PG_P | PG_W, 0
        SETQ    kPaePd0 + 2 * 8, 0x800000 | PG_PS | PG_P | PG_W, 0
        RELOAD_CR3
        mov     eax, [0xE00000 + 0x10000]
        CHECK_EQ eax, MV(0x810000), "the global 2 MiB page survives MOV CR3"
        mov     eax, [0x400000 + 0xA1000]
        CHECK_EQ eax, MV(0x8A1000), "a non-global 2 MiB page does not"
        invlpg  [0xE00000 + 0x1F0000]
        mov     eax, [0xE00000 + 0x10000]
        CHECK_EQ eax, MV(0xA10000), "INVLPG elsewhere in the 2 MiB page: new mapping"
        SETQ    kPaePd0 + 7 * 8, 0x1000000 | PG_G | PG_PS | PG_P | PG_W, 0
        CLR_CR  4, CR4_PGE
        SET_CR  4, CR4_PGE
        mov     eax, [0xE00000 + 0x10000]
        CHECK_EQ eax, MV(0x1010000), "toggling CR4.PGE flushes the global 2 MiB page"
        ret

        [section .rodata]
markers:
        dd      0x881000, 0x885000, 0xC81000, 0xC85000, 0xC91000, 0x1081000, 0x1085000
        dd      0x1091000, 0x1001000, 0x8A1000
        dd      0xD23454, 0xFFFFFC, 0xDFFFFC, 0x1400010, 0x810000, 0xA10000, 0x1010000
        dd      0
        __SECT__

        HARNESS_END
