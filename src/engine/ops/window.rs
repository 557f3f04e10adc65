//! Functions of a chunk and a halo of its neighbours along one axis (dask's
//! `map_overlap`), and the rolling-window reductions built on it.

use std::ops::Range;
use std::sync::Arc;

use ndarray::{ArrayD, Axis, IxDyn};

use crate::engine::graph::Op;
use crate::engine::{ArrayData, DType, LazyArray};
use crate::{Error, Result};

/// A rolling-window statistic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollingKind {
    /// Sum of the valid values.
    Sum,
    /// Mean of the valid values.
    Mean,
    /// Number of valid values (NaN where fewer than `min_periods`, as in xarray).
    Count,
    /// Variance of the valid values with `ddof`.
    Var(usize),
    /// Standard deviation of the valid values with `ddof`.
    Std(usize),
    /// Smallest valid value.
    Min,
    /// Largest valid value.
    Max,
}

impl LazyArray {
    /// Applies `f` to each chunk extended by up to `before`/`after` elements of its
    /// neighbours along `axis` (fewer at the array's ends); `f` gets the extended block
    /// and the range of the chunk's own positions inside it, and returns a block of
    /// the chunk's shape and `dtype`.
    pub fn map_overlap(
        &self,
        axis: usize,
        before: usize,
        after: usize,
        name: impl Into<String>,
        dtype: DType,
        f: impl Fn(&ArrayData, Range<usize>) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Result<LazyArray> {
        self.map_overlap_at(axis, before, after, name, dtype, move |block, inner, _| {
            f(block, inner)
        })
    }

    /// Like [`map_overlap`](Self::map_overlap), and `f` also gets the position along
    /// `axis` of the extended block's first element, for functions that depend on
    /// where they are (a coordinate's spacing, the array's ends).
    pub fn map_overlap_at(
        &self,
        axis: usize,
        before: usize,
        after: usize,
        name: impl Into<String>,
        dtype: DType,
        f: impl Fn(&ArrayData, Range<usize>, usize) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Result<LazyArray> {
        if axis >= self.ndim() {
            return Err(Error::AxisOutOfRange {
                axis: axis as isize,
                ndim: self.ndim(),
            });
        }
        let name = name.into();
        let checked = name.clone();
        let f = move |block: &ArrayData, inner: Range<usize>, start: usize| -> Result<ArrayData> {
            let mut want = block.shape().to_vec();
            want[axis] = inner.len();
            let out = f(block, inner, start)?;
            super::create::checked_block(&format!("map_overlap {checked}"), out, &want, dtype)
        };
        Ok(LazyArray::from_parts(
            Op::Overlap {
                name,
                axis,
                before,
                after,
                f: Arc::new(f),
            },
            vec![self.clone()],
            self.shape().to_vec(),
            dtype,
            self.chunks().clone(),
        ))
    }

    /// Rolling-window statistic along `axis` over windows of `window` positions, NaN
    /// skipped; a window with fewer than `min_periods` valid values gives NaN. A
    /// trailing window ends at its position; a centred one covers
    /// `[i - window/2, i + (window-1)/2]`, as pandas and xarray place it.
    pub fn rolling(
        &self,
        axis: usize,
        window: usize,
        center: bool,
        min_periods: usize,
        kind: RollingKind,
    ) -> Result<LazyArray> {
        if window == 0 {
            return Err(Error::invalid(
                "a rolling window needs at least one position",
            ));
        }
        let (before, after) = if center {
            (window / 2, (window - 1) / 2)
        } else {
            (window - 1, 0)
        };
        let out = match self.dtype() {
            DType::F32 => DType::F32,
            _ => DType::F64,
        };
        let min_periods = min_periods.max(1);
        self.map_overlap(
            axis,
            before,
            after,
            format!("rolling {kind:?}"),
            out,
            move |block, inner| {
                let x = block.clone().cast(DType::F64).into_typed::<f64>()?;
                let start = inner.start;
                let mut shape = x.shape().to_vec();
                shape[axis] = inner.len();
                let mut y = ArrayD::<f64>::zeros(IxDyn(&shape));
                for (lane_in, mut lane_out) in
                    x.lanes(Axis(axis)).into_iter().zip(y.lanes_mut(Axis(axis)))
                {
                    let values: Vec<f64> = lane_in.iter().copied().collect();
                    let sums = (!matches!(kind, RollingKind::Min | RollingKind::Max))
                        .then(|| PrefixSums::new(&values));
                    for (k, out) in lane_out.iter_mut().enumerate() {
                        let i = start + k;
                        let lo = i.saturating_sub(before);
                        let hi = (i + after + 1).min(values.len());
                        *out = match &sums {
                            Some(p) => p.stat(lo..hi, kind, min_periods),
                            None => extreme(&values[lo..hi], kind, min_periods),
                        };
                    }
                }
                Ok(ArrayData::new(y).cast(out))
            },
        )
    }
}

/// Running count, sum and sum of squares of the valid values of a lane, so that any
/// window's sum, mean and variance cost O(1). Values are shifted by the lane's first
/// valid value first, which keeps the sum of squares from cancelling catastrophically.
struct PrefixSums {
    shift: f64,
    count: Vec<usize>,
    sum: Vec<f64>,
    sumsq: Vec<f64>,
}

impl PrefixSums {
    fn new(values: &[f64]) -> PrefixSums {
        let shift = values.iter().copied().find(|v| !v.is_nan()).unwrap_or(0.0);
        let n = values.len();
        let (mut count, mut sum, mut sumsq) = (vec![0; n + 1], vec![0.0; n + 1], vec![0.0; n + 1]);
        for (i, &v) in values.iter().enumerate() {
            let valid = !v.is_nan();
            let d = if valid { v - shift } else { 0.0 };
            count[i + 1] = count[i] + usize::from(valid);
            sum[i + 1] = sum[i] + d;
            sumsq[i + 1] = sumsq[i] + d * d;
        }
        PrefixSums {
            shift,
            count,
            sum,
            sumsq,
        }
    }

    fn stat(&self, w: Range<usize>, kind: RollingKind, min_periods: usize) -> f64 {
        let n = self.count[w.end] - self.count[w.start];
        // A window with too few valid values has no statistic, not even a count (xarray).
        if n < min_periods || n == 0 && kind != RollingKind::Count {
            return f64::NAN;
        }
        if kind == RollingKind::Count {
            return n as f64;
        }
        let s = self.sum[w.end] - self.sum[w.start];
        let mean = s / n as f64;
        match kind {
            RollingKind::Sum => s + self.shift * n as f64,
            RollingKind::Mean => mean + self.shift,
            RollingKind::Var(ddof) | RollingKind::Std(ddof) => {
                if n <= ddof {
                    return f64::NAN;
                }
                let ss = (self.sumsq[w.end] - self.sumsq[w.start] - s * mean).max(0.0);
                let var = ss / (n - ddof) as f64;
                if matches!(kind, RollingKind::Std(_)) {
                    var.sqrt()
                } else {
                    var
                }
            }
            _ => unreachable!("min and max are not prefix sums"),
        }
    }
}

/// A window's minimum or maximum over its valid values.
fn extreme(values: &[f64], kind: RollingKind, min_periods: usize) -> f64 {
    let valid = values.iter().copied().filter(|v| !v.is_nan());
    if valid.clone().count() < min_periods {
        return f64::NAN;
    }
    match kind {
        RollingKind::Min => valid.fold(f64::INFINITY, f64::min),
        _ => valid.fold(f64::NEG_INFINITY, f64::max),
    }
}
