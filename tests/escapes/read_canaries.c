// tries: reads the host's canary files (paths in argv) directly, through /proc/1/root, /proc/self/root, /proc/<ppid>/root and /proc/<ppid>/cwd, and with ../ climbs out of /box
// allowed: 3
// why: the box's mount namespace has no /root and its own /tmp, /var and /dev/shm, /proc/1 is hidden (hidepid) and / is the box's own root, so every open fails and the program exits 0; any content read is printed, and the suite checks no output holds a canary's secret
// layer: mount, namespace
// args: {root_canary} {tmp_canary} {vartmp_canary} {shm_canary}
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_read(const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        printf("%s: %s\n", path, strerror(errno));
        return;
    }
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    printf("ESCAPED read %s: %s\n", path, buf);
}

int main(int argc, char **argv) {
    char path[512];
    for (int i = 1; i < argc && strncmp(argv[i], "jbx-fixture=", 12) != 0; i++) {
        const char *prefixes[] = {"", "/proc/1/root", "/proc/self/root", "/proc/1/cwd/../../..", "../../../..", "/box/../.."};
        for (unsigned p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
            snprintf(path, sizeof path, "%s%s", prefixes[p], argv[i]);
            try_read(path);
        }
        snprintf(path, sizeof path, "/proc/%d/root%s", getppid(), argv[i]);
        try_read(path);
    }
    return 0;
}
