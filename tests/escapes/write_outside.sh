# tries: the shell way to plant persistence on the host: append to /etc/crontab and root's .bashrc, drop /etc/cron.d/jbxpwn, /etc/profile.d/jbxpwn.sh and /etc/ld.so.preload, copy a shell to /usr/local/bin, and touch jbxpwn files in /tmp, /var/tmp and /dev/shm (which in the box are its own)
# allowed: 3
# why: the host's /etc, /root and /var are not in the box; /usr and the bound /etc entries are read-only; the box's /tmp, /dev/shm are its own tmpfs mounts. The script exits 0; the suite checks the host has no jbxpwn file and its /tmp, /var/tmp and /dev/shm gained nothing from the box
# layer: mount, landlock
try() { if eval "$1" 2>/dev/null; then echo "done: $1"; else echo "refused: $1"; fi; }
try 'echo "* * * * * root touch /tmp/jbxpwn-cron" >> /etc/crontab'
try 'echo "touch /tmp/jbxpwn-bashrc" >> /root/.bashrc'
try 'echo "* * * * * root touch /tmp/jbxpwn-crond" > /etc/cron.d/jbxpwn'
try 'echo "touch /tmp/jbxpwn-profile" > /etc/profile.d/jbxpwn.sh'
try 'echo /tmp/jbxpwn.so > /etc/ld.so.preload'
try 'cp /bin/sh /usr/local/bin/jbxpwn-sh'
try 'touch /tmp/jbxpwn-tmp /var/tmp/jbxpwn-vartmp /dev/shm/jbxpwn-shm'
try 'mkdir -p /var/tmp && touch /var/tmp/jbxpwn-vartmp'
ls -la /tmp /dev/shm
exit 0
