# tries: looks through /proc for the host: pid 1's environ, cmdline, root, cwd, maps and mountinfo; the server's own /proc/<pid>/environ (its pid in $1, its environment holds a secret); every visible process's environ
# allowed: 3
# why: the box has a fresh /proc of its own pid namespace mounted hidepid=invisible, so the host's pids do not exist there and pid 1 (the box's root-owned init) is invisible: every read fails and the script exits 0
# layer: namespace, mount
# args: {server_pid}
server=$1
for f in /proc/1/environ /proc/1/cmdline /proc/1/maps /proc/1/mountinfo /proc/1/status \
         /proc/$server/environ /proc/$server/cmdline /proc/$server/root/root/jbx-canary /proc/$server/cwd; do
  if out=$(tr '\0' ' ' < "$f" 2>&1); then echo "$f: $out"; else echo "$f: unreadable ($out)"; fi
done
ls -la /proc/1/root/ /proc/1/cwd/ 2>&1
for p in /proc/[0-9]*; do
  echo "visible: $p $(tr '\0' ' ' < "$p/cmdline" 2>/dev/null) env: $(tr '\0' ' ' < "$p/environ" 2>/dev/null)"
done
echo "--- mountinfo as the box sees it"
cat /proc/self/mountinfo
exit 0
