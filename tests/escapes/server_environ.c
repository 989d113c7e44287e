// tries: finds the server (and the jail) by pid: tries /proc/N/environ and cmdline for the server's pid (argv[1]) and for every pid from 1 to 65536, and kill(N, 0) to find live pids outside the box
// allowed: 3
// why: the box's pid namespace contains only its own processes, and hidepid hides the root-owned init, so the server's pid does not exist there (ENOENT, ESRCH) and the program exits 0; whatever it can read is printed for the suite's secret check
// layer: namespace, mount
// args: {server_pid}
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void dump(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return;
    for (ssize_t i = 0; i < n; i++) if (!buf[i]) buf[i] = ' ';
    buf[n] = 0;
    printf("%s: %s\n", path, buf);
}

int main(int argc, char **argv) {
    int server = argc > 1 ? atoi(argv[1]) : 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", server);
    int fd = open(path, O_RDONLY);
    printf("server environ: %s\n", fd < 0 ? strerror(errno) : "opened");
    dump(path);
    printf("kill(server, 0): %s\n", kill(server, 0) == 0 ? "alive" : strerror(errno));
    int visible = 0, signalable = 0;
    for (int pid = 1; pid <= 65536; pid++) {
        snprintf(path, sizeof path, "/proc/%d/environ", pid);
        if (access(path, F_OK) == 0) {
            visible++;
            dump(path);
            snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
            dump(path);
        }
        if (kill(pid, 0) == 0 || errno == EPERM) signalable++;
    }
    printf("pids visible in /proc: %d, pids that exist for kill: %d\n", visible, signalable);
    return 0;
}
