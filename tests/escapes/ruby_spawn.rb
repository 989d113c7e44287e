# tries: Ruby's ways to reach the host: backticks and IO.popen reading the host's canaries and /etc/shadow, Process.setrlimit raising its process limit, and Process.kill on every pid from 1 to 4096
# allowed: 3
# why: the commands run in the box's mount namespace (the files are missing), raising a hard limit needs a capability the box lacks (EPERM), and kill reaches only the box's own pid namespace and uid; the script exits 0 after reporting
# layer: mount, rlimit, namespace
$stdout.sync = true
puts `cat /root/jbx-canary /tmp/jbx-canary /var/tmp/jbx-canary /dev/shm/jbx-canary /etc/shadow 2>&1`
puts IO.popen(['id']).read
begin
  Process.setrlimit(:NPROC, 100_000, 100_000)
  puts "ESCAPED raised the process limit to #{Process.getrlimit(:NPROC).inspect}"
rescue Errno::EPERM, Errno::EINVAL => e
  puts "setrlimit: #{e.message}"
end
killed = (1..4096).count do |pid|
  next false if pid == Process.pid
  begin
    Process.kill(0, pid)
    true
  rescue Errno::ESRCH, Errno::EPERM
    false
  end
end
puts "pids it could signal: #{killed}"
