# tries: Judge0's CVE-2024-28189 shape: after its run, the host chown-ed box files as root and followed symlinks; this program plants symlinks to the canaries and the read-only target under every name, and asks for two runs so the host handles the box between them
# allowed: 3
# why: judgebox never chowns, chmods or deletes through box paths (a fresh tmpfs replaces the box), and /box is nosymfollow; both runs exit 0: Accepted. The suite checks the canaries' and target's owner and mode are unchanged
# layer: host, mount
# args: {root_canary} {tmp_canary} {ro_target}
# limits: runs=2
for n in script.sh.bak stdout.txt stderr.txt metadata.txt run compile a.out box tmp; do
  rm -rf "$n"
done
ln -s "$1" stdout.txt
ln -s "$2" stderr.txt
ln -s "$3" metadata.txt
ln -s "$1" run
ln -s "$3" compile
ln -s / box
ln -s /tmp tmp
ln -s "$1" /tmp/owned 2>/dev/null
echo "planted"
exit 0
