# tries: Ruby's Process.daemon (fork, setsid, fork, chdir /, stdio to /dev/null) with every catchable signal ignored, and Process.spawn of a sleeper in its own process group
# allowed: 3
# why: the parent exits 0 (Accepted); the daemon and the sleeper are in the box's pid namespace and cgroup and must die with the box: the suite checks none outlives the verdict
# layer: namespace, cgroup
$stdout.sync = true
pid = Process.spawn('sleep', '1000', pgroup: true, out: '/dev/null', err: '/dev/null')
Process.detach(pid)
puts 'daemonizing'
fork do
  Process.daemon
  Signal.list.each_key do |name|
    begin
      trap(name, 'IGNORE')
    rescue ArgumentError, Errno::EINVAL
    end
  end
  loop { sleep 1 }
end
exit 0
