//! Finite differences along one axis, each one overlap node (a task reads its chunk
//! and only the few neighbours it needs, never a concatenation of sliced copies):
//! `diff` (numpy.diff), `shift` (values moved along an axis, the gap filled) and
//! `gradient` (numpy.gradient with `edge_order=1`, uniform or non-uniform spacing).

use std::ops::Range;
use std::sync::Arc;

use ndarray::{ArrayD, Axis, IxDyn};

use crate::engine::dtype::{Element, Numeric};
use crate::engine::exec::tile::scalar_as;
use crate::engine::ops::shape::check_axis;
use crate::engine::{ArrayData, DType, LazyArray, Scalar, Storable};
use crate::{Error, Result};

impl LazyArray {
    /// The `n`-th discrete difference along `axis` (`numpy.diff(a, n, axis)`): element
    /// `i` of the first difference is `a[i + 1] - a[i]`, and the axis becomes `n`
    /// shorter (empty when `n` is at least its length). Integers stay integers and wrap
    /// as numpy's do; NaN propagates; booleans are refused, as numpy refuses `-` on them.
    pub fn diff(&self, axis: usize, n: usize) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        if self.dtype() == DType::Bool {
            return Err(Error::UnsupportedDType {
                op: "diff (numpy has no boolean subtraction)".into(),
                dtype: DType::Bool,
            });
        }
        if n == 0 {
            return Ok(self.clone());
        }
        let len = self.shape()[axis];
        let mut keep: Vec<Range<usize>> = self.shape().iter().map(|&m| 0..m).collect();
        keep[axis] = n.min(len)..len;
        if n >= len {
            return self.slice_ranges(&keep);
        }
        // Position i of the halo'd result holds the difference that ends at input i,
        // which needs the n positions before it; the first n positions have none and
        // are sliced off, so the result's labels are the upper ones.
        let full = self.map_overlap(
            axis,
            n,
            0,
            format!("diff n={n}"),
            self.dtype(),
            move |block, inner| {
                crate::with_numeric_dtype!(block.dtype(), T => diff_block::<T>(block, axis, n, inner),
                    bool => Err(Error::UnsupportedDType { op: "diff".into(), dtype: DType::Bool }))
            },
        )?;
        full.slice_ranges(&keep)
    }

    /// Moves the values `periods` positions along `axis` (towards the end when
    /// positive, towards the start when negative), as `numpy.roll` without the wrap:
    /// the positions left empty hold `fill`, cast to the array's dtype. The shape,
    /// chunks and dtype are unchanged. A task reads its chunk and the `|periods|`
    /// positions before (or after) it, so a shift by many chunks reads more than
    /// it keeps; a shift by the whole axis or more reads only its own chunk.
    pub fn shift(&self, axis: usize, periods: isize, fill: impl Into<Scalar>) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        let fill = fill.into();
        if periods == 0 {
            return Ok(self.clone());
        }
        let len = self.shape()[axis];
        let dist = periods.unsigned_abs();
        // A shift by the whole axis or more leaves nothing to read: no halo.
        let halo = if dist >= len { 0 } else { dist };
        let (before, after) = if periods > 0 { (halo, 0) } else { (0, halo) };
        self.map_overlap_at(
            axis,
            before,
            after,
            format!("shift {periods}"),
            self.dtype(),
            move |block, inner, start| {
                crate::with_dtype!(block.dtype(), T => shift_block::<T>(
                    block, axis, inner, start, Shift { periods, len, fill: scalar_as::<T>(fill) }))
            },
        )
    }

    /// The derivative along `axis` against the coordinate values `x` (one per
    /// position), as `numpy.gradient(a, x, axis=axis)` with `edge_order=1`:
    /// second-order central differences inside (numpy's weighted formula where the
    /// spacing is not uniform) and one-sided first differences at the two ends.
    /// `float32` stays `float32`; integers give `float64`. The axis needs at least
    /// two positions.
    pub fn gradient(&self, axis: usize, x: Vec<f64>) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        let len = self.shape()[axis];
        if self.dtype() == DType::Bool {
            return Err(Error::UnsupportedDType {
                op: "gradient".into(),
                dtype: DType::Bool,
            });
        }
        if x.len() != len {
            return Err(Error::ShapeMismatch {
                op: format!("gradient coordinate along axis {axis}"),
                left: vec![x.len()],
                right: vec![len],
            });
        }
        if len < 2 {
            return Err(Error::invalid(format!(
                "a gradient along axis {axis} needs at least 2 positions; it has {len}"
            )));
        }
        let out = match self.dtype() {
            DType::F32 => DType::F32,
            _ => DType::F64,
        };
        let spacing = Arc::new(Spacing::new(&x));
        self.map_overlap_at(axis, 1, 1, "gradient", out, move |block, inner, start| {
            let f = block.clone().cast(DType::F64).into_typed::<f64>()?;
            let mut shape = f.shape().to_vec();
            shape[axis] = inner.len();
            let mut y = ArrayD::<f64>::zeros(IxDyn(&shape));
            for (lane, mut lane_out) in f.lanes(Axis(axis)).into_iter().zip(y.lanes_mut(Axis(axis)))
            {
                // Global position p is lane[p - start].
                let at = |p: usize| lane[p - start];
                for (k, o) in lane_out.iter_mut().enumerate() {
                    *o = spacing.derivative(start + inner.start + k, at);
                }
            }
            Ok(ArrayData::new(y).cast(out))
        })
    }
}

