//! [`DateRange`]: xarray's `date_range` / `cftime_range` in any CF calendar.
//!
//! Fixed steps (`"D"`, `"6h"`, `"15min"`) count from the start (or back from the
//! end); calendar periods (`"MS"`, `"ME"`, `"QS-DEC"`, `"YS"`, `"YE-JUN"`) first roll
//! the start forward onto the period grid and keep its time of day, as xarray's
//! cftime offsets do. With `start`, `end` and `periods` and no frequency the range
//! is evenly spaced. The frequency strings are those of
//! [`Freq::parse`](crate::labelled::Freq::parse), shared with `resample`.
//!
//! ```
//! use tessera::time::{Calendar, DateRange};
//! let t = DateRange::new().start("2000-02-27").periods(4).freq("D").calendar("noleap").values()?;
//! let days: Vec<String> = t.iter().map(|&t| Calendar::NoLeap.from_micros(t).to_string()).collect();
//! assert_eq!(days[2], "2000-03-01T00:00:00"); // no Feb 29 in noleap
//! let q = DateRange::new().start("2000-01-15").end("2000-12-31").freq("QS-DEC").values()?;
//! assert_eq!(q.len(), 4); // Mar, Jun, Sep, Dec
//! # Ok::<(), tessera::Error>(())
//! ```

use std::str::FromStr;

use super::calendar::{Calendar, MICROS_PER_DAY};
use super::datetime::parse_datetime;
use crate::labelled::Freq;
use crate::{Error, Result};

/// Which ends of a [`DateRange`] are kept when they fall on the range (pandas'
/// `inclusive`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Inclusive {
    /// Both ends (the default).
    #[default]
    Both,
    /// Neither end.
    Neither,
    /// The start only.
    Left,
    /// The end only.
    Right,
}

impl FromStr for Inclusive {
    type Err = Error;
    fn from_str(s: &str) -> Result<Inclusive> {
        Ok(match s {
            "both" => Inclusive::Both,
            "neither" => Inclusive::Neither,
            "left" => Inclusive::Left,
            "right" => Inclusive::Right,
            other => {
                return Err(Error::invalid(format!(
                    "inclusive must be one of \"both\", \"neither\", \"left\" or \"right\", not {other:?}"
                )));
            }
        })
    }
}

/// A range of dates (xarray's `date_range(start, end, periods, freq, inclusive,
/// calendar)`); the setters only record, [`values`](DateRange::values) checks and
/// generates. Give exactly three of start, end, periods and freq (freq defaults to
/// `"D"` when one of the others is missing).
#[derive(Clone, Debug, Default)]
pub struct DateRange {
    start: Option<String>,
    end: Option<String>,
    periods: Option<usize>,
    freq: Option<String>,
    calendar: Option<String>,
    inclusive: Inclusive,
    normalize: bool,
}

impl DateRange {
    /// An empty specification.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first date (`"2000"`, `"2000-01-15T06"`, ...).
    pub fn start(mut self, start: &str) -> Self {
        self.start = Some(start.to_string());
        self
    }

    /// The last date.
    pub fn end(mut self, end: &str) -> Self {
        self.end = Some(end.to_string());
        self
    }

    /// The number of dates.
    pub fn periods(mut self, periods: usize) -> Self {
        self.periods = Some(periods);
        self
    }

    /// The frequency, a pandas offset alias (`"D"`, `"6h"`, `"MS"`, `"QS-DEC"`, ...).
    pub fn freq(mut self, freq: &str) -> Self {
        self.freq = Some(freq.to_string());
        self
    }

    /// The CF calendar by name (default `"standard"`).
    pub fn calendar(mut self, calendar: &str) -> Self {
        self.calendar = Some(calendar.to_string());
        self
    }

    /// Which ends to keep.
    pub fn inclusive(mut self, inclusive: Inclusive) -> Self {
        self.inclusive = inclusive;
        self
    }

