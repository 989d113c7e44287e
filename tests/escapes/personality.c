// tries: personality() flags that weaken the process or confuse a filter: ADDR_NO_RANDOMIZE (turns off ASLR), READ_IMPLIES_EXEC, PER_LINUX32, UNAME26 and ADDR_LIMIT_32BIT, and then checks what personality it really has
// allowed: 3
// why: the seccomp filter allows personality only to read it (0xffffffff) or to set plain PER_LINUX (0), so every other call fails with ENOSYS and the personality stays what the box set: ADDR_NO_RANDOMIZE alone (so that memory figures repeat); the program exits 0. Any other flag that sticks is an escape
// layer: seccomp
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>

int main(void) {
    unsigned long flags[] = {ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, PER_LINUX32, UNAME26, ADDR_LIMIT_32BIT, ADDR_NO_RANDOMIZE | PER_LINUX};
    for (unsigned i = 0; i < sizeof flags / sizeof *flags; i++) {
        int r = personality(flags[i]);
        printf("personality(0x%lx): %s\n", flags[i], r < 0 ? strerror(errno) : "accepted");
    }
    int now = personality(0xffffffff);
    printf("personality now: 0x%x\n", now);
    if (now & ~ADDR_NO_RANDOMIZE) printf("ESCAPED personality changed to 0x%x\n", now);
    return 0;
}
