; xlat86's default PC guest: a 1.44 MB boot floppy whose boot sector talks to
; the real BIOS (SeaBIOS). It prints on the text screen (INT 10h) and on COM1
; (INT 14h), reads the RTC (INT 1Ah AH=02h), reads its own second sector
; (INT 13h), waits one second of PIT ticks (INT 1Ah AH=00h, IRQ 0 through the
; PIC) with HLT, lets the BIOS time 50 ms on the RTC's periodic interrupt
; (INT 15h AH=83h, IRQ 8), reads a key through INT 16h if one is typed within
; a second, and halts with interrupts off, which ends the run.
;
; Assembled three ways (roms/CMakeLists.txt): a 1.44 MB floppy (default), a
; hard disk with this as its MBR (-DHDD, 16 heads x 63 sectors x 4 cylinders),
; and the boot image of an El Torito CD (-DCDROM, no emulation; the disk read
; then uses the INT 13h extensions with 2048-byte sectors).
;
; Expected serial output (the time is the RTC's):
;   xlat86: booted by the BIOS from a floppy   (hard disk / CD-ROM)
;   rtc hh:mm:ss
;   int 13h read: ok
;   one second of timer ticks: ok
;   rtc interrupt wait: ok
;   keyboard: k        (the key typed with --type; "none" after a second without one)
;   done

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
        mov [drive], dl
        mov ah, 0x00            ; COM1: 9600 baud, 8N1
        mov al, 0xE3
        xor dx, dx
        int 0x14

        mov si, msg_boot
        call puts

        mov si, msg_rtc         ; RTC time in BCD: CH hours, CL minutes, DH seconds
        call puts
        mov ah, 0x02
        int 0x1A
        mov al, ch
        call putbcd
        mov al, ':'
        call putc
        mov al, cl
        call putbcd
        mov al, ':'
        call putc
        mov al, dh
        call putbcd
        call newline

        mov si, msg_disk        ; read our second sector to 0x0600 and check its mark
        call puts
%ifdef CDROM
        mov si, dap             ; INT 13h AH=42h: sector 21 of the CD (our second)
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
%else
        mov ax, 0x0201          ; CHS 0/0/2
        mov cx, 0x0002
        xor dh, dh
        mov dl, [drive]
        mov bx, 0x0600
        int 0x13
%endif
        jc .bad
        cmp word [0x0600], 0x5A58   ; "XZ"
        jne .bad
        mov si, msg_ok
        jmp .said
.bad:   mov si, msg_fail
.said:  call puts

        mov si, msg_timer       ; 18 ticks of the 18.2 Hz BIOS clock, idling in HLT
        call puts
        xor ah, ah
        int 0x1A
        mov bx, dx
.wait:  hlt
        xor ah, ah
        int 0x1A
        mov ax, dx
        sub ax, bx
        cmp ax, 18
        jb .wait
        mov si, msg_ok
        call puts

        mov si, msg_rtcirq      ; INT 15h AH=83h: the BIOS counts 50 ms on RTC IRQ 8
        call puts
        mov byte [evflag], 0
        mov ax, 0x8300
        xor cx, cx
        mov dx, 50000
        mov bx, evflag
        int 0x15
        jc .rbad
        mov cx, 2000            ; at most 2000 interrupts (PIT or RTC) before giving up
.rwait: hlt
        test byte [evflag], 0x80
        jnz .rok
        loop .rwait
.rbad:  mov si, msg_fail
        jmp .rsaid
.rok:   mov si, msg_ok
.rsaid: call puts

        mov si, msg_key         ; INT 16h: a key typed within a second (--type), or none
        call puts
        xor ah, ah
        int 0x1A
        mov bx, dx
.kwait: mov ah, 0x01
        int 0x16
        jnz .key
        hlt
        xor ah, ah
        int 0x1A
        mov ax, dx
        sub ax, bx
        cmp ax, 18
        jb .kwait
        mov si, msg_nokey
        call puts
        jmp .kdone
.key:   xor ah, ah
        int 0x16
        call putc
        call newline
.kdone:

        mov si, msg_done
        call puts
        cli
        hlt
        jmp $-2

; print the NUL-terminated string at DS:SI (screen and COM1)
puts:   lodsb
        test al, al
        jz .r
        call putc
        jmp puts
.r:     ret

newline:
        mov al, 13
        call putc
        mov al, 10
; print AL on the screen (INT 10h teletype) and on COM1 (INT 14h)
putc:   pusha
        mov ah, 0x0E
        xor bx, bx
        int 0x10
        popa
        pusha
        mov ah, 0x01
        xor dx, dx
        int 0x14
        popa
        ret

; print the BCD byte AL as two digits
putbcd: push ax
        shr al, 4
        add al, '0'
        call putc
        pop ax
        and al, 0x0F
        add al, '0'
        jmp putc

drive:      db 0
%ifdef CDROM
dap:        db 16, 0            ; disk address packet: size, reserved
            dw 1                ; sectors
            dw 0x0600, 0        ; buffer offset, segment
            dq 21               ; LBA (2048-byte sectors)
msg_boot:   db "xlat86: booted by the BIOS from a CD-ROM", 13, 10, 0
%elifdef HDD
msg_boot:   db "xlat86: booted by the BIOS from a hard disk", 13, 10, 0
%else
msg_boot:   db "xlat86: booted by the BIOS from a floppy", 13, 10, 0
%endif
msg_rtc:    db "rtc ", 0
msg_disk:   db "int 13h read: ", 0
msg_timer:  db "one second of timer ticks: ", 0
msg_rtcirq: db "rtc interrupt wait: ", 0
msg_key:    db "keyboard: ", 0
msg_nokey:  db "none", 13, 10, 0
evflag:     db 0
msg_ok:     db "ok", 13, 10, 0
msg_fail:   db "FAILED", 13, 10, 0
msg_done:   db "done", 13, 10, 0

%ifdef CDROM
        times 2048-($-$$) db 0  ; one CD sector; the ISO around it is cdrom.asm
        db "XZ"
        times 4096-($-$$) db 0
%else
        times 510-($-$$) db 0
        dw 0xAA55
sector2:
        db "XZ"
%ifdef HDD
        times 16*63*4*512-($-$$) db 0
%else
        times 1474560-($-$$) db 0
%endif
%endif
