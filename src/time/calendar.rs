//! CF calendars and day arithmetic in O(1): dates to day counts and back.
//!
//! Instants are counted in days (then microseconds) since 1970-01-01 *in the
//! calendar itself*, so every calendar works for any year, with no table lookups and
//! no loops over years. Years use astronomical numbering (year 0 exists, 1 BC = 0).

use std::fmt;

use super::datetime::CfDatetime;
use crate::{Error, Result};

/// A CF calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Calendar {
    /// `standard`/`gregorian`: Julian before 1582-10-15, Gregorian from then on.
    Standard,
    /// `proleptic_gregorian`: Gregorian rules for all years.
    ProlepticGregorian,
    /// `noleap`/`365_day`: no leap years.
    NoLeap,
    /// `all_leap`/`366_day`: every year is a leap year.
    AllLeap,
    /// `360_day`: twelve months of 30 days.
    Day360,
    /// `julian`: a leap year every four years.
    Julian,
}

pub(crate) const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The largest |year| a date may have: i64 microseconds span about ±292,000 years.
const MAX_YEAR: u64 = 300_000;

/// The error for a date or time (`input`) beyond what i64 microseconds hold.
pub(crate) fn out_of_range(input: String) -> Error {
    Error::InvalidDate {
        input,
        reason: "outside the representable range (about ±290,000 years)".into(),
    }
}

const CUM_NOLEAP: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const CUM_LEAP: [i64; 13] = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

/// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn gregorian_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn gregorian_civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

/// Days of a Julian-calendar date since Julian 1970-01-01 shifted to the proleptic
/// Gregorian epoch (so that both share one day line: Julian 1582-10-04 is the day
/// before Gregorian 1582-10-15).
fn julian_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(4);
    let yoe = y - era * 4;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + doy;
    // 719_470 aligns Julian 0000-03-01 with its Gregorian day number.
    era * 1461 + doe - 719_470
}

fn julian_civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_470;
    let era = z.div_euclid(1461);
    let doe = z - era * 1461;
    let yoe = (doe - doe / 1460) / 365;
    let doy = doe - 365 * yoe;
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 4 + (m <= 2) as i64, m, d)
}

/// First day of the Gregorian calendar in the standard calendar (1582-10-15).
const GREGORIAN_START: i64 = -141_427;

impl Calendar {
    /// Every calendar.
    pub const ALL: [Calendar; 6] = [
        Calendar::Standard,
        Calendar::ProlepticGregorian,
        Calendar::NoLeap,
        Calendar::AllLeap,
        Calendar::Day360,
        Calendar::Julian,
    ];

