# tries: fills the box's /tmp with 1000 KB files (each under the file size limit) until something stops it
# allowed: 12
# why: /tmp is the box's own tmpfs, capped at 128 MB, and its pages are charged to the box's memory cgroup; with a 64000 KB memory limit the OOM kill comes first: Memory limit exceeded (12). The host's /tmp must gain nothing
# layer: cgroup, mount
# limits: memory=64000
i=0
while head -c 1024000 /dev/zero > /tmp/fill-$i; do
  i=$((i + 1))
done
echo "stopped after $i files"
