//! What the suite watches on the host while the hostile programs run: canary files holding
//! random secrets, host files a box can see read-only, listeners no box may reach, the
//! host's mounts, cgroups, temporary files, kernel settings and binaries, and every process
//! of the server's box uids.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read};
use std::net::{TcpListener, UdpSocket};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use judgebox_testkit::secret;

/// The box uids are `UID_BASE + slot` (the jail's default).
pub const UID_BASE: u32 = 60000;

/// Where the canaries live: fixed names (fixtures and `#include` lines name them), random
/// contents. A canary left by an aborted run is overwritten.
pub const CANARIES: [(&str, &str); 4] = [
    ("root_canary", "/root/jbx-canary"),
    ("tmp_canary", "/tmp/jbx-canary"),
    ("vartmp_canary", "/var/tmp/jbx-canary"),
    ("shm_canary", "/dev/shm/jbx-canary"),
];

/// A host file under `/usr`, which every box sees through its read-only bind.
pub const RO_TARGET: &str = "/usr/local/share/jbx-ro-target";

/// Host files a box must never change (their content and metadata are compared).
const GUARDED: [&str; 5] = [
    "/etc/passwd",
    "/etc/shadow",
    "/etc/crontab",
    "/root/.bashrc",
    "/etc/ld.so.preload",
];

/// Kernel settings a box must never change.
const SETTINGS: [&str; 8] = [
    "/proc/sys/kernel/core_pattern",
    "/proc/sys/kernel/hostname",
    "/proc/sys/kernel/domainname",
    "/proc/sys/kernel/modprobe",
    "/proc/sys/kernel/randomize_va_space",
    "/proc/sys/fs/suid_dumpable",
    "/proc/sys/net/ipv4/ip_forward",
    "/proc/sys/kernel/sysrq",
];

/// Host directories where a `jbxpwn` file (the name every fixture's planted file carries)
/// would mean a box wrote outside itself.
const MARKER_DIRS: [&str; 16] = [
    "/",
    "/root",
    "/etc",
    "/etc/cron.d",
    "/etc/profile.d",
    "/usr",
    "/usr/local/bin",
    "/usr/local/share",
    "/usr/lib/python3/dist-packages",
    "/usr/local/lib/python3.11/dist-packages",
    "/var",
    "/var/tmp",
    "/tmp",
    "/dev/shm",
    "/run",
    "/home",
];

/// The temporary directories whose new entries are examined.
const TEMP_DIRS: [&str; 3] = ["/tmp", "/var/tmp", "/dev/shm"];

/// A file's identity and state, as far as a box could change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    /// A hash of the content, when asked for.
    pub content: Option<u64>,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub inode: u64,
    pub mtime: i64,
    pub ctime: i64,
}

impl FileState {
    /// `None` if the file does not exist.
    fn of(path: &str, with_content: bool) -> Option<FileState> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        Some(FileState {
            content: with_content.then(|| digest(path)),
            uid: meta.uid(),
            gid: meta.gid(),
            mode: meta.mode(),
            inode: meta.ino(),
            mtime: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            ctime: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
        })
    }
}

/// The canaries and the read-only target: planted at start, removed when dropped.
#[derive(Debug)]
pub struct Canaries {
    /// Path, secret content.
    pub files: Vec<(String, String)>,
    /// State right after planting (atime set back an hour, so any read moves it: relatime
    /// updates atime when it is older than mtime).
    planted: Vec<(String, FileState, i64)>,
    pub ro_target: String,
}

impl Canaries {
    pub fn plant() -> Canaries {
        let mut files = Vec::new();
        for (_, path) in CANARIES {
            files.push((path.to_string(), secret()));
        }
        std::fs::create_dir_all("/usr/local/share").expect("/usr/local/share");
        let mut canaries = Canaries {
            files,
            planted: Vec::new(),
            ro_target: format!("read-only target {}", secret()),
        };
        for (path, content) in canaries.files.clone() {
            canaries.plant_one(&path, content.as_bytes(), 0o600);
        }
        canaries.plant_one(RO_TARGET, canaries.ro_target.clone().as_bytes(), 0o644);
        canaries
    }

