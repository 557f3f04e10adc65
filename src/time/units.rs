//! CF time units: `<unit> since <reference date>`.

use std::fmt;

use super::calendar::{Calendar, MICROS_PER_DAY, out_of_range};
use super::datetime::{CfDatetime, parse_datetime};
use crate::{Error, Result};

/// The step of a CF time unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeUnit {
    /// Microseconds.
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
    /// Weeks.
    Weeks,
}

impl TimeUnit {
    /// Length in microseconds.
    pub fn micros(self) -> i64 {
        match self {
            TimeUnit::Microseconds => 1,
            TimeUnit::Milliseconds => 1_000,
            TimeUnit::Seconds => 1_000_000,
            TimeUnit::Minutes => 60_000_000,
            TimeUnit::Hours => 3_600_000_000,
            TimeUnit::Days => MICROS_PER_DAY,
            TimeUnit::Weeks => 7 * MICROS_PER_DAY,
        }
    }

    /// The CF spelling.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Microseconds => "microseconds",
            TimeUnit::Milliseconds => "milliseconds",
            TimeUnit::Seconds => "seconds",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
            TimeUnit::Weeks => "weeks",
        }
    }

    fn parse(word: &str) -> Option<TimeUnit> {
        Some(match word.to_ascii_lowercase().as_str() {
            "microseconds" | "microsecond" | "us" | "usec" | "usecs" => TimeUnit::Microseconds,
            "milliseconds" | "millisecond" | "ms" | "msec" | "msecs" => TimeUnit::Milliseconds,
            "seconds" | "second" | "sec" | "secs" | "s" => TimeUnit::Seconds,
            "minutes" | "minute" | "min" | "mins" => TimeUnit::Minutes,
            "hours" | "hour" | "hr" | "hrs" | "h" => TimeUnit::Hours,
            "days" | "day" | "d" => TimeUnit::Days,
            "weeks" | "week" => TimeUnit::Weeks,
            _ => return None,
        })
    }
}

/// Parsed CF time units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeUnits {
    /// The step.
    pub unit: TimeUnit,
    /// The reference date and time (in the variable's calendar).
    pub reference: CfDatetime,
    /// Timezone offset of the reference, in minutes east of UTC.
    pub tz_minutes: i64,
}

impl TimeUnits {
    /// Parses `"days since 1850-01-01"`, `"hours since 1900-01-01 00:00:00"`,
    /// `"seconds since 1970-01-01T00:00:00Z"`, ...
    pub fn parse(text: &str) -> Result<TimeUnits> {
        let err = |reason: &str| Error::InvalidTimeUnits {
            units: text.to_string(),
            reason: reason.to_string(),
        };
        let lower = text.to_ascii_lowercase();
        let pos = lower
            .find(" since ")
            .ok_or_else(|| err("expected '<unit> since <date>'"))?;
        let word = text[..pos].trim();
        let unit = match TimeUnit::parse(word) {
            Some(u) => u,
            None if matches!(
                word.to_ascii_lowercase().as_str(),
                "months" | "month" | "years" | "year"
            ) =>
            {
                return Err(err(
                    "months and years have no fixed length; CF discourages them and they are not decoded",
                ));
            }
            None => return Err(err(&format!("unknown unit {word:?}"))),
        };
        let (reference, _, tz_minutes) = parse_datetime(text[pos + 7..].trim())
            .map_err(|e| err(&format!("bad reference date: {e}")))?;
        Ok(TimeUnits {
            unit,
            reference,
            tz_minutes,
        })
    }

    /// Units `unit since reference` with no timezone.
    pub fn new(unit: TimeUnit, reference: CfDatetime) -> Self {
        TimeUnits {
            unit,
            reference,
            tz_minutes: 0,
        }
    }

    /// The reference instant in `cal`, in microseconds since 1970-01-01 (UTC).
    pub fn reference_micros(&self, cal: Calendar) -> Result<i64> {
        cal.to_micros(&self.reference)?
            .checked_sub(self.tz_minutes * 60_000_000)
            .ok_or_else(|| out_of_range(self.reference.to_string()))
    }
}

impl fmt::Display for TimeUnits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.reference;
        write!(
            f,
            "{} since {}",
            self.unit.name(),
            r.to_string().replacen('T', " ", 1)
        )?;
        if self.tz_minutes != 0 {
            let sign = if self.tz_minutes < 0 { '-' } else { '+' };
            let m = self.tz_minutes.abs();
            write!(f, " {sign}{:02}:{:02}", m / 60, m % 60)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_units() {
        let u = TimeUnits::parse("days since 1850-01-01").unwrap();
        assert_eq!(
            (u.unit, u.reference),
            (TimeUnit::Days, CfDatetime::date(1850, 1, 1))
        );
        let u = TimeUnits::parse("Hours Since 1900-01-01 00:00:00.0").unwrap();
        assert_eq!(u.unit, TimeUnit::Hours);
        let u = TimeUnits::parse("seconds since 1970-01-01 00:00:00 +05:00").unwrap();
        assert_eq!(u.tz_minutes, 300);
        assert_eq!(
            u.reference_micros(Calendar::Standard).unwrap(),
            -5 * 3_600_000_000
        );
        assert_eq!(u.to_string(), "seconds since 1970-01-01 00:00:00 +05:00");
        assert_eq!(
            TimeUnits::parse("ms since 2000-1-1").unwrap().unit,
            TimeUnit::Milliseconds
        );
    }

    #[test]
    fn rejects_with_reasons() {
        let e = TimeUnits::parse("fortnights since 2000-01-01")
            .unwrap_err()
            .to_string();
        assert!(e.contains("fortnights"), "{e}");
        let e = TimeUnits::parse("months since 2000-01-01")
            .unwrap_err()
            .to_string();
        assert!(e.contains("months"), "{e}");
        assert!(TimeUnits::parse("days after 2000").is_err());
        assert!(TimeUnits::parse("days since yesterday").is_err());
    }
}
