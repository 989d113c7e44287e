# tries: Judge0's CVE-2024-29021 shape without asking for the network: from inside the box, reach the service around it to rewrite submissions: an HTTP POST to the judgebox API (port in argv) creating a submission whose limits carry shell text, a GET of other submissions, and opening the server's SQLite store (its data directory in argv) to change rows directly
# allowed: 3
# why: the box's network namespace has only its own loopback and Landlock denies TCP connect, and the data directory is not in its mount namespace, so every attempt fails and the program exits 0; the suite checks the server accepted no submission but its own
# layer: namespace, landlock, mount
# args: {api_port} {host_ipv4} {data_dir}
import glob
import json
import socket
import sys

port, host, data = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = json.dumps({"source_code": "print(1)", "language_id": 71, "cpu_time_limit": "1; touch /tmp/jbxpwn-29021",
                   "command_line_arguments": "$(touch /tmp/jbxpwn-29021-args)"}).encode()
request = (b"POST /submissions?wait=true HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
           + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
for target in ("127.0.0.1", host, "localhost"):
    try:
        s = socket.create_connection((target, port), timeout=1)
        s.sendall(request)
        print(f"ESCAPED the API at {target}:{port} answered: {s.recv(300)!r}")
    except OSError as e:
        print(f"API at {target}:{port}: {e}")
for pattern in (data + "/*", data + "/../*", "/var/lib/judgebox/*", "/tmp/judgebox-api-test-*/data/*"):
    for path in glob.glob(pattern):
        try:
            with open(path, "r+b") as f:
                print("ESCAPED opened the store file", path, f.read(16))
        except OSError as e:
            print(path, e.strerror)
print("store files visible:", glob.glob(data + "/*"))
