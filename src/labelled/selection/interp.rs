//! Interpolation along one dimension, as a weighted sum of `take`s.
//!
//! A target value falls between two coordinate values; linear interpolation reads
//! the two neighbours with two engine `take`s and combines them with per-position
//! weights (scipy's `interp1d` formula `y_lo + (y_hi - y_lo) / dx * (x - x_lo)`, which
//! xarray uses), nearest reads one neighbour. Both are lazy: a `take` reads only the
//! input chunks holding the positions it needs, so each output chunk reads the few
//! input chunks around it. Targets outside the coordinate's range become NaN, a fill
//! value, or extrapolate linearly from the two end points.

use std::str::FromStr;

use super::interp_cubic::{Spline, apply_cubic};
use crate::engine::{BinaryOp, ChunkGrid, DType, ExprBuilder, LazyArray, Scalar};
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// How values between coordinate labels are estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InterpMethod {
    /// Straight lines between neighbours (xarray's default, `method="linear"`).
    #[default]
    Linear,
    /// The value at the nearest label (`method="nearest"`; a target halfway between
    /// two labels takes the lower one, as scipy does).
    Nearest,
    /// The not-a-knot cubic spline through the labels (`method="cubic"`, scipy's
    /// `interp1d(kind="cubic")`); needs 4 labels, and the whole lane along the dim in
    /// one block (the variable is rechunked to one chunk along it).
    Cubic,
}

impl FromStr for InterpMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "linear" => Ok(InterpMethod::Linear),
            "nearest" => Ok(InterpMethod::Nearest),
            "cubic" => Ok(InterpMethod::Cubic),
            other => Err(Error::invalid(format!(
                "unknown interpolation method {other:?}; tessera interpolates with \"linear\", \"nearest\" or \"cubic\""
            ))),
        }
    }
}

/// What targets outside the coordinate's range get.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum OutOfRange {
    /// NaN (xarray's default).
    #[default]
    Nan,
    /// A fixed value (xarray's `kwargs={"fill_value": v}`).
    Value(f64),
    /// Linear extrapolation from the two end labels, or the end value for nearest
    /// (xarray's `kwargs={"fill_value": "extrapolate"}`).
    Extrapolate,
}

/// Options of `interp`: the method and what happens outside the coordinate's range.
///
/// ```
/// use tessera::labelled::{InterpMethod, InterpOptions, OutOfRange};
/// let o = InterpOptions::nearest().extrapolate();
/// assert_eq!(o.method, InterpMethod::Nearest);
/// assert_eq!(o.out_of_range, OutOfRange::Extrapolate);
/// assert_eq!(InterpOptions::default().fill_value(0.0).out_of_range, OutOfRange::Value(0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct InterpOptions {
    /// Linear or nearest.
    pub method: InterpMethod,
    /// NaN, a value or extrapolation outside the range.
    pub out_of_range: OutOfRange,
}

impl InterpOptions {
    /// Linear interpolation, NaN outside the range.
    pub fn linear() -> Self {
        Self::default()
    }

    /// Nearest-label interpolation, NaN outside the range.
    pub fn nearest() -> Self {
        Self {
            method: InterpMethod::Nearest,
            ..Self::default()
        }
    }

    /// The same options with another method.
    pub fn method(mut self, method: InterpMethod) -> Self {
        self.method = method;
        self
    }

    /// Targets outside the range get `value`.
    pub fn fill_value(mut self, value: f64) -> Self {
        self.out_of_range = OutOfRange::Value(value);
        self
    }

    /// Targets outside the range are extrapolated.
    pub fn extrapolate(mut self) -> Self {
        self.out_of_range = OutOfRange::Extrapolate;
        self
    }
}

