# tries: a real 32-bit (i386) ELF binary, submitted as language 44 (Executable): its very first system call (write of a message, then exit 42) goes through the 32-bit entry point
# allowed: 12 14
# why: the seccomp filter kills any call of the i386 architecture with SIGSYS at once, so nothing is written and the run ends with Runtime Error (Other), signal 31; on a kernel without IA-32 emulation execve fails instead (Exec Format Error, 14). Exit code 42 (NZEC) or the message in stdout means the 32-bit table is open
# layer: seccomp
# language: 44
    .section .text
    .globl _start
_start:
    movl $4, %eax
    movl $1, %ebx
    movl $msg, %ecx
    movl $len, %edx
    int $0x80
    movl $1, %eax
    movl $42, %ebx
    int $0x80
    .section .data
msg:
    .ascii "ESCAPED a 32-bit system call ran\n"
    len = . - msg
