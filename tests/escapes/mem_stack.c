// tries: recurses without end with a 64 KB frame, to grow the stack past every limit
// allowed: 7
// why: RLIMIT_STACK (the stack limit, 64000 KB by default, below the memory limit) stops the growth and the kernel delivers SIGSEGV: Runtime Error (SIGSEGV)
// layer: rlimit
#include <stdio.h>
#include <string.h>

static int down(int depth) {
    volatile char frame[65536];
    memset((char *)frame, depth, sizeof frame);
    return down(depth + 1) + frame[depth % sizeof frame];
}

int main(void) {
    printf("%d\n", down(0));
    return 0;
}
