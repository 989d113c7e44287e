# tries: the shell fork bomb :(){ :|:& };: — the script itself returns at once and leaves the bomb spreading in the background
# allowed: 3 5
# why: the script exits 0 at once (3); a supervisor that waits for the background processes' inherited stdout instead ends the run at the wall limit (5). Either is right as long as the bomb dies with the box: the suite checks that no process of the box survives its verdict
# layer: cgroup, namespace
:(){ :|:& };:
echo "bomb planted"
exit 0
