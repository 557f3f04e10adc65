//! `interpolate_na`: linear interpolation of NaN gaps along a dimension, using the
//! coordinate values, with xarray's `limit` and `max_gap`. Lazy: the valid neighbours
//! of every gap (value and coordinate, before and after) come from forward and backward
//! fill scans that carry across chunk boundaries; the rest is one elementwise program.

use std::str::FromStr;

use ndarray::{ArrayD, IxDyn};

use crate::engine::{ArrayData, BinaryOp, ChunkGrid, DType, LazyArray, UnaryOp};
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::IndexValues;
use crate::labelled::core::variable::Variable;
use crate::labelled::missing::push::{backward_fill, forward_fill, positions, require_dim};
use crate::{Error, Result};

/// The options of [`DataArray::interpolate_na`]: xarray's `method`, `limit`, `max_gap`
/// and `use_coordinate`, as a builder.
///
/// ```
/// # use tessera::labelled::{DataArray, InterpolateNa};
/// # use ndarray::{ArrayD, IxDyn};
/// let nan = f64::NAN;
/// let x = DataArray::from_ndarray("x", ["t"], ArrayD::from_shape_vec(IxDyn(&[5]), vec![0.0, nan, nan, 6.0, nan]).unwrap(), &[2])?
///     .with_coord_values("t", vec![0.0, 1.0, 2.0, 3.0, 4.0])?;
/// let y = x.interpolate_na("t", &InterpolateNa::linear())?.to_vec::<f64>()?;
/// assert_eq!(&y[..4], &[0.0, 2.0, 4.0, 6.0]);
/// assert!(y[4].is_nan()); // no value after the gap: not extrapolated
/// let y = x.interpolate_na("t", &InterpolateNa::linear().max_gap(2.0))?.to_vec::<f64>()?;
/// assert!(y[1].is_nan()); // the gap spans 3.0 in coordinate units
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InterpolateNa {
    method: FillMethod,
    limit: Option<usize>,
    max_gap: Option<f64>,
    use_coordinate: bool,
    extrapolate: bool,
}

/// The interpolation methods `interpolate_na` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FillMethod {
    /// Straight lines between the valid neighbours of a gap.
    Linear,
    /// The nearer valid neighbour (by coordinate; the earlier one on a tie, as
    /// scipy's `interp1d(kind="nearest")`).
    Nearest,
}

impl FromStr for FillMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "linear" => Ok(FillMethod::Linear),
            "nearest" => Ok(FillMethod::Nearest),
            other => Err(Error::InvalidArgument(format!(
                "interpolate_na method {other:?} is not supported (use \"linear\" or \"nearest\")"
            ))),
        }
    }
}

impl Default for InterpolateNa {
    fn default() -> Self {
        InterpolateNa::linear()
    }
}

impl InterpolateNa {
    /// Linear interpolation along the coordinate, no limit, no maximum gap.
    pub fn linear() -> Self {
        InterpolateNa {
            method: FillMethod::Linear,
            limit: None,
            max_gap: None,
            use_coordinate: true,
            extrapolate: false,
        }
    }

    /// Options for a method named as in xarray (`"linear"`, `"nearest"`); others are
    /// an error.
    pub fn method(name: &str) -> Result<Self> {
        Ok(InterpolateNa {
            method: name.parse()?,
            ..InterpolateNa::linear()
        })
    }

    /// Also fills the NaNs before the first and after the last valid value (xarray's
    /// `fill_value="extrapolate"`): linearly from the two nearest valid values, or
    /// with the nearest one for [`FillMethod::Nearest`]. `limit` counts from the start
    /// of the lane for the leading NaNs, as xarray's.
    pub fn extrapolate(mut self) -> Self {
        self.extrapolate = true;
        self
    }

    /// Fills at most `n` consecutive NaNs after a valid value (xarray's `limit`, which
    /// counts forward only: xarray has no `limit_direction`).
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Leaves gaps whose valid neighbours are more than `gap` apart in coordinate
    /// units unfilled (xarray's `max_gap`); along a datetime index, in microseconds
    /// (`10 days` is `10.0 * 86_400e6`).
    pub fn max_gap(mut self, gap: f64) -> Self {
        self.max_gap = Some(gap);
        self
    }

    /// Interpolates against positions `0, 1, 2, ...` instead of the coordinate.
    pub fn use_coordinate(mut self, yes: bool) -> Self {
        self.use_coordinate = yes;
        self
    }
}

