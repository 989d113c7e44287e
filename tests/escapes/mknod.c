// tries: makes device nodes to reach hardware and kernel memory: /dev/mem and /dev/kmem (char 1,1 and 1,2), the disk (block 254,0 and 8,0), /dev/tty (5,0), in /box and /tmp, then opens each
// allowed: 3
// why: creating a device node needs CAP_MKNOD, which the box lacks (EPERM), and /box and /tmp are nodev mounts, so even a node made elsewhere could not be opened; FIFOs are allowed and harmless. The program exits 0; an opened device is an escape
// layer: caps, mount
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int main(void) {
    struct { const char *name; mode_t type; int major, minor; } nodes[] = {
        {"mem", S_IFCHR, 1, 1}, {"kmem", S_IFCHR, 1, 2}, {"vda", S_IFBLK, 254, 0}, {"sda", S_IFBLK, 8, 0}, {"tty", S_IFCHR, 5, 0},
    };
    const char *dirs[] = {"/box", "/tmp"};
    for (int d = 0; d < 2; d++) {
        for (unsigned i = 0; i < sizeof nodes / sizeof *nodes; i++) {
            char path[64];
            snprintf(path, sizeof path, "%s/%s", dirs[d], nodes[i].name);
            int r = mknod(path, nodes[i].type | 0666, makedev(nodes[i].major, nodes[i].minor));
            printf("mknod %s: %s\n", path, r < 0 ? strerror(errno) : "made");
            int fd = open(path, O_RDONLY);
            if (fd >= 0) printf("ESCAPED opened device %s\n", path);
        }
    }
    printf("mkfifo: %s\n", mkfifo("/box/fifo", 0600) == 0 ? "made (harmless)" : strerror(errno));
    return 0;
}
