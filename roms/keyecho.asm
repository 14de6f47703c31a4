; keyecho: a 1.44 MB boot floppy that echoes every byte the keyboard and the
; mouse send, as the 8042 delivers them, on COM1 - for the window's input
; tests (tests/window_keys.sh).
;
; It turns the 8042's set-2 -> set-1 translation off (command byte bit 6), so
; the bytes are the keyboard's own scan code set 2, enables the auxiliary
; (mouse) port and the mouse's data reporting, takes IRQ 1 and IRQ 12 itself
; (vectors 09h and 74h) and idles in HLT with interrupts on.
;
; COM1 output (polled 16550 at 0x3F8, set up by INT 14h):
;   "keyecho ready\r\n"                  once everything is set up
;   "xx "                                each keyboard byte, two lowercase hex digits
;   "mxx "                               each mouse byte
;   "FAILED: <what>\r\n"                 if the 8042 or the mouse does not answer
; e.g. pressing and releasing A prints "1c f0 1c ", Up "e0 75 e0 f0 75 ".

        bits 16
        org 0x7C00

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        cld
        mov ax, 0x00E3          ; COM1: 9600 baud, 8N1
        xor dx, dx
        int 0x14

        mov al, 0x20            ; read the command byte
        call kbc_cmd
        call kbc_read
        jc fail_kbc
        and al, ~0x73           ; translation off, both ports on, no interrupts yet
        mov bl, al
        call set_cb
        mov al, 0xA8            ; aux port on
        call kbc_cmd
        mov al, 0xAE            ; keyboard port on
        call kbc_cmd
        call drain              ; answers to the BIOS's commands may still be queued

        mov al, 0xD4            ; to the mouse: F4 enable data reporting
        call kbc_cmd
        mov al, 0xF4
        call kbc_data
.ack:   call kbc_read           ; its ACK (polled)
        jc fail_mouse
        test ah, 0x20           ; a byte from the keyboard side: not the answer
        jz .ack
        cmp al, 0xFA
        jne fail_mouse
        or bl, 0x03             ; now IRQ 1 and IRQ 12
        call set_cb

        mov word [0x09*4], irq1
        mov word [0x09*4+2], 0
        mov word [0x74*4], irq12
        mov word [0x74*4+2], 0
        in al, 0x21             ; unmask IRQ 1 and the cascade (IRQ 2) on the master PIC
        and al, ~0x06
        out 0x21, al
        in al, 0xA1             ; unmask IRQ 12 on the slave
        and al, ~0x10
        out 0xA1, al

        mov si, msg_ready
        call puts
idle:   sti
        hlt
        jmp idle

fail_kbc:
        mov si, msg_kbc
        jmp fail
fail_mouse:
        mov si, msg_mouse
fail:   push si
        mov si, msg_failed
        call puts
        pop si
        call puts
        jmp idle

; IRQ 1: one keyboard byte.
irq1:   push ax
        in al, 0x64             ; a request latched before we took over finds
        test al, 1              ; the output buffer empty: nothing to print
        jz .eoi
        in al, 0x60
        call puthex
        mov al, ' '
        call putc
.eoi:   mov al, 0x20            ; EOI to the master
        out 0x20, al
        pop ax
        iret

; IRQ 12: one mouse byte.
irq12:  push ax
        in al, 0x64
        test al, 1
        jz .eoi
        in al, 0x60
        push ax
        mov al, 'm'
        call putc
        pop ax
        call puthex
        mov al, ' '
        call putc
.eoi:   mov al, 0x20            ; EOI to the slave, then the master
        out 0xA0, al
        out 0x20, al
        pop ax
        iret

; Write BL to the 8042's command byte.
set_cb: mov al, 0x60
        call kbc_cmd
        mov al, bl
        jmp kbc_data
; For about 40 ms, read and drop whatever the 8042 delivers.
drain:  mov dx, 16
.outer: mov cx, 0xFFFF
.poll:  in al, 0x64
        test al, 1
        jz .next
        in al, 0x60
.next:  loop .poll
        dec dx
        jnz .outer
        ret

; The 8042: wait until it can take a byte, then send a command (0x64) or data (0x60).
kbc_cmd:
        call kbc_wait
        out 0x64, al
        ret
kbc_data:
        call kbc_wait
        out 0x60, al
        ret
kbc_wait:
        push ax
.w:     in al, 0x64
        test al, 2
        jnz .w
        pop ax
        ret
; Read a byte from the 8042's output buffer (polling) into AL, the status it
; came with in AH; CF set after a timeout.
kbc_read:
        push cx
        push dx
        mov dx, 0x1000
.outer: mov cx, 0xFFFF
.inner: in al, 0x64
        test al, 1
        jnz .got
        loop .inner
        dec dx
        jnz .outer
        pop dx
        pop cx
        stc
        ret
.got:   mov ah, al
        in al, 0x60
        pop dx
        pop cx
        clc
        ret

%define COM1_NO_EXIT
%include "com1.inc"
puthex: push ax
        shr al, 4
        call .nib
        pop ax
        push ax
        and al, 0x0F
        call .nib
        pop ax
        ret
.nib:   add al, '0'
        cmp al, '9'
        jbe .p
        add al, 'a' - '9' - 1
.p:     jmp putc

msg_ready:  db "keyecho ready", 13, 10, 0
msg_failed: db "FAILED: ", 0
msg_kbc:    db "8042 command byte", 13, 10, 0
msg_mouse:  db "mouse enable", 13, 10, 0

        times 510-($-$$) db 0
        dw 0xAA55
        times 1474560-($-$$) db 0
