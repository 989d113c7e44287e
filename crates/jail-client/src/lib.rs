//! The caller's side of the jail protocol: start a `judgebox-jail`, send it framed
//! [`JailRequest`]s, read its [`JailResponse`]s, and end it.
//!
//! Synchronous, for callers that do one thing at a time: the CLI, the test kit and the
//! benchmarks. It never forks a box itself; only the jail does.
#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};

use judgebox_spec::{read_frame, write_frame, FrameError, JailRequest, JailResponse};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("starting {path}: {source}")]
    Start {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("talking to the jail: {0}")]
    Frame(#[from] FrameError),
    #[error("the jail exited without answering ({0})")]
    Exited(String),
    /// The jail could not carry out the request (a bad path, an unknown profile, ...).
    #[error("{0}")]
    Refused(String),
    #[error("waiting for the jail: {0}")]
    Wait(std::io::Error),
    #[error("the jail failed while closing its slot ({0})")]
    Failed(ExitStatus),
}

/// Where the jail binary is: `$JUDGEBOX_JAIL`, beside the running executable, or on PATH.
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

/// A running jail with its framed stdin and stdout; its stderr is the caller's.
#[derive(Debug)]
pub struct JailProcess {
    child: Child,
    input: BufWriter<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl JailProcess {
    /// Starts the jail binary at `bin` with `args` (`--slot N`, ...).
    pub fn spawn<I, S>(bin: &Path, args: I) -> Result<JailProcess, ClientError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| ClientError::Start {
                path: bin.to_path_buf(),
                source,
            })?;
        let input = BufWriter::new(child.stdin.take().expect("stdin is piped"));
        let output = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(JailProcess {
            child,
            input,
            output,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a request without waiting for its answer.
    pub fn send(&mut self, request: &JailRequest) -> Result<(), ClientError> {
        Ok(write_frame(&mut self.input, request)?)
    }

    /// The next answer, whatever it is (including [`JailResponse::Error`]).
    pub fn receive(&mut self) -> Result<JailResponse, ClientError> {
        match read_frame(&mut self.output)? {
            Some(response) => Ok(response),
            None => {
                let status = self.child.wait().map_err(ClientError::Wait)?;
                Err(ClientError::Exited(status.to_string()))
            }
        }
    }

    /// Sends a request and waits for its answer; the jail's `Error` answer is an error.
    pub fn call(&mut self, request: &JailRequest) -> Result<JailResponse, ClientError> {
        self.send(request)?;
        match self.receive()? {
            JailResponse::Error { message } => Err(ClientError::Refused(message)),
            response => Ok(response),
        }
    }

    /// Closes the jail's input and waits for it to close its slot and exit cleanly.
    pub fn finish(self) -> Result<(), ClientError> {
        let JailProcess {
            mut child,
            input,
            output,
        } = self;
        drop((input, output));
        let status = child.wait().map_err(ClientError::Wait)?;
        if status.success() {
            Ok(())
        } else {
            Err(ClientError::Failed(status))
        }
    }

    /// SIGKILLs the jail and reaps it (its boxes die with it).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
