// tries: the kernel keyrings, which no namespace isolates: reads the session, user and thread keyrings' ids, adds a key, requests one, and reads /proc/keys and /proc/key-users for other users' keys
// allowed: 3
// why: keyctl, add_key and request_key are not in the seccomp allowlist (ENOSYS); /proc/keys shows only keys the caller may view. The program exits 0 and prints everything; a key added or another user's key is an escape
// layer: seccomp
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded (%ld)\n", what, ret);
}

int main(void) {
    report("keyctl(GET_KEYRING_ID, session)", syscall(SYS_keyctl, 0, -3, 0));
    report("keyctl(GET_KEYRING_ID, user)", syscall(SYS_keyctl, 0, -4, 0));
    report("keyctl(JOIN_SESSION_KEYRING)", syscall(SYS_keyctl, 1, "jbxpwn"));
    report("add_key(user, @s)", syscall(SYS_add_key, "user", "jbxpwn", "secret", 6, -3));
    report("request_key(user)", syscall(SYS_request_key, "user", "jbxpwn", NULL, 0));
    const char *files[] = {"/proc/keys", "/proc/key-users"};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "r");
        if (!f) { printf("%s: %s\n", files[i], strerror(errno)); continue; }
        char line[512];
        while (fgets(line, sizeof line, f)) printf("%s: %s", files[i], line);
        fclose(f);
    }
    return 0;
}
