//! Resampling frequencies (pandas offset aliases) and the bins they cut a time axis
//! into, as pandas/xarray compute them, in any CF calendar.
//!
//! - Fixed steps (`"1D"`, `"6h"`, `"15min"`, `"30s"`): bins start at midnight of the
//!   first time's day (pandas' `origin="start_day"`), closed left, labelled left.
//! - Month, quarter and year starts (`"MS"`, `"QS-DEC"`, `"YS"`): closed left,
//!   labelled with the bin's first day.
//! - Month, quarter and year ends (`"ME"`, `"QE"`, `"YE"`): closed right at the end
//!   of the period's last day, labelled with midnight of that day.
//!
//! [`ResampleOptions`] overrides these as pandas' `closed`, `label` and `offset` do
//! (`closed` and `offset` for fixed steps only).

use super::labels::{GroupLabels, Groups};
use crate::error::ensure;
use crate::labelled::core::variable::Attrs;
use crate::time::{Calendar, CfDatetime, NAT};
use crate::{Error, Result};

const MICROS_PER_DAY: i64 = 86_400_000_000;

const ACCEPTED: &str = "<n><unit> with unit D, h, min, s, ms, us (fixed steps), MS, ME (or M), \
     QS, QE (or Q), YS (or AS), YE (or Y, A); quarters and years take an anchor month \
     such as QS-DEC or YS-JUL";

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// A side of a resampling bin, for [`ResampleOptions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinSide {
    /// The bin's start.
    Left,
    /// The bin's end.
    Right,
}

impl std::str::FromStr for BinSide {
    type Err = Error;
    fn from_str(s: &str) -> Result<BinSide> {
        match s {
            "left" => Ok(BinSide::Left),
            "right" => Ok(BinSide::Right),
            other => Err(Error::invalid(format!(
                "a bin side is \"left\" or \"right\", not {other:?}"
            ))),
        }
    }
}

/// pandas' overrides of a frequency's bins (`df.resample(..., closed=, label=,
/// offset=)`); `None` keeps the frequency's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResampleOptions {
    /// Which side of each bin is closed (fixed steps only).
    pub closed: Option<BinSide>,
    /// Which edge labels each bin.
    pub label: Option<BinSide>,
    /// Shifts the bin edges of a fixed step from midnight (e.g. `"6h"`).
    pub offset: Option<String>,
}

/// The bin rule a frequency and its options resolve to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinRule {
    freq: Freq,
    closed_right: bool,
    label_right: bool,
    offset: i64,
}

impl BinRule {
    /// `freq` with `opts` applied, checked.
    pub fn new(freq: Freq, opts: &ResampleOptions) -> Result<BinRule> {
        let end = matches!(freq, Freq::Months { end: true, .. });
        let closed_right = opts.closed.map_or(end, |c| c == BinSide::Right);
        if matches!(freq, Freq::Months { .. }) && (closed_right != end || opts.offset.is_some()) {
            return Err(Error::invalid(
                "resample: `closed` and `offset` are supported for fixed steps (D, h, min, s, ...) only",
            ));
        }
        let offset = match opts.offset.as_deref().map(Freq::parse).transpose()? {
            None => 0,
            Some(Freq::Tick(micros)) => micros,
            Some(_) => {
                return Err(Error::invalid(
                    "resample: an offset is a fixed step such as \"6h\", not a calendar period",
                ));
            }
        };
        Ok(BinRule {
            freq,
            closed_right,
            label_right: opts.label.map_or(end, |l| l == BinSide::Right),
            offset,
        })
    }
}

/// The longest resampling bin, in years.
const MAX_BIN_YEARS: i64 = 100_000;

/// A parsed resampling frequency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    /// A fixed step in microseconds.
    Tick(i64),
    /// Calendar periods of `months` months, whose first month satisfies
    /// `(month - anchor) % base == 0`; `end` says closed/labelled right at the
    /// period's last day.
    Months {
        /// Months per bin (`n * base`).
        months: i64,
        /// 1 for months, 3 for quarters, 12 for years.
        base: i64,
        /// The anchor month, 1-12 (for ends: a month a period ends in).
        anchor: i64,
        /// Period ends (`ME`, `QE`, `YE`) rather than starts.
        end: bool,
    },
}

