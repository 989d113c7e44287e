// tries: new namespaces, user namespaces first (the usual first step of a kernel exploit): unshare of each kind, clone with CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID, clone3 (which hides its flags from seccomp in memory), setns into /proc/self/ns/* and /proc/1/ns/*
// allowed: 3
// why: seccomp refuses unshare, setns and clone3 and any clone with a CLONE_NEW* flag (ENOSYS or EPERM), and the box has no capabilities; the program exits 0, printing every errno. A created namespace is an escape
// layer: seccomp, caps
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, long ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded (%ld)\n", what, ret);
}

static int child(void *arg) { (void)arg; _exit(0); }

int main(void) {
    struct { const char *name; int flag; } kinds[] = {
        {"user", CLONE_NEWUSER}, {"mount", CLONE_NEWNS}, {"pid", CLONE_NEWPID}, {"net", CLONE_NEWNET},
        {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC}, {"cgroup", CLONE_NEWCGROUP}, {"time", 0x80},
    };
    char what[64];
    static char stack[65536];
    for (unsigned i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        snprintf(what, sizeof what, "unshare(%s)", kinds[i].name);
        report(what, unshare(kinds[i].flag));
        if (kinds[i].flag == 0x80) continue;
        snprintf(what, sizeof what, "clone(%s)", kinds[i].name);
        long pid = clone(child, stack + sizeof stack, kinds[i].flag | SIGCHLD, NULL);
        report(what, pid);
        if (pid > 0) waitpid(pid, NULL, 0);
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = kinds[i].flag;
        ca.exit_signal = SIGCHLD;
        long r = syscall(SYS_clone3, &ca, sizeof ca);
        if (r == 0) _exit(0);
        snprintf(what, sizeof what, "clone3(%s)", kinds[i].name);
        report(what, r);
        if (r > 0) waitpid(r, NULL, 0);
    }
    long pid = clone(child, stack + sizeof stack, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, NULL);
    report("clone(user|mount|pid)", pid);
    const char *ns[] = {"user", "mnt", "net", "pid", "uts", "ipc", "cgroup"};
    char path[64];
    for (int who = 0; who < 2; who++) {
        for (unsigned i = 0; i < sizeof ns / sizeof *ns; i++) {
            snprintf(path, sizeof path, "/proc/%s/ns/%s", who ? "1" : "self", ns[i]);
            int fd = open(path, O_RDONLY);
            snprintf(what, sizeof what, "setns(%s)", path);
            if (fd < 0) { printf("%s: open: %s\n", what, strerror(errno)); continue; }
            report(what, setns(fd, 0));
        }
    }
    return 0;
}
