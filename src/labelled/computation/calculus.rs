//! Differences, shifts, running sums and derivatives along a named dimension, as
//! xarray's `diff`, `shift`, `cumsum`/`cumprod` and `differentiate`, for data arrays
//! and datasets. Each is one lazy engine node on the data (a halo op or a scan);
//! coordinates follow xarray: `diff` keeps the upper (or lower) labels, the others
//! keep them all. Dataset methods leave variables without the dimension as they are.

use crate::engine::{AxisSlice, DType, Scalar, ScanKind};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::IndexValues;
use crate::labelled::core::select::{Positions, select_coords};
use crate::labelled::core::variable::Variable;
use crate::time::{Calendar, NAT};
use crate::{Error, Result};

/// Which labels [`DataArray::diff_label`] keeps along the differenced dimension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiffLabel {
    /// The labels of the later value of each difference (`a[i+1]` in `a[i+1] - a[i]`),
    /// xarray's default.
    #[default]
    Upper,
    /// The labels of the earlier value.
    Lower,
}

/// Refuses variables whose values are not plain numbers (strings, datetimes).
fn require_numbers(var: &Variable, op: &str, name: &str) -> Result<()> {
    let found = if var.is_strings() {
        "strings"
    } else if var.is_datetime() {
        "datetimes"
    } else {
        return Ok(());
    };
    Err(Error::NotNumeric {
        op: op.to_string(),
        what: format!("{name:?}"),
        found: found.into(),
    })
}

fn label_of(name: Option<&str>) -> &str {
    name.unwrap_or("the array")
}

fn diff_variable(var: &Variable, dim: &str, n: usize, name: &str) -> Result<Variable> {
    require_numbers(var, "diff", name)?;
    var.with_data(var.data().diff(var.axis(dim)?, n)?)
}

/// `fill: None` is xarray's default: NaN, ints and booleans becoming float64 to hold
/// it (xarray makes booleans objects; float64 is the nearest tessera has); NaT for
/// datetimes. A given fill keeps the dtype, cast as numpy casts it.
fn shift_variable(
    var: &Variable,
    dim: &str,
    periods: isize,
    fill: Option<Scalar>,
    name: &str,
) -> Result<Variable> {
    let axis = var.axis(dim)?;
    ensure!(
        !var.is_strings(),
        Error::NotNumeric {
            op: "shift (numbers or dates)".into(),
            what: format!("{name:?}"),
            found: "strings".into(),
        }
    );
    let (data, fill) = match fill {
        Some(_) if var.is_datetime() => {
            return Err(Error::invalid(format!(
                "{name:?} holds datetimes: shift fills them with NaT; a fill value is for numbers"
            )));
        }
        Some(f) => (var.data().clone(), f),
        None if var.is_datetime() => (var.data().clone(), Scalar::Int(NAT)),
        None if var.dtype().is_float() => (var.data().clone(), Scalar::Float(f64::NAN)),
        None => (var.data().cast(DType::F64)?, Scalar::Float(f64::NAN)),
    };
    var.with_data(data.shift(axis, periods, fill)?)
}

fn cumulative_variable(
    var: &Variable,
    dim: &str,
    kind: ScanKind,
    skipna: bool,
    name: &str,
) -> Result<Variable> {
    require_numbers(var, "a cumulative sum or product", name)?;
    let axis = var.axis(dim)?;
    let data = match kind {
        ScanKind::Sum => var.data().cumsum(axis, skipna)?,
        ScanKind::Prod => var.data().cumprod(axis, skipna)?,
        ScanKind::FFill => var.data().ffill(axis)?,
    };
    var.with_data(data)
}

/// xarray drops the attributes of a derivative (its units are no longer the data's).
fn gradient_variable(var: &Variable, dim: &str, x: &[f64], name: &str) -> Result<Variable> {
    require_numbers(var, "differentiate", name)?;
    Variable::new(
        var.dims().to_vec(),
        var.data().gradient(var.axis(dim)?, x.to_vec())?,
    )
}

