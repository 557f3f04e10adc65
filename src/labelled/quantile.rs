//! Median and quantiles over named dimensions: xarray's `DataArray.median` and
//! `DataArray.quantile` (numpy's default `"linear"` method), computed lazily.
//!
//! As dask does it: the reduced dimensions are moved to the end and rechunked to a
//! single chunk, so every block holds whole samples, and a block function computes
//! the statistic of each sample. The engine's `map_blocks` keeps the block shape, so
//! the block function writes the `m` results of a sample at the start of the sample's
//! last (longest) reduced axis, and a lazy slice plus squeeze cuts them out (the last
//! axis is padded when it is shorter than `m`). Kept dimensions are split further
//! when needed so that a block holds no more elements than the largest input chunk
//! or one sample, whichever is larger.

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use super::coords::coord_from_values;
use super::dataarray::DataArray;
use super::reduce::Dims;
use super::variable::Variable;
use crate::engine::chunk::Storable;
use crate::engine::dtype::Float;
use crate::engine::grid::{region_shape, split_regular};
use crate::engine::{ArrayData, AxisSlice, ChunkGrid, DType, LazyArray};
use crate::error::ensure;
use crate::{Error, Result};

/// What is computed for every sample.
#[derive(Clone, Debug)]
enum Stat {
    /// numpy's median: the middle value, or the mean of the two middle values
    /// computed in the input's float type.
    Median,
    /// numpy's linear quantiles, one output per `q`.
    Quantiles(Arc<Vec<f64>>),
}

impl Stat {
    fn n_out(&self) -> usize {
        match self {
            Stat::Median => 1,
            Stat::Quantiles(q) => q.len(),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Stat::Median => "median",
            Stat::Quantiles(_) => "quantile",
        }
    }
}

impl DataArray {
    /// Median over `dims`, as xarray's `DataArray.median` (numpy `nanmedian` when
    /// `skipna` is true, the default for floats; with `skipna: Some(false)` a sample
    /// holding NaN gives NaN). All-NaN samples give NaN. The result is `float32` for
    /// `float32` data and `float64` otherwise; coordinates that lose a reduced
    /// dimension are dropped, the name and attributes kept.
    ///
    /// The data along `dims` must fit in one block (as in dask).
    pub fn median(&self, dims: impl Into<Dims>, skipna: Option<bool>) -> Result<DataArray> {
        let dims = self.stat_dims(dims.into(), "median")?;
        let out_dtype = self.dtype().float_result();
        let data = self.samples_stat(&dims, Stat::Median, skipna, out_dtype)?;
        let kept = self.var_kept_dims(&dims);
        let data = data.squeeze(&[kept.len()])?;
        let var = Variable::new(kept, data)?.with_attrs(self.attrs().clone());
        let mut coords = self.coords().clone();
        coords.retain(|_, c| !c.var.dims().iter().any(|d| dims.contains(d)));
        Ok(DataArray::from_parts(
            self.name().map(str::to_string),
            var,
            coords,
        ))
    }

