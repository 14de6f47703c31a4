; An El Torito bootable CD image (ISO 9660) around roms/boot.asm assembled
; with -DCDROM (no emulation, 4 virtual sectors loaded at 0000:7C00).
; Build: nasm -f bin -DBOOT_IMAGE="path/boot_cd.bin" -o cdrom.iso cdrom.asm
;
; Sectors (2048 bytes): 0-15 system area, 16 primary volume descriptor,
; 17 El Torito boot record, 18 descriptor set terminator, 19 boot catalog,
; 20-21 the boot image (its second sector holds the mark it reads back).

%define SECTOR 2048
%define TOTAL 22

%macro both16 1
        dw %1
        db (%1) >> 8, (%1) & 0xFF
%endmacro
%macro both32 1
        dd %1
        db ((%1) >> 24) & 0xFF, ((%1) >> 16) & 0xFF, ((%1) >> 8) & 0xFF, (%1) & 0xFF
%endmacro

        times 16*SECTOR db 0

pvd:    db 1, "CD001", 1, 0                 ; primary volume descriptor
        times 32 db ' '                     ; system identifier
        db "XLAT86_BOOT"                    ; volume identifier (32 bytes)
        times 32-11 db ' '
        times 8 db 0
        both32 TOTAL                        ; volume space size
        times 32 db 0
        both16 1                            ; volume set size
        both16 1                            ; volume sequence number
        both16 SECTOR                       ; logical block size
        both32 0                            ; path table size
        dd 0, 0, 0, 0                       ; path table locations
root:   db 34, 0                            ; root directory record
        both32 0                            ; extent (none: no files)
        both32 0
        times 7 db 0                        ; date
        db 2, 0, 0                          ; flags: directory
        both16 1
        db 1, 0
        times 16*SECTOR+881-($-$$) db ' '   ; identifiers, up to the file structure version
        db 1                                ; file structure version
        times 17*SECTOR-($-$$) db 0

        db 0, "CD001", 1                    ; boot record volume descriptor
        db "EL TORITO SPECIFICATION"
        times 17*SECTOR+0x47-($-$$) db 0
        dd 19                               ; LBA of the boot catalog
        times 18*SECTOR-($-$$) db 0

        db 255, "CD001", 1                  ; volume descriptor set terminator
        times 19*SECTOR-($-$$) db 0

        db 1, 0                             ; validation entry: header, platform x86
        dw 0
        times 24 db 0                       ; ID string
        dw 0x55AA                           ; checksum: the entry's words sum to 0
        db 0x55, 0xAA
        db 0x88, 0                          ; initial entry: bootable, no emulation
        dw 0                                ; load segment (0 = 07C0h)
        db 0, 0                             ; system type, unused
        dw 4                                ; 512-byte virtual sectors to load
        dd 20                               ; RBA of the boot image
        times 20*SECTOR-($-$$) db 0

        incbin BOOT_IMAGE                   ; sectors 20-21
        times TOTAL*SECTOR-($-$$) db 0
