#!/usr/bin/env python3
"""Runs the official Judge0 Python SDK (PyPI `judge0`, 0.0.8) against a judgebox server.

    JUDGE0_CE_ENDPOINT=BASE_URL JUDGE0_CE_AUTH_HEADERS='{}' check_sdk.py BASE_URL [AUTH_TOKEN]

Each check uses the SDK the way its README shows (an explicit `judge0.Client` for a
self-hosted endpoint, then `run`, `async_run` + `wait`, batches, test cases, language
aliases) and asserts what the SDK hands back. Every check runs even when an earlier one
failed; the script prints one line per check and exits 1 if any failed, 2 if the SDK could
not even construct a client.

The SDK is strict (see shared/reference/judge0-clients.md §2): it needs all 39
/config_info keys, rejects unknown keys in `fields=*`, parses timestamps with
`%Y-%m-%dT%H:%M:%S.%fZ`, and validates base64 strictly, so passing here means those
formats are right. Installed by tests/sdk/install.sh; run by crates/cli/tests/api_sdk.rs.
"""

import signal
import sys
import time
import traceback
from datetime import datetime

import judge0
from judge0 import File, Filesystem, Status, Submission

# The SDK polls forever by default; a hung check must fail, not hang the test.
OVERALL_TIMEOUT_S = 240

FAILURES = []


def check(name):
    def wrap(fn):
        def run(*args):
            started = time.monotonic()
            try:
                fn(*args)
            except Exception:  # noqa: BLE001 - every failure is reported, none stops the run
                FAILURES.append(name)
                print(f"FAIL {name}:\n{traceback.format_exc()}", flush=True)
            else:
                print(f"ok   {name} ({time.monotonic() - started:.2f} s)", flush=True)

        run.check_name = name
        return run

    return wrap


