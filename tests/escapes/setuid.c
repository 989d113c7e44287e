// tries: becomes root or gains capabilities directly: setuid(0), setresuid, setgid(0), setgroups([0]), setfsuid(0), capset with every capability, raising an ambient capability, and prctl(PR_SET_KEEPCAPS)
// allowed: 3
// why: the box's uid is unprivileged, its capability sets (bounding included) are empty and no_new_privs is set, so every call fails with EPERM (or is a no-op) and the program exits 0; any call that leaves it with uid 0 or a capability is an escape
// layer: uid, caps
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, int ret) {
    printf("%s: %s\n", what, ret < 0 ? strerror(errno) : "returned 0");
}

int main(void) {
    report("setuid(0)", setuid(0));
    report("setresuid(0,0,0)", setresuid(0, 0, 0));
    report("setgid(0)", setgid(0));
    gid_t root = 0;
    report("setgroups([0])", setgroups(1, &root));
    setfsuid(0);
    printf("fsuid after setfsuid(0): %d\n", setfsuid(-1));
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0xff, sizeof d);
    report("capset(all)", (int)syscall(SYS_capset, &h, d));
    report("PR_CAP_AMBIENT_RAISE(CAP_SYS_ADMIN)", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 21, 0, 0));
    report("PR_SET_KEEPCAPS", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    report("PR_SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    memset(d, 0, sizeof d);
    syscall(SYS_capget, &h, d);
    printf("uid %d euid %d gid %d, effective caps %08x%08x, no_new_privs %d\n", getuid(), geteuid(), getgid(),
           d[1].effective, d[0].effective, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || setfsuid(-1) == 0) printf("ESCAPED became root\n");
    if (d[0].effective || d[1].effective || d[0].permitted || d[1].permitted) printf("ESCAPED holds capabilities\n");
    return 0;
}
