# tries: floods stderr (not stdout) with an endless stream of lines, unbuffered
# allowed: 8
# why: stderr is capped like stdout: past max_file_size the run is stopped with Runtime Error (SIGXFSZ), and the stored stderr is cut to the cap
# layer: host, rlimit
import os

line = b"e" * 8191 + b"\n"
while True:
    os.write(2, line)
