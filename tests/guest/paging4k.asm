; 2-level 32-bit paging with 4 KiB pages (SDM vol. 3, ch. 4): translation,
; #PF error codes (P, W/R, U/S; 32-bit paging without PSE has no reserved
; bits, so RSVD is tested in paging_big), CR2 and the faulting EIP, accessed
; and dirty bits, CR0.WP, ring-3 faults, INVLPG versus MOV CR3, global pages,
; page-crossing accesses and a REP MOVSD that faults part way.
%define TEST_NAME "paging4k"
%include "harness.inc"
%include "paging_lib.inc"

SEL_DATA_HI     equ 0x40               ; flat data segment with base kLin

test_main:
        call    paging_init

        ; ---- translation ----
        SETPTE  0, FRAME(0) | PG_P | PG_W
        SETPTE  1, FRAME(5) | PG_P | PG_W
        SETPTE  2, FRAME(5) | PG_P | PG_W
        mov     eax, [LIN(0) + 0x7FC]
        CHECK_EQ eax, FV(0, 0x7FC), "LIN(0) reads frame 0"
        mov     eax, [LIN(1) + 0x10]
        CHECK_EQ eax, FV(5, 0x10), "LIN(1) reads frame 5"
        mov     dword [LIN(1) + 0x20], 0x12345678
        CHECK_EQ [FRAME(5) + 0x20], 0x12345678, "a write through LIN(1) lands in frame 5"
        CHECK_EQ [LIN(2) + 0x20], 0x12345678, "a second linear alias sees it"
        ; A page directory that maps itself: 0xFFC00000 + 4 KiB * n is page table n.
        mov     dword [kPd + 1023 * 4], kPd | PG_P | PG_W
        mov     eax, [0xFFFFF000 + 4]
        CHECK_EQ eax, kPt1 | PG_P | PG_W | PG_U | PG_A, "self-mapped PD: PDE 1 through 0xFFFFF004"
        mov     eax, [0xFFC01000 + 0x81 * 4]
        CHECK_EQ eax, FRAME(5) | PG_P | PG_W | PG_A | PG_D, "self-mapped PD: PT1 entry 1 (A and D set)"

        ; ---- accessed and dirty bits ----
        mov     dword [kPd + 4], kPt1 | PG_P | PG_W | PG_U   ; PDE 1 with A clear
        SETPTE  3, FRAME(3) | PG_P | PG_W
        SETPTE  4, FRAME(4) | PG_P | PG_W
        RELOAD_CR3
        mov     eax, [LIN(3)]
        CHECK_EQ [PTE_AT(3)], FRAME(3) | PG_P | PG_W | PG_A, "read: PTE gets A, not D"
        CHECK_EQ [kPd + 4], kPt1 | PG_P | PG_W | PG_U | PG_A, "read: PDE gets A"
        mov     eax, [LIN(3) + 8]
        mov     byte [LIN(3) + 9], 0x55
        CHECK_EQ [PTE_AT(3)], FRAME(3) | PG_P | PG_W | PG_A | PG_D, "write after read: PTE gets D"
        CHECK_EQ [kPd + 4], kPt1 | PG_P | PG_W | PG_U | PG_A, "write: PDE never gets D"
        mov     word [LIN(4) + 0x100], 0xBEEF
        CHECK_EQ [PTE_AT(4)], FRAME(4) | PG_P | PG_W | PG_A | PG_D, "first access a write: A and D"
        ; An instruction fetch sets A only.
        mov     byte [FRAME(6)], 0xC3          ; ret
        SETPTE  6, FRAME(6) | PG_P | PG_W
        call    LIN(6)
        CHECK_EQ [PTE_AT(6)], FRAME(6) | PG_P | PG_W | PG_A, "instruction fetch: A, not D"
        ; A and D cleared by software (then INVLPG) are set again.
        SETPTE  3, FRAME(3) | PG_P | PG_W
        invlpg  [LIN(3)]
        mov     eax, [LIN(3)]
        CHECK_EQ [PTE_AT(3)], FRAME(3) | PG_P | PG_W | PG_A, "A cleared by software: set again"
        mov     byte [LIN(3) + 0x800], 1
        CHECK_EQ [PTE_AT(3)], FRAME(3) | PG_P | PG_W | PG_A | PG_D, "D cleared by software: set again"
        ; CMPXCHG writes its destination even when the comparison fails.
        SETPTE  5, FRAME(5) | PG_P | PG_W
        xor     eax, eax
        mov     ecx, 1
        cmpxchg [LIN(5) + 0x10], ecx
        CHECK_EQ eax, FV(5, 0x10), "CMPXCHG that fails loads EAX"
        CHECK_EQ [PTE_AT(5)], FRAME(5) | PG_P | PG_W | PG_A | PG_D, "CMPXCHG that fails sets D"

        ; ---- not-present faults (no TLB entry is kept for them) ----
        SETPTE  7, 0xFFFFF000 | PG_W | PG_U     ; P clear: the other bits do not matter
        TRY     .np1
