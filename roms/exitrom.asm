; A 64 KiB "BIOS" for the command-line tests: at the reset vector it writes 5
; to the isa-debug-exit port (0xF4), so `xlat86 -bios exitrom.bin --debug-exit`
; exits with status (5 << 1) | 1 = 11; without --debug-exit it halts.
        bits 16
        times 65536-16 db 0xFF
reset:  mov al, 5
        out 0xF4, al
        cli
        hlt
        times 65536-($-$$) db 0xFF
