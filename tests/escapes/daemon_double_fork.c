// tries: the textbook daemon: fork, setsid, fork again, chdir /, close every descriptor, ignore every catchable signal, and live on after the program "finished"
// allowed: 3
// why: the program itself exits 0 at once (Accepted); the grandchild is still in the box's pid namespace and cgroup, which the jail kills before it reports. The suite checks that no process of the box outlives its verdict
// layer: namespace, cgroup
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("daemonizing\n");
    fflush(stdout);
    if (fork() != 0) return 0;
    setsid();
    if (fork() != 0) _exit(0);
    if (chdir("/") != 0) _exit(1);
    for (int fd = 0; fd < 1024; fd++) close(fd);
    for (int s = 1; s < 65; s++) signal(s, SIG_IGN);
    for (;;) sleep(1);
}
