; Call gates, conforming code, INT n through interrupt and trap gates from
; ring 3, and IRET/RETF to an outer level (SDM vol. 3, 5.8, 6.12; vol. 2
; CALL/RET/INT/IRET operation).
%define TEST_NAME "gates"
%include "harness.inc"

G_CALL3  equ 0x40       ; 32-bit call gate, DPL 3 -> ring 0 cg_target, 2 params
G_CALL0  equ 0x48       ; the same with DPL 0
G_CALLNP equ 0x50       ; DPL 3, not present
G_CALL16 equ 0x58       ; 16-bit call gate, DPL 3 -> C_ROM0:cg16_target, 2 params
C_ROM0   equ 0x60       ; ring 0 code, 32-bit, base F0000h (16-bit offsets reach the ROM)
C_CONF   equ 0x68       ; conforming readable code, DPL 0, flat 32-bit
G_CONF   equ 0x70       ; call gate DPL 3 -> C_CONF:conf_target, 0 params
C_RING1  equ 0x78       ; ring 1 code, flat 32-bit
G_RING1  equ 0x80       ; call gate DPL 3 -> C_RING1:ring1_target, 1 param
D_RING1  equ 0x88       ; ring 1 data, flat (SS1)
G_BADSEL equ 0x90       ; call gate DPL 3 to a selector past the GDT limit
C_ROM3   equ 0x98       ; ring 3 code, 32-bit, base F0000h

kEsp0    equ kStack0Top - 0x800  ; what run_ring3 puts in TSS.ESP0
kEsp1    equ 0x4800
res      equ 0x10000            ; results written by the gate targets
kRom     equ 0xF0000
F_IF     equ 0x200

; SET_CALLGATE sel, target selector, offset, access byte, parameter count
%macro SET_CALLGATE 5
        mov     eax, %3
        mov     [kGdt + (%1)], ax
        mov     word [kGdt + (%1) + 2], %2
        mov     byte [kGdt + (%1) + 4], %5
        mov     byte [kGdt + (%1) + 5], %4
        shr     eax, 16
        mov     [kGdt + (%1) + 6], ax
%endmacro

; The low 16 bits of a stack slot (pushed selectors: only they are defined).
%macro CHECK_W 3
        movzx   ecx, word %1
        CHECK_EQ ecx, %2, %3
%endmacro

test_main:
        mov     al, 0xFF                ; mask both PICs: IF is set below
        out     0x21, al
        out     0xA1, al
        SET_CALLGATE G_CALL3, SEL_CODE0, cg_target, 0xEC, 2
        SET_CALLGATE G_CALL0, SEL_CODE0, cg_target, 0x8C, 2
        SET_CALLGATE G_CALLNP, SEL_CODE0, cg_target, 0x6C, 2
        SET_CALLGATE G_CALL16, C_ROM0, cg16_target - kRom, 0xE4, 2
        SET_DESC C_ROM0, kRom, 0xFFFF, ACC_CODE, FLG_32
        SET_DESC C_CONF, 0, 0xFFFFF, 0x9E, FLG_32 | FLG_4K
        SET_CALLGATE G_CONF, C_CONF, conf_target, 0xEC, 0
        SET_DESC C_RING1, 0, 0xFFFFF, 0xBA, FLG_32 | FLG_4K
        SET_CALLGATE G_RING1, C_RING1, ring1_target, 0xEC, 1
        SET_DESC D_RING1, 0, 0xFFFFF, 0xB2, FLG_32 | FLG_4K
        SET_CALLGATE G_BADSEL, 0x100, cg_target, 0xEC, 0
        SET_DESC C_ROM3, kRom, 0xFFFF, 0xFA, FLG_32
        mov     dword [kTss0 + 0x0C], kEsp1
        mov     dword [kTss0 + 0x10], D_RING1 | 1
        mov     edi, res
        xor     eax, eax
        mov     ecx, 0x100 / 4
        rep stosd

        call    call_gates
        call    conforming
        call    gate_faults
        call    int_gates
        call    iret_outer
        ret

; ---------------------------------------------------------------- call gates
call_gates:
        ; 32-bit gate to ring 0: stack from TSS.SS0:ESP0, two dwords copied.
        TRY     .f1
        mov     eax, r3_call32
        call    run_ring3
