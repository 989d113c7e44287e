//! Points in time as milliseconds since the Unix epoch, with the little UTC calendar
//! arithmetic the store and the API need (Judge0's `2024-04-04T05:22:23.712Z` and
//! `/statistics`' `YYYY-MM-DD` day keys), so no date crate is needed.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in one UTC day (UTC has no leap seconds in Unix time).
pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// A point in time: milliseconds since 1970-01-01T00:00:00Z.
///
/// `Display` gives Judge0's format, `2024-04-04T05:22:23.712Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time from the system clock.
    pub fn now() -> Self {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => Self(i64::try_from(since.as_millis()).unwrap_or(i64::MAX)),
            // A clock set before 1970: keep the sign rather than fail.
            Err(before) => Self(-i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX)),
        }
    }

    /// The timestamp `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The UTC day this instant falls in, counted in days since 1970-01-01.
    pub const fn utc_day(self) -> i64 {
        self.0.div_euclid(MILLIS_PER_DAY)
    }

    /// The first millisecond of this instant's UTC day.
    pub const fn start_of_utc_day(self) -> Self {
        Self(self.utc_day() * MILLIS_PER_DAY)
    }

    /// The UTC date as `YYYY-MM-DD`.
    pub fn utc_date(self) -> String {
        format_day(self.utc_day())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.utc_day());
        let in_day = self.0.rem_euclid(MILLIS_PER_DAY);
        let (secs, millis) = (in_day / 1000, in_day % 1000);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub(crate) fn format_day(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01): Howard Hinnant's
/// `civil_from_days`, <https://howardhinnant.github.io/date_algorithms.html#civil_from_days>.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st, [0, 365]
    let mp = (5 * doy + 2) / 153; // month from March, [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is in [1, 31] and month in [1, 12] by construction.
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_judge0() {
        // 2024-04-04T05:22:23.712Z, checked with `date -u -d @1712208143.712`.
        let t = Timestamp(1_712_208_143_712);
        assert_eq!(t.to_string(), "2024-04-04T05:22:23.712Z");
        assert_eq!(t.utc_date(), "2024-04-04");
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(59), "1970-03-01");
        // 2000 is a leap year, 2100 is not.
        assert_eq!(format_day(11_016), "2000-02-29");
        assert_eq!(format_day(11_017), "2000-03-01");
        assert_eq!(format_day(47_540), "2100-02-28");
        assert_eq!(format_day(47_541), "2100-03-01");
        assert_eq!(format_day(19_722), "2023-12-31");
        assert_eq!(format_day(19_723), "2024-01-01");
    }

    #[test]
    fn day_boundaries() {
        let t = Timestamp(1_712_208_143_712);
        assert_eq!(t.start_of_utc_day(), Timestamp(1_712_188_800_000));
        assert_eq!(Timestamp(-1).utc_day(), -1);
        assert!(Timestamp::now() > t);
    }
}
