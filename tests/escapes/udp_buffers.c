// tries: holds kernel memory in UDP receive buffers over the box's own loopback, which cgroup v1 charges to no memory limit by default: 8 processes each open UDP sockets with the largest receive buffer they may ask for and fill them from a sender until the kernel refuses, and count what is queued against the memory limit (argv[1], KB)
// allowed: 3 12
// why: socket buffers are charged to the box's group (v2's memory limit; on v1 the socket limit judgebox sets to the memory limit), so sends start failing (ENOBUFS, EAGAIN) and the program reports a total within twice its limit and exits 0 (3), or the OOM kill ends it (12). A total well above that is an escape of the memory limit
// layer: cgroup
// args: 64000
// limits: memory=64000 cpu=3 wall=8
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the kernel holds in a socket's receive queue (SO_MEMINFO: the buffers' true size). */
static long queued(int fd) {
    unsigned mem[SK_MEMINFO_VARS] = {0};
    socklen_t len = sizeof mem;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0) return 0;
    return mem[SK_MEMINFO_RMEM_ALLOC];
}

/* Fills fresh loopback UDP sockets until the kernel queues no more, up to `cap`. */
static long hold(long cap) {
    static char chunk[16384];
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    if (tx < 0) return 0;
    fcntl(tx, F_SETFL, O_NONBLOCK);
    int big = 1 << 30;
    setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    long held = 0;
    while (held < cap) {
        int rx = socket(AF_INET, SOCK_DGRAM, 0);
        if (rx < 0) break;
        setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof a;
        if (bind(rx, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(rx, (struct sockaddr *)&a, &len) < 0) break;
        long before = -1, now = 0;
        int stuck = 0;
        while (held + now < cap && stuck < 50) {
            sendto(tx, chunk, sizeof chunk, 0, (struct sockaddr *)&a, sizeof a);
            now = queued(rx);
            stuck = now == before ? stuck + 1 : 0;
            before = now;
        }
        if (now == 0) break;
        held += now;
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
    printf("UDP receive buffers held: %ld KB with a memory limit of %ld KB\n", total >> 10, limit_kb);
    if ((total >> 10) > 2 * limit_kb) printf("ESCAPED the memory limit: %ld KB held in UDP buffers\n", total >> 10);
    fflush(stdout);
    return 0;
}