    /// Quantiles `q` (each in `[0, 1]`) over `dims`, as xarray's `DataArray.quantile`
    /// with a list of quantiles and numpy's default `"linear"` method: the result has
    /// a new leading dimension `"quantile"` with a coordinate holding `q`, dtype
    /// `float64`. NaN is skipped when `skipna` is true (the default for floats); with
    /// `skipna: Some(false)` a sample holding NaN gives NaN. All-NaN samples give NaN.
    /// Coordinates that lose a reduced dimension and scalar coordinates are dropped
    /// (as xarray does), the name and attributes kept.
    ///
    /// The data along `dims` must fit in one block (as in dask).
    ///
    /// ```
    /// use ndarray::{Array, IxDyn};
    /// use tessera::labelled::DataArray;
    ///
    /// let a = Array::from_shape_vec(IxDyn(&[2, 4]), vec![1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN, 7.0, 9.0]).unwrap();
    /// let t = DataArray::from_ndarray("t", ["x", "time"], a, &[1, 2])?;
    /// let q = t.quantile(&[0.0, 0.5], "time", None)?;
    /// assert_eq!(q.dims(), &["quantile".to_string(), "x".to_string()]);
    /// assert_eq!(q.values::<f64>()?.into_raw_vec_and_offset().0, vec![1.0, 5.0, 2.5, 7.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn quantile(
        &self,
        q: &[f64],
        dims: impl Into<Dims>,
        skipna: Option<bool>,
    ) -> Result<DataArray> {
        check_q(q)?;
        let dims = self.stat_dims(dims.into(), "quantile")?;
        let stat = Stat::Quantiles(Arc::new(q.to_vec()));
        let data = self.samples_stat(&dims, stat, skipna, DType::F64)?;
        let kept = self.var_kept_dims(&dims);
        let mut perm = vec![kept.len()];
        perm.extend(0..kept.len());
        let data = data.transpose(&perm)?;
        let mut out_dims = vec!["quantile".to_string()];
        out_dims.extend(kept);
        let var = Variable::new(out_dims, data)?.with_attrs(self.attrs().clone());
        let mut out = DataArray::from_parts(
            self.name().map(str::to_string),
            var,
            self.quantile_coords(&dims),
        );
        let qvals = ArrayData::new(
            ArrayD::from_shape_vec(IxDyn(&[q.len()]), q.to_vec())
                .map_err(|e| Error::invalid(e.to_string()))?,
        );
        out = out.with_coord("quantile", coord_from_values("quantile", qvals)?)?;
        Ok(out)
    }

    /// One quantile `q` (in `[0, 1]`) over `dims`, as xarray's `DataArray.quantile`
    /// with a scalar `q`: like [`DataArray::quantile`] without the `"quantile"`
    /// dimension, with a scalar coordinate `"quantile"` holding `q` instead.
    pub fn quantile_scalar(
        &self,
        q: f64,
        dims: impl Into<Dims>,
        skipna: Option<bool>,
    ) -> Result<DataArray> {
        check_q(&[q])?;
        let dims = self.stat_dims(dims.into(), "quantile")?;
        let stat = Stat::Quantiles(Arc::new(vec![q]));
        let data = self.samples_stat(&dims, stat, skipna, DType::F64)?;
        let kept = self.var_kept_dims(&dims);
        let data = data.squeeze(&[kept.len()])?;
        let var = Variable::new(kept, data)?.with_attrs(self.attrs().clone());
        let out = DataArray::from_parts(
            self.name().map(str::to_string),
            var,
            self.quantile_coords(&dims),
        );
        let scalar = LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[]), q), &[])?;
        out.with_coord("quantile", Variable::new(Vec::<String>::new(), scalar)?)
    }

    /// The reduced dimension names, resolved and checked.
    fn stat_dims(&self, dims: Dims, op: &str) -> Result<Vec<String>> {
        let dims = dims.resolve(self.variable())?;
        for (i, d) in dims.iter().enumerate() {
            ensure!(
                !dims[..i].contains(d),
                Error::DuplicateDimension {
                    dim: format!("{d:?}"),
                    op: format!("{op} over {dims:?}"),
                }
            );
        }
        if op == "quantile"
            && self
                .dims()
                .iter()
                .any(|d| d == "quantile" && !dims.contains(d))
        {
            return Err(Error::invalid(
                "quantile: the array already has a dimension named \"quantile\"",
            ));
        }
        Ok(dims)
    }

    fn var_kept_dims(&self, dims: &[String]) -> Vec<String> {
        self.dims()
            .iter()
            .filter(|d| !dims.contains(d))
            .cloned()
            .collect()
    }

    /// xarray's quantile keeps only coordinates with dimensions, none of them reduced.
    fn quantile_coords(&self, dims: &[String]) -> super::coords::Coords {
        let mut coords = self.coords().clone();
        coords.retain(|_, c| c.var.ndim() > 0 && !c.var.dims().iter().any(|d| dims.contains(d)));
        coords
    }

    /// The statistic of every sample over `dims`: an array over the kept dims (in
    /// order) plus a trailing axis with one entry per output of `stat`.
    fn samples_stat(
        &self,
        dims: &[String],
        stat: Stat,
        skipna: Option<bool>,
        out_dtype: DType,
    ) -> Result<LazyArray> {
        let dtype = self.dtype();
        if dtype == DType::Bool {
            return Err(Error::UnsupportedDType {
                op: stat.name().to_string(),
                dtype,
            });
        }
        let red: Vec<usize> = self.variable().axes(dims)?;
        let skipna = skipna.unwrap_or(true) && dtype.is_float();
        let data = if dtype.is_float() {
            self.data().clone()
        } else {
            self.data().cast(DType::F64)?
        };
        samples_stat(&data, &red, stat, skipna, out_dtype)
    }
}

