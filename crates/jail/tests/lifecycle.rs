//! A jail's life: its boxes die with it, and a thousand runs leave nothing behind. Needs root.

use std::path::Path;
use std::time::{Duration, Instant};

use judgebox_spec::{JailRequest, JailResponse, Outcome};
use judgebox_testkit::{limits, processes_of_uid, Jail};

const JAIL: &str = env!("CARGO_BIN_EXE_judgebox-jail");

fn count_lines(path: &str) -> usize {
    std::fs::read_to_string(path)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

fn fd_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

#[test]
fn killing_the_jail_kills_its_box_within_50_ms() {
    for slot in [940u32, 941] {
        let uid = 60000 + slot;
        let mut jail = Jail::start(JAIL, &["--slot", &slot.to_string()]);
        // A box with a program and a double-forked daemon of its own, sleeping.
        jail.send(&JailRequest::Run(Jail::run_request(
            &["/bin/sh", "-c", "(sleep 1000 &); sleep 1000"],
            limits(),
        )));
        let until = Instant::now() + Duration::from_secs(5);
        while processes_of_uid(uid).len() < 3 {
            assert!(Instant::now() < until, "the box never started");
            std::thread::sleep(Duration::from_millis(5));
        }
        let killed = Instant::now();
        jail.kill();
        loop {
            let left = processes_of_uid(uid);
            if left.is_empty() {
                break;
            }
            assert!(
                killed.elapsed() < Duration::from_millis(50),
                "box processes {left:?} alive 50 ms after the jail died"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        eprintln!(
            "slot {slot}: box gone {:?} after SIGKILL of its jail",
            killed.elapsed()
        );
        // A killed jail cannot remove its slot's (now empty) cgroup; the slot's next jail
        // would reuse it. Tidy up after the test.
        for ctrl in ["memory", "pids", "cpuacct"] {
            let dir = Path::new("/sys/fs/cgroup").join(ctrl).join("judgebox");
            let _ = std::fs::remove_dir(dir.join(format!("slot-{slot}")));
        }
    }
}

#[test]
fn a_slot_has_one_owner() {
    let mut first = Jail::start(JAIL, &["--slot", "942"]);
    // Once it answers, it holds the slot.
    assert!(matches!(
        first.call(&JailRequest::ResetBox),
        JailResponse::Done
    ));
    let out = std::process::Command::new(JAIL)
        .args(["--slot", "942"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("slot 942 is in use"),
        "{out:?}"
    );
    first.finish();
}

#[test]
fn a_thousand_runs_leave_nothing_behind() {
    let slot = 943u32;
    let uid = 60000 + slot;
    let host_mounts = count_lines("/proc/self/mountinfo");
    let mut jail = Jail::start(JAIL, &["--slot", &slot.to_string()]);
    // Each run writes in /box, /tmp and /dev/shm, and leaves a daemon behind on purpose.
    let script = "echo x > /tmp/t; echo y > /dev/shm/s; echo z > /box/f$$; (sleep 100 &); echo ok";
    let first = jail.sh(script);
    assert_eq!(first.stdout.lossy(), "ok\n", "{first:?}");
    let jail_pid = jail.pid();
    let (fds, jail_mounts) = (
        fd_count(jail_pid),
        count_lines(&format!("/proc/{jail_pid}/mountinfo")),
    );
    for i in 1..1000 {
        if i % 100 == 0 {
            assert!(matches!(
                jail.call(&JailRequest::ResetBox),
                JailResponse::Done
            ));
        }
        let r = jail.sh(script);
        assert_eq!(
            (r.outcome, r.stdout.0.as_slice()),
            (Outcome::Exited, &b"ok\n"[..]),
            "run {i}: {r:?}"
        );
    }
    assert_eq!(fd_count(jail_pid), fds, "the jail leaks file descriptors");
    assert_eq!(
        count_lines(&format!("/proc/{jail_pid}/mountinfo")),
        jail_mounts,
        "the jail leaks mounts"
    );
    assert!(
        processes_of_uid(uid).is_empty(),
        "box processes outlived their runs"
    );
    assert_eq!(
        count_lines("/proc/self/mountinfo"),
        host_mounts,
        "the host gained mounts"
    );
    jail.finish();
    for ctrl in ["memory", "pids", "cpuacct"] {
        let dir = Path::new("/sys/fs/cgroup")
            .join(ctrl)
            .join("judgebox")
            .join(format!("slot-{slot}"));
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
    let slot_dir = Path::new("/run/judgebox/slots").join(format!("slot-{slot}"));
    assert_eq!(
        std::fs::read_dir(&slot_dir).map(|d| d.count()).unwrap_or(0),
        0,
        "files left in {}",
        slot_dir.display()
    );
    assert_eq!(count_lines("/proc/self/mountinfo"), host_mounts);
}
