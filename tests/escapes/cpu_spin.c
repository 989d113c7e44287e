// tries: spins on every CPU with two threads, and ignores the signals a polite supervisor would send (SIGTERM, SIGINT, SIGHUP, SIGXCPU)
// allowed: 5
// why: the CPU time of the whole cgroup is watched and the box is SIGKILLed at the limit: Time Limit Exceeded, however the program handles catchable signals
// layer: cgroup
#include <pthread.h>
#include <signal.h>

static void *spin(void *arg) {
    (void)arg;
    for (volatile unsigned long n = 0;; n++) {}
    return 0;
}

int main(void) {
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGXCPU, SIG_IGN);
    pthread_t t;
    pthread_create(&t, 0, spin, 0);
    spin(0);
}
