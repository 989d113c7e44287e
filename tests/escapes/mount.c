// tries: changes the box's filesystem view: mount a tmpfs and a proc, bind / elsewhere, remount / and /usr read-write, unmount /proc, and the new mount API (fsopen, fsmount, open_tree with OPEN_TREE_CLONE, move_mount, mount_setattr)
// allowed: 3
// why: seccomp refuses every mount-related call and the box has no CAP_SYS_ADMIN, so all fail (ENOSYS or EPERM) and the program exits 0; a changed mount is printed as an escape
// layer: seccomp, caps, mount
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded\n", what);
}

int main(void) {
    report("mount tmpfs on /tmp", mount("tmpfs", "/tmp", "tmpfs", 0, "size=1m"));
    report("mount proc on /box", mount("proc", "/box", "proc", 0, NULL));
    report("bind / on /box", mount("/", "/box", NULL, MS_BIND | MS_REC, NULL));
    report("remount / rw", mount(NULL, "/", NULL, MS_REMOUNT, NULL));
    report("remount /usr rw", mount(NULL, "/usr", NULL, MS_REMOUNT | MS_BIND, NULL));
    report("make / shared", mount(NULL, "/", NULL, MS_SHARED | MS_REC, NULL));
    report("umount /proc", umount2("/proc", MNT_DETACH));
    report("umount /usr", umount2("/usr", MNT_DETACH));
    report("fsopen tmpfs", syscall(SYS_fsopen, "tmpfs", 0));
    report("open_tree / clone", syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */ | AT_RECURSIVE));
    report("move_mount", syscall(SYS_move_mount, AT_FDCWD, "/usr", AT_FDCWD, "/box", 0));
    report("fsmount", syscall(SYS_fsmount, -1, 0, 0));
    report("mount_setattr", syscall(SYS_mount_setattr, AT_FDCWD, "/usr", 0, NULL, 0));
    return 0;
}
