//! Summaries of timing samples: the median is the figure we quote (the host is shared and
//! noisy), p99 shows the tail, mean and standard deviation show the spread.

use std::time::Duration;

/// Order statistics and moments of one series of samples, in the samples' own unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub min: f64,
    pub median: f64,
    /// Nearest-rank 99th percentile: the smallest sample with at least 99 % of the samples at
    /// or below it.
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
    /// Sample standard deviation (divides by n − 1); 0 for fewer than two samples.
    pub stddev: f64,
}

impl Summary {
    /// Summarises `samples`; NaNs are not expected and sort last.
    ///
    /// # Panics
    /// On an empty slice: a bench that measured nothing has a bug.
    pub fn of(samples: &[f64]) -> Summary {
        assert!(!samples.is_empty(), "no samples to summarise");
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let rank = (0.99 * n as f64).ceil() as usize;
        let p99 = sorted[rank.clamp(1, n) - 1];
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let stddev = if n > 1 {
            let ss: f64 = sorted.iter().map(|x| (x - mean).powi(2)).sum();
            (ss / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Summary {
            n,
            min: sorted[0],
            median,
            p99,
            max: sorted[n - 1],
            mean,
            stddev,
        }
    }

    /// The sample farthest from zero, with its sign (for error series, where "worst" means
    /// largest in magnitude whichever way it went).
    pub fn worst(&self) -> f64 {
        if self.max.abs() >= self.min.abs() {
            self.max
        } else {
            self.min
        }
    }
}

/// A duration in microseconds.
pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `PASS` or `FAIL`, for printing next to a target.
pub fn verdict(met: bool) -> &'static str {
    if met {
        "PASS"
    } else {
        "FAIL"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_and_even_medians() {
        assert_eq!(Summary::of(&[3.0, 1.0, 2.0]).median, 2.0);
        assert_eq!(Summary::of(&[4.0, 1.0, 3.0, 2.0]).median, 2.5);
    }

    #[test]
    fn p99_is_nearest_rank() {
        let samples: Vec<f64> = (1..=200).map(f64::from).collect();
        // 99 % of 200 is 198: the 198th smallest sample.
        assert_eq!(Summary::of(&samples).p99, 198.0);
        assert_eq!(Summary::of(&[5.0]).p99, 5.0);
    }

    #[test]
    fn moments_and_worst() {
        let s = Summary::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.mean, 5.0);
        assert!((s.stddev - 2.138_089_935).abs() < 1e-6);
        assert_eq!(Summary::of(&[-3.0, 1.0, 2.0]).worst(), -3.0);
        assert_eq!(Summary::of(&[-1.0, 1.0, 2.0]).worst(), 2.0);
    }
}