/// The `n`-th differences of each lane of a block; output position `k` (block position
/// `inner.start + k`) is the difference ending there, or 0 where the lane has fewer
/// than `n` positions before it (only at the array's start, which `diff` slices off).
fn diff_block<T: Storable + Numeric>(
    block: &ArrayData,
    axis: usize,
    n: usize,
    inner: Range<usize>,
) -> Result<ArrayData> {
    let x = block.as_typed::<T>()?;
    let mut shape = x.shape().to_vec();
    shape[axis] = inner.len();
    let mut y = ArrayD::<T>::default(IxDyn(&shape));
    let mut d: Vec<T> = Vec::with_capacity(x.shape()[axis]);
    for (lane, mut lane_out) in x.lanes(Axis(axis)).into_iter().zip(y.lanes_mut(Axis(axis))) {
        d.clear();
        d.extend(lane.iter().copied());
        // Repeated first differences, as numpy does, so floats round the same way.
        for _ in 0..n {
            for i in 1..d.len() {
                d[i - 1] = d[i].sub(d[i - 1]);
            }
            d.pop();
        }
        for (k, o) in lane_out.iter_mut().enumerate() {
            if let Some(j) = (inner.start + k).checked_sub(n) {
                *o = d[j];
            }
        }
    }
    Ok(T::wrap(y))
}

/// What one shift task needs besides its block.
struct Shift<T> {
    periods: isize,
    len: usize,
    fill: T,
}

/// Output position `p` takes input position `p - periods`, or the fill value where
/// that falls outside the axis.
fn shift_block<T: Storable + Element>(
    block: &ArrayData,
    axis: usize,
    inner: Range<usize>,
    start: usize,
    s: Shift<T>,
) -> Result<ArrayData> {
    let x = block.as_typed::<T>()?;
    let mut shape = x.shape().to_vec();
    shape[axis] = inner.len();
    let mut y = ArrayD::<T>::from_elem(IxDyn(&shape), s.fill);
    for (lane, mut lane_out) in x.lanes(Axis(axis)).into_iter().zip(y.lanes_mut(Axis(axis))) {
        for (k, o) in lane_out.iter_mut().enumerate() {
            let p = (start + inner.start + k) as isize;
            let src = p - s.periods;
            if src >= 0 && (src as usize) < s.len {
                *o = lane[src as usize - start];
            }
        }
    }
    Ok(T::wrap(y))
}

/// The coordinate spacing of a gradient: one step when all steps are exactly equal
/// (numpy then uses the plain central difference), else every step.
enum Spacing {
    Uniform(f64, usize),
    Steps(Vec<f64>),
}

