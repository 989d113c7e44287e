//! What a one-shot slot keeps from one jail to the next.
//!
//! A pooled jail builds its slot once and reuses it for thousands of runs. A one-shot jail
//! (`judgebox sandbox run`) used to build everything for its single run: a network
//! namespace (~1 ms, and as much again in the kernel's asynchronous teardown), a cgroup, each
//! profile's mount namespace (~25 mounts and a `pivot_root`, ~1 ms) and seccomp filter
//! (~0.5 ms). Together that made it slower than bubblewrap. So a one-shot slot keeps most
//! of them, as a pool keeps them between runs:
//!
//! - the network namespace and each profile's mount namespace, by bind mounts of their nsfs
//!   files under `/run/judgebox/kept/slot-N/` in the host's mount namespace (what
//!   `ip netns add` does), on a private bind mount of that directory (`make_private_mount`:
//!   systemd makes `/run` shared, and the kernel binds no namespace file onto a shared
//!   mount); `/run` is a tmpfs, so a reboot starts afresh;
//! - each profile's compiled seccomp filter, in a file beside its namespace.
//!
//! The slot's cgroup is not kept: it would keep the page cache its runs were charged for, and
//! a later run would not count those pages in its peak (`/bin/sh` reported 0 KB).
//!
//! A kept profile is used only if its key matches: a hash of the mount plan (every path,
//! flag and option of the build, the slot's uid included), the seccomp policy's text, and
//! the identity of the running executable, so a new profile, policy or build of judgebox
//! rebuilds it. What a box leaves in a kept mount namespace is taken away: the jail detaches
//! `/box` when it closes the slot, and a kept namespace is scrubbed of the per-run mounts
//! (`/tmp`, `/dev/shm`, `/proc`) before use, in case its last jail was killed mid-run.
//! The slot's flock is held before any of this is touched, so two jails never share it.

use std::hash::{Hash, Hasher};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{open, OFlag};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, CloneFlags};
use nix::sys::stat::Mode;
use seccompiler::{sock_filter as SockFilter, BpfProgram};

use crate::error::{at, io_at, sys, SandboxError};

/// The kept state of one one-shot slot, and the way back into the host's mount namespace
/// where it is kept.
#[derive(Debug)]
pub(crate) struct Kept {
    dir: PathBuf,
    host_mount_ns: OwnedFd,
    /// The kept mount namespaces by profile name, opened in the host's mount namespace: a
    /// new mount namespace gets no copy of a mount namespace's nsfs bind (the kernel skips
    /// them, lest namespaces hold each other), so the jail's own would not see them.
    mount_ns: std::collections::HashMap<String, OwnedFd>,
}

