//! Driving a `judgebox-jail` the way the engine will: one long-lived process per slot,
//! framed JSON requests on its stdin, framed responses on its stdout.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use judgebox_jail_client::JailProcess;
use judgebox_spec::{BoxFile, JailRequest, JailResponse, Limits, Profiles, RunReport, RunRequest};

/// A running jail that owns one slot.
#[derive(Debug)]
pub struct Jail {
    process: JailProcess,
}

impl Jail {
    /// Starts `judgebox-jail --slot SLOT`. Pool slots are below 1000 (one-shot jails take
    /// 1000 and up), so a bench slot never competes with `judgebox sandbox run`.
    pub fn start(bin: &Path, slot: u32) -> anyhow::Result<Jail> {
        Self::start_with(bin, slot, &[])
    }

    /// The same with extra jail arguments (`--cpu N`, ...).
    pub fn start_with(bin: &Path, slot: u32, extra: &[&str]) -> anyhow::Result<Jail> {
        let slot = slot.to_string();
        let args = ["--slot", slot.as_str()]
            .into_iter()
            .chain(extra.iter().copied());
        Ok(Jail {
            process: JailProcess::spawn(bin, args)?,
        })
    }

    /// Sends one request and waits for its answer; the jail's `Error` answer is an error.
    pub fn call(&mut self, request: &JailRequest) -> anyhow::Result<JailResponse> {
        self.timed_call(request).map(|(_, response)| response)
    }

    /// Like [`Jail::call`], also returning the round trip: from just before the request is
    /// written (serialising it included) to just after the answer is read.
    pub fn timed_call(
        &mut self,
        request: &JailRequest,
    ) -> anyhow::Result<(Duration, JailResponse)> {
        let start = Instant::now();
        let response = self.process.call(request)?;
        Ok((start.elapsed(), response))
    }

    /// Places files in the box.
    pub fn write_files(&mut self, files: Vec<BoxFile>) -> anyhow::Result<()> {
        match self.call(&JailRequest::WriteFiles { files })? {
            JailResponse::Done => Ok(()),
            other => bail!("unexpected answer to WriteFiles: {other:?}"),
        }
    }

    /// Runs one program and returns its report with the request's round-trip time.
    pub fn run(&mut self, request: &JailRequest) -> anyhow::Result<(Duration, RunReport)> {
        match self.timed_call(request)? {
            (elapsed, JailResponse::Report(report)) => Ok((elapsed, report)),
            (_, other) => bail!("unexpected answer to Run: {other:?}"),
        }
    }

    /// The jail's pid.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Sends a request without waiting for its answer.
    pub fn send(&mut self, request: &JailRequest) -> anyhow::Result<()> {
        Ok(self.process.send(request)?)
    }

    /// Waits for the answer to a `Run` sent with [`Jail::send`].
    pub fn receive_report(&mut self) -> anyhow::Result<RunReport> {
        match self.process.receive()? {
            JailResponse::Report(report) => Ok(report),
            other => bail!("unexpected answer to Run: {other:?}"),
        }
    }

    /// SIGKILLs the jail (if it still runs) and reaps it.
    pub fn kill(self) {
        self.process.kill();
    }

    /// Closes the jail's stdin and waits for it to tear its slot down and exit.
    pub fn finish(self) -> anyhow::Result<()> {
        Ok(self.process.finish()?)
    }
}

/// The `run` profile's default limits: what a submission that asks for nothing gets.
pub fn run_limits() -> anyhow::Result<Limits> {
    let profiles = Profiles::builtin().context("loading the built-in sandbox profiles")?;
    Ok(profiles.get("run")?.defaults)
}

/// A `Run` request in the `run` profile, with no stdin and no extra environment.
pub fn run_request(argv: &[&str], limits: Limits) -> JailRequest {
    JailRequest::Run(RunRequest {
        profile: "run".into(),
        argv: argv.iter().map(|a| a.to_string()).collect(),
        env: Vec::new(),
        stdin: Default::default(),
        limits,
        network: false,
        stderr_to_stdout: false,
        address_space: None,
    })
}

/// A host file to place in the box as an executable called `name`.
pub fn box_file(host: &Path, name: &str) -> anyhow::Result<BoxFile> {
    let content =
        std::fs::read(host).with_context(|| format!("reading fixture {}", host.display()))?;
    Ok(BoxFile {
        path: name.into(),
        content: content.into(),
        executable: true,
    })
}
