# tries: changes the host through /proc/sys and friends: core_pattern to a pipe (a classic container escape), sysrq, drop_caches, hostname, modprobe path, ip_forward, and sethostname in the shell
# allowed: 3
# why: the box's uid owns none of these (root-only files on a read-only-for-others procfs) and has no capabilities, so every write fails; the UTS namespace keeps any hostname change in the box. The script exits 0; the suite checks core_pattern, the hostname and these sysctls are unchanged on the host
# layer: uid, caps, namespace
for f in /proc/sys/kernel/core_pattern:'|/tmp/jbxpwn-core %p' /proc/sysrq-trigger:h \
         /proc/sys/vm/drop_caches:3 /proc/sys/kernel/hostname:jbxpwn /proc/sys/kernel/modprobe:/tmp/jbxpwn-modprobe \
         /proc/sys/net/ipv4/ip_forward:1 /proc/sys/kernel/randomize_va_space:0 /proc/sys/fs/suid_dumpable:2; do
  path=${f%%:*}
  value=${f#*:}
  if echo "$value" 2>/dev/null > "$path"; then echo "ESCAPED wrote $path"; else echo "$path: write refused"; fi
done
hostname jbxpwn 2>&1 || echo "hostname refused"
echo "hostname now: $(hostname)"
exit 0
