//! Cubic interpolation along one dimension, as xarray's `interp(method="cubic")`:
//! scipy's `interp1d(kind="cubic")`, the not-a-knot interpolating cubic spline
//! (`make_interp_spline(x, y, k=3)`). It needs at least 4 labels; a NaN anywhere in
//! a lane makes the whole lane NaN, as in scipy.
//!
//! A spline is global along its dimension, so every output block needs its whole
//! lane: the variable is put in one chunk along the dim (other dims keep their
//! chunks, so a block is one lane-length slab) and one engine `map_blocks` solves the
//! tridiagonal system of each lane and evaluates the pieces at the targets. When there
//! are more targets than labels the lane is first padded (a `take` repeating the last
//! label) so the block can hold the output; a lazy slice cuts the output out.

use std::sync::Arc;

use ndarray::{ArrayD, Axis};

use super::interp::{OutOfRange, Plan};
use crate::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// Where the targets fall in the sorted labels, computed once for every lane.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spline {
    /// Label positions in ascending order of their values.
    order: Vec<usize>,
    /// The labels, ascending.
    xs: Vec<f64>,
    /// Per target: the piece it falls in, its offset from the piece's start and
    /// whether it is inside the labels' range; `None` for a NaN target.
    at: Vec<Option<(usize, f64, bool)>>,
}

impl Spline {
    pub(crate) fn new(dim: &str, x: &[f64], targets: &[f64]) -> Result<Spline> {
        let n = x.len();
        if n < 4 {
            return Err(Error::invalid(format!(
                "cannot interpolate along {dim:?}: cubic interpolation needs at least 4 labels, the index has {n}"
            )));
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
        if let Some(w) = xs.windows(2).find(|w| w[0] == w[1] || w[0].is_nan()) {
            return Err(Error::invalid(format!(
                "cannot interpolate along {dim:?} with a cubic spline: the labels must be distinct numbers, and {} repeats or is NaN",
                w[0]
            )));
        }
        let (first, last) = (xs[0], xs[n - 1]);
        let at = targets
            .iter()
            .map(|&t| {
                if t.is_nan() {
                    return None;
                }
                // scipy's BSpline: the interval with xs[j] <= t < xs[j+1], the last
                // one for t == last and beyond, the first one below.
                let j = xs.partition_point(|&v| v <= t).clamp(1, n - 1) - 1;
                Some((j, t - xs[j], t >= first && t <= last))
            })
            .collect();
        Ok(Spline { order, xs, at })
    }

    /// The number of targets.
    pub(crate) fn len(&self) -> usize {
        self.at.len()
    }

    /// The spline through `y_lane` (in the labels' own order) evaluated at every
    /// target, into `out`; targets outside the range follow `oor`.
    fn eval_lane(&self, y_lane: &[f64], out: &mut [f64], oor: OutOfRange, work: &mut Work) {
        let mut y = std::mem::take(&mut work.y);
        y.clear();
        y.extend(self.order.iter().map(|&i| y_lane[i]));
        let fill = match oor {
            OutOfRange::Value(v) => v,
            _ => f64::NAN,
        };
        let extrapolate = oor == OutOfRange::Extrapolate;
        let nan_lane = y.iter().any(|v| v.is_nan());
        let s: &[f64] = if nan_lane {
            &[]
        } else {
            slopes(&self.xs, &y, work)
        };
        for (o, a) in out.iter_mut().zip(&self.at) {
            *o = match *a {
                None => f64::NAN,
                Some((_, _, inside)) if !inside && !extrapolate => fill,
                Some(_) if nan_lane => f64::NAN,
                Some((j, h, _)) => {
                    let dx = self.xs[j + 1] - self.xs[j];
                    let slope = (y[j + 1] - y[j]) / dx;
                    let t = (s[j] + s[j + 1] - 2.0 * slope) / dx;
                    let c0 = t / dx;
                    let c1 = (slope - s[j]) / dx - t;
                    ((c0 * h + c1) * h + s[j]) * h + y[j]
                }
            };
        }
        work.y = y;
    }
}

/// Scratch space reused across the lanes of a block.
#[derive(Default)]
struct Work {
    y: Vec<f64>,
    s: Vec<f64>,
    lower: Vec<f64>,
    diag: Vec<f64>,
    upper: Vec<f64>,
}

/// The spline's first derivatives at the labels (scipy's `CubicSpline` with
/// not-a-knot ends: one tridiagonal system, solved by elimination with partial
/// pivoting between neighbouring rows as LAPACK's `gtsv` does).
fn slopes<'a>(x: &[f64], y: &[f64], w: &'a mut Work) -> &'a [f64] {
    let n = x.len();
    let dx: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
    let m: Vec<f64> = (0..n - 1).map(|i| (y[i + 1] - y[i]) / dx[i]).collect();
    let (lower, diag, upper, b) = (&mut w.lower, &mut w.diag, &mut w.upper, &mut w.s);
    lower.clear();
    diag.clear();
    upper.clear();
    b.clear();
    lower.resize(n, 0.0);
    diag.resize(n, 0.0);
    upper.resize(n, 0.0);
    b.resize(n, 0.0);
    for i in 1..n - 1 {
        lower[i] = dx[i];
        diag[i] = 2.0 * (dx[i - 1] + dx[i]);
        upper[i] = dx[i - 1];
        b[i] = 3.0 * (dx[i] * m[i - 1] + dx[i - 1] * m[i]);
    }
    let d = x[2] - x[0];
    diag[0] = dx[1];
    upper[0] = d;
    b[0] = ((dx[0] + 2.0 * d) * dx[1] * m[0] + dx[0] * dx[0] * m[1]) / d;
    let d = x[n - 1] - x[n - 3];
    diag[n - 1] = dx[n - 2];
    lower[n - 1] = d;
    b[n - 1] =
        (dx[n - 2] * dx[n - 2] * m[n - 3] + (2.0 * d + dx[n - 2]) * dx[n - 3] * m[n - 2]) / d;
    solve_tridiagonal(lower, diag, upper, b);
    b
}