    fn plant_one(&mut self, path: &str, content: &[u8], mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::remove_file(path);
        std::fs::write(path, content).unwrap_or_else(|e| panic!("planting {path}: {e}"));
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("reopening a canary");
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        file.set_times(
            std::fs::FileTimes::new()
                .set_accessed(hour_ago)
                .set_modified(SystemTime::now()),
        )
        .expect("setting a canary's times");
        let state = FileState::of(path, false).expect("a planted canary");
        let atime = atime(path);
        self.planted.push((path.to_string(), state, atime));
    }

    /// Every way a canary or the target was read or changed since it was planted.
    pub fn check(&self) -> Vec<String> {
        let mut failures = Vec::new();
        let expected: Vec<(&str, &[u8])> = self
            .files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_bytes()))
            .chain([(RO_TARGET, self.ro_target.as_bytes())])
            .collect();
        for ((path, planted, planted_atime), (_, content)) in self.planted.iter().zip(expected) {
            let Some(now) = FileState::of(path, false) else {
                failures.push(format!("canary {path} is gone"));
                continue;
            };
            if now != *planted {
                failures.push(format!(
                    "canary {path} changed: was {planted:?}, now {now:?}"
                ));
            }
            // The target is readable by design (it is in /usr); only the canaries are secret.
            if path != RO_TARGET && atime(path) != *planted_atime {
                failures.push(format!("canary {path} was read (its atime moved)"));
            }
            if std::fs::read(path).ok().as_deref() != Some(content) {
                failures.push(format!("canary {path} has other content"));
            }
        }
        failures
    }
}

impl Drop for Canaries {
    fn drop(&mut self) {
        for (path, _) in &self.files {
            let _ = std::fs::remove_file(path);
        }
        let _ = std::fs::remove_file(RO_TARGET);
    }
}

/// A hash of a file's content (SipHash: enough to see a change, not a defence).
fn digest(path: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let mut buf = vec![0u8; 1 << 20];
        while let Ok(n) = file.read(&mut buf) {
            if n == 0 {
                break;
            }
            hasher.write(&buf[..n]);
        }
    }
    hasher.finish()
}

fn atime(path: &str) -> i64 {
    std::fs::metadata(path)
        .map(|m| m.atime() * 1_000_000_000 + m.atime_nsec())
        .unwrap_or(-1)
}

/// Sockets on the host that no box may reach: TCP on 127.0.0.1, 0.0.0.0 and [::], UDP on
/// 0.0.0.0 and [::], an abstract unix socket and a unix socket file in /tmp. A host without
/// IPv6 has no [::] sockets (a box cannot reach it over IPv6 either); the IPv6 fixtures then
/// aim at the IPv4 ones.
#[derive(Debug)]
pub struct Listeners {
    tcp4: TcpListener,
    tcp_any: TcpListener,
    tcp6: Option<TcpListener>,
    udp: UdpSocket,
    udp6: Option<UdpSocket>,
    abstract_unix: UnixListener,
    path_unix: UnixListener,
    pub abstract_name: String,
    pub unix_path: String,
}

impl Listeners {
    pub fn open() -> Listeners {
        let abstract_name = format!("jbx-host-{}", secret());
        let unix_path = format!("/tmp/jbx-host-{}.sock", std::process::id());
        let _ = std::fs::remove_file(&unix_path);
        let abstract_addr =
            SocketAddr::from_abstract_name(abstract_name.as_bytes()).expect("an abstract name");
        let listeners = Listeners {
            tcp4: TcpListener::bind("127.0.0.1:0").expect("tcp 127.0.0.1"),
            tcp_any: TcpListener::bind("0.0.0.0:0").expect("tcp 0.0.0.0"),
            tcp6: TcpListener::bind("[::]:0").ok(),
            udp: UdpSocket::bind("0.0.0.0:0").expect("udp 0.0.0.0"),
            udp6: UdpSocket::bind("[::]:0").ok(),
            abstract_unix: UnixListener::bind_addr(&abstract_addr).expect("abstract unix"),
            path_unix: UnixListener::bind(&unix_path).expect("unix socket file"),
            abstract_name,
            unix_path,
        };
        if listeners.tcp6.is_none() {
            eprintln!("no IPv6 on this host: the IPv6 fixtures aim at the IPv4 listeners");
        }
        listeners.tcp4.set_nonblocking(true).unwrap();
        listeners.tcp_any.set_nonblocking(true).unwrap();
        listeners.udp.set_nonblocking(true).unwrap();
        if let Some(l) = &listeners.tcp6 {
            l.set_nonblocking(true).unwrap();
        }
        if let Some(s) = &listeners.udp6 {
            s.set_nonblocking(true).unwrap();
        }
        listeners.abstract_unix.set_nonblocking(true).unwrap();
        listeners.path_unix.set_nonblocking(true).unwrap();
        listeners
    }

