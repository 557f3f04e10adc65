//! Calendar periods: what a partial date string covers, and month/year steps.

use super::calendar::Calendar;
use super::datetime::{CfDatetime, Precision, parse_datetime};
use crate::Result;

/// The half-open range of instants `[start, end)` a date string covers in `cal`:
/// `"2000"` is the whole year, `"2000-02"` the month, `"2000-02-03T12"` one hour,
/// as in xarray's partial-string indexing.
pub fn parse_datetime_str(text: &str, cal: Calendar) -> Result<(i64, i64)> {
    let (dt, precision, tz) = parse_datetime(text)?;
    let start = cal.to_micros(&dt)? - tz * 60_000_000;
    let end = match precision {
        Precision::Year => add_months(cal, start, 12)?,
        Precision::Month => add_months(cal, start, 1)?,
        Precision::Day => start + 86_400_000_000,
        Precision::Hour => start + 3_600_000_000,
        Precision::Minute => start + 60_000_000,
        Precision::Second => start + 1_000_000,
        Precision::Fraction => start + 1,
    };
    Ok((start, end))
}

/// The first instant of the month containing `t`.
pub fn month_start(cal: Calendar, t: i64) -> i64 {
    let d = cal.from_micros(t);
    start_of(cal, d.year, d.month)
}

/// The first instant of the year containing `t`.
pub fn year_start(cal: Calendar, t: i64) -> i64 {
    start_of(cal, cal.from_micros(t).year, 1)
}

fn start_of(cal: Calendar, year: i64, month: u8) -> i64 {
    cal.days_from_date(year, month as i64, 1) * super::calendar::MICROS_PER_DAY
}

/// `t` moved by `n` calendar months, keeping the time of day and clamping the day
/// to the target month's length (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(cal: Calendar, t: i64, n: i64) -> Result<i64> {
    let d = cal.from_micros(t);
    let total = d.year * 12 + (d.month as i64 - 1) + n;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let day = d.day.min(cal.days_in_month(year, month));
    let mut moved = CfDatetime {
        year,
        month,
        day,
        ..d
    };
    // Oct 5-14 1582 do not exist in the standard calendar: land on the 15th.
    if cal == Calendar::Standard && (year, month) == (1582, 10) && (5..15).contains(&day) {
        moved.day = 15;
    }
    cal.to_micros(&moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(cal: Calendar, s: &str) -> i64 {
        parse_datetime_str(s, cal).unwrap().0
    }

    #[test]
    fn partial_strings_cover_their_period() {
        let cal = Calendar::Standard;
        let (a, b) = parse_datetime_str("2000-02", cal).unwrap();
        assert_eq!((a, b), (at(cal, "2000-02-01"), at(cal, "2000-03-01")));
        let (a, b) = parse_datetime_str("2001", Calendar::Day360).unwrap();
        assert_eq!(b - a, 360 * 86_400_000_000);
        let (a, b) = parse_datetime_str("2000-01-01T06", cal).unwrap();
        assert_eq!(b - a, 3_600_000_000);
    }

    #[test]
    fn month_arithmetic_clamps_days() {
        let cal = Calendar::ProlepticGregorian;
        assert_eq!(
            add_months(cal, at(cal, "2000-01-31"), 1).unwrap(),
            at(cal, "2000-02-29")
        );
        assert_eq!(
            add_months(cal, at(cal, "2000-03-15T06"), -14).unwrap(),
            at(cal, "1999-01-15T06")
        );
        assert_eq!(
            month_start(cal, at(cal, "1999-12-31T23:59")),
            at(cal, "1999-12-01")
        );
        assert_eq!(
            year_start(Calendar::NoLeap, at(Calendar::NoLeap, "1999-12-31")),
            at(Calendar::NoLeap, "1999")
        );
    }
}