/// Solves the tridiagonal system (row `i`: `lower[i] * s[i-1] + diag[i] * s[i] +
/// upper[i] * s[i+1] = b[i]`) in place into `b`, with row interchanges as `gtsv`.
fn solve_tridiagonal(lower: &mut [f64], diag: &mut [f64], upper: &mut [f64], b: &mut [f64]) {
    let n = diag.len();
    // Second superdiagonal created by interchanges.
    let mut upper2 = vec![0.0; n];
    for i in 0..n - 1 {
        let below = lower[i + 1];
        if diag[i].abs() >= below.abs() {
            let f = below / diag[i];
            diag[i + 1] -= f * upper[i];
            b[i + 1] -= f * b[i];
        } else {
            // Interchange rows i and i+1.
            let f = diag[i] / below;
            diag[i] = below;
            let tmp = diag[i + 1];
            diag[i + 1] = upper[i] - f * tmp;
            if i + 1 < n - 1 {
                upper2[i] = upper[i + 1];
                upper[i + 1] = -f * upper2[i];
            }
            upper[i] = tmp;
            let tb = b[i];
            b[i] = b[i + 1];
            b[i + 1] = tb - f * b[i + 1];
        }
    }
    b[n - 1] /= diag[n - 1];
    if n > 1 {
        b[n - 2] = (b[n - 2] - upper[n - 2] * b[n - 1]) / diag[n - 2];
    }
    for i in (0..n.saturating_sub(2)).rev() {
        b[i] = (b[i] - upper[i] * b[i + 1] - upper2[i] * b[i + 2]) / diag[i];
    }
}