impl Freq {
    /// Parses a pandas offset alias such as `"1D"`, `"6h"`, `"MS"`, `"QS-DEC"`, `"YE"`.
    pub fn parse(text: &str) -> Result<Freq> {
        let bad = || Error::UnknownFrequency {
            freq: text.to_string(),
            accepted: ACCEPTED.to_string(),
        };
        let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
        let n: i64 = if digits == 0 {
            1
        } else {
            text[..digits].parse().map_err(|_| bad())?
        };
        ensure!(n != 0, bad());
        let rest = &text[digits..];
        let (unit, anchor) = match rest.split_once('-') {
            Some((u, a)) => (u, Some(a)),
            None => (rest, None),
        };
        let anchor_month = match anchor {
            None => None,
            Some(a) => Some(MONTHS.iter().position(|m| *m == a).ok_or_else(bad)? as i64 + 1),
        };
        // A bin longer than this holds every representable time, and its edges and
        // labels (start plus a step) would overflow.
        let too_long = || {
            Error::invalid(format!(
                "frequency {text:?} is longer than {MAX_BIN_YEARS} years"
            ))
        };
        let within = |n: i64, unit: i64, most: i64| {
            n.checked_mul(unit)
                .filter(|&v| v <= most)
                .ok_or_else(too_long)
        };
        let tick = |micros: i64| {
            if anchor.is_some() {
                Err(bad())
            } else {
                let most = MAX_BIN_YEARS * 366 * MICROS_PER_DAY;
                Ok(Freq::Tick(within(n, micros, most)?))
            }
        };
        let months = |base: i64, default_anchor: i64, end: bool| {
            ensure!(base != 1 || anchor.is_none(), bad());
            Ok(Freq::Months {
                months: within(n, base, MAX_BIN_YEARS * 12)?,
                base,
                anchor: anchor_month.unwrap_or(default_anchor),
                end,
            })
        };
        match unit {
            "D" => tick(MICROS_PER_DAY),
            "h" | "H" => tick(3_600_000_000),
            "min" | "T" => tick(60_000_000),
            "s" | "S" => tick(1_000_000),
            "ms" | "L" => tick(1_000),
            "us" | "U" => tick(1),
            "MS" => months(1, 1, false),
            "ME" | "M" => months(1, 12, true),
            "QS" => months(3, 1, false),
            "QE" | "Q" => months(3, 12, true),
            "YS" | "AS" => months(12, 1, false),
            "YE" | "Y" | "A" => months(12, 12, true),
            _ => Err(bad()),
        }
    }
}

fn month_index(d: &CfDatetime) -> i64 {
    d.year * 12 + d.month as i64 - 1
}

fn midnight(cal: Calendar, mi: i64, day: Option<u8>) -> i64 {
    let (y, m) = (mi.div_euclid(12), mi.rem_euclid(12) + 1);
    let d = day.unwrap_or_else(|| cal.days_in_month(y, m as u8));
    cal.days_from_date(y, m, d as i64) * MICROS_PER_DAY
}