.f1:    ENDTRY
        CHECK_NO_FAULT "CALL through a DPL 3 gate to ring 0 and RETF 8 back"
        CHECK_EQ [res + 0x20], kEsp0 - 24, "ring 0 ESP = TSS.ESP0 - 6 dwords"
        CHECK_EQ [res + 0x24], SEL_DATA0, "ring 0 SS = TSS.SS0"
        CHECK_EQ [res + 0x40], SEL_CODE0, "CS = the gate's selector (CPL 0)"
        CHECK_EQ [res + 0x28], r3_call32.ret, "new stack: return EIP"
        CHECK_W [res + 0x2C], SEL_CODE3, "new stack: caller CS"
        CHECK_EQ [res + 0x30], 0x22222222, "new stack: parameter 1 (last pushed)"
        CHECK_EQ [res + 0x34], 0x11111111, "new stack: parameter 2 (first pushed)"
        CHECK_EQ [res + 0x38], kStack3Top - 8, "new stack: caller ESP"
        CHECK_W [res + 0x3C], SEL_DATA3, "new stack: caller SS"
        CHECK_EQ [res + 0x04], kStack3Top, "after RETF 8: caller ESP with the parameters released"
        CHECK_EQ [res + 0x08], SEL_CODE3, "after RETF: CS"
        CHECK_EQ [res + 0x0C], SEL_DATA3, "after RETF: SS"
        CHECK_EQ [res + 0x10], 0, "after RETF: ES (DPL 0 data) is null"
        CHECK_EQ [res + 0x14], SEL_DATA3, "after RETF: FS (DPL 3 data) kept"
        CHECK_EQ [res + 0x18], C_CONF | 3, "after RETF: GS (conforming code) kept"
        CHECK_EQ [res + 0x1C], 0xC0DE, "EAX from ring 0 survives"

        ; 16-bit gate: word pushes, SP from the 32-bit TSS's ESP0.
        TRY     .f2
        mov     eax, r3_call16
        call    run_ring3
.f2:    ENDTRY
        CHECK_NO_FAULT "CALL through a 16-bit gate and O16 RETF 4 back"
        CHECK_EQ [res + 0x20], kEsp0 - 12, "ring 0 ESP = ESP0 - 6 words"
        CHECK_EQ [res + 0x28], r3_call16.ret - kRom, "16-bit frame: IP"
        CHECK_EQ [res + 0x2C], C_ROM3 | 3, "16-bit frame: CS"
        CHECK_EQ [res + 0x30], 0x4444, "16-bit frame: parameter 1 (last pushed)"
        CHECK_EQ [res + 0x34], 0x3333, "16-bit frame: parameter 2"
        CHECK_EQ [res + 0x38], kStack3Top - 4, "16-bit frame: SP"
        CHECK_EQ [res + 0x3C], SEL_DATA3, "16-bit frame: SS"
        CHECK_EQ [res + 0x40], C_ROM0, "16-bit gate: CS"
        CHECK_EQ [res + 0x04], kStack3Top, "after O16 RETF 4: SP"

        ; A gate to ring 1 takes SS1:ESP1.
        TRY     .f3
        mov     eax, r3_ring1
        call    run_ring3
.f3:    ENDTRY
        CHECK_NO_FAULT "CALL through a gate to ring 1"
        CHECK_EQ [res + 0x20], kEsp1 - 20, "ring 1 ESP = TSS.ESP1 - 5 dwords"
        CHECK_EQ [res + 0x24], D_RING1 | 1, "ring 1 SS = TSS.SS1"
        CHECK_EQ [res + 0x40], C_RING1 | 1, "ring 1 CS (RPL 1)"
        CHECK_EQ [res + 0x30], 0x55, "ring 1 stack: the parameter"
        CHECK_EQ [res + 0x34], kStack3Top - 4, "ring 1 stack: caller ESP"
        CHECK_EQ [res + 0x04], kStack3Top, "after RETF 4 from ring 1"
        CHECK_EQ [res + 0x08], SEL_CODE3, "after RETF from ring 1: CS"

        ; A bad SS1 in the TSS: #TS(SS1).
        mov     dword [kTss0 + 0x10], SEL_DATA0
        TRY     .f4
        mov     eax, r3_ring1
        call    run_ring3
.f4:    ENDTRY
        mov     dword [kTss0 + 0x10], D_RING1 | 1
        CHECK_FAULT 10, SEL_DATA0, "gate to ring 1 with a ring 0 SS1: #TS(SS1)"
        CHECK_EQ [exc_eip], r3_ring1.call, "#TS at the CALL"
        CHECK_EQ [exc_cs], SEL_CODE3, "#TS frame CS is the caller's"
        ret

