//! Small results as a table, as `to_dataframe()` shows them: one row per combination
//! of the dimensions' labels (C order), the dimensions' labels first, then one column
//! per data variable and per non-index coordinate (broadcast). `to_csv` writes the
//! table as pandas' `to_csv` does: floats as Python prints them (`0.1`, `1e-05`,
//! `1e+16`), NaN as an empty field, dates without a time of day as `2000-01-01`.
//! Everything is computed: this is for results that fit in memory.

use std::fmt;
use std::io::Write;
use std::path::Path;

use crate::engine::{ArrayData, DType, LazyArray};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::variable::Variable;
use crate::time::Calendar;
use crate::{Error, Result};

/// One value of a [`Table`].
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A float64 (NaN is a missing value).
    Float(f64),
    /// A float32, printed with float32's shortest digits.
    Float32(f32),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A boolean.
    Bool(bool),
    /// A string label.
    Str(String),
    /// An instant, as text (`2000-01-01` or `2000-01-01 06:00:00`).
    Time(String),
}

impl Cell {
    /// The value as `f64` where it is a number (NaN otherwise).
    pub fn as_f64(&self) -> f64 {
        match self {
            Cell::Float(v) => *v,
            Cell::Float32(v) => f64::from(*v),
            Cell::Int(v) => *v as f64,
            Cell::UInt(v) => *v as f64,
            Cell::Bool(b) => f64::from(u8::from(*b)),
            Cell::Str(_) | Cell::Time(_) => f64::NAN,
        }
    }
}

/// Python's `repr` of a float from Rust's shortest round-trip digits (`{:e}`):
/// positional for exponents in `-4..16`, else `1e-05` / `1.5e+16`.
fn python_float(sci: &str) -> String {
    let (mant, exp) = sci.split_once('e').expect("LowerExp has an exponent");
    let exp: i32 = exp.parse().expect("integer exponent");
    let (sign, mant) = match mant.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let e = exp as usize;
            let int: String = if digits.len() > e + 1 {
                digits[..=e].to_string()
            } else {
                format!("{digits}{}", "0".repeat(e + 1 - digits.len()))
            };
            let frac = if digits.len() > e + 1 {
                &digits[e + 1..]
            } else {
                "0"
            };
            format!("{sign}{int}.{frac}")
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let rest = &digits[1..];
        let m = if rest.is_empty() {
            digits[..1].to_string()
        } else {
            format!("{}.{rest}", &digits[..1])
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

/// Python's `str` of a float (`10.0`, `1e-05`).
pub(crate) fn python_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    float_text(v, || format!("{v:e}"))
}

fn float_text(v: f64, sci: impl FnOnce() -> String) -> String {
    if v.is_nan() {
        String::new()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else if v == 0.0 {
        if v.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        }
    } else {
        python_float(&sci())
    }
}

impl fmt::Display for Cell {
    /// The CSV text pandas writes (a missing float is empty).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Float(v) => f.write_str(&float_text(*v, || format!("{v:e}"))),
            Cell::Float32(v) => f.write_str(&float_text(f64::from(*v), || format!("{v:e}"))),
            Cell::Int(v) => write!(f, "{v}"),
            Cell::UInt(v) => write!(f, "{v}"),
            Cell::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Cell::Str(s) | Cell::Time(s) => f.write_str(s),
        }
    }
}

/// Rows of a small result: column names (index columns first) and the rows, in the
/// order `to_dataframe()` lists them.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names: the dimensions, then non-index coordinates, then variables.
    pub columns: Vec<String>,
    /// How many leading columns are the index (the dimensions).
    pub n_index: usize,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl Table {
    /// Writes the table as CSV, as pandas' `df.to_csv(w)`.
    pub fn write_csv(&self, w: &mut impl Write) -> Result<()> {
        let line = |cells: Vec<String>| cells.join(",") + "\n";
        let io = |e: std::io::Error| Error::Io {
            path: "<csv writer>".into(),
            source: e,
        };
        w.write_all(line(self.columns.iter().map(|c| csv_field(c)).collect()).as_bytes())
            .map_err(io)?;
        for row in &self.rows {
            w.write_all(line(row.iter().map(|c| csv_field(&c.to_string())).collect()).as_bytes())
                .map_err(io)?;
        }
        Ok(())
    }

    /// The CSV text.
    pub fn to_csv_string(&self) -> String {
        let mut out = vec![];
        self.write_csv(&mut out).expect("writing to memory");
        String::from_utf8(out).expect("CSV of UTF-8 text")
    }
}

