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

/// A distribution-free 95 % confidence interval for the median of `samples`, from the sign
/// test: the k-th smallest and k-th largest samples, k the largest rank for which fewer than
/// k samples fall below the true median with probability at most 2.5 % (Binomial(n, ½)). It
/// assumes only independent samples, which paired differences of alternated rounds are.
/// `None` below 6 samples, where no such interval reaches 95 %.
pub fn median_ci95(samples: &[f64]) -> Option<(f64, f64)> {
    let n = samples.len();
    // P(X <= j) for X ~ Binomial(n, 1/2), summed in log space so that large n cannot
    // underflow: ln C(n, j) = ln C(n, j-1) + ln((n-j+1)/j).
    let mut ln_choose = 0.0_f64;
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut cdf = 0.0;
    let mut k = 0;
    for j in 0..n {
        if j > 0 {
            ln_choose += ((n - j + 1) as f64 / j as f64).ln();
        }
        cdf += (ln_choose + ln_half_n).exp();
        if cdf > 0.025 {
            break;
        }
        // Fewer than j + 1 samples below the median has probability cdf <= 2.5 %.
        k = j + 1;
    }
    if k == 0 {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some((sorted[k - 1], sorted[n - k]))
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

    #[test]
    fn median_ci95_takes_the_sign_test_ranks() {
        let samples: Vec<f64> = (1..=30).map(f64::from).collect();
        // The published 95 % ranks for n = 30 are the 10th and 21st.
        assert_eq!(median_ci95(&samples), Some((10.0, 21.0)));
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        // n = 100: the 40th and 61st.
        assert_eq!(median_ci95(&samples), Some((40.0, 61.0)));
        // n = 6: only the extremes (P(X = 0) = 1/64 < 2.5 %).
        assert_eq!(
            median_ci95(&[6.0, 1.0, 5.0, 2.0, 4.0, 3.0]),
            Some((1.0, 6.0))
        );
        assert_eq!(median_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]), None);
    }

    #[test]
    fn median_ci95_holds_for_many_samples() {
        let samples: Vec<f64> = (0..5000).map(|i| f64::from((i * 7919) % 5000)).collect();
        let (lo, hi) = median_ci95(&samples).unwrap();
        assert!(lo < 2500.0 && hi > 2500.0 && hi - lo < 200.0, "{lo} {hi}");
    }
}