impl Kept {
    /// Opens (creating) `runtime_dir/kept/slot-ID`. Call it in the host's mount namespace,
    /// before the jail makes its own.
    pub fn open(runtime_dir: &Path, id: u32) -> Result<Kept, SandboxError> {
        use std::os::unix::fs::PermissionsExt;
        let top = runtime_dir.join("kept");
        let dir = top.join(format!("slot-{id}"));
        std::fs::create_dir_all(&dir).map_err(io_at("creating", &dir))?;
        // Root's alone: the filters are read back and installed as they are.
        std::fs::set_permissions(&top, std::fs::Permissions::from_mode(0o700))
            .map_err(io_at("restricting", &top))?;
        let host_mount_ns = open(
            "/proc/self/ns/mnt",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(sys("opening /proc/self/ns/mnt"))?;
        let mut mount_ns = std::collections::HashMap::new();
        for entry in std::fs::read_dir(&dir)
            .map_err(io_at("listing", &dir))?
            .flatten()
        {
            let name = entry.file_name();
            let Some(profile) = name.to_str().and_then(|n| n.strip_suffix(".mnt")) else {
                continue;
            };
            if let Some(ns) = open_nsfs(&entry.path()) {
                mount_ns.insert(profile.to_string(), ns);
            }
        }
        Ok(Kept {
            dir,
            host_mount_ns,
            mount_ns,
        })
    }

    /// `runtime_dir/kept/slot-ID`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The slot's network namespace: the kept one, or `make`'s, kept from now on; and
    /// whether it was kept (so this is not the slot's first jail since the host booted).
    pub fn netns(
        &self,
        make: impl FnOnce() -> Result<OwnedFd, SandboxError>,
    ) -> Result<(OwnedFd, bool), SandboxError> {
        let path = self.dir.join("net");
        if let Some(ns) = open_nsfs(&path) {
            return Ok((ns, true));
        }
        let ns = make()?;
        self.bind_in_host(&ns, &path)?;
        Ok((ns, false))
    }

    /// A profile's kept mount namespace and seccomp filter, if they were kept under `key`.
    /// The namespace comes back scrubbed of any per-run mount.
    pub fn profile(&mut self, name: &str, key: &str) -> Option<(OwnedFd, BpfProgram)> {
        let stored = std::fs::read_to_string(self.dir.join(format!("{name}.key"))).ok()?;
        if stored != key {
            return None;
        }
        let ns = self.mount_ns.remove(name)?;
        let bpf = decode_bpf(&std::fs::read(self.dir.join(format!("{name}.bpf"))).ok()?)?;
        Some((ns, bpf))
    }

    /// Keeps a profile's freshly built namespace and filter under `key`. The key is written
    /// last, so a jail killed halfway leaves nothing that a later one would trust.
    pub fn keep_profile(
        &self,
        name: &str,
        key: &str,
        ns: &OwnedFd,
        bpf: &BpfProgram,
    ) -> Result<(), SandboxError> {
        let key_path = self.dir.join(format!("{name}.key"));
        match std::fs::remove_file(&key_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_at("removing", &key_path)(e));
            }
            _ => {}
        }
        let bpf_path = self.dir.join(format!("{name}.bpf"));
        std::fs::write(&bpf_path, encode_bpf(bpf)).map_err(io_at("writing", &bpf_path))?;
        match self.bind_in_host(ns, &self.dir.join(format!("{name}.mnt"))) {
            // The kernel binds a mount namespace's file only into a namespace older than it
            // (its guard against namespaces holding each other), judged by namespace ids.
            // From the host's first namespace that always holds; from a container's, a
            // namespace made a moment later on another CPU can carry a smaller id (Linux
            // 6.18 hands ids out in per-CPU batches), and the bind is refused with EINVAL.
            // Keeping is only a saving: the run goes on, and the next jail builds afresh.
            Err(SandboxError::Path {
                errno: Errno::EINVAL,
                ..
            }) => return Ok(()),
            bound => bound?,
        }
        std::fs::write(&key_path, key).map_err(io_at("writing", &key_path))
    }

    /// Bind-mounts the namespace `ns` at `path` in the host's mount namespace, in place of
    /// whatever was kept there, and comes back to the caller's mount namespace `back`.
    fn bind_in_host(&self, ns: &OwnedFd, path: &Path) -> Result<(), SandboxError> {
        let back = open(
            "/proc/self/ns/mnt",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(sys("opening /proc/self/ns/mnt"))?;
        setns(&self.host_mount_ns, CloneFlags::CLONE_NEWNS)
            .map_err(sys("entering the host's mount namespace"))?;
        let bound = (|| {
            make_private_mount(&self.dir)?;
            detach_all(path).map_err(at("detaching the old namespace at", path))?;
            std::fs::File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(io_at("creating", path))?;
            let source = format!("/proc/self/fd/{}", ns.as_raw_fd());
            mount(
                Some(source.as_str()),
                path,
                None::<&str>,
                MsFlags::MS_BIND,
                None::<&str>,
            )
            .map_err(at("keeping a namespace at", path))
        })();
        setns(&back, CloneFlags::CLONE_NEWNS)
            .map_err(sys("returning to the jail's mount namespace"))?;
        bound
    }
}