/// The values to interpolate against along `dim`: the index (increasing, no repeats),
/// or positions where there is none or `use_coordinate` is off.
fn abscissa(da: &DataArray, dim: &str, use_coordinate: bool) -> Result<Vec<f64>> {
    let n = da.dim_len(dim)?;
    let index = if use_coordinate {
        da.coords().index(dim)
    } else {
        None
    };
    let Some(index) = index else {
        return Ok((0..n).map(|i| i as f64).collect());
    };
    let x: Vec<f64> = match index.values() {
        IndexValues::Num(v) => v.clone(),
        IndexValues::Time { values, .. } => values.iter().map(|&t| t as f64).collect(),
        IndexValues::Str(_) => {
            return Err(Error::NotNumeric {
                op: "interpolate_na".into(),
                what: format!("the index of {dim:?}"),
                found: "strings".into(),
            });
        }
    };
    ensure!(
        x.windows(2).all(|w| w[0] < w[1]),
        Error::NonMonotonicIndex {
            dim: dim.to_string(),
            op: "interpolate_na (the index must be increasing, without repeats)".into(),
        }
    );
    Ok(x)
}

/// The abscissa as a lazy array broadcasting against `like` along `axis`.
fn abscissa_array(x: &[f64], like: &LazyArray, axis: usize) -> Result<LazyArray> {
    let trailing = like.ndim() - axis - 1;
    let mut shape = vec![x.len()];
    shape.extend(std::iter::repeat_n(1, trailing));
    let a = ArrayD::from_shape_vec(IxDyn(&shape), x.to_vec()).expect("shape matches length");
    let mut grid = vec![like.chunks().axis_chunks(axis).to_vec()];
    grid.extend(std::iter::repeat_n(vec![1], trailing));
    LazyArray::from_data(ArrayData::new(a), ChunkGrid::new(grid)?)?.broadcast_to(like.shape())
}

/// `a` moved one step along `axis`: position `p` gets `a[p + 1]` (`next`) or
/// `a[p - 1]`, NaN where there is none.
fn shifted(a: &LazyArray, axis: usize, next: bool) -> Result<LazyArray> {
    let n = a.shape()[axis];
    if n == 0 {
        return Ok(a.clone());
    }
    let (idx, edge): (Vec<usize>, usize) = if next {
        ((1..n).chain([n - 1]).collect(), n - 1)
    } else {
        ([0].into_iter().chain(0..n - 1).collect(), 0)
    };
    let t = a.take(axis, &idx)?.rechunk(a.chunks().clone())?;
    let pos = positions(a, axis)?.broadcast_to(a.shape())?;
    pos.binary_scalar(BinaryOp::Ne, edge as f64, false)?
        .select_scalar(&t, f64::NAN)
}

/// The line through `(xa, ya)` and `(xb, yb)` at `x`, as numpy/scipy write it:
/// `(yb - ya) / (xb - xa) * (x - xa) + ya`.
fn line_at(
    x: &LazyArray,
    xa: &LazyArray,
    ya: &LazyArray,
    xb: &LazyArray,
    yb: &LazyArray,
) -> Result<LazyArray> {
    yb.sub(ya)?.div(&xb.sub(xa)?)?.mul(&x.sub(xa)?)?.add(ya)
}

