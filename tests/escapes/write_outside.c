// tries: creates jbxpwn-* files everywhere outside the box: /, /root, /etc, /etc/cron.d, /usr, /usr/local/bin, /var, /var/tmp, /run, /home, /opt, the server's data directory (argv[1]), and through /proc/self/root, /proc/1/root and ../ climbs
// allowed: 3
// why: the box's / is a read-only tmpfs of its own, /usr and /etc entries are read-only binds, the host's directories do not exist in its mount namespace, and Landlock allows writes only beneath /box, /tmp and /dev/shm; every create fails and the program exits 0. The suite checks the host has no jbxpwn file in any of these places
// layer: mount, landlock, uid
// args: {data_dir}
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_create(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/jbxpwn-write-outside", dir);
    int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0666);
    if (fd < 0) {
        printf("%s: %s\n", path, strerror(errno));
        return;
    }
    printf("created %s\n", path);
    close(fd);
}

int main(int argc, char **argv) {
    const char *dirs[] = {"/", "/root", "/etc", "/etc/cron.d", "/usr", "/usr/local/bin", "/usr/local/share",
                          "/var", "/var/tmp", "/run", "/home", "/opt", "/proc/self/root/etc",
                          "/proc/1/root/tmp", "/proc/1/root/root", "/box/../etc", "../../../../../root",
                          "/var/lib/ghc", "/etc/alternatives", "/etc/python3.11", "/dev", "/proc", "/proc/sys"};
    for (unsigned i = 0; i < sizeof dirs / sizeof *dirs; i++) try_create(dirs[i]);
    if (argc > 1) try_create(argv[1]);
    return 0;
}
