//! Timedeltas: durations as `I64` microseconds marked by `"timedelta": true` in the
//! variable's encoding, as datetimes are `I64` microseconds marked by a `calendar`.
//!
//! xarray's `time - time[0]` gives `timedelta64`; so do the `-` operator on two
//! datetime arrays and [`DataArray::sub_time`]. Durations add to datetimes
//! ([`DataArray::add_timedelta`]), divide into ratios ([`DataArray::td_ratio`]) and
//! scale ([`DataArray::td_scale`]); [`DataArray::td`] gives `days`, `seconds`,
//! `microseconds` and `total_seconds` as xarray's `.dt` does on timedeltas. NaT is
//! `i64::MIN` in both kinds and propagates.
//!
//! ```
//! use tessera::time::DateRange;
//! let t = DateRange::new().start("2000-02-28").periods(3).freq("18h").calendar("noleap").to_dataarray("time")?;
//! let first = t.isel_positions("time", &tessera::labelled::Positions::At(0))?;
//! let dt = (&t - &first)?; // or t.sub_time(&first)?
//! assert_eq!(dt.to_strings()?, ["0 days 00:00:00", "0 days 18:00:00", "1 days 12:00:00"]);
//! // Two durations divide into a plain ratio; a time plus a duration is a time.
//! let half = (&dt / &dt.td_scale(2.0)?)?;
//! assert_eq!(half.values::<f64>()?[[1]], 0.5);
//! assert_eq!((&first + &dt)?.to_strings()?[1], "2000-02-28T18:00:00");
//! assert_eq!(dt.td()?.total_seconds()?.values::<f64>()?.as_slice().unwrap(), &[0.0, 64800.0, 129600.0]);
//! let back = first.add_timedelta(&dt)?;
//! assert_eq!(back.to_strings()?[2], "2000-03-01T12:00:00");
//! # Ok::<(), tessera::Error>(())
//! ```

use crate::engine::{BinaryOp, DType, Scalar};
use crate::labelled::{Attrs, DataArray, Variable};
use crate::time::NAT;
use crate::{Error, Result};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Whether a variable holds timedeltas (`I64` microseconds marked in its encoding).
pub(crate) fn is_timedelta(var: &Variable) -> bool {
    var.dtype() == DType::I64
        && var
            .encoding()
            .get("timedelta")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
}

/// The encoding that marks `I64` microseconds as timedeltas.
pub(crate) fn timedelta_encoding() -> Attrs {
    let mut enc = Attrs::new();
    enc.insert("timedelta".into(), true.into());
    enc
}

/// pandas' text of a duration in microseconds: `"1 days 06:00:00"`,
/// `"-1 days +23:00:00"`, `"0 days 00:00:00.500000"`, `"NaT"`.
pub(crate) fn format(t: i64) -> String {
    if t == NAT {
        return "NaT".to_string();
    }
    let days = t.div_euclid(MICROS_PER_DAY);
    let rest = t.rem_euclid(MICROS_PER_DAY);
    let secs = rest / 1_000_000;
    let sign = if days < 0 { "+" } else { "" };
    let mut s = format!(
        "{days} days {sign}{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if rest % 1_000_000 != 0 {
        s.push_str(&format!(".{:06}", rest % 1_000_000));
    }
    s
}

fn kind(da: &DataArray) -> &'static str {
    if da.dt().is_ok() {
        "datetimes"
    } else if is_timedelta(da.variable()) {
        "timedeltas"
    } else {
        "neither datetimes nor timedeltas"
    }
}

fn wrong(op: &str, da: &DataArray, expected: &str) -> Error {
    Error::invalid(format!(
        "{op} needs {expected}; {} holds {}",
        da.name()
            .map_or("the array".to_string(), |n| format!("{n:?}")),
        kind(da)
    ))
}