    pub fn placeholders(&self, values: &mut BTreeMap<&'static str, String>) {
        let port = |l: &TcpListener| l.local_addr().unwrap().port().to_string();
        values.insert("tcp4_port", port(&self.tcp4));
        values.insert("tcp_any_port", port(&self.tcp_any));
        let udp_port = |s: &UdpSocket| s.local_addr().unwrap().port().to_string();
        values.insert(
            "tcp6_port",
            port(self.tcp6.as_ref().unwrap_or(&self.tcp_any)),
        );
        values.insert("udp_port", udp_port(&self.udp));
        values.insert(
            "udp6_port",
            udp_port(self.udp6.as_ref().unwrap_or(&self.udp)),
        );
        values.insert("abstract", self.abstract_name.clone());
        values.insert("unix_path", self.unix_path.clone());
    }

    /// Every connection or datagram that arrived.
    pub fn check(&self) -> Vec<String> {
        let mut failures = Vec::new();
        let mut note = |what: &str, r: std::io::Result<String>| match r {
            Ok(peer) => failures.push(format!("the {what} listener received {peer}")),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => failures.push(format!("the {what} listener failed: {e}")),
        };
        let tcp = [
            ("TCP 127.0.0.1", Some(&self.tcp4)),
            ("TCP 0.0.0.0", Some(&self.tcp_any)),
            ("TCP [::]", self.tcp6.as_ref()),
        ];
        for (what, l) in tcp.into_iter().filter_map(|(w, l)| Some((w, l?))) {
            note(
                what,
                l.accept().map(|(_, a)| format!("a connection from {a}")),
            );
        }
        let mut buf = [0u8; 64];
        let udp = [
            ("UDP 0.0.0.0", Some(&self.udp)),
            ("UDP [::]", self.udp6.as_ref()),
        ];
        for (what, s) in udp.into_iter().filter_map(|(w, s)| Some((w, s?))) {
            note(
                what,
                s.recv_from(&mut buf)
                    .map(|(n, a)| format!("{n} bytes from {a}")),
            );
        }
        for (what, l) in [
            ("abstract unix", &self.abstract_unix),
            ("unix socket file", &self.path_unix),
        ] {
            note(what, l.accept().map(|_| "a connection".to_string()));
        }
        failures
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.unix_path);
    }
}

/// The host's first non-loopback IPv4 and IPv6 addresses (`hostname -I`), for fixtures
/// that try to reach the host by its own address.
pub fn host_addresses() -> (String, String) {
    let out = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let v4 = out
        .split_whitespace()
        .find(|a| a.contains('.'))
        .unwrap_or("10.0.2.15")
        .to_string();
    let v6 = out
        .split_whitespace()
        .find(|a| a.contains(':') && !a.starts_with("fe80"))
        .unwrap_or("fd00::1")
        .to_string();
    (v4, v6)
}

/// What of the host a box could leave changed: taken before the server starts and after it
/// stops, and compared.
#[derive(Debug, Clone)]
pub struct Snapshot {
    mounts: BTreeSet<String>,
    cgroups: BTreeSet<String>,
    temp_entries: BTreeMap<String, u32>,
    settings: BTreeMap<String, String>,
    guarded: BTreeMap<String, Option<FileState>>,
    /// Content digest, mode and owner (cargo re-links the binaries it uplifts, which moves
    /// their times and inode without changing them).
    binaries: BTreeMap<String, Option<(Option<u64>, u32, u32)>>,
    sysv: BTreeSet<String>,
}

