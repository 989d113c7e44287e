# tries: fills /box itself with many files just under the file size limit, with fallocate and dd, until the disk or something else gives out
# allowed: 12
# why: /box is the box's tmpfs (not the host's disk) and its pages are charged to the box's memory cgroup, so with a 64000 KB memory limit the OOM kill ends it long before the tmpfs fills: Memory limit exceeded (12)
# layer: cgroup, mount
# limits: memory=64000
i=0
while fallocate -l 1000K "fill-$i" 2>/dev/null || dd if=/dev/zero of="fill-$i" bs=1000K count=1 2>/dev/null; do
  i=$((i + 1))
done
echo "stopped after $i files"
