//! Starting a `judgebox-jail` and talking to it (synchronously; the CLI does one thing at a
//! time).

use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{bail, Context};
use judgebox_spec::{read_frame, write_frame, JailRequest, JailResponse};

/// Where the jail binary is: `$JUDGEBOX_JAIL`, beside this executable, or on PATH.
pub fn jail_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("JUDGEBOX_JAIL") {
        return PathBuf::from(p);
    }
    if let Ok(exe) = std::env::current_exe() {
        let beside = exe.with_file_name("judgebox-jail");
        if beside.exists() {
            return beside;
        }
    }
    PathBuf::from("judgebox-jail")
}

/// A running jail with its framed stdin and stdout.
#[derive(Debug)]
pub struct Jail {
    child: Child,
    input: BufWriter<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Jail {
    pub fn start(args: &[String]) -> anyhow::Result<Jail> {
        let bin = jail_binary();
        let mut child = Command::new(&bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let input = BufWriter::new(child.stdin.take().expect("piped"));
        let output = BufReader::new(child.stdout.take().expect("piped"));
        Ok(Jail {
            child,
            input,
            output,
        })
    }

    pub fn call(&mut self, request: &JailRequest) -> anyhow::Result<JailResponse> {
        write_frame(&mut self.input, request).context("sending a request to the jail")?;
        match read_frame(&mut self.output).context("reading the jail's answer")? {
            Some(JailResponse::Error { message }) => bail!("{message}"),
            Some(response) => Ok(response),
            None => {
                let status = self.child.wait().ok();
                bail!(
                    "the jail exited without answering ({})",
                    status.map_or("unknown status".into(), |s| s.to_string())
                )
            }
        }
    }

    /// Leaves a `--once` jail to exit by itself: it closed its slot before its last answer,
    /// and what remains (its namespaces going away) need not hold the caller up.
    pub fn detach(self) {
        drop(self);
    }
}
