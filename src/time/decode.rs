//! Decoding CF numeric times to instants and encoding them back.
//!
//! An instant is an `i64` count of microseconds since 1970-01-01T00:00 *in the
//! variable's calendar* (see [`Calendar`]); [`NAT`] marks a missing time. Microseconds
//! cover ±290,000 years, enough for paleoclimate runs that overflow numpy's `ns`.

use super::calendar::Calendar;
use super::datetime::CfDatetime;
use super::units::{TimeUnit, TimeUnits};
use crate::{Error, Result};

/// The missing instant ("not a time").
pub const NAT: i64 = i64::MIN;

fn out_of_range(units: &TimeUnits, v: impl std::fmt::Display) -> Error {
    super::calendar::out_of_range(format!("{v} {units}"))
}

/// Decodes floating CF times (`NaN` → [`NAT`]), rounding to the microsecond.
pub fn decode_f64(values: &[f64], units: &TimeUnits, cal: Calendar) -> Result<Vec<i64>> {
    let origin = units.reference_micros(cal)?;
    let step = units.unit.micros() as f64;
    values
        .iter()
        .map(|&v| {
            if v.is_nan() {
                return Ok(NAT);
            }
            let offset = (v * step).round();
            if !offset.is_finite() || offset.abs() >= 9.2e18 {
                return Err(out_of_range(units, v));
            }
            (offset as i64)
                .checked_add(origin)
                .filter(|&t| t != NAT)
                .ok_or_else(|| out_of_range(units, v))
        })
        .collect()
}

/// Decodes integer CF times exactly.
pub fn decode_i64(values: &[i64], units: &TimeUnits, cal: Calendar) -> Result<Vec<i64>> {
    let origin = units.reference_micros(cal)?;
    let step = units.unit.micros();
    values
        .iter()
        .map(|&v| {
            v.checked_mul(step)
                .and_then(|o| o.checked_add(origin))
                .filter(|&t| t != NAT)
                .ok_or_else(|| out_of_range(units, v))
        })
        .collect()
}

/// Encodes instants as floating CF times ([`NAT`] → `NaN`).
pub fn encode_f64(instants: &[i64], units: &TimeUnits, cal: Calendar) -> Result<Vec<f64>> {
    let origin = units.reference_micros(cal)?;
    let step = units.unit.micros() as f64;
    Ok(instants
        .iter()
        .map(|&t| {
            if t == NAT {
                f64::NAN
            } else {
                (t as i128 - origin as i128) as f64 / step
            }
        })
        .collect())
}

/// Encodes instants as integer CF times; fails if one is not a whole number of
/// units from the reference or is missing (integers cannot hold NaT).
pub fn encode_i64(instants: &[i64], units: &TimeUnits, cal: Calendar) -> Result<Vec<i64>> {
    let origin = units.reference_micros(cal)?;
    let step = units.unit.micros() as i128;
    instants
        .iter()
        .map(|&t| {
            let d = t as i128 - origin as i128;
            if t == NAT || d % step != 0 {
                return Err(Error::invalid(format!(
                    "time {} is not a whole number of {} from {}",
                    if t == NAT {
                        "NaT".to_string()
                    } else {
                        cal.from_micros(t).to_string()
                    },
                    units.unit.name(),
                    units.reference
                )));
            }
            i64::try_from(d / step).map_err(|_| out_of_range(units, d / step))
        })
        .collect()
}

/// The units xarray would choose to encode these instants: the coarsest of days,
/// hours, minutes, seconds, milliseconds, microseconds dividing every offset from
/// the first valid time, which is the reference.
pub fn choose_units(instants: &[i64], cal: Calendar) -> TimeUnits {
    let valid: Vec<i64> = instants.iter().copied().filter(|&t| t != NAT).collect();
    let Some(&first) = valid.first() else {
        return TimeUnits::new(TimeUnit::Days, CfDatetime::date(1970, 1, 1));
    };
    let candidates = [
        TimeUnit::Days,
        TimeUnit::Hours,
        TimeUnit::Minutes,
        TimeUnit::Seconds,
        TimeUnit::Milliseconds,
    ];
    let unit = candidates
        .into_iter()
        .find(|u| {
            valid
                .iter()
                .all(|&t| (t as i128 - first as i128) % u.micros() as i128 == 0)
        })
        .unwrap_or(TimeUnit::Microseconds);
    TimeUnits::new(unit, cal.from_micros(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_encode_round_trip() {
        let u = TimeUnits::parse("days since 2000-01-01").unwrap();
        let t = decode_f64(&[0.0, 1.5, f64::NAN, -366.0], &u, Calendar::Standard).unwrap();
        assert_eq!(
            Calendar::Standard.from_micros(t[1]).to_string(),
            "2000-01-02T12:00:00"
        );
        assert_eq!(t[2], NAT);
        assert_eq!(
            Calendar::Standard.from_micros(t[3]).to_string(),
            "1998-12-31T00:00:00"
        );
        let back = encode_f64(&t, &u, Calendar::Standard).unwrap();
        assert_eq!(back[1], 1.5);
        assert!(back[2].is_nan());
        let ints = decode_i64(&[0, 59, 60], &u, Calendar::NoLeap).unwrap();
        assert_eq!(
            Calendar::NoLeap.from_micros(ints[2]).to_string(),
            "2000-03-02T00:00:00"
        );
        assert_eq!(
            encode_i64(&ints, &u, Calendar::NoLeap).unwrap(),
            vec![0, 59, 60]
        );
        assert!(encode_i64(&t[..2], &u, Calendar::Standard).is_err());
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let u = TimeUnits::parse("days since 2000-01-01").unwrap();
        assert!(decode_f64(&[1e300], &u, Calendar::Standard).is_err());
        assert!(decode_i64(&[i64::MAX / 2], &u, Calendar::Standard).is_err());
    }

    #[test]
    fn chooses_the_coarsest_units() {
        let cal = Calendar::ProlepticGregorian;
        let day = TimeUnit::Days.micros();
        let u = choose_units(&[10 * day, 11 * day, NAT], cal);
        assert_eq!(u.to_string(), "days since 1970-01-11 00:00:00");
        let u = choose_units(&[0, 3_600_000_000 * 5], cal);
        assert_eq!(u.unit, TimeUnit::Hours);
        assert_eq!(choose_units(&[0, 1], cal).unit, TimeUnit::Microseconds);
    }
}