impl Snapshot {
    pub fn take(binaries: &[PathBuf]) -> Snapshot {
        Snapshot {
            mounts: mounts(),
            cgroups: cgroups(),
            temp_entries: temp_entries(),
            settings: SETTINGS
                .iter()
                .map(|p| {
                    (
                        p.to_string(),
                        std::fs::read_to_string(p).unwrap_or_default(),
                    )
                })
                .collect(),
            guarded: GUARDED
                .iter()
                .map(|p| (p.to_string(), FileState::of(p, true)))
                .collect(),
            binaries: binaries
                .iter()
                .map(|p| {
                    let p = p.display().to_string();
                    let state = FileState::of(&p, true).map(|s| (s.content, s.mode, s.uid));
                    (p, state)
                })
                .collect(),
            sysv: sysv_ipc(),
        }
    }

    /// What changed from `before` to `self` that a box could have caused. `slots` are the
    /// server's slot numbers: their cgroups are the server's own.
    pub fn compare(&self, before: &Snapshot, slots: &[u32]) -> Vec<String> {
        let mut failures = Vec::new();
        for m in self.mounts.difference(&before.mounts) {
            if !is_host_automount(m) {
                failures.push(format!("a new mount on the host: {m}"));
            }
        }
        for m in before.mounts.difference(&self.mounts) {
            failures.push(format!("a host mount is gone: {m}"));
        }
        for group in self.cgroups.difference(&before.cgroups) {
            if !cgroup_is_expected(group, slots) {
                failures.push(format!("a new cgroup on the host: {group}"));
            }
        }
        for (path, uid) in &self.temp_entries {
            if before.temp_entries.contains_key(path) {
                continue;
            }
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            if *uid >= UID_BASE || name.contains("jbxpwn") {
                failures.push(format!("a box left {path} (owner uid {uid}) on the host"));
            }
        }
        for (path, value) in &self.settings {
            if before.settings.get(path) != Some(value) {
                failures.push(format!(
                    "host setting {path} changed: {:?} -> {value:?}",
                    before.settings.get(path)
                ));
            }
        }
        for (path, state) in &self.guarded {
            if before.guarded.get(path) != Some(state) {
                failures.push(format!("host file {path} changed"));
            }
        }
        for (path, state) in &self.binaries {
            if before.binaries.get(path) != Some(state) {
                failures.push(format!("binary {path} changed"));
            }
        }
        for entry in self.sysv.difference(&before.sysv) {
            failures.push(format!("a new System V IPC object on the host: {entry}"));
        }
        failures
    }
}

/// `jbxpwn` files in the host directories a fixture tries to write, and in `extra`.
pub fn planted_markers(extra: &[PathBuf]) -> Vec<String> {
    let mut found = Vec::new();
    let dirs = MARKER_DIRS
        .iter()
        .map(PathBuf::from)
        .chain(extra.iter().cloned());
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().contains("jbxpwn") {
                found.push(format!(
                    "{} was planted on the host",
                    entry.path().display()
                ));
            }
        }
    }
    found
}

/// The kernel's own file systems that appear on first access (`perf` touching
/// `/sys/kernel/tracing`, say). An automount lands in the mount namespace of whoever touched
/// the path, and no box shares the host's, so one of these on the host is the host's doing.
fn is_host_automount(mount: &str) -> bool {
    let fs = mount.split(' ').nth(1).unwrap_or("");
    ["tracefs", "debugfs", "binfmt_misc", "configfs", "fusectl"].contains(&fs)
}

fn mounts() -> BTreeSet<String> {
    // Mount point, filesystem and source: the ids change, what is mounted where must not.
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let sep = f.iter().position(|x| *x == "-").unwrap_or(f.len());
            let fs = f.get(sep + 1).unwrap_or(&"");
            let source = f.get(sep + 2).unwrap_or(&"");
            format!("{} {fs} {source}", f.get(4).unwrap_or(&""))
        })
        .collect()
}

