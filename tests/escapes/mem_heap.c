// tries: allocates and touches heap memory (brk and malloc's mmap) until something stops it
// allowed: 12
// why: the memory cgroup's limit (64000 KB here) makes the kernel OOM-kill the program; the verdict is Runtime Error (Other) with "Memory limit exceeded", never a host OOM
// layer: cgroup
// limits: memory=64000
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t total = 0;
    for (;;) {
        char *p = malloc(1 << 20);
        if (!p) {
            printf("malloc failed after %zu MB\n", total >> 20);
            return 0;
        }
        memset(p, 0x5a, 1 << 20);
        total += 1 << 20;
    }
}
