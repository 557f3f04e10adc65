//! Calendar conversion: xarray's `convert_calendar` and `interp_calendar`.
//!
//! - `align_on = "date"` (the default between calendars other than `360_day`) keeps
//!   each date and time of day, dropping the dates the target calendar lacks
//!   (Feb 29 into `noleap`, Feb 30 out of `360_day`).
//! - `align_on = "year"` (to or from `360_day`) keeps each date's place in its year:
//!   the new day of the year is `round(doy * days_in_target_year / days_in_source_year)`
//!   (half to even), and dates that fall on one new day keep the first.
//! - `missing` fills a complete time axis in the new calendar (the source's
//!   frequency, inferred, from its first to its last date) with that value where no
//!   converted date exists, as `reindex(fill_value=missing)`.
//!
//! Only the small time coordinate is computed; the data are selected lazily with one
//! gather along the time dimension (plus a lazy mask for `missing`).
//!
//! `interp_calendar(target)` interpolates linearly in *decimal years* (year plus the
//! fraction of the year elapsed), so a value at mid-year in one calendar lands at
//! mid-year in the other; targets outside the source's span are NaN. As in xarray, a
//! 1-D array follows numpy's `interp` (a target equal to a source time takes its
//! value) and an N-D one scipy's `interp1d` (the two neighbours always, so a NaN
//! neighbour gives NaN even there).
//!
//! ```
//! use tessera::labelled::{CalendarConversion, DataArray};
//! use tessera::time::DateRange;
//! let time = DateRange::new().start("2000-02-27").periods(4).to_variable("time")?;
//! let da = DataArray::from_ndarray("x", ["time"], ndarray::array![1.0, 2.0, 3.0, 4.0].into_dyn(), &[2])?
//!     .with_coord("time", time)?;
//! let noleap = da.convert_calendar("noleap", &CalendarConversion::default())?;
//! assert_eq!(noleap.values::<f64>()?.as_slice().unwrap(), &[1.0, 2.0, 4.0]); // Feb 29 dropped
//! let back = noleap.interp_calendar(&da.coord("time")?, "time")?;
//! let v = back.values::<f64>()?;
//! // Matched by place in the year: standard Feb 28 (day 59 of 366) falls between
//! // noleap Feb 27 and 28; standard Mar 1 (61 of 366) after noleap Mar 1 (60 of 365),
//! // past the last source point: NaN, as in xarray.
//! assert!(v[[1]] > 1.0 && v[[1]] < 2.0);
//! assert!(v[[3]].is_nan());
//! # Ok::<(), tessera::Error>(())
//! ```

use std::collections::HashMap;

