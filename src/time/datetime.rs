//! [`CfDatetime`]: a calendar-free date and time, and the parser for the date strings
//! people write (`2000`, `2000-03`, `2000-03-15T12:30`, `1900-1-1 0:0:0`).

use std::fmt;

use crate::{Error, Result};

/// A date and time of day, meaningful within a [`Calendar`](super::Calendar).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CfDatetime {
    /// Astronomical year (year 0 exists).
    pub year: i64,
    /// 1-12.
    pub month: u8,
    /// 1-31.
    pub day: u8,
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-59.
    pub second: u8,
    /// 0-999999.
    pub microsecond: u32,
}

impl CfDatetime {
    /// Midnight of a date.
    pub fn date(year: i64, month: u8, day: u8) -> Self {
        CfDatetime {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            microsecond: 0,
        }
    }
}

impl fmt::Display for CfDatetime {
    /// ISO 8601 (`YYYY-MM-DDTHH:MM:SS`, with `.ffffff` when there are microseconds);
    /// years outside 0..=9999 are written with a sign.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if (0..=9999).contains(&self.year) {
            write!(f, "{:04}", self.year)?;
        } else {
            write!(f, "{:+05}", self.year)?;
        }
        write!(
            f,
            "-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.microsecond != 0 {
            write!(f, ".{:06}", self.microsecond)?;
        }
        Ok(())
    }
}

/// How much of a date string was given: the unit of the period it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// `2000`.
    Year,
    /// `2000-03`.
    Month,
    /// `2000-03-15`.
    Day,
    /// `2000-03-15T12`.
    Hour,
    /// `2000-03-15T12:30`.
    Minute,
    /// `2000-03-15T12:30:45`.
    Second,
    /// `2000-03-15T12:30:45.25`.
    Fraction,
}

fn num<T: std::str::FromStr>(s: &str, what: &str, input: &str) -> Result<T> {
    s.trim().parse().map_err(|_| Error::InvalidDate {
        input: input.to_string(),
        reason: format!("cannot read the {what} from {s:?}"),
    })
}

/// Parses a date or date-time string, returning the datetime, how precise it was and
/// any timezone offset in minutes (`Z`, `+05:00`, `-0500`, `UTC`).
pub fn parse_datetime(text: &str) -> Result<(CfDatetime, Precision, i64)> {
    let input = text;
    let s = text.trim();
    if s.is_empty() {
        return Err(Error::InvalidDate {
            input: input.into(),
            reason: "empty".into(),
        });
    }
    // Split off a timezone.
    let (s, tz) = split_tz(s, input)?;
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let (neg, date) = match date.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, date.strip_prefix('+').unwrap_or(date)),
    };
    let parts: Vec<&str> = date.split('-').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(Error::InvalidDate {
            input: input.into(),
            reason: "expected YYYY[-MM[-DD]]".into(),
        });
    }
    let mut year: i64 = num(parts[0], "year", input)?;
    if neg {
        year = -year;
    }
    let month: u8 = parts
        .get(1)
        .map(|p| num(p, "month", input))
        .transpose()?
        .unwrap_or(1);
    let day: u8 = parts
        .get(2)
        .map(|p| num(p, "day", input))
        .transpose()?
        .unwrap_or(1);
    let mut dt = CfDatetime::date(year, month, day);
    let mut precision = [Precision::Year, Precision::Month, Precision::Day][parts.len() - 1];
    if let Some(time) = time.filter(|t| !t.is_empty()) {
        if parts.len() < 3 {
            return Err(Error::InvalidDate {
                input: input.into(),
                reason: "a time of day needs a full date".into(),
            });
        }
        let tparts: Vec<&str> = time.split(':').collect();
        if tparts.len() > 3 {
            return Err(Error::InvalidDate {
                input: input.into(),
                reason: "expected HH[:MM[:SS[.ffffff]]]".into(),
            });
        }
        dt.hour = num(tparts[0], "hour", input)?;
        precision = Precision::Hour;
        if let Some(m) = tparts.get(1) {
            dt.minute = num(m, "minute", input)?;
            precision = Precision::Minute;
        }
        if let Some(sec) = tparts.get(2) {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            dt.second = num(whole, "second", input)?;
            precision = Precision::Second;
            if !frac.is_empty() {
                if !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::InvalidDate {
                        input: input.into(),
                        reason: format!("fraction of a second {frac:?} is not digits"),
                    });
                }
                // Microseconds: digits beyond the sixth are dropped, as numpy does.
                let digits = &frac[..frac.len().min(6)];
                let scale = 10u32.pow(6 - digits.len() as u32);
                dt.microsecond = num::<u32>(digits, "fraction of a second", input)? * scale;
                precision = Precision::Fraction;
            }
        }
    }
    Ok((dt, precision, tz))
}

/// The largest timezone offset accepted, in minutes (real ones stay within 14 hours).
const MAX_TZ_MINUTES: i64 = 24 * 60;

