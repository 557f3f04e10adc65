//! Datetime components, the `.dt` accessor of xarray: `year`, `month`, `dayofyear`,
//! `season`, ...

use std::fmt;

use super::calendar::{Calendar, MICROS_PER_DAY};
use super::decode::NAT;
use crate::{Error, Result};

/// A meteorological season: three months, December starting the year's first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Season {
    /// December, January, February.
    DJF,
    /// March, April, May.
    MAM,
    /// June, July, August.
    JJA,
    /// September, October, November.
    SON,
}

impl Season {
    /// The season a month (1-12) falls in.
    pub fn of_month(month: u8) -> Season {
        match month {
            3..=5 => Season::MAM,
            6..=8 => Season::JJA,
            9..=11 => Season::SON,
            _ => Season::DJF,
        }
    }

    /// The label xarray uses (`"DJF"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Season::DJF => "DJF",
            Season::MAM => "MAM",
            Season::JJA => "JJA",
            Season::SON => "SON",
        }
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A numeric component of a datetime, named as in xarray's `.dt` accessor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// Year.
    Year,
    /// Month, 1-12.
    Month,
    /// Day of the month, 1-31.
    Day,
    /// Hour, 0-23.
    Hour,
    /// Minute, 0-59.
    Minute,
    /// Second, 0-59.
    Second,
    /// Microsecond, 0-999999.
    Microsecond,
    /// Day of the year, from 1.
    DayOfYear,
    /// Day of the week, Monday = 0 (in non-standard calendars as cftime's `dayofwk`).
    DayOfWeek,
    /// Quarter, 1-4.
    Quarter,
    /// Number of days in the month.
    DaysInMonth,
    /// Season index: 0 DJF, 1 MAM, 2 JJA, 3 SON.
    Season,
}

impl Component {
    /// Parses an xarray accessor name (`"year"`, `"dayofyear"`, `"weekday"`, ...).
    pub fn parse(name: &str) -> Result<Component> {
        Ok(match name {
            "year" => Component::Year,
            "month" => Component::Month,
            "day" => Component::Day,
            "hour" => Component::Hour,
            "minute" => Component::Minute,
            "second" => Component::Second,
            "microsecond" => Component::Microsecond,
            "dayofyear" => Component::DayOfYear,
            "dayofweek" | "weekday" => Component::DayOfWeek,
            "quarter" => Component::Quarter,
            "days_in_month" | "daysinmonth" => Component::DaysInMonth,
            "season" => Component::Season,
            _ => {
                return Err(Error::invalid(format!(
                    "unknown datetime component {name:?}; expected one of year, month, day, hour, \
                     minute, second, microsecond, dayofyear, dayofweek, quarter, days_in_month, season"
                )));
            }
        })
    }

    /// This component of an instant, or `None` for [`NAT`].
    pub fn of(self, cal: Calendar, t: i64) -> Option<i64> {
        if t == NAT {
            return None;
        }
        let dt = cal.from_micros(t);
        Some(match self {
            Component::Year => dt.year,
            Component::Month => dt.month as i64,
            Component::Day => dt.day as i64,
            Component::Hour => dt.hour as i64,
            Component::Minute => dt.minute as i64,
            Component::Second => dt.second as i64,
            Component::Microsecond => dt.microsecond as i64,
            Component::DayOfYear => {
                let days = t.div_euclid(MICROS_PER_DAY);
                days - cal.days_from_date(dt.year, 1, 1) + 1
            }
            // 1970-01-01 was a Thursday (3 with Monday = 0); cftime counts the days of
            // 360_day and all_leap from other epochs, which moves their weekdays.
            Component::DayOfWeek => {
                let epoch = match cal {
                    Calendar::Day360 => 2,
                    Calendar::AllLeap => 6,
                    _ => 3,
                };
                (t.div_euclid(MICROS_PER_DAY) + epoch).rem_euclid(7)
            }
            Component::Quarter => (dt.month as i64 - 1) / 3 + 1,
            Component::DaysInMonth => cal.days_in_month(dt.year, dt.month) as i64,
            Component::Season => Season::of_month(dt.month) as i64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::CfDatetime;

    #[test]
    fn components_of_known_dates() {
        let cal = Calendar::Standard;
        let t = cal.to_micros(&CfDatetime::date(2000, 12, 31)).unwrap();
        assert_eq!(Component::DayOfYear.of(cal, t), Some(366));
        assert_eq!(Component::DayOfWeek.of(cal, t), Some(6)); // a Sunday
        assert_eq!(Component::Season.of(cal, t), Some(Season::DJF as i64));
        assert_eq!(Component::Quarter.of(cal, t), Some(4));
        let n = Calendar::NoLeap
            .to_micros(&CfDatetime::date(2000, 3, 1))
            .unwrap();
        assert_eq!(Component::DayOfYear.of(Calendar::NoLeap, n), Some(60));
        assert_eq!(Component::DaysInMonth.of(Calendar::Day360, 0), Some(30));
        assert_eq!(Component::Year.of(cal, NAT), None);
        assert_eq!(Component::parse("weekday").unwrap(), Component::DayOfWeek);
        assert!(
            Component::parse("fortnight")
                .unwrap_err()
                .to_string()
                .contains("fortnight")
        );
        assert_eq!(Season::of_month(8).name(), "JJA");
    }
}
