// tries: ptrace against everything around it: PTRACE_ATTACH and PTRACE_SEIZE on its parent and pid 1, PTRACE_TRACEME, attaching to its own child, and reading /proc/<ppid>/mem
// allowed: 3
// why: ptrace is not in the seccomp allowlist (ENOSYS), the parent is the box's hidden root-owned init and other uids' processes are out of reach; the program exits 0 and an attached tracee is an escape
// layer: seccomp, uid, namespace
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, long ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded\n", what);
}

int main(void) {
    pid_t parent = getppid();
    printf("parent pid %d\n", parent);
    report("PTRACE_ATTACH parent", ptrace(PTRACE_ATTACH, parent, 0, 0));
    report("PTRACE_SEIZE parent", ptrace(PTRACE_SEIZE, parent, 0, 0));
    report("PTRACE_ATTACH 1", ptrace(PTRACE_ATTACH, 1, 0, 0));
    pid_t child = fork();
    if (child == 0) { for (;;) pause(); }
    report("PTRACE_ATTACH own child", ptrace(PTRACE_ATTACH, child, 0, 0));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    report("PTRACE_TRACEME", ptrace(PTRACE_TRACEME, 0, 0, 0));
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", parent);
    int fd = open(path, O_RDONLY);
    printf("%s: %s\n", path, fd < 0 ? strerror(errno) : "ESCAPED opened");
    return 0;
}
