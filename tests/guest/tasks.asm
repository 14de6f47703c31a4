; Task switches (SDM vol. 3, chapter 7): JMP to a TSS, CALL to a task gate
; and to a TSS, INT and an exception through IDT task gates, IRET with NT
; back to the previous task; the state saved in and loaded from the TSSs,
; busy bits, the back link, CR3 from the new TSS, a 16-bit TSS, #TS for a
; bad TSS (before and after the commit point) and #GP for a busy one.
%define TEST_NAME "tasks"
%include "harness.inc"

T_B     equ 0x40        ; 32-bit TSS B (JMP)
T_C     equ 0x48        ; 32-bit TSS C (CALL, IRET back)
TG_C    equ 0x50        ; task gate -> T_C
T_D     equ 0x58        ; TSS D (INT 50h through an IDT task gate)
T_E     equ 0x60        ; TSS E (#GP through an IDT task gate)
T_F16   equ 0x68        ; 16-bit TSS F
T_SHORT equ 0x70        ; TSS descriptor with limit 60h (< 67h)
T_G     equ 0x78        ; TSS G: its GS is past the GDT limit
T_P     equ 0x80        ; TSS P: another CR3
L_B     equ 0x88        ; task B's LDT
C_ROM   equ 0x90        ; ring 0 code, 32-bit, base F0000h (for the 16-bit TSS's IP)
TG_BUSY equ 0x98        ; task gate -> SEL_TSS0 (busy while we run)

kTssB   equ 0x30000
kTssC   equ 0x30100
kTssD   equ 0x30200
kTssE   equ 0x30300
kTssF   equ 0x30400
kTssS   equ 0x30500
kTssG   equ 0x30600
kTssP   equ 0x30700
kLdtB   equ 0x3C000
kPdA    equ 0x50000     ; page directories: both map 0-4 MiB 1:1,
kPdP    equ 0x51000     ; and 400000h to 60000h (A) or 61000h (P)
kPt0    equ 0x52000
kPtA    equ 0x53000
kPtP    equ 0x54000
kRom    equ 0xF0000
res     equ 0x10000
F_NT    equ 0x4000

; Busy/available check of a TSS descriptor's access byte.
%macro CHECK_ACC 3
        movzx   ecx, byte [kGdt + (%1) + 5]
        CHECK_EQ ecx, %2, %3
%endmacro

test_main:
        mov     edi, res
        xor     eax, eax
        mov     ecx, 0x400 / 4
        rep stosd
        ; The 32-bit TSSs: EIP, ESP; flat ring-0 segments, EFLAGS 2.
        mov     edi, kTssB
        mov     eax, task_b
        mov     ebx, 0x38000
        call    init_tss
        mov     edi, kTssC
        mov     eax, task_c
        mov     ebx, 0x38800
        call    init_tss
        mov     edi, kTssD
        mov     eax, task_d
        mov     ebx, 0x39000
        call    init_tss
        mov     edi, kTssE
        mov     eax, task_e
        mov     ebx, 0x39800
        call    init_tss
        mov     edi, kTssS
        mov     eax, task_b
        mov     ebx, 0x3A000
        call    init_tss
        mov     edi, kTssG
        mov     eax, task_g
        mov     ebx, 0x3A800
        call    init_tss
        mov     edi, kTssP
        mov     eax, task_p
        mov     ebx, 0x3B000
        call    init_tss
        ; Task B: registers, flags, an LDT and ES from it, FS null, a link to keep.
        mov     dword [kTssB + 0x00], 0x1234
        mov     dword [kTssB + 0x24], 0x8C3          ; OF SF ZF CF
        mov     eax, 0xA0A0A001
        mov     ecx, 8
        mov     edi, kTssB + 0x28
.regs:  cmp     ecx, 4                               ; not ESP (slot 8 - 4)
        je      .skip
        mov     [edi], eax
.skip:  inc     eax
        add     edi, 4
        loop    .regs
        mov     dword [kTssB + 0x48], 0x0C           ; ES: LDT entry 1
        mov     dword [kTssB + 0x58], 0              ; FS null
        mov     dword [kTssB + 0x60], L_B
        mov     dword [kLdtB], 0
        mov     dword [kLdtB + 4], 0
        mov     dword [kLdtB + 8], 0xD0000FFF        ; data, base 3D000h, limit FFFh
        mov     dword [kLdtB + 12], 0x00009203
        mov     dword [0x3D000], 0x1DB1DB00
        mov     dword [kTssG + 0x5C], 0x100          ; GS past the GDT limit
        mov     dword [kTssP + 0x1C], kPdP           ; CR3 for task P
        call    init_tss16
        SET_DESC T_B, kTssB, 0x67, ACC_TSS32, 0
        SET_DESC T_C, kTssC, 0x67, ACC_TSS32, 0
        mov     dword [kGdt + TG_C], T_C << 16
        mov     dword [kGdt + TG_C + 4], 0x8500
        SET_DESC T_D, kTssD, 0x67, ACC_TSS32, 0
        SET_DESC T_E, kTssE, 0x67, ACC_TSS32, 0
        SET_DESC T_F16, kTssF, 0x2B, ACC_TSS16, 0
        SET_DESC T_SHORT, kTssS, 0x60, ACC_TSS32, 0
        SET_DESC T_G, kTssG, 0x67, ACC_TSS32, 0
        SET_DESC T_P, kTssP, 0x67, ACC_TSS32, 0
        SET_DESC L_B, kLdtB, 0xF, ACC_LDT, 0
        SET_DESC C_ROM, kRom, 0xFFFF, ACC_CODE, FLG_32
        mov     dword [kGdt + TG_BUSY], SEL_TSS0 << 16
        mov     dword [kGdt + TG_BUSY + 4], 0x8500

        call    jmp_task
        call    call_task
        call    int_task
        call    exception_task
        call    cr3_task
        call    tss16_task
        call    bad_tasks
        ret

; init_tss: EDI = TSS, EAX = EIP, EBX = ESP.
init_tss:
        push    edi
        push    eax
        push    ecx
        xor     eax, eax
        mov     ecx, 0x68 / 4
        rep stosd
        pop     ecx
        pop     eax
        pop     edi
        mov     [edi + 0x20], eax
        mov     [edi + 0x38], ebx
        mov     dword [edi + 0x24], 2
        mov     dword [edi + 0x4C], SEL_CODE0
        mov     dword [edi + 0x48], SEL_DATA0
        mov     dword [edi + 0x50], SEL_DATA0
        mov     dword [edi + 0x54], SEL_DATA0
        mov     dword [edi + 0x58], SEL_DATA0
        mov     dword [edi + 0x5C], SEL_DATA0
        mov     word [edi + 0x66], 0x68
        ret

; The 16-bit TSS F: IP, FLAGS, AX..DI, ES CS SS DS, LDT.
init_tss16:
        mov     edi, kTssF
        xor     eax, eax
        mov     ecx, 0x2C / 4
        rep stosd
        mov     word [kTssF + 0x0E], task_f - kRom
        mov     word [kTssF + 0x10], 0x0083          ; SF CF
        mov     word [kTssF + 0x12], 0xF001          ; AX
        mov     word [kTssF + 0x18], 0xF004          ; BX
        mov     word [kTssF + 0x1E], 0xF007          ; SI
        mov     word [kTssF + 0x22], SEL_DATA0       ; ES
        mov     word [kTssF + 0x24], C_ROM           ; CS
        mov     word [kTssF + 0x26], SEL_DATA0       ; SS
        mov     word [kTssF + 0x28], SEL_DATA0       ; DS
        ret

; ---------------------------------------------------------------- JMP to a TSS
jmp_task:
        mov     esi, 0x5A5A5A5A
        mov     ebp, 0x6B6B6B6B
        jmp     T_B:0
.back:  CHECK_EQ esi, 0x5A5A5A5A, "back in A: ESI reloaded from TSS A"
        CHECK_EQ ebp, 0x6B6B6B6B, "back in A: EBP reloaded from TSS A"
        CHECK_EQ [kTss0 + 0x20], .back, "TSS A saved EIP after the JMP"
        CHECK_EQ [kTss0 + 0x40], 0x5A5A5A5A, "TSS A saved ESI"
        CHECK_EQ [res + 0x00], 0xA0A0A001, "task B: EAX from its TSS"
        CHECK_EQ [res + 0x04], 0xA0A0A002, "task B: ECX"
        CHECK_EQ [res + 0x08], 0xA0A0A003, "task B: EDX"
        CHECK_EQ [res + 0x0C], 0xA0A0A004, "task B: EBX"
        CHECK_EQ [res + 0x10], 0x38000, "task B: ESP"
        CHECK_EQ [res + 0x14], 0xA0A0A006, "task B: EBP"
        CHECK_EQ [res + 0x18], 0xA0A0A007, "task B: ESI"
        CHECK_EQ [res + 0x1C], 0xA0A0A008, "task B: EDI"
        CHECK_EQ [res + 0x20], 0x8C3, "task B: EFLAGS from its TSS (NT clear: JMP)"
        CHECK_EQ [res + 0x24], T_B, "task B: TR"
        CHECK_EQ [res + 0x28], L_B, "task B: LDTR from its TSS"
        CHECK_EQ [res + 0x2C], 0x1DB1DB00, "task B: ES from its LDT"
        CHECK_EQ [res + 0x30], 0, "task B: FS null"
        CHECK_EQ [res + 0x34], 0x8B, "task B: its TSS is busy"
        CHECK_EQ [res + 0x38], 0x89, "task B: TSS A available again (JMP)"
        CHECK_ACC T_B, 0x89, "after B's JMP back: TSS B available"
        CHECK_ACC SEL_TSS0, 0x8B, "after B's JMP back: TSS A busy"
        CHECK_EQ [kTssB + 0x34], 0xB0B0B0B0, "TSS B saved EBX"
        CHECK_EQ [kTssB + 0x40], 0x5150, "TSS B saved ESI"
        CHECK_EQ [kTssB + 0x20], task_b.after, "TSS B saved EIP"
        CHECK_EQ [kTssB + 0x00], 0x1234, "TSS B link untouched by JMP"
        mov     eax, cr0
        and     eax, 8
        CHECK_EQ eax, 8, "CR0.TS set by the task switch"
        clts
        str     eax
        CHECK_EQ eax, SEL_TSS0, "TR back to TSS A"
        ret

task_b:
        pushfd
        pop     dword [res + 0x20]
        mov     [res + 0x00], eax
        mov     [res + 0x04], ecx
        mov     [res + 0x08], edx
        mov     [res + 0x0C], ebx
        mov     [res + 0x10], esp
        mov     [res + 0x14], ebp
        mov     [res + 0x18], esi
        mov     [res + 0x1C], edi
        str     eax
        mov     [res + 0x24], eax
        sldt    eax
        mov     [res + 0x28], eax
        mov     eax, [es:0]
        mov     [res + 0x2C], eax
        mov     eax, fs
        mov     [res + 0x30], eax
        movzx   eax, byte [kGdt + T_B + 5]
        mov     [res + 0x34], eax
        movzx   eax, byte [kGdt + SEL_TSS0 + 5]
        mov     [res + 0x38], eax
        mov     ebx, 0xB0B0B0B0
        mov     esi, 0x5150
        jmp     SEL_TSS0:0
.after: jmp     $

; ---------------------------------------------------------------- CALL, IRET
call_task:
        call    TG_C:0
.back:  pushfd
        pop     eax
        and     eax, F_NT
        CHECK_EQ eax, 0, "back in A after IRET: NT clear"
        CHECK_EQ [res + 0x40], 0x4002, "task C (task gate): NT set"
        CHECK_EQ [res + 0x44], SEL_TSS0, "task C: back link = TSS A"
        CHECK_EQ [res + 0x48], 0x8B, "task C: its TSS busy"
        CHECK_EQ [res + 0x4C], 0x8B, "task C: TSS A still busy (CALL)"
        CHECK_EQ [res + 0x50], T_C, "task C: TR"
        CHECK_ACC T_C, 0x89, "after IRET: TSS C available"
        CHECK_ACC SEL_TSS0, 0x8B, "after IRET: TSS A busy"
        CHECK_EQ [kTssC + 0x20], task_c.after, "TSS C saved EIP after its IRET"
        mov     eax, [kTssC + 0x24]
        and     eax, F_NT
        CHECK_EQ eax, 0, "TSS C saved EFLAGS with NT cleared"
        CHECK_EQ [kTss0 + 0x20], .back, "TSS A saved EIP after the CALL"
        ; CALL straight to the TSS: C resumes after its IRET.
        call    T_C:0
        CHECK_EQ [res + 0x54], 2, "task C ran twice (CALL to the TSS itself)"
        CHECK_EQ [res + 0x40], 0x4002, "task C second time: NT set"
        ret

task_c:
        inc     dword [res + 0x54]
        pushfd
        pop     dword [res + 0x40]
        movzx   eax, word [kTssC]
        mov     [res + 0x44], eax
        movzx   eax, byte [kGdt + T_C + 5]
        mov     [res + 0x48], eax
        movzx   eax, byte [kGdt + SEL_TSS0 + 5]
        mov     [res + 0x4C], eax
        str     eax
        mov     [res + 0x50], eax
        iretd
.after: jmp     task_c

; ---------------------------------------------------------------- INT via task gate
int_task:
        SET_GATE 0x50, T_D, 0, 0x85
        mov     dword [res + 0x60], 0
        int     0x50
.back:  CHECK_EQ [res + 0x60], 1, "INT 50h ran task D"
        CHECK_EQ [res + 0x64], 0x4002, "task D: NT set"
        CHECK_EQ [res + 0x68], SEL_TSS0, "task D: back link"
        CHECK_EQ [res + 0x6C], 0x39000, "task D: no frame pushed on its stack"
        CHECK_EQ [kTss0 + 0x20], .back, "TSS A saved EIP after INT 50h"
        int     0x50
        CHECK_EQ [res + 0x60], 2, "second INT 50h resumed task D after its IRET"
        CHECK_ACC T_D, 0x89, "TSS D available after IRET"
        ret

task_d:
        inc     dword [res + 0x60]
        pushfd
        pop     dword [res + 0x64]
        movzx   eax, word [kTssD]
        mov     [res + 0x68], eax
        mov     [res + 0x6C], esp
        iretd
        jmp     task_d

; ---------------------------------------------------------------- #GP via task gate
exception_task:
        mov     eax, [kIdt + 13 * 8]
        mov     [res + 0x3F8], eax
        mov     eax, [kIdt + 13 * 8 + 4]
        mov     [res + 0x3FC], eax
        SET_GATE 13, T_E, 0, 0x85
        mov     ax, 0x100
.insn:  mov     ds, ax                  ; #GP(100h) -> task E
.resume:
        mov     eax, [res + 0x3F8]
        mov     [kIdt + 13 * 8], eax
        mov     eax, [res + 0x3FC]
        mov     [kIdt + 13 * 8 + 4], eax
        CHECK_EQ [res + 0x80], 0x100, "task E: the #GP error code on its stack"
        CHECK_EQ [res + 0x84], 0x39800 - 4, "task E: ESP below the error code"
        CHECK_EQ [res + 0x88], .insn, "TSS A saved EIP = the faulting instruction"
        CHECK_EQ [res + 0x8C], SEL_TSS0, "task E: back link"
        CHECK_EQ [res + 0x90], 0x4002, "task E: NT set"
        ret

task_e:
        mov     [res + 0x84], esp
        pop     dword [res + 0x80]
        pushfd
        pop     dword [res + 0x90]
        mov     eax, [kTss0 + 0x20]
        mov     [res + 0x88], eax
        movzx   eax, word [kTssE]
        mov     [res + 0x8C], eax
        mov     dword [kTss0 + 0x20], exception_task.resume
        iretd
        jmp     task_e

; ---------------------------------------------------------------- CR3 from the TSS
cr3_task:
        mov     edi, kPt0               ; 0-4 MiB identity
        mov     eax, 3
        mov     ecx, 1024
.pt:    stosd
        add     eax, 0x1000
        loop    .pt
        mov     edi, kPdA
        xor     eax, eax
        mov     ecx, 2048
        rep stosd
        mov     dword [kPdA], kPt0 | 3
        mov     dword [kPdA + 4], kPtA | 3
        mov     dword [kPdP], kPt0 | 3
        mov     dword [kPdP + 4], kPtP | 3
        mov     dword [kPtA], 0x60000 | 3
        mov     dword [kPtP], 0x61000 | 3
        mov     dword [0x60000], 0xAAAA0001
        mov     dword [0x61000], 0xBBBB0002
        mov     dword [kTss0 + 0x1C], kPdA      ; CR3 is not saved: A's TSS needs it
        mov     eax, kPdA
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        mov     eax, [0x400000]         ; A's mapping in the TLB
        CHECK_EQ eax, 0xAAAA0001, "task A sees 400000h -> 60000h"
        jmp     T_P:0
        mov     eax, [0x400000]
        CHECK_EQ eax, 0xAAAA0001, "back in A: A's CR3 and mapping again"
        mov     eax, cr3
        CHECK_EQ eax, kPdA, "back in A: CR3 from TSS A"
        CHECK_EQ [res + 0xA0], kPdP, "task P: CR3 from its TSS"
        CHECK_EQ [res + 0xA4], 0xBBBB0002, "task P sees 400000h -> 61000h"
        mov     eax, cr0
        and     eax, 0x7FFFFFFF
        mov     cr0, eax
        clts
        ret

task_p:
        mov     eax, cr3
        mov     [res + 0xA0], eax
        mov     eax, [0x400000]
        mov     [res + 0xA4], eax
        jmp     SEL_TSS0:0

; ---------------------------------------------------------------- 16-bit TSS
tss16_task:
        jmp     T_F16:0
        CHECK_EQ [res + 0xC0], 0xF001, "16-bit task: AX from its TSS"
        CHECK_EQ [res + 0xC4], 0xF004, "16-bit task: BX"
        CHECK_EQ [res + 0xC8], 0xF007, "16-bit task: SI"
        CHECK_EQ [res + 0xCC], 0x83, "16-bit task: FLAGS (SF CF) from its TSS"
        CHECK_EQ [res + 0xD0], T_F16, "16-bit task: TR"
        CHECK_EQ [res + 0xD4], C_ROM, "16-bit task: CS"
        CHECK_EQ [res + 0xD8], 0x83, "16-bit task: its TSS busy (type 3)"
        movzx   eax, word [kTssF + 0x12]
        CHECK_EQ eax, 0x1616, "TSS F saved AX"
        movzx   eax, word [kTssF + 0x0E]
        CHECK_EQ eax, task_f.after - kRom, "TSS F saved IP"
        CHECK_ACC T_F16, 0x81, "TSS F available after the JMP back"
        ret

task_f:                                 ; CS = C_ROM (base F0000h)
        mov     esp, 0x3A000            ; the TSS gave SP only
        movzx   ecx, ax
        mov     [res + 0xC0], ecx
        movzx   ecx, bx
        mov     [res + 0xC4], ecx
        movzx   ecx, si
        mov     [res + 0xC8], ecx
        lahf
        movzx   ecx, ah
        mov     [res + 0xCC], ecx
        str     ecx
        mov     [res + 0xD0], ecx
        mov     ecx, cs
        mov     [res + 0xD4], ecx
        movzx   ecx, byte [kGdt + T_F16 + 5]
        mov     [res + 0xD8], ecx
        mov     ax, 0x1616
        jmp     SEL_TSS0:0
.after: jmp     $

; ---------------------------------------------------------------- faults
bad_tasks:
        TRY     .f1
        jmp     T_SHORT:0
.f1:    ENDTRY
        CHECK_FAULT 10, T_SHORT, "JMP to a TSS with limit < 67h: #TS(sel)"
        str     eax
        CHECK_EQ eax, SEL_TSS0, "no switch happened"
        TRY     .f2
        jmp     SEL_TSS0:0
.f2:    ENDTRY
        CHECK_FAULT 13, SEL_TSS0, "JMP to the busy TSS: #GP(sel)"
        TRY     .f3
        call    TG_BUSY:0
.f3:    ENDTRY
        CHECK_FAULT 13, SEL_TSS0, "CALL to a task gate naming a busy TSS: #GP(TSS sel)"
        TRY     .f4
        call    TG_C | 3:0              ; gate DPL 0 < RPL 3
.f4:    ENDTRY
        CHECK_FAULT 13, TG_C, "task gate with RPL 3 > DPL 0: #GP(gate)"
        ; A bad GS in the new TSS: #TS raised in the new task, after the commit.
        TRY     .f5
        jmp     T_G:0
.f5:    ENDTRY
        CHECK_FAULT 10, 0x100, "new task's GS past the GDT limit: #TS(GS)"
        CHECK_EQ [exc_eip], task_g, "the #TS is raised at the new task's first instruction"
        str     eax
        CHECK_EQ eax, T_G, "the #TS belongs to the new task (TR = G)"
        CHECK_ACC T_G, 0x8B, "TSS G busy"
        CHECK_ACC SEL_TSS0, 0x89, "TSS A available (left by JMP)"
        ; Back to A from here, resuming at .home.
        mov     dword [kTss0 + 0x20], .home
        jmp     SEL_TSS0:0
.home:  str     eax
        CHECK_EQ eax, SEL_TSS0, "back in task A"
        ret

task_g:
        jmp     $                       ; never runs: the switch faults first

        HARNESS_END
