// tries: the classic fork bomb: every process forks for ever, so the count doubles until something stops it
// allowed: 5
// why: the pids cgroup caps the box at its process limit, fork fails with EAGAIN, and the processes that exist spin on fork until the box's CPU time (counted for the whole cgroup) runs out: Time Limit Exceeded, and nothing may survive the box
// layer: cgroup, rlimit
#include <unistd.h>

int main(void) {
    for (;;) fork();
}