/// `a op b` on aligned microsecond arrays, NaT wherever either side is NaT, with
/// `encoding` on the result.
fn combine(a: &DataArray, b: &DataArray, op: BinaryOp, encoding: Attrs) -> Result<DataArray> {
    let raw = a.binary_numbers(op, b)?;
    let ok_a = a.binary_scalar(BinaryOp::Ne, NAT, false)?;
    let ok_b = b.binary_scalar(BinaryOp::Ne, NAT, false)?;
    let ok = ok_a.binary(BinaryOp::And, &ok_b)?;
    let data = ok.data().select_scalar(raw.data(), Scalar::Int(NAT))?;
    let var = Variable::new(raw.dims().to_vec(), data)?.with_encoding(encoding);
    Ok(raw.with_variable(var))
}

/// What `+`, `-` and `/` mean between datetimes and timedeltas, as in numpy: time −
/// time is a timedelta, time ± timedelta a time, timedelta ± timedelta a timedelta,
/// timedelta / timedelta a ratio. `None` for every other pairing (comparisons, plain
/// numbers), which the operators handle as numbers.
pub(crate) fn time_arithmetic(
    a: &DataArray,
    op: BinaryOp,
    b: &DataArray,
) -> Option<Result<DataArray>> {
    let (at, bt) = (a.variable().is_datetime(), b.variable().is_datetime());
    let (ad, bd) = (is_timedelta(a.variable()), is_timedelta(b.variable()));
    match op {
        BinaryOp::Sub if at && bt => Some(a.sub_time(b)),
        BinaryOp::Add if (at || ad) && bd => Some(a.add_timedelta(b)),
        BinaryOp::Add if ad && bt => Some(b.add_timedelta(a)),
        BinaryOp::Sub if (at || ad) && bd => Some(a.sub_timedelta(b)),
        BinaryOp::Div if ad && bd => Some(a.td_ratio(b)),
        _ => None,
    }
}

impl DataArray {
    /// `self - other` for two datetime arrays in the same calendar: a timedelta array
    /// (xarray's `time - time[0]`), aligned and broadcast like any operands.
    ///
    /// Timedeltas are `I64` microseconds marked by `"timedelta": true` in the
    /// encoding (as datetimes are marked by a `calendar`); NaT is `i64::MIN`. They
    /// show as `timedelta64[ns]` and are written to Zarr/netCDF as xarray writes them.
    /// The `-` operator on two datetime arrays does the same.
    pub fn sub_time(&self, other: &DataArray) -> Result<DataArray> {
        let (a, b) = (
            self.dt()
                .map_err(|_| wrong("sub_time", self, "datetimes"))?,
            other.dt(),
        );
        let b = b.map_err(|_| wrong("sub_time", other, "datetimes"))?;
        if a.calendar() != b.calendar() {
            return Err(Error::invalid(format!(
                "sub_time: cannot subtract times in the {} calendar from times in the {} calendar",
                b.calendar(),
                a.calendar()
            )));
        }
        combine(self, other, BinaryOp::Sub, timedelta_encoding())
    }

    /// `self + delta`: datetimes (or timedeltas) moved by a timedelta array, keeping
    /// `self`'s kind and calendar.
    pub fn add_timedelta(&self, delta: &DataArray) -> Result<DataArray> {
        self.shift_by(delta, BinaryOp::Add, "add_timedelta")
    }

    /// `self - delta` for a timedelta `delta` (see [`add_timedelta`](Self::add_timedelta)).
    pub fn sub_timedelta(&self, delta: &DataArray) -> Result<DataArray> {
        self.shift_by(delta, BinaryOp::Sub, "sub_timedelta")
    }

    fn shift_by(&self, delta: &DataArray, op: BinaryOp, name: &str) -> Result<DataArray> {
        if !is_timedelta(delta.variable()) {
            return Err(wrong(name, delta, "timedeltas as its argument"));
        }
        let encoding = if self.dt().is_ok() {
            self.variable().datetime_encoding()
        } else if is_timedelta(self.variable()) {
            timedelta_encoding()
        } else {
            return Err(wrong(name, self, "datetimes or timedeltas"));
        };
        combine(self, delta, op, encoding)
    }