.np1i:  mov     eax, [LIN(7) + 0x10]
.np1:   ENDTRY
        PF_AT   0, LIN(7) + 0x10, .np1i, "read of a not-present page"
        TRY     .np2
.np2i:  mov     word [LIN(7) + 0xFFE], ax
.np2:   ENDTRY
        PF_AT   2, LIN(7) + 0xFFE, .np2i, "write to a not-present page"
        TRY     .np3
.np3i:  mov     eax, [0x00C01234]               ; PDE 3 is not present
.np3:   ENDTRY
        PF_AT   0, 0x00C01234, .np3i, "read through a not-present PDE"
        TRY     .np4
        call    LIN(7) + 0x20
.np4:   ENDTRY
        PF_AT   0, LIN(7) + 0x20, LIN(7) + 0x20, "fetch from a not-present page (no I/D bit on a P6)"
        SETPTE  7, FRAME(7) | PG_P | PG_W      ; P 0 -> 1 needs no invalidation
        mov     eax, [LIN(7) + 0x10]
        CHECK_EQ eax, FV(7, 0x10), "page made present after a fault is used at once"

        ; ---- CR0.WP and supervisor writes ----
        SETPTE  8, FRAME(8) | PG_P              ; supervisor, read-only
        SETPTE  9, FRAME(9) | PG_P | PG_U       ; user, read-only
        TRY     .wp0
        mov     dword [LIN(8)], 0x600D
        mov     dword [LIN(9)], 0x600E
.wp0:   ENDTRY
        CHECK_NO_FAULT "WP=0: ring 0 writes read-only pages"
        CHECK_EQ [FRAME(8)], 0x600D, "WP=0 write reached frame 8"
        CHECK_EQ [PTE_AT(8)], FRAME(8) | PG_P | PG_A | PG_D, "WP=0 write set A and D"
        SET_CR  0, CR0_WP
        TRY     .wp1
.wp1i:  mov     dword [LIN(8) + 4], 1
.wp1:   ENDTRY
        PF_AT   3, LIN(8) + 4, .wp1i, "WP=1: write to a supervisor read-only page"
        CHECK_EQ [FRAME(8) + 4], FV(8, 4), "the faulting write changed nothing"
        SETPTE  10, FRAME(10) | PG_P            ; A and D clear
        TRY     .wp2
.wp2i:  add     dword [LIN(10) + 0x40], 1
.wp2:   ENDTRY
        PF_AT   3, LIN(10) + 0x40, .wp2i, "WP=1: read-modify-write of a read-only page"
        mov     eax, [PTE_AT(10)]
        and     eax, PG_D
        CHECK_EQ eax, 0, "a faulting write does not set D"
        TRY     .wp3
.wp3i:  mov     byte [LIN(9) + 3], 1
.wp3:   ENDTRY
        PF_AT   3, LIN(9) + 3, .wp3i, "WP=1: ring 0 write to a user read-only page"
        xor     eax, eax
        mov     ecx, 1
        TRY     .wp3c