/// Checks quantiles against `[0, 1]`.
fn check_q(q: &[f64]) -> Result<()> {
    match q.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        Some(bad) => Err(Error::invalid(format!(
            "quantiles must be in the range [0, 1], got {bad}"
        ))),
        None => Ok(()),
    }
}

/// The statistic of every sample of float `data` over axes `red` (see
/// `DataArray::samples_stat`).
fn samples_stat(
    data: &LazyArray,
    red: &[usize],
    stat: Stat,
    skipna: bool,
    out_dtype: DType,
) -> Result<LazyArray> {
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
            move |_, region| Ok(ArrayData::full(&region_shape(region), f64::NAN).cast(out_dtype)),
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
/// `out_dtype` (see `block_group_stat`).
fn map_whole_samples(
    x: &LazyArray,
    nk: usize,
    max_chunk: usize,
    stat: Stat,
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
    LazyArray::map_blocks(
        &[&x],
        stat.name(),
        out_dtype,
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
        },
    )
}

/// The statistic of each group of positions along `axis` of float `data`, as one
/// engine node (a block holds whole rows along `axis`; its function computes every
/// group of every row): position `i` belongs to group `codes[i]` (negative: none).
/// The result has `n_groups` in place of `axis`, and a trailing axis with one entry
/// per output of `stat` when `quantile_axis` is set. Empty groups give NaN.
pub(crate) fn grouped_stat(
    data: &LazyArray,
    axis: usize,
    codes: &[i64],
    n_groups: usize,
    q: Option<&[f64]>,
    quantile_axis: bool,
    skipna: Option<bool>,
) -> Result<LazyArray> {
    let stat = match q {
        Some(q) => {
            check_q(q)?;
            Stat::Quantiles(Arc::new(q.to_vec()))
        }
        None => Stat::Median,
    };
    let dtype = data.dtype();
    if dtype == DType::Bool {
        return Err(Error::UnsupportedDType {
            op: stat.name().to_string(),
            dtype,
        });
    }
    let out_dtype = match stat {
        Stat::Median => dtype.float_result(),
        Stat::Quantiles(_) => DType::F64,
    };
    let skipna = skipna.unwrap_or(true) && dtype.is_float();
    let data = if dtype.is_float() {
        data.clone()
    } else {
        data.cast(DType::F64)?
    };
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
    let (out, trailing) = if quantile_axis {
        (LazyArray::stack(&refs, nk + 1)?, 1)
    } else if m == 1 {
        (per_output[0].clone(), 0)
    } else {
        return Err(Error::invalid(
            "several quantiles need a quantile dimension",
        ));
    };
    // Back to the input's axis order, the groups where the grouped axis was.
    let mut back: Vec<usize> = (0..nk).collect();
    back.insert(axis, nk);
    back.extend((0..trailing).map(|t| nk + 1 + t));
    out.transpose(&back)
}

