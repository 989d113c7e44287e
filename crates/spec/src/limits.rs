//! What one run may consume.

use serde::{Deserialize, Serialize};

/// Resolved limits for one run. Times are seconds, sizes kilobytes (1 KB = 1024 bytes), as
/// in Judge0 and isolate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// CPU time of all the box's processes together.
    pub cpu_time: f64,
    /// Wall-clock time from start to the last process's exit.
    pub wall_time: f64,
    /// Memory of the box's cgroup (anonymous, page cache and tmpfs together); no swap.
    pub memory: u64,
    /// Stack of each process (RLIMIT_STACK).
    pub stack: u64,
    /// Processes and threads alive at once.
    pub processes: u64,
    /// Largest file a process may write (RLIMIT_FSIZE).
    pub file_size: u64,
    /// stdout and stderr captured together; more ends the run.
    pub output: u64,
    /// Open file descriptors per process (RLIMIT_NOFILE).
    pub open_files: u64,
}

/// The all-optional twin of [`Limits`]: what a caller asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsUpdate {
    pub cpu_time: Option<f64>,
    pub wall_time: Option<f64>,
    pub memory: Option<u64>,
    pub stack: Option<u64>,
    pub processes: Option<u64>,
    pub file_size: Option<u64>,
    pub output: Option<u64>,
    pub open_files: Option<u64>,
}

/// A requested limit above what the profile allows, or not a usable number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    #[error("{field} must be greater than 0")]
    NotPositive { field: &'static str },
    #[error("{field} is {value}, more than the maximum {max}")]
    AboveMaximum {
        field: &'static str,
        value: f64,
        max: f64,
    },
}

impl LimitsUpdate {
    /// Fills what is unset from `defaults` and refuses what exceeds `maximums`.
    pub fn resolve(&self, defaults: &Limits, maximums: &Limits) -> Result<Limits, LimitError> {
        fn pick<T: Copy + Into<f64> + PartialOrd>(
            field: &'static str,
            asked: Option<T>,
            default: T,
            max: T,
        ) -> Result<T, LimitError> {
            let value = asked.unwrap_or(default);
            let v: f64 = value.into();
            if v.is_nan() || v <= 0.0 {
                return Err(LimitError::NotPositive { field });
            }
            if value > max {
                return Err(LimitError::AboveMaximum {
                    field,
                    value: v,
                    max: max.into(),
                });
            }
            Ok(value)
        }
        // u64 has no lossless Into<f64>; sizes here are far below 2^53.
        fn pick_u(
            field: &'static str,
            asked: Option<u64>,
            default: u64,
            max: u64,
        ) -> Result<u64, LimitError> {
            let value = asked.unwrap_or(default);
            if value == 0 {
                return Err(LimitError::NotPositive { field });
            }
            if value > max {
                return Err(LimitError::AboveMaximum {
                    field,
                    value: value as f64,
                    max: max as f64,
                });
            }
            Ok(value)
        }
        Ok(Limits {
            cpu_time: pick(
                "cpu_time",
                self.cpu_time,
                defaults.cpu_time,
                maximums.cpu_time,
            )?,
            wall_time: pick(
                "wall_time",
                self.wall_time,
                defaults.wall_time,
                maximums.wall_time,
            )?,
            memory: pick_u("memory", self.memory, defaults.memory, maximums.memory)?,
            stack: pick_u("stack", self.stack, defaults.stack, maximums.stack)?,
            processes: pick_u(
                "processes",
                self.processes,
                defaults.processes,
                maximums.processes,
            )?,
            file_size: pick_u(
                "file_size",
                self.file_size,
                defaults.file_size,
                maximums.file_size,
            )?,
            output: pick_u("output", self.output, defaults.output, maximums.output)?,
            open_files: pick_u(
                "open_files",
                self.open_files,
                defaults.open_files,
                maximums.open_files,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(v: f64, n: u64) -> Limits {
        Limits {
            cpu_time: v,
            wall_time: v * 2.0,
            memory: n,
            stack: n,
            processes: n,
            file_size: n,
            output: n,
            open_files: n,
        }
    }

    #[test]
    fn unset_fields_take_defaults() {
        let got = LimitsUpdate::default()
            .resolve(&base(1.0, 10), &base(5.0, 100))
            .unwrap();
        assert_eq!(got, base(1.0, 10));
    }

    #[test]
    fn set_fields_override_up_to_the_maximum() {
        let ask = LimitsUpdate {
            cpu_time: Some(5.0),
            memory: Some(100),
            ..Default::default()
        };
        let got = ask.resolve(&base(1.0, 10), &base(5.0, 100)).unwrap();
        assert_eq!(got.cpu_time, 5.0);
        assert_eq!(got.memory, 100);
    }

    #[test]
    fn above_maximum_and_non_positive_are_refused() {
        let over = LimitsUpdate {
            memory: Some(101),
            ..Default::default()
        };
        assert!(matches!(
            over.resolve(&base(1.0, 10), &base(5.0, 100)),
            Err(LimitError::AboveMaximum {
                field: "memory",
                ..
            })
        ));
        let zero = LimitsUpdate {
            wall_time: Some(0.0),
            ..Default::default()
        };
        assert!(matches!(
            zero.resolve(&base(1.0, 10), &base(5.0, 100)),
            Err(LimitError::NotPositive { field: "wall_time" })
        ));
        let nan = LimitsUpdate {
            cpu_time: Some(f64::NAN),
            ..Default::default()
        };
        assert!(nan.resolve(&base(1.0, 10), &base(5.0, 100)).is_err());
    }
}