fn interpolate(y: &LazyArray, axis: usize, x: &[f64], opts: &InterpolateNa) -> Result<LazyArray> {
    if !y.dtype().is_float() {
        return Ok(y.clone());
    }
    let c = abscissa_array(x, y, axis)?;
    let valid = y.unary(UnaryOp::NotNan)?;
    let valid_c = valid.select_scalar(&c, f64::NAN)?;
    let (c0, c1) = (
        forward_fill(&valid_c, axis, None)?,
        backward_fill(&valid_c, axis, None)?,
    );
    // In float64 as numpy.interp, whatever the array's float type; cast back at the end.
    let yf = y.cast(DType::F64)?;
    let (y0, y1) = (
        forward_fill(&yf, axis, None)?,
        backward_fill(&yf, axis, None)?,
    );
    let mut line = match opts.method {
        // numpy.interp: slope * (x - x0) + y0.
        FillMethod::Linear => line_at(&c, &c0, &y0, &c1, &y1)?,
        FillMethod::Nearest => {
            let before = c.sub(&c0)?.binary(BinaryOp::Le, &c1.sub(&c)?)?;
            // Only between two valid values (the edges are extrapolation's).
            let between = c1.sub(&c0)?.unary(UnaryOp::NotNan)?;
            between.select_scalar(&before.select(&y0, &y1)?, f64::NAN)?
        }
    };
    if opts.extrapolate {
        let leading = c0.unary(UnaryOp::IsNan)?;
        let trailing = c1.unary(UnaryOp::IsNan)?;
        let (lead, trail) = match opts.method {
            FillMethod::Nearest => (y1.clone(), y0.clone()),
            FillMethod::Linear => {
                // The second valid point after the first (for the leading NaNs) and
                // the one before the last (for the trailing ones).
                let second = |a: &LazyArray, next: bool| -> Result<LazyArray> {
                    let s = valid.select_scalar(&shifted(a, axis, next)?, f64::NAN)?;
                    if next {
                        backward_fill(&s, axis, None)
                    } else {
                        forward_fill(&s, axis, None)
                    }
                };
                let (c2, y2) = (second(&c1, true)?, second(&y1, true)?);
                let (cm, ym) = (second(&c0, false)?, second(&y0, false)?);
                (
                    line_at(&c, &c1, &y1, &c2, &y2)?,
                    line_at(&c, &cm, &ym, &c0, &y0)?,
                )
            }
        };
        line = trailing.select(&trail, &line)?;
        line = leading.select(&lead, &line)?;
    }
    let mut fill_ok: Option<LazyArray> = None;
    if let Some(limit) = opts.limit {
        let pos = positions(y, axis)?.broadcast_to(y.shape())?;
        // Leading NaNs count from position -1 (xarray's rolling count of NaNs).
        let last = forward_fill(&valid.select_scalar(&pos, f64::NAN)?, axis, None)?.fillna(-1.0)?;
        fill_ok = Some(
            pos.sub(&last)?
                .binary_scalar(BinaryOp::Le, limit as f64, false)?,
        );
    }
    if let Some(gap) = opts.max_gap {
        let short = c1.sub(&c0)?.binary_scalar(BinaryOp::Le, gap, false)?;
        fill_ok = Some(match fill_ok {
            Some(f) => f.binary(BinaryOp::And, &short)?,
            None => short,
        });
    }
    let line = match fill_ok {
        Some(ok) => ok.select_scalar(&line, f64::NAN)?,
        None => line,
    };
    valid.select(y, &line.cast(y.dtype())?)
}

fn interpolate_variable(
    var: &Variable,
    dim: &str,
    x: &[f64],
    opts: &InterpolateNa,
) -> Result<Variable> {
    let axis = var.axis(dim)?;
    var.with_data(interpolate(var.data(), axis, x, opts)?)
}

fn check(opts: &InterpolateNa) -> Result<()> {
    ensure!(
        opts.limit != Some(0),
        Error::InvalidArgument("interpolate_na limit must be greater than 0 (got 0)".into())
    );
    if let Some(g) = opts.max_gap {
        ensure!(
            g.is_finite() && g >= 0.0,
            Error::InvalidArgument(format!("interpolate_na max_gap must be >= 0 (got {g})"))
        );
    }
    Ok(())
}

impl DataArray {
    /// Fills NaN gaps along `dim` by linear interpolation between their valid neighbours,
    /// at the coordinate values (xarray's `da.interpolate_na(dim, method="linear", ...)`).
    /// NaNs before the first or after the last valid value stay NaN. The index must be
    /// increasing; a datetime index is used in microseconds.
    pub fn interpolate_na(&self, dim: &str, opts: &InterpolateNa) -> Result<DataArray> {
        check(opts)?;
        let x = abscissa(self, dim, opts.use_coordinate)?;
        Ok(self.with_variable(interpolate_variable(self.variable(), dim, &x, opts)?))
    }
}

impl Dataset {
    /// [`DataArray::interpolate_na`] of every data variable that has `dim`.
    pub fn interpolate_na(&self, dim: &str, opts: &InterpolateNa) -> Result<Dataset> {
        check(opts)?;
        require_dim(self, dim)?;
        let mut out = self.clone();
        out.clear_data_vars();
        let mut x: Option<Vec<f64>> = None;
        for (n, v) in self.data_vars() {
            let v = if v.has_dim(dim) {
                if x.is_none() {
                    x = Some(abscissa(&self.get(n)?, dim, opts.use_coordinate)?);
                }
                interpolate_variable(v, dim, x.as_deref().expect("set above"), opts)?
            } else {
                v.clone()
            };
            out.insert(n.clone(), v)?;
        }
        Ok(out)
    }
}