/// Interpolates a numeric variable along `dim` with the cubic spline (float64 out,
/// as scipy gives).
pub(crate) fn apply_cubic(
    var: &Variable,
    dim: &str,
    plan: &Plan,
    oor: OutOfRange,
) -> Result<Variable> {
    let Some(axis) = var.dims().iter().position(|d| d == dim) else {
        return Ok(var.clone());
    };
    let spline = plan
        .spline
        .clone()
        .ok_or_else(|| Error::internal("interp", "a cubic plan without its spline"))?;
    let n = var.shape()[axis];
    let m = spline.len();
    let mut data = var.data().cast(DType::F64)?;
    if m > n {
        let pad: Vec<usize> = (0..n).chain(std::iter::repeat_n(n - 1, m - n)).collect();
        data = data.take(axis, &pad)?;
    }
    let width = n.max(m);
    let mut chunks = data.chunks().chunks().to_vec();
    chunks[axis] = vec![width];
    let data = data.rechunk(ChunkGrid::new(chunks)?)?;
    let kernel = Arc::clone(&spline);
    let out = LazyArray::map_blocks(&[&data], "interp cubic", DType::F64, move |b| {
        let block = b[0].as_typed::<f64>()?;
        let mut out = ArrayD::<f64>::from_elem(block.raw_dim(), f64::NAN);
        let mut work = Work::default();
        let mut lane_out = vec![0.0; m];
        let mut lane_in = Vec::with_capacity(width);
        for (lane, mut o) in block
            .lanes(Axis(axis))
            .into_iter()
            .zip(out.lanes_mut(Axis(axis)))
        {
            lane_in.clear();
            lane_in.extend(lane.iter().take(n).copied());
            kernel.eval_lane(&lane_in, &mut lane_out, oor, &mut work);
            for (o, v) in o.iter_mut().zip(&lane_out) {
                *o = *v;
            }
        }
        Ok(ArrayData::new(out))
    })?;
    var.with_data(out.slice_axis(axis, Some(0), Some(m as isize), 1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(x: &[f64], y: &[f64], t: &[f64], oor: OutOfRange) -> Vec<f64> {
        let s = Spline::new("x", x, t).unwrap();
        let mut out = vec![0.0; t.len()];
        s.eval_lane(y, &mut out, oor, &mut Work::default());
        out
    }

    #[test]
    fn cubics_are_reproduced_exactly() {
        // A not-a-knot spline through samples of a cubic is that cubic.
        let f = |x: f64| 0.5 * x * x * x - 2.0 * x * x + x - 3.0;
        let x = [0.0, 1.0, 2.5, 3.0, 4.5, 6.0];
        let y: Vec<f64> = x.iter().map(|&v| f(v)).collect();
        let t = [0.2, 1.7, 2.9, 5.99, 6.0, 7.0, -1.0];
        let got = eval(&x, &y, &t, OutOfRange::Extrapolate);
        for (g, &tt) in got.iter().zip(&t) {
            assert!((g - f(tt)).abs() < 1e-10, "{g} vs {}", f(tt));
        }
    }

    #[test]
    fn scipy_values_nan_lanes_and_range() {
        // scipy.interpolate.interp1d(x, sin(x), kind="cubic")([0.5, 2.0, 5.9])
        let x = [0.0, 1.0, 2.5, 3.0, 4.5, 6.0];
        let y: Vec<f64> = x.iter().map(|v: &f64| v.sin()).collect();
        let got = eval(&x, &y, &[0.5, 2.0, 5.9, 7.0], OutOfRange::Nan);
        let want = [0.51897516, 0.8843805, -0.4164141];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-7, "{g} vs {w}");
        }
        assert!(got[3].is_nan());
        let mut y2 = y.clone();
        y2[2] = f64::NAN;
        let got = eval(&x, &y2, &[0.5, 7.0], OutOfRange::Value(0.0));
        assert!(got[0].is_nan());
        assert_eq!(got[1], 0.0);
        // Descending labels give the same spline.
        let xr: Vec<f64> = x.iter().rev().copied().collect();
        let yr: Vec<f64> = y.iter().rev().copied().collect();
        let back = eval(&xr, &yr, &[0.5, 2.0], OutOfRange::Nan);
        assert!((back[0] - 0.51897516).abs() < 1e-7);
    }

    #[test]
    fn too_few_labels_is_an_error_naming_the_dim() {
        let e = Spline::new("lev", &[0.0, 1.0, 2.0], &[0.5]).unwrap_err();
        assert!(e.to_string().contains("\"lev\""), "{e}");
    }
}
