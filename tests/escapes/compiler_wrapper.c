// tries: runs an arbitrary command at compile time through compiler_options: gcc's -wrapper runs a shell instead of cc1, which cats the host's canaries, /etc/shadow and the environ of pids 1 to 4 (where the server or a host process would be), so their contents land in compile_output
// allowed: 6
// why: the compiler and its wrapper run in the compile box (mount and pid namespaces, the box's uid, seccomp, Landlock), so cat finds none of the host's files and only the box's own processes, fails, and gcc stops: Compilation Error, with no secret in compile_output
// layer: mount, namespace
// compiler_options: -wrapper '/bin/sh,-c,cat /root/jbx-canary /tmp/jbx-canary /var/tmp/jbx-canary /dev/shm/jbx-canary /etc/shadow /proc/1/environ /proc/2/environ /proc/3/environ /proc/4/environ'
int main(void) { return 0; }
