# tries: Judge0's CVE-2024-29021 itself: asks for enable_network, which Judge0 1.13.0 allowed by default, then (if it ever runs) reaches the judgebox API and the suite's listeners to rewrite submissions
# allowed: 3
# why: judgebox refuses enable_network unless the operator sets ALLOW_ENABLE_NETWORK (judgebox's default is false, unlike Judge0's): the API answers 422 and nothing runs. Should it run, the attempts must still fail (namespace and Landlock) and the listeners stay silent
# layer: api, namespace, landlock
# http: 422
# enable_network: true
# args: {api_port} {tcp4_port}
import socket
import sys

for port in sys.argv[1:3]:
    try:
        socket.create_connection(("127.0.0.1", int(port)), timeout=1)
        print(f"ESCAPED connected to 127.0.0.1:{port}")
    except OSError as e:
        print(f"127.0.0.1:{port}: {e}")
