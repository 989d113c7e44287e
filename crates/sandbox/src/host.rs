//! Facts about the host that decide whether boxes can work here (for `judgebox check`).

use std::path::Path;

/// The kernel's Landlock ABI, or why there is none.
pub fn landlock_abi() -> Result<i32, String> {
    crate::sys::landlock_abi().map_err(|e| match e {
        nix::errno::Errno::EOPNOTSUPP => "Landlock is built in but disabled: add landlock to the lsm= boot parameter".to_string(),
        e => format!("Landlock is not available ({e}): a kernel of 5.13 or later with CONFIG_SECURITY_LANDLOCK"),
    })
}

/// The seccomp filter actions the kernel offers.
pub fn seccomp_actions() -> Result<String, String> {
    std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail")
        .map(|s| s.trim().to_string())
        .map_err(|e| format!("cannot read /proc/sys/kernel/seccomp/actions_avail ({e}): the kernel lacks CONFIG_SECCOMP_FILTER"))
}

/// The namespaces a box needs, each checked for in /proc/self/ns.
pub fn missing_namespaces() -> Vec<&'static str> {
    ["pid", "mnt", "ipc", "uts", "net", "cgroup"]
        .into_iter()
        .filter(|ns| !Path::new("/proc/self/ns").join(ns).exists())
        .collect()
}