/// Nanoseconds in one of numpy's datetime units.
fn unit_nanos(unit: &str) -> Result<f64> {
    Ok(match unit {
        "W" => 7.0 * 86_400e9,
        "D" => 86_400e9,
        "h" => 3_600e9,
        "m" => 60e9,
        "s" => 1e9,
        "ms" => 1e6,
        "us" | "μs" => 1e3,
        "ns" => 1.0,
        other => {
            return Err(Error::invalid(format!(
                "unknown datetime unit {other:?}: use one of W, D, h, m, s, ms, us, ns"
            )));
        }
    })
}

/// The dimension and the numbers of the coordinate a derivative is taken against:
/// datetimes in `unit` since the first instant, xarray's default unit being the
/// coordinate's own (nanoseconds for numpy datetimes, seconds for cftime calendars).
/// A dimension without a coordinate counts positions, as xarray's default index does.
fn derivative_axis(
    coords: &Coords,
    dims: &[(String, usize)],
    coord: &str,
    unit: Option<&str>,
) -> Result<(String, Vec<f64>)> {
    let unit_ns = unit.map(unit_nanos).transpose()?;
    let Some(c) = coords.get(coord) else {
        if let Some((d, n)) = dims.iter().find(|(d, _)| d == coord) {
            return Ok((d.clone(), (0..*n).map(|i| i as f64).collect()));
        }
        return Err(Error::UnknownVariable {
            name: coord.to_string(),
            available: coords.names(),
        });
    };
    ensure!(
        c.var.ndim() == 1,
        "differentiate needs a one-dimensional coordinate; {coord:?} has dims {:?}",
        c.var.dims()
    );
    let dim = c.var.dims()[0].clone();
    let values = match c.index.as_ref().map(|ix| ix.values()) {
        Some(IndexValues::Num(v)) => v.clone(),
        Some(IndexValues::Str(_)) => return Err(non_numeric(coord)),
        Some(IndexValues::Time { values, calendar }) => {
            instants_in_unit(values, unit_ns.unwrap_or(default_unit_nanos(*calendar)))
        }
        None if c.var.is_strings() => return Err(non_numeric(coord)),
        None if c.var.is_datetime() => {
            let t = c.var.data().compute()?.into_typed::<i64>()?;
            let cal = c
                .var
                .encoding()
                .get("calendar")
                .and_then(|v| v.as_str())
                .map_or(Ok(Calendar::ProlepticGregorian), Calendar::parse)?;
            let t: Vec<i64> = t.iter().copied().collect();
            instants_in_unit(&t, unit_ns.unwrap_or(default_unit_nanos(cal)))
        }
        None => c.var.data().compute()?.to_f64_vec(),
    };
    Ok((dim, values))
}

fn non_numeric(coord: &str) -> Error {
    Error::NotNumeric {
        op: "differentiate (numbers or dates)".into(),
        what: format!("coordinate {coord:?}"),
        found: "strings".into(),
    }
}

/// xarray's default unit: numpy datetimes (standard and proleptic Gregorian
/// calendars) count nanoseconds, cftime datetimes (other calendars) seconds.
fn default_unit_nanos(cal: Calendar) -> f64 {
    match cal {
        Calendar::Standard | Calendar::ProlepticGregorian => 1.0,
        _ => 1e9,
    }
}

/// Instants (µs) as numbers of a unit since the earliest, computed as xarray does:
/// whole nanoseconds since the offset, divided by the unit. NaT becomes NaN.
fn instants_in_unit(t: &[i64], unit_ns: f64) -> Vec<f64> {
    let offset = t.iter().copied().filter(|&v| v != NAT).min().unwrap_or(0);
    t.iter()
        .map(|&v| {
            if v == NAT {
                f64::NAN
            } else {
                ((v as i128 - offset as i128) * 1000) as f64 / unit_ns
            }
        })
        .collect()
}

/// The coordinates kept along `dim` by an `n`-th difference.
fn diff_positions(len: usize, n: usize, label: DiffLabel) -> Positions {
    let keep = len.saturating_sub(n);
    let start = match label {
        DiffLabel::Upper => len - keep,
        DiffLabel::Lower => 0,
    };
    Positions::Slice(AxisSlice {
        start: if keep == 0 { 0 } else { start },
        step: 1,
        len: keep,
    })
}

