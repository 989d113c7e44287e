// tries: the 32-bit system call table from a 64-bit program: int 0x80 with i386 numbers (getuid32, then setuid32(0) and an execve), a classic place for a filter that only lists x86-64 numbers to miss something
// allowed: 12
// why: the seccomp filter checks the architecture first and kills any non-x86-64 call with SIGSYS, so the program dies at the first int 0x80: Runtime Error (Other), signal 31. Returning at all means the 32-bit table is open
// layer: seccomp
#include <stdio.h>

static long int80(long nr, long a) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a) : "memory");
    return ret;
}

int main(void) {
    printf("calling getuid32 through int 0x80\n");
    fflush(stdout);
    long uid = int80(199, 0);
    printf("ESCAPED int 0x80 returned %ld\n", uid);
    printf("setuid32(0): %ld\n", int80(213, 0));
    return 0;
}