fn split_tz<'a>(s: &'a str, input: &str) -> Result<(&'a str, i64)> {
    let upper = s.to_ascii_uppercase();
    for suffix in [" UTC", "UTC", " GMT", "Z"] {
        if upper.ends_with(suffix) && s.len() > suffix.len() {
            return Ok((s[..s.len() - suffix.len()].trim_end(), 0));
        }
    }
    // An offset after the time part: "... 12:00:00 +05:00", "...T12:00-0500", "... 00:00 -6".
    if let Some(tpos) = s.find(['T', ' ']) {
        let rest = &s[tpos + 1..];
        if let Some(i) = rest.rfind(['+', '-']) {
            let off = rest[i + 1..].trim();
            let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
            // Only an all-ASCII offset may be split by byte position: "+3€" is 4 bytes
            // too, and slicing it at 2 would cut the euro sign (found by fuzzing).
            if !off.is_empty() && off.chars().all(|c| c.is_ascii_digit() || c == ':') {
                let (h, m) = match off.split_once(':') {
                    Some((h, m)) => (h, m),
                    None if off.len() == 4 => (&off[..2], &off[2..]),
                    None => (off, "0"),
                };
                let (h, m) = (
                    num::<i64>(h, "timezone hours", input)?,
                    num::<i64>(m, "timezone minutes", input)?,
                );
                // Bounded so that callers can turn it into microseconds without overflow.
                let mins = h
                    .checked_mul(60)
                    .and_then(|hm| hm.checked_add(m))
                    .filter(|&mins| mins <= MAX_TZ_MINUTES)
                    .ok_or_else(|| Error::InvalidDate {
                        input: input.into(),
                        reason: format!("the timezone offset {off:?} is beyond 24:00"),
                    })?;
                return Ok((s[..tpos + 1 + i].trim_end(), sign * mins));
            }
        }
    }
    Ok((s, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_write() {
        let (d, p, tz) = parse_datetime("2000-03").unwrap();
        assert_eq!(
            (d, p, tz),
            (CfDatetime::date(2000, 3, 1), Precision::Month, 0)
        );
        let (d, p, _) = parse_datetime("1900-1-1 0:0:0").unwrap();
        assert_eq!((d, p), (CfDatetime::date(1900, 1, 1), Precision::Second));
        let (d, p, _) = parse_datetime("2000-01-01T12:30:45.25").unwrap();
        assert_eq!(
            (d.hour, d.minute, d.second, d.microsecond, p),
            (12, 30, 45, 250_000, Precision::Fraction)
        );
        assert_eq!(parse_datetime("1970-01-01 00:00:00 +05:00").unwrap().2, 300);
        assert_eq!(parse_datetime("1970-01-01T00:00:00-0530").unwrap().2, -330);
        assert_eq!(parse_datetime("2000-01-01T00:00:00Z").unwrap().2, 0);
        assert_eq!(parse_datetime("-0100-01-01").unwrap().0.year, -100);
        assert_eq!(
            parse_datetime("2000-01-01 00:00 UTC").unwrap().1,
            Precision::Minute
        );
    }

    #[test]
    fn rejects_garbage_with_the_input_in_the_message() {
        for bad in ["", "yesterday", "2000-13x", "2000-01-01T25:aa", "2000--01"] {
            let e = parse_datetime(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn a_timezone_offset_with_a_multibyte_character_is_an_error_not_a_panic() {
        // Fuzzing (user_strings): "+3€" is 4 bytes, and was once split at byte 2.
        for bad in ["0 -3\u{20ac}", "2000-01-01 00:00 +3\u{fffd}"] {
            let e = parse_datetime(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn a_fraction_of_a_second_with_a_multibyte_character_is_an_error_not_an_overflow() {
        // Fuzzing (user_strings, session 13): six characters of a fraction were taken
        // but counted in bytes, "5|200\u{fffd}" being 8.
        for bad in [
            "2001-01-01 00:00:01.5|200\u{fffd}0",
            "2001-01-01 00:00:01.\u{20ac}",
        ] {
            let e = parse_datetime(bad).unwrap_err().to_string();
            assert!(e.contains("fraction of a second"), "{e}");
        }
        let (dt, ..) = parse_datetime("2001-01-01 00:00:01.1234567").unwrap();
        assert_eq!(dt.microsecond, 123_456);
        let (dt, ..) = parse_datetime("2001-01-01 00:00:01.5").unwrap();
        assert_eq!(dt.microsecond, 500_000);
    }

    #[test]
    fn a_timezone_offset_beyond_a_day_is_an_error_not_an_overflow() {
        assert_eq!(parse_datetime("2000-01-01 00:00 -24:00").unwrap().2, -1440);
        for bad in [
            "2000-01-01 00:00 +24:01",
            "2000-01-01 00:00 -99999999999999999:0",
        ] {
            let e = parse_datetime(bad).unwrap_err().to_string();
            assert!(
                e.contains("beyond 24:00") && e.contains(&format!("{bad:?}")),
                "{e}"
            );
        }
    }

    #[test]
    fn display_is_iso() {
        assert_eq!(
            CfDatetime::date(850, 1, 2).to_string(),
            "0850-01-02T00:00:00"
        );
        assert_eq!(
            CfDatetime::date(-5, 1, 2).to_string(),
            "-0005-01-02T00:00:00"
        );
    }
}