r3_call32:
        mov     ax, C_CONF | 3
        mov     gs, ax
        push    dword 0x11111111
        push    dword 0x22222222
        call    G_CALL3 | 3:0xDEAD      ; the offset is ignored
.ret:   mov     [res + 0x04], esp
        mov     [res + 0x08], cs
        mov     [res + 0x0C], ss
        mov     [res + 0x10], es
        mov     [res + 0x14], fs
        mov     [res + 0x18], gs
        mov     [res + 0x1C], eax
        int     kIntBack

cg_target:                              ; ring 0 through a 32-bit gate
        mov     [res + 0x20], esp
        mov     [res + 0x24], ss
        mov     [res + 0x40], cs
        mov     esi, esp
        mov     edi, res + 0x28
        mov     ecx, 6
        cld
        push    es
        push    ds
        pop     es
        rep movsd
        pop     es
        mov     ax, SEL_DATA0           ; ES with DPL 0: null after the RETF
        mov     es, ax
        mov     eax, 0xC0DE
        retf    8

r3_call16:
        jmp     C_ROM3 | 3:.rom3 - kRom ; code at offsets below 64 KiB
.rom3:  push    word 0x3333
        push    word 0x4444
        call    G_CALL16 | 3:0
.ret:   mov     [res + 0x04], esp
        jmp     SEL_CODE3:.flat
.flat:  int     kIntBack

cg16_target:                            ; ring 0, CS = C_ROM0 (base F0000h)
        mov     [res + 0x20], esp
        mov     [res + 0x40], cs
        xor     ecx, ecx
.copy:  movzx   eax, word [esp + ecx * 2]
        mov     [res + 0x28 + ecx * 4], eax
        inc     ecx
        cmp     ecx, 6
        jb      .copy
        o16 retf 4

r3_ring1:
        push    dword 0x55
.call:  call    G_RING1 | 3:0
        mov     [res + 0x04], esp
        mov     [res + 0x08], cs
        int     kIntBack

ring1_target:
        mov     [res + 0x20], esp
        mov     [res + 0x24], ss
        mov     [res + 0x40], cs
        mov     eax, [esp + 8]
        mov     [res + 0x30], eax
        mov     eax, [esp + 12]
        mov     [res + 0x34], eax
        retf    4

; ---------------------------------------------------------------- conforming code
conforming:
        TRY     .f1
        mov     eax, r3_conf
        call    run_ring3
.f1:    ENDTRY
        CHECK_NO_FAULT "far CALL to conforming DPL 0 code from ring 3, directly and through a gate"
        CHECK_EQ [res + 0x60], C_CONF | 3, "direct: CS has RPL 3 (CPL unchanged)"
        CHECK_EQ [res + 0x64], kStack3Top - 8, "direct: no stack switch"
        CHECK_EQ [res + 0x68], SEL_DATA3, "direct: SS unchanged"
        CHECK_EQ [res + 0x6C], 0, "direct: LAR of DPL 0 data fails (CPL is 3)"
        CHECK_EQ [res + 0x70], C_CONF | 3, "gate: CS has RPL 3"
        CHECK_EQ [res + 0x74], kStack3Top - 8, "gate: no stack switch"
        CHECK_EQ [res + 0x78], SEL_DATA3, "gate: SS unchanged"
        CHECK_EQ [res + 0x7C], 0, "gate: LAR of DPL 0 data fails (CPL is 3)"
        ret

r3_conf:
        xor     ebx, ebx
        call    C_CONF | 3:conf_target
        mov     ebx, 0x10
        call    G_CONF | 3:0
        int     kIntBack

conf_target:                            ; EBX: where to record
        mov     [res + 0x60 + ebx], cs
        mov     [res + 0x64 + ebx], esp
        mov     [res + 0x68 + ebx], ss
        mov     cx, SEL_DATA0           ; visible to LAR only at CPL 0
        lar     edx, cx
        setz    [res + 0x6C + ebx]
        retf

; ---------------------------------------------------------------- gate faults
gate_faults:
        TRY     .f1
        mov     eax, r3_gate0
        call    run_ring3
