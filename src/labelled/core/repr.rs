//! `Display` for data arrays and datasets, laid out like xarray's repr: dimensions
//! with sizes, coordinates with first and last values, data variables with dtype and
//! chunk shape, attributes truncated to one line each. Nothing is computed except
//! the (small, eager) indexes and 0-d coordinates; an array whose data are already
//! in memory (persisted, or built from values) shows its values as xarray shows a
//! numpy-backed array: all of them up to 200, else the first and last three per axis.
//!
//! dtypes are named as xarray names them: CF times are `datetime64[ns]` in numpy's
//! calendars and `object` (cftime) in the others, timedeltas `timedelta64[ns]`.

use std::fmt::{self, Write as _};

use super::coords::Coords;
use super::dataarray::DataArray;
use super::dataset::Dataset;
use super::index::{IndexValues, time_text};
use super::variable::{Attrs, Variable};

const WIDTH: usize = 80;

fn chunk_shape(v: &Variable) -> String {
    let c: Vec<String> = v
        .data()
        .chunks()
        .chunks()
        .iter()
        .map(|axis| axis.iter().copied().max().unwrap_or(0).to_string())
        .collect();
    // A 1-tuple keeps its comma, as Python prints it.
    let comma = if c.len() == 1 { "," } else { "" };
    format!("chunksize=({}{comma})", c.join(", "))
}

fn dims_text(v: &Variable) -> String {
    format!("({})", v.dims().join(", "))
}

/// The dtype as xarray shows it: datetimes are `datetime64[ns]` in numpy's calendars
/// and `object` (cftime dates) in the others, timedeltas `timedelta64[ns]`; strings
/// are `<U` and their widest length; opaque variables show the dtype as stored
/// (`complex64`).
pub(crate) fn dtype_text(v: &Variable) -> String {
    if let Some(stored) = v.stored_dtype() {
        return stored.to_string();
    }
    if let Some(table) = v.categories() {
        let widest = table.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        return format!("<U{widest}");
    }
    if crate::labelled::time::is_timedelta(v) {
        return "timedelta64[ns]".into();
    }
    match v.encoding().get("calendar").and_then(|c| c.as_str()) {
        Some(cal) if v.dtype() == crate::engine::DType::I64 => {
            match crate::time::Calendar::parse(cal) {
                Ok(crate::time::Calendar::ProlepticGregorian | crate::time::Calendar::Standard) => {
                    "datetime64[ns]".into()
                }
                _ => "object".into(),
            }
        }
        _ => v.dtype().to_string(),
    }
}

/// The dtype of a data variable: as [`dtype_text`], except that strings show the
/// engine dtype of their codes' table, as before.
fn listed_dtype(v: &Variable) -> String {
    if v.categories().is_some() {
        return v.dtype().to_string();
    }
    dtype_text(v)
}

/// One element of a variable as xarray prints it: dates in their calendar,
/// timedeltas as pandas writes them, numbers as numpy.
fn element_text(v: &Variable, x: f64, t: i64) -> String {
    if crate::labelled::time::is_timedelta(v) {
        return crate::labelled::time::timedelta_text(t);
    }
    let cal = v
        .encoding()
        .get("calendar")
        .and_then(|c| c.as_str())
        .and_then(|c| crate::time::Calendar::parse(c).ok());
    match cal {
        Some(cal) if v.dtype() == crate::engine::DType::I64 => format!("'{}'", time_text(cal, t)),
        _ => number_text(x, v.dtype().is_float()),
    }
}

/// True when the data are already in memory: an in-memory source node.
fn in_memory(v: &Variable) -> bool {
    match v.data().op() {
        crate::engine::Op::Source(s) => s.describe().starts_with("in-memory"),
        _ => false,
    }
}