    /// Moves `start` and `end` to midnight before generating (pandas' and
    /// xarray's `normalize=True`).
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.normalize = normalize;
        self
    }

    /// The calendar the range is in.
    pub fn resolved_calendar(&self) -> Result<Calendar> {
        Calendar::parse(self.calendar.as_deref().unwrap_or("standard"))
    }

    /// The dates, as microseconds since 1970-01-01 in the calendar.
    pub fn values(&self) -> Result<Vec<i64>> {
        let cal = self.resolved_calendar()?;
        let instant = |s: &str| -> Result<i64> {
            let (dt, _, tz) = parse_datetime(s)?;
            Ok(cal.to_micros(&dt)? - tz * 60_000_000)
        };
        const DAY: i64 = 86_400_000_000;
        let midnight = |t: i64| {
            if self.normalize {
                t - t.rem_euclid(DAY)
            } else {
                t
            }
        };
        let start = self
            .start
            .as_deref()
            .map(instant)
            .transpose()?
            .map(midnight);
        let end = self.end.as_deref().map(instant).transpose()?.map(midnight);
        let missing = start.is_none() || end.is_none() || self.periods.is_none();
        let freq = match (&self.freq, missing) {
            (Some(f), _) => Some(f.as_str()),
            (None, true) => Some("D"),
            (None, false) => None,
        };
        let given = [
            start.is_some(),
            end.is_some(),
            self.periods.is_some(),
            freq.is_some(),
        ];
        if given.iter().filter(|&&g| g).count() != 3 {
            return Err(Error::invalid(
                "date_range: give exactly three of start, end, periods and freq (freq defaults \
                 to \"D\" when one of the others is missing)",
            ));
        }
        if let Some(p) = self.periods {
            super::count_guard::ensure_fits(p as u128, || format!("date_range with {p} periods"))?;
        }
        let dates = match freq {
            None => linear(
                start.unwrap_or(0),
                end.unwrap_or(0),
                self.periods.unwrap_or(0),
            ),
            Some(f) => match Freq::parse(f)? {
                Freq::Tick(step) => {
                    if let (Some(s), Some(e), None) = (start, end, self.periods) {
                        let count = (i128::from(e) - i128::from(s)).max(0) / i128::from(step) + 1;
                        super::count_guard::ensure_fits(count as u128, || {
                            format!("date_range with freq {f:?}")
                        })?;
                    }
                    ticks(start, end, self.periods, step)
                }
                Freq::Months {
                    months,
                    base,
                    anchor,
                    end: month_end,
                } => {
                    let grid = Grid {
                        cal,
                        base,
                        anchor,
                        month_end,
                    };
                    grid.generate(start, end, self.periods, months / base)?
                }
            },
        };
        Ok(self.trim(dates, start, end))
    }

    fn trim(&self, mut dates: Vec<i64>, start: Option<i64>, end: Option<i64>) -> Vec<i64> {
        let left = matches!(self.inclusive, Inclusive::Both | Inclusive::Left);
        let right = matches!(self.inclusive, Inclusive::Both | Inclusive::Right);
        if !left && !dates.is_empty() && Some(dates[0]) == start {
            dates.remove(0);
        }
        if !right && !dates.is_empty() && dates.last().copied() == end {
            dates.pop();
        }
        dates
    }
}

/// `periods` dates evenly spaced from `start` to `end`, rounded to microseconds.
fn linear(start: i64, end: i64, periods: usize) -> Vec<i64> {
    match periods {
        0 => vec![],
        1 => vec![start],
        n => {
            let span = (end as i128 - start as i128) as f64;
            (0..n)
                .map(|i| {
                    if i == n - 1 {
                        end
                    } else {
                        start + (span * i as f64 / (n - 1) as f64).round() as i64
                    }
                })
                .collect()
        }
    }
}

fn ticks(start: Option<i64>, end: Option<i64>, periods: Option<usize>, step: i64) -> Vec<i64> {
    let first = match (start, periods) {
        (Some(s), _) => s,
        (None, Some(p)) => end.unwrap_or(0) - (p.saturating_sub(1) as i64) * step,
        (None, None) => return vec![],
    };
    let mut out = Vec::new();
    let mut t = first;
    loop {
        if periods.is_some_and(|p| out.len() >= p) || end.is_some_and(|e| t > e) {
            break;
        }
        out.push(t);
        t += step;
    }
    out
}

/// The dates a calendar-period frequency is anchored on: day 1 (starts) or the last
/// day (ends) of the months `m` with `(m - anchor) % base == 0`, numbered by `g`.
struct Grid {
    cal: Calendar,
    base: i64,
    anchor: i64,
    month_end: bool,
}

impl Grid {
    fn month_of(&self, g: i64) -> i64 {
        g * self.base + self.anchor - 1
    }

