; Virtual-8086 mode (SDM vol. 3, chapter 20): IRETD from ring 0 with VM set,
; segment registers as real-mode paragraphs, the IOPL-sensitive
; instructions with IOPL 3 (they work) and IOPL 0 (#GP(0) to the monitor),
; INT n through the protected-mode IDT with the V86 frame (ES, DS, FS, GS
; pushed and the registers nulled), IRETD back into V86 mode, and port I/O
; governed by the TSS I/O bitmap whatever the IOPL.
%define TEST_NAME "v86"
%include "harness.inc"

C_CONF  equ 0x40        ; conforming code, DPL 0, flat
kRom    equ 0xF0000
kEsp0   equ kStack0Top - 0x800
res     equ 0x10000     ; = V86 DS 1000h, offset 0
kVM     equ 0x20000
kIOPL3  equ 0x3000
kFlagsMask equ ~0x8D5   ; arithmetic flags masked

; Clear the result area.
%macro CLEAR_RES 0
        mov     edi, res
        xor     eax, eax
        mov     ecx, 0x100 / 4
        rep stosd
%endmacro

; V86_GP0 entry, insn, iopl_bits, "msg": a V86 run from `entry` that must
; end in #GP(0) at `insn` (offsets in F000h) with SP intact.
%macro V86_GP0 4
        TRY     %%f
        mov     eax, %1 - kRom
        mov     ebx, kVM | 2 | (%3)
        call    run_v86
%%f:    ENDTRY
        CHECK_FAULT 13, 0, %4
        CHECK_EQ [exc_eip], %2 - kRom, %4
        CHECK_EQ [exc_esp], 0xFFF0, %4
%endmacro

; The low 16 bits of a dword (selector slots of a frame).
%macro CHECK_W 3
        movzx   ecx, word %1
        CHECK_EQ ecx, %2, %3
%endmacro

test_main:
        mov     al, 0xFF                ; mask both PICs: V86 code sets IF
        out     0x21, al
        out     0xA1, al
        ; Exceptions from V86 mode arrive with DS null: reload it first.
        xor     ecx, ecx
.wrap:  mov     eax, ecx
        imul    eax, v86_exc_size
        add     eax, v86_exc
        mov     [kIdt + ecx * 8], ax
        shr     eax, 16
        mov     [kIdt + ecx * 8 + 6], ax
        inc     ecx
        cmp     ecx, 32
        jb      .wrap
        SET_GATE 0x60, SEL_CODE0, int60, 0xEE           ; DPL 3 interrupt gate
        SET_GATE 0x61, SEL_CODE0, int60, 0x8E           ; DPL 0
        SET_GATE 0x62, C_CONF, int60, 0xEE              ; to conforming code
        SET_DESC C_CONF, 0, 0xFFFFF, 0x9E, FLG_32 | FLG_4K
        ; The I/O bitmap: only port 3FFh (COM1 scratch) allowed.
        and     byte [kTss0 + kTssIoMap + 0x3FF / 8], ~0x80

        call    iopl3
        call    iopl3_faults
        call    iopl0
        call    io_bitmap
        ret

; run_v86: EAX = IP (CS = F000h), EBX = EFLAGS (VM set). DS 1000h, ES 2000h,
; SS:SP 3000h:FFF0h, FS 0300h, GS 0400h. Back through kIntBack.
run_v86:
        pushad
        mov     [ring0_esp], esp
        mov     dword [kTss0 + 4], kEsp0
        push    dword 0x0400
        push    dword 0x0300
        push    dword 0x1000
        push    dword 0x2000
        push    dword 0x3000
        push    dword 0xFFF0
        push    ebx
        push    dword 0xF000
        push    eax
        iretd

; ---------------------------------------------------------------- IOPL 3
iopl3:
        CLEAR_RES
        mov     dword [0x20010], 0
        mov     dword [0x21000], 0
        TRY     .f
        mov     eax, v86_basic - kRom
        mov     ebx, kVM | kIOPL3 | 2
        call    run_v86
.f:     ENDTRY
        CHECK_NO_FAULT "V86 with IOPL 3 ran to INT 7Fh"
        CHECK_EQ eax, 0x8686, "V86 EAX back in ring 0"
        CHECK_EQ [res + 0x00], 0xF000, "V86 CS from the IRET frame"
        CHECK_EQ [res + 0x04], 0x1000, "V86 DS"
        CHECK_EQ [res + 0x08], 0x2000, "V86 ES"
        CHECK_EQ [res + 0x0C], 0x3000, "V86 SS"
        CHECK_EQ [res + 0x10], 0x0300, "V86 FS"
        CHECK_EQ [res + 0x14], 0x0400, "V86 GS"
        CHECK_EQ [res + 0x18], 0xFFF0, "V86 SP"
        CHECK_EQ [res + 0x1C], 0x3002, "V86 PUSHF: IOPL 3"
        CHECK_EQ [res + 0x20], 0x3002, "V86 PUSHFD: VM and RF not in the image"
        CHECK_EQ [res + 0x24], 0x3202, "V86 STI with IOPL 3 sets IF"
        CHECK_EQ [res + 0x28], 0x3002, "V86 POPF clears IF but cannot clear IOPL"
        CHECK_EQ [res + 0x2C], 0x3202, "V86 POPF sets IF"
        CHECK_EQ [res + 0x30], 0x3002, "V86 CLI with IOPL 3 clears IF"
        CHECK_EQ [res + 0x34], 1, "V86 IRET with IOPL 3 returned"
        CHECK_EQ [0x20010], 0x1234, "ES 2000h: offset 10h is linear 20010h"
        CHECK_EQ [0x21000], 0x5678, "MOV ES, 2100h: base 21000h"
        ; INT 60h through the IDT.
        CHECK_EQ [res + 0x40], 0, "INT 60h handler: DS null"
        CHECK_EQ [res + 0x44], 0, "handler: ES null"
        CHECK_EQ [res + 0x48], 0, "handler: FS null"
        CHECK_EQ [res + 0x4C], 0, "handler: GS null"
        CHECK_EQ [res + 0x50], kEsp0 - 36, "handler ESP = ESP0 - 9 dwords"
        CHECK_EQ [res + 0x54], SEL_CODE0, "handler CS"
        CHECK_EQ [res + 0x58], 0, "handler EFLAGS: VM, IF, TF, NT clear"
        CHECK_EQ [res + 0x60], v86_basic.after60 - kRom, "frame: EIP"
        CHECK_W [res + 0x64], 0xF000, "frame: CS"
        CHECK_EQ [res + 0x68], kVM | kIOPL3 | 2, "frame: EFLAGS with VM"
        CHECK_EQ [res + 0x6C], 0xFFF0, "frame: ESP"
        CHECK_W [res + 0x70], 0x3000, "frame: SS"
        CHECK_W [res + 0x74], 0x2100, "frame: ES"
        CHECK_W [res + 0x78], 0x1000, "frame: DS"
        CHECK_W [res + 0x7C], 0x0300, "frame: FS"
        CHECK_W [res + 0x80], 0x0400, "frame: GS"
        CHECK_EQ [res + 0x90], 0x1000, "after IRETD to V86: DS restored"
        CHECK_EQ [res + 0x94], 0x2100, "after IRETD to V86: ES restored"
        CHECK_EQ [res + 0x98], 0x0300, "after IRETD to V86: FS restored"
        CHECK_EQ [res + 0x9C], 0x0400, "after IRETD to V86: GS restored"
        CHECK_EQ [res + 0xA0], 0xFFF0, "after IRETD to V86: SP"
        ret

iopl3_faults:
        TRY     .f1
        mov     eax, v86_int61 - kRom
        mov     ebx, kVM | kIOPL3 | 2
        call    run_v86
.f1:    ENDTRY
        CHECK_FAULT 13, 0x61 * 8 + 2, "V86 INT 61h through a DPL 0 gate: #GP(vec*8+2)"
        CHECK_EQ [exc_eip], v86_int61 - kRom, "#GP frame IP at the INT"
        CHECK_W [exc_cs], 0xF000, "#GP frame CS is the V86 segment"
        mov     eax, [exc_eflags]
        and     eax, kVM
        CHECK_EQ eax, kVM, "#GP frame EFLAGS has VM"
        TRY     .f2
        mov     eax, v86_int62 - kRom
        mov     ebx, kVM | kIOPL3 | 2
        call    run_v86
.f2:    ENDTRY
        CHECK_FAULT 13, C_CONF, "V86 INT to a conforming handler: #GP(code sel)"
        ret

; ---------------------------------------------------------------- IOPL 0
iopl0:
        V86_GP0 v86_cli, v86_cli, 0, "V86 IOPL 0: CLI is #GP(0)"
        V86_GP0 v86_sti, v86_sti, 0, "V86 IOPL 0: STI is #GP(0)"
        V86_GP0 v86_pushf, v86_pushf, 0, "V86 IOPL 0: PUSHF is #GP(0)"
        V86_GP0 v86_popf, v86_popf, 0, "V86 IOPL 0: POPF is #GP(0)"
        V86_GP0 v86_int, v86_int, 0, "V86 IOPL 0: INT n is #GP(0)"
        V86_GP0 v86_iret, v86_iret, 0, "V86 IOPL 0: IRET is #GP(0)"
        ; INT3 is not IOPL-sensitive: it meets the DPL 0 gate of vector 3.
        TRY     .f1
        mov     eax, v86_int3 - kRom
        mov     ebx, kVM | 2
        call    run_v86
.f1:    ENDTRY
        CHECK_FAULT 13, 3 * 8 + 2, "V86 IOPL 0: INT3 goes to the IDT (#GP(1Ah), DPL 0 gate)"
        ret

; ---------------------------------------------------------------- I/O bitmap
io_bitmap:
        CLEAR_RES
        V86_GP0 v86_io3, v86_io3.bad, kIOPL3, "V86 IOPL 3: word IN at 3FFh needs 400h too: #GP(0)"
        movzx   eax, byte [res + 0xB0]
        CHECK_EQ eax, 0xA5, "V86 IOPL 3: OUT/IN at the allowed port 3FFh"
        V86_GP0 v86_io_deny, v86_io_deny.insn, kIOPL3, "V86 IOPL 3: IN at the denied port 3FEh: #GP(0)"
        V86_GP0 v86_io0, v86_io0.end, 0, "V86 IOPL 0: allowed port works, then CLI faults"
        movzx   eax, byte [res + 0xB4]
        CHECK_EQ eax, 0x5A, "V86 IOPL 0: OUT/IN at the allowed port 3FFh"
        V86_GP0 v86_io0_deny, v86_io0_deny.insn, 0, "V86 IOPL 0: OUT at the denied port 3FEh: #GP(0)"
        ret

; ---------------------------------------------------------------- ring 0 handlers
int60:                                  ; from V86: DS/ES/FS/GS are null
        mov     [ss:res + 0x40], ds
        mov     [ss:res + 0x44], es
        mov     [ss:res + 0x48], fs
        mov     [ss:res + 0x4C], gs
        mov     [ss:res + 0x50], esp
        mov     [ss:res + 0x54], cs
        pushfd
        pop     eax
        and     eax, kVM | 0x200 | 0x100 | 0x4000
        mov     [ss:res + 0x58], eax
        xor     ecx, ecx
.copy:  mov     eax, [esp + ecx * 4]
        mov     [ss:res + 0x60 + ecx * 4], eax
        inc     ecx
        cmp     ecx, 9
        jb      .copy
        and     dword [ss:res + 0x68], kFlagsMask
        iretd

; Exception wrappers: DS := flat data, then the harness's stub for vector v.
v86_exc:
%assign v 0
%rep 32
        push    eax
        mov     ax, SEL_DATA0
        mov     ds, ax
        pop     eax
        jmp     near exc_stubs + v * exc_stub_size
%assign v v + 1
%endrep
v86_exc_size equ ($ - v86_exc) / 32

; ---------------------------------------------------------------- V86 code (CS = F000h)
        bits    16
v86_basic:
        mov     [0x00], cs
        mov     [0x04], ds
        mov     [0x08], es
        mov     [0x0C], ss
        mov     [0x10], fs
        mov     [0x14], gs
        mov     [0x18], sp
        pushf
        pop     ax
        and     ax, kFlagsMask & 0xFFFF
        mov     [0x1C], ax
        pushfd
        pop     eax
        and     eax, kFlagsMask
        mov     [0x20], eax
        sti
        pushf
        pop     ax
        and     ax, kFlagsMask & 0xFFFF
        mov     [0x24], ax
        push    word 0x0002             ; IOPL 0, IF 0
        popf
        pushf
        pop     ax
        and     ax, kFlagsMask & 0xFFFF
        mov     [0x28], ax
        push    word 0x0202
        popf
        pushf
        pop     ax
        and     ax, kFlagsMask & 0xFFFF
        mov     [0x2C], ax
        cli
        pushf
        pop     ax
        and     ax, kFlagsMask & 0xFFFF
        mov     [0x30], ax
        pushf
        push    cs
        push    word .iret - kRom
        iret
.iret:  mov     byte [0x34], 1
        mov     word [es:0x10], 0x1234
        mov     ax, 0x2100
        mov     es, ax
        mov     word [es:0], 0x5678
        int     0x60
.after60:
        mov     [0x90], ds
        mov     [0x94], es
        mov     [0x98], fs
        mov     [0x9C], gs
        mov     [0xA0], sp
        mov     eax, 0x8686
        int     kIntBack

v86_int61:
        int     0x61
v86_int62:
        int     0x62
v86_cli:
        cli
v86_sti:
        sti
v86_pushf:
        pushf
v86_popf:
        popf
v86_int:
        int     0x60
v86_iret:
        iret
v86_int3:
        int3
v86_io3:
        mov     dx, 0x3FF
        mov     al, 0xA5
        out     dx, al
        mov     al, 0
        in      al, dx
        mov     [0xB0], al
.bad:   in      ax, dx
v86_io_deny:
        mov     dx, 0x3FE
.insn:  in      al, dx
v86_io0:
        mov     dx, 0x3FF
        mov     al, 0x5A
        out     dx, al
        mov     al, 0
        in      al, dx
        mov     [0xB4], al
.end:   cli
v86_io0_deny:
        mov     dx, 0x3FE
.insn:  out     dx, al
        bits    32

        HARNESS_END