/// Where each target falls among the coordinate values (positions in the
/// coordinate's own order, which need not be sorted).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    /// Linear: the lower and upper neighbours; nearest: `lo` only.
    pub lo: Vec<usize>,
    pub hi: Vec<usize>,
    /// Linear: `x - x_lo` and `x_hi - x_lo` per target.
    pub off: Vec<f64>,
    pub dx: Vec<f64>,
    /// False where the target is outside the range (or NaN).
    pub inside: Vec<bool>,
    pub method: InterpMethod,
    /// Cubic: where the targets fall, shared by every block.
    pub spline: Option<std::sync::Arc<Spline>>,
}

/// numpy's `searchsorted(side="left")`: the first position whose value is not less than `t`.
fn search_left(sorted: &[f64], t: f64) -> usize {
    sorted.partition_point(|&v| v < t)
}

/// Where each of `targets` falls among `x` for `method`.
pub(crate) fn plan(dim: &str, x: &[f64], targets: &[f64], method: InterpMethod) -> Result<Plan> {
    let n = x.len();
    let spline = match method {
        InterpMethod::Cubic => Some(std::sync::Arc::new(Spline::new(dim, x, targets)?)),
        _ => None,
    };
    let need = if method == InterpMethod::Nearest {
        1
    } else {
        2
    };
    if n < need {
        return Err(Error::invalid(format!(
            "cannot interpolate along {dim:?}: {method:?} interpolation needs at least {need} labels, the index has {n}"
        )));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let (first, last) = (xs[0], xs[n - 1]);
    let inside: Vec<bool> = targets
        .iter()
        .map(|&t| !t.is_nan() && t >= first && t <= last)
        .collect();
    let m = targets.len();
    let mut p = Plan {
        lo: Vec::with_capacity(m),
        hi: Vec::with_capacity(m),
        off: Vec::with_capacity(m),
        dx: Vec::with_capacity(m),
        inside,
        method,
        spline,
    };
    match method {
        InterpMethod::Cubic => {}
        InterpMethod::Linear => {
            for &t in targets {
                let j = search_left(&xs, t).clamp(1, n - 1);
                p.lo.push(order[j - 1]);
                p.hi.push(order[j]);
                p.off.push(t - xs[j - 1]);
                p.dx.push(xs[j] - xs[j - 1]);
            }
        }
        InterpMethod::Nearest => {
            let bounds: Vec<f64> = xs.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
            for &t in targets {
                let j = search_left(&bounds, t).min(n - 1);
                p.lo.push(order[j]);
            }
        }
    }
    Ok(p)
}

/// A 1-D array of per-target values laid along `axis` of an `ndim`-D array (length-1
/// trailing axes, so numpy broadcasting lines it up), chunked as `chunks`.
fn along_axis<T: crate::engine::Storable>(
    values: Vec<T>,
    axis: usize,
    ndim: usize,
    chunks: &[usize],
) -> Result<LazyArray> {
    let n = values.len();
    let data = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), values)
        .map_err(|e| Error::internal("interp", e.to_string()))?;
    let grid = ChunkGrid::new(vec![chunks.to_vec()])?;
    let mut a = LazyArray::from_data(crate::engine::ArrayData::new(data), grid)?;
    for _ in axis + 1..ndim {
        a = a.expand_dims(a.ndim())?;
    }
    Ok(a)
}

/// True for variables whose values can be interpolated (numbers, not instants or strings).
pub(crate) fn interpolable(var: &Variable) -> bool {
    !var.is_strings() && !var.is_datetime() && !var.is_opaque()
}

/// The float dtype an interpolation of `dtype` gives (integers and booleans become
/// float64, as in xarray).
fn float_of(dtype: DType) -> DType {
    if dtype.is_float() { dtype } else { DType::F64 }
}

