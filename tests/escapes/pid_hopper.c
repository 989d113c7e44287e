// tries: a process that never stays at one pid: it forks and its parent exits, over and over, so a supervisor that kills pid by pid from a list chases it for ever; the program exits 0 right after starting it
// allowed: 3
// why: the program exits 0 (Accepted); the hopper lives in the box's pid namespace and cgroup, which are killed as a whole (cgroup-wide SIGKILL and the namespace's init dying), so it must be gone at the verdict
// layer: namespace, cgroup
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("hopping\n");
    fflush(stdout);
    if (fork() != 0) return 0;
    setsid();
    for (int fd = 0; fd < 3; fd++) close(fd);
    for (int s = 1; s < 65; s++) signal(s, SIG_IGN);
    for (;;) {
        pid_t p = fork();
        if (p > 0) _exit(0);
        if (p < 0) usleep(1000);
    }
}
