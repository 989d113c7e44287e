// tries: grows one file in /box as large as it will go: write, then ftruncate and fallocate to 1 GB
// allowed: 8
// why: RLIMIT_FSIZE (max_file_size, 1024 KB) stops the file at its limit with SIGXFSZ: Runtime Error (SIGXFSZ), before the box's tmpfs or memory matter
// layer: rlimit
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int fd = open("big.bin", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 0; }
    static char block[65536];
    memset(block, 'd', sizeof block);
    for (int i = 0; i < 16384; i++) {
        if (write(fd, block, sizeof block) < 0) { perror("write"); break; }
    }
    if (ftruncate(fd, 1L << 30) < 0) perror("ftruncate");
    if (posix_fallocate(fd, 0, 1L << 30)) printf("fallocate failed\n");
    return 0;
}
