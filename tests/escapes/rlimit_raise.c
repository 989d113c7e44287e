// tries: raises every hard resource limit it was given (files, processes, file size, CPU, stack, core, locked memory, nice, real-time priority, message queues), through setrlimit and prlimit, and on pid 1 and its parent; also nice -20 and SCHED_FIFO
// allowed: 3
// why: raising a hard limit needs CAP_SYS_RESOURCE, which the box has not (EPERM), prlimit on other processes needs the same uid (pid 1 is root's, EPERM), and real-time scheduling needs CAP_SYS_NICE; the program exits 0. A hard limit above its start is an escape
// layer: rlimit, caps
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void) {
    struct { const char *name; int res; } limits[] = {
        {"NOFILE", RLIMIT_NOFILE}, {"NPROC", RLIMIT_NPROC}, {"FSIZE", RLIMIT_FSIZE}, {"CPU", RLIMIT_CPU},
        {"STACK", RLIMIT_STACK}, {"CORE", RLIMIT_CORE}, {"MEMLOCK", RLIMIT_MEMLOCK}, {"NICE", RLIMIT_NICE},
        {"RTPRIO", RLIMIT_RTPRIO}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"AS", RLIMIT_AS},
    };
    for (unsigned i = 0; i < sizeof limits / sizeof *limits; i++) {
        struct rlimit before, want, after;
        getrlimit(limits[i].res, &before);
        want.rlim_cur = want.rlim_max = before.rlim_max == RLIM_INFINITY ? RLIM_INFINITY : before.rlim_max * 2 + 1;
        int r = setrlimit(limits[i].res, &want);
        int p = prlimit(0, limits[i].res, &want, NULL);
        getrlimit(limits[i].res, &after);
        printf("%s hard %llu: setrlimit %s, prlimit %s, now %llu\n", limits[i].name, (unsigned long long)before.rlim_max,
               r ? strerror(errno) : "ok", p ? "refused" : "ok", (unsigned long long)after.rlim_max);
        if (after.rlim_max > before.rlim_max) printf("ESCAPED raised the hard %s limit\n", limits[i].name);
    }
    struct rlimit big = {RLIM_INFINITY, RLIM_INFINITY};
    printf("prlimit(1, NPROC): %s\n", prlimit(1, RLIMIT_NPROC, &big, NULL) ? strerror(errno) : "ESCAPED accepted");
    printf("prlimit(ppid, CPU): %s\n", prlimit(getppid(), RLIMIT_CPU, &big, NULL) ? strerror(errno) : "ESCAPED accepted");
    printf("setpriority(-20): %s\n", setpriority(PRIO_PROCESS, 0, -20) ? strerror(errno) : "ESCAPED accepted");
    struct sched_param sp = {.sched_priority = 50};
    printf("SCHED_FIFO: %s\n", sched_setscheduler(0, SCHED_FIFO, &sp) ? strerror(errno) : "ESCAPED accepted");
    return 0;
}
