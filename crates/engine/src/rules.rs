//! Judge0's rules, as pure functions: a run's report becomes a status, and output is compared
//! with the expected output the way Judge0 compares it.

use judgebox_spec::{Outcome, RunReport, Status};

/// How one run ended, in Judge0's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRuling {
    pub status: Status,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    pub message: Option<String>,
}

const SIGFPE: i32 = 8;
const SIGABRT: i32 = 6;
const SIGKILL: i32 = 9;
const SIGSEGV: i32 = 11;
const SIGXFSZ: i32 = 25;

/// Errnos `execve` gives for something that is not a runnable program (Judge0's status 14).
const ENOENT: i32 = 2;
const ENOEXEC: i32 = 8;
const EACCES: i32 = 13;

/// Rules on one run. `cpu_time_limit` is the submission's own limit: the box may have let the
/// program run on to `cpu_extra_time`, but past the limit is a time-out all the same (isolate's
/// rule). `stdout_cap` is `max_file_size` in bytes: Judge0 writes stdout to a file under
/// RLIMIT_FSIZE, so a program printing more dies of SIGXFSZ there.
pub fn rule_run(
    report: &RunReport,
    cpu_time_limit: f64,
    argv0: &str,
    stdout_cap: Option<u64>,
) -> RunRuling {
    let ruling = |status, exit_code, exit_signal, message: &str| RunRuling {
        status,
        exit_code,
        exit_signal,
        message: Some(message.to_string()).filter(|m| !m.is_empty()),
    };
    let over_output = stdout_cap.is_some_and(|cap| {
        report.stdout.0.len() as u64 > cap || report.stderr.0.len() as u64 > cap
    });
    match report.outcome {
        Outcome::CpuTimeLimit => ruling(
            Status::TimeLimitExceeded,
            Some(0),
            None,
            "Time limit exceeded",
        ),
        Outcome::WallTimeLimit => ruling(
            Status::TimeLimitExceeded,
            Some(0),
            None,
            "Time limit exceeded (wall clock)",
        ),
        Outcome::MemoryLimit => ruling(
            Status::RuntimeOther,
            Some(0),
            Some(SIGKILL),
            "Memory limit exceeded",
        ),
        Outcome::OutputLimit => ruling(
            Status::RuntimeSigxfsz,
            Some(0),
            Some(SIGXFSZ),
            "Output limit exceeded (max_file_size)",
        ),
        _ if cpu_time_limit > 0.0
            && report.cpu_time > cpu_time_limit
            && report.outcome != Outcome::JailFault =>
        {
            ruling(
                Status::TimeLimitExceeded,
                Some(0),
                None,
                "Time limit exceeded",
            )
        }
        Outcome::Exited | Outcome::Signaled if over_output => ruling(
            Status::RuntimeSigxfsz,
            Some(0),
            Some(SIGXFSZ),
            "Output limit exceeded (max_file_size)",
        ),
        Outcome::Exited => match report.exit_code {
            Some(0) | None => ruling(Status::Accepted, Some(0), None, ""),
            Some(code) => ruling(
                Status::RuntimeNzec,
                Some(code),
                None,
                &format!("Exited with error status {code}"),
            ),
        },
        Outcome::Signaled => {
            let signal = report.signal.unwrap_or(0);
            let status = match signal {
                SIGSEGV => Status::RuntimeSigsegv,
                SIGXFSZ => Status::RuntimeSigxfsz,
                SIGFPE => Status::RuntimeSigfpe,
                SIGABRT => Status::RuntimeSigabrt,
                _ => Status::RuntimeOther,
            };
            ruling(
                status,
                Some(0),
                Some(signal),
                &format!("Caught fatal signal {signal}"),
            )
        }
        // Every way `execve` refuses the program (not a program, a link loop, a name too
        // long, arguments too large, ...) comes from what the submission is or made of
        // itself: Exec Format Error. A fault of the jail comes without an errno.
        Outcome::JailFault => match report.exec_errno {
            Some(errno) => {
                let why = match errno {
                    ENOENT => "No such file or directory".to_string(),
                    ENOEXEC => "Exec format error".to_string(),
                    EACCES => "Permission denied".to_string(),
                    other => errno_text(other),
                };
                ruling(
                    Status::ExecFormatError,
                    Some(0),
                    None,
                    &format!("execve({argv0}): {why}"),
                )
            }
            None => ruling(
                Status::InternalError,
                None,
                None,
                report.message.as_deref().unwrap_or("the sandbox failed"),
            ),
        },
    }
}

fn is_ruby_space(b: u8) -> bool {
    // Ruby's String#rstrip removes whitespace and NUL: " \t\n\v\f\r\0".
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0)
}

fn trim_end(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .rposition(|&b| !is_ruby_space(b))
        .map_or(0, |i| i + 1);
    &text[..end]
}

/// Whether `stdout` matches `expected` by Judge0's rule. An empty output is Judge0's `nil`,
/// which matches nothing, not even an empty expected output.
pub fn output_matches(expected: &[u8], stdout: Option<&[u8]>) -> bool {
    let Some(stdout) = stdout.filter(|s| !s.is_empty()) else {
        return false;
    };
    normalise(expected) == normalise(stdout)
}

