// tries: fills /dev/shm with POSIX shared memory objects (shm_open, ftruncate, mmap MAP_SHARED), each under the file size limit, touched page by page, 1 GB in all
// allowed: 12
// why: /dev/shm is the box's own size-capped tmpfs and its pages are charged to the box's memory cgroup, so the cgroup's OOM kill ends it (Memory limit exceeded) or, if the tmpfs fills first, the page fault gets SIGBUS: both Runtime Error (Other); the host's /dev/shm must gain nothing
// layer: cgroup, mount
// limits: memory=64000
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
    const size_t piece = 960 * 1024;
    for (int i = 0; i < 1100; i++) {
        char name[64];
        snprintf(name, sizeof name, "/jbx-shm-bomb-%d", i);
        int fd = shm_open(name, O_CREAT | O_RDWR, 0600);
        if (fd < 0) { perror("shm_open"); return 0; }
        if (ftruncate(fd, piece) < 0) { perror("ftruncate"); return 0; }
        char *p = mmap(NULL, piece, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) { perror("mmap"); return 0; }
        for (size_t o = 0; o < piece; o += 4096) p[o] = 1;
        close(fd);
    }
    printf("touched 1 GB of shared memory\n");
    return 0;
}
