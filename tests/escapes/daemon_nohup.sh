# tries: starts long sleepers the shell way: nohup and setsid in the background with disown, a subshell that double-forks, then exits 0 at once
# allowed: 3
# why: the script exits 0 (Accepted); the detached sleepers are still in the box's pid namespace and cgroup and must be killed with it: the suite checks that none outlives the verdict
# layer: namespace, cgroup
nohup setsid sleep 1000 > /dev/null 2>&1 &
disown
( ( exec -a jbx-daemon sleep 1001 < /dev/null > /dev/null 2>&1 & ) & )
setsid -f sleep 1002 < /dev/null > /dev/null 2>&1
echo "detached"
exit 0
