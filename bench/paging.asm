; paging: a paging and TLB stress loop in 32-bit protected mode with paging on.
;
; The low 4 MB are identity-mapped (code, stack, the page tables). A 32 MB
; window at 0x40000000 (8192 pages, eight page tables) is mapped onto the
; 1024 frames of physical 4..8 MB, eight virtual pages to a frame, in a
; scattered order. Each round visits all 8192 pages in a stride-2557 order
; (far more pages than any TLB holds, so nearly every access misses), reading,
; mixing and writing back one dword per page; every 256 pages it remaps one
; page to another frame and invalidates it with INVLPG, and each round ends
; with a CR3 reload (a full flush). Values read depend on earlier writes
; through aliases, so a stale translation changes the checksum.

%define BENCH_NAME "paging"
%ifndef ITERS
  %ifdef SMALL
    %define ITERS 4
  %else
    %define ITERS 1000
  %endif
%endif
%include "boot.inc"

bench16:
        jmp     enter_pm32

%include "pm32.inc"

kPd             equ 0x200000            ; the page directory
kPt0            equ 0x201000            ; identity map of 0..4 MB
kPtWin          equ 0x202000            ; the window's eight page tables (32 KiB)
kFrames         equ 0x400000            ; physical 4..8 MB
kWin            equ 0x40000000
WIN_PAGES       equ 8192
STRIDE          equ 2557                ; odd: visits every page of the window
kVars           equ 0x210000
round           equ kVars

bench32:
        mov     edi, kFrames            ; clear the frames
        mov     ecx, 1024 * 1024
        xor     eax, eax
        rep stosd
        mov     edi, kPd                ; empty page directory
        mov     ecx, 1024
        rep stosd
        mov     edi, kPt0               ; identity map 0..4 MB
        mov     eax, 3                  ; present, writable
.id:    stosd
        add     eax, 4096
        cmp     edi, kPt0 + 4096
        jb      .id
        mov     dword [kPd], kPt0 | 3
        xor     ecx, ecx                ; the window: page v -> frame (v * 37) & 1023
.win:   mov     eax, ecx
        call    frame_of
        mov     [kPtWin + ecx * 4], eax
        inc     ecx
        cmp     ecx, WIN_PAGES
        jb      .win
        mov     ecx, 0                  ; the window's page directory entries
.pde:   mov     eax, ecx
        shl     eax, 12
        add     eax, kPtWin | 3
        mov     [kPd + (kWin >> 22) * 4 + ecx * 4], eax
        inc     ecx
        cmp     ecx, WIN_PAGES / 1024
        jb      .pde
        mov     eax, kPd
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        jmp     .paged
.paged: xor     ebp, ebp                ; the running sum
        mov     dword [round], 0
.round: mov     esi, [round]            ; the first page of this round
        imul    esi, esi, 17
        and     esi, WIN_PAGES - 1
        xor     ecx, ecx                ; i
.visit: lea     edx, [ecx * 4]          ; the dword in the page: (i * 4 + round * 8) & 0xFFC
        mov     eax, [round]
        lea     edx, [edx + eax * 8]
        and     edx, 0xFFC
        mov     ebx, esi
        shl     ebx, 12
        mov     eax, [kWin + ebx + edx]
        add     ebp, eax
        rol     ebp, 3
        rol     eax, 5
        xor     eax, esi
        add     eax, ecx
        mov     [kWin + ebx + edx], eax
        test    ecx, 255
        jnz     .no_remap
        call    remap
.no_remap:
        add     esi, STRIDE
        and     esi, WIN_PAGES - 1
        inc     ecx
        cmp     ecx, WIN_PAGES
        jb      .visit
        mov     eax, cr3                ; flush everything
        mov     cr3, eax
        inc     dword [round]
        cmp     dword [round], ITERS
        jb      .round
        mov     eax, ebp
        jmp     report32

; remap: page q = (i / 256 * 97 + round * 13) & 8191 moves to frame
; (q * 37 + round + i / 256) & 1023; INVLPG drops the old translation.
; ECX = i. Preserves EBX, ECX, ESI, EBP.
remap:  mov     edx, ecx
        shr     edx, 8
        imul    eax, edx, 97
        mov     edi, [round]
        imul    edi, edi, 13
        add     eax, edi
        and     eax, WIN_PAGES - 1
        mov     edi, eax                ; q
        imul    eax, eax, 37
        add     eax, [round]
        add     eax, edx
        and     eax, 1023
        shl     eax, 12
        add     eax, kFrames | 3
        mov     [kPtWin + edi * 4], eax
        shl     edi, 12
        invlpg  [kWin + edi]
        ret

; frame_of: EAX = page v -> its initial page table entry.
frame_of:
        imul    eax, eax, 37
        and     eax, 1023
        shl     eax, 12
        add     eax, kFrames | 3
        ret

        BENCH_END
