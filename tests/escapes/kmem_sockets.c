// tries: holds kernel memory that a memory limit may not count: unix datagram socket pairs whose queues are filled to the brim in 8 processes (sk_buff memory), pipes grown to 1 MB and filled, and counts how much it holds against its memory limit (argv[1], KB)
// allowed: 3 12
// why: the memory the box makes the kernel hold must count against its limit: either the kernel refuses more (EAGAIN, ENOBUFS, EPERM) and the program reports a total under the limit and exits 0 (3), or the cgroup's OOM kill ends it (12). A total well above the limit while the box lives is an escape of the memory limit
// layer: cgroup, rlimit
// args: 64000
// limits: memory=64000 cpu=3 wall=6
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Holds as many bytes as the kernel will queue in this process, up to `cap`; returns them. */
static long hold(long cap) {
    static char chunk[65536];
    long held = 0;
    while (held < cap) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) break;
        int big = 1 << 30;
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        long here = 0;
        while (held + here < cap) {
            ssize_t n = send(sv[0], chunk, sizeof chunk, 0);
            if (n <= 0) break;
            here += n;
        }
        if (here == 0) break;
        held += here;
    }
    while (held < cap) {
        int p[2];
        if (pipe(p) < 0) break;
        fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
        fcntl(p[1], F_SETFL, O_NONBLOCK);
        long here = 0;
        for (;;) {
            ssize_t n = write(p[1], chunk, sizeof chunk);
            if (n <= 0) break;
            here += n;
        }
        if (here == 0) break;
        held += here;
    }
    return held;
}

int main(int argc, char **argv) {
    long limit_kb = argc > 1 ? atol(argv[1]) : 64000;
    long cap = 96L << 20; /* per process; 8 processes try for 768 MB */
    int report[2];
    if (pipe(report) < 0) return 1;
    for (int i = 0; i < 8; i++) {
        if (fork() == 0) {
            long held = hold(cap);
            if (write(report[1], &held, sizeof held) < 0) _exit(1);
            pause();
            _exit(0);
        }
    }
    long total = 0;
    for (int i = 0; i < 8; i++) {
        long held = 0;
        if (read(report[0], &held, sizeof held) != sizeof held) break;
        total += held;
    }
    printf("kernel buffers held: %ld KB with a memory limit of %ld KB\n", total >> 10, limit_kb);
    if ((total >> 10) > 2 * limit_kb) printf("ESCAPED the memory limit: %ld KB held in kernel buffers\n", total >> 10);
    fflush(stdout);
    return 0;
}
