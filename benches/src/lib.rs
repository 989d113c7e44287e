//! Shared helpers for judgebox's benchmarks (`benches/benches/*.rs`).
//!
//! The benches drive the real release binaries, exactly as the engine and the CLI do: a
//! `judgebox-jail` speaking framed JSON on its stdin and stdout, or a whole `judgebox`
//! process. This crate finds those binaries ([`Binaries`]), talks to a jail ([`Jail`]),
//! compiles the small static C programs the benches run ([`Fixtures`]), summarises samples
//! ([`Summary`]) and prints the results as Markdown tables ([`Table`]). The HTTP benches start
//! a `judgebox serve` ([`Server`]) and talk to it over keep-alive connections ([`HttpConn`]).
//! The teardown bench watches a box's processes in `/proc` ([`BoxProcesses`]).
//!
//! Nothing here makes a raw syscall; CPU accounting goes through `nix`.
#![forbid(unsafe_code)]

mod fixtures;
mod host;
mod http;
mod jail;
mod procs;
mod server;
mod stats;
mod table;

pub use fixtures::{Fixtures, BURN_C, SPIN_C, TEARDOWN_C, TEARDOWN_NAMES, TOUCH64_C, TRUE_C};
pub use host::{ensure_bwrap, env_number, print_header, require_root, runs, Binaries};
pub use http::{HttpConn, Response};
pub use jail::{box_file, run_limits, run_request, Jail};
pub use procs::{host_procfs, BoxProcesses, ProcFs, ProcStat};
pub use server::{children, cpu_seconds, host_cpu_jiffies, status_kb, Server};
pub use stats::{median_ci95, ms, us, verdict, Summary};
pub use table::Table;