/// Every group's statistic of every sample of a block laid out as `nk` kept axes
/// then the sample's axes; a group is a list of offsets within the sample's span.
/// Results go to the start of each span (group `g`, output `j` at `g * m + j`), the
/// rest is zero.
fn block_group_stat<T: Float + Storable>(
    a: &ArrayD<T>,
    nk: usize,
    groups: &[Vec<usize>],
    stat: &Stat,
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
fn sample_stat<T: Float>(v: &mut Vec<T>, stat: &Stat, skipna: bool, out: &mut [f64]) {
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
        Stat::Median => {
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
        Stat::Quantiles(qs) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A (time, lat, lon) field with NaNs (one all-NaN time series), irregularly
    /// chunked.
    fn field() -> DataArray {
        let a = ArrayD::from_shape_fn(IxDyn(&[10, 5, 6]), |i| {
            let v = ((i[0] * 37 + i[1] * 11 + i[2] * 7) % 23) as f64 - 4.5;
            if (i[1], i[2]) == (1, 3) || (i[0] + i[1] + i[2]) % 9 == 0 {
                f64::NAN
            } else {
                v
            }
        });
        let grid = ChunkGrid::new(vec![vec![4, 3, 3], vec![2, 3], vec![4, 2]]).unwrap();
        let data = LazyArray::from_data(ArrayData::new(a), grid).unwrap();
        DataArray::from_lazy("t", ["time", "lat", "lon"], data).unwrap()
    }

    fn assert_close(got: &[f64], want: &[f64], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let ok = if w.is_nan() {
                g.is_nan()
            } else {
                (g - w).abs() <= 1e-9 * w.abs().max(1e-300)
            };
            assert!(ok, "{what}[{i}]: got {g}, expected {w}");
        }
    }

    #[test]
    fn agrees_across_chunkings_and_many_quantiles() {
        let t = field();
        let one = t.chunk(&[("time", 10), ("lat", 5), ("lon", 6)]).unwrap();
        let tiny = t.chunk(&[("time", 1), ("lat", 1), ("lon", 1)]).unwrap();
        let q: Vec<f64> = (0..=20).map(|i| i as f64 / 20.0).collect();
        for dims in [Dims::from("time"), Dims::from(["lat", "lon"]), Dims::All] {
            let a = t
                .quantile(&q, dims.clone(), None)
                .unwrap()
                .values::<f64>()
                .unwrap();
            for other in [&one, &tiny] {
                let b = other
                    .quantile(&q, dims.clone(), None)
                    .unwrap()
                    .values::<f64>()
                    .unwrap();
                assert_close(
                    &b.iter().copied().collect::<Vec<_>>(),
                    &a.iter().copied().collect::<Vec<_>>(),
                    "chunks",
                );
            }
            // q = 0.5 of the sorted path equals the median up to rounding.
            let med = t
                .median(dims.clone(), None)
                .unwrap()
                .values::<f64>()
                .unwrap();
            let half = a.index_axis(ndarray::Axis(0), 10);
            for (m, h) in med.iter().zip(half.iter()) {
                assert!(
                    (m.is_nan() && h.is_nan()) || (m - h).abs() < 1e-12,
                    "{m} vs {h}"
                );
            }
        }
    }

    #[test]
    fn small_samples_and_edge_cases() {
        let a =
            ArrayD::from_shape_vec(IxDyn(&[3, 2]), vec![1.0, f64::NAN, 3.0, f64::NAN, 2.0, 5.0])
                .unwrap();
        let x = DataArray::from_ndarray("x", ["s", "r"], a, &[1, 2]).unwrap();
        // More quantiles than samples along "r" (padding path).
        let q = x.quantile(&[0.0, 0.25, 0.5, 1.0], "r", None).unwrap();
        assert_eq!(q.shape(), &[4, 3]);
        let v = q.values::<f64>().unwrap();
        assert_close(
            &v.iter().copied().collect::<Vec<_>>(),
            &[1.0, 3.0, 2.0, 1.0, 3.0, 2.75, 1.0, 3.0, 3.5, 1.0, 3.0, 5.0],
            "padded",
        );
        // No reduced dims: every value is its own sample.
        let same = x.quantile_scalar(0.3, Dims::Names(vec![]), None).unwrap();
        assert_eq!(same.dims(), x.dims());
        let got: Vec<f64> = same.values::<f64>().unwrap().iter().copied().collect();
        assert_close(&got, &[1.0, f64::NAN, 3.0, f64::NAN, 2.0, 5.0], "identity");
        // Integers: median in float64.
        let i = ArrayD::from_shape_vec(IxDyn(&[4]), vec![4i32, 1, 3, 2]).unwrap();
        let i = DataArray::from_ndarray("i", ["n"], i, &[3]).unwrap();
        let m = i.median("n", None).unwrap();
        assert_eq!(m.dtype(), DType::F64);
        assert_eq!(m.values::<f64>().unwrap()[[]], 2.5);
        // Empty samples and no quantiles.
        let e = DataArray::from_ndarray(
            "e",
            ["s", "r"],
            ArrayD::<f64>::zeros(IxDyn(&[3, 0])),
            &[2, 1],
        )
        .unwrap();
        let m = e.median("r", None).unwrap().values::<f64>().unwrap();
        assert!(m.len() == 3 && m.iter().all(|v| v.is_nan()));
        assert_eq!(x.quantile(&[], "r", None).unwrap().shape(), &[0, 3]);
        // Errors.
        assert!(x.quantile(&[1.5], "r", None).is_err());
        assert!(x.quantile(&[f64::NAN], "r", None).is_err());
        assert!(x.median("nope", None).is_err());
        assert!(x.median(["r", "r"], None).is_err());
        let b = DataArray::from_ndarray("b", ["n"], ArrayD::from_elem(IxDyn(&[2]), true), &[2])
            .unwrap();
        assert!(b.median("n", None).is_err());
    }
}
