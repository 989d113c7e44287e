# tries: sleeps for ever without using CPU, so a CPU-only limit would never end it
# allowed: 5
# why: the wall clock limit ends it: Time Limit Exceeded (wall clock)
# layer: cgroup
import time

time.sleep(10**9)
