// tries: the x32 ABI from a 64-bit program: syscall numbers with bit 30 set (__X32_SYSCALL_BIT), which have their own table (getuid, unshare, ptrace, mount)
// allowed: 3
// why: x32 numbers match no entry of the x86-64 allowlist, so the filter's default answers ENOSYS (or the kernel has no x32 support at all); the program exits 0 and prints each result. A call that does anything but fail means the filter missed the x32 table
// layer: seccomp
#include <stdio.h>

static long x32(long nr, long a, long b) {
    long ret;
    register long r10 __asm__("r10") = 0;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr | 0x40000000L), "D"(a), "S"(b), "r"(r10) : "rcx", "r11", "memory");
    return ret;
}

int main(void) {
    struct { const char *name; long nr, a, b; } calls[] = {
        {"getuid", 102, 0, 0}, {"unshare(user)", 272, 0x10000000, 0}, {"ptrace(TRACEME)", 521, 0, 0}, {"mount", 165, 0, 0},
    };
    for (unsigned i = 0; i < sizeof calls / sizeof *calls; i++) {
        long r = x32(calls[i].nr, calls[i].a, calls[i].b);
        if (r >= 0 || (r != -38 && r != -1)) printf("ESCAPED x32 %s returned %ld\n", calls[i].name, r);
        else printf("x32 %s: %ld\n", calls[i].name, r);
    }
    return 0;
}
