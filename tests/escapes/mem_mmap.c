// tries: maps anonymous memory with MAP_POPULATE, private and shared (shmem), in 16 MB pieces, until something stops it
// allowed: 12
// why: both private and shared anonymous pages are charged to the box's memory cgroup, whose OOM kill is a Memory Limit verdict (12)
// layer: cgroup
// limits: memory=64000
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    size_t total = 0;
    for (int i = 0;; i++) {
        int kind = i % 2 ? MAP_SHARED : MAP_PRIVATE;
        void *p = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, kind | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) {
            printf("mmap failed after %zu MB\n", total >> 20);
            return 0;
        }
        for (size_t o = 0; o < (16u << 20); o += 4096) ((volatile char *)p)[o] = 1;
        total += 16 << 20;
    }
}