impl Spacing {
    fn new(x: &[f64]) -> Spacing {
        let steps: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        if steps.iter().all(|&h| h == steps[0]) {
            Spacing::Uniform(steps[0], x.len())
        } else {
            Spacing::Steps(steps)
        }
    }

    fn len(&self) -> usize {
        match self {
            Spacing::Uniform(_, n) => *n,
            Spacing::Steps(s) => s.len() + 1,
        }
    }

    fn step(&self, i: usize) -> f64 {
        match self {
            Spacing::Uniform(h, _) => *h,
            Spacing::Steps(s) => s[i],
        }
    }

    /// numpy.gradient at position `i` of an axis whose values `f` gives by position;
    /// the expressions are numpy's, term for term, so results round alike.
    fn derivative(&self, i: usize, f: impl Fn(usize) -> f64) -> f64 {
        let n = self.len();
        if i == 0 {
            return (f(1) - f(0)) / self.step(0);
        }
        if i == n - 1 {
            return (f(n - 1) - f(n - 2)) / self.step(n - 2);
        }
        match self {
            Spacing::Uniform(h, _) => (f(i + 1) - f(i - 1)) / (2.0 * h),
            Spacing::Steps(s) => {
                let (dx1, dx2) = (s[i - 1], s[i]);
                let a = -dx2 / (dx1 * (dx1 + dx2));
                let b = (dx2 - dx1) / (dx1 * dx2);
                let c = dx1 / (dx2 * (dx1 + dx2));
                a * f(i - 1) + b * f(i) + c * f(i + 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ChunkGrid, Compute};

    fn lazy(values: Vec<f64>, chunks: Vec<usize>) -> LazyArray {
        let n = values.len();
        LazyArray::from_data(
            ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[n]), values).unwrap()),
            ChunkGrid::new(vec![chunks]).unwrap(),
        )
        .unwrap()
    }

    fn run(a: &LazyArray) -> Vec<f64> {
        Compute::new().run(&[a]).unwrap()[0].to_f64_vec()
    }

    #[test]
    fn diff_crosses_chunks_and_shortens_the_axis() {
        let a = lazy(vec![1.0, 4.0, 9.0, 16.0, 25.0, 36.0], vec![1, 2, 3]);
        assert_eq!(run(&a.diff(0, 1).unwrap()), vec![3.0, 5.0, 7.0, 9.0, 11.0]);
        assert_eq!(run(&a.diff(0, 2).unwrap()), vec![2.0; 4]);
        assert_eq!(a.diff(0, 6).unwrap().shape(), &[0]);
        assert_eq!(a.diff(0, 9).unwrap().shape(), &[0]);
        assert!(a.cast(DType::Bool).unwrap().diff(0, 1).is_err());
    }

    #[test]
    fn shift_fills_both_ways() {
        let a = lazy(vec![1.0, 2.0, 3.0, 4.0, 5.0], vec![2, 2, 1]);
        assert_eq!(
            run(&a.shift(0, 2, -1.0).unwrap()),
            vec![-1.0, -1.0, 1.0, 2.0, 3.0]
        );
        assert_eq!(
            run(&a.shift(0, -3, 0.0).unwrap()),
            vec![4.0, 5.0, 0.0, 0.0, 0.0]
        );
        assert_eq!(run(&a.shift(0, 7, 9.0).unwrap()), vec![9.0; 5]);
    }

    #[test]
    fn gradient_matches_numpy_on_uneven_spacing() {
        // numpy.gradient([1, 2, 4, 7], [0, 1, 3, 4]) = [1, 1, 2.3333.., 3]
        let a = lazy(vec![1.0, 2.0, 4.0, 7.0], vec![1, 1, 2]);
        let g = run(&a.gradient(0, vec![0.0, 1.0, 3.0, 4.0]).unwrap());
        let want = [1.0, 1.0, 7.0 / 3.0, 3.0];
        for (x, y) in g.iter().zip(want) {
            assert!((x - y).abs() < 1e-12, "{g:?}");
        }
        assert!(lazy(vec![1.0], vec![1]).gradient(0, vec![0.0]).is_err());
    }
}
