// tries: native AIO, a host-wide pool: io_setup contexts of 65536 events until the kernel says no (fs.aio-max-nr is shared by the whole host, so one box holding it all makes the host's own io_setup fail with EAGAIN), then io_submit and io_getevents on what it got
// allowed: 3
// why: the io_* calls are not in the seccomp allowlist (ENOSYS), so a box takes nothing from fs.aio-max-nr; the program exits 0, and a context created is an escape
// layer: seccomp
#include <errno.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    long events = 0;
    int contexts = 0;
    for (int i = 0; i < 4096; i++) {
        aio_context_t ctx = 0;
        if (syscall(SYS_io_setup, 65536, &ctx) != 0) {
            printf("io_setup #%d: %s\n", i, strerror(errno));
            break;
        }
        contexts++;
        events += 65536;
    }
    if (contexts) printf("ESCAPED io_setup gave %d contexts, %ld events of the host's pool\n", contexts, events);
    long r = syscall(SYS_io_submit, 0, 0, NULL);
    printf("io_submit: %s\n", r < 0 ? strerror(errno) : "returned");
    r = syscall(SYS_io_getevents, 0, 0, 0, NULL, NULL);
    printf("io_getevents: %s\n", r < 0 ? strerror(errno) : "returned");
    return 0;
}
