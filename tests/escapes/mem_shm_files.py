# tries: fills the box's /dev/shm with 1000 KB files until the write fails, then reports how far it got
# allowed: 3
# why: the box's /dev/shm is its own tmpfs capped at 128 MB; with a memory limit above that (200000 KB) the tmpfs fills first, the write fails with ENOSPC and the program reports and exits 0. The host's /dev/shm must gain nothing
# layer: mount
# limits: memory=200000
n = 0
try:
    while True:
        with open(f"/dev/shm/fill-{n}", "wb") as f:
            f.write(b"\x5a" * 1024000)
        n += 1
except OSError as e:
    print(f"stopped after {n} files: {e}")
