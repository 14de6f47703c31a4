; SYSENTER/SYSEXIT (SDM vol. 2 SYSENTER/SYSEXIT; vol. 3, 5.8.7): the
; IA32_SYSENTER_CS/ESP/EIP MSRs (174h-176h), ring 3 -> ring 0 -> ring 3
; with flat CS/SS derived from SYSENTER_CS (CS, CS+8; CS+16|3, CS+24|3)
; whatever the GDT holds, IF/VM cleared on entry, and #GP(0) when
; SYSENTER_CS is null or SYSEXIT runs outside ring 0.
%define TEST_NAME "sysenter"
%include "harness.inc"

MSR_CS  equ 0x174
MSR_ESP equ 0x175
MSR_EIP equ 0x176
kSysEsp equ 0x5400
res     equ 0x10000
F_IF    equ 0x200
F_CF    equ 0x001

%macro WRMSR 2
        mov     ecx, %1
        mov     eax, %2
        xor     edx, edx
        wrmsr
%endmacro

%macro RUN3 1
        mov     eax, %1
        call    run_ring3
%endmacro

test_main:
        mov     al, 0xFF                ; mask both PICs: ring 3 runs with IF set
        out     0x21, al
        out     0xA1, al
        mov     edi, res
        xor     eax, eax
        mov     ecx, 0x100 / 4
        rep stosd

        mov     eax, 1
        cpuid
        and     edx, 1 << 11
        CHECK_EQ edx, 1 << 11, "CPUID.1 EDX.SEP"

        WRMSR   MSR_CS, SEL_CODE0
        WRMSR   MSR_ESP, kSysEsp
        WRMSR   MSR_EIP, sys_entry
        mov     ecx, MSR_CS
        rdmsr
        CHECK_EQ eax, SEL_CODE0, "RDMSR SYSENTER_CS"
        CHECK_EQ edx, 0, "RDMSR SYSENTER_CS high half"
        mov     ecx, MSR_ESP
        rdmsr
        CHECK_EQ eax, kSysEsp, "RDMSR SYSENTER_ESP"
        mov     ecx, MSR_EIP
        rdmsr
        CHECK_EQ eax, sys_entry, "RDMSR SYSENTER_EIP"

        ; Ring 3 -> ring 0 -> ring 3.
        sti
        TRY     .f1
        RUN3    r3_sysenter
.f1:    ENDTRY
        cli
        CHECK_NO_FAULT "SYSENTER from ring 3 and SYSEXIT back"
        CHECK_EQ [res + 0x00], SEL_CODE0, "ring 0: CS = SYSENTER_CS"
        CHECK_EQ [res + 0x04], SEL_DATA0, "ring 0: SS = SYSENTER_CS + 8"
        CHECK_EQ [res + 0x08], kSysEsp, "ring 0: ESP = SYSENTER_ESP"
        CHECK_EQ [res + 0x0C], F_CF, "ring 0: IF cleared, CF kept"
        CHECK_EQ [res + 0x10], 0x2468ACE0, "ring 0: stack usable (push/pop through the new SS)"
        CHECK_EQ [res + 0x14], 1, "ring 0: CPL 0 (LAR sees DPL 0 data)"
        CHECK_EQ [res + 0x20], SEL_CODE3, "ring 3: CS = SYSENTER_CS + 16, RPL 3"
        CHECK_EQ [res + 0x24], SEL_DATA3, "ring 3: SS = SYSENTER_CS + 24, RPL 3"
        CHECK_EQ [res + 0x28], kStack3Top - 0x40, "ring 3: ESP = ECX"
        CHECK_EQ [res + 0x2C], 0, "ring 3: IF stays clear (SYSEXIT keeps EFLAGS)"
        CHECK_EQ [res + 0x30], 0, "ring 3: CPL 3 (LAR of DPL 0 data fails)"
        CHECK_EQ eax, 0x5E5E, "ring 3 reached the SYSEXIT target (EDX)"

        ; RPL bits in SYSENTER_CS are dropped from CS.
        WRMSR   MSR_CS, SEL_CODE0 | 3
        TRY     .f2
        RUN3    r3_sysenter
.f2:    ENDTRY
        CHECK_NO_FAULT "SYSENTER with SYSENTER_CS = 0Bh"
        CHECK_EQ [res + 0x00], SEL_CODE0, "CS = SYSENTER_CS & FFFCh"
        CHECK_EQ [res + 0x04], SEL_DATA0, "SS = (SYSENTER_CS & FFFCh) + 8"
        CHECK_EQ [res + 0x20], SEL_CODE3, "SYSEXIT CS = (0Bh + 16) | 3"
        CHECK_EQ [res + 0x24], SEL_DATA3, "SYSEXIT SS = (0Bh + 24) | 3"

        ; Selectors whose GDT slots are empty: the caches are flat anyway.
        WRMSR   MSR_CS, 0x40
        TRY     .f3
        RUN3    r3_sysenter
