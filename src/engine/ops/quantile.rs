//! Medians and quantiles over axes and per group, numpy's default `"linear"` method.
//!
//! As dask does it: the reduced axes are moved to the end and rechunked to a single
//! chunk, so every block holds whole samples, and a block function computes the
//! statistic of each sample. `map_blocks` keeps the block shape, so the block
//! function writes the `m` results of a sample at the start of the sample's last
//! (longest) reduced axis, and a lazy slice plus squeeze cuts them out (the last axis
//! is padded when it is shorter than `m`). Kept axes are split further when needed so
//! that a block holds no more elements than the largest input chunk or one sample,
//! whichever is larger.

use std::sync::Arc;

use crate::engine::exec::order_stat::{SampleStat, order_stat_blocks};
use crate::engine::grid::{region_shape, split_regular};
use crate::engine::ops::shape::check_axis;
use crate::engine::{ArrayData, AxisSlice, ChunkGrid, DType, LazyArray};
use crate::error::ensure;
use crate::{Error, Result};

impl LazyArray {
    /// Median over `axes` (numpy's `nanmedian` when `skipna`, else `median`: a sample
    /// holding NaN gives NaN). All-NaN and empty samples give NaN. The result has the
    /// kept axes in order; its dtype is `float32` for `float32` data and `float64`
    /// otherwise. Whole samples must fit in one block, as in dask.
    ///
    /// ```
    /// use tessera::engine::LazyArray;
    /// let a = ndarray::Array::from_shape_vec(vec![2, 3], vec![3.0, 1.0, 2.0, f64::NAN, 4.0, 6.0])?;
    /// let m = LazyArray::from_ndarray(a.into_dyn(), &[1, 2])?.median(&[1], true)?;
    /// assert_eq!(m.compute()?.to_f64_vec(), vec![2.0, 5.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn median(&self, axes: &[usize], skipna: bool) -> Result<LazyArray> {
        let out_dtype = self.float_input("median")?.float_result();
        let stat = SampleStat::Median;
        let kept = self.ndim() - checked_axes(axes, self.ndim())?.len();
        self.samples_stat(axes, stat, skipna, out_dtype)?
            .squeeze(&[kept])
    }

    /// Quantiles `q` (each in `[0, 1]`) over `axes`, numpy's `quantile` (or
    /// `nanquantile` when `skipna`) with the default `"linear"` method: the result has
    /// a leading axis with one entry per `q`, then the kept axes in order, dtype
    /// `float64`. All-NaN and empty samples give NaN. Whole samples must fit in one
    /// block, as in dask.
    pub fn quantile(&self, q: &[f64], axes: &[usize], skipna: bool) -> Result<LazyArray> {
        check_quantiles(q)?;
        self.float_input("quantile")?;
        let stat = SampleStat::Quantiles(Arc::new(q.to_vec()));
        let kept = self.ndim() - checked_axes(axes, self.ndim())?.len();
        let data = self.samples_stat(axes, stat, skipna, DType::F64)?;
        let mut perm = vec![kept];
        perm.extend(0..kept);
        data.transpose(&perm)
    }

    /// The median of each group of positions along `axis`: position `i` belongs to
    /// group `codes[i]` (negative: none). The groups take the place of `axis`; empty
    /// groups give NaN; dtype as [`median`](Self::median). One engine node computes
    /// every group (a block holds whole rows along `axis`).
    pub fn group_median(
        &self,
        axis: usize,
        codes: &[i64],
        n_groups: usize,
        skipna: bool,
    ) -> Result<LazyArray> {
        let out_dtype = self.float_input("median")?.float_result();
        let out =
            self.grouped_stat(axis, codes, n_groups, SampleStat::Median, skipna, out_dtype)?;
        out.squeeze(&[out.ndim() - 1])
    }

    /// Quantiles `q` of each group of positions along `axis` (as
    /// [`group_median`](Self::group_median)), with a trailing axis with one entry per
    /// `q`, dtype `float64`.
    pub fn group_quantile(
        &self,
        q: &[f64],
        axis: usize,
        codes: &[i64],
        n_groups: usize,
        skipna: bool,
    ) -> Result<LazyArray> {
        check_quantiles(q)?;
        self.float_input("quantile")?;
        let stat = SampleStat::Quantiles(Arc::new(q.to_vec()));
        self.grouped_stat(axis, codes, n_groups, stat, skipna, DType::F64)
    }

    /// The dtype, when an order statistic can be taken of it.
    fn float_input(&self, op: &str) -> Result<DType> {
        let dtype = self.dtype();
        ensure!(
            dtype != DType::Bool,
            Error::UnsupportedDType {
                op: op.to_string(),
                dtype,
            }
        );
        Ok(dtype)
    }

    /// The array in a float type the kernel takes, and whether NaN is skipped.
    fn float_samples(&self, skipna: bool) -> Result<(LazyArray, bool)> {
        if self.dtype().is_float() {
            Ok((self.clone(), skipna))
        } else {
            Ok((self.cast(DType::F64)?, false))
        }
    }

    /// The statistic of every sample over `red`: an array over the kept axes (in
    /// order) plus a trailing axis with one entry per output of `stat`.
    fn samples_stat(
        &self,
        red: &[usize],
        stat: SampleStat,
        skipna: bool,
        out_dtype: DType,
    ) -> Result<LazyArray> {
        checked_axes(red, self.ndim())?;
        let (data, skipna) = self.float_samples(skipna)?;
        let m = stat.n_out();
        let kept: Vec<usize> = (0..data.ndim()).filter(|a| !red.contains(a)).collect();
        let nk = kept.len();
        // Reduced axes after the kept ones, the longest last (it holds the results).
        let mut red = red.to_vec();
        red.sort_by_key(|&a| data.shape()[a]);
        let mut perm = kept.clone();
        perm.extend(&red);
        let mut x = data.transpose(&perm)?;
        if red.is_empty() {
            x = x.expand_dims(nk)?;
        }
        let kept_chunks: Vec<Vec<usize>> = x.chunks().chunks()[..nk].to_vec();
        let n_samples: usize = x.shape()[nk..].iter().product();
        let n_kept: usize = x.shape()[..nk].iter().product();
        if n_samples == 0 || n_kept == 0 || m == 0 {
            // Nothing to compute: NaN everywhere (numpy's result for empty samples).
            let mut chunks = kept_chunks;
            chunks.push(split_regular(m, m));
            return Ok(LazyArray::from_fn(
                stat.name(),
                out_dtype,
                ChunkGrid::new(chunks)?,
                move |_, region| {
                    Ok(ArrayData::full(&region_shape(region), f64::NAN).cast(out_dtype))
                },
            ));
        }
        let last = x.ndim() - 1;
        let len = x.shape()[last];
        let x = pad_axis(&x, last, m)?;
        // One group: the sample's values, the first `len` of each row of its span (the
        // rest is padding).
        let row = x.shape()[last];
        let span: usize = x.shape()[nk..].iter().product();
        let sample: Vec<usize> = (0..span).filter(|p| p % row < len).collect();
        let y = map_whole_samples(
            &x,
            nk,
            data.chunks().max_chunk_len(),
            stat,
            skipna,
            out_dtype,
            vec![sample],
        )?;
        // Cut the results out: the first `m` positions of the last axis at position 0
        // of the other reduced axes.
        let mut spec: Vec<AxisSlice> = y.shape().iter().map(|&n| AxisSlice::full(n)).collect();
        for s in &mut spec[nk..last] {
            *s = AxisSlice {
                start: 0,
                step: 1,
                len: 1,
            };
        }
        spec[last] = AxisSlice {
            start: 0,
            step: 1,
            len: m,
        };
        let units: Vec<usize> = (nk..last).collect();
        y.slice(&spec)?.squeeze(&units)
    }

    /// The statistic of each group along `axis`, groups in place of `axis`, and a
    /// trailing axis with one entry per output of `stat`.
    fn grouped_stat(
        &self,
        axis: usize,
        codes: &[i64],
        n_groups: usize,
        stat: SampleStat,
        skipna: bool,
        out_dtype: DType,
    ) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        ensure!(
            codes.len() == self.shape()[axis],
            "{} group codes for an axis of length {}",
            codes.len(),
            self.shape()[axis]
        );
        let (data, skipna) = self.float_samples(skipna)?;
        let m = stat.n_out();
        let nk = data.ndim() - 1;
        let mut perm: Vec<usize> = (0..data.ndim()).filter(|&a| a != axis).collect();
        perm.push(axis);
        // Room for every group's results at the start of each row.
        let x = pad_axis(&data.transpose(&perm)?, nk, n_groups * m)?;
        let mut members: Vec<Vec<usize>> = vec![vec![]; n_groups];
        for (i, &c) in codes.iter().enumerate() {
            if let Ok(g) = usize::try_from(c) {
                members
                    .get_mut(g)
                    .ok_or_else(|| Error::invalid(format!("group code {c} of {n_groups} groups")))?
                    .push(i);
            }
        }
        let y = map_whole_samples(
            &x,
            nk,
            data.chunks().max_chunk_len(),
            stat,
            skipna,
            out_dtype,
            members,
        )?;
        // Output j of group g sits at position g * m + j of each row.
        let mut per_output = vec![];
        for j in 0..m {
            let mut spec: Vec<AxisSlice> = y.shape().iter().map(|&n| AxisSlice::full(n)).collect();
            spec[nk] = AxisSlice {
                start: j,
                step: m as isize,
                len: n_groups,
            };
            per_output.push(y.slice(&spec)?);
        }
        let refs: Vec<&LazyArray> = per_output.iter().collect();
        let out = LazyArray::stack(&refs, nk + 1)?;
        // Back to the input's axis order, the groups where the grouped axis was.
        let mut back: Vec<usize> = (0..nk).collect();
        back.insert(axis, nk);
        back.push(nk + 1);
        out.transpose(&back)
    }
}