/// Dates as pandas prints a column of them: without the time of day when every one is
/// at midnight.
fn time_cells(micros: &[i64], calendar: Calendar) -> Vec<Cell> {
    let texts: Vec<String> = micros
        .iter()
        .map(|&t| {
            if t == crate::time::NAT {
                "NaT".into()
            } else {
                calendar.from_micros(t).to_string()
            }
        })
        .collect();
    let all_dates = texts.iter().all(|t| t == "NaT" || t.ends_with("T00:00:00"));
    texts
        .into_iter()
        .map(|t| {
            Cell::Time(if t == "NaT" {
                String::new()
            } else if all_dates {
                t.trim_end_matches("T00:00:00").to_string()
            } else {
                t.replacen('T', " ", 1)
            })
        })
        .collect()
}

fn cells(var: &Variable, data: ArrayData) -> Result<Vec<Cell>> {
    if var.is_strings() {
        return Ok(var.strings()?.into_iter().map(Cell::Str).collect());
    }
    if let Some(cal) = var.encoding().get("calendar").and_then(|c| c.as_str()) {
        let t = data.cast(DType::I64).into_typed::<i64>()?;
        let t: Vec<i64> = t.iter().copied().collect();
        return Ok(time_cells(&t, Calendar::parse(cal)?));
    }
    Ok(match data.dtype() {
        DType::F64 => data
            .into_typed::<f64>()?
            .iter()
            .map(|&v| Cell::Float(v))
            .collect(),
        DType::F32 => data
            .into_typed::<f32>()?
            .iter()
            .map(|&v| Cell::Float32(v))
            .collect(),
        DType::Bool => data
            .into_typed::<bool>()?
            .iter()
            .map(|&v| Cell::Bool(v))
            .collect(),
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => data
            .cast(DType::U64)
            .into_typed::<u64>()?
            .iter()
            .map(|&v| Cell::UInt(v))
            .collect(),
        _ => data
            .cast(DType::I64)
            .into_typed::<i64>()?
            .iter()
            .map(|&v| Cell::Int(v))
            .collect(),
    })
}

/// A variable broadcast to `dims` (of `shape`) and flattened to cells in C order.
fn column(var: &Variable, dims: &[String], shape: &[usize]) -> Result<Vec<Cell>> {
    let data = var.expand_to(dims)?.broadcast_to(shape)?;
    let full = var.with_dims_and_data(dims.to_vec(), data.clone())?;
    cells(&full, data.compute()?)
}

/// The table of named variables over `dims`, with the dims' coordinates as index.
fn table(
    dims: &[(String, usize)],
    coords: &crate::labelled::core::coords::Coords,
    vars: &[(String, Variable)],
    vars_first: bool,
) -> Result<Table> {
    if dims.is_empty() {
        return Err(Error::InvalidArgument(
            "cannot make rows of a 0-d result (no dimension to index them)".into(),
        ));
    }
    let names: Vec<String> = dims.iter().map(|(d, _)| d.clone()).collect();
    let shape: Vec<usize> = dims.iter().map(|(_, n)| *n).collect();
    let mut columns = vec![];
    let mut data = vec![];
    for (d, n) in dims {
        let var = match coords.get(d).filter(|c| c.var.dims() == [d.clone()]) {
            Some(c) => c.var.clone(),
            None => Variable::new(
                [d.clone()],
                LazyArray::from_ndarray(
                    ndarray::ArrayD::from_shape_vec(
                        ndarray::IxDyn(&[*n]),
                        (0..*n as i64).collect(),
                    )
                    .expect("1-d"),
                    &[(*n).max(1)],
                )?,
            )?,
        };
        columns.push(d.clone());
        data.push(column(&var, &names, &shape)?);
    }
    // pandas lists the variables in the object's order: a dataset's data variables
    // come before its coordinates, an array's coordinates before its values.
    let others: Vec<(&String, &Variable)> = coords
        .iter()
        .filter(|(n, c)| !(names.contains(n) && c.var.dims() == [(*n).clone()]))
        .map(|(n, c)| (n, &c.var))
        .collect();
    let own: Vec<(&String, &Variable)> = vars.iter().map(|(n, v)| (n, v)).collect();
    let ordered = if vars_first {
        [own, others]
    } else {
        [others, own]
    };
    for (n, v) in ordered.into_iter().flatten() {
        columns.push(n.clone());
        data.push(column(v, &names, &shape)?);
    }
    let n_rows: usize = shape.iter().product();
    let rows = (0..n_rows)
        .map(|i| data.iter().map(|col| col[i].clone()).collect())
        .collect();
    Ok(Table {
        columns,
        n_index: dims.len(),
        rows,
    })
}