.f3:    ENDTRY
        CHECK_NO_FAULT "SYSENTER/SYSEXIT with empty GDT slots 40h-58h"
        CHECK_EQ [res + 0x00], 0x40, "CS = 40h"
        CHECK_EQ [res + 0x04], 0x48, "SS = 48h"
        CHECK_EQ [res + 0x10], 0x2468ACE0, "flat SS 48h works"
        CHECK_EQ [res + 0x20], 0x53, "SYSEXIT CS = 53h"
        CHECK_EQ [res + 0x24], 0x5B, "SYSEXIT SS = 5Bh"
        CHECK_EQ [res + 0x34], 0x13579BDF, "ring 3 stack through SS 5Bh works"

        ; SYSENTER from ring 0 works the same way.
        WRMSR   MSR_CS, SEL_CODE0
        WRMSR   MSR_EIP, r0_entry
        mov     [res + 0x40], esp
        mov     esi, esp
        sysenter
.r0back:
        CHECK_EQ [res + 0x44], kSysEsp, "SYSENTER from ring 0: ESP = SYSENTER_ESP"
        CHECK_EQ [res + 0x48], SEL_CODE0, "SYSENTER from ring 0: CS"
        WRMSR   MSR_EIP, sys_entry

        ; Faults.
        WRMSR   MSR_CS, 0
        TRY     .f4
        RUN3    r3_sysenter
.f4:    ENDTRY
        CHECK_FAULT 13, 0, "SYSENTER with SYSENTER_CS = 0: #GP(0)"
        CHECK_EQ [exc_eip], r3_sysenter.insn, "#GP at the SYSENTER"
        CHECK_EQ [exc_cs], SEL_CODE3, "#GP from ring 3"
        TRY     .f5
        sysexit
.f5:    ENDTRY
        CHECK_FAULT 13, 0, "SYSEXIT with SYSENTER_CS = 0: #GP(0)"
        WRMSR   MSR_CS, SEL_CODE0
        TRY     .f6
        RUN3    r3_sysexit
.f6:    ENDTRY
        CHECK_FAULT 13, 0, "SYSEXIT at CPL 3: #GP(0)"
        CHECK_EQ [exc_eip], r3_sysexit, "#GP at the SYSEXIT"
        TRY     .f7
        RUN3    r3_wrmsr
.f7:    ENDTRY
        CHECK_FAULT 13, 0, "WRMSR at CPL 3: #GP(0)"
        TRY     .f8
        RUN3    r3_rdmsr
.f8:    ENDTRY
        CHECK_FAULT 13, 0, "RDMSR at CPL 3: #GP(0)"
        mov     ecx, MSR_EIP
        rdmsr
        CHECK_EQ eax, sys_entry, "the ring 3 WRMSR changed nothing"
        ret

r0_entry:                               ; from ring 0: back by a far jump
        mov     [res + 0x44], esp
        mov     [res + 0x48], cs
        mov     esp, esi
        jmp     SEL_CODE0:test_main.r0back

r3_sysenter:
        mov     ecx, esp
        sub     ecx, 0x40
        mov     edx, .back
        stc
.insn:  sysenter
.back:  mov     [res + 0x20], cs
        mov     [res + 0x24], ss
        mov     [res + 0x28], esp
        pushfd
        pop     eax
        and     eax, F_IF
        mov     [res + 0x2C], eax
        mov     cx, SEL_DATA0
        lar     eax, cx
        setz    [res + 0x30]
        push    dword 0x13579BDF
        pop     dword [res + 0x34]
        mov     eax, 0x5E5E
        int     kIntBack

sys_entry:                              ; ring 0 through SYSENTER
        mov     [res + 0x00], cs
        mov     [res + 0x04], ss
        mov     [res + 0x08], esp
        pushfd
        pop     eax
        and     eax, F_IF | F_CF
        mov     [res + 0x0C], eax
        push    dword 0x2468ACE0
        pop     dword [res + 0x10]
        push    ecx
        mov     cx, SEL_DATA0
        lar     eax, cx
        setz    [res + 0x14]
        pop     ecx
        sysexit                         ; to EDX with ESP = ECX

r3_sysexit:
        sysexit
r3_wrmsr:
        mov     ecx, MSR_EIP
        xor     eax, eax
        xor     edx, edx
        wrmsr
r3_rdmsr:
        mov     ecx, MSR_EIP
        rdmsr

        HARNESS_END
