; xlat86's default guest until the PC platform exists: a flat real-mode
; program loaded at 0000:7C00. It prints to the debug console (port 0xE9),
; computes a few things with 16-bit and 32-bit (operand-size prefixed) code,
; prints the results in decimal and halts with interrupts off.
;
; Expected output (checked by tests/CMakeLists.txt):
;   xlat86: hello from the guest
;   primes below 1000: 168
;   fib(40) = 102334155
;   sum of squares 1..1000 = 333833500

        bits 16
        org 0x7C00

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        cld

        mov si, msg_hello
        call puts

        ; --- sieve of Eratosthenes over 1000 bytes at 0x1000 ---
        mov di, 0x1000
        mov cx, 1000
        mov al, 1
        rep stosb
        mov byte [0x1000], 0
        mov byte [0x1001], 0
        mov bx, 2
.outer: mov ax, bx
        mul bx                  ; dx:ax = bx*bx
        cmp ax, 1000
        jae .count
        cmp byte [0x1000 + bx], 0
        je .next
        mov di, ax
.mark:  mov byte [0x1000 + di], 0
        add di, bx
        cmp di, 1000
        jb .mark
.next:  inc bx
        jmp .outer
.count: mov si, 0x1000
        mov cx, 1000
        xor dx, dx
.cnt:   lodsb
        add dl, al
        adc dh, 0
        loop .cnt
        mov si, msg_primes
        call puts
        movzx eax, dx
        call putdec
        call newline

        ; --- fib(40) with 32-bit registers ---
        xor eax, eax
        mov ebx, 1
        mov cx, 40
.fib:   xadd eax, ebx
        loop .fib
        push eax
        mov si, msg_fib
        call puts
        pop eax
        call putdec
        call newline

        ; --- sum of squares 1..1000 with IMUL ---
        xor esi, esi
        mov ecx, 1000
.sq:    mov eax, ecx
        imul eax, eax
        add esi, eax
        dec ecx
        jnz .sq
        push esi
        mov si, msg_sq
        call puts
        pop eax
        call putdec
        call newline

        cli
        hlt
        jmp $-2

; print the NUL-terminated string at DS:SI
puts:   push ax
.l:     lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .l
.done:  pop ax
        ret

newline:
        mov al, 10
        out 0xE9, al
        ret

; print EAX in decimal
putdec: push ebx
        push edx
        push cx
        mov ebx, 10
        xor cx, cx
.div:   xor edx, edx
        div ebx
        push dx
        inc cx
        test eax, eax
        jnz .div
.out:   pop ax
        add al, '0'
        out 0xE9, al
        loop .out
        pop cx
        pop edx
        pop ebx
        ret

msg_hello:  db "xlat86: hello from the guest", 10, 0
msg_primes: db "primes below 1000: ", 0
msg_fib:    db "fib(40) = ", 0
msg_sq:     db "sum of squares 1..1000 = ", 0