/// Checks quantiles against `[0, 1]`.
pub(crate) fn check_quantiles(q: &[f64]) -> Result<()> {
    match q.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        Some(bad) => Err(Error::invalid(format!(
            "quantiles must be in the range [0, 1], got {bad}"
        ))),
        None => Ok(()),
    }
}

/// `axes`, when each is an axis of an `ndim`-dimensional array, once.
fn checked_axes(axes: &[usize], ndim: usize) -> Result<&[usize]> {
    for (i, &a) in axes.iter().enumerate() {
        check_axis(a, ndim)?;
        ensure!(
            !axes[..i].contains(&a),
            "axis {a} is given twice in {axes:?}"
        );
    }
    Ok(axes)
}

/// `x` extended with zeros along `axis` to at least `len` positions: room for the
/// results a block function writes at the start of that axis.
fn pad_axis(x: &LazyArray, axis: usize, len: usize) -> Result<LazyArray> {
    let have = x.shape()[axis];
    if have >= len {
        return Ok(x.clone());
    }
    let mut pad_shape = x.shape().to_vec();
    pad_shape[axis] = len - have;
    let pad_dtype = x.dtype();
    let pad = LazyArray::from_fn(
        "result padding",
        pad_dtype,
        ChunkGrid::single(&pad_shape),
        move |_, region| Ok(ArrayData::zeros(pad_dtype, &region_shape(region))),
    );
    LazyArray::concat(&[x, &pad], axis)
}

