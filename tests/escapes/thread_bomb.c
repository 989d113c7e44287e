// tries: creates threads until the kernel refuses, then reports how many it got against the box's process limit (argv[1])
// allowed: 3
// why: threads count against the pids cgroup and RLIMIT_NPROC, so pthread_create fails with EAGAIN near the limit and the program exits 0 after reporting; more threads than the limit is an escape
// layer: cgroup, rlimit
// args: 30
// limits: processes=30
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *idle(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

int main(int argc, char **argv) {
    int limit = argc > 1 ? atoi(argv[1]) : 30;
    int made = 0, err = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (int i = 0; i < 100000; i++) {
        pthread_t t;
        err = pthread_create(&t, &attr, idle, NULL);
        if (err) break;
        made++;
    }
    printf("threads created: %d, then: %s\n", made, strerror(err));
    if (made >= limit) printf("ESCAPED thread limit: %d threads with a limit of %d\n", made, limit);
    fflush(stdout);
    _exit(0);
}
