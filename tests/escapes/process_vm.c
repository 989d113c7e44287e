// tries: reads and writes other processes' memory and descriptors without ptrace: process_vm_readv/writev on the parent, pid 1 and its own child, pidfd_open + pidfd_getfd to steal the parent's descriptors, kcmp and process_madvise
// allowed: 3
// why: process_vm_*, pidfd_getfd, kcmp and process_madvise are not in the seccomp allowlist (ENOSYS), and the parent is the hidden root-owned init (pidfd_open: ESRCH or EPERM); the program exits 0, an obtained descriptor or byte is an escape
// layer: seccomp, namespace, uid
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, long ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded (%ld)\n", what, ret);
}

int main(void) {
    static char target[64] = "in the child";
    char buf[64];
    pid_t child = fork();
    if (child == 0) { for (;;) pause(); }
    pid_t pids[] = {getppid(), 1, child};
    const char *names[] = {"parent", "pid 1", "own child"};
    for (int i = 0; i < 3; i++) {
        struct iovec local = {buf, sizeof buf}, remote = {target, sizeof target};
        char what[96];
        snprintf(what, sizeof what, "process_vm_readv(%s)", names[i]);
        report(what, process_vm_readv(pids[i], &local, 1, &remote, 1, 0));
        snprintf(what, sizeof what, "process_vm_writev(%s)", names[i]);
        report(what, process_vm_writev(pids[i], &local, 1, &remote, 1, 0));
        long pidfd = syscall(SYS_pidfd_open, pids[i], 0);
        snprintf(what, sizeof what, "pidfd_open(%s)", names[i]);
        if (pidfd < 0) { printf("%s: %s\n", what, strerror(errno)); continue; }
        snprintf(what, sizeof what, "pidfd_getfd(%s, 0)", names[i]);
        report(what, syscall(SYS_pidfd_getfd, pidfd, 0, 0));
        snprintf(what, sizeof what, "process_madvise(%s)", names[i]);
        report(what, syscall(SYS_process_madvise, pidfd, &local, 1, 8 /* MADV_COLD */, 0));
    }
    report("kcmp(parent, self)", syscall(SYS_kcmp, getppid(), getpid(), 0, 0, 0));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}
