//! `judgebox-jail --check`: one line per thing boxes need, pass or fail, and for a failure,
//! what to do about it; then one line per degradation (something boxes work without, at a
//! cost), with the fix. Only a failure makes the exit code non-zero.

use std::process::ExitCode;

use judgebox_sandbox::cgroup::{self, CgroupVersion};
use judgebox_sandbox::{host, Slot, SlotConfig};
use judgebox_spec::{Limits, Outcome, Profiles, RunRequest};

struct Report {
    failed: bool,
}

impl Report {
    fn line(&mut self, name: &str, result: Result<String, String>) {
        match result {
            Ok(detail) => println!("pass  {name}: {detail}"),
            Err(fix) => {
                self.failed = true;
                println!("FAIL  {name}: {fix}");
            }
        }
    }
}

pub fn run(config: &SlotConfig, profiles: anyhow::Result<Profiles>) -> ExitCode {
    let mut r = Report { failed: false };
    let root = nix::unistd::geteuid().is_root();
    r.line(
        "privileges",
        if root {
            Ok("running as root".into())
        } else {
            Err("not root: run judgebox as root (sudo, or the systemd units in systemd/)".into())
        },
    );
    let version = match config.cgroup.version {
        Some(v) => Ok(v),
        None => cgroup::detect(&config.cgroup.root),
    };
    r.line(
        "cgroups",
        match &version {
            Ok(CgroupVersion::V1) => Ok(format!(
                "v1 hierarchies memory, pids, cpuacct under {}",
                config.cgroup.root.display()
            )),
            Ok(CgroupVersion::V2) => Ok(format!(
                "v2 with memory and pids; the slots' groups under {}",
                config.cgroup.slot_root(CgroupVersion::V2).join(&config.cgroup.parent).display()
            )),
            Err(e) => Err(format!(
                "{e}; mount the v1 memory, pids and cpuacct controllers, or give judgebox a delegated v2 subtree (Delegate=yes) with --cgroup-root"
            )),
        },
    );
    r.line(
        "cgroup migrations",
        Ok(if cgroup::favors_dynmods() {
            "cheap: the cgroup2 root has favordynmods".into()
        } else if config.favor_dynmods {
            "the cgroup2 root lacks favordynmods; each jail sets it when it starts".into()
        } else {
            "the cgroup2 root lacks favordynmods and --keep-cgroup-mode leaves it so: a run after an idle spell pays 5-20 ms to join its cgroup".into()
        }),
    );
    let missing = host::missing_namespaces();
    r.line(
        "namespaces",
        if missing.is_empty() {
            Ok("pid, mount, ipc, uts, net, cgroup".into())
        } else {
            Err(format!(
                "the kernel lacks {missing:?} namespaces: enable CONFIG_*_NS"
            ))
        },
    );
    r.line(
        "seccomp",
        host::seccomp_actions().and_then(|a| {
            if a.split_whitespace().any(|x| x == "errno")
                && a.split_whitespace().any(|x| x == "kill_process")
            {
                Ok(format!("filters available ({a})"))
            } else {
                Err(format!(
                    "the kernel offers only {a:?}; errno and kill_process are needed"
                ))
            }
        }),
    );
    r.line(
        "landlock",
        match host::landlock_abi() {
            Ok(abi) => Ok(format!("ABI {abi}")),
            Err(why) if config.require_landlock => Err(format!(
                "{why}; JUDGEBOX_REQUIRE_LANDLOCK is set, so no box runs without it"
            )),
            Err(_) => Ok("not available (see the degradations below)".into()),
        },
    );
    let profiles = match profiles {
        Ok(p) => {
            let compiled: Result<Vec<String>, String> = p
                .iter()
                .map(|pr| {
                    judgebox_sandbox::seccomp::compile(&pr.seccomp_file, &pr.seccomp_json)
                        .map(|_| pr.name.clone())
                        .map_err(|e| e.to_string())
                })
                .collect();
            r.line(
                "profiles",
                compiled.map(|names| format!("loaded and compiled: {}", names.join(", "))),
            );
            Some(p)
        }
        Err(e) => {
            r.line("profiles", Err(format!("{e:#}")));
            None
        }
    };
    if let (true, Some(profiles)) = (root, profiles) {
        r.line("test box", test_box(config, profiles));
    } else {
        r.line(
            "test box",
            Err("skipped: fix the failures above first".into()),
        );
    }
    for d in host::degradations(&config.cgroup) {
        println!("degraded  {}: {}. To fix: {}", d.what, d.cost, d.fix);
    }
    if r.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn test_box(config: &SlotConfig, profiles: Profiles) -> Result<String, String> {
    let limits: Limits = profiles.get("run").map_err(|e| e.to_string())?.defaults;
    let mut slot = Slot::open_ephemeral(config, profiles).map_err(|e| e.to_string())?;
    let report = slot.run(&RunRequest {
        profile: "run".into(),
        argv: vec!["/bin/sh".into(), "-c".into(), "echo box-ok; id -u".into()],
        env: vec![],
        stdin: Default::default(),
        limits,
        network: false,
        stderr_to_stdout: false,
        address_space: None,
    });
    let uid = slot.uid();
    let _ = slot.close();
    let stdout = report.stdout.lossy();
    if report.outcome == Outcome::Exited
        && report.exit_code == Some(0)
        && stdout.starts_with("box-ok")
    {
        Ok(format!(
            "ran /bin/sh as uid {} in {:.1} ms wall, {} KB peak",
            stdout.lines().nth(1).unwrap_or(&uid.to_string()),
            report.wall_time * 1e3,
            report.memory
        ))
    } else {
        Err(format!(
            "a box did not run: {:?} {}",
            report.outcome,
            report.message.unwrap_or_else(|| report.stderr.lossy())
        ))
    }
}
