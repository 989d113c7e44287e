// tries: a crash that dumps core: raises its soft core limit as far as the hard limit allows, makes itself dumpable, and aborts, hoping the kernel writes a core (or runs a core_pattern helper) outside the box
// allowed: 10
// why: the program dies of SIGABRT: Runtime Error (SIGABRT); any core is written in the box's own cwd (/box, a tmpfs that is thrown away) or not at all (hard core limit 0), and the suite checks the host's core_pattern is unchanged and no files appear on the host
// layer: rlimit, mount
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int main(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_CORE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    printf("core limit %llu, aborting\n", (unsigned long long)rl.rlim_cur);
    fflush(stdout);
    abort();
}
