//! A program in a box cannot reach the host: kernel doors, network, files, processes, and the
//! host-side reads of box files. Needs root.

use std::net::TcpListener;

use judgebox_spec::{JailResponse, Outcome};
use judgebox_testkit::{limits, secret, Jail};

const JAIL: &str = env!("CARGO_BIN_EXE_judgebox-jail");

fn lines_saying_ok(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("ok"))
        .collect()
}

#[test]
fn kernel_doors_are_shut() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("escape_syscalls");
    let r = jail.run(&["./escape_syscalls"], limits());
    let out = r.stdout.lossy();
    assert_eq!(r.outcome, Outcome::Exited, "{r:?}\n{out}");
    assert_eq!(out.lines().count(), 28, "every attempt reports:\n{out}");
    assert!(lines_saying_ok(&out).is_empty(), "escapes:\n{out}");
    jail.finish();
}

#[test]
fn foreign_syscall_abis_are_refused() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("int80");
    jail.install("x32");
    let r = jail.run(&["./int80"], limits());
    assert_eq!(
        (r.outcome, r.signal),
        (Outcome::Signaled, Some(31)),
        "int 0x80 must die of SIGSYS: {r:?}"
    );
    let r = jail.run(&["./x32"], limits());
    assert_eq!(
        (r.outcome, r.exit_code),
        (Outcome::Exited, Some(38)),
        "x32 call must get ENOSYS: {r:?}"
    );
    jail.finish();
}

#[test]
fn the_network_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let any = TcpListener::bind("0.0.0.0:0").unwrap();
    any.set_nonblocking(true).unwrap();
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("net_connect");
    for p in [port, any.local_addr().unwrap().port()] {
        let r = jail.run(&["./net_connect", &p.to_string()], limits());
        let out = r.stdout.lossy();
        assert_eq!(out.lines().count(), 7, "{out}");
        assert!(lines_saying_ok(&out).is_empty(), "network reached:\n{out}");
    }
    assert!(
        listener.accept().is_err() && any.accept().is_err(),
        "a box connected to the host"
    );
    // The box's network namespace has loopback and nothing else.
    let r = jail.sh("grep : /proc/net/dev | cut -d: -f1 | tr -d ' '");
    assert_eq!(r.stdout.lossy(), "lo\n", "{r:?}");
    jail.finish();
}

#[test]
fn host_files_are_out_of_reach() {
    let canary = format!("/root/judgebox-canary-{}", secret());
    let value = secret();
    std::fs::write(&canary, &value).unwrap();
    let mut jail = Jail::start(JAIL, &[]);
    let r = jail.sh(&format!(
        "cat {canary}; ls /root; cat /etc/shadow; cat /proc/1/environ; ls /sys/fs/cgroup; echo end"
    ));
    std::fs::remove_file(&canary).unwrap();
    let out = r.stdout.lossy();
    assert_eq!(out, "end\n", "{r:?}");
    assert!(!r.stderr.lossy().contains(&value));
    jail.finish();
}

#[test]
fn toolchains_and_root_are_read_only() {
    let mut jail = Jail::start(JAIL, &[]);
    let name = format!("judgebox-w-{}", secret());
    let r = jail.sh(&format!(
        "for d in /usr /etc /bin /lib /; do touch $d/{name} 2>/dev/null && echo wrote $d; done; \
         rm /usr/bin/env 2>/dev/null && echo removed; echo > /box/ok && echo > /tmp/ok && echo > /dev/shm/ok && echo writable; \
         echo > /dev/null && head -c 1 /dev/zero > /dev/null && head -c 1 /dev/urandom > /dev/null && echo devices; \
         echo > /dev/made 2>/dev/null && echo made-in-dev"
    ));
    assert_eq!(r.stdout.lossy(), "writable\ndevices\n", "{r:?}");
    for d in ["/usr", "/etc", "/"] {
        assert!(!std::path::Path::new(d).join(&name).exists());
    }
    jail.finish();
}

