// tries: a 1 GB System V shared memory segment, left undestroyed (no IPC_RMID) so it could outlive the box
// allowed: 12
// why: the segment's pages are charged to the box's memory cgroup (OOM kill: 12), and the box's IPC namespace dies with it; the suite checks that the host's /proc/sysvipc/shm gains nothing
// layer: cgroup, namespace
// limits: memory=64000
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void) {
    int id = shmget(0x4a4258, (size_t)1 << 30, IPC_CREAT | 0666);
    if (id < 0) { perror("shmget"); return 0; }
    char *p = shmat(id, NULL, 0);
    if (p == (void *)-1) { perror("shmat"); return 0; }
    for (size_t o = 0; o < ((size_t)1 << 30); o += 4096) p[o] = 1;
    printf("touched 1 GB of System V shared memory\n");
    return 0;
}
