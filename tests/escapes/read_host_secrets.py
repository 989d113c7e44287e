# tries: reads the host's usual secrets: /etc/shadow and gshadow, sudoers, root's ssh keys and shell history, ssh host keys, the machine id, auth logs, and lists /root, /home and /var
# allowed: 3
# why: only the profile's read-only binds (/usr and a few named /etc entries) exist in the box, so all of these are missing (ENOENT) and the program exits 0 after reporting; anything it finds is printed for the suite's secret check
# layer: mount
import os

paths = [
    "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d", "/root/.ssh/id_rsa",
    "/root/.ssh/authorized_keys", "/root/.bash_history", "/etc/ssh/ssh_host_ed25519_key",
    "/etc/machine-id", "/var/log/auth.log", "/etc/passwd-", "/root/.cargo/credentials.toml",
    "/root/jbx-canary", "/var/tmp/jbx-canary", "/etc/judgebox", "/var/lib/judgebox",
]
for p in paths:
    try:
        if os.path.isdir(p):
            print(p, "is a directory:", os.listdir(p))
            continue
        with open(p, "rb") as f:
            data = f.read(512)
        print("ESCAPED read", p, data)
    except OSError as e:
        print(p, e.strerror)
for d in ["/", "/root", "/home", "/var", "/var/tmp", "/etc", "/run", "/srv", "/opt", "/mnt"]:
    try:
        print(d, sorted(os.listdir(d)))
    except OSError as e:
        print(d, e.strerror)
