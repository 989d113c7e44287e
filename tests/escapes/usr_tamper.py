# tries: plants code that a later program (or the host itself) would run: a .pth file in Python's site directories, a sitecustomize.py, and rewriting the python3 binary and a shared library in place
# allowed: 3
# why: /usr is a read-only bind (EROFS) and the files are root's, so every write fails and the program exits 0; the suite checks no jbxpwn file appears in the host's site directories
# layer: mount, uid
import site
import sys

targets = site.getsitepackages() + ["/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages",
                                    f"/usr/lib/python3.{sys.version_info.minor}"]
for d in targets:
    for name in ("jbxpwn.pth", "sitecustomize.py"):
        path = f"{d}/{name}"
        try:
            with open(path, "x") as f:
                f.write("import os; os.system('touch /tmp/jbxpwn-pth')\n")
            print("ESCAPED created", path)
        except OSError as e:
            print(path, e.strerror)
for path in ("/usr/bin/python3", "/usr/lib/x86_64-linux-gnu/libc.so.6"):
    try:
        with open(path, "r+b") as f:
            f.write(b"\x7fELF")
        print("ESCAPED opened for writing", path)
    except OSError as e:
        print(path, e.strerror)
