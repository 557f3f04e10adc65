//! What the figures read from an array: labels as xarray writes them, axis values
//! (dates for datetime coordinates), and the checked, subsampled data.

use crate::engine::DType;
use crate::labelled::{Attrs, DataArray, IndexValues};
use crate::time::Calendar;
use crate::{Error, Result};

/// `"long_name [units]"`, falling back to `name`, as xarray labels an axis.
pub(super) fn label(name: Option<&str>, attrs: &Attrs) -> String {
    let text = |k: &str| {
        attrs
            .get(k)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    let base = text("long_name")
        .or(text("standard_name"))
        .or(name)
        .unwrap_or("")
        .to_string();
    match text("units") {
        Some(u) if base.is_empty() => format!("[{u}]"),
        Some(u) => format!("{base} [{u}]"),
        None => base,
    }
}

/// The label of the values of `da`.
pub(super) fn value_label(da: &DataArray) -> String {
    label(da.name(), da.attrs())
}

/// xarray's default title: the scalar coordinates, `"time = 2001-01-01, lev = 850"`.
pub(super) fn scalar_title(da: &DataArray) -> String {
    let mut parts = Vec::new();
    for (name, c) in da.coords().iter() {
        if c.var.ndim() != 0 {
            continue;
        }
        let Ok(data) = c.var.data().compute() else {
            continue;
        };
        let calendar = calendar_of(c.var.encoding());
        let text = match (calendar, data.clone().cast(DType::I64).into_typed::<i64>()) {
            (Some(cal), Ok(t)) => t.iter().next().map(|&t| date_text(cal, t, 0.0)),
            _ => data.to_f64_vec().first().map(|x| format!("{x}")),
        };
        if let Some(text) = text {
            parts.push(format!("{name} = {text}"));
        }
    }
    parts.join(", ")
}

fn calendar_of(encoding: &Attrs) -> Option<Calendar> {
    encoding
        .get("calendar")
        .and_then(|c| c.as_str())
        .and_then(|c| Calendar::parse(c).ok())
}

/// The positions along one dimension: coordinate values when there is a numeric or
/// datetime index, else 0, 1, 2, ...
pub(super) struct AxisValues {
    pub values: Vec<f64>,
    /// Set when `values` are microseconds since 1970 in this calendar.
    pub calendar: Option<Calendar>,
    pub label: String,
}

/// `step` is the stride `da` was subsampled with, so that positions count in the
/// original array.
pub(super) fn axis_values(da: &DataArray, dim: &str, step: usize) -> AxisValues {
    let n = da.dim_len(dim).unwrap_or(0);
    let positions = || (0..n).map(|i| (i * step) as f64).collect();
    let coord = da.coords().get(dim);
    let label = coord.map_or_else(|| dim.to_string(), |c| label(Some(dim), c.var.attrs()));
    match da.coords().index(dim).map(|ix| ix.values()) {
        Some(IndexValues::Num(v)) if v.len() == n => AxisValues {
            values: v.clone(),
            calendar: None,
            label,
        },
        Some(IndexValues::Time { values, calendar }) if values.len() == n => AxisValues {
            values: values.iter().map(|&t| t as f64).collect(),
            calendar: Some(*calendar),
            label: dim.to_string(),
        },
        _ => AxisValues {
            values: positions(),
            calendar: None,
            label,
        },
    }
}

/// A date for a tick: the year alone when ticks are years apart, year-month when
/// months apart, the full date otherwise.
pub(super) fn date_text(calendar: Calendar, micros: i64, span_micros: f64) -> String {
    const DAY: f64 = 86_400e6;
    let d = calendar.from_micros(micros);
    if span_micros > 4.0 * 365.0 * DAY {
        format!("{}", d.year)
    } else if span_micros > 120.0 * DAY {
        format!("{}-{:02}", d.year, d.month)
    } else if span_micros > 2.0 * DAY || (d.hour, d.minute, d.second) == (0, 0, 0) {
        format!("{}-{:02}-{:02}", d.year, d.month, d.day)
    } else {
        format!("{:02}-{:02} {:02}:{:02}", d.month, d.day, d.hour, d.minute)
    }
}

/// Checks that `da` holds plottable numbers and has `ndim` non-empty dims.
pub(super) fn check_plottable(da: &DataArray, ndim: usize, what: &str) -> Result<()> {
    let name = da.name().unwrap_or("the array");
    if da.dims().len() != ndim {
        return Err(Error::invalid(format!(
            "{what} needs a {ndim}-D array; {name} has dims {:?}",
            da.dims()
        )));
    }
    if da.dtype() == DType::Bool || calendar_of(da.variable().encoding()).is_some() {
        return Err(Error::invalid(format!(
            "{what}: {name} holds {}, not numbers to plot",
            if da.dtype() == DType::Bool {
                "booleans"
            } else {
                "datetimes"
            }
        )));
    }
    if da.shape().contains(&0) {
        return Err(Error::invalid(format!(
            "{what}: {name} is empty (shape {:?})",
            da.shape()
        )));
    }
    Ok(())
}

/// A strided selection with at most `max` elements along `dim`, and its stride
/// (lazy: nothing is computed here).
pub(super) fn subsample(da: &DataArray, dim: &str, max: usize) -> Result<(DataArray, usize)> {
    let n = da.dim_len(dim)?;
    if n <= max {
        return Ok((da.clone(), 1));
    }
    let step = n.div_ceil(max);
    Ok((da.isel_slice(dim, None, None, step as isize)?, step))
}

/// Finite minimum and maximum, or `None` when nothing is finite.
pub(super) fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Pads a degenerate or exact range so that the data does not sit on the frame.
pub(super) fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if hi > lo {
        let pad = (hi - lo) * frac;
        (lo - pad, hi + pad)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    }
}
