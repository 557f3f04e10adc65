//! Rounding instants to a fixed frequency (xarray's `.dt.floor/ceil/round`).
//!
//! As pandas and xarray's `CFTimeIndex` do, an instant is rounded as an integer count
//! of microseconds since 1970-01-01 in its own calendar, to a multiple of the step;
//! exact halves round to the even multiple. Calendar periods (`"MS"`, `"YS"`) are not
//! fixed steps and are refused, as in xarray.
//!
//! ```
//! use tessera::time::{RoundMode, round_instant};
//! let h = 3_600_000_000;
//! assert_eq!(round_instant(h / 2, h, RoundMode::Round), 0); // half to even: 0
//! assert_eq!(round_instant(3 * h / 2, h, RoundMode::Round), 2 * h);
//! assert_eq!(round_instant(1, h, RoundMode::Ceil), h);
//! ```

use std::str::FromStr;

use super::decode::NAT;
use crate::labelled::Freq;
use crate::{Error, Result};

/// Which way [`round_instant`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundMode {
    /// Down to the step at or before.
    Floor,
    /// Up to the step at or after.
    Ceil,
    /// To the nearest step, exact halves to the even multiple.
    Round,
}

impl FromStr for RoundMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<RoundMode> {
        match s {
            "floor" => Ok(RoundMode::Floor),
            "ceil" => Ok(RoundMode::Ceil),
            "round" => Ok(RoundMode::Round),
            other => Err(Error::invalid(format!(
                "a rounding is \"floor\", \"ceil\" or \"round\", not {other:?}"
            ))),
        }
    }
}

/// `t` (microseconds) rounded to a multiple of `step` (microseconds, > 0); [`NAT`]
/// stays NaT.
pub fn round_instant(t: i64, step: i64, mode: RoundMode) -> i64 {
    if t == NAT || step <= 1 {
        return t;
    }
    let (q, r) = (t.div_euclid(step), t.rem_euclid(step));
    let q = match mode {
        RoundMode::Floor => q,
        RoundMode::Ceil => q + (r != 0) as i64,
        RoundMode::Round => {
            let twice = r as i128 * 2;
            q + (twice > step as i128 || (twice == step as i128 && q % 2 != 0)) as i64
        }
    };
    q.saturating_mul(step)
}

/// The step of a fixed frequency (`"D"`, `"6h"`, `"15min"`) in microseconds; calendar
/// periods are refused with an error naming `freq`.
pub(crate) fn fixed_step(freq: &str) -> Result<i64> {
    match Freq::parse(freq)? {
        Freq::Tick(step) => Ok(step),
        Freq::Months { .. } => Err(Error::invalid(format!(
            "{freq:?} is a non-fixed frequency; floor, ceil and round take a fixed step such as \
             \"D\", \"6h\" or \"15min\""
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_go_to_even_and_negatives_floor_down() {
        assert_eq!(round_instant(25, 10, RoundMode::Round), 20);
        assert_eq!(round_instant(35, 10, RoundMode::Round), 40);
        assert_eq!(round_instant(-5, 10, RoundMode::Round), 0);
        assert_eq!(round_instant(-15, 10, RoundMode::Round), -20);
        assert_eq!(round_instant(-1, 10, RoundMode::Floor), -10);
        assert_eq!(round_instant(-1, 10, RoundMode::Ceil), 0);
        assert_eq!(round_instant(NAT, 10, RoundMode::Ceil), NAT);
        assert!(fixed_step("MS").unwrap_err().to_string().contains("MS"));
        assert_eq!(fixed_step("2h").unwrap(), 7_200_000_000);
    }
}