fn cgroups() -> BTreeSet<String> {
    fn walk(dir: &Path, root: &Path, depth: u32, out: &mut BTreeSet<String>) {
        if depth > 6 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                let path = entry.path();
                out.insert(path.strip_prefix(root).unwrap().display().to_string());
                walk(&path, root, depth + 1, out);
            }
        }
    }
    let root = Path::new("/sys/fs/cgroup");
    let mut out = BTreeSet::new();
    walk(root, root, 0, &mut out);
    out
}

/// A new cgroup the server (or another judgebox on this host) makes: `CTRL/judgebox` and
/// `CTRL/judgebox/slot-N`, and anything of another server's slot; and systemd's own units.
/// Anything beneath one of this server's slots is a box's doing.
fn cgroup_is_expected(group: &str, slots: &[u32]) -> bool {
    let parts: Vec<&str> = group.split('/').collect();
    match parts.as_slice() {
        [_, "judgebox"] => true,
        [_, "judgebox", slot] => slot.starts_with("slot-"),
        [_, "judgebox", slot, ..] => !slots.iter().any(|s| *slot == format!("slot-{s}")),
        ["systemd" | "unified", .., last] => {
            last.ends_with(".scope") || last.ends_with(".service") || last.ends_with(".slice")
        }
        _ => false,
    }
}

fn temp_entries() -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for dir in TEMP_DIRS {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if let Ok(meta) = entry.metadata() {
                out.insert(entry.path().display().to_string(), meta.uid());
            }
        }
    }
    out
}

fn sysv_ipc() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for kind in ["shm", "msg", "sem"] {
        let text = std::fs::read_to_string(format!("/proc/sysvipc/{kind}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() > 1 {
                out.insert(format!("{kind} key {} id {}", f[0], f[1]));
            }
        }
    }
    out
}

/// One process of a box as the monitor saw it (a pid and its start time: pids are reused).
#[derive(Debug, Clone)]
pub struct ProcessSeen {
    pub pid: u32,
    pub uid: u32,
    pub namespace: String,
    pub command: String,
    pub first: Instant,
    pub last: Instant,
}

/// A moment when two boxes of one uid (one slot) were alive at once, so that one of them
/// had outlived its run: the pid namespace and a command line of each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Overlap {
    pub uid: u32,
    pub boxes: Vec<(String, String)>,
}

/// A process of a box uid, seen now.
#[derive(Debug, Clone)]
pub struct BoxProcess {
    pub pid: u32,
    /// Its start time, in clock ticks after boot (`/proc/PID/stat` field 22).
    pub start: u64,
    pub uid: u32,
    pub namespace: String,
    pub command: String,
}

/// Every process of the given uids now, from /proc (the owner of `/proc/PID` is the
/// process's effective uid).
pub fn box_processes(uids: &[u32]) -> Vec<BoxProcess> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !uids.contains(&meta.uid()) {
            continue;
        }
        let path = entry.path();
        let namespace = std::fs::read_link(path.join("ns/pid"))
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut command = Vec::new();
        if let Ok(mut f) = std::fs::File::open(path.join("cmdline")) {
            let _ = f.by_ref().take(4096).read_to_end(&mut command);
        }
        let command = String::from_utf8_lossy(&command).replace('\0', " ");
        let start = start_time(&path).unwrap_or(0);
        out.push(BoxProcess {
            pid,
            start,
            uid: meta.uid(),
            namespace,
            command: command.trim().to_string(),
        });
    }
    out
}

/// The start time of the process at `/proc/PID`: the 20th field after the command's closing
/// parenthesis in its `stat`.
fn start_time(proc_dir: &Path) -> Option<u64> {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()
}

/// Whether `p` is still the same live process in the same pid namespace.
fn still_alive(p: &BoxProcess) -> bool {
    let path = PathBuf::from(format!("/proc/{}", p.pid));
    let start = start_time(&path);
    let namespace = std::fs::read_link(path.join("ns/pid")).map(|l| l.display().to_string());
    start == Some(p.start) && namespace.is_ok_and(|ns| !ns.is_empty() && ns == p.namespace)
}

