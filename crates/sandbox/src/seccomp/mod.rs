//! The box's seccomp policy: a seccompiler JSON file from the profile, compiled once per jail
//! and installed by each program just before `execve`.
//!
//! The file is validated by seccompiler itself, then compiled here into a binary search over
//! syscall numbers ([`tree`]). seccompiler emits one linear chain (1424 instructions for our
//! ~280-entry allowlist), and the kernel's seccomp cache emulates the filter once for every
//! syscall number at install time: that cost 0.62 ms per run, more than the rest of the
//! program's set-up together. The tree is ~20 instructions deep and installs in a fraction
//! of that; a test checks that both programs give the same answer for every syscall.
//!
//! Like seccompiler's, the filter first checks the architecture and kills the process for
//! any other ABI (32-bit `int 0x80` arrives as `AUDIT_ARCH_I386`), and x32 calls carry
//! syscall numbers with bit 30 set, which no entry matches.

mod tree;

use seccompiler::{BpfProgram, TargetArch};

pub use tree::Policy;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("seccomp policy {file}: {message}")]
    Invalid { file: String, message: String },
}

/// Compiles a profile's policy. The file must hold exactly one filter.
pub fn compile(file: &str, json: &str) -> Result<BpfProgram, PolicyError> {
    let invalid = |message: String| PolicyError::Invalid {
        file: file.to_string(),
        message,
    };
    // seccompiler is the authority on the format: what it refuses, we refuse.
    let map = seccompiler::compile_from_json(json.as_bytes(), TargetArch::x86_64)
        .map_err(|e| invalid(e.to_string()))?;
    if map.len() != 1 {
        return Err(invalid(format!(
            "holds {} filters, expected exactly one",
            map.len()
        )));
    }
    let policy = Policy::from_json(json).map_err(invalid)?;
    policy.compile().map_err(invalid)
}

/// seccompiler's own (linear) compilation of the same file, for comparison in tests and
/// benchmarks.
pub fn compile_linear(json: &str) -> Result<BpfProgram, String> {
    let map = seccompiler::compile_from_json(json.as_bytes(), TargetArch::x86_64)
        .map_err(|e| e.to_string())?;
    map.into_values().next().ok_or_else(|| "no filter".into())
}

/// Installs a compiled filter on the calling thread (which then `execve`s).
pub(crate) fn install(program: &BpfProgram) -> Result<(), nix::errno::Errno> {
    seccompiler::apply_filter(program).map_err(|e| match e {
        seccompiler::Error::Seccomp(io) => {
            nix::errno::Errno::from_raw(io.raw_os_error().unwrap_or(libc::EINVAL))
        }
        _ => nix::errno::Errno::EINVAL,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use judgebox_spec::Profiles;

    #[test]
    fn every_profile_policy_compiles_small() {
        for profile in Profiles::builtin().unwrap().iter() {
            let bpf = compile(&profile.seccomp_file, &profile.seccomp_json).unwrap();
            let linear = compile_linear(&profile.seccomp_json).unwrap();
            assert!(
                bpf.len() > 30,
                "{} compiled to {} instructions",
                profile.name,
                bpf.len()
            );
            // Install cost grows with the length (the kernel checks and JITs every
            // instruction), so keep it well under seccompiler's linear form.
            eprintln!(
                "{}: {} instructions (seccompiler: {})",
                profile.name,
                bpf.len(),
                linear.len()
            );
            assert!(
                bpf.len() * 4 < linear.len(),
                "tree {} vs linear {}",
                bpf.len(),
                linear.len()
            );
        }
    }

    #[test]
    fn policy_leaves_out_the_escape_hatches() {
        let profiles = Profiles::builtin().unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&profiles.get("run").unwrap().seccomp_json).unwrap();
        let names: Vec<&str> = json["box"]["filter"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["syscall"].as_str().unwrap())
            .collect();
        for banned in [
            "unshare",
            "setns",
            "clone3",
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "keyctl",
            "add_key",
            "request_key",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "open_by_handle_at",
            "name_to_handle_at",
            "kexec_load",
            "init_module",
            "finit_module",
            "reboot",
            "swapon",
            "settimeofday",
            "clock_settime",
            "fsopen",
            "fsmount",
            "move_mount",
            "open_tree",
            "pidfd_getfd",
            "process_madvise",
        ] {
            assert!(!names.contains(&banned), "{banned} must not be allowed");
        }
        // Every rule says why it is there.
        for rule in json["box"]["filter"].as_array().unwrap() {
            assert!(
                rule["comment"].as_str().is_some_and(|c| !c.is_empty()),
                "{rule}"
            );
        }
    }

    #[test]
    fn garbage_is_a_named_error() {
        let err = compile("x.json", "{\"box\": {\"mismatch_action\": \"allow\"}}").unwrap_err();
        assert!(err.to_string().contains("x.json"));
        let unknown = r#"{"box": {"mismatch_action": "allow", "match_action": "allow", "filter": [{"syscall": "no_such_call"}]}}"#;
        assert!(compile("y.json", unknown).is_err());
    }
}
