# tries: finds every setuid and setgid program under /usr and runs it to become root: sudo -n, su, passwd, newgrp, chfn, mount, pkexec, then any other setuid file, each asked for `id -u`
# allowed: 3
# why: the box's mounts are nosuid and no_new_privs is set, so a setuid bit grants nothing and the programs run as the box's uid (and mostly refuse); the script exits 0. Any of them printing uid 0 is an escape
# layer: mount, caps, uid
# limits: cpu=4 wall=12
found=$(find /usr/bin /usr/sbin /usr/lib /usr/libexec -maxdepth 3 -perm /6000 -type f 2>/dev/null)
echo "setuid/setgid files: $(echo $found)"
check() {
  out=$(timeout -s KILL 1 "$@" < /dev/null 2>/dev/null | head -c 200)
  if [ "$out" = 0 ]; then echo "ESCAPED $* gave uid 0"; else echo "$1: no root ($(echo $out | head -c 60))"; fi
}
check sudo -n id -u
check su -c "id -u" root
check newgrp root
check mount -t tmpfs none /tmp
check pkexec id -u
for f in $found; do
  case "$f" in *sudo|*su|*pkexec|*newgrp) continue ;; esac
  out=$(timeout -s KILL 1 "$f" --help < /dev/null 2>&1 | head -c 80 | tr -d '\n')
  echo "$f ran: ${out:-(nothing)}"
done
echo "still uid $(id -u)"
exit 0
