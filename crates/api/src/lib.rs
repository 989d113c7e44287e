//! The Judge0 CE 1.13.1-compatible HTTP API.
#![forbid(unsafe_code)]

pub mod format;
