// tries: watching the read-only binds the host and every other box share: inotify on /usr/lib, /usr/bin and the Python library directory (IN_OPEN and IN_ACCESS tell which files someone else opens, e.g. which module a concurrent box imports), then fanotify on /usr, and reads whatever events come in a second
// allowed: 3
// why: inotify_* and fanotify_* are not in the seccomp allowlist (ENOSYS): nothing a judged program needs requires watching files it cannot write. The program exits 0; a watch that was added is an escape
// layer: seccomp
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    int fd = inotify_init1(IN_NONBLOCK);
    if (fd < 0) {
        printf("inotify_init1: %s\n", strerror(errno));
    } else {
        const char *dirs[] = {"/usr/lib", "/usr/bin", "/usr/lib/python3.11", "/usr/lib/x86_64-linux-gnu"};
        for (unsigned i = 0; i < sizeof dirs / sizeof *dirs; i++) {
            int w = inotify_add_watch(fd, dirs[i], IN_OPEN | IN_ACCESS);
            if (w < 0) printf("inotify_add_watch %s: %s\n", dirs[i], strerror(errno));
            else printf("ESCAPED inotify watches %s\n", dirs[i]);
        }
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 1000) > 0) {
            char buf[4096];
            long n = read(fd, buf, sizeof buf);
            for (long off = 0; off < n;) {
                struct inotify_event *e = (struct inotify_event *)(buf + off);
                printf("ESCAPED someone opened %s\n", e->len ? e->name : "(the directory)");
                off += sizeof *e + e->len;
            }
        }
    }
    long f = syscall(SYS_fanotify_init, 0, 0);
    if (f < 0) printf("fanotify_init: %s\n", strerror(errno));
    else printf("ESCAPED fanotify_init gave fd %ld\n", f);
    return 0;
}
