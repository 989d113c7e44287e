// tries: number_of_runs 2: the first run takes every permission off /box itself (chmod 0, the box's uid owns it), so that the second run's start-up, which enters /box and executes ./a.out there, is refused
// allowed: 11 14
// why: the second run cannot execute ./a.out (EACCES): that is the program's own doing, the Exec Format Error judgebox reports for an unexecutable program (14, or NZEC 11 through a shell); never an Internal Error, and the next submission gets a fresh box
// layer: host, uid
// limits: runs=2
#include <stdio.h>
#include <sys/stat.h>

int main(void) {
    printf("chmod /box 0: %d\n", chmod("/box", 0));
    return 0;
}