/// The values of an in-memory variable, numpy style: `array([1.0, 2.0, ...])`, nested
/// per axis, eliding the middle of an axis (first and last three) past 200 elements.
/// Only the elements shown are gathered (a `take` of six positions per long axis), so
/// a large persisted array is not copied to print it.
fn values_text(v: &Variable) -> Option<String> {
    if !in_memory(v) || v.is_opaque() || v.categories().is_some() {
        return None;
    }
    let elide = v.shape().iter().product::<usize>() > 200;
    let mut data = v.data().clone();
    let mut cut = vec![false; v.ndim()];
    if elide {
        for (axis, &n) in v.shape().iter().enumerate() {
            if n > 6 {
                data = data.take(axis, &[0, 1, 2, n - 3, n - 2, n - 1]).ok()?;
                cut[axis] = true;
            }
        }
    }
    let shape = data.shape().to_vec();
    let data = data.compute().ok()?;
    let floats = data.to_f64_vec();
    let ints: Vec<i64> = if v.dtype() == crate::engine::DType::I64 {
        data.into_typed::<i64>().ok()?.iter().copied().collect()
    } else {
        vec![0; floats.len()]
    };
    let mut out = String::from("array(");
    nested(&mut out, &shape, &cut, 0, 0, &|i| {
        element_text(v, floats[i], ints[i])
    });
    out.push(')');
    Some(out)
}

/// Writes axis `axis` of the (gathered) values; a `cut` axis holds the first and last
/// three elements, with `...` between.
fn nested(
    out: &mut String,
    shape: &[usize],
    cut: &[bool],
    axis: usize,
    offset: usize,
    text: &dyn Fn(usize) -> String,
) {
    if shape.is_empty() {
        out.push_str(&text(0));
        return;
    }
    let n = shape[axis];
    let stride: usize = shape[axis + 1..].iter().product();
    let shown: Vec<Option<usize>> = if cut[axis] {
        (0..3)
            .map(Some)
            .chain([None])
            .chain((3..6).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    };
    out.push('[');
    for (k, i) in shown.iter().enumerate() {
        if k > 0 {
            out.push_str(if axis + 1 == shape.len() {
                ", "
            } else {
                ",\n       "
            });
        }
        match i {
            None => out.push_str("..."),
            Some(i) if axis + 1 == shape.len() => out.push_str(&text(offset + i)),
            Some(i) => nested(out, shape, cut, axis + 1, offset + i * stride, text),
        }
    }
    out.push(']');
}

/// The value of a 0-d coordinate (one element: cheap to compute), if it computes.
fn scalar_preview(v: &Variable) -> String {
    if v.is_opaque() {
        return String::new();
    }
    if v.is_strings() {
        return v
            .strings()
            .ok()
            .and_then(|s| s.iter().next().map(|s| format!("{s:?}")))
            .unwrap_or_default();
    }
    let Ok(data) = v.data().compute() else {
        return String::new();
    };
    let calendar = v
        .encoding()
        .get("calendar")
        .and_then(|c| c.as_str())
        .and_then(|c| crate::time::Calendar::parse(c).ok());
    match calendar {
        Some(cal) => match data.cast(crate::engine::DType::I64).into_typed::<i64>() {
            Ok(t) => t
                .iter()
                .next()
                .map_or(String::new(), |&t| time_text(cal, t)),
            Err(_) => String::new(),
        },
        None => data
            .to_f64_vec()
            .first()
            .map_or(String::new(), |&x| number_text(x, v.dtype().is_float())),
    }
}

/// Previews of a coordinate's values, longest first: the caller takes the first
/// that fits the line.
fn index_previews(coords: &Coords, name: &str) -> Vec<String> {
    if let Some(c) = coords.get(name).filter(|c| c.var.ndim() == 0) {
        return vec![scalar_preview(&c.var)];
    }
    let Some(ix) = coords.index(name) else {
        return vec![String::new()];
    };
    let float = coords.get(name).is_some_and(|c| c.var.dtype().is_float());
    let delta = coords
        .get(name)
        .is_some_and(|c| crate::labelled::time::is_timedelta(&c.var));
    // xarray drops the time of day when every timedelta is whole days.
    let whole_days = match ix.values() {
        IndexValues::Num(v) => v.iter().all(|&x| x % 86_400_000_000.0 == 0.0),
        _ => false,
    };
    let text = |i: usize| match ix.values() {
        IndexValues::Num(v) if delta && whole_days => format!("{} days", v[i] / 86_400_000_000.0),
        IndexValues::Num(v) if delta => crate::labelled::time::timedelta_text(v[i] as i64),
        IndexValues::Num(v) => number_text(v[i], float),
        _ => ix.label_text(i),
    };
    let n = ix.len();
    if n <= 4 {
        return vec![(0..n).map(text).collect::<Vec<_>>().join(" ")];
    }
    vec![
        format!(
            "{} {} ... {} {}",
            text(0),
            text(1),
            text(n - 2),
            text(n - 1)
        ),
        format!("{} ... {}", text(0), text(n - 1)),
    ]
}

/// A number as numpy prints it: floats keep a decimal point (`60.0`), integers do not.
fn number_text(x: f64, float: bool) -> String {
    if float && x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        x.to_string()
    }
}