.wp3ci: cmpxchg [LIN(8) + 0x20], ecx
.wp3c:  ENDTRY
        PF_AT   3, LIN(8) + 0x20, .wp3ci, "WP=1: CMPXCHG that fails the comparison faults as a write"
        ; A page fault drops the TLB entry of its page: the PTE made writable
        ; without INVLPG is used by the next write.
        SETPTE  10, FRAME(10) | PG_P | PG_W
        TRY     .wp4
        add     dword [LIN(10) + 0x40], 1
.wp4:   ENDTRY
        CHECK_NO_FAULT "write retried after the #PF sees the new R/W"
        CHECK_EQ [FRAME(10) + 0x40], FV(10, 0x40) + 1, "retried write result"
        ; R/W of the PDE counts too: PDE 2 read-only, its PTE writable.
        mov     dword [kPd + 2 * 4], kTab2 | PG_P | PG_U
        mov     dword [kTab2], FRAME(11) | PG_P | PG_W | PG_U
        TRY     .wp5
.wp5i:  mov     dword [0x800010], 7
.wp5:   ENDTRY
        PF_AT   3, 0x800010, .wp5i, "WP=1: write through a read-only PDE"
        CLR_CR  0, CR0_WP
        TRY     .wp6
        mov     dword [0x800010], 7
