# tries: TCP over IPv6 to the suite's listener on [::] (port in argv), to [::1], to the host's IPv6 address, to an IPv4-mapped loopback address, and to a public IPv6 address
# allowed: 3
# why: the box's network namespace has only loopback and Landlock denies TCP connect, so every attempt fails; the program exits 0 and prints the errors. The suite checks its listeners received nothing
# layer: namespace, landlock
# args: {tcp6_port} {tcp_any_port} {host_ipv6}
import socket
import sys

port6, port_any, host6 = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
targets = [("::1", port6), ("::1", port_any), (host6, port6), ("::ffff:127.0.0.1", port_any),
           ("::", port6), ("2606:4700:4700::1111", 80)]
for host, port in targets:
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.settimeout(0.5)
        s.connect((host, port))
        print(f"ESCAPED connected to [{host}]:{port}")
    except OSError as e:
        print(f"[{host}]:{port}: {e}")