fn truncate(mut s: String) -> String {
    if s.chars().count() > WIDTH {
        s = s.chars().take(WIDTH - 3).collect::<String>() + "...";
    }
    s
}

fn write_coords(out: &mut String, coords: &Coords, dims: &[String]) {
    if coords.is_empty() {
        return;
    }
    let _ = writeln!(out, "Coordinates:");
    for (name, c) in coords.iter() {
        let marker = if dims.contains(name) && c.index.is_some() {
            "*"
        } else {
            " "
        };
        let head = format!(
            "  {marker} {name:<10} {:<18} {}",
            dims_text(&c.var),
            dtype_text(&c.var)
        );
        let previews = index_previews(coords, name);
        let line = previews
            .iter()
            .map(|p| format!("{head} {p}").trim_end().to_string())
            .find(|l| l.chars().count() <= WIDTH)
            .unwrap_or_else(|| format!("{head} {}", previews[previews.len() - 1]));
        let _ = writeln!(out, "{}", truncate(line));
    }
}

fn write_attrs(out: &mut String, attrs: &Attrs, indent: &str) {
    if attrs.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}Attributes:");
    for (k, v) in attrs {
        let val = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(out, "{}", truncate(format!("{indent}    {k}: {val}")));
    }
}

impl fmt::Display for DataArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let dims: Vec<String> = self
            .dims()
            .iter()
            .zip(self.shape())
            .map(|(d, n)| format!("{d}: {n}"))
            .collect();
        let _ = writeln!(
            out,
            "<tessera.DataArray {}({})> {} {}",
            self.name().map(|n| format!("'{n}' ")).unwrap_or_default(),
            dims.join(", "),
            listed_dtype(self.variable()),
            chunk_shape(self.variable())
        );
        if let Some(values) = values_text(self.variable()) {
            let _ = writeln!(out, "{values}");
        }
        write_coords(&mut out, self.coords(), self.dims());
        write_attrs(&mut out, self.attrs(), "");
        f.write_str(out.trim_end())
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let _ = writeln!(out, "<tessera.Dataset>");
        let dims: Vec<String> = self
            .dims()
            .iter()
            .map(|(d, n)| format!("{d}: {n}"))
            .collect();
        let _ = writeln!(out, "Dimensions:  ({})", dims.join(", "));
        let dim_names: Vec<String> = self.dims().into_iter().map(|(d, _)| d).collect();
        write_coords(&mut out, self.coords(), &dim_names);
        if self.data_vars().next().is_some() {
            let _ = writeln!(out, "Data variables:");
            for (name, v) in self.data_vars() {
                let line = format!(
                    "    {name:<10} {:<18} {} {}",
                    dims_text(v),
                    listed_dtype(v),
                    chunk_shape(v)
                );
                let _ = writeln!(out, "{}", truncate(line));
            }
        }
        write_attrs(&mut out, self.attrs(), "");
        f.write_str(out.trim_end())
    }
}
