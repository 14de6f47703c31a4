; Known screens drawn through the real VGA BIOS, for screen-dump tests and for
; looking at a display. A 1.44 MB boot floppy; the boot sector loads the rest
; of the program (sectors 2.. of track 0) to 0000:7E00 with INT 13h.
;
; One source, assembled with one of these defines (roms/CMakeLists.txt):
;   -DTEXT  INT 10h AX=0003h (80x25 colour text, blink off through AX=1003h):
;           a title row, the 16 foreground and 16 background colours, CP437
;           box drawing and all 256 characters (draw_text.img)
;   -DM13H  INT 10h AX=0013h (320x200, 256 colours): a DAC palette loaded with
;           AX=1012h, colour blocks using every palette entry, diagonal
;           stripes, and a diagonal line plotted with AH=0Ch (draw_13h.img)
;   -DMODEX mode 13h reprogrammed to the unchained 320x240 "mode X" (same
;           palette): 16x16 colour blocks and a diagonal (draw_modex.img)
;   -DM12H  INT 10h AX=0012h (640x480, 16 colours, default palette): bars and
;           8x8 blocks written with write mode 2, a diagonal plotted with
;           AH=0Ch (draw_12h.img)
;   -DVBE   VBE: 4F00h (controller info), 4F01h over the mode list until a
;           640x480 32 bpp direct-colour mode with a linear framebuffer,
;           4F02h (with the LFB bit), 4F03h; then an RGB gradient and eight
;           colour bars written to the LFB from 32-bit protected mode
;           (draw_vbe.img)
; and optionally -DEXIT: after drawing, write 0 to the isa-debug-exit port
; 0xF4 (xlat86 --debug-exit then stops with status (0<<1)|1 = 1; a failure
; writes 1, status 3). Without --debug-exit the write is ignored.
;
; Every variant checks the BIOS calls it makes; when the screen is complete it
; writes "drawn\r\n" to COM1 (polled 16550 on 0x3F8), or "FAILED: <what>\r\n",
; then idles in HLT with interrupts enabled, so the picture stays up.
; The exact patterns are documented at each drawing routine; tests/pngcheck.cpp
; and tests/screen_text.expected compute/state them independently.

        bits 16
        org 0x7C00

%ifdef TEXT
%elifdef M13H
%elifdef MODEX
%elifdef M12H
%elifdef VBE
%else
%error "define one of TEXT, M13H, MODEX, M12H, VBE"
%endif

BUF     equ 0x0600              ; scratch (below the boot sector): VBE info, DAC table
MODEINFO equ 0x0900             ; VBE mode information block (256 bytes)

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        cld
        mov [drive], dl
        mov ah, 0x00            ; COM1: 9600 baud, 8N1 (the BIOS programs the UART)
        mov al, 0xE3
        xor dx, dx
        int 0x14
        mov ah, 0x02            ; read the rest of the program: CHS 0/0/2.., to 0000:7E00
        mov al, NSECT
        mov cx, 0x0002
        xor dh, dh
        mov dl, [drive]
        mov bx, 0x7E00
        int 0x13
        jc .bad
        cmp word [tail_mark], 0x5A58
        jne .bad
        jmp main
.bad:   mov si, msg_disk
        jmp fail

; print the NUL-terminated string at DS:SI on COM1
sputs:  lodsb
        test al, al
        jz .r
        call sputc
        jmp sputs
.r:     ret

sputc:  push dx
        push ax
        mov dx, 0x3FD           ; line status: wait for THR empty
.w:     in al, dx
        test al, 0x20
        jz .w
        pop ax
        mov dx, 0x3F8
        out dx, al
        pop dx
        ret

; wait until the UART has sent everything (line status bit 6: transmitter empty)
sdrain: mov dx, 0x3FD
.w:     in al, dx
        test al, 0x40
        jz .w
        ret

; report "FAILED: " + the string at SI and stop
fail:   push si
        mov si, msg_failed
        call sputs
        pop si
        call sputs
%ifdef EXIT
        call sdrain
        mov al, 1
        out 0xF4, al
%endif
        jmp idle

drawn:  mov si, msg_drawn
        call sputs
%ifdef EXIT
        call sdrain
        xor al, al
        out 0xF4, al
%endif
idle:   sti
        hlt
        jmp idle

drive:      db 0
msg_failed: db "FAILED: ", 0
msg_disk:   db "disk read", 13, 10, 0
msg_drawn:  db "drawn", 13, 10, 0

        times 510-($-$$) db 0
        dw 0xAA55

