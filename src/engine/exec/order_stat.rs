//! The block kernel of medians and quantiles: numpy's order statistics of every sample
//! a block holds, by selection rather than a full sort where few are asked for.

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use crate::engine::chunk::{ArrayData, Storable};
use crate::engine::dtype::{DType, Float};
use crate::{Error, Result};

/// What is computed for every sample.
#[derive(Clone, Debug)]
pub(crate) enum SampleStat {
    /// numpy's median: the middle value, or the mean of the two middle values
    /// computed in the input's float type.
    Median,
    /// numpy's linear quantiles, one output per `q`.
    Quantiles(Arc<Vec<f64>>),
}

impl SampleStat {
    /// Results per sample.
    pub(crate) fn n_out(&self) -> usize {
        match self {
            SampleStat::Median => 1,
            SampleStat::Quantiles(q) => q.len(),
        }
    }

    /// The operation's name in errors and plans.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            SampleStat::Median => "median",
            SampleStat::Quantiles(_) => "quantile",
        }
    }
}

/// The block function of an order statistic: every group's statistic of every sample
/// of a float block laid out as `nk` kept axes then the sample's axes, cast to
/// `out_dtype` (see [`block_group_stat`]).
pub(crate) fn order_stat_blocks(
    nk: usize,
    groups: Vec<Vec<usize>>,
    stat: SampleStat,
    skipna: bool,
    out_dtype: DType,
) -> impl Fn(&[ArrayData]) -> Result<ArrayData> + Send + Sync + 'static {
    move |blocks: &[ArrayData]| {
        let out = match &blocks[0] {
            ArrayData::F32(a) => block_group_stat(a, nk, &groups, &stat, skipna),
            ArrayData::F64(a) => block_group_stat(a, nk, &groups, &stat, skipna),
            other => {
                return Err(Error::UnsupportedDType {
                    op: stat.name().to_string(),
                    dtype: other.dtype(),
                });
            }
        };
        Ok(ArrayData::new(out).cast(out_dtype))
    }
}

/// Every group's statistic of every sample of a block laid out as `nk` kept axes
/// then the sample's axes; a group is a list of offsets within the sample's span.
/// Results go to the start of each span (group `g`, output `j` at `g * m + j`), the
/// rest is zero: the engine's `map_blocks` keeps the block shape, and the plan cuts
/// the results out with a slice.
fn block_group_stat<T: Float + Storable>(
    a: &ArrayD<T>,
    nk: usize,
    groups: &[Vec<usize>],
    stat: &SampleStat,
    skipna: bool,
) -> ArrayD<f64> {
    let shape = a.shape().to_vec();
    let a = a.as_standard_layout();
    let values = a.as_slice().expect("standard layout is contiguous");
    let span = shape[nk..].iter().product::<usize>().max(1);
    let m = stat.n_out();
    let mut out = vec![0.0; values.len()];
    let mut buf: Vec<T> = Vec::new();
    for (sample, res) in values.chunks_exact(span).zip(out.chunks_exact_mut(span)) {
        for (g, pos) in groups.iter().enumerate() {
            buf.clear();
            buf.extend(pos.iter().map(|&p| sample[p]));
            sample_stat(&mut buf, stat, skipna, &mut res[g * m..(g + 1) * m]);
        }
    }
    ArrayD::from_shape_vec(IxDyn(&shape), out).expect("output has the block's shape")
}

/// numpy's median or linear quantiles of one sample, written to `out[..m]`.
fn sample_stat<T: Float>(v: &mut Vec<T>, stat: &SampleStat, skipna: bool, out: &mut [f64]) {
    let m = stat.n_out();
    if skipna {
        v.retain(|x| !x.is_nan());
    } else if v.iter().any(|x| x.is_nan()) {
        out[..m].fill(f64::NAN);
        return;
    }
    let n = v.len();
    if n == 0 {
        out[..m].fill(f64::NAN);
        return;
    }
    let cmp = |a: &T, b: &T| a.partial_cmp(b).expect("NaN was removed");
    match stat {
        SampleStat::Median => {
            let h = n / 2;
            let (lo, mid, _) = v.select_nth_unstable_by(h, cmp);
            let mid = *mid;
            out[0] = if n % 2 == 1 {
                mid.to_f64()
            } else {
                let low = lo
                    .iter()
                    .copied()
                    .max_by(cmp)
                    .expect("an even sample has a lower half");
                // numpy: the mean of the two middle values, in the input's type.
                low.add(mid).div(T::from_f64(2.0)).to_f64()
            };
        }
        SampleStat::Quantiles(qs) => {
            let sorted = qs.len() > 2;
            if sorted {
                v.sort_unstable_by(cmp);
            }
            let last = (n - 1) as f64;
            for (o, &q) in out.iter_mut().zip(qs.iter()) {
                // numpy's `_get_indexes`, `_get_gamma` and `_lerp` for "linear".
                let vi = last * q;
                let (pi, ni, gamma) = if vi >= last {
                    (n - 1, n - 1, vi + 1.0)
                } else {
                    let p = vi.floor();
                    (p as usize, p as usize + 1, vi - p)
                };
                let (a, b) = if sorted {
                    (v[pi], v[ni])
                } else {
                    let (_, a, rest) = v.select_nth_unstable_by(pi, cmp);
                    let a = *a;
                    let b = if ni == pi {
                        a
                    } else {
                        rest.iter().copied().min_by(cmp).expect("next index exists")
                    };
                    (a, b)
                };
                let diff = b.sub(a).to_f64();
                *o = if gamma >= 0.5 {
                    b.to_f64() - diff * (1.0 - gamma)
                } else {
                    a.to_f64() + diff * gamma
                };
            }
        }
    }
}