impl DataArray {
    /// The rows of `da.to_dataframe()`: the dimensions' labels, the non-index
    /// coordinates, then the array's values (it must be named, as in xarray).
    ///
    /// ```
    /// # use tessera::labelled::DataArray;
    /// # use ndarray::{ArrayD, IxDyn};
    /// let a = DataArray::from_ndarray("v", ["x"], ArrayD::from_shape_vec(IxDyn(&[2]), vec![0.1, f64::NAN]).unwrap(), &[2])?
    ///     .with_coord_values("x", vec![10.0, 20.0])?;
    /// assert_eq!(a.to_rows()?.to_csv_string(), "x,v\n10.0,0.1\n20.0,\n");
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_rows(&self) -> Result<Table> {
        let name = self.name().ok_or_else(|| {
            Error::InvalidArgument(
                "cannot convert an unnamed array to rows: name it first with rename(..)".into(),
            )
        })?;
        let dims: Vec<(String, usize)> = self
            .dims()
            .iter()
            .cloned()
            .zip(self.shape().iter().copied())
            .collect();
        table(
            &dims,
            self.coords(),
            &[(name.to_string(), self.variable().clone())],
            false,
        )
    }

    /// Writes [`to_rows`](Self::to_rows) as CSV to a file (pandas' `to_csv`).
    pub fn to_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        write_file(&self.to_rows()?, path.as_ref())
    }

    /// Writes [`to_rows`](Self::to_rows) as CSV to a writer.
    pub fn write_csv(&self, w: &mut impl Write) -> Result<()> {
        self.to_rows()?.write_csv(w)
    }
}

impl Dataset {
    /// The rows of `ds.to_dataframe()`: the dimensions' labels (in order of first
    /// appearance), one column per data variable, then the non-index coordinates
    /// (each broadcast over all dims).
    pub fn to_rows(&self) -> Result<Table> {
        let vars: Vec<(String, Variable)> = self
            .data_vars()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        table(&self.dims(), self.coords(), &vars, true)
    }

    /// Writes [`to_rows`](Self::to_rows) as CSV to a file (pandas' `to_csv`).
    pub fn to_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        write_file(&self.to_rows()?, path.as_ref())
    }

    /// Writes [`to_rows`](Self::to_rows) as CSV to a writer.
    pub fn write_csv(&self, w: &mut impl Write) -> Result<()> {
        self.to_rows()?.write_csv(w)
    }
}

fn write_file(t: &Table, path: &Path) -> Result<()> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    t.write_csv(&mut f)?;
    f.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python() {
        let p = |v: f64| Cell::Float(v).to_string();
        assert_eq!(p(0.1), "0.1");
        assert_eq!(p(10.0), "10.0");
        assert_eq!(p(1e-5), "1e-05");
        assert_eq!(p(1e16), "1e+16");
        assert_eq!(p(1.5e16), "1.5e+16");
        assert_eq!(p(123456789.125), "123456789.125");
        assert_eq!(p(-2.5), "-2.5");
        assert_eq!(p(0.0001), "0.0001");
        assert_eq!(p(1e15), "1000000000000000.0");
        assert_eq!(p(f64::NAN), "");
        assert_eq!(Cell::Float32(1000.25).to_string(), "1000.25");
        assert_eq!(Cell::Float32(0.1).to_string(), "0.1");
    }
}