/// Interpolates a numeric variable along `dim` following `plan` (unchanged when it
/// lacks the dim).
pub(crate) fn apply(
    var: &Variable,
    dim: &str,
    plan: &Plan,
    out_of_range: OutOfRange,
) -> Result<Variable> {
    let Some(axis) = var.dims().iter().position(|d| d == dim) else {
        return Ok(var.clone());
    };
    if plan.method == InterpMethod::Cubic {
        return apply_cubic(var, dim, plan, out_of_range);
    }
    let nd = var.ndim();
    let m = plan.lo.len();
    let lo = var.data().take(axis, &plan.lo)?;
    let chunks = lo.chunks().axis_chunks(axis).to_vec();
    let value = match plan.method {
        InterpMethod::Cubic => unreachable!("handled above"),
        InterpMethod::Nearest => lo.cast(float_of(var.dtype()))?,
        InterpMethod::Linear => {
            let hi = var
                .data()
                .take(axis, &plan.hi)?
                .rechunk(lo.chunks().clone())?;
            let off = along_axis(plan.off.clone(), axis, nd, &chunks)?;
            let dx = along_axis(plan.dx.clone(), axis, nd, &chunks)?;
            let dtype = DType::F64;
            let mut b = ExprBuilder::new();
            let ylo = b.input(0, lo.dtype());
            let yhi = b.input(1, hi.dtype());
            let off_r = b.input(2, DType::F64);
            let dx_r = b.input(3, DType::F64);
            let (ylo, yhi) = (b.cast(ylo, dtype), b.cast(yhi, dtype));
            let rise = b.binary(BinaryOp::Sub, yhi, ylo)?;
            let slope = b.binary(BinaryOp::Div, rise, dx_r)?;
            let step = b.binary(BinaryOp::Mul, slope, off_r)?;
            let r = b.binary(BinaryOp::Add, step, ylo)?;
            LazyArray::map_expr(&[&lo, &hi, &off, &dx], b.finish(r))?
        }
    };
    let value = match out_of_range {
        OutOfRange::Extrapolate => value,
        _ if plan.inside.iter().all(|&i| i) => value,
        OutOfRange::Nan => {
            let mask = along_axis(plan.inside.clone(), axis, nd, &chunks)?;
            mask.select_scalar(&value, Scalar::Float(f64::NAN))?
        }
        OutOfRange::Value(v) => {
            let mask = along_axis(plan.inside.clone(), axis, nd, &chunks)?;
            mask.select_scalar(&value, Scalar::Float(v))?
        }
    };
    debug_assert_eq!(value.shape()[axis], m);
    var.with_data(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_plans_follow_scipy() {
        let p = plan(
            "x",
            &[0.0, 1.0, 3.0],
            &[-1.0, 0.0, 0.5, 1.0, 2.0, 4.0],
            InterpMethod::Linear,
        )
        .unwrap();
        assert_eq!(p.lo, vec![0, 0, 0, 0, 1, 1]);
        assert_eq!(p.hi, vec![1, 1, 1, 1, 2, 2]);
        assert_eq!(p.inside, vec![false, true, true, true, true, false]);
        assert_eq!(p.off[4], 1.0);
        assert_eq!(p.dx[4], 2.0);
    }

    #[test]
    fn descending_coordinates_map_back_to_their_positions() {
        let p = plan(
            "lat",
            &[60.0, 30.0, 0.0],
            &[45.0, 10.0],
            InterpMethod::Linear,
        )
        .unwrap();
        assert_eq!((p.lo.clone(), p.hi.clone()), (vec![1, 2], vec![0, 1]));
        let p = plan(
            "lat",
            &[60.0, 30.0, 0.0],
            &[45.0, 44.0, 100.0],
            InterpMethod::Nearest,
        )
        .unwrap();
        // 45 is halfway: the lower label (30) wins, as in scipy.
        assert_eq!(p.lo, vec![1, 1, 0]);
        assert_eq!(p.inside, vec![true, true, false]);
    }

    #[test]
    fn too_few_labels_and_unknown_methods_are_errors() {
        assert!(plan("x", &[1.0], &[1.0], InterpMethod::Linear).is_err());
        let e = "quadratic".parse::<InterpMethod>().unwrap_err().to_string();
        assert!(e.contains("quadratic"), "{e}");
    }
}