.f1:    ENDTRY
        CHECK_FAULT 13, G_CALL0, "CALL through a DPL 0 gate from ring 3: #GP(gate)"
        CHECK_EQ [exc_eip], r3_gate0, "#GP at the CALL"
        TRY     .f2
        mov     eax, r3_gatenp
        call    run_ring3
.f2:    ENDTRY
        CHECK_FAULT 11, G_CALLNP, "CALL through a not-present gate: #NP(gate)"
        TRY     .f3
        mov     eax, r3_gatebad
        call    run_ring3
.f3:    ENDTRY
        CHECK_FAULT 13, 0x100, "gate to a selector past the GDT: #GP(target)"
        TRY     .f4
        mov     eax, r3_jmpgate
        call    run_ring3
.f4:    ENDTRY
        CHECK_FAULT 13, SEL_CODE0, "JMP through a gate to ring 0: #GP(target)"
        TRY     .f5
        mov     eax, r3_retf0
        call    run_ring3
.f5:    ENDTRY
        CHECK_FAULT 13, SEL_CODE0, "RETF from ring 3 to ring 0: #GP(CS)"
        CHECK_EQ [exc_eip], r3_retf0.insn, "#GP at the RETF"
        ret

r3_gate0:
        call    G_CALL0 | 3:0
        int     kIntBack
r3_gatenp:
        call    G_CALLNP | 3:0
        int     kIntBack
r3_gatebad:
        call    G_BADSEL | 3:0
        int     kIntBack
r3_jmpgate:
        jmp     G_CALL3 | 3:0
        int     kIntBack
r3_retf0:
        push    dword SEL_CODE0
        push    dword r3_retf0
.insn:  retf

; ---------------------------------------------------------------- INT n from ring 3
int_gates:
        SET_GATE 0x40, SEL_CODE0, int_target, 0xEE      ; interrupt gate, DPL 3
        SET_GATE 0x41, SEL_CODE0, int_target, 0xEF      ; trap gate, DPL 3
        SET_GATE 0x42, SEL_CODE0, int_target, 0x8E      ; interrupt gate, DPL 0
        SET_GATE 0x43, SEL_CODE0, int_target, 0x6E      ; DPL 3, not present
        sti                             ; ring 3 inherits IF = 1
        TRY     .f1
        mov     eax, r3_ints
        call    run_ring3
.f1:    ENDTRY
        cli
        CHECK_NO_FAULT "INT 40h (interrupt gate) and INT 41h (trap gate) from ring 3"
        CHECK_EQ [res + 0x80], 0, "interrupt gate: IF clear in the handler"
        CHECK_EQ [res + 0x84], kEsp0 - 20, "interrupt gate: ESP = ESP0 - 5 dwords"
        CHECK_EQ [res + 0x88], r3_ints.a, "frame EIP: after INT 40h"
        CHECK_W [res + 0x8C], SEL_CODE3, "frame CS"
        CHECK_EQ [res + 0x90], 0x202, "frame EFLAGS (IF set)"
        CHECK_EQ [res + 0x94], kStack3Top, "frame ESP"
        CHECK_W [res + 0x98], SEL_DATA3, "frame SS"
        CHECK_EQ [res + 0xA0], F_IF, "trap gate: IF kept in the handler"
        CHECK_EQ [res + 0xA8], r3_ints.b, "trap gate frame EIP: after INT 41h"
        CHECK_EQ [res + 0x9C], SEL_CODE0, "handler CS"
        CHECK_EQ eax, 0x202, "ring 3 EFLAGS after both IRETs"
        TRY     .f2
        mov     eax, r3_int42
        call    run_ring3
.f2:    ENDTRY
        CHECK_FAULT 13, 0x42 * 8 + 2, "INT 42h through a DPL 0 gate: #GP(vec*8+2)"
        CHECK_EQ [exc_eip], r3_int42, "#GP EIP at the INT"
        TRY     .f3
        mov     eax, r3_int43
        call    run_ring3
.f3:    ENDTRY
        CHECK_FAULT 11, 0x43 * 8 + 2, "INT 43h through a not-present gate: #NP(vec*8+2)"
        TRY     .f4
        mov     eax, r3_int3
        call    run_ring3
.f4:    ENDTRY
        CHECK_FAULT 13, 3 * 8 + 2, "INT3 through the DPL 0 vector 3 gate: #GP(1Ah)"
        ret

r3_ints:
        xor     ebx, ebx
        int     0x40
.a:     mov     ebx, 0x20
        int     0x41
