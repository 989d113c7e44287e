// tries: userfaultfd, the exploit writer's tool for stalling the kernel mid-copy: the syscall with and without UFFD_USER_MODE_ONLY, and /dev/userfaultfd
// allowed: 3
// why: userfaultfd is not in the seccomp allowlist (ENOSYS) and the box's /dev has no userfaultfd node; the program exits 0 and a descriptor obtained is an escape
// layer: seccomp, mount
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
    printf("userfaultfd(0): %s\n", fd < 0 ? strerror(errno) : "ESCAPED opened");
    fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
    printf("userfaultfd(USER_MODE_ONLY): %s\n", fd < 0 ? strerror(errno) : "ESCAPED opened");
    int dev = open("/dev/userfaultfd", O_RDWR);
    printf("/dev/userfaultfd: %s\n", dev < 0 ? strerror(errno) : "ESCAPED opened");
    return 0;
}
