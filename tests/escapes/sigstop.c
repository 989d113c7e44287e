// tries: stops itself and a child with SIGSTOP, so a supervisor that waits for the program to exit (or that only counts CPU) waits for ever
// allowed: 5
// why: a stopped program uses no CPU, so the wall clock limit must end it; SIGKILL works on stopped processes: Time Limit Exceeded (wall clock)
// layer: cgroup, namespace
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("stopping\n");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        raise(SIGSTOP);
        for (;;) pause();
    }
    kill(child, SIGSTOP);
    raise(SIGSTOP);
    for (;;) pause();
}
