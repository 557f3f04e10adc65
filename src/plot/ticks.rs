//! Tick positions and texts: "nice" numbers (1, 2, 2.5, 5 x 10^k) for values, and
//! calendar boundaries (years, months, days, hours) for datetimes, so that date
//! ticks fall on 1 January rather than on round microsecond counts.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use crate::time::{Calendar, CfDatetime};

/// A linear `f64` axis whose tick marks are exactly the given positions (plotters'
/// own key-point wrapper loses the default formatting that meshes require).
#[derive(Clone, Debug)]
pub(super) struct TickedAxis {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl TickedAxis {
    pub(super) fn new(range: Range<f64>, ticks: &Ticks) -> Self {
        TickedAxis {
            range,
            ticks: ticks.values.clone(),
        }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let f = if span > 0.0 {
            (v - self.range.start) / span
        } else {
            0.5
        };
        limit.0 + ((limit.1 - limit.0) as f64 * f + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// Tick positions with their texts.
pub(super) struct Ticks {
    pub values: Vec<f64>,
    pub labels: Vec<String>,
}

impl Ticks {
    /// The text of the tick nearest `v` (plotters asks by value).
    pub(super) fn text(&self, v: f64) -> String {
        self.values
            .iter()
            .zip(&self.labels)
            .min_by(|a, b| (a.0 - v).abs().total_cmp(&(b.0 - v).abs()))
            .map_or_else(String::new, |(_, l)| l.clone())
    }
}

/// At most about `max` ticks at multiples of a nice step within `[lo, hi]`.
pub(super) fn numeric(lo: f64, hi: f64, max: usize) -> Ticks {
    let raw = (hi - lo) / max.max(1) as f64;
    if !(raw > 0.0 && raw.is_finite()) {
        return Ticks {
            values: vec![lo],
            labels: vec![format!("{lo}")],
        };
    }
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
    let values: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
    let biggest = values.iter().fold(0f64, |m, v| m.max(v.abs()));
    let labels = values
        .iter()
        .map(|&v| {
            if biggest >= 1e6 || (step < 1e-4 && biggest < 1e-3) {
                if v == 0.0 {
                    return "0".to_string();
                }
                // Mantissa digits down to the step's (1.75e7 with a 2.5e6 step).
                let digits = (biggest.log10().floor() - step.log10().floor()) as i64
                    + (step / mag == 2.5) as i64;
                format!("{:.*e}", digits.clamp(1, 6) as usize, v)
            } else {
                // Enough decimals for the step (2.5 x 10^k needs one more).
                let decimals = (-(step.log10().floor()) as i64 + (step / mag == 2.5) as i64)
                    .clamp(0, 10) as usize;
                let s = format!("{:.*}", decimals, if v == 0.0 { 0.0 } else { v });
                if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
                    s[1..].to_string()
                } else {
                    s
                }
            }
        })
        .collect();
    Ticks { values, labels }
}

/// At most `max` ticks on calendar boundaries between `lo` and `hi` (microseconds
/// since 1970 in `calendar`).
pub(super) fn dates(calendar: Calendar, lo: f64, hi: f64, max: usize) -> Ticks {
    const HOUR: i64 = 3_600_000_000;
    const DAY: i64 = 24 * HOUR;
    let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
    let start = calendar.from_micros(a);
    let end = calendar.from_micros(b);
    let months = |d: &CfDatetime| d.year * 12 + d.month as i64 - 1;
    // Month-based steps, from monthly to millennial.
    for step in [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 6000, 12000] {
        let first = months(&start).div_euclid(step) * step;
        let mut values = Vec::new();
        let mut m = first;
        while m <= months(&end) {
            let d = CfDatetime::date(m.div_euclid(12), (m.rem_euclid(12) + 1) as u8, 1);
            if let Ok(t) = calendar.to_micros(&d) {
                if t >= a && t <= b {
                    values.push(t);
                }
            }
            m += step;
        }
        if values.len() > max {
            continue;
        }
        if values.len() < 2 && step == 1 {
            break; // too short for months: use days or hours
        }
        let labels = values
            .iter()
            .map(|&t| {
                let d = calendar.from_micros(t);
                if step >= 12 {
                    format!("{}", d.year)
                } else {
                    format!("{}-{:02}", d.year, d.month)
                }
            })
            .collect();
        return Ticks {
            values: values.into_iter().map(|t| t as f64).collect(),
            labels,
        };
    }
    for step in [
        HOUR,
        2 * HOUR,
        3 * HOUR,
        6 * HOUR,
        12 * HOUR,
        DAY,
        2 * DAY,
        5 * DAY,
        7 * DAY,
        14 * DAY,
    ] {
        let first = a.div_euclid(step) * step + if a.rem_euclid(step) == 0 { 0 } else { step };
        let values: Vec<i64> = (0..)
            .map(|k| first + k * step)
            .take_while(|&t| t <= b)
            .collect();
        if values.len() > max && step < 14 * DAY {
            continue;
        }
        let labels = values
            .iter()
            .map(|&t| {
                let d = calendar.from_micros(t);
                if step >= DAY {
                    format!("{}-{:02}-{:02}", d.year, d.month, d.day)
                } else {
                    format!("{:02}-{:02} {:02}:00", d.month, d.day, d.hour)
                }
            })
            .collect();
        return Ticks {
            values: values.into_iter().map(|t| t as f64).collect(),
            labels,
        };
    }
    numeric(lo, hi, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_numbers() {
        let t = numeric(-0.2, 0.2, 8);
        assert_eq!(
            t.labels,
            [
                "-0.20", "-0.15", "-0.10", "-0.05", "0.00", "0.05", "0.10", "0.15", "0.20"
            ]
        );
        let t = numeric(0.0, 360.0, 6);
        assert_eq!(t.labels, ["0", "100", "200", "300"]);
        let t = numeric(0.0, 2e7, 8);
        assert_eq!(t.labels[..3], ["0", "2.50e6", "5.00e6"]);
        assert_eq!(t.labels[7], "1.75e7");
        let t = numeric(-90.0, 90.0, 6);
        assert_eq!(t.labels, ["-50", "0", "50"]);
    }

    #[test]
    fn dates_on_year_and_month_starts() {
        let cal = Calendar::Standard;
        let t0 = cal.to_micros(&CfDatetime::date(1993, 1, 1)).unwrap() as f64;
        let t1 = cal.to_micros(&CfDatetime::date(2001, 3, 20)).unwrap() as f64;
        assert_eq!(
            dates(cal, t0, t1, 8).labels,
            ["1994", "1996", "1998", "2000"]
        );
        let t1 = cal.to_micros(&CfDatetime::date(1993, 7, 15)).unwrap() as f64;
        assert_eq!(
            dates(cal, t0, t1, 8).labels,
            [
                "1993-01", "1993-02", "1993-03", "1993-04", "1993-05", "1993-06", "1993-07"
            ]
        );
        let t1 = cal.to_micros(&CfDatetime::date(1993, 1, 11)).unwrap() as f64;
        // 11 daily ticks are too many: every other day, aligned to the epoch.
        assert_eq!(
            dates(cal, t0, t1, 8).labels,
            [
                "1993-01-02",
                "1993-01-04",
                "1993-01-06",
                "1993-01-08",
                "1993-01-10"
            ]
        );
        let t1 = t0 + 12.0 * 3.6e9;
        assert_eq!(
            dates(cal, t0, t1, 8).labels[..2],
            ["01-01 00:00", "01-01 02:00"]
        );
        let noleap = Calendar::parse("noleap").unwrap();
        let t1 = noleap.to_micros(&CfDatetime::date(2000, 1, 1)).unwrap() as f64;
        let t0 = noleap.to_micros(&CfDatetime::date(1950, 1, 1)).unwrap() as f64;
        assert_eq!(
            dates(noleap, t0, t1, 8).labels,
            ["1950", "1960", "1970", "1980", "1990", "2000"]
        );
    }
}