/// Samples the box uids' processes in the background. A box is known by its pid namespace
/// while it lives; the kernel reuses a namespace's inode number as soon as it is freed, so
/// lifetimes are kept per process (pid and start time), and two namespaces of one uid alive
/// in the same sample are recorded as they are seen.
#[derive(Debug)]
pub struct Monitor {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the monitor saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub processes: BTreeMap<(u32, u64), ProcessSeen>,
    pub overlaps: BTreeSet<Overlap>,
}

/// How often the monitor looks.
const SAMPLE: Duration = Duration::from_millis(40);

impl Monitor {
    pub fn start(uids: Vec<u32>) -> Monitor {
        let stop = Arc::new(AtomicBool::new(false));
        let seen: Arc<Mutex<Seen>> = Arc::default();
        let thread = {
            let (stop, seen) = (stop.clone(), seen.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let now = Instant::now();
                    let processes = box_processes(&uids);
                    let mut seen = seen.lock().unwrap();
                    let mut live: BTreeMap<u32, BTreeMap<&str, Vec<&BoxProcess>>> = BTreeMap::new();
                    for p in &processes {
                        live.entry(p.uid)
                            .or_default()
                            .entry(&p.namespace)
                            .or_default()
                            .push(p);
                        seen.processes
                            .entry((p.pid, p.start))
                            .or_insert_with(|| ProcessSeen {
                                pid: p.pid,
                                uid: p.uid,
                                namespace: p.namespace.clone(),
                                command: p.command.clone(),
                                first: now,
                                last: now,
                            })
                            .last = now;
                    }
                    for (uid, boxes) in live {
                        if boxes.len() < 2 {
                            continue;
                        }
                        // A sample is read process by process, not at one instant: a box
                        // seen early in it may have ended, and the next box of its slot
                        // begun, before the sample reached that one. Boxes still alive now,
                        // after the whole sample, were alive together.
                        let alive: Vec<(String, String)> = boxes
                            .into_iter()
                            .filter(|(_, procs)| procs.iter().any(|p| still_alive(p)))
                            .map(|(ns, procs)| (ns.to_string(), procs[0].command.clone()))
                            .collect();
                        if alive.len() > 1 {
                            seen.overlaps.insert(Overlap { uid, boxes: alive });
                        }
                    }
                    drop(seen);
                    std::thread::sleep(SAMPLE);
                }
            })
        };
        Monitor {
            stop,
            seen,
            thread: Some(thread),
        }
    }

    /// Stops sampling and returns what it saw.
    pub fn finish(mut self) -> Seen {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("the monitor thread");
        }
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The fixture named by a `jbx-fixture=NAME` argument in a command line.
pub fn marker_in(command: &str) -> Option<String> {
    command
        .split_whitespace()
        .find_map(|w| w.strip_prefix("jbx-fixture="))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two processes of one uid in two pid namespaces, both alive across samples: the
    /// monitor's check that a box is still alive after the sample must not hide them.
    #[test]
    fn the_monitor_sees_two_live_boxes_of_one_uid() {
        const UID: u32 = 59_999;
        let boxed_sleep = || {
            std::process::Command::new("unshare")
                .args([
                    "--pid",
                    "--fork",
                    "--kill-child",
                    "setpriv",
                    "--reuid",
                    "59999",
                ])
                .args(["--regid", "59999", "--clear-groups", "sleep", "2"])
                .spawn()
                .expect("unshare and setpriv (util-linux)")
        };
        let monitor = Monitor::start(vec![UID]);
        let mut boxes = [boxed_sleep(), boxed_sleep()];
        std::thread::sleep(Duration::from_millis(400));
        let seen = monitor.finish();
        for b in &mut boxes {
            let _ = b.kill();
            let _ = b.wait();
        }
        let overlap = seen.overlaps.iter().find(|o| o.uid == UID);
        assert!(
            overlap.is_some_and(|o| o.boxes.len() == 2),
            "{:?}",
            seen.overlaps
        );
    }
}
