//! One `judgebox-jail` process seen from async code: framed requests on its stdin, framed
//! answers on its stdout.
//!
//! The jail sets `PR_SET_PDEATHSIG`, which fires when the *thread* that spawned it exits. A
//! jail must therefore be spawned from a thread that lives as long as the pool: a tokio
//! worker thread or the runtime's main thread, never a `spawn_blocking` thread (those retire
//! after ten idle seconds and would take their jails with them).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;

use judgebox_spec::{JailRequest, JailResponse, MAX_FRAME};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// How to start a jail: the binary and the arguments every jail of a pool shares.
#[derive(Debug, Clone)]
pub struct JailCommand {
    pub binary: PathBuf,
    /// Arguments before the slot choice (`--profiles DIR`, `--allow-network`, ...).
    pub args: Vec<OsString>,
}

#[derive(Debug, thiserror::Error)]
pub enum JailError {
    #[error("starting {path}: {source}")]
    Start {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("talking to the jail: {0}")]
    Io(#[from] std::io::Error),
    #[error("the jail's answer is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the jail's answer of {0} bytes is larger than a frame may be")]
    TooLarge(usize),
    #[error("the jail exited ({0})")]
    Exited(String),
    /// The jail refused the request (a bad path, an unknown profile, ...).
    #[error("{0}")]
    Refused(String),
    #[error("the jail answered {0} to {1}")]
    Unexpected(&'static str, &'static str),
}

/// A running jail. Dropping it kills the jail, and with it any box it is running.
#[derive(Debug)]
pub struct Jail {
    child: Child,
    input: BufWriter<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Jail {
    /// Starts a jail for `slot`, or for a free one-shot slot when `slot` is `None`.
    pub fn spawn(command: &JailCommand, slot: Option<u32>) -> Result<Jail, JailError> {
        let mut cmd = Command::new(&command.binary);
        cmd.args(&command.args);
        if let Some(slot) = slot {
            cmd.arg("--slot").arg(slot.to_string());
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| JailError::Start {
                path: command.binary.clone(),
                source,
            })?;
        let input = BufWriter::new(child.stdin.take().expect("stdin is piped"));
        let output = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Jail {
            child,
            input,
            output,
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Sends a request and reads its answer; the jail's `Error` answer is [`JailError::Refused`].
    pub async fn call(&mut self, request: &JailRequest) -> Result<JailResponse, JailError> {
        self.send(request).await?;
        self.flush().await?;
        self.receive().await
    }

    /// Queues a request without sending it yet: several requests then go in one write, and
    /// the jail answers them in order ([`Jail::receive`] each), one round trip for all.
    pub async fn send(&mut self, request: &JailRequest) -> Result<(), JailError> {
        let body = serde_json::to_vec(request)?;
        let len = u32::try_from(body.len()).map_err(|_| JailError::TooLarge(body.len()))?;
        self.input.write_all(&len.to_le_bytes()).await?;
        self.input.write_all(&body).await?;
        Ok(())
    }

    /// Sends what [`Jail::send`] queued.
    pub async fn flush(&mut self) -> Result<(), JailError> {
        Ok(self.input.flush().await?)
    }

    /// Reads the answer to the oldest request not yet answered.
    pub async fn receive(&mut self) -> Result<JailResponse, JailError> {
        let mut len = [0u8; 4];
        if let Err(e) = self.output.read_exact(&mut len).await {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                let status = self.child.wait().await?;
                return Err(JailError::Exited(status.to_string()));
            }
            return Err(e.into());
        }
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_FRAME {
            return Err(JailError::TooLarge(len));
        }
        let mut body = vec![0u8; len];
        self.output.read_exact(&mut body).await?;
        match serde_json::from_slice(&body)? {
            JailResponse::Error { message } => Err(JailError::Refused(message)),
            response => Ok(response),
        }
    }
}
