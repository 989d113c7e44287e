// tries: number_of_runs 2: the first run replaces its own binary a.out with a symlink to a host canary, so that the second run's execve (by the jail, as root until it drops privileges) follows the link
// allowed: 11 14
// why: the second run must not execute or read anything outside the box: /box is nosymfollow, so execve of the link fails (ELOOP). That is the program's own doing: Judge0 would report it as the failure to run the program (Exec Format Error 14, or NZEC 11 from its bash wrapper), never an Internal Error of the service
// layer: host, mount
// args: {root_canary}
// limits: runs=2
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *target = argc > 1 ? argv[1] : "/etc/shadow";
    unlink("a.out");
    int r = symlink(target, "a.out");
    printf("replaced a.out with a link to %s: %s\n", target, r ? strerror(errno) : "done");
    return 0;
}
