//! Pure data shared by every judgebox process.
//!
//! - [`Limits`]: what a run may consume, in the units the CLI and Judge0 speak (seconds and
//!   kilobytes), with the all-optional [`LimitsUpdate`] twin resolved against a profile.
//! - The jail protocol: a [`JailRequest`] goes to a `judgebox-jail` process as one
//!   length-prefixed JSON frame, a [`JailResponse`] comes back the same way.
//! - [`Profile`]: a sandbox policy loaded strictly from `sandbox-profiles/`.
//! - [`LanguageSpec`]: how a Judge0 language id compiles and runs, from `languages/`.
//! - [`Status`]: Judge0's status ids 1-14.
//!
//! Nothing here makes a syscall; the crate only reads the files it is pointed at.
#![forbid(unsafe_code)]

mod bytes;
mod frame;
mod language;
mod limits;
mod profile;
mod protocol;
mod status;

pub use bytes::Bytes;
pub use frame::{read_frame, write_frame, FrameError, MAX_FRAME};
pub use language::{
    extract_version, LanguageChecks, LanguageError, LanguageSpec, Languages, OPTIONS_PLACEHOLDER,
    VERSION_PLACEHOLDER,
};
pub use limits::{LimitError, Limits, LimitsUpdate};
pub use profile::{BindMount, Profile, ProfileError, Profiles, Symlink};
pub use protocol::{BoxFile, JailRequest, JailResponse, Outcome, RunReport, RunRequest};
pub use status::Status;