.wp6:   ENDTRY
        CHECK_NO_FAULT "WP=0: write through a read-only PDE"
        CHECK_EQ [FRAME(11) + 0x10], 7, "write through a read-only PDE landed"

        ; ---- ring 3 (U/S and R/W; CR0.WP is irrelevant at CPL 3) ----
        SETPTE  12, FRAME(12) | PG_P | PG_W     ; supervisor
        SETPTE  13, FRAME(13) | PG_P | PG_U     ; user read-only
        SETPTE  14, FRAME(14) | PG_P | PG_W | PG_U
        SETPTE  15, 0
        mov     dword [kPd + 3 * 4], kTab3 | PG_P | PG_W   ; supervisor PDE
        mov     dword [kTab3], FRAME(15) | PG_P | PG_W | PG_U
        R3      r3_read, LIN(12) + 8
        PF_AT   5, LIN(12) + 8, r3_read.insn, "ring 3 read of a supervisor page"
        CHECK_EQ [exc_cs], SEL_CODE3, "the #PF frame has the ring-3 CS"
        CHECK_EQ [exc_esp], kStack3Top, "the #PF frame has the ring-3 ESP"
        R3      r3_write, LIN(12) + 8
        PF_AT   7, LIN(12) + 8, r3_write.insn, "ring 3 write to a supervisor page"
        R3      r3_read, LIN(13) + 0x30
        CHECK_NO_FAULT "ring 3 read of a user read-only page"
        CHECK_EQ eax, FV(13, 0x30), "ring 3 read value"
        R3      r3_write, LIN(13) + 0x30, 9
        PF_AT   7, LIN(13) + 0x30, r3_write.insn, "ring 3 write to a user read-only page, WP=0"
        R3      r3_write, LIN(14) + 0x30, 0xABCD
        CHECK_NO_FAULT "ring 3 write to a user page"
        CHECK_EQ [FRAME(14) + 0x30], 0xABCD, "ring 3 write value"
        R3      r3_read, LIN(15) + 0x44
        PF_AT   4, LIN(15) + 0x44, r3_read.insn, "ring 3 read of a not-present page"
        R3      r3_write, LIN(15) + 0x44
        PF_AT   6, LIN(15) + 0x44, r3_write.insn, "ring 3 write to a not-present page"
        R3      r3_read, 0xC00100
        PF_AT   5, 0xC00100, r3_read.insn, "ring 3 read through a supervisor PDE"
        R3      r3_write, 0x800020, 1
        PF_AT   7, 0x800020, r3_write.insn, "ring 3 write through a read-only PDE"
        R3      r3_jump, LIN(12)
        PF_AT   5, LIN(12), LIN(12), "ring 3 fetch from a supervisor page"
        SETPTE  11, FRAME(11) | PG_P | PG_W | PG_U
        mov     word [FRAME(11) + 0xFFE], 0x11B8        ; mov eax, imm32 into LIN(12)
        R3      r3_jump, LIN(11) + 0xFFE
        PF_AT   5, LIN(12), LIN(11) + 0xFFE, "ring 3 instruction crossing into a supervisor page"
        R3      r3_push, LIN(13) + 0x100
        PF_AT   7, LIN(13) + 0xFC, r3_push.insn, "ring 3 PUSH onto a read-only user page"
        CHECK_EQ [exc_esp], LIN(13) + 0x100, "the faulting PUSH left ESP alone"
        ; Descriptor-table and TSS accesses made for ring 3 are supervisor
        ; accesses: GDT, IDT and TSS pages supervisor-only do not matter.
        mov     dword [kPt0 + 1 * 4], 0x1000 | PG_P | PG_W
        mov     dword [kPt0 + 2 * 4], 0x2000 | PG_P | PG_W
        mov     dword [kPt0 + 3 * 4], 0x3000 | PG_P | PG_W
        RELOAD_CR3
        R3      r3_read, LIN(14) + 0x30
        CHECK_NO_FAULT "ring 3 with supervisor-only GDT, IDT and TSS pages"
        CHECK_EQ eax, 0xABCD, "ring 3 read value there"
        mov     dword [kPt0 + 1 * 4], 0x1000 | PG_P | PG_W | PG_U
        mov     dword [kPt0 + 2 * 4], 0x2000 | PG_P | PG_W | PG_U
        mov     dword [kPt0 + 3 * 4], 0x3000 | PG_P | PG_W | PG_U
        RELOAD_CR3

        ; ---- INVLPG and MOV CR3: afterwards the new mapping is used ----
        SETPTE  16, FRAME(0) | PG_P | PG_W
        mov     eax, [LIN(16)]
        CHECK_EQ eax, FV(0, 0), "LIN(16) -> frame 0"
        SETPTE  16, FRAME(1) | PG_P | PG_W
        invlpg  [LIN(16) + 0x123]
        mov     eax, [LIN(16)]
        CHECK_EQ eax, FV(1, 0), "after INVLPG: frame 1"
        SETPTE  16, FRAME(2) | PG_P | PG_W
        RELOAD_CR3
        mov     eax, [LIN(16)]
        CHECK_EQ eax, FV(2, 0), "after MOV CR3: frame 2"
        SET_DESC SEL_DATA_HI, kLin, 0xFFFFF, ACC_DATA, FLG_32 | FLG_4K
        mov     ax, SEL_DATA_HI
        mov     es, ax
        SETPTE  16, FRAME(3) | PG_P | PG_W
        invlpg  [es:LIN(16) - kLin]             ; linear = ES base + offset
        mov     ax, SEL_DATA0
        mov     es, ax
        mov     eax, [LIN(16)]
        CHECK_EQ eax, FV(3, 0), "INVLPG adds the segment base"
        ; Another page directory.
        mov     dword [kTab4 + 0], kPt0 | PG_P | PG_W | PG_U
        mov     dword [kTab4 + 4], kTab5 | PG_P | PG_W | PG_U
        mov     dword [kTab5 + PTE_AT(16) - kPt1], FRAME(20) | PG_P | PG_W
        mov     eax, kTab4
        mov     cr3, eax
        mov     eax, [LIN(16)]
        CHECK_EQ eax, FV(20, 0), "CR3 = second page directory"
        mov     eax, kPd
        mov     cr3, eax
        mov     eax, [LIN(16)]
        CHECK_EQ eax, FV(3, 0), "CR3 = first page directory again"

        ; ---- global pages ----
        SET_CR  4, CR4_PGE
        SETPTE  17, FRAME(0) | PG_G | PG_P | PG_W
        SETPTE  18, FRAME(0) | PG_P | PG_W
        mov     eax, [LIN(17)]
        CHECK_EQ eax, FV(0, 0), "global LIN(17) -> frame 0"
        mov     eax, [LIN(18)]
        SETPTE  17, FRAME(1) | PG_G | PG_P | PG_W
        SETPTE  18, FRAME(1) | PG_P | PG_W
        RELOAD_CR3
        mov     eax, [LIN(17)]
        CHECK_EQ eax, FV(0, 0), "PGE=1: the global entry survives MOV CR3"
        mov     eax, [LIN(18)]
        CHECK_EQ eax, FV(1, 0), "PGE=1: a non-global entry does not"
        invlpg  [LIN(17)]
        mov     eax, [LIN(17)]
        CHECK_EQ eax, FV(1, 0), "INVLPG flushes a global entry"
        SETPTE  17, FRAME(2) | PG_G | PG_P | PG_W
        RELOAD_CR3
        mov     eax, [LIN(17)]
        CHECK_EQ eax, FV(1, 0), "global entry survives MOV CR3 again"
        CLR_CR  4, CR4_PGE
        SET_CR  4, CR4_PGE
        mov     eax, [LIN(17)]
        CHECK_EQ eax, FV(2, 0), "toggling CR4.PGE flushes global entries"
        SETPTE  17, FRAME(3) | PG_G | PG_P | PG_W
        CLR_CR  0, CR0_PG
        SET_CR  0, CR0_PG
        mov     eax, [LIN(17)]
        CHECK_EQ eax, FV(3, 0), "turning paging off and on flushes global entries"
        CLR_CR  4, CR4_PGE
        mov     eax, [LIN(17)]                  ; cached with PGE=0
        SETPTE  17, FRAME(4) | PG_G | PG_P | PG_W
        RELOAD_CR3
        mov     eax, [LIN(17)]
        CHECK_EQ eax, FV(4, 0), "PGE=0: G is ignored, MOV CR3 flushes"

        ; ---- accesses that cross a page boundary ----
        SETPTE  20, FRAME(20) | PG_P | PG_W | PG_U
        SETPTE  21, 0
        TRY     .x1
