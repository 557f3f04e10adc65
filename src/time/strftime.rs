//! `strftime` for CF dates in any calendar (xarray's `.dt.strftime`).
//!
//! The codes: `%Y %y %m %d %e %H %I %M %S %f %p %j %a %A %b %B %F %T %%`. Weekday
//! names follow the calendar's day of the week as cftime defines it.
//!
//! ```
//! use tessera::time::{Calendar, CfDatetime, strftime};
//! let cal = Calendar::NoLeap;
//! let t = cal.to_micros(&CfDatetime::date(2001, 3, 1))?;
//! assert_eq!(strftime(cal, t, "%Y-%m-%d (day %j)")?, "2001-03-01 (day 060)");
//! # Ok::<(), tessera::Error>(())
//! ```

use std::fmt::Write;

use super::calendar::Calendar;
use super::components::Component;
use crate::{Error, Result};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Formats the instant `t` (microseconds in `cal`) with a strftime `format`; an
/// unknown `%` code is an error naming it.
pub fn strftime(cal: Calendar, t: i64, format: &str) -> Result<String> {
    let d = cal.from_micros(t);
    let mut out = String::with_capacity(format.len() + 8);
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let code = chars.next().ok_or_else(|| {
            Error::invalid(format!("strftime format {format:?} ends with a lone %"))
        })?;
        let comp = |c: Component| c.of(cal, t).unwrap_or(0);
        // Writing to a String cannot fail.
        let _ = match code {
            'Y' => write!(out, "{:04}", d.year),
            'y' => write!(out, "{:02}", d.year.rem_euclid(100)),
            'm' => write!(out, "{:02}", d.month),
            'd' => write!(out, "{:02}", d.day),
            'e' => write!(out, "{:2}", d.day),
            'H' => write!(out, "{:02}", d.hour),
            'I' => write!(out, "{:02}", (d.hour + 11) % 12 + 1),
            'M' => write!(out, "{:02}", d.minute),
            'S' => write!(out, "{:02}", d.second),
            'f' => write!(out, "{:06}", d.microsecond),
            'p' => write!(out, "{}", if d.hour < 12 { "AM" } else { "PM" }),
            'j' => write!(out, "{:03}", comp(Component::DayOfYear)),
            'a' => write!(out, "{}", &DAYS[comp(Component::DayOfWeek) as usize][..3]),
            'A' => write!(out, "{}", DAYS[comp(Component::DayOfWeek) as usize]),
            'b' => write!(out, "{}", &MONTHS[d.month as usize - 1][..3]),
            'B' => write!(out, "{}", MONTHS[d.month as usize - 1]),
            'F' => write!(out, "{:04}-{:02}-{:02}", d.year, d.month, d.day),
            'T' => write!(out, "{:02}:{:02}:{:02}", d.hour, d.minute, d.second),
            '%' => write!(out, "%"),
            other => {
                return Err(Error::invalid(format!(
                    "strftime: unknown code %{other} in {format:?}; known codes are \
                     %Y %y %m %d %e %H %I %M %S %f %p %j %a %A %b %B %F %T %%"
                )));
            }
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::CfDatetime;

    #[test]
    fn codes_and_errors() {
        let cal = Calendar::ProlepticGregorian;
        let mut dt = CfDatetime::date(2000, 12, 31);
        dt.hour = 13;
        dt.microsecond = 5;
        let t = cal.to_micros(&dt).unwrap();
        assert_eq!(
            strftime(cal, t, "%a %A %b %B %I%p %j %f %y %%").unwrap(),
            "Sun Sunday Dec December 01PM 366 000005 00 %"
        );
        assert!(
            strftime(cal, t, "%Q")
                .unwrap_err()
                .to_string()
                .contains("%Q")
        );
        assert!(strftime(cal, t, "100%").is_err());
    }
}
