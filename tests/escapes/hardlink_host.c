// tries: hard links to files it can see but not write (a bound host file, the ro target in /usr, /etc/passwd of the box), linkat through /proc/self/fd with AT_SYMLINK_FOLLOW, and rename of a host file into the box
// allowed: 3
// why: a hard link cannot cross filesystems (EXDEV: /box is its own tmpfs) and the bound files are on read-only mounts; the program exits 0. A link into /box of a host file would let the box keep or read it after the host changes it, and is an escape
// layer: mount
// args: {ro_target}
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void report(const char *what, int ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded\n", what);
}

int main(int argc, char **argv) {
    const char *t = argc > 1 ? argv[1] : "/usr/bin/env";
    report("link ro target", link(t, "/box/l1"));
    report("link /usr/bin/env", link("/usr/bin/env", "/box/l2"));
    report("link /etc/ld.so.cache", link("/etc/ld.so.cache", "/box/l3"));
    int fd = open(t, O_RDONLY);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    report("linkat /proc/self/fd", linkat(AT_FDCWD, path, AT_FDCWD, "/box/l4", AT_SYMLINK_FOLLOW));
    report("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "/box/l5", AT_EMPTY_PATH));
    report("rename host file into /box", rename(t, "/box/l6"));
    return 0;
}
