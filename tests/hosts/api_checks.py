"""The API checks of the host matrix: one submission per verdict, and the memory figures.

Run in a guest by checks.sh against a judgebox serve on 127.0.0.1:PORT:
    python3 api_checks.py PORT verdicts|figures|submit N FILE|await FILE|figures-ok KB...
Prints one line per check ("pass  ..." or "FAIL  ..."); exits with the number of failures.
Only the standard library: the guests have python3 and nothing else.
"""
import json
import statistics
import sys
import time
import urllib.request

PORT = int(sys.argv[1])
BASE = f"http://127.0.0.1:{PORT}"
failed = 0


def call(method, path, body=None, timeout=120):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def submit(language_id, source, wait=True, **fields):
    body = {"language_id": language_id, "source_code": source, **fields}
    q = "?base64_encoded=false&fields=*" + ("&wait=true" if wait else "")
    return call("POST", "/submissions" + q, body)


def check(name, ok, detail=""):
    global failed
    print(("pass  " if ok else "FAIL  ") + name + (f": {detail}" if detail else ""), flush=True)
    failed += 0 if ok else 1


C, PY, BASH = 50, 71, 46
VERDICTS = [
    # (name, language, source, extra fields, expected status id)
    ("Accepted", PY, "print(input()[::-1])", {"stdin": "judgebox", "expected_output": "xobegduj"}, 3),
    ("Wrong Answer", PY, "print(1)", {"expected_output": "2"}, 4),
    ("Time Limit Exceeded", PY, "while True: pass", {"cpu_time_limit": 1}, 5),
    ("Compilation Error", C, "int main( {", {}, 6),
    ("SIGSEGV", C, "int main(void){ volatile int *p = 0; return *p; }", {}, 7),
    ("SIGXFSZ", C, "#include <stdio.h>\nint main(void){ FILE *f = fopen(\"big\", \"w\"); for (;;) fputc('x', f); }",
     {"max_file_size": 64}, 8),
    ("SIGFPE", C, "int main(void){ volatile int x = 7, z = 0; return x / z; }", {}, 9),
    ("SIGABRT", C, "#include <stdlib.h>\nint main(void){ abort(); }", {}, 10),
    ("NZEC", BASH, "exit 3", {}, 11),
    ("Memory limit", C, "#include <stdlib.h>\n#include <string.h>\nint main(void){ for(;;){ char *p = malloc(1<<20); if(!p) return 1; memset(p,1,1<<20);} }",
     {"memory_limit": 65536}, 12),
    ("Exec Format Error", 44, "not a program", {}, 14),
]


def verdicts():
    for name, lang, source, extra, want in VERDICTS:
        status, body = submit(lang, source, **extra)
        got = (body or {}).get("status", {}).get("id")
        check(f"verdict {name}", status == 201 and got == want,
              f"HTTP {status}, status {got}, time {body.get('time')}, memory {body.get('memory')}, message {body.get('message')!r}")


PROGRAMS = {
    "C hello": (C, "#include <stdio.h>\nint main(void){ puts(\"hello\"); return 0; }"),
    "Python hello": (PY, "print('hello')"),
    "C 64 MiB touch": (C, "#include <stdlib.h>\n#include <string.h>\nint main(void){ char *p = malloc(64<<20); memset(p, 1, 64<<20); return p[4096] != 1; }"),
}


def figures_ok(mems):
    """No figure is 0, and every figure is within 1 % of the median: the figure is the
    program's own peak resident set (README, "Memory: the figure")."""
    med = statistics.median(mems)
    return min(mems) > 0 and all(abs(m - med) <= 0.01 * med for m in mems)


def figures():
    """20 pooled runs of each program: see figures_ok."""
    for name, (lang, source) in PROGRAMS.items():
        submit(lang, source)  # the first run reads the toolchain's files into the cache
        mems = []
        for _ in range(20):
            status, body = submit(lang, source)
            if status != 201 or body["status"]["id"] != 3:
                check(f"figures {name}", False, f"HTTP {status}: {body}")
                break
            mems.append(body["memory"])
        else:
            check(f"pooled memory figure of {name} repeats", figures_ok(mems), f"KB {sorted(mems)}")


def submit_many(n, out):
    tokens = []
    for i in range(n):
        status, body = submit(PY, f"import time\ntime.sleep(0.5)\nprint({i})", wait=False)
        if status == 201:
            tokens.append(body["token"])
    json.dump(tokens, open(out, "w"))
    check(f"{n} submissions accepted", len(tokens) == n, f"{len(tokens)} tokens")


def await_all(path):
    tokens = json.load(open(path))
    deadline = time.time() + 300
    pending = set(tokens)
    while pending and time.time() < deadline:
        for t in list(pending):
            try:
                status, body = call("GET", f"/submissions/{t}?base64_encoded=false&fields=status,stdout", timeout=10)
            except OSError:
                continue  # the service is restarting
            if status == 200 and body["status"]["id"] >= 3:
                pending.discard(t)
                check(f"submission {t[:8]} finished", body["status"]["id"] == 3,
                      f"status {body['status']}, stdout {body.get('stdout')!r}")
        time.sleep(1)
    check("every accepted submission finished", not pending, f"{len(pending)} left")


what = sys.argv[2]
if what == "figures-ok":
    sys.exit(0 if figures_ok([int(m) for m in sys.argv[3:]]) else 1)
if what == "verdicts":
    verdicts()
elif what == "figures":
    figures()
elif what == "submit":
    submit_many(int(sys.argv[3]), sys.argv[4])
elif what == "await":
    await_all(sys.argv[3])
sys.exit(failed)
