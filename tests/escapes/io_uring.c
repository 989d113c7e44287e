// tries: io_uring, a large and often exploited kernel surface whose submitted I/O is not seen by seccomp: io_uring_setup, then io_uring_register and io_uring_enter on whatever it got
// allowed: 3
// why: the io_uring_* calls are not in the seccomp allowlist (ENOSYS); the program exits 0, and a ring created is an escape
// layer: seccomp
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    char params[120];
    memset(params, 0, sizeof params);
    long fd = syscall(SYS_io_uring_setup, 8, params);
    if (fd < 0) printf("io_uring_setup: %s\n", strerror(errno));
    else printf("ESCAPED io_uring_setup gave fd %ld\n", fd);
    long r = syscall(SYS_io_uring_enter, fd < 0 ? 0 : fd, 1, 0, 0, NULL, 0);
    printf("io_uring_enter: %s\n", r < 0 ? strerror(errno) : "returned");
    r = syscall(SYS_io_uring_register, fd < 0 ? 0 : fd, 0, NULL, 0);
    printf("io_uring_register: %s\n", r < 0 ? strerror(errno) : "returned");
    return 0;
}