impl DataArray {
    /// The `n`-th discrete difference along `dim` (`da.diff(dim, n)`): `a[i+1] - a[i]`
    /// applied `n` times, labelled with the later labels. The dimension becomes `n`
    /// shorter (empty when `n` is at least its length; unchanged for `n = 0`);
    /// integers stay integers; NaN propagates; attributes are kept.
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use tessera::labelled::DataArray;
    ///
    /// let a = DataArray::from_ndarray("a", ["x"], ArrayD::from_shape_vec(IxDyn(&[4]), vec![1i32, 4, 9, 16]).unwrap(), &[2])?
    ///     .with_coord_values("x", vec![0.0, 1.0, 2.0, 3.0])?;
    /// let d = a.diff("x", 1)?;
    /// assert_eq!(d.values::<i32>()?.as_slice().unwrap(), &[3, 5, 7]);
    /// assert_eq!(d.coords().values_f64("x")?, vec![1.0, 2.0, 3.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn diff(&self, dim: &str, n: usize) -> Result<DataArray> {
        self.diff_label(dim, n, DiffLabel::Upper)
    }

    /// [`diff`](Self::diff) choosing which labels the result keeps (`label=`).
    pub fn diff_label(&self, dim: &str, n: usize, label: DiffLabel) -> Result<DataArray> {
        let len = self.dim_len(dim)?;
        let var = diff_variable(self.variable(), dim, n, label_of(self.name()))?;
        let coords = select_coords(self.coords(), dim, &diff_positions(len, n, label))?;
        DataArray::new(self.name().map(str::to_string), var, coords)
    }

    /// Moves the values `periods` positions along `dim` (towards later labels when
    /// positive), coordinates staying in place, as `da.shift({dim: periods})`: the
    /// vacated positions hold NaN, so integers and booleans become float64; datetimes
    /// get NaT.
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use tessera::labelled::DataArray;
    ///
    /// let a = DataArray::from_ndarray("a", ["x"], ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0, 2.0, 3.0, 4.0]).unwrap(), &[3])?;
    /// let s = a.shift("x", -1)?.values::<f64>()?;
    /// assert_eq!(&s.as_slice().unwrap()[..3], &[2.0, 3.0, 4.0]);
    /// assert!(s[[3]].is_nan());
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn shift(&self, dim: &str, periods: isize) -> Result<DataArray> {
        let var = shift_variable(self.variable(), dim, periods, None, label_of(self.name()))?;
        Ok(self.with_variable(var))
    }

    /// [`shift`](Self::shift) filling with `fill` (`fill_value=`): the dtype is kept
    /// and the fill cast to it.
    pub fn shift_with(
        &self,
        dim: &str,
        periods: isize,
        fill: impl Into<Scalar>,
    ) -> Result<DataArray> {
        let var = shift_variable(
            self.variable(),
            dim,
            periods,
            Some(fill.into()),
            label_of(self.name()),
        )?;
        Ok(self.with_variable(var))
    }

    /// Running sum along `dim` (`da.cumsum(dim)`): NaN counts as 0 for floats
    /// (`nancumsum`, xarray's `skipna` default); integers and booleans sum as int64
    /// (uint64 for unsigned), as numpy does. Coordinates and attributes are kept.
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use tessera::labelled::DataArray;
    ///
    /// let a = DataArray::from_ndarray("a", ["t"], ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0, f64::NAN, 2.0, 3.0]).unwrap(), &[2])?;
    /// assert_eq!(a.cumsum("t")?.values::<f64>()?.as_slice().unwrap(), &[1.0, 1.0, 3.0, 6.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn cumsum(&self, dim: &str) -> Result<DataArray> {
        self.cumulative(dim, ScanKind::Sum, true)
    }

    /// Running product along `dim` (`da.cumprod(dim)`; NaN counts as 1 for floats).
    pub fn cumprod(&self, dim: &str) -> Result<DataArray> {
        self.cumulative(dim, ScanKind::Prod, true)
    }

    /// A running sum or product along `dim`; `skipna: false` lets a NaN propagate
    /// to the end of its lane (`da.cumsum(dim, skipna=False)`).
    pub fn cumulative(&self, dim: &str, kind: ScanKind, skipna: bool) -> Result<DataArray> {
        let var = cumulative_variable(self.variable(), dim, kind, skipna, label_of(self.name()))?;
        Ok(self.with_variable(var))
    }

    /// The derivative against coordinate `coord` (`da.differentiate(coord)`): numpy's
    /// second-order central differences inside and first-order differences at the
    /// ends, uneven spacing allowed. Datetime coordinates count nanoseconds (seconds
    /// for cftime calendars), as xarray; see
    /// [`differentiate_with`](Self::differentiate_with) for another unit. The result is
    /// float (float32 stays float32) and, as in xarray, has no attributes.
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use tessera::labelled::DataArray;
    ///
    /// let y = DataArray::from_ndarray("y", ["x"], ArrayD::from_shape_vec(IxDyn(&[4]), vec![0.0, 1.0, 4.0, 9.0]).unwrap(), &[2])?
    ///     .with_coord_values("x", vec![0.0, 1.0, 2.0, 3.0])?;
    /// let dy = y.differentiate("x")?.values::<f64>()?;
    /// assert_eq!(dy.as_slice().unwrap(), &[1.0, 2.0, 4.0, 5.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn differentiate(&self, coord: &str) -> Result<DataArray> {
        self.derivative(coord, None)
    }

    /// [`differentiate`](Self::differentiate) with a datetime coordinate counted in
    /// `unit` (`datetime_unit=`): one of `"W"`, `"D"`, `"h"`, `"m"`, `"s"`, `"ms"`,
    /// `"us"`, `"ns"`; numeric coordinates ignore it.
    pub fn differentiate_with(&self, coord: &str, unit: &str) -> Result<DataArray> {
        self.derivative(coord, Some(unit))
    }

    fn derivative(&self, coord: &str, unit: Option<&str>) -> Result<DataArray> {
        let dims: Vec<(String, usize)> = self
            .dims()
            .iter()
            .cloned()
            .zip(self.shape().iter().copied())
            .collect();
        let (dim, x) = derivative_axis(self.coords(), &dims, coord, unit)?;
        let var = gradient_variable(self.variable(), &dim, &x, label_of(self.name()))?;
        Ok(self.with_variable(var))
    }
}

