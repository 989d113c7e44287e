// tries: looks for descriptors the jail might have leaked into the box: every fd from 0 to 4095 is described (readlink, fstat); a directory fd is used to climb out with openat(fd, "../../..") and fchdir+chroot, a namespace fd with setns, a socket with getsockname
// allowed: 3
// why: the jail starts the program with only stdin (a memfd), stdout and stderr (pipes); nothing else is open, so there is nothing to climb through, and the program exits 0. A descriptor outside the box is printed as an escape
// layer: host, namespace
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    int open_fds = 0;
    for (int fd = 0; fd < 4096; fd++) {
        struct stat st;
        if (fstat(fd, &st) != 0) continue;
        open_fds++;
        char link[64], target[512] = "";
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) target[n] = 0;
        printf("fd %d: mode %o -> %s\n", fd, st.st_mode & S_IFMT, target);
        if (fd > 2) printf("ESCAPED extra descriptor %d -> %s\n", fd, target);
        if (S_ISDIR(st.st_mode)) {
            int up = openat(fd, "../../../../../../..", O_RDONLY | O_DIRECTORY);
            printf("  climb: %s\n", up < 0 ? strerror(errno) : "opened");
        }
        if (strncmp(target, "mnt:", 4) == 0 || strncmp(target, "net:", 4) == 0 || strncmp(target, "pid:", 4) == 0) {
            printf("  setns: %s\n", setns(fd, 0) == 0 ? "ESCAPED joined" : strerror(errno));
        }
    }
    printf("%d descriptors open\n", open_fds);
    return 0;
}
