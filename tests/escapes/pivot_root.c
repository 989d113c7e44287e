// tries: pivot_root in every shape: (".", "."), into /box with the old root under it, into /tmp, and after a failed unshare of the mount namespace
// allowed: 3
// why: pivot_root is not in the seccomp allowlist and needs CAP_SYS_ADMIN; every call fails (ENOSYS/EPERM) and the program exits 0
// layer: seccomp, caps
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded\n", what);
}

int main(void) {
    mkdir("/box/old", 0755);
    report("pivot_root(., .)", syscall(SYS_pivot_root, ".", "."));
    report("pivot_root(/box, /box/old)", syscall(SYS_pivot_root, "/box", "/box/old"));
    report("pivot_root(/tmp, /tmp)", syscall(SYS_pivot_root, "/tmp", "/tmp"));
    report("unshare(mount)", unshare(CLONE_NEWNS));
    report("pivot_root(/, /) after unshare", syscall(SYS_pivot_root, "/", "/"));
    return 0;
}