/// A host filesystem mounted below a directory the profile binds (here a writable tmpfs
/// under /usr/local) is read-only, nosuid and nodev in the box like the bind itself, not the
/// read-write mount it is on the host.
#[test]
fn mounts_below_a_bind_are_read_only_too() {
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = nix::mount::umount2(&self.0, nix::mount::MntFlags::MNT_DETACH);
            let _ = std::fs::remove_dir(&self.0);
        }
    }
    let dir = std::path::PathBuf::from(format!("/usr/local/jbx-submount-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let guard = Unmount(dir.clone());
    nix::mount::mount(
        Some("tmpfs"),
        &dir,
        Some("tmpfs"),
        nix::mount::MsFlags::empty(),
        Some("size=1m"),
    )
    .unwrap();
    // A slot of its own, so its profile namespace is built with the tmpfs in place.
    let mut jail = Jail::start(JAIL, &["--slot", "932"]);
    let path = dir.display();
    let r = jail.sh(&format!(
        "grep ' {path} ' /proc/self/mountinfo; touch {path}/jbxpwn 2>/dev/null && echo wrote"
    ));
    jail.finish();
    drop(guard);
    let out = r.stdout.lossy();
    let line = out
        .lines()
        .next()
        .unwrap_or_else(|| panic!("the tmpfs is not in the box: {r:?}"));
    let options: Vec<&str> = line
        .split(' ')
        .nth(5)
        .unwrap_or_default()
        .split(',')
        .collect();
    for want in ["ro", "nosuid", "nodev"] {
        assert!(options.contains(&want), "{want} missing: {line}");
    }
    assert!(!out.contains("wrote"), "{out}");
}

#[test]
fn host_processes_are_invisible_and_identity_is_unprivileged() {
    let mut jail = Jail::start(JAIL, &["--slot", "930"]);
    let r = jail.sh("for p in /proc/[0-9]*; do echo ${p#/proc/}; done");
    let pids: Vec<u32> = r
        .stdout
        .lossy()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    // Only the shell itself: pid 3 of the box's namespace. Init, pid 1, is hidden; pid 2,
    // the exec helper that started the shell, was gone before the shell was exec'd.
    assert_eq!(pids, [3], "{r:?}");
    let r = jail.sh(
        "id -u; id -g; hostname; \
         grep -E '^(CapEff|CapBnd|CapPrm|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status; cat /proc/self/cgroup",
    );
    let out = r.stdout.lossy();
    assert!(out.starts_with("60930\n60930\njudgebox\n"), "{out}");
    for line in [
        "CapEff:\t0000000000000000",
        "CapBnd:\t0000000000000000",
        "CapPrm:\t0000000000000000",
        "CapAmb:\t0000000000000000",
        "NoNewPrivs:\t1",
        "Seccomp:\t2",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    for cgroup_line in out
        .lines()
        .filter(|l| l.contains("::") || l.contains(":memory:"))
    {
        assert!(
            cgroup_line.ends_with(":/"),
            "cgroup paths must not show the host's: {cgroup_line}"
        );
    }
    // The box's own user database names the slot's user and none of the host's accounts.
    let r = jail.sh("whoami; cat /etc/passwd /etc/group");
    let out = r.stdout.lossy();
    assert!(out.starts_with("box\n"), "{out}");
    assert!(out.contains("box:x:60930:60930:"), "{out}");
    let host = std::fs::read_to_string("/etc/passwd").unwrap();
    for account in host.lines().filter_map(|l| l.split(':').next()) {
        if !["root", "nobody"].contains(&account) {
            assert!(
                !out.contains(&format!("{account}:x:")),
                "host account {account} shows in\n{out}"
            );
        }
    }
    jail.finish();
}

#[test]
fn planted_links_and_fifos_are_never_followed_by_the_host() {
    let canary = format!("/root/judgebox-link-{}", secret());
    let value = secret();
    std::fs::write(&canary, &value).unwrap();
    let mut jail = Jail::start(JAIL, &[]);
    let r = jail.sh(&format!(
        "ln -s {canary} stdout; ln -s /etc/shadow a.out; ln -s /proc/1/environ Main.class; \
         mkdir d; ln -s /root d/run; mkfifo compile; ln /etc/passwd hard 2>/dev/null && echo linked; \
         cat stdout 2>/dev/null; echo planted"
    ));
    assert_eq!(
        r.stdout.lossy(),
        "planted\n",
        "nosymfollow keeps even the box from following: {r:?}"
    );
    for name in [
        "stdout",
        "a.out",
        "Main.class",
        "d/run/x",
        "compile",
        "hard",
        "../etc/passwd",
        "/etc/passwd",
    ] {
        match jail.read(name, 1 << 20) {
            JailResponse::Error { .. } => {}
            other => panic!("reading {name} gave {other:?}"),
        }
    }
    std::fs::remove_file(&canary).unwrap();
    // A regular file the program wrote is read back normally.
    jail.sh("printf result > out.txt");
    match jail.read("out.txt", 100) {
        JailResponse::File { content } => assert_eq!(content.0, b"result"),
        other => panic!("{other:?}"),
    }
    jail.finish();
}

#[test]
fn two_boxes_at_once_cannot_see_each_other() {
    let secret_a = secret();
    let mut a = Jail::start(JAIL, &["--slot", "931"]);
    let mut b = Jail::start(JAIL, &["--slot", "932"]);
    a.write("secret", secret_a.as_bytes(), false);
    // a holds its secret in /box, /tmp, /dev/shm and an abstract socket while b hunts.
    a.send(&judgebox_spec::JailRequest::Run(Jail::run_request(
        &[
            "/bin/sh",
            "-c",
            "cp secret /tmp/s; cp secret /dev/shm/s; sleep 1",
        ],
        limits(),
    )));
    std::thread::sleep(std::time::Duration::from_millis(200));
    let r = b.sh("cat /box/secret /tmp/s /dev/shm/s /proc/*/root/box/secret 2>/dev/null; ls /proc | wc -l; echo end");
    assert!(!r.stdout.lossy().contains(&secret_a), "{r:?}");
    assert!(matches!(a.receive(), JailResponse::Report(_)));
    a.finish();
    b.finish();
}