use crate::engine::{DType, LazyArray};
use crate::labelled::{Attrs, DataArray, Dataset, Positions, Variable};
use crate::time::{Calendar, CfDatetime, DateRange, NAT};
use crate::{Error, Result};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Options of [`DataArray::convert_calendar`] (xarray's `dim`, `align_on`,
/// `missing`).
///
/// - `align_on = "date"` (the default between calendars other than `360_day`) keeps
///   each date and time of day, dropping the dates the target calendar lacks
///   (Feb 29 into `noleap`, Feb 30 out of `360_day`).
/// - `align_on = "year"` (to or from `360_day`) keeps each date's place in its year:
///   the new day of the year is `round(doy * days_in_target_year /
///   days_in_source_year)` (half to even); dates that fall on one new day keep the first.
/// - `missing` fills a complete time axis in the new calendar (the source's
///   frequency, inferred, from its first to its last date) with that value where no
///   converted date exists, as `reindex(fill_value=missing)`.
#[derive(Clone, Debug)]
pub struct CalendarConversion {
    /// The time dimension (default `"time"`).
    pub dim: String,
    /// `None`, `"date"` or `"year"`; `360_day` conversions need one of the latter.
    pub align_on: Option<String>,
    /// Fill a complete new-calendar axis with this value where no date converts.
    pub missing: Option<f64>,
}

impl Default for CalendarConversion {
    fn default() -> Self {
        CalendarConversion {
            dim: "time".to_string(),
            align_on: None,
            missing: None,
        }
    }
}

impl CalendarConversion {
    /// The time dimension.
    pub fn dim(mut self, dim: &str) -> Self {
        self.dim = dim.to_string();
        self
    }

    /// `"date"` or `"year"`.
    pub fn align_on(mut self, align_on: &str) -> Self {
        self.align_on = Some(align_on.to_string());
        self
    }

    /// The fill value of the complete new axis.
    pub fn missing(mut self, value: f64) -> Self {
        self.missing = Some(value);
        self
    }
}

/// Calendars whose year before 1 is 1 BC, not year 0 (cftime's rule).
fn has_no_year_zero(cal: Calendar) -> bool {
    matches!(
        cal,
        Calendar::Standard | Calendar::ProlepticGregorian | Calendar::Julian
    )
}

/// The time coordinate `dim` of `coords` as (values, calendar, attrs).
fn time_coord(coord: Result<DataArray>, dim: &str) -> Result<(Vec<i64>, Calendar, Attrs)> {
    let c = coord?;
    let cal = c.dt().map_err(|_| {
        Error::invalid(format!(
            "coordinate {dim:?} must contain datetimes to change its calendar"
        ))
    })?;
    let cal = cal.calendar();
    if c.dims().len() != 1 {
        return Err(Error::invalid(format!("coordinate {dim:?} must be 1-D")));
    }
    Ok((
        c.values::<i64>()?.iter().copied().collect(),
        cal,
        c.attrs().clone(),
    ))
}

/// The positions kept and their new instants, in output order.
fn plan(
    times: &[i64],
    src: Calendar,
    target: Calendar,
    align_on: Option<&str>,
) -> Result<(Vec<usize>, Vec<i64>)> {
    let year_mode = match align_on {
        None if src == Calendar::Day360 || target == Calendar::Day360 => {
            return Err(Error::invalid(format!(
                "converting from the {src} to the {target} calendar needs align_on \"date\" or \
                 \"year\" (a 360_day calendar is involved)"
            )));
        }
        None | Some("date") => false,
        Some("year") => true,
        Some(other) => {
            return Err(Error::invalid(format!(
                "align_on must be \"date\" or \"year\", not {other:?}"
            )));
        }
    };
    // xarray aligns on dates unless a 360_day calendar is involved.
    let year_mode = year_mode && (src == Calendar::Day360 || target == Calendar::Day360);
    if has_no_year_zero(target)
        && times
            .iter()
            .any(|&t| t != NAT && src.from_micros(t).year == 0)
    {
        return Err(Error::invalid(format!(
            "the times contain year 0, which the {target} calendar does not have"
        )));
    }
    let mut kept: Vec<(usize, i64)> = Vec::with_capacity(times.len());
    for (i, &t) in times.iter().enumerate() {
        if t == NAT {
            continue;
        }
        let d = src.from_micros(t);
        let new = if year_mode {
            let doy = (t.div_euclid(MICROS_PER_DAY) - src.days_from_date(d.year, 1, 1) + 1) as f64;
            let ratio = target.days_in_year(d.year) as f64 / src.days_in_year(d.year) as f64;
            let new_doy = (doy * ratio).round_ties_even() as i64;
            let day = target.days_from_date(d.year, 1, 1) + new_doy - 1;
            let (y, m, dd) = target.date_from_days(day);
            (y == d.year).then_some(CfDatetime {
                year: y,
                month: m,
                day: dd,
                ..d
            })
        } else {
            Some(d)
        };
        if let Some(nd) = new
            && let Ok(nt) = target.to_micros(&nd)
        {
            kept.push((i, nt));
        }
    }
    if year_mode {
        // xarray's np.unique: sorted, the first position of each new time.
        kept.sort_by_key(|&(i, t)| (t, i));
        kept.dedup_by_key(|k| k.1);
    }
    Ok(kept.into_iter().unzip())
}

/// A frequency xarray's `infer_freq` would find for `times` (regular steps, month or
/// year starts and ends), for the `missing` axis.
fn infer_freq(times: &[i64], cal: Calendar, dim: &str) -> Result<String> {
    let fail = || {
        Error::invalid(format!(
            "cannot infer the frequency of {dim:?} to build the full axis for `missing`; \
             it needs at least 3 regularly spaced times"
        ))
    };
    if times.len() < 3 {
        return Err(fail());
    }
    let step = times[1] - times[0];
    if step > 0 && times.windows(2).all(|w| w[1] - w[0] == step) {
        return Ok(if step % MICROS_PER_DAY == 0 {
            format!("{}D", step / MICROS_PER_DAY)
        } else {
            format!("{step}us")
        });
    }
    let dates: Vec<CfDatetime> = times.iter().map(|&t| cal.from_micros(t)).collect();
    let months: Vec<i64> = dates.iter().map(|d| d.year * 12 + d.month as i64).collect();
    let mstep = months[1] - months[0];
    if mstep <= 0 || !months.windows(2).all(|w| w[1] - w[0] == mstep) {
        return Err(fail());
    }
    let starts = dates.iter().all(|d| d.day == 1);
    let ends = dates
        .iter()
        .all(|d| d.day == cal.days_in_month(d.year, d.month));
    let (unit, n) = match mstep {
        s if s % 12 == 0 => ("Y", s / 12),
        s if s % 3 == 0 => ("Q", s / 3),
        s => ("M", s),
    };
    let anchor = match unit {
        "M" => String::new(),
        _ => {
            let m = [
                "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
            ];
            format!("-{}", m[dates[0].month as usize - 1])
        }
    };
    match (starts, ends) {
        (true, _) => Ok(format!("{n}{unit}S{anchor}")),
        (false, true) => Ok(format!("{n}{unit}E{anchor}")),
        _ => Err(fail()),
    }
}

/// A date converted into `cal`, stepping back a day or two when it does not exist
/// there (xarray's `convert_time_or_go_back`).
fn convert_or_go_back(d: CfDatetime, cal: Calendar) -> Result<i64> {
    let mut last = None;
    for back in 0..3u8 {
        if d.day <= back {
            break;
        }
        match cal.to_micros(&CfDatetime {
            day: d.day - back,
            ..d
        }) {
            Ok(t) => return Ok(t),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::invalid(format!("cannot convert {d} to {cal}"))))
}

/// xarray's `date_range_like(source, calendar)`.
fn range_like(times: &[i64], src: Calendar, target: Calendar, dim: &str) -> Result<Vec<i64>> {
    let freq = infer_freq(times, src, dim)?;
    let first = src.from_micros(*times.iter().min().unwrap_or(&0));
    let last = src.from_micros(*times.iter().max().unwrap_or(&0));
    let start = convert_or_go_back(first, target)?;
    let mut end = convert_or_go_back(last, target)?;
    let month_end_freq = freq.ends_with('D') || freq.contains("E");
    if last.day == src.days_in_month(last.year, last.month) && month_end_freq {
        let e = target.from_micros(end);
        end = target.to_micros(&CfDatetime {
            day: target.days_in_month(e.year, e.month),
            ..e
        })?;
    }
    let text = |t: i64| target.from_micros(t).to_string();
    DateRange::new()
        .start(&text(start))
        .end(&text(end))
        .freq(&freq)
        .calendar(target.name())
        .values()
}

fn time_variable(dim: &str, values: Vec<i64>, cal: Calendar, attrs: &Attrs) -> Result<Variable> {
    let n = values.len();
    let data = LazyArray::from_ndarray(ndarray::Array1::from_vec(values).into_dyn(), &[n.max(1)])?;
    let mut enc = Attrs::new();
    enc.insert("calendar".into(), cal.name().into());
    let mut attrs = attrs.clone();
    attrs.remove("calendar");
    Ok(Variable::new([dim], data)?
        .with_attrs(attrs)
        .with_encoding(enc))
}

/// Where the target axis finds each time in `new` (a position, or `None`).
fn positions_on(new: &[i64], axis: &[i64]) -> Vec<Option<usize>> {
    let at: HashMap<i64, usize> = new.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    axis.iter().map(|t| at.get(t).copied()).collect()
}

/// The conversion of a labelled object along its time dim.
trait Convertible: Sized {
    fn coord_of(&self, dim: &str) -> Result<DataArray>;
    fn take(&self, dim: &str, pos: Vec<usize>) -> Result<Self>;
    fn set_coord(self, dim: &str, var: Variable) -> Result<Self>;
    fn mask_fill(self, dim: &str, mask: &DataArray, value: f64) -> Result<Self>;
}

impl Convertible for DataArray {
    fn coord_of(&self, dim: &str) -> Result<DataArray> {
        self.coord(dim)
    }
    fn take(&self, dim: &str, pos: Vec<usize>) -> Result<Self> {
        self.isel_positions(dim, &Positions::List(pos))
    }
    fn set_coord(self, dim: &str, var: Variable) -> Result<Self> {
        self.assign_coords(vec![(dim, var)])
    }
    fn mask_fill(self, dim: &str, mask: &DataArray, value: f64) -> Result<Self> {
        if !self.dims().iter().any(|d| d == dim) {
            return Ok(self);
        }
        let fill = if value.fract() == 0.0 && !self.dtype().is_float() {
            crate::engine::Scalar::Int(value as i64)
        } else {
            crate::engine::Scalar::Float(value)
        };
        let out = self.where_(mask, Some(fill))?;
        out.transpose(self.dims())
    }
}

impl Convertible for Dataset {
    fn coord_of(&self, dim: &str) -> Result<DataArray> {
        self.get(dim)
    }
    fn take(&self, dim: &str, pos: Vec<usize>) -> Result<Self> {
        self.isel_positions(dim, &Positions::List(pos))
    }
    fn set_coord(mut self, dim: &str, var: Variable) -> Result<Self> {
        self.coords_mut().insert(dim, var)?;
        Ok(self)
    }
    fn mask_fill(self, dim: &str, mask: &DataArray, value: f64) -> Result<Self> {
        let mut out = self.clone();
        for name in self.data_var_names() {
            let da = self.get(&name)?.mask_fill(dim, mask, value)?.rename(&name);
            out.insert_array(&da)?;
        }
        Ok(out)
    }
}

fn convert<T: Convertible>(obj: &T, calendar: &str, opts: &CalendarConversion) -> Result<T> {
    let target = Calendar::parse(calendar)?;
    let dim = opts.dim.as_str();
    let (times, src, attrs) = time_coord(obj.coord_of(dim), dim)?;
    let (pos, new) = plan(&times, src, target, opts.align_on.as_deref())?;
    let out = obj.take(dim, pos)?;
    let Some(value) = opts.missing else {
        return out.set_coord(dim, time_variable(dim, new, target, &attrs)?);
    };
    let axis = range_like(&times, src, target, dim)?;
    let found = positions_on(&new, &axis);
    let out = out.take(dim, found.iter().map(|p| p.unwrap_or(0)).collect())?;
    let coord = time_variable(dim, axis, target, &attrs)?;
    let out = out.set_coord(dim, coord.clone())?;
    let present: Vec<bool> = found.iter().map(Option::is_some).collect();
    let n = present.len();
    let mask = DataArray::from_ndarray(
        "mask",
        [dim],
        ndarray::Array1::from_vec(present).into_dyn(),
        &[n.max(1)],
    )?
    .with_coord(dim, coord)?;
    out.mask_fill(dim, &mask, value)
}

/// Decimal years: the year plus the fraction of it elapsed (xarray's `_decimal_year`).
fn decimal_years(times: &[i64], cal: Calendar) -> Vec<f64> {
    times
        .iter()
        .map(|&t| {
            if t == NAT {
                return f64::NAN;
            }
            let y = cal.from_micros(t).year;
            let start = cal.days_from_date(y, 1, 1) * MICROS_PER_DAY;
            y as f64 + (t - start) as f64 / (cal.days_in_year(y) as f64 * MICROS_PER_DAY as f64)
        })
        .collect()
}

fn interp_one(src: &DataArray, dim: &str, target: &DataArray) -> Result<DataArray> {
    if !src.dims().iter().any(|d| d == dim) {
        return Ok(src.clone());
    }
    let (times, cal, _) = time_coord(src.coord(dim), dim)?;
    let (tt, tcal, tattrs) = time_coord(Ok(target.clone()), dim)?;
    let x = decimal_years(&times, cal);
    if x.windows(2).any(|w| w[1] <= w[0] || w[0].is_nan()) {
        return Err(Error::NonMonotonicIndex {
            dim: dim.to_string(),
            op: "interp_calendar".to_string(),
        });
    }
    let xt = decimal_years(&tt, tcal);
    let (mut lo, mut hi, mut w) = (vec![], vec![], vec![]);
    // xarray interpolates 1-D arrays with numpy's interp (an exact match takes that
    // value) and others with scipy's interp1d (always the two neighbours around the
    // target, so a NaN neighbour gives NaN even on an exact match).
    let scipy = src.dims().len() > 1 && x.len() > 1;
    for &v in &xt {
        let j = x.partition_point(|&s| s < v);
        let outside = v.is_nan() || x.is_empty() || v < x[0] || v > x[x.len() - 1];
        let (l, h, wt) = if outside {
            (0, 0, f64::NAN)
        } else if scipy {
            let h = j.clamp(1, x.len() - 1);
            (h - 1, h, (v - x[h - 1]) / (x[h] - x[h - 1]))
        } else if x[j] == v {
            (j, j, 0.0)
        } else {
            (j - 1, j, (v - x[j - 1]) / (x[j] - x[j - 1]))
        };
        lo.push(l);
        hi.push(h);
        w.push(wt);
    }
    let coord = time_variable(dim, tt, tcal, &tattrs)?;
    let n = w.len();
    let weights = DataArray::from_ndarray(
        "w",
        [dim],
        ndarray::Array1::from_vec(w).into_dyn(),
        &[n.max(1)],
    )?
    .with_coord(dim, coord.clone())?;
    let src = if src.dtype().is_float() {
        src.clone()
    } else {
        src.astype(DType::F64)?
    };
    let a = src
        .isel_positions(dim, &Positions::List(lo))?
        .assign_coords(vec![(dim, coord.clone())])?;
    let b = src
        .isel_positions(dim, &Positions::List(hi))?
        .assign_coords(vec![(dim, coord)])?;
    let slope = (&b - &a)?;
    let out = (&a + &(&slope * &weights)?)?;
    let out = out.transpose(src.dims())?;
    Ok(out
        .rename(src.name().unwrap_or(""))
        .with_attrs(src.attrs().clone()))
}

impl DataArray {
    /// The array with its time dimension in another CF calendar (xarray's
    /// `convert_calendar`; see [`CalendarConversion`] for `align_on` and `missing`).
    /// Errors name the calendar, `align_on` or coordinate that cannot convert.
    pub fn convert_calendar(&self, calendar: &str, opts: &CalendarConversion) -> Result<DataArray> {
        convert(self, calendar, opts)
    }

    /// The array interpolated linearly onto `target`, a 1-D datetime array in any
    /// calendar, matching dates by their position in the year (xarray's
    /// `interp_calendar`); NaN outside the source's span.
    pub fn interp_calendar(&self, target: &DataArray, dim: &str) -> Result<DataArray> {
        interp_one(self, dim, target)
    }
}

impl Dataset {
    /// [`DataArray::convert_calendar`] over every variable along the time dim.
    pub fn convert_calendar(&self, calendar: &str, opts: &CalendarConversion) -> Result<Dataset> {
        convert(self, calendar, opts)
    }

    /// [`DataArray::interp_calendar`] for every data variable with `dim`.
    pub fn interp_calendar(&self, target: &DataArray, dim: &str) -> Result<Dataset> {
        let mut out = self.map(|da| {
            if da.dims().iter().any(|d| d == dim) {
                interp_one(da, dim, target)
            } else {
                Ok(da.clone())
            }
        })?;
        let (tt, tcal, tattrs) = time_coord(Ok(target.clone()), dim)?;
        out.coords_mut()
            .insert(dim, time_variable(dim, tt, tcal, &tattrs)?)?;
        Ok(out)
    }
}
