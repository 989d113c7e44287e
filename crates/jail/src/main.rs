//! `judgebox-jail`: owns one slot and runs boxes in it, one at a time.
//!
//! It reads length-prefixed JSON [`JailRequest`]s on stdin and answers each with one
//! [`JailResponse`] on stdout, until stdin closes. It is single-threaded and synchronous on
//! purpose: it forks, and a fork of a multi-threaded process can inherit a lock held by a
//! thread that does not exist in the child. It dies with its parent (`PR_SET_PDEATHSIG`),
//! and each box's init dies with it, which ends the box.
//!
//! Without `--slot` it takes a free one-shot slot; `--check` diagnoses the host instead.
//! `judgebox sandbox run` runs the one-shot mode in its own process (this crate's library).
#![forbid(unsafe_code)]

mod check;

use std::io::{BufReader, BufWriter};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use judgebox_sandbox::cgroup::{CgroupConfig, CgroupVersion};
use judgebox_sandbox::{Slot, SlotConfig};
use judgebox_spec::{read_frame, write_frame, JailRequest, Profiles};

#[derive(Debug, Parser)]
#[command(
    name = "judgebox-jail",
    version,
    about = "judgebox's box-making process (speaks framed JSON on stdin/stdout)"
)]
struct Args {
    /// The worker slot to own; without it, the first free one-shot slot.
    #[arg(long)]
    slot: Option<u32>,
    /// A folder of sandbox profiles to use instead of the built-in ones.
    #[arg(long, env = "JUDGEBOX_PROFILES")]
    profiles: Option<PathBuf>,
    /// Where slot locks and mount points live.
    #[arg(long, default_value = "/run/judgebox")]
    runtime_dir: PathBuf,
    /// The cgroup filesystem root (for v2, a delegated directory).
    #[arg(long, default_value = "/sys/fs/cgroup")]
    cgroup_root: PathBuf,
    /// Force a cgroup version instead of detecting it: v1 or v2.
    #[arg(long)]
    cgroup_version: Option<CgroupVersion>,
    /// Slot N's boxes run as uid and gid BASE+N.
    #[arg(long, default_value_t = 60000)]
    uid_base: u32,
    /// Let a run that asks for it use the host's network.
    #[arg(long)]
    allow_network: bool,
    /// Leave the cgroup2 root's favordynmods flag as it is (by default the jail sets it: it
    /// makes joining a cgroup cost 0.04 ms instead of 5-20 ms after an idle spell).
    #[arg(long)]
    keep_cgroup_mode: bool,
    /// Pin the jail and its boxes' inits to one CPU; programs keep the jail's CPUs (the
    /// server's pool does not pin its jails).
    #[arg(long)]
    cpu: Option<usize>,
    /// Refuse to run any box on a kernel without Landlock (by default a box runs without it,
    /// on its other layers, and `--check` names the degradation).
    #[arg(long, env = "JUDGEBOX_REQUIRE_LANDLOCK", value_parser = clap::builder::BoolishValueParser::new(), default_value = "false")]
    require_landlock: bool,
    /// Diagnose the host and exit (non-zero if boxes cannot work here).
    #[arg(long)]
    check: bool,
}

impl Args {
    fn slot_config(&self) -> SlotConfig {
        SlotConfig {
            runtime_dir: self.runtime_dir.clone(),
            uid_base: self.uid_base,
            cgroup: CgroupConfig {
                root: self.cgroup_root.clone(),
                version: self.cgroup_version,
                parent: "judgebox".into(),
            },
            allow_network: self.allow_network,
            cpu: self.cpu,
            favor_dynmods: !self.keep_cgroup_mode,
            require_landlock: self.require_landlock,
        }
    }

    fn profiles(&self) -> anyhow::Result<Profiles> {
        Ok(match &self.profiles {
            Some(dir) => Profiles::load_dir(dir)?,
            None => Profiles::builtin()?,
        })
    }
}

/// Answers requests until stdin closes.
fn serve(slot: &mut Slot, output: &mut impl std::io::Write) -> anyhow::Result<()> {
    let mut input = BufReader::new(std::io::stdin().lock());
    while let Some(request) =
        read_frame::<_, JailRequest>(&mut input).context("reading a request")?
    {
        let response = judgebox_jail::answer(slot, request);
        write_frame(output, &response).context("writing a response")?;
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if args.check {
        return check::run(&args.slot_config(), args.profiles());
    }
    match jail(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("judgebox-jail: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn jail(args: &Args) -> anyhow::Result<()> {
    // Die with whoever started us; our boxes die with us.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .context("PR_SET_PDEATHSIG")?;
    let config = args.slot_config();
    let profiles = args.profiles()?;
    let mut slot = match args.slot {
        Some(id) => Slot::open(&config, id, profiles)?,
        None => Slot::open_ephemeral(&config, profiles)?,
    };
    let mut output = BufWriter::new(std::io::stdout().lock());
    let served = serve(&mut slot, &mut output);
    slot.close()?;
    served
}
