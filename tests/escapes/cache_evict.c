// tries: the host's page cache as a side channel on files the box can only read (evict and time, probe without timing): posix_fadvise(POSIX_FADV_DONTNEED) on /usr/bin/python3 and libc, madvise(MADV_COLD) and madvise(MADV_PAGEOUT) on a mapping of them, preadv2(RWF_NOWAIT) and cachestat to see which of their pages are cached
// allowed: 3
// why: the seccomp filter refuses POSIX_FADV_DONTNEED, MADV_COLD, MADV_PAGEOUT, RWF_NOWAIT reads and cachestat (ENOSYS), so a box can neither push a shared file out of the cache nor ask which of its pages are in it. The program exits 0; an eviction or a probe the kernel carried out is an escape
// layer: seccomp
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 8
#endif
#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif

static void attack(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: %s\n", path, strerror(errno));
        return;
    }
    struct stat st;
    fstat(fd, &st);
    int r = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (r) printf("%s fadvise DONTNEED: %s\n", path, strerror(r));
    else printf("ESCAPED %s: fadvise DONTNEED accepted\n", path);
    void *map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map != MAP_FAILED) {
        const int advice[] = {MADV_COLD, MADV_PAGEOUT};
        const char *names[] = {"MADV_COLD", "MADV_PAGEOUT"};
        for (int i = 0; i < 2; i++) {
            if (madvise(map, st.st_size, advice[i]) == 0) printf("ESCAPED %s: %s accepted\n", path, names[i]);
            else printf("%s %s: %s\n", path, names[i], strerror(errno));
        }
        munmap(map, st.st_size);
    }
    char buf[4096];
    struct iovec iov = {buf, sizeof buf};
    long n = preadv2(fd, &iov, 1, 0, RWF_NOWAIT);
    if (n >= 0 || errno == EAGAIN) printf("ESCAPED %s: RWF_NOWAIT read answered (%s)\n", path, n >= 0 ? "cached" : "not cached");
    else printf("%s preadv2 RWF_NOWAIT: %s\n", path, strerror(errno));
    struct { unsigned long long off, len; } range = {0, 0};
    unsigned long long cstat[6];
    if (syscall(SYS_cachestat, fd, &range, cstat, 0) == 0) printf("ESCAPED %s: cachestat says %llu pages cached\n", path, cstat[0]);
    else printf("%s cachestat: %s\n", path, strerror(errno));
    close(fd);
}

int main(void) {
    attack("/usr/bin/python3");
    attack("/usr/lib/x86_64-linux-gnu/libc.so.6");
    return 0;
}
