// tries: pushes a command into a terminal's input queue with TIOCSTI on stdin, stdout, stderr and /dev/tty, and TIOCLINUX, the way a program escapes to the shell of whoever runs it
// allowed: 3
// why: the box has no terminal (its stdio are pipes and a memfd, ENOTTY), /dev/tty is absent, and the seccomp filter refuses ioctl TIOCSTI and TIOCLINUX anyway; the program exits 0 and an injected byte is an escape
// layer: seccomp, mount
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void) {
    int fds[] = {0, 1, 2, open("/dev/tty", O_RDWR), open("/dev/console", O_RDWR)};
    for (int i = 0; i < 5; i++) {
        if (fds[i] < 0) {
            printf("terminal %d: not opened (%s)\n", i, strerror(errno));
            continue;
        }
        char c = 'x';
        int r = ioctl(fds[i], TIOCSTI, &c);
        printf("TIOCSTI on fd %d: %s\n", fds[i], r < 0 ? strerror(errno) : "ESCAPED injected");
        char sub = 6;
        r = ioctl(fds[i], TIOCLINUX, &sub);
        printf("TIOCLINUX on fd %d: %s\n", fds[i], r < 0 ? strerror(errno) : "returned");
    }
    return 0;
}