    /// Day count (since 1970-01-01) of grid point `g`.
    fn day_of(&self, g: i64) -> i64 {
        let mi = self.month_of(g);
        let (y, m) = (mi.div_euclid(12), mi.rem_euclid(12) + 1);
        let d = if self.month_end {
            self.cal.days_in_month(y, m as u8) as i64
        } else {
            1
        };
        self.cal.days_from_date(y, m, d)
    }

    /// The last grid point on or before the date of `t`, and whether `t`'s date is on it.
    fn floor(&self, t: i64) -> (i64, bool) {
        let d = self.cal.from_micros(t);
        let mi = d.year * 12 + d.month as i64 - 1;
        let g = (mi - (self.anchor - 1)).div_euclid(self.base);
        let day = t.div_euclid(MICROS_PER_DAY);
        if self.day_of(g) <= day {
            (g, self.day_of(g) == day)
        } else {
            (g - 1, false)
        }
    }

    fn at(&self, g: i64, tod: i64) -> Result<i64> {
        self.day_of(g)
            .checked_mul(MICROS_PER_DAY)
            .and_then(|v| v.checked_add(tod))
            .ok_or_else(|| Error::invalid("date_range: a date beyond the representable range"))
    }

    fn generate(
        &self,
        start: Option<i64>,
        end: Option<i64>,
        periods: Option<usize>,
        n: i64,
    ) -> Result<Vec<i64>> {
        let tod = |t: i64| t.rem_euclid(MICROS_PER_DAY);
        let (first, time) = match (start, end, periods) {
            (Some(s), _, _) => {
                let (g, on) = self.floor(s);
                (if on { g } else { g + 1 }, tod(s))
            }
            (None, Some(e), Some(p)) => {
                let k = (p.saturating_sub(1) as i64) * n;
                let (g, on) = self.floor(e);
                if k == 0 && !on {
                    return Ok(vec![e]);
                }
                (if on { g - k } else { g + 1 - k }, tod(e))
            }
            _ => return Ok(vec![]),
        };
        let mut out = Vec::new();
        let mut g = first;
        loop {
            if periods.is_some_and(|p| out.len() >= p) {
                break;
            }
            let t = self.at(g, time)?;
            if end.is_some_and(|e| t > e) {
                break;
            }
            out.push(t);
            g += n;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(cal: Calendar, v: &[i64]) -> Vec<String> {
        v.iter().map(|&t| cal.from_micros(t).to_string()).collect()
    }

    #[test]
    fn anchored_ranges_roll_forward_and_keep_the_time_of_day() {
        let r = DateRange::new()
            .start("2000-01-15T06")
            .periods(3)
            .freq("ME")
            .calendar("noleap");
        assert_eq!(
            show(Calendar::NoLeap, &r.values().unwrap()),
            [
                "2000-01-31T06:00:00",
                "2000-02-28T06:00:00",
                "2000-03-31T06:00:00"
            ]
        );
        // xarray: the end rolls back as one of the periods, so this gives two.
        let r = DateRange::new()
            .end("2000-05-15T06")
            .periods(3)
            .freq("ME")
            .calendar("noleap");
        assert_eq!(r.values().unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_input() {
        let e = DateRange::new()
            .start("2000")
            .periods(2)
            .freq("5X")
            .values()
            .unwrap_err();
        assert!(e.to_string().contains("5X"), "{e}");
        assert!(DateRange::new().start("2000").values().is_err());
        assert!("middle".parse::<Inclusive>().is_err());
    }

    /// Ranges too long for memory are refused before they are built, whether by a
    /// frequency too fine for the span or by a number of periods.
    #[test]
    fn ranges_too_long_for_memory_are_an_error() {
        let fine = DateRange::new()
            .start("2000-01-01")
            .end("2010-01-01")
            .freq("us");
        let err = fine.values().unwrap_err().to_string();
        assert!(err.contains("freq \"us\""), "{err}");
        let many = DateRange::new()
            .start("2000-01-01")
            .periods(1 << 60)
            .freq("D");
        assert!(many.values().unwrap_err().to_string().contains("periods"));
        let fine_enough = DateRange::new()
            .start("2000-01-01")
            .end("2000-01-02")
            .freq("s");
        assert_eq!(fine_enough.values().unwrap().len(), 86401);
    }
}