.b:     pushfd
        pop     eax
        and     eax, 0xFFFF ^ (0x8D5)   ; arithmetic flags masked
        int     kIntBack
r3_int42:
        int     0x42
        int     kIntBack
r3_int43:
        int     0x43
        int     kIntBack
r3_int3:
        int3
        int     kIntBack

int_target:                             ; EBX: where to record
        pushfd
        pop     eax
        and     eax, F_IF
        mov     [res + 0x80 + ebx], eax
        mov     [res + 0x84 + ebx], esp
        mov     [res + 0x9C + ebx], cs
        mov     eax, [esp]
        mov     [res + 0x88 + ebx], eax
        mov     eax, [esp + 4]
        mov     [res + 0x8C + ebx], eax
        mov     eax, [esp + 8]
        and     eax, ~0x8D5             ; arithmetic flags masked
        mov     [res + 0x90 + ebx], eax
        mov     eax, [esp + 12]
        mov     [res + 0x94 + ebx], eax
        mov     eax, [esp + 16]
        mov     [res + 0x98 + ebx], eax
        iretd

; ---------------------------------------------------------------- IRET to ring 3
iret_outer:
        call    iret_to_r3
        CHECK_EQ [res + 0xC0], 0, "IRET to ring 3: DS (DPL 0 data) is null"
        CHECK_EQ [res + 0xC4], SEL_DATA3, "IRET to ring 3: ES (DPL 3 data) kept"
        CHECK_EQ [res + 0xC8], C_CONF, "IRET to ring 3: FS (conforming code) kept"
        CHECK_EQ [res + 0xCC], 0, "IRET to ring 3: GS (DPL 0 data) is null"
        CHECK_EQ [res + 0xD0], SEL_CODE3, "IRET to ring 3: CS"
        CHECK_EQ [res + 0xD4], SEL_DATA3, "IRET to ring 3: SS"
        CHECK_EQ [res + 0xD8], kStack3Top, "IRET to ring 3: ESP"
        CHECK_EQ [res + 0xDC], 0x3002, "IRET to ring 3: EFLAGS (IOPL 3 from the image)"
        CHECK_EQ [res + 0xE0], 0x3202, "ring 3 IRET cannot clear IOPL, but may set IF (IOPL 3)"
        ; Bad returns: CS with DPL 0 and RPL 3; SS with RPL 0.
        TRY     .f1
        push    dword SEL_DATA3
        push    dword kStack3Top
        push    dword 0x2
        push    dword C_ROM0 | 3
        push    dword 0
        iretd
.f1:    ENDTRY
        CHECK_FAULT 13, C_ROM0, "IRET to RPL 3 with a DPL 0 code segment: #GP(CS)"
        TRY     .f2
        push    dword SEL_DATA0
        push    dword kStack3Top
        push    dword 0x2
        push    dword SEL_CODE3
        push    dword 0
        iretd
.f2:    ENDTRY
        CHECK_FAULT 13, SEL_DATA0, "IRET to ring 3 with an RPL 0 SS: #GP(SS)"
        ret

; Enter ring 3 by IRETD with hand-made segment registers; back by kIntBack.
iret_to_r3:
        pushad
        mov     [ring0_esp], esp
        mov     dword [kTss0 + 4], kEsp0
        push    dword SEL_DATA3
        push    dword kStack3Top
        push    dword 0x3002            ; IOPL 3, IF clear
        push    dword SEL_CODE3
        push    dword r3_after_iret
        mov     ax, SEL_DATA3
        mov     es, ax
        mov     ax, C_CONF
        mov     fs, ax
        mov     ax, SEL_DATA0
        mov     gs, ax                  ; DS is SEL_DATA0 too
        iretd

r3_after_iret:
        mov     [es:res + 0xC0], ds
        mov     [es:res + 0xC4], es
        mov     [es:res + 0xC8], fs
        mov     [es:res + 0xCC], gs
        mov     [es:res + 0xD0], cs
        mov     [es:res + 0xD4], ss
        mov     [es:res + 0xD8], esp
        pushfd
        pop     eax
        and     eax, ~0x8D5
        mov     [es:res + 0xDC], eax
        ; Same-level IRET with IOPL 0 and IF 1 in the image.
        push    dword 0x202
        push    cs
        push    dword .next
        iretd
.next:  pushfd
        pop     eax
        and     eax, ~0x8D5
        mov     [es:res + 0xE0], eax
        int     kIntBack

        HARNESS_END
