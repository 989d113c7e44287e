//! A `judgebox serve` started by a bench: a fresh data directory, a free loopback port, its
//! own worker slots, its log in a file; stopped with SIGTERM (a graceful drain) when dropped.
//!
//! Also the `/proc` readings the benches report about it and its jails: resident memory and
//! CPU time.

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::http::HttpConn;

/// How long the server may take to answer `GET /about`: at start-up it runs every
/// language's version command (JVMs among them) before it listens.
const START_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a stop may take before the server is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `judgebox serve`.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    addr: SocketAddr,
    log: PathBuf,
    first_slot: u32,
    workers: usize,
    /// The data directory and the log; removed after the server has stopped.
    dir: tempfile::TempDir,
}

impl Server {
    /// Starts `cli serve` on slots `first_slot ..`, with `env` on top of this process's
    /// environment, and waits until it answers `GET /about` (start-up included in no figure).
    ///
    /// The data directory is a fresh temporary directory, under `$JUDGEBOX_BENCH_DATA_PARENT`
    /// when that is set (`/dev/shm` puts the store on tmpfs, where an fsync costs nothing:
    /// an experiment to see what the store's durability costs).
    pub fn start(
        cli: &Path,
        first_slot: u32,
        workers: usize,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("judgebox-bench-serve-");
        let dir = match std::env::var_os("JUDGEBOX_BENCH_DATA_PARENT") {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        }
        .context("creating the server's data directory")?;
        let addr = free_port()?;
        let log = dir.path().join("server.log");
        let log_file = File::create(&log).context("creating the server log")?;
        let mut cmd = Command::new(cli);
        cmd.arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data")
            .arg(dir.path().join("data"))
            .arg("--first-slot")
            .arg(first_slot.to_string())
            .arg("--workers")
            .arg(workers.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file.try_clone()?))
            .stderr(Stdio::from(log_file))
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {} serve", cli.display()))?;
        let mut server = Server {
            child: Some(child),
            addr,
            log,
            first_slot,
            workers,
            dir,
        };
        server.wait_ready()?;
        Ok(server)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    pub fn first_slot(&self) -> u32 {
        self.first_slot
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The directory the store lives in.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok()?) {
                bail!(
                    "judgebox serve exited at start-up ({status}); its log:\n{}",
                    self.log()
                );
            }
            let about = rt.block_on(async {
                let mut conn = HttpConn::connect(self.addr).await?;
                conn.get("/about").await
            });
            if matches!(about, Ok(ref r) if r.status == 200) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "judgebox serve did not answer GET /about within {START_TIMEOUT:?}; its log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's jails: its child processes (each owns one slot).
    pub fn jail_pids(&self) -> Vec<u32> {
        children(self.pid())
    }

    /// Stops the server with SIGTERM (it drains, and its jails close their slots) and waits.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let pid = Pid::from_raw(i32::try_from(child.id()).context("pid")?);
        let _ = kill(pid, Signal::SIGTERM);
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    bail!("judgebox serve stopped with {status}");
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("judgebox serve did not stop within {STOP_TIMEOUT:?}; killed");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(e) = self.stop_inner() {
            eprintln!("stopping judgebox serve: {e:#}");
        }
    }
}

/// A loopback address whose port was free a moment ago.
fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?)
}

/// The child processes of `pid` (every thread's `children` list).
pub fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A `/proc/PID/status` field in KB (`VmRSS`, `VmHWM`, ...).
pub fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// CPU seconds of `pid` from `/proc/PID/stat`: its own (utime + stime) and that of its
/// reaped children (cutime + cstime).
pub fn cpu_seconds(pid: u32) -> Option<(f64, f64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| f.get(n - 3)?.parse::<f64>().ok();
    Some((
        (field(14)? + field(15)?) / USER_HZ,
        (field(16)? + field(17)?) / USER_HZ,
    ))
}

/// The unit of `/proc/PID/stat`'s times (`sysconf(_SC_CLK_TCK)`): USER_HZ, 100 on Linux.
const USER_HZ: f64 = 100.0;

/// Busy and total jiffies of all CPUs, from `/proc/stat`: the share of the host's CPU in use
/// over an interval is Δbusy / Δtotal.
pub fn host_cpu_jiffies() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().next()?.strip_prefix("cpu ")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest is inside user already).
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}