/// Rechunks `x` (`nk` kept axes, then the reduced axes) so that every block holds
/// whole samples, splitting kept axes until a block is within the larger of
/// `max_chunk` and one sample, and maps over the blocks the statistic of each group
/// of positions (`groups`, offsets within a sample's span) of every sample, cast to
/// `out_dtype`.
fn map_whole_samples(
    x: &LazyArray,
    nk: usize,
    max_chunk: usize,
    stat: SampleStat,
    skipna: bool,
    out_dtype: DType,
    groups: Vec<Vec<usize>>,
) -> Result<LazyArray> {
    let kept_chunks: Vec<Vec<usize>> = x.chunks().chunks()[..nk].to_vec();
    let sample_len: usize = x.shape()[nk..].iter().product();
    let target = max_chunk.max(sample_len);
    let mut sizes: Vec<usize> = kept_chunks
        .iter()
        .map(|c| c.iter().copied().max().unwrap_or(1))
        .collect();
    while sizes.iter().product::<usize>() * sample_len > target {
        let (i, &s) = sizes
            .iter()
            .enumerate()
            .max_by_key(|&(_, s)| *s)
            .expect("a block larger than one sample has kept axes");
        sizes[i] = s.div_ceil(2);
    }
    let mut chunks: Vec<Vec<usize>> = kept_chunks
        .iter()
        .zip(&sizes)
        .map(|(c, &s)| c.iter().flat_map(|&n| split_regular(n, s)).collect())
        .collect();
    chunks.extend(x.shape()[nk..].iter().map(|&n| vec![n]));
    let x = x.rechunk(ChunkGrid::new(chunks)?)?;
    let name = stat.name();
    LazyArray::map_blocks(
        &[&x],
        name,
        out_dtype,
        order_stat_blocks(nk, groups, stat, skipna, out_dtype),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ndarray::{ArrayD, Dimension, IxDyn};
    use proptest::prelude::*;

    use super::*;

    /// A random input: shape, irregular chunks, values with NaN, and its dtype.
    #[derive(Clone, Debug)]
    struct Input {
        shape: Vec<usize>,
        chunks: Vec<Vec<usize>>,
        vals: Vec<f64>,
        dtype: DType,
    }

    impl Input {
        fn eager(&self) -> ArrayD<f64> {
            ArrayD::from_shape_vec(IxDyn(&self.shape), self.vals.clone()).unwrap()
        }

        fn lazy(&self) -> LazyArray {
            let a = self.eager();
            let data = match self.dtype {
                DType::F32 => ArrayData::new(a.mapv(|v| v as f32)),
                DType::I32 => ArrayData::new(a.mapv(|v| v as i32)),
                _ => ArrayData::new(a),
            };
            LazyArray::from_data(data, ChunkGrid::new(self.chunks.clone()).unwrap()).unwrap()
        }
    }

    fn input() -> impl Strategy<Value = Input> {
        let dtype =
            prop_oneof![3 => Just(DType::F64), 1 => Just(DType::F32), 1 => Just(DType::I32)];
        (proptest::collection::vec(0usize..=5, 1..=3), dtype).prop_flat_map(|(shape, dtype)| {
            let n: usize = shape.iter().product();
            // Chunk boundaries cut an axis after any of its positions.
            let cuts: Vec<BoxedStrategy<Vec<bool>>> = shape
                .iter()
                .map(|&l| proptest::collection::vec(any::<bool>(), l.saturating_sub(1)).boxed())
                .collect();
            // Quarters, so that f32 holds them exactly; NaN only in float inputs.
            let value = prop_oneof![
                1 => Just(f64::NAN),
                6 => (-12i32..=12).prop_map(|v| f64::from(v) / 4.0)
            ];
            (Just(shape), cuts, proptest::collection::vec(value, n)).prop_map(
                move |(shape, cuts, vals)| {
                    let chunks = shape
                        .iter()
                        .zip(&cuts)
                        .map(|(&l, cut)| chunk_lengths(l, cut))
                        .collect();
                    let vals = if dtype == DType::I32 {
                        vals.iter()
                            .map(|v| if v.is_nan() { 3.0 } else { (v * 4.0).round() })
                            .collect()
                    } else {
                        vals
                    };
                    Input {
                        shape,
                        chunks,
                        vals,
                        dtype,
                    }
                },
            )
        })
    }

    /// The chunk lengths of an axis of length `len` cut after position `i` where `cut[i]`.
    fn chunk_lengths(len: usize, cut: &[bool]) -> Vec<usize> {
        let mut out = vec![];
        let mut start = 0;
        for (i, &c) in cut.iter().enumerate() {
            if c {
                out.push(i + 1 - start);
                start = i + 1;
            }
        }
        out.push(len - start);
        out
    }

    /// Up to four quantiles, at least `min` of them, the ends and the middle often.
    fn quantiles(min: usize) -> impl Strategy<Value = Vec<f64>> {
        let q = prop_oneof![Just(0.0), Just(0.5), Just(1.0), 0.0f64..=1.0];
        proptest::collection::vec(q, min..=4)
    }

    /// numpy's `quantile`/`median` of one sample, by a full sort.
    fn reference(sample: &[f64], q: Option<f64>, skipna: bool) -> f64 {
        if !skipna && sample.iter().any(|v| v.is_nan()) {
            return f64::NAN;
        }
        let mut v: Vec<f64> = sample.iter().copied().filter(|v| !v.is_nan()).collect();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match q {
            None if n % 2 == 1 => v[n / 2],
            None => (v[n / 2 - 1] + v[n / 2]) / 2.0,
            Some(q) => {
                let h = (n - 1) as f64 * q;
                let lo = h.floor() as usize;
                let hi = (lo + 1).min(n - 1);
                v[lo] + (h - lo as f64) * (v[hi] - v[lo])
            }
        }
    }

    fn check_close(got: &[f64], want: &[f64]) -> Result<(), TestCaseError> {
        prop_assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let ok = if w.is_nan() {
                g.is_nan()
            } else {
                (g - w).abs() <= 1e-9 * w.abs().max(1.0)
            };
            prop_assert!(ok, "[{}]: got {}, expected {}", i, g, w);
        }
        Ok(())
    }

    /// The samples over `axes` of `a`, keyed by the kept index, in C order of it.
    fn samples(a: &ArrayD<f64>, axes: &[usize]) -> BTreeMap<Vec<usize>, Vec<f64>> {
        let kept_shape: Vec<usize> = (0..a.ndim())
            .filter(|d| !axes.contains(d))
            .map(|d| a.shape()[d])
            .collect();
        let mut out = BTreeMap::new();
        for idx in ndarray::indices(IxDyn(&kept_shape)) {
            out.insert(idx.slice().to_vec(), vec![]);
        }
        for (idx, &v) in a.indexed_iter() {
            let key: Vec<usize> = (0..a.ndim())
                .filter(|d| !axes.contains(d))
                .map(|d| idx[d])
                .collect();
            out.get_mut(&key).unwrap().push(v);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn quantile_and_median_match_a_full_sort(
            x in input(),
            mask in 0u8..8,
            q in quantiles(0),
            skipna in any::<bool>(),
        ) {
            let axes: Vec<usize> = (0..x.shape.len()).filter(|d| mask & (1 << d) != 0).collect();
            let by_sample = samples(&x.eager(), &axes);
            let lazy = x.lazy();

            let median = lazy.median(&axes, skipna).unwrap();
            let want: Vec<f64> = by_sample.values().map(|s| reference(s, None, skipna)).collect();
            prop_assert_eq!(median.dtype(), x.dtype.float_result());
            check_close(&median.compute().unwrap().to_f64_vec(), &want)?;

            let quant = lazy.quantile(&q, &axes, skipna).unwrap();
            let want: Vec<f64> = q
                .iter()
                .flat_map(|&q| by_sample.values().map(move |s| reference(s, Some(q), skipna)))
                .collect();
            prop_assert_eq!(quant.shape()[0], q.len());
            check_close(&quant.compute().unwrap().to_f64_vec(), &want)?;
        }

        #[test]
        fn group_quantile_and_median_match_a_full_sort(
            x in input(),
            axis_pick in 0usize..3,
            n_groups in 0usize..4,
            code_seed in proptest::collection::vec(-1i64..4, 0..=5),
            // No quantiles per group is an error, as before the op moved to the engine.
            q in quantiles(1),
            skipna in any::<bool>(),
        ) {
            let axis = axis_pick % x.shape.len();
            let len = x.shape[axis];
            let codes: Vec<i64> = (0..len)
                .map(|i| {
                    let c = code_seed.get(i).copied().unwrap_or(-1);
                    if c >= n_groups as i64 { -1 } else { c }
                })
                .collect();
            let a = x.eager();
            let lazy = x.lazy();
            let mut out_shape = x.shape.clone();
            out_shape[axis] = n_groups;
            let group_sample = |idx: &[usize]| -> Vec<f64> {
                let mut at = idx[..x.shape.len()].to_vec();
                (0..len)
                    .filter(|&p| codes[p] == idx[axis] as i64)
                    .map(|p| {
                        at[axis] = p;
                        a[IxDyn(&at)]
                    })
                    .collect()
            };

            let median = lazy.group_median(axis, &codes, n_groups, skipna).unwrap();
            let want = ArrayD::from_shape_fn(IxDyn(&out_shape), |idx| {
                reference(&group_sample(idx.slice()), None, skipna)
            });
            prop_assert_eq!(median.shape(), &out_shape[..]);
            check_close(&median.compute().unwrap().to_f64_vec(), &want.iter().copied().collect::<Vec<_>>())?;

            let quant = lazy.group_quantile(&q, axis, &codes, n_groups, skipna).unwrap();
            let mut q_shape = out_shape.clone();
            q_shape.push(q.len());
            let want = ArrayD::from_shape_fn(IxDyn(&q_shape), |idx| {
                reference(&group_sample(idx.slice()), Some(q[idx[q_shape.len() - 1]]), skipna)
            });
            prop_assert_eq!(quant.shape(), &q_shape[..]);
            check_close(&quant.compute().unwrap().to_f64_vec(), &want.iter().copied().collect::<Vec<_>>())?;
        }
    }

    #[test]
    fn bad_arguments_are_errors() {
        let x =
            LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[3, 2]), 1.0f64), &[1, 2]).unwrap();
        assert!(x.quantile(&[1.5], &[0], true).is_err());
        assert!(x.quantile(&[f64::NAN], &[0], true).is_err());
        assert!(x.median(&[2], true).is_err());
        assert!(x.median(&[1, 1], true).is_err());
        assert!(x.group_median(0, &[0, 1], 2, true).is_err());
        assert!(x.group_median(0, &[0, 5, 1], 2, true).is_err());
        let b = LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[2]), true), &[2]).unwrap();
        assert!(matches!(
            b.median(&[0], true),
            Err(Error::UnsupportedDType { .. })
        ));
    }
}