def expect(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def expect_done(submission, status, stdout=None, what="submission"):
    expect(submission.status, status, f"{what} status (message={submission.message!r}, "
           f"stderr={submission.stderr!r}, compile_output={submission.compile_output!r})")
    if stdout is not None:
        expect(submission.stdout, stdout, f"{what} stdout")


@check("Client() reads /languages and /config_info")
def client_metadata(client):
    ids = {lang.id for lang in client.languages}
    for needed in (46, 50, 54, 62, 63, 71):
        if needed not in ids:
            raise AssertionError(f"language {needed} missing from /languages: {sorted(ids)}")
    expect(client.config.max_submission_batch_size, 20, "config max_submission_batch_size")
    expect(client.config.enable_batched_submissions, True, "config enable_batched_submissions")
    expect(client.version, "1.13.1", "/about version")
    expect(client.get_about()["version"], "1.13.1", "get_about()['version']")
    statuses = client.get_statuses()
    expect([s["id"] for s in statuses], list(range(1, 15)), "status ids")
    expect(statuses[2]["description"], "Accepted", "status 3")
    python = client.get_language(71)
    expect(python.id, 71, "get_language(71).id")
    expect(python.source_file, "script.py", "get_language(71).source_file")
    expect(python.is_archived, False, "get_language(71).is_archived")
    expect(client.is_language_supported(judge0.PYTHON), True, "PYTHON alias supported")


@check("run(): hello world in Python, every field parsed")
def run_hello(client):
    s = judge0.run(client=client, source_code='print("hello, judge0")', language=71)
    expect_done(s, Status.ACCEPTED, "hello, judge0\n")
    expect(s.stderr, None, "stderr")
    expect(s.compile_output, None, "compile_output")
    expect(s.exit_code, 0, "exit_code")
    if not isinstance(s.created_at, datetime) or not isinstance(s.finished_at, datetime):
        raise AssertionError(f"timestamps not parsed: {s.created_at!r} {s.finished_at!r}")
    if s.finished_at < s.created_at:
        raise AssertionError(f"finished_at {s.finished_at} before created_at {s.created_at}")
    if not (isinstance(s.time, float) and 0 <= s.time < 5):
        raise AssertionError(f"time {s.time!r}")
    if not (isinstance(s.wall_time, float) and s.wall_time >= 0):
        raise AssertionError(f"wall_time {s.wall_time!r}")
    if not (isinstance(s.memory, (int, float)) and s.memory > 0):
        raise AssertionError(f"memory {s.memory!r}")
    if s.token is None:
        raise AssertionError("no token")
    # The echoed inputs come back base64 with fields=*, and the SDK decodes them.
    expect(s.source_code, 'print("hello, judge0")', "echoed source_code")
    expect(s.language, 71, "language id")


@check("run() with a language alias (judge0.PYTHON via /about) and stdin")
def run_alias(client):
    s = judge0.run(
        client=client,
        source_code="import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))",
        language=judge0.PYTHON,
        stdin="1 2 3\n4\n",
    )
    expect_done(s, Status.ACCEPTED, "10\n")
    expect(s.language, judge0.PYTHON, "language stays the alias")


@check("run(): non-ASCII output round-trips through base64")
def run_unicode(client):
    s = judge0.run(client=client, source_code='print("héllo ✓ あ")', language=71)
    expect_done(s, Status.ACCEPTED, "héllo ✓ あ\n")


@check("async_run() then wait()")
def async_then_wait(client):
    s = judge0.async_run(
        client=client,
        source_code="import time\ntime.sleep(0.3)\nprint(input()[::-1])",
        language=71,
        # Not valid base64 on purpose: the SDK's Submission model base64-*decodes* any
        # stdin that happens to be valid base64 when it is constructed (0.0.8 quirk).
        stdin="judge box!",
    )
    if s.token is None:
        raise AssertionError("async_run returned no token")
    if s.status is not None and s.status not in (Status.IN_QUEUE, Status.PROCESSING):
        raise AssertionError(f"async_run already final: {s.status}")
    s = judge0.wait(client=client, submissions=s, retry_strategy=judge0.MaxWaitTime(60))
    expect_done(s, Status.ACCEPTED, "!xob egduj\n")


@check("batch: run() with several submissions, results in order")
def batch_run(client):
    submissions = [
        Submission(source_code='print("py")', language=71),
        Submission(source_code='echo "bash $((6*7))"', language=judge0.BASH),
        Submission(
            source_code='#include <stdio.h>\nint main(void){printf("c %d\\n", 6*7);return 0;}',
            language=judge0.C,
        ),
        Submission(source_code='console.log("js")', language=63),
        Submission(source_code="import sys\nsys.exit(3)", language=71),
    ]
    results = judge0.run(client=client, submissions=submissions)
    expect(len(results), 5, "number of results")
    expect_done(results[0], Status.ACCEPTED, "py\n", "python")
    expect_done(results[1], Status.ACCEPTED, "bash 42\n", "bash")
    expect_done(results[2], Status.ACCEPTED, "c 42\n", "c")
    expect_done(results[3], Status.ACCEPTED, "js\n", "javascript")
    expect_done(results[4], Status.RUNTIME_ERROR_NZEC, None, "exit 3")
    expect(results[4].exit_code, 3, "exit 3 exit_code")


@check("async batch: async_run() with submissions, then wait() polls the batch route")
def batch_async(client):
    submissions = [
        Submission(source_code=f"import time\ntime.sleep(0.2)\nprint({i})", language=71)
        for i in range(4)
    ]
    created = judge0.async_run(client=client, submissions=submissions)
    tokens = [s.token for s in created]
    if None in tokens or len(set(tokens)) != 4:
        raise AssertionError(f"tokens {tokens}")
    done = judge0.wait(client=client, submissions=created, retry_strategy=judge0.MaxWaitTime(60))
    for i, s in enumerate(done):
        expect_done(s, Status.ACCEPTED, f"{i}\n", f"submission {i}")


@check("test_cases: one submission per (stdin, expected_output) pair")
def test_cases(client):
    results = judge0.run(
        client=client,
        source_code="a, b = map(int, input().split())\nprint(a + b)",
        language=71,
        test_cases=[
            ("1 2", "3"),
            judge0.TestCase(input="10 20", expected_output="30\n"),
            {"input": "2 2", "expected_output": "5"},
            ["-1 1", "0   \n\n"],
        ],
    )
    expect(len(results), 4, "number of results")
    expect([r.status for r in results],
           [Status.ACCEPTED, Status.ACCEPTED, Status.WRONG_ANSWER, Status.ACCEPTED],
           "statuses")
    expect([r.stdout for r in results], ["3\n", "30\n", "4\n", "0\n"], "stdouts")
    expect(results[2].expected_output, "5", "echoed expected_output")


@check("a single test case returns a single submission")
def single_test_case(client):
    s = judge0.run(
        client=client,
        source_code="print(input().upper())",
        language=71,
        test_cases=("abc", "ABC"),
    )
    if isinstance(s, list):
        raise AssertionError(f"expected one submission, got {len(s)}")
    expect_done(s, Status.ACCEPTED, "ABC\n")


@check("compile error in C (judge0.C), runtime error, time limit")
def failures(client):
    ce = judge0.run(client=client, source_code="int main(void) { return x; }", language=judge0.C)
    expect(ce.status, Status.COMPILATION_ERROR, "compile error status")
    if not ce.compile_output or "error" not in ce.compile_output:
        raise AssertionError(f"compile_output {ce.compile_output!r}")
    expect(ce.stdout, None, "compile error stdout")
    expect(ce.time, None, "compile error time")

    re = judge0.run(client=client, source_code="raise SystemExit(1)", language=71)
    expect(re.status, Status.RUNTIME_ERROR_NZEC, "runtime error status")
    expect(re.exit_code, 1, "runtime error exit_code")

    tle = judge0.run(
        client=client,
        source_code="while True:\n    pass",
        language=71,
        cpu_time_limit=0.5,
        wall_time_limit=3.0,
    )
    expect(tle.status, Status.TIME_LIMIT_EXCEEDED, "time limit status")


@check("limits and options as the SDK sends them (floats, booleans)")
def options(client):
    s = judge0.run(
        client=client,
        source_code="import sys\nprint(' '.join(sys.argv[1:]), flush=True)\nprint('err', file=sys.stderr)",
        language=71,
        command_line_arguments="one two",
        cpu_time_limit=2.0,
        cpu_extra_time=0.5,
        wall_time_limit=5.0,
        memory_limit=65536.0,
        stack_limit=32000,
        max_processes_and_or_threads=30,
        max_file_size=512,
        redirect_stderr_to_stdout=True,
        number_of_runs=2,
    )
    expect_done(s, Status.ACCEPTED, "one two\nerr\n")
    expect(s.stderr, None, "stderr (redirected)")
    expect(s.cpu_time_limit, 2.0, "echoed cpu_time_limit")
    expect(s.memory_limit, 65536, "echoed memory_limit")
    expect(s.number_of_runs, 2, "echoed number_of_runs")


@check("additional_files: a Filesystem zipped beside the source")
def additional_files(client):
    fs = Filesystem(content=[File(name="data.txt", content="forty-two\n")])
    s = judge0.run(
        client=client,
        source_code="print(open('data.txt').read().strip().upper())",
        language=71,
        additional_files=fs,
    )
    expect_done(s, Status.ACCEPTED, "FORTY-TWO\n")
    if s.additional_files is None:
        raise AssertionError("additional_files not echoed")


@check("C++ (judge0.CPP is id 52 in 1.13.1) and Java")
def compiled(client):
    cpp = judge0.run(
        client=client,
        source_code="#include <iostream>\nint main(){std::string s;std::cin>>s;std::cout<<s.size()<<std::endl;}",
        language=judge0.CPP,
        stdin="judge-box!",
    )
    expect_done(cpp, Status.ACCEPTED, "10\n", "c++")
    java = judge0.run(
        client=client,
        source_code='public class Main { public static void main(String[] a) { System.out.println("java " + (6 * 7)); } }',
        language=judge0.JAVA,
    )
    expect_done(java, Status.ACCEPTED, "java 42\n", "java")


@check("implicit client from JUDGE0_CE_ENDPOINT / JUDGE0_CE_AUTH_HEADERS")
def implicit_client(client):
    import os

    if os.getenv("JUDGE0_CE_ENDPOINT") is None or os.getenv("JUDGE0_CE_AUTH_HEADERS") is None:
        raise AssertionError("set JUDGE0_CE_ENDPOINT and JUDGE0_CE_AUTH_HEADERS to run this check")
    implicit = judge0.get_client(judge0.CE)
    expect(implicit.endpoint, os.environ["JUDGE0_CE_ENDPOINT"], "implicit client endpoint")
    s = judge0.run(source_code='print("implicit")', language=judge0.PYTHON)
    expect_done(s, Status.ACCEPTED, "implicit\n")


CHECKS = [
    client_metadata,
    run_hello,
    run_alias,
    run_unicode,
    async_then_wait,
    batch_run,
    batch_async,
    test_cases,
    single_test_case,
    failures,
    options,
    additional_files,
    compiled,
    implicit_client,
]


def on_alarm(signum, frame):
    print(f"FAIL: the SDK checks did not finish within {OVERALL_TIMEOUT_S} s "
          f"(failed so far: {FAILURES})", flush=True)
    traceback.print_stack(frame)
    sys.exit(1)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    base_url = sys.argv[1]
    headers = {"X-Auth-Token": sys.argv[2]} if len(sys.argv) == 3 else {}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(OVERALL_TIMEOUT_S)
    print(f"judge0 SDK {judge0.__version__} against {base_url}", flush=True)
    try:
        client = judge0.Client(base_url, headers)
    except Exception:  # noqa: BLE001
        print(f"FAIL judge0.Client({base_url!r}):\n{traceback.format_exc()}", flush=True)
        return 2
    for c in CHECKS:
        c(client)
    print(f"SDK checks: {len(CHECKS) - len(FAILURES)} of {len(CHECKS)} ok", flush=True)
    if FAILURES:
        print("failed: " + "; ".join(FAILURES), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
