// tries: reads host files at compile time, where the compiler runs with the compile profile's larger limits: #include of the host's canary, /etc/shadow, /etc/passwd-, root's .bashrc and the server's pid 1 environ, each guarded by __has_include so a missing one warns instead of stopping the compile, and the contents would land in compile_output as errors
// allowed: 3
// why: the compiler runs in a box of its own (mount namespace, the same binds as the run), where none of these files exist; every probe warns "missing", the program compiles and runs and exits 0: Accepted. compile_output holding a secret is an escape
// layer: mount
#include <stdio.h>

#if __has_include("/root/jbx-canary")
#warning "found /root/jbx-canary"
#include "/root/jbx-canary"
#else
#warning "missing /root/jbx-canary"
#endif
#if __has_include("/tmp/jbx-canary")
#include "/tmp/jbx-canary"
#else
#warning "missing /tmp/jbx-canary (the box's /tmp is its own)"
#endif
#if __has_include("/var/tmp/jbx-canary")
#include "/var/tmp/jbx-canary"
#else
#warning "missing /var/tmp/jbx-canary"
#endif
#if __has_include("/dev/shm/jbx-canary")
#include "/dev/shm/jbx-canary"
#else
#warning "missing /dev/shm/jbx-canary"
#endif
#if __has_include("/etc/shadow")
#include "/etc/shadow"
#else
#warning "missing /etc/shadow"
#endif
#if __has_include("/root/.bashrc")
#include "/root/.bashrc"
#else
#warning "missing /root/.bashrc"
#endif
#if __has_include("/proc/1/environ")
#include "/proc/1/environ"
#else
#warning "missing /proc/1/environ"
#endif

int main(void) {
    puts("compiled without host files");
    return 0;
}