.x1i:   mov     dword [LIN(21) - 2], 0x11223344
.x1:    ENDTRY
        PF_AT   2, LIN(21), .x1i, "crossing write, second page not present"
        CHECK_EQ [FRAME(20) + 0xFFC], FV(20, 0xFFC), "nothing written to the first page"
        TRY     .x2
.x2i:   mov     eax, [LIN(21) - 1]
.x2:    ENDTRY
        PF_AT   0, LIN(21), .x2i, "crossing read, second page not present"
        SETPTE  21, FRAME(21) | PG_P | PG_W     ; supervisor
        R3      r3_write, LIN(21) - 2, 0x55667788
        PF_AT   7, LIN(21), r3_write.insn, "ring 3 crossing write into a supervisor page"
        CHECK_EQ [FRAME(20) + 0xFFC], FV(20, 0xFFC), "nothing written to the user page"
        mov     dword [LIN(21) - 2], 0xCAFEBABE
        mov     eax, [FRAME(20) + 0xFFC]
        shr     eax, 16
        CHECK_EQ eax, 0xBABE, "crossing write: low half in the first frame"
        movzx   eax, word [FRAME(21)]
        CHECK_EQ eax, 0xCAFE, "crossing write: high half in the second frame"
        ; REP MOVSD into a not-present page stops at the faulting iteration.
        SETPTE  21, 0
        invlpg  [LIN(21)]
        mov     esi, FRAME(0)
        mov     edi, LIN(21) - 16
        mov     ecx, 8
        TRY     .rep
.repi:  rep movsd
.rep:   ENDTRY
        PF_AT   2, LIN(21), .repi, "REP MOVSD into a not-present page"
        CHECK_EQ ecx, 4, "REP MOVSD: ECX at the faulting iteration"
        CHECK_EQ esi, FRAME(0) + 16, "REP MOVSD: ESI at the faulting iteration"
        CHECK_EQ edi, LIN(21), "REP MOVSD: EDI at the faulting iteration"
        CHECK_EQ [FRAME(20) + 0xFFC], FV(0, 12), "REP MOVSD: the first four dwords were copied"
        mov     esi, LIN(15) + 0x40                     ; not present
        mov     edi, FRAME(0)
        TRY     .src
.srci:  movsd
.src:   ENDTRY
        PF_AT   0, LIN(15) + 0x40, .srci, "MOVSD from a not-present page: CR2 is the source"
        CHECK_EQ [FRAME(0)], FV(0, 0), "MOVSD wrote nothing"
        ret

        HARNESS_END
