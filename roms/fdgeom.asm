; A boot floppy of any PC size that checks its own geometry through the BIOS
; (SeaBIOS's INT 13h over the 82077AA floppy controller and DMA channel 2).
; Assembled once per medium (roms/CMakeLists.txt):
;   -DCYLS=40 -DSPT=9   360 KB      -DCYLS=80 -DSPT=9   720 KB
;   -DCYLS=80 -DSPT=15  1.2 MB      -DCYLS=80 -DSPT=18  1.44 MB
;   -DCYLS=80 -DSPT=36  2.88 MB     (two heads always)
; Every sector of the image but this boot sector starts with its LBA (a
; dword). The program
;  1. asks INT 13h AH=08h for the drive's geometry and prints it,
;  2. reads the whole last track (cylinder CYLS-1, head 1: SPT sectors in one
;     call) and checks every sector's mark,
;  3. writes a new mark to the last sector (AH=03h) and reads it back,
;  4. reads cylinder CYLS/2, head 0, sectors 1..SPT and checks their marks,
; printing on COM1 (polled, 0x3F8):
;   geometry C/H/S              (cylinders/heads/sectors, decimal, from AH=08h)
;   last track: ok
;   write: ok
;   middle track: ok
;   done
; or "FAILED ..." lines, then writes 0 (all passed) or 1 to the isa-debug-exit
; port 0xF4 (xlat86 --debug-exit: status 1 or 3) and halts.

        bits 16
        org 0x7C00

%ifndef CYLS
%error "define CYLS and SPT"
%endif
HEADS   equ 2
BUFSEG  equ 0x1000              ; read buffer 1000:0000 (no 64 KiB DMA boundary in 18 KiB)

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        cld
        mov [drive], dl
        mov ax, 0x00E3          ; COM1: 9600 baud, 8N1
        xor dx, dx
        int 0x14

        mov ah, 0x08            ; geometry: CH/CL cylinder and sectors, DH heads
        mov dl, [drive]
        int 0x13
        jc .geobad
        mov si, msg_geo
        call puts
        mov al, cl              ; cylinders = max cylinder + 1 (bits 7-6 of CL are 9-8)
        shr al, 6
        mov ah, al
        mov al, ch
        inc ax
        call putdec
        mov si, msg_heads
        call puts
        mov al, dh
        xor ah, ah
        inc ax
        call putdec
        mov si, msg_spt
        call puts
        mov al, cl
        and ax, 0x3F
        call putdec
        call newline
        jmp .geodone
.geobad:
        mov si, msg_geobad
        call fail
.geodone:

        mov si, msg_last        ; the last track, head 1, in one read
        call puts
        mov ch, CYLS-1
        mov dh, 1
        call read_track
        mov bx, ((CYLS-1)*HEADS+1)*SPT
        call check_track
        call verdict

        mov si, msg_write       ; a new mark in the last sector, read back
        call puts
        mov byte [bad], 0
        mov ax, BUFSEG
        mov es, ax
        mov dword [es:0], 0x600DF00D
        xor bx, bx
        mov ax, 0x0301
        mov cx, (CYLS-1) << 8 | SPT
        mov dh, 1
        mov dl, [drive]
        int 0x13
        jc .wbad
        mov dword [es:0], 0
        xor bx, bx
        mov ax, 0x0201
        mov cx, (CYLS-1) << 8 | SPT
        mov dh, 1
        mov dl, [drive]
        int 0x13
        jc .wbad
        cmp dword [es:0], 0x600DF00D
        je .wok
.wbad:  mov byte [bad], 1
.wok:   xor ax, ax
        mov es, ax
        call verdict

        mov si, msg_mid         ; a track in the middle, head 0
        call puts
        mov ch, CYLS/2
        xor dh, dh
        call read_track
        mov bx, (CYLS/2)*HEADS*SPT
        call check_track
        call verdict

        mov si, msg_done
        call puts
        jmp com1_exit           ; let the UART send everything, then exit

; read SPT sectors of cylinder CH, head DH to BUFSEG:0; sets [bad] on error
read_track:
        mov byte [bad], 0
        mov ax, BUFSEG
        mov es, ax
        xor bx, bx
        mov cl, 1
        mov ax, 0x0200 | SPT
        mov dl, [drive]
        int 0x13
        jc .err
        cmp al, SPT
        je .r
.err:   mov byte [bad], 1
.r:     xor ax, ax
        mov es, ax
        ret

; check that the SPT sectors at BUFSEG:0 carry the marks BX, BX+1, ...
check_track:
        push ds
        mov ax, BUFSEG
        mov ds, ax
        xor si, si
        mov cx, SPT
.one:   cmp word [si], bx
        jne .bad
        cmp word [si+2], 0
        jne .bad
        inc bx
        add si, 512
        loop .one
        pop ds
        ret
.bad:   pop ds
        mov byte [bad], 1
        ret

; print "ok" or "FAILED" for the step just done
verdict:
        cmp byte [bad], 0
        jne .no
        mov si, msg_ok
        jmp puts
.no:    mov si, msg_fail
fail:   mov byte [failed], 1
        jmp puts

newline:
        mov al, 13
        call putc
        mov al, 10              ; falls into putc
%include "com1.inc"

; print AX in decimal
putdec: pusha
        mov bx, 10
        xor cx, cx
.div:   xor dx, dx
        div bx
        push dx
        inc cx
        test ax, ax
        jnz .div
.out:   pop ax
        add al, '0'
        call putc
        loop .out
        popa
        ret

drive:      db 0
bad:        db 0
failed:     db 0
msg_geo:    db "geometry ", 0
msg_heads:  db "/", 0
msg_spt:    db "/", 0
msg_geobad: db "FAILED: AH=08h", 13, 10, 0
msg_last:   db "last track: ", 0
msg_write:  db "write: ", 0
msg_mid:    db "middle track: ", 0
msg_ok:     db "ok", 13, 10, 0
msg_fail:   db "FAILED", 13, 10, 0
msg_done:   db "done", 13, 10, 0

        times 510-($-$$) db 0
        dw 0xAA55
%assign lba 1
%rep CYLS*HEADS*SPT-1
        dd lba
        times 508 db 0
%assign lba lba+1
%endrep
