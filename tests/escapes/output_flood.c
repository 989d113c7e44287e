// tries: writes to stdout without end, 64 KB at a time
// allowed: 8
// why: the jail reads stdout from a pipe and stops the run once more than max_file_size (1024 KB) arrived, as Judge0's RLIMIT_FSIZE on stdout.txt would: Runtime Error (SIGXFSZ)
// layer: host, rlimit
#include <string.h>
#include <unistd.h>

int main(void) {
    static char block[65536];
    memset(block, 'y', sizeof block);
    for (;;) {
        if (write(1, block, sizeof block) < 0) return 1;
    }
}
