; A boot floppy that checks the MC146818's alarm and update-ended interrupts
; through the real BIOS and the 8259A pair (IRQ 8 cascaded on IRQ 2):
;  1. INT 1Ah AH=06h sets the RTC alarm two seconds ahead (BCD, with the time
;     from AH=02h); SeaBIOS's IRQ 8 handler calls INT 4Ah when register C
;     reports AF. We hook INT 4Ah and wait up to five seconds of PIT ticks.
;     AH=07h then cancels the alarm.
;  2. Our own IRQ 8 handler (INT 70h) counts update-ended interrupts (register
;     B UIE, register C read to acknowledge, EOI to both PICs) while we wait
;     for 55 BIOS ticks (3.02 s): the RTC updates once a second, so the count
;     is 3.
; Output on COM1 (polled):
;   alarm: ok            (or FAILED)
;   update interrupts: 3
;   done
; then 0 (alarm ok and 3 updates) or 1 is written to the isa-debug-exit port
; 0xF4 (xlat86 --debug-exit: status 1 or 3).

        bits 16
        org 0x7C00

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        cld
        mov ax, 0x00E3          ; COM1: 9600 baud, 8N1
        xor dx, dx
        int 0x14

        mov word [0x4A*4], alarm_isr   ; INT 4Ah: the user alarm routine
        mov word [0x4A*4+2], 0
        mov ah, 0x02            ; now: CH hours, CL minutes, DH seconds (BCD)
        int 0x1A
        jc .afail
        mov al, dh              ; seconds + 2, in BCD, carried into minutes and hours
        add al, 2
        daa
        mov dh, al
        cmp dh, 0x60
        jb .set
        sub dh, 0x60
        mov al, cl
        add al, 1
        daa
        mov cl, al
        cmp cl, 0x60
        jb .set
        xor cl, cl
        mov al, ch
        add al, 1
        daa
        mov ch, al
        cmp ch, 0x24
        jb .set
        xor ch, ch
.set:   mov ah, 0x06
        int 0x1A
        jc .afail
        call now
        mov [t0], ax
.await: hlt
        cmp byte [alarmed], 0
        jne .aok
        call now
        sub ax, [t0]
        cmp ax, 91              ; five seconds of 18.2 Hz ticks
        jb .await
.afail: mov si, msg_fail
        mov byte [failed], 1
        jmp .asaid
.aok:   mov si, msg_ok
.asaid: push si
        mov si, msg_alarm
        call puts
        pop si
        call puts
        mov ah, 0x07            ; cancel the alarm
        int 0x1A

        cli                     ; update-ended interrupts on our own IRQ 8 handler
        mov word [0x70*4], rtc_isr
        mov word [0x70*4+2], 0
        mov al, 0x0B
        out 0x70, al
        in al, 0x71
        and al, 0x8F            ; PIE, AIE off
        or al, 0x10             ; UIE on
        mov ah, al
        mov al, 0x0B
        out 0x70, al
        mov al, ah
        out 0x71, al
        mov al, 0x0C            ; clear pending flags
        out 0x70, al
        in al, 0x71
        in al, 0xA1             ; unmask IRQ 8 and the cascade
        and al, 0xFE
        out 0xA1, al
        in al, 0x21
        and al, 0xFB
        out 0x21, al
        mov byte [updates], 0
        sti
        call now
        mov [t0], ax
.uwait: hlt
        call now
        sub ax, [t0]
        cmp ax, 55
        jb .uwait
        cli
        mov al, 0x0B            ; UIE off again
        out 0x70, al
        in al, 0x71
        and al, 0xEF
        mov ah, al
        mov al, 0x0B
        out 0x70, al
        mov al, ah
        out 0x71, al
        sti
        mov si, msg_upd
        call puts
        mov al, [updates]
        cmp al, 3
        je .three
        mov byte [failed], 1
.three: add al, '0'
        call putc
        mov si, msg_crlf
        call puts

        mov si, msg_done
        call puts
        jmp com1_exit           ; let the UART send everything, then exit

; BIOS tick count (low word) in AX
now:    push cx
        push dx
        xor ah, ah
        int 0x1A
        mov ax, dx
        pop dx
        pop cx
        ret

alarm_isr:
        mov byte [cs:alarmed], 1
        iret

rtc_isr:
        push ax
        mov al, 0x0C            ; register C: acknowledge, count UF
        out 0x70, al
        in al, 0x71
        test al, 0x10
        jz .eoi
        inc byte [cs:updates]
.eoi:   mov al, 0x20
        out 0xA0, al
        out 0x20, al
        pop ax
        iret

%include "com1.inc"

t0:         dw 0
alarmed:    db 0
updates:    db 0
failed:     db 0
msg_alarm:  db "alarm: ", 0
msg_ok:     db "ok", 13, 10, 0
msg_fail:   db "FAILED", 13, 10, 0
msg_upd:    db "update interrupts: ", 0
msg_crlf:   db 13, 10, 0
msg_done:   db "done", 13, 10, 0

        times 510-($-$$) db 0
        dw 0xAA55
        times 1474560-($-$$) db 0
