//! The jail's request handling and one-shot mode as a library, for the `judgebox` commands
//! that make boxes in their own process (`sandbox run`, `run`).
//!
//! A jail is a single-threaded, synchronous process that owns one slot. `judgebox sandbox
//! run` is such a process for the length of its one run: it parses its arguments, runs one
//! box and prints one report, with no runtime and no other thread. So it runs the jail's
//! one-shot mode in its own process ([`run_once`]) instead of starting a `judgebox-jail`
//! and talking to it, as it once did: that second process cost ~1.5 ms of the ~9 ms a one-shot run
//! took (its exec, a second parse of the profiles, the framed round trip). The slot code
//! checks that the process is single-threaded before it opens a slot, so a caller with
//! threads is refused, not exposed to a fork with someone else's locks held.
#![forbid(unsafe_code)]

use judgebox_sandbox::{SandboxError, Slot, SlotConfig, EPHEMERAL_SLOTS};
use judgebox_spec::{BoxFile, JailRequest, JailResponse, Profiles, RunReport, RunRequest};

/// Takes one-shot slot `slot` (or the first free one), writes `files` into its box, runs
/// `request`, closes the slot. The box dies with the calling process if it is killed (the
/// box's init has `PR_SET_PDEATHSIG`).
pub fn run_once(
    config: &SlotConfig,
    slot: Option<u32>,
    profiles: Profiles,
    files: &[BoxFile],
    request: &RunRequest,
) -> Result<RunReport, SandboxError> {
    let mut slot = match slot {
        Some(id) if EPHEMERAL_SLOTS.contains(&id) => Slot::open(config, id, profiles)?,
        Some(id) => {
            return Err(SandboxError::BadRequest(format!(
                "slot {id} is not a one-shot slot ({}-{})",
                EPHEMERAL_SLOTS.start,
                EPHEMERAL_SLOTS.end - 1
            )))
        }
        None => Slot::open_ephemeral(config, profiles)?,
    };
    let report = slot.write_files(files).map(|()| slot.run(request));
    slot.close()?;
    report
}

/// The jail's answer to one request on `slot`: what `judgebox-jail` writes back for each
/// frame it reads, and what `judgebox run` gets without the frames.
pub fn answer(slot: &mut Slot, request: JailRequest) -> JailResponse {
    match request {
        JailRequest::ResetBox => slot.reset_box().map(|()| JailResponse::Done),
        JailRequest::WriteFiles { files } => slot.write_files(&files).map(|()| JailResponse::Done),
        JailRequest::ReadFile { path, max_size } => {
            slot.read_file(&path, max_size)
                .map(|content| JailResponse::File {
                    content: content.into(),
                })
        }
        JailRequest::Run(run) => Ok(JailResponse::Report(slot.run(&run))),
    }
    .unwrap_or_else(|e| JailResponse::Error {
        message: e.to_string(),
    })
}
