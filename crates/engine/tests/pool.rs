//! A jail that dies costs the submission it was running an Internal Error, never the
//! service: the next submission gets a fresh jail. Needs root.

use std::sync::Arc;
use std::time::Duration;

use judgebox_engine::{Catalog, Engine, EngineConfig, JailCommand, JailPool, Job, SlotPlan};
use judgebox_spec::{Languages, Status};
use judgebox_testkit::require_root;

fn jail_command() -> JailCommand {
    JailCommand {
        binary: judgebox_testkit::built_jail(),
        args: Vec::new(),
    }
}

/// Our own children named judgebox-jail.
fn jail_children() -> Vec<i32> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some((comm, rest)) = stat.split_once(") ") else {
            continue;
        };
        let ppid = rest.split_whitespace().nth(1).unwrap_or("");
        if comm.ends_with("(judgebox-jail") && ppid == me {
            found.push(pid);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_jail_costs_one_submission_and_is_replaced() {
    require_root();
    let all = Languages::builtin().unwrap();
    let catalog = Catalog::detect_specs([all.get(71).unwrap().clone()]).await;
    let pool = JailPool::new(jail_command(), SlotPlan::Ephemeral { count: 1 });
    pool.start_all().await.unwrap();
    let engine = Engine::new(pool.clone(), Arc::new(catalog), EngineConfig::default());
    let job = |source: &str| Job {
        language_id: 71,
        source_code: Some(source.as_bytes().to_vec()),
        number_of_runs: 1,
        ..Job::default()
    };

    let slow = tokio::spawn({
        let engine = engine.clone();
        let job = job("import time\ntime.sleep(5)\n");
        async move { engine.judge(&job).await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let jails = jail_children();
    assert_eq!(jails.len(), 1, "one jail in the pool: {jails:?}");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(jails[0]),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let lost = slow.await.unwrap();
    assert_eq!(lost.status, Status::InternalError, "{lost:?}");
    assert!(lost.message.is_some());

    let next = engine.judge(&job("print('still here')")).await;
    assert_eq!(next.status, Status::Accepted, "{next:?}");
    assert_eq!(next.stdout.as_deref(), Some(&b"still here\n"[..]));
    assert_eq!(pool.jails_started(), 2, "the dead jail was replaced once");
}