/// The resample bins of `times` (microseconds in `cal`; NaT in no bin), from the
/// bin holding the earliest time to the one holding the latest, empty bins included.
pub(crate) fn resample_groups(
    times: &[i64],
    rule: BinRule,
    cal: Calendar,
    encoding: Attrs,
) -> Result<Groups> {
    let valid = times.iter().copied().filter(|&t| t != NAT);
    let Some(t0) = valid.clone().min() else {
        return Ok(Groups {
            codes: vec![-1; times.len()],
            labels: GroupLabels::Time {
                values: vec![],
                calendar: cal,
                encoding,
            },
        });
    };
    // Every freq becomes: a key per time (a monotone integer), the key of bin 0's
    // start, the keys per bin, and the label of bin k.
    let (key, first, step): (Box<dyn Fn(i64) -> i64>, i64, i64) = match rule.freq {
        Freq::Tick(step) => {
            // pandas' origin "start_day" (midnight of the first day) plus the offset;
            // closed right, a first time on an edge ends the bin before it.
            let origin = t0.div_euclid(MICROS_PER_DAY) * MICROS_PER_DAY + rule.offset;
            let past = (t0 - origin).rem_euclid(step);
            let first = if rule.closed_right && past == 0 {
                t0 - step
            } else {
                t0 - past
            };
            (Box::new(move |t| t), first, step)
        }
        Freq::Months {
            months,
            base,
            anchor,
            end,
        } => {
            // pandas closes end bins at the end of the period's last day (its bin
            // edges are the labels plus one day less one tick), so whole months
            // fall into one bin either way.
            let key = move |t: i64| month_index(&cal.from_micros(t));
            let k0 = key(t0);
            let first = if end {
                k0 + (anchor - 1 - k0).rem_euclid(base)
            } else {
                k0 - (k0 - (anchor - 1)).rem_euclid(base)
            };
            (Box::new(key), first, months)
        }
    };
    let month_ends = matches!(rule.freq, Freq::Months { end: true, .. });
    let codes: Vec<i64> = times
        .iter()
        .map(|&t| {
            if t == NAT {
                return -1;
            }
            let off = key(t) - first;
            if month_ends {
                // (first + (k-1) step, first + k step]
                if off <= 0 { 0 } else { (off + step - 1) / step }
            } else if rule.closed_right {
                // (first + k step, first + (k+1) step]
                (off - 1).div_euclid(step)
            } else {
                off.div_euclid(step)
            }
        })
        .collect();
    let n = codes.iter().copied().max().unwrap_or(-1) + 1;
    crate::time::count_guard::ensure_fits(n.max(0) as u128, || {
        let step = match rule.freq {
            Freq::Tick(micros) => format!("bins of {micros} µs"),
            Freq::Months { months, .. } => format!("bins of {months} months"),
        };
        format!("resampling {} time steps to {step}", times.len())
    })?;
    let values = (0..n)
        .map(|k| match rule.freq {
            Freq::Tick(_) => first + (k + rule.label_right as i64) * step,
            // A period start is labelled with its first day (or the next period's,
            // labelled right); a period end with its last day (or the previous
            // period's, labelled left).
            Freq::Months { end: false, .. } => {
                midnight(cal, first + (k + rule.label_right as i64) * step, Some(1))
            }
            Freq::Months { end: true, .. } => {
                midnight(cal, first + (k - !rule.label_right as i64) * step, None)
            }
        })
        .collect();
    Ok(Groups {
        codes,
        labels: GroupLabels::Time {
            values,
            calendar: cal,
            encoding,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime_str;

    fn at(cal: Calendar, s: &str) -> i64 {
        parse_datetime_str(s, cal).unwrap().0
    }

    fn rule(freq: &str) -> BinRule {
        BinRule::new(Freq::parse(freq).unwrap(), &ResampleOptions::default()).unwrap()
    }

    fn labels(g: &Groups, cal: Calendar) -> Vec<String> {
        match &g.labels {
            GroupLabels::Time { values, .. } => values
                .iter()
                .map(|&t| cal.from_micros(t).to_string()[..10].to_string())
                .collect(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_frequency_longer_than_the_time_range_is_an_error_not_an_overflow() {
        // Found by the user_strings fuzz target: "5555555555513h" overflowed n * 1 h.
        for bad in [
            "5555555555513h",
            "9223372036854775807D",
            "100001YS",
            "1200001MS",
        ] {
            let e = Freq::parse(bad).unwrap_err().to_string();
            assert!(e.contains("longer than 100000 years"), "{bad}: {e}");
        }
        assert_eq!(
            Freq::parse("100000YS").unwrap(),
            Freq::Months {
                months: 1_200_000,
                base: 12,
                anchor: 1,
                end: false
            }
        );
    }

    #[test]
    fn month_ends_take_whole_months_and_quarters_anchor() {
        let cal = Calendar::ProlepticGregorian;
        let t: Vec<i64> = ["2000-01-31", "2000-01-31T12", "2000-02-15", "2000-04-01"]
            .iter()
            .map(|s| at(cal, s))
            .collect();
        let g = resample_groups(&t, rule("ME"), cal, Attrs::new()).unwrap();
        assert_eq!(g.codes, vec![0, 0, 1, 3]);
        assert_eq!(labels(&g, cal)[..2], ["2000-01-31", "2000-02-29"]);
        let g = resample_groups(&t, rule("QS-DEC"), cal, Attrs::new()).unwrap();
        assert_eq!(g.codes, vec![0, 0, 0, 1]);
        assert_eq!(labels(&g, cal), ["1999-12-01", "2000-03-01"]);
        let g = resample_groups(&t, rule("6h"), cal, Attrs::new()).unwrap();
        assert_eq!(g.codes[..2], [0, 2]);
        let d360 = Calendar::Day360;
        let g = resample_groups(&[at(d360, "2001-02-30")], rule("ME"), d360, Attrs::new()).unwrap();
        assert_eq!(labels(&g, d360), ["2001-02-30"]);
    }

    #[test]
    fn overrides_that_pandas_has_no_meaning_for_are_errors() {
        let with =
            |freq: &str, opts: ResampleOptions| BinRule::new(Freq::parse(freq).unwrap(), &opts);
        let right = ResampleOptions {
            closed: Some(BinSide::Right),
            ..Default::default()
        };
        assert!(
            with("MS", right.clone())
                .unwrap_err()
                .to_string()
                .contains("fixed steps")
        );
        assert!(with("1D", right).is_ok());
        let monthly_offset = ResampleOptions {
            offset: Some("MS".into()),
            ..Default::default()
        };
        assert!(
            with("1D", monthly_offset)
                .unwrap_err()
                .to_string()
                .contains("offset")
        );
        assert!("middle".parse::<BinSide>().is_err());
    }

    #[test]
    fn unknown_frequencies_list_what_is_accepted() {
        for bad in ["", "2X", "MS-DEC", "0D", "QS-FOO", "d"] {
            let e = Freq::parse(bad).unwrap_err().to_string();
            assert!(e.contains("QS-DEC"), "{e}");
        }
        assert_eq!(Freq::parse("2h").unwrap(), Freq::Tick(7_200_000_000));
    }

    /// A microsecond frequency over years is refused before its 10^14 bins are
    /// allocated (fuzzing found the allocation aborting the process).
    #[test]
    fn bins_too_many_for_memory_are_an_error() {
        let cal = Calendar::Standard;
        let t = [at(cal, "2000-01-01"), at(cal, "2010-01-01")];
        let err = resample_groups(&t, rule("1us"), cal, Attrs::new()).unwrap_err();
        assert!(err.to_string().contains("bins of 1 µs"), "{err}");
        assert!(resample_groups(&t, rule("D"), cal, Attrs::new()).is_ok());
    }
}