/// Judge0's `t.split("\n").map(&:rstrip).join("\n").rstrip`, as the list of its lines:
/// trailing whitespace goes from every line and trailing blank lines from the end; leading
/// whitespace and leading blank lines stay.
fn normalise(text: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').map(trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// The C library's text for an errno, without Rust's " (os error N)".
fn errno_text(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use judgebox_spec::Bytes;

    fn report(outcome: Outcome, exit_code: Option<i32>, signal: Option<i32>) -> RunReport {
        RunReport {
            outcome,
            exit_code,
            signal,
            cpu_time: 0.01,
            wall_time: 0.02,
            memory: 1000,
            charged: 1000,
            stdout: Bytes::default(),
            stderr: Bytes::default(),
            overshoot: None,
            message: None,
            exec_errno: None,
        }
    }

    #[test]
    fn signals_map_to_judge0_statuses() {
        let cases = [
            (11, Status::RuntimeSigsegv),
            (25, Status::RuntimeSigxfsz),
            (8, Status::RuntimeSigfpe),
            (6, Status::RuntimeSigabrt),
            (15, Status::RuntimeOther),
        ];
        for (sig, status) in cases {
            let r = rule_run(
                &report(Outcome::Signaled, None, Some(sig)),
                5.0,
                "./a.out",
                None,
            );
            assert_eq!(r.status, status);
            assert_eq!(r.exit_signal, Some(sig));
            assert_eq!(r.message.unwrap(), format!("Caught fatal signal {sig}"));
        }
    }

    #[test]
    fn exits_limits_and_faults() {
        let ok = rule_run(&report(Outcome::Exited, Some(0), None), 5.0, "x", None);
        assert_eq!(
            (ok.status, ok.exit_code, ok.message),
            (Status::Accepted, Some(0), None)
        );
        let nz = rule_run(&report(Outcome::Exited, Some(3), None), 5.0, "x", None);
        assert_eq!(nz.status, Status::RuntimeNzec);
        assert_eq!(nz.exit_code, Some(3));
        assert_eq!(nz.message.unwrap(), "Exited with error status 3");
        let mem = rule_run(&report(Outcome::MemoryLimit, None, Some(9)), 5.0, "x", None);
        assert_eq!(
            (mem.status, mem.exit_signal),
            (Status::RuntimeOther, Some(9))
        );
        assert_eq!(mem.message.unwrap(), "Memory limit exceeded");
        let wall = rule_run(&report(Outcome::WallTimeLimit, None, None), 5.0, "x", None);
        assert_eq!(wall.status, Status::TimeLimitExceeded);
        assert_eq!(wall.message.unwrap(), "Time limit exceeded (wall clock)");
        let mut slow = report(Outcome::Exited, Some(0), None);
        slow.cpu_time = 1.5;
        assert_eq!(
            rule_run(&slow, 1.0, "x", None).status,
            Status::TimeLimitExceeded
        );
        let mut fault = report(Outcome::JailFault, None, None);
        fault.message = Some("box start-up failed".into());
        assert_eq!(
            rule_run(&fault, 5.0, "x", None).status,
            Status::InternalError
        );
        fault.exec_errno = Some(8);
        let exec = rule_run(&fault, 5.0, "./a.out", None);
        assert_eq!(exec.status, Status::ExecFormatError);
        assert_eq!(exec.message.unwrap(), "execve(./a.out): Exec format error");
        // A link loop (ELOOP, 40) is the submission's too.
        fault.exec_errno = Some(40);
        let exec = rule_run(&fault, 5.0, "./a.out", None);
        assert_eq!(exec.status, Status::ExecFormatError);
        assert_eq!(
            exec.message.unwrap(),
            "execve(./a.out): Too many levels of symbolic links"
        );
        let mut loud = report(Outcome::Exited, Some(0), None);
        loud.stdout = Bytes(vec![b'x'; 11]);
        assert_eq!(
            rule_run(&loud, 5.0, "x", Some(10)).status,
            Status::RuntimeSigxfsz
        );
        assert_eq!(rule_run(&loud, 5.0, "x", Some(11)).status, Status::Accepted);
    }

    #[test]
    fn comparison_ignores_trailing_whitespace_only() {
        assert!(output_matches(b"1 2\n3\n", Some(b"1 2  \n3")));
        assert!(output_matches(b"a\n\n\n", Some(b"a \t\r\n \n")));
        assert!(output_matches(b"x", Some(b"x\0")));
        assert!(!output_matches(b" a", Some(b"a")), "leading space counts");
        assert!(
            !output_matches(b"\na", Some(b"a")),
            "leading blank line counts"
        );
        assert!(!output_matches(b"a\nb", Some(b"a\n\nb")));
        assert!(!output_matches(b"", Some(b"")), "empty output is nil");
        assert!(!output_matches(b"", None));
        assert!(
            output_matches(b"   \n", Some(b"\n")),
            "both strip to nothing"
        );
    }
}
