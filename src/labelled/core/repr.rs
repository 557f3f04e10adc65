//! `Display` for data arrays and datasets, laid out like xarray's repr: dimensions
//! with sizes, coordinates with first and last values, data variables with dtype and
//! chunk shape, attributes truncated to one line each. Nothing is computed except
//! the (small, eager) indexes and 0-d coordinates.

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

/// The dtype as users know it: datetimes are `datetime64`, with the calendar named
/// when it is not numpy's; strings are `<U` and their widest length; opaque variables
/// show the dtype as stored (`complex64`).
fn dtype_text(v: &Variable) -> String {
    if let Some(stored) = v.stored_dtype() {
        return stored.to_string();
    }
    if let Some(table) = v.categories() {
        let widest = table.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        return format!("<U{widest}");
    }
    match v.encoding().get("calendar").and_then(|c| c.as_str()) {
        Some(cal) => match crate::time::Calendar::parse(cal) {
            Ok(crate::time::Calendar::ProlepticGregorian | crate::time::Calendar::Standard) => {
                "datetime64".into()
            }
            _ => format!("datetime64[{cal}]"),
        },
        None => v.dtype().to_string(),
    }
}

/// The engine dtype, or the stored one of an opaque variable (`complex64`).
fn listed_dtype(v: &Variable) -> String {
    v.stored_dtype()
        .map_or_else(|| v.dtype().to_string(), String::from)
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
    let text = |i: usize| match ix.values() {
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