/// Makes `dir` a mount of its own with private propagation, binding it onto itself first if
/// it is not a mount point yet.
///
/// The kernel refuses (EINVAL) to bind a mount namespace's nsfs file onto a mount that
/// propagates, lest a namespace end up holding itself through a peer (`unshare(1)`, on
/// `--mount=file`). systemd makes `/run` a shared mount with peers in other services'
/// namespaces, so on every systemd host the kept namespaces need a private mount under them,
/// as `ip netns` makes one for `/run/netns`. Called with the slot's flock held, so two jails
/// never stack binds on one slot's directory; it is a single `mount` call once done.
fn make_private_mount(dir: &Path) -> Result<(), SandboxError> {
    let private = || {
        mount(
            None::<&str>,
            dir,
            None::<&str>,
            MsFlags::MS_PRIVATE,
            None::<&str>,
        )
    };
    match private() {
        Ok(()) => return Ok(()),
        // Not a mount point yet.
        Err(Errno::EINVAL) => {}
        Err(e) => return Err(at("making private the mount at", dir)(e)),
    }
    // Recursive, so that what an earlier version kept on the plain directory stays in view.
    mount(
        Some(dir),
        dir,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(at("binding onto itself", dir))?;
    private().map_err(at("making private the mount at", dir))
}

/// The key a profile is kept under: its mount plan (`Debug` of the build, which spells out
/// every step), its seccomp policy, and which executable is running.
pub(crate) fn profile_key(plan: &impl std::fmt::Debug, seccomp_json: &str) -> String {
    let mut h = std::hash::DefaultHasher::new();
    format!("{plan:?}").hash(&mut h);
    seccomp_json.hash(&mut h);
    if let Ok(exe) = std::fs::metadata("/proc/self/exe") {
        (
            exe.dev(),
            exe.ino(),
            exe.mtime(),
            exe.mtime_nsec(),
            exe.size(),
        )
            .hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

/// Detaches every mount stacked on `path` (none is fine).
pub(crate) fn detach_all<P: ?Sized + nix::NixPath>(path: &P) -> Result<(), Errno> {
    loop {
        match umount2(path, MntFlags::MNT_DETACH) {
            Ok(()) => continue,
            Err(Errno::EINVAL | Errno::ENOENT) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// `path` opened if it is a namespace file (a kept bind mount), not the empty file under it.
fn open_nsfs(path: &Path) -> Option<OwnedFd> {
    let fd = open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty()).ok()?;
    let fs = nix::sys::statfs::fstatfs(&fd).ok()?;
    (fs.filesystem_type().0 as u64 == libc::NSFS_MAGIC as u64).then_some(fd)
}

/// A filter as bytes: each instruction as `struct sock_filter` lays it out, little-endian.
fn encode_bpf(bpf: &BpfProgram) -> Vec<u8> {
    let mut out = Vec::with_capacity(bpf.len() * 8);
    for i in bpf {
        out.extend_from_slice(&i.code.to_le_bytes());
        out.push(i.jt);
        out.push(i.jf);
        out.extend_from_slice(&i.k.to_le_bytes());
    }
    out
}

fn decode_bpf(bytes: &[u8]) -> Option<BpfProgram> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| SockFilter {
                code: u16::from_le_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_survives_its_file() {
        let profiles = judgebox_spec::Profiles::builtin().unwrap();
        for profile in profiles.iter() {
            let bpf =
                crate::seccomp::compile(&profile.seccomp_file, &profile.seccomp_json).unwrap();
            assert_eq!(decode_bpf(&encode_bpf(&bpf)), Some(bpf));
        }
        assert_eq!(decode_bpf(&[1, 2, 3]), None);
        assert_eq!(decode_bpf(&[]), None);
    }

    #[test]
    fn the_key_follows_the_plan_and_the_policy() {
        let a = profile_key(&("/usr", 1), "{}");
        assert_eq!(a, profile_key(&("/usr", 1), "{}"));
        assert_ne!(a, profile_key(&("/usr", 2), "{}"));
        assert_ne!(a, profile_key(&("/usr", 1), "{ }"));
    }
}