    /// `self / other` for two timedelta arrays: `F64` ratios (NaN where either is NaT).
    pub fn td_ratio(&self, other: &DataArray) -> Result<DataArray> {
        for da in [self, other] {
            if !is_timedelta(da.variable()) {
                return Err(wrong("td_ratio", da, "timedeltas"));
            }
        }
        let nan = |da: &DataArray| -> Result<DataArray> {
            let f = da.data().cast(DType::F64)?;
            let ok = da.data().binary_scalar(BinaryOp::Ne, NAT, false)?;
            let data = ok.select_scalar(&f, f64::NAN)?;
            Ok(da.with_variable(Variable::new(da.dims().to_vec(), data)?))
        };
        nan(self)?.binary(BinaryOp::Div, &nan(other)?)
    }

    /// A timedelta array times a number, rounded to whole microseconds.
    pub fn td_scale(&self, factor: f64) -> Result<DataArray> {
        if !is_timedelta(self.variable()) {
            return Err(wrong("td_scale", self, "timedeltas"));
        }
        let data = self.data().map_elements("td_scale", move |t: i64| {
            if t == NAT {
                NAT
            } else {
                (t as f64 * factor).round() as i64
            }
        })?;
        Ok(self.with_variable(self.variable().with_data(data)?))
    }

    /// The same `I64` microseconds marked as timedeltas (to build a timedelta array
    /// from durations computed elsewhere).
    pub fn as_timedelta(&self) -> Result<DataArray> {
        if self.dtype() != DType::I64 {
            return Err(Error::DTypeMismatch {
                expected: DType::I64,
                found: self.dtype(),
            });
        }
        let var = Variable::new(self.dims().to_vec(), self.data().clone())?
            .with_attrs(self.attrs().clone())
            .with_encoding(timedelta_encoding());
        Ok(self.with_variable(var))
    }

    /// The timedelta accessor (xarray's `.dt` on `timedelta64` values).
    pub fn td(&self) -> Result<TdAccessor<'_>> {
        if is_timedelta(self.variable()) {
            Ok(TdAccessor { da: self })
        } else {
            Err(wrong("the timedelta accessor", self, "timedeltas"))
        }
    }
}

/// Components of a timedelta [`DataArray`] (xarray's `.dt` on timedeltas), lazily.
pub struct TdAccessor<'a> {
    da: &'a DataArray,
}

impl TdAccessor<'_> {
    fn map<U: crate::engine::Storable>(
        &self,
        name: &str,
        f: impl Fn(i64) -> U + Send + Sync + 'static,
    ) -> Result<DataArray> {
        let data = self.da.data().map_elements(format!("td.{name}"), f)?;
        let var = Variable::new(self.da.dims().to_vec(), data)?;
        DataArray::new(Some(name.to_string()), var, self.da.coords().clone())
    }

    /// Whole days (rounded down, as pandas), `F64` with NaN for NaT.
    pub fn days(&self) -> Result<DataArray> {
        self.map("days", |t| {
            if t == NAT {
                f64::NAN
            } else {
                t.div_euclid(MICROS_PER_DAY) as f64
            }
        })
    }

    /// Seconds within the day, 0-86399, `F64` with NaN for NaT.
    pub fn seconds(&self) -> Result<DataArray> {
        self.map("seconds", |t| {
            if t == NAT {
                f64::NAN
            } else {
                (t.rem_euclid(MICROS_PER_DAY) / 1_000_000) as f64
            }
        })
    }

    /// Microseconds within the second, `F64` with NaN for NaT.
    pub fn microseconds(&self) -> Result<DataArray> {
        self.map("microseconds", |t| {
            if t == NAT {
                f64::NAN
            } else {
                t.rem_euclid(1_000_000) as f64
            }
        })
    }

    /// The whole duration in seconds, `F64` with NaN for NaT.
    pub fn total_seconds(&self) -> Result<DataArray> {
        self.map("total_seconds", |t| {
            if t == NAT { f64::NAN } else { t as f64 / 1e6 }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandas_text() {
        assert_eq!(format(0), "0 days 00:00:00");
        assert_eq!(format(-3_600_000_000), "-1 days +23:00:00");
        assert_eq!(format(MICROS_PER_DAY + 500_000), "1 days 00:00:00.500000");
        assert_eq!(format(NAT), "NaT");
    }
}
