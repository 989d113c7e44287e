// tries: forks to the process limit and makes every process allocate at once, so the OOM killer works under pressure while fork keeps refilling
// allowed: 5 12
// why: all processes share the box's memory cgroup: when it fills, the OOM kills are counted and the verdict is Memory limit exceeded (12); when fork and reclaim eat the time first, the CPU or wall limit ends it (5). Either way the teardown must leave nothing behind
// layer: cgroup
// limits: memory=64000 cpu=2 wall=4
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    for (int i = 0; i < 40; i++) fork();
    for (;;) {
        char *p = malloc(1 << 20);
        if (p) memset(p, 1, 1 << 20);
        fork();
    }
}
