# tries: number_of_runs 2: the first run replaces its own script (script.sh) with a symlink to a host canary and leaves FIFOs under other names, so the second run's interpreter opens the link
# allowed: 11
# why: bash in the second run opens script.sh inside the box, where /box is nosymfollow and the target does not exist, so it fails to open it (exit 126 or 127): Runtime Error (NZEC), and no secret reaches the output
# layer: mount, host
# args: {root_canary}
# limits: runs=2
rm -f script.sh
ln -s "$1" script.sh && echo "script.sh now links to $1"
mkfifo stdout.txt run 2>/dev/null
exit 0
