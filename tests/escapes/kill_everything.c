// tries: kills everything it can name: kill(-1, SIGKILL) (every process the caller may signal), pid 1, its parent, its process group, the server's pid (argv[1]) and SIGSTOP to them, then checks it is still alive to say so
// allowed: 3
// why: kill(-1) reaches only the box's own uid inside its pid namespace, so it spares the caller and kills nothing else; pid 1 is the box's root-owned init (EPERM), and the server's pid does not exist in the box (ESRCH). The program exits 0; the suite checks the server still answers and other boxes finish normally
// layer: namespace, uid
// args: {server_pid}
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void report(const char *what, int ret) {
    printf("%s: %s\n", what, ret < 0 ? strerror(errno) : "delivered");
}

int main(int argc, char **argv) {
    int server = argc > 1 ? atoi(argv[1]) : 0;
    report("kill(server, SIGSTOP)", kill(server, SIGSTOP));
    report("kill(server, SIGKILL)", kill(server, SIGKILL));
    report("kill(1, SIGKILL)", kill(1, SIGKILL));
    report("kill(1, SIGSTOP)", kill(1, SIGSTOP));
    report("kill(ppid, SIGKILL)", kill(getppid(), SIGKILL));
    report("kill(-1, SIGSTOP)", kill(-1, SIGSTOP));
    report("kill(-1, SIGKILL)", kill(-1, SIGKILL));
    report("sigqueue(1, SIGTERM)", sigqueue(1, SIGTERM, (union sigval){0}));
    signal(SIGTERM, SIG_IGN);
    report("kill(0, SIGTERM)", kill(0, SIGTERM));
    printf("still alive\n");
    return 0;
}
