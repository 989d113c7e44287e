// tries: changes a host file that the box can see read-only (a file the suite put in /usr/local/share, path in argv[1]): open for writing, truncate, chmod, chown, utimes, rename, unlink, link over it, set an xattr, and a shared writable mapping
// allowed: 3
// why: /usr is bound read-only (EROFS) and the file is root's, so every change fails and the program exits 0; the suite checks the file's content, mode, owner and times are unchanged
// layer: mount, uid
// args: {ro_target}
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

static void report(const char *what, int ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded\n", what);
}

int main(int argc, char **argv) {
    const char *t = argc > 1 ? argv[1] : "/usr/local/share/jbx-ro-target";
    report("open O_WRONLY", open(t, O_WRONLY));
    report("open O_RDWR", open(t, O_RDWR));
    report("truncate", truncate(t, 0));
    report("chmod", chmod(t, 0777));
    report("chown", chown(t, getuid(), getgid()));
    struct timeval tv[2] = {{1, 0}, {1, 0}};
    report("utimes", utimes(t, tv));
    char moved[512];
    snprintf(moved, sizeof moved, "%s.jbxpwn", t);
    report("rename", rename(t, moved));
    report("unlink", unlink(t));
    report("link", link(t, moved));
    report("setxattr", setxattr(t, "user.jbxpwn", "1", 1, 0));
    int fd = open(t, O_RDONLY);
    if (fd >= 0) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        report("mmap shared writable", p == MAP_FAILED ? -1 : 0);
        report("fchmod", fchmod(fd, 0777));
        report("fallocate", fallocate(fd, 0, 0, 4096));
    }
    return 0;
}
