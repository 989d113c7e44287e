//! The figures a box reports are right, within generous bounds (the benchmark in
//! `benches/` prints the real figures). Needs root. The tests in this file run one at a time
//! so that they do not share the CPUs.

use std::io::Write;
use std::process::Command;
use std::sync::Mutex;

use judgebox_spec::Outcome;
use judgebox_testkit::{fixture_path, limits, Jail};
use nix::sys::resource::{getrusage, UsageWho};

const JAIL: &str = env!("CARGO_BIN_EXE_judgebox-jail");
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn children_cpu() -> f64 {
    let u = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap();
    let tv = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    tv(u.user_time()) + tv(u.system_time())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[test]
fn cpu_time_matches_getrusage_of_the_bare_program() {
    let _serial = ONE_AT_A_TIME.lock().unwrap();
    let bare_path = fixture_path("burn200");
    let bare: Vec<f64> = (0..5)
        .map(|_| {
            let before = children_cpu();
            assert!(Command::new(&bare_path).output().unwrap().status.success());
            children_cpu() - before
        })
        .collect();
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("burn200");
    let boxed: Vec<f64> = (0..5)
        .map(|_| {
            let r = jail.run(&["./burn200"], limits());
            assert_eq!(
                (r.outcome, r.exit_code),
                (Outcome::Exited, Some(0)),
                "{r:?}"
            );
            r.cpu_time
        })
        .collect();
    jail.finish();
    let (b, j) = (median(bare), median(boxed));
    eprintln!(
        "burn200: bare getrusage {:.3} ms, box {:.3} ms",
        b * 1e3,
        j * 1e3
    );
    assert!((j - b).abs() < 0.010, "box {j} s vs bare {b} s");
}

#[test]
fn peak_memory_of_64_mib_is_reported_within_3_percent() {
    let _serial = ONE_AT_A_TIME.lock().unwrap();
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("touch64");
    for _ in 0..3 {
        let mut l = limits();
        l.memory = 256_000;
        let r = jail.run(&["./touch64"], l);
        assert_eq!(
            (r.outcome, r.exit_code),
            (Outcome::Exited, Some(0)),
            "{r:?}"
        );
        let error = (r.memory as f64 - 65536.0).abs() / 65536.0;
        eprintln!("touch64: {} KB ({:.2}%)", r.memory, error * 100.0);
        assert!(error < 0.03, "reported {} KB for 65536 KB", r.memory);
    }
    jail.finish();
}

/// How much of `path` is in the page cache, in bytes (util-linux's `fincore`).
fn cached_bytes(path: &std::path::Path) -> u64 {
    let out = Command::new("fincore")
        .args(["--bytes", "--noheadings", "--output", "RES"])
        .arg(path)
        .output()
        .expect("fincore (util-linux)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// A compiler's files, read in a box, are charged to the slot's memory group and stay there
/// as the next run's baseline. When that baseline is over a quarter of the next run's limit
/// the group is renewed: the next run's peak starts from nothing, and the files stay cached
/// (dropping the charge in place evicted them, and every compile read them again).
#[test]
fn a_large_cache_baseline_is_shed_and_the_files_stay_cached() {
    let _serial = ONE_AT_A_TIME.lock().unwrap();
    const SIZE: usize = 48 << 20;
    // Under /usr, which the run profile binds into the box, and not yet cached.
    let dir = tempfile::Builder::new()
        .prefix("judgebox-test-cache-")
        .tempdir_in("/usr/local")
        .unwrap();
    let path = dir.path().join("toolchain.bin");
    let mut file = std::fs::File::create(&path).unwrap();
    let block: Vec<u8> = (0..1 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    for _ in 0..SIZE >> 20 {
        file.write_all(&block).unwrap();
    }
    file.sync_all().unwrap();
    nix::fcntl::posix_fadvise(
        &file,
        0,
        0,
        nix::fcntl::PosixFadviseAdvice::POSIX_FADV_DONTNEED,
    )
    .unwrap();
    assert!(
        cached_bytes(&path) < (SIZE / 4) as u64,
        "the file left the cache"
    );

    let mut jail = Jail::start(JAIL, &[]);
    let boxed = path.to_str().unwrap();
    let mut compile = limits();
    compile.memory = 512_000;
    let r = jail.run(
        &["/bin/sh", "-c", &format!("cat {boxed} > /dev/null")],
        compile,
    );
    assert_eq!(
        (r.outcome, r.exit_code),
        (Outcome::Exited, Some(0)),
        "{r:?}"
    );
    assert!(
        r.charged > 40_000,
        "the read was charged to the box: {} KB",
        r.charged
    );
    // The run's limit is 128000 KB: 48 MiB of baseline is more than a quarter of it.
    let r = jail.run(&["/bin/true"], limits());
    assert_eq!(
        (r.outcome, r.exit_code),
        (Outcome::Exited, Some(0)),
        "{r:?}"
    );
    jail.finish();
    assert!(
        r.charged < 8_000,
        "the run counted its own pages only: {} KB",
        r.charged
    );
    let cached = cached_bytes(&path);
    assert!(
        cached > (SIZE as u64) * 9 / 10,
        "the files stayed cached: {cached} of {SIZE} bytes"
    );
}

#[test]
fn cpu_limit_kills_land_close_to_the_limit() {
    let _serial = ONE_AT_A_TIME.lock().unwrap();
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("spin");
    for limit in [0.25, 0.5, 1.0] {
        let mut l = limits();
        l.cpu_time = limit;
        let r = jail.run(&["./spin"], l);
        assert_eq!(r.outcome, Outcome::CpuTimeLimit, "{r:?}");
        let over = r.overshoot.unwrap();
        eprintln!(
            "spin at {limit} s: killed {:.2} ms past the limit",
            over * 1e3
        );
        assert!(over < 0.020, "overshoot {over} s at a {limit} s limit");
    }
    jail.finish();
}
