# tries: Judge0's CVE-2024-28185 shape: a multi-file program whose compile script replaces the run script (and compile, and the other names the host writes) with symlinks to host files (the canary, /etc/crontab, /root/.bashrc), so that the host's next write to "run" lands outside the box
# allowed: 11
# why: judgebox never writes the run script after compiling: it runs /bin/bash run inside the box, where /box is nosymfollow, so bash cannot open the link and exits non-zero: Runtime Error (NZEC); the suite checks the canaries and host files are untouched
# layer: host, mount
# language: 89
# zip: compile
rm -f run compile stdout.txt stderr.txt
ln -s /root/jbx-canary run
ln -s /etc/crontab compile
ln -s /root/.bashrc stdout.txt
ln -s /tmp/jbx-canary stderr.txt
echo "planted run -> /root/jbx-canary"
