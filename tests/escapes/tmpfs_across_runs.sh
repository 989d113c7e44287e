# tries: keeps memory past its limit in files: each of three runs (number_of_runs=3) of one submission writes 40 MB more into /box, in 1000 KB files, which stays in memory from run to run while each run's memory group starts empty, and says how much /box holds against the 64000 KB limit
# allowed: 12
# why: what the box's files already hold counts against each run's limit, so the second run has 24 MB left for its 40 MB and is killed by the cgroup: Memory Limit Exceeded (12). /box holding more than the limit while a run goes on is an escape
# layer: cgroup
# limits: memory=64000 runs=3 cpu=3 wall=8
held() { du -sk /box | cut -f1; }
echo "before: /box holds $(held) KB"
# 1000 KB files: each under the file size limit (1024 KB).
for _ in $(seq 40); do head -c 1000000 /dev/zero > "$(mktemp -p /box fill.XXXXXX)" || break; done
kb=$(held)
echo "after: /box holds $kb KB"
if [ "$kb" -gt 64000 ]; then echo "ESCAPED /box holds $kb KB with a 64000 KB memory limit"; fi