; ---------------------------------------------------------------- sector 2..
main:
%ifdef TEXT
; ---------------------------------------------------------------- text mode
; Screen (80x25, row/column from 0; attributes in brackets):
;  row 0: the whole row [1F], " xlat86 draw_text: 80x25 colour text, CP437" at col 0
;  row 2: "foreground" at col 1 [07]; for i=0..15 at col 14+4*i three DB [0i]
;  row 3: "background" at col 1 [07]; for i=0..15 at col 14+4*i " X " with X
;         the hex digit of i [i<<4 | (i<8 ? 0F : 00)]  (blink off: 16 backgrounds)
;  rows 5..9, cols 1..30: a double-line box [0E]; row 7 col 3 "CP437 box drawing" [0E]
;  rows 5..9, cols 34..58: a single-line 2x2 grid [0B] (see box_rows)
;  rows 11..18: row 11+r: at col 1 the hex of 32*r and 'h' [07], at col 5 the 32
;         characters 32*r .. 32*r+31 [1E]
;  row 20: shades B0 B1 B2 DB DC DF DD DE at col 1.. [07]
;  row 24: "bottom" at col 0 and '>' at col 79 [70]
        mov ax, 0x0003
        int 0x10
        mov ah, 0x0F            ; the BIOS reports mode 3, 80 columns
        int 0x10
        cmp ax, 0x5003
        jne .bad
        mov ax, 0x1003          ; attribute bit 7 selects bright backgrounds, not blink
        xor bx, bx
        int 0x10
        mov ah, 0x01            ; no cursor
        mov cx, 0x2000
        int 0x10
        mov ax, 0xB800
        mov es, ax

        xor di, di              ; row 0
        mov ax, 0x1F20
        mov cx, 80
        rep stosw
        xor di, di
        mov ah, 0x1F
        mov si, title
        call tputs

        mov di, (2*80+1)*2
        mov ah, 0x07
        mov si, s_fg
        call tputs
        mov di, (3*80+1)*2
        mov si, s_bg
        call tputs
        xor bx, bx              ; colour i
.col:   mov di, bx
        shl di, 3               ; 4 cells = 8 bytes per colour
        add di, (2*80+14)*2
        mov ah, bl
        mov al, 0xDB
        stosw
        stosw
        stosw
        add di, 80*2-6          ; row 3, same column
        mov ah, bl
        shl ah, 4
        cmp bl, 8
        jae .dark
        or ah, 0x0F
.dark:  mov al, ' '
        stosw
        mov al, [hexdigits+bx]
        stosw
        mov al, ' '
        stosw
        inc bx
        cmp bx, 16
        jb .col

        mov si, box_rows        ; both boxes, row by row: (offset, attr, bytes..., 0)
.box:   lodsw
        test ax, ax
        jz .boxdone
        mov di, ax
        lodsb
        mov ah, al
        call tputs
        jmp .box
.boxdone:

        xor bx, bx              ; rows 11..18: the character set, 32 per row
.chr:   mov ax, bx
        mov cx, 160
        mul cx
        add ax, (11*80+1)*2
        mov di, ax
        mov al, bl
        shl al, 5               ; 32*r
        mov dl, al
        mov ah, 0x07
        push bx
        xor bx, bx
        mov bl, dl
        shr bl, 4
        mov al, [hexdigits+bx]
        stosw
        mov bl, dl
        and bl, 0x0F
        mov al, [hexdigits+bx]
        stosw
        mov al, 'h'
        stosw
        pop bx
        add di, 2               ; column 5
        mov al, dl
        mov ah, 0x1E
        mov cx, 32
.one:   stosw
        inc al
        loop .one
        inc bx
        cmp bx, 8
        jb .chr

        mov di, (20*80+1)*2
        mov ah, 0x07
        mov si, shades
        call tputs
        mov di, (24*80+0)*2
        mov ah, 0x70
        mov si, s_bottom
        call tputs
        mov word [es:(24*80+79)*2], 0x703E
        jmp drawn
.bad:   mov si, msg_mode
        jmp fail

; store the NUL-terminated string at DS:SI with attribute AH at ES:DI
tputs:  lodsb
        test al, al
        jz .r
        stosw
        jmp tputs
.r:     ret

%macro boxrow 4                 ; row, col, attr, bytes (a string of CP437 codes)
        dw ((%1)*80+(%2))*2
        db %3
        db %4, 0
%endmacro
%define D28 0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD,0xCD
%define S11 0xC4,0xC4,0xC4,0xC4,0xC4,0xC4,0xC4,0xC4,0xC4,0xC4,0xC4
%define B11 "           "
box_rows:
        boxrow 5, 1, 0x0E, {0xC9, D28, 0xBB}
        boxrow 6, 1, 0x0E, {0xBA, "                            ", 0xBA}
        boxrow 7, 1, 0x0E, {0xBA, " CP437 box drawing          ", 0xBA}
        boxrow 8, 1, 0x0E, {0xBA, "                            ", 0xBA}
        boxrow 9, 1, 0x0E, {0xC8, D28, 0xBC}
        boxrow 5, 34, 0x0B, {0xDA, S11, 0xC2, S11, 0xBF}
        boxrow 6, 34, 0x0B, {0xB3, B11, 0xB3, B11, 0xB3}
        boxrow 7, 34, 0x0B, {0xC3, S11, 0xC5, S11, 0xB4}
        boxrow 8, 34, 0x0B, {0xB3, B11, 0xB3, B11, 0xB3}
        boxrow 9, 34, 0x0B, {0xC0, S11, 0xC1, S11, 0xD9}
        dw 0

title:      db " xlat86 draw_text: 80x25 colour text, CP437", 0
s_fg:       db "foreground", 0
s_bg:       db "background", 0
s_bottom:   db "bottom", 0
shades:     db 0xB0, 0xB1, 0xB2, 0xDB, 0xDC, 0xDF, 0xDD, 0xDE, 0
hexdigits:  db "0123456789ABCDEF"
msg_mode:   db "text mode 3", 13, 10, 0
%endif

%include "draw_vga.inc"
%include "draw_vbe.inc"

tail_mark:
        db "XZ"                 ; checked after loading: the whole program arrived
NSECT   equ 17                  ; the rest of track 0 (an error below if longer)
        times NSECT*512-($-main) db 0
        times 1474560-($-$$) db 0
