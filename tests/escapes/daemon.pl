# tries: a Perl daemon: POSIX::setsid, a double fork, every signal ignored, descriptors closed, then the program exits 0
# allowed: 3
# why: the program exits 0 (Accepted); the daemon is in the box's pid namespace and cgroup and must die with the box: the suite checks none outlives the verdict
# layer: namespace, cgroup
use strict;
use warnings;
use POSIX qw(setsid);

$| = 1;
print "daemonizing\n";
my $pid = fork();
exit 0 if $pid;
setsid();
exit 0 if fork();
$SIG{$_} = 'IGNORE' for grep { $_ ne 'KILL' && $_ ne 'STOP' } keys %SIG;
close STDIN; close STDOUT; close STDERR;
sleep 1 while 1;