impl Dataset {
    /// Applies `f` to every data variable with dimension `dim` (others kept as they
    /// are), over `coords`.
    fn along(
        &self,
        dim: &str,
        coords: Coords,
        f: impl Fn(&Variable, &str) -> Result<Variable>,
    ) -> Result<Dataset> {
        let mut out = self.with_coords(coords);
        out.clear_data_vars();
        for (name, var) in self.data_vars() {
            let v = if var.has_dim(dim) {
                f(var, name)?
            } else {
                var.clone()
            };
            out.insert(name.clone(), v)?;
        }
        Ok(out)
    }

    fn require_dim(&self, dim: &str) -> Result<usize> {
        self.dim_len(dim).ok_or_else(|| Error::UnknownDimension {
            dim: dim.to_string(),
            dims: self.dims().into_iter().map(|(d, _)| d).collect(),
        })
    }

    /// [`DataArray::diff`] of every data variable with `dim`; coordinates along `dim`
    /// keep the upper labels.
    pub fn diff(&self, dim: &str, n: usize) -> Result<Dataset> {
        self.diff_label(dim, n, DiffLabel::Upper)
    }

    /// [`Dataset::diff`] choosing which labels are kept.
    pub fn diff_label(&self, dim: &str, n: usize, label: DiffLabel) -> Result<Dataset> {
        let len = self.require_dim(dim)?;
        let coords = select_coords(self.coords(), dim, &diff_positions(len, n, label))?;
        self.along(dim, coords, |v, name| diff_variable(v, dim, n, name))
    }

    /// [`DataArray::shift`] of every data variable with `dim`; coordinates stay.
    pub fn shift(&self, dim: &str, periods: isize) -> Result<Dataset> {
        self.require_dim(dim)?;
        self.along(dim, self.coords().clone(), |v, name| {
            shift_variable(v, dim, periods, None, name)
        })
    }

    /// [`DataArray::shift_with`] of every data variable with `dim`.
    pub fn shift_with(
        &self,
        dim: &str,
        periods: isize,
        fill: impl Into<Scalar>,
    ) -> Result<Dataset> {
        self.require_dim(dim)?;
        let fill = fill.into();
        self.along(dim, self.coords().clone(), |v, name| {
            shift_variable(v, dim, periods, Some(fill), name)
        })
    }

