//! Judge0's submission statuses, ids 1 to 14, with their exact descriptions.

use serde::{Deserialize, Serialize};

/// A Judge0 status. The numeric id is the wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Status {
    InQueue = 1,
    Processing = 2,
    Accepted = 3,
    WrongAnswer = 4,
    TimeLimitExceeded = 5,
    CompilationError = 6,
    RuntimeSigsegv = 7,
    RuntimeSigxfsz = 8,
    RuntimeSigfpe = 9,
    RuntimeSigabrt = 10,
    RuntimeNzec = 11,
    RuntimeOther = 12,
    InternalError = 13,
    ExecFormatError = 14,
}

impl Status {
    /// Every status in id order (what `GET /statuses` lists).
    pub const ALL: [Status; 14] = [
        Status::InQueue,
        Status::Processing,
        Status::Accepted,
        Status::WrongAnswer,
        Status::TimeLimitExceeded,
        Status::CompilationError,
        Status::RuntimeSigsegv,
        Status::RuntimeSigxfsz,
        Status::RuntimeSigfpe,
        Status::RuntimeSigabrt,
        Status::RuntimeNzec,
        Status::RuntimeOther,
        Status::InternalError,
        Status::ExecFormatError,
    ];

    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn from_id(id: u8) -> Option<Status> {
        Status::ALL.get(usize::from(id).checked_sub(1)?).copied()
    }

    /// Judge0's description, byte for byte.
    pub fn description(self) -> &'static str {
        match self {
            Status::InQueue => "In Queue",
            Status::Processing => "Processing",
            Status::Accepted => "Accepted",
            Status::WrongAnswer => "Wrong Answer",
            Status::TimeLimitExceeded => "Time Limit Exceeded",
            Status::CompilationError => "Compilation Error",
            Status::RuntimeSigsegv => "Runtime Error (SIGSEGV)",
            Status::RuntimeSigxfsz => "Runtime Error (SIGXFSZ)",
            Status::RuntimeSigfpe => "Runtime Error (SIGFPE)",
            Status::RuntimeSigabrt => "Runtime Error (SIGABRT)",
            Status::RuntimeNzec => "Runtime Error (NZEC)",
            Status::RuntimeOther => "Runtime Error (Other)",
            Status::InternalError => "Internal Error",
            Status::ExecFormatError => "Exec Format Error",
        }
    }

    /// Whether the submission has reached its verdict (anything but In Queue and Processing).
    pub fn is_final(self) -> bool {
        !matches!(self, Status::InQueue | Status::Processing)
    }
}

impl From<Status> for u8 {
    fn from(s: Status) -> u8 {
        s.id()
    }
}

impl TryFrom<u8> for Status {
    type Error = String;
    fn try_from(id: u8) -> Result<Status, String> {
        Status::from_id(id).ok_or_else(|| format!("no status with id {id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_dense() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(usize::from(s.id()), i + 1);
            assert_eq!(Status::from_id(s.id()), Some(*s));
        }
        assert_eq!(Status::from_id(0), None);
        assert_eq!(Status::from_id(15), None);
        assert_eq!(serde_json::to_string(&Status::RuntimeSigsegv).unwrap(), "7");
        assert!(!Status::Processing.is_final() && Status::InternalError.is_final());
    }
}