    /// Parses a CF calendar name (case-insensitive, aliases included).
    pub fn parse(name: &str) -> Result<Calendar> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "standard" | "gregorian" | "" => Calendar::Standard,
            "proleptic_gregorian" => Calendar::ProlepticGregorian,
            "noleap" | "365_day" => Calendar::NoLeap,
            "all_leap" | "366_day" => Calendar::AllLeap,
            "360_day" => Calendar::Day360,
            "julian" => Calendar::Julian,
            _ => return Err(Error::UnknownCalendar(name.to_string())),
        })
    }

    /// The canonical CF name.
    pub fn name(self) -> &'static str {
        match self {
            Calendar::Standard => "standard",
            Calendar::ProlepticGregorian => "proleptic_gregorian",
            Calendar::NoLeap => "noleap",
            Calendar::AllLeap => "all_leap",
            Calendar::Day360 => "360_day",
            Calendar::Julian => "julian",
        }
    }

    /// Whether `year` has a leap day.
    pub fn is_leap(self, year: i64) -> bool {
        let greg =
            year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0);
        match self {
            Calendar::ProlepticGregorian => greg,
            Calendar::Standard => {
                if year < 1582 {
                    year.rem_euclid(4) == 0
                } else {
                    greg
                }
            }
            Calendar::Julian => year.rem_euclid(4) == 0,
            Calendar::NoLeap | Calendar::Day360 => false,
            Calendar::AllLeap => true,
        }
    }

    /// Number of days in a month (1-12).
    pub fn days_in_month(self, year: i64, month: u8) -> u8 {
        if self == Calendar::Day360 {
            return 30;
        }
        let m = month.clamp(1, 12) as usize;
        let cum = if self.is_leap(year) {
            &CUM_LEAP
        } else {
            &CUM_NOLEAP
        };
        (cum[m] - cum[m - 1]) as u8
    }

    /// Number of days in a year.
    pub fn days_in_year(self, year: i64) -> u16 {
        match self {
            Calendar::Day360 => 360,
            Calendar::Standard if year == 1582 => 355,
            _ => 365 + self.is_leap(year) as u16,
        }
    }

    /// Days since 1970-01-01 of a valid date.
    pub(crate) fn days_from_date(self, y: i64, m: i64, d: i64) -> i64 {
        match self {
            Calendar::ProlepticGregorian => gregorian_days(y, m, d),
            Calendar::Julian => julian_days(y, m, d),
            Calendar::Standard => {
                let g = gregorian_days(y, m, d);
                if g >= GREGORIAN_START {
                    g
                } else {
                    julian_days(y, m, d)
                }
            }
            Calendar::NoLeap => (y - 1970) * 365 + CUM_NOLEAP[(m - 1) as usize] + d - 1,
            Calendar::AllLeap => (y - 1970) * 366 + CUM_LEAP[(m - 1) as usize] + d - 1,
            Calendar::Day360 => (y - 1970) * 360 + (m - 1) * 30 + d - 1,
        }
    }

    /// The date of a day count since 1970-01-01.
    pub(crate) fn date_from_days(self, z: i64) -> (i64, u8, u8) {
        let (y, m, d) = match self {
            Calendar::ProlepticGregorian => gregorian_civil(z),
            Calendar::Julian => julian_civil(z),
            Calendar::Standard => {
                if z >= GREGORIAN_START {
                    gregorian_civil(z)
                } else {
                    julian_civil(z)
                }
            }
            Calendar::NoLeap | Calendar::AllLeap => {
                let len = if self == Calendar::NoLeap { 365 } else { 366 };
                let cum = if self == Calendar::NoLeap {
                    &CUM_NOLEAP
                } else {
                    &CUM_LEAP
                };
                let y = 1970 + z.div_euclid(len);
                let doy = z.rem_euclid(len);
                // At most 12 comparisons: months are few.
                let m = cum.iter().rposition(|&c| c <= doy).unwrap_or(0).min(11);
                (y, m as i64 + 1, doy - cum[m] + 1)
            }
            Calendar::Day360 => {
                let y = 1970 + z.div_euclid(360);
                let doy = z.rem_euclid(360);
                (y, doy / 30 + 1, doy % 30 + 1)
            }
        };
        (y, m as u8, d as u8)
    }

    /// Checks that a date exists in this calendar.
    pub fn validate(self, dt: &CfDatetime) -> Result<()> {
        let bad = |reason: String| Error::InvalidDate {
            input: dt.to_string(),
            reason,
        };
        // Beyond this no instant fits in i64 microseconds, and the day arithmetic below
        // would overflow first.
        if dt.year.unsigned_abs() > MAX_YEAR {
            return Err(out_of_range(dt.to_string()));
        }
        if !(1..=12).contains(&dt.month) {
            return Err(bad(format!("month {} is not 1-12", dt.month)));
        }
        let dim = self.days_in_month(dt.year, dt.month);
        if dt.day < 1 || dt.day > dim {
            return Err(bad(format!(
                "day {} does not exist in month {} of {} in the {} calendar",
                dt.day,
                dt.month,
                dt.year,
                self.name()
            )));
        }
        if self == Calendar::Standard
            && dt.year == 1582
            && dt.month == 10
            && (5..15).contains(&dt.day)
        {
            return Err(bad(
                "1582-10-05 to 1582-10-14 do not exist in the standard calendar".into(),
            ));
        }
        if dt.hour > 23 || dt.minute > 59 || dt.second > 59 || dt.microsecond > 999_999 {
            return Err(bad("time of day out of range".into()));
        }
        Ok(())
    }

    /// Microseconds since 1970-01-01T00:00 of a date and time in this calendar.
    pub fn to_micros(self, dt: &CfDatetime) -> Result<i64> {
        self.validate(dt)?;
        let days = self.days_from_date(dt.year, dt.month as i64, dt.day as i64);
        let tod = ((dt.hour as i64 * 60 + dt.minute as i64) * 60 + dt.second as i64) * 1_000_000
            + dt.microsecond as i64;
        days.checked_mul(MICROS_PER_DAY)
            .and_then(|v| v.checked_add(tod))
            .ok_or_else(|| out_of_range(dt.to_string()))
    }

    /// The date and time of an instant (microseconds since 1970-01-01 in this calendar).
    pub fn from_micros(self, t: i64) -> CfDatetime {
        let days = t.div_euclid(MICROS_PER_DAY);
        let tod = t.rem_euclid(MICROS_PER_DAY);
        let (year, month, day) = self.date_from_days(days);
        let secs = tod / 1_000_000;
        CfDatetime {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            microsecond: (tod % 1_000_000) as u32,
        }
    }
}

impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_and_known_dates() {
        assert_eq!(gregorian_days(1970, 1, 1), 0);
        assert_eq!(gregorian_days(2000, 3, 1), 11_017);
        assert_eq!(gregorian_days(1582, 10, 15), GREGORIAN_START);
        // Julian 1582-10-04 is the day before Gregorian 1582-10-15.
        assert_eq!(julian_days(1582, 10, 4), GREGORIAN_START - 1);
        assert_eq!(
            Calendar::Standard.days_from_date(1582, 10, 4),
            GREGORIAN_START - 1
        );
        assert_eq!(Calendar::NoLeap.days_from_date(1971, 1, 1), 365);
        assert_eq!(Calendar::Day360.days_from_date(1969, 12, 30), -1);
    }

    #[test]
    fn a_year_beyond_the_representable_range_is_an_error_not_an_overflow() {
        // Found by the cf_attributes fuzz target: "sec since 46744073709551615".
        let units = crate::time::TimeUnits::parse("sec since 46744073709551615").unwrap();
        for cal in Calendar::ALL {
            let err = units.reference_micros(cal).unwrap_err().to_string();
            assert!(err.contains("representable range"), "{cal}: {err}");
        }
        for year in [i64::MIN, -300_001, 300_001, i64::MAX] {
            let dt = CfDatetime::date(year, 1, 1);
            for cal in Calendar::ALL {
                assert!(cal.to_micros(&dt).is_err(), "{cal} {year}");
            }
        }
        // The edges that fit still convert, both ways.
        for cal in Calendar::ALL {
            for year in [-250_000, 250_000] {
                let dt = CfDatetime::date(year, 1, 1);
                let t = cal.to_micros(&dt).unwrap();
                assert_eq!(cal.from_micros(t), dt, "{cal}");
            }
        }
    }

    #[test]
    fn day_counts_round_trip_in_every_calendar() {
        for cal in Calendar::ALL {
            for z in (-800_000..800_000).step_by(997) {
                let (y, m, d) = cal.date_from_days(z);
                assert_eq!(
                    cal.days_from_date(y, m as i64, d as i64),
                    z,
                    "{cal} day {z} -> {y}-{m}-{d}"
                );
                assert!(d >= 1 && d <= cal.days_in_month(y, m), "{cal} {y}-{m}-{d}");
            }
        }
    }

    #[test]
    fn consecutive_days_follow_the_calendar_rules() {
        for cal in Calendar::ALL {
            let mut prev = cal.date_from_days(-400_000);
            for z in -399_999..-390_000 {
                let cur = cal.date_from_days(z);
                let next_day = prev.2 < cal.days_in_month(prev.0, prev.1);
                if next_day {
                    assert_eq!(cur, (prev.0, prev.1, prev.2 + 1), "{cal}");
                } else {
                    assert_eq!(cur.2, 1, "{cal}");
                }
                prev = cur;
            }
        }
    }

    #[test]
    fn leap_rules_and_invalid_dates() {
        assert!(Calendar::ProlepticGregorian.is_leap(2000));
        assert!(!Calendar::ProlepticGregorian.is_leap(1900));
        assert!(Calendar::Julian.is_leap(1900));
        assert!(Calendar::Standard.is_leap(1500) && !Calendar::Standard.is_leap(1700));
        let feb29 = CfDatetime::date(2001, 2, 29);
        assert!(
            Calendar::NoLeap
                .to_micros(&CfDatetime::date(2000, 2, 29))
                .is_err()
        );
        assert!(Calendar::AllLeap.to_micros(&feb29).is_ok());
        assert!(
            Calendar::Day360
                .to_micros(&CfDatetime::date(2001, 2, 30))
                .is_ok()
        );
        let e = Calendar::Standard
            .to_micros(&CfDatetime::date(1582, 10, 10))
            .unwrap_err()
            .to_string();
        assert!(e.contains("1582-10-10"), "{e}");
        assert!(matches!(
            Calendar::parse("lunar"),
            Err(Error::UnknownCalendar(_))
        ));
        assert_eq!(Calendar::parse("365_DAY").unwrap(), Calendar::NoLeap);
    }
}
