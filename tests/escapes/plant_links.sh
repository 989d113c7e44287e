# tries: plants symlinks, hard links and FIFOs under every name a host might read back, chown or write after the run (Judge0's stdout.txt, stderr.txt, metadata.txt, compile_output.txt, the run and compile scripts, a.out, Main.class, the source files, additional_files.zip), pointing at the host's canaries, /etc/shadow and /proc/1/environ, and follows them itself
# allowed: 3
# why: the host reads output from pipes, never from box files, and touches box files only through openat2 without following links; /box is mounted nosymfollow, so even the box cannot follow them, and the host's paths do not exist in the box. The script exits 0; the suite checks the canaries are unread and unchanged (content, owner, mode, times) and no output holds a secret
# layer: host, mount
# args: {root_canary} {tmp_canary} {vartmp_canary} {shm_canary}
targets=("$1" "$2" "$3" "$4" /etc/shadow /proc/1/environ /root /)
names=(stdout stderr stdout.txt stderr.txt metadata.txt compile_output.txt run compile a.out Main.class main.c main.cpp script.py additional_files.zip box)
i=0
for n in "${names[@]}"; do
  rm -rf "$n" 2>/dev/null
  ln -s "${targets[$((i % ${#targets[@]}))]}" "$n" && echo "planted $n -> ${targets[$((i % ${#targets[@]}))]}"
  i=$((i + 1))
done
mkfifo stdin.txt fifo 2>/dev/null && echo "planted fifos"
ln script.sh hardlink 2>/dev/null && echo "planted a hard link"
ln /usr/bin/env usr-hardlink 2>/dev/null && echo "ESCAPED hard link to a host file"
mkdir -p d && ln -s /root d/run && ln -s ../../../../../root d/up && echo "planted directory links"
for n in "${names[@]}"; do
  if out=$(head -c 100 "$n" 2>/dev/null) && [ -n "$out" ]; then echo "followed $n: $out"; fi
done
exit 0
