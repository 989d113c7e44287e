# tries: raw system calls from Perl's syscall(): unshare(CLONE_NEWUSER), mount, ptrace(PTRACE_ATTACH, 1), setuid(0), chroot, keyctl, bpf, io_uring_setup, kexec_load and reboot
# allowed: 3
# why: each is outside the seccomp allowlist (ENOSYS) or needs a capability the box lacks (EPERM); the script prints every errno and exits 0. A call that succeeds is an escape
# layer: seccomp, caps
use strict;
use warnings;

my %calls = (
    unshare => [272, 0x10000000], mount => [165, "none", "/tmp", "tmpfs", 0, 0], ptrace => [101, 16, 1, 0, 0],
    setuid => [105, 0], chroot => [161, "/tmp"], keyctl => [250, 0, -3, 0], bpf => [321, 0, 0, 0],
    io_uring_setup => [425, 8, 0], kexec_load => [246, 0, 0, 0, 0], reboot => [169, 0xfee1dead, 672274793, 0xcdef0123, 0],
);
for my $name (sort keys %calls) {
    my ($nr, @args) = @{ $calls{$name} };
    $! = 0;
    my $r = syscall($nr, @args);
    if ($r >= 0) { print "ESCAPED $name returned $r\n" } else { print "$name: $!\n" }
}
