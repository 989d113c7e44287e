// tries: exhausts inodes: creates empty files in /box, then in /tmp and /dev/shm, then nests directories as deep as they go, and reports the counts
// allowed: 3
// why: each of the box's tmpfs mounts has its own inode cap (nr_inodes), so creation fails with ENOSPC inside the box and the program exits 0 after reporting; the host's filesystems never see these inodes
// layer: mount
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void fill(const char *dir) {
    char path[256];
    int n = 0, err = 0;
    for (;; n++) {
        snprintf(path, sizeof path, "%s/i%d", dir, n);
        int fd = open(path, O_CREAT | O_WRONLY, 0600);
        if (fd < 0) { err = errno; break; }
        close(fd);
        if (n > 2000000) break;
    }
    printf("%s: %d inodes, then %s\n", dir, n, strerror(err));
}

int main(void) {
    fill("/box");
    fill("/tmp");
    fill("/dev/shm");
    int depth = 0;
    if (chdir("/tmp") == 0) {
        while (mkdir("d", 0700) == 0 && chdir("d") == 0) depth++;
    }
    printf("nested %d directories, then %s\n", depth, strerror(errno));
    return 0;
}
