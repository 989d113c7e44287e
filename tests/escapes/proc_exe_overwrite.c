// tries: the runc CVE-2019-5736 shape: opens /proc/1/exe, /proc/<ppid>/exe and /proc/self/exe for writing, hoping one is a host binary (the jail or the server) it could overwrite, and reads /proc/<ppid>/exe
// allowed: 3
// why: /proc/1 (the box's init, a root-owned process) is invisible under hidepid, the parent is that same hidden init, and the program's own binary is in its writable /box (ETXTBSY while it runs). Nothing host-side opens, the program exits 0; the suite checks the judgebox and judgebox-jail binaries are unchanged
// layer: namespace, mount, uid
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_open(const char *path, int flags) {
    int fd = open(path, flags);
    printf("%s (%s): %s\n", path, flags == O_RDONLY ? "read" : "write", fd < 0 ? strerror(errno) : "opened");
    if (fd >= 0 && flags != O_RDONLY && strcmp(path, "/proc/self/exe") != 0) printf("ESCAPED opened %s for writing\n", path);
    if (fd >= 0) close(fd);
}

int main(void) {
    char parent[64];
    snprintf(parent, sizeof parent, "/proc/%d/exe", getppid());
    printf("ppid %d\n", getppid());
    const char *paths[] = {"/proc/1/exe", parent, "/proc/self/exe"};
    for (int i = 0; i < 3; i++) {
        try_open(paths[i], O_RDONLY);
        try_open(paths[i], O_WRONLY);
        try_open(paths[i], O_RDWR | O_APPEND);
    }
    return 0;
}