    /// [`DataArray::cumsum`] of every data variable with `dim`.
    pub fn cumsum(&self, dim: &str) -> Result<Dataset> {
        self.cumulative(dim, ScanKind::Sum, true)
    }

    /// [`DataArray::cumprod`] of every data variable with `dim`.
    pub fn cumprod(&self, dim: &str) -> Result<Dataset> {
        self.cumulative(dim, ScanKind::Prod, true)
    }

    /// [`DataArray::cumulative`] of every data variable with `dim`.
    pub fn cumulative(&self, dim: &str, kind: ScanKind, skipna: bool) -> Result<Dataset> {
        self.require_dim(dim)?;
        self.along(dim, self.coords().clone(), |v, name| {
            cumulative_variable(v, dim, kind, skipna, name)
        })
    }

    /// [`DataArray::differentiate`] of every data variable along the coordinate's
    /// dimension.
    pub fn differentiate(&self, coord: &str) -> Result<Dataset> {
        self.derivative(coord, None)
    }

    /// [`DataArray::differentiate_with`] of every data variable.
    pub fn differentiate_with(&self, coord: &str, unit: &str) -> Result<Dataset> {
        self.derivative(coord, Some(unit))
    }

    fn derivative(&self, coord: &str, unit: Option<&str>) -> Result<Dataset> {
        let (dim, x) = derivative_axis(self.coords(), &self.dims(), coord, unit)?;
        self.along(&dim, self.coords().clone(), |v, name| {
            gradient_variable(v, &dim, &x, name)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Op;
    use ndarray::{ArrayD, IxDyn};

    fn series() -> DataArray {
        let v = ArrayD::from_shape_vec(IxDyn(&[6]), vec![1.0, 2.0, 4.0, 7.0, 11.0, 16.0]).unwrap();
        DataArray::from_ndarray("s", ["t"], v, &[2])
            .unwrap()
            .with_coord_values("t", vec![0.0, 1.0, 2.0, 4.0, 8.0, 9.0])
            .unwrap()
    }

    #[test]
    fn each_op_is_one_node_over_the_data() {
        let s = series();
        let source = s.data().id();
        let shifted = s.shift("t", 1).unwrap();
        assert!(matches!(shifted.data().op(), Op::Overlap { .. }));
        let grad = s.differentiate("t").unwrap();
        assert!(matches!(grad.data().op(), Op::Overlap { .. }));
        assert_eq!(grad.data().inputs()[0].id(), source);
        // diff: the halo node, then the slice that drops the incomplete first positions.
        let d = s.diff("t", 2).unwrap();
        assert!(matches!(d.data().op(), Op::Slice(_)));
        assert!(matches!(d.data().inputs()[0].op(), Op::Overlap { .. }));
        assert!(matches!(
            s.cumsum("t").unwrap().data().op(),
            Op::Scan { .. }
        ));
    }

    #[test]
    fn diff_labels_follow_the_label_choice() {
        let s = series();
        let upper = s.diff("t", 2).unwrap();
        assert_eq!(
            upper.coords().values_f64("t").unwrap(),
            vec![2.0, 4.0, 8.0, 9.0]
        );
        let lower = s.diff_label("t", 2, DiffLabel::Lower).unwrap();
        assert_eq!(
            lower.coords().values_f64("t").unwrap(),
            vec![0.0, 1.0, 2.0, 4.0]
        );
        assert_eq!(
            upper.values::<f64>().unwrap().as_slice().unwrap(),
            &[1.0, 1.0, 1.0, 1.0]
        );
        assert_eq!(s.diff("t", 6).unwrap().shape(), &[0]);
    }

    #[test]
    fn datetimes_count_whole_nanoseconds_from_the_first() {
        let day = 86_400_000_000;
        let t = [NAT, 5 * day, 3 * day, 4 * day];
        let days = instants_in_unit(&t, unit_nanos("D").unwrap());
        assert!(days[0].is_nan());
        assert_eq!(&days[1..], &[2.0, 0.0, 1.0]);
        assert_eq!(instants_in_unit(&t[2..], 1.0)[1], 86_400e9);
        assert!(unit_nanos("Y").is_err());
        assert_eq!(default_unit_nanos(Calendar::NoLeap), 1e9);
    }
}
