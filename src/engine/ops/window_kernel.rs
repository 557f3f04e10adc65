//! The rolling-window kernels: one block (a chunk and its halo) in, the chunk's window
//! statistics out, in O(1) work per element whatever the window's length.
//!
//! The block is walked along the rolling axis one *row* at a time (all positions that
//! share a place along the axis, contiguous in memory), `COLS` columns at a time, so
//! the accumulators of a column tile stay in cache and every inner loop runs over
//! contiguous memory. An earlier kernel walked each lane (strided by the row length),
//! copied it to a new vector and built prefix sums per lane: 70 % of a rolling mean's
//! time went to those allocations and strided reads.
//!
//! - Sum, mean, count, variance and standard deviation keep a running count, sum and
//!   sum of squares per column: a row enters the window, a row leaves it. Values are
//!   shifted by the column's first valid value, which keeps the sum of squares from
//!   cancelling catastrophically, and a column's sums restart from exact zeros
//!   whenever its window holds no valid value.
//! - Minimum and maximum use van Herk/Gil-Werman: the rows are cut into segments of
//!   the window's length; a window covers the tail of one segment (suffix extremes,
//!   computed backwards) and the head of the next (prefix extremes, computed forwards
//!   while the outputs are written): three comparisons per element.
//!
//! NaN is skipped everywhere; a window with fewer than `min_periods` valid values gives
//! NaN, as xarray's rolling reductions do. Float32 blocks are read as float32 (the sums
//! accumulate in float64) and give float32; other dtypes are promoted to float64.

use std::ops::Range;

use ndarray::{ArrayD, IxDyn};

use super::window::RollingKind;
use crate::Result;
use crate::engine::chunk::Storable;
use crate::engine::{ArrayData, DType};

/// Columns processed together: the accumulators of this many columns fit in L1/L2.
const COLS: usize = 1024;

/// A rolling window's placement and statistic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    /// Positions before the labelled one.
    pub before: usize,
    /// Positions after the labelled one.
    pub after: usize,
    /// The fewest valid values a window needs (at least 1).
    pub min_periods: usize,
    /// The statistic.
    pub kind: RollingKind,
}

/// The float types the kernels run on.
trait Float: Storable + Copy + PartialOrd + Into<f64> {
    const NAN: Self;
    fn nan(self) -> bool;
}

impl Float for f32 {
    const NAN: Self = f32::NAN;
    fn nan(self) -> bool {
        self.is_nan()
    }
}

impl Float for f64 {
    const NAN: Self = f64::NAN;
    fn nan(self) -> bool {
        self.is_nan()
    }
}

/// The window statistic along `axis` of the positions `inner` of `block` (a chunk
/// extended by its halo), each window covering `[i - before, i + after]` clipped to the
/// block. Float32 gives float32, anything else float64.
pub(crate) fn rolling_block(
    block: &ArrayData,
    axis: usize,
    inner: Range<usize>,
    w: &Window,
) -> Result<ArrayData> {
    match block.dtype() {
        DType::F32 => Ok(run(block.as_typed::<f32>()?, axis, inner, w)),
        DType::F64 => Ok(run(block.as_typed::<f64>()?, axis, inner, w)),
        _ => {
            let b = block.clone().cast(DType::F64);
            Ok(run(b.as_typed::<f64>()?, axis, inner, w))
        }
    }
}

fn run<T: Float>(x: &ArrayD<T>, axis: usize, inner: Range<usize>, w: &Window) -> ArrayData {
    let x = x.as_standard_layout();
    let data = x.as_slice().expect("a standard-layout array is contiguous");
    let shape = x.shape();
    let outer: usize = shape[..axis].iter().product();
    let len = shape[axis];
    let cols: usize = shape[axis + 1..].iter().product();
    let n = inner.len();
    let mut out = vec![T::NAN; outer * n * cols];
    let mut scratch = Scratch::new(cols.min(COLS), w);
    if cols > 0 {
        for o in 0..outer {
            let rows = Rows {
                data: &data[o * len * cols..(o + 1) * len * cols],
                cols,
                len,
            };
            let dst = &mut out[o * n * cols..(o + 1) * n * cols];
            for c0 in (0..cols).step_by(COLS) {
                let tile = c0..(c0 + COLS).min(cols);
                match w.kind {
                    RollingKind::Min => {
                        extremes::<T, false>(&rows, dst, tile, &inner, w, &mut scratch)
                    }
                    RollingKind::Max => {
                        extremes::<T, true>(&rows, dst, tile, &inner, w, &mut scratch)
                    }
                    _ => moments(&rows, dst, tile, &inner, w, &mut scratch.moments),
                }
            }
        }
    }
    let mut out_shape = shape.to_vec();
    out_shape[axis] = n;
    ArrayData::new(
        ArrayD::from_shape_vec(IxDyn(&out_shape), out).expect("the output has the chunk's shape"),
    )
}

/// One outer index's rows: `len` rows of `cols` contiguous values.
struct Rows<'a, T> {
    data: &'a [T],
    cols: usize,
    len: usize,
}

impl<T> Rows<'_, T> {
    /// Row `q`'s values in the columns `tile`; `None` outside the block.
    fn get(&self, q: isize, tile: &Range<usize>) -> Option<&[T]> {
        let q = usize::try_from(q).ok().filter(|&q| q < self.len)?;
        Some(&self.data[q * self.cols + tile.start..q * self.cols + tile.end])
    }
}

/// The buffers of a block's column tiles, allocated once per block.
struct Scratch<T> {
    moments: Moments,
    /// Suffix extremes of the current segment, one row per position in it.
    suffix: Vec<T>,
    /// Prefix extreme of the next segment, up to the current position.
    prefix: Vec<T>,
    /// Valid values in each column's window.
    count: Vec<u32>,
}

impl<T: Float> Scratch<T> {
    fn new(tc: usize, w: &Window) -> Self {
        let extremes = matches!(w.kind, RollingKind::Min | RollingKind::Max);
        let (mt, et) = if extremes { (0, tc) } else { (tc, 0) };
        Scratch {
            moments: Moments::new(mt),
            suffix: vec![T::NAN; (w.before + w.after + 1) * et],
            prefix: vec![T::NAN; et],
            count: vec![0; et],
        }
    }
}

/// Running count, shifted sum and shifted sum of squares of one column tile. The
/// updates are written without branches (selects), so that they vectorize.
struct Moments {
    count: Vec<f64>,
    shift: Vec<f64>,
    sum: Vec<f64>,
    sumsq: Vec<f64>,
}

impl Moments {
    fn new(n: usize) -> Self {
        Moments {
            count: vec![0.0; n],
            shift: vec![f64::NAN; n],
            sum: vec![0.0; n],
            sumsq: vec![0.0; n],
        }
    }

    /// Empties the accumulators of the first `n` columns.
    fn reset(&mut self, n: usize) {
        self.count[..n].fill(0.0);
        self.shift[..n].fill(f64::NAN);
        self.sum[..n].fill(0.0);
        self.sumsq[..n].fill(0.0);
    }

    fn add<T: Float>(&mut self, row: &[T]) {
        let n = row.len();
        let (c, sh) = (&mut self.count[..n], &mut self.shift[..n]);
        let (s, ss) = (&mut self.sum[..n], &mut self.sumsq[..n]);
        for i in 0..n {
            let v: f64 = row[i].into();
            let valid = !v.is_nan();
            // The first valid value a column sees becomes its shift.
            let shift = if sh[i].is_nan() { v } else { sh[i] };
            sh[i] = shift;
            let d = if valid { v - shift } else { 0.0 };
            c[i] += if valid { 1.0 } else { 0.0 };
            s[i] += d;
            ss[i] += d * d;
        }
    }

    fn remove<T: Float>(&mut self, row: &[T]) {
        let n = row.len();
        let (c, sh) = (&mut self.count[..n], &self.shift[..n]);
        let (s, ss) = (&mut self.sum[..n], &mut self.sumsq[..n]);
        for i in 0..n {
            let v: f64 = row[i].into();
            let valid = !v.is_nan();
            let d = if valid { v - sh[i] } else { 0.0 };
            let left = c[i] - if valid { 1.0 } else { 0.0 };
            c[i] = left;
            // An empty window restarts from exact zeros.
            s[i] = if left == 0.0 { 0.0 } else { s[i] - d };
            ss[i] = if left == 0.0 { 0.0 } else { ss[i] - d * d };
        }
    }

    /// Slides the window from `[c-1-before, c-1+after]` to `[c-before, c+after]`.
    fn slide<T: Float>(&mut self, rows: &Rows<T>, tile: &Range<usize>, c: isize, w: &Window) {
        if let Some(r) = rows.get(c + w.after as isize, tile) {
            self.add(r);
        }
        if let Some(r) = rows.get(c - 1 - w.before as isize, tile) {
            self.remove(r);
        }
    }

    /// Fills the window of the first output position `c`.
    fn start<T: Float>(&mut self, rows: &Rows<T>, tile: &Range<usize>, c: isize, w: &Window) {
        for q in c - w.before as isize..=c + w.after as isize {
            if let Some(r) = rows.get(q, tile) {
                self.add(r);
            }
        }
    }

    /// Writes the window statistic of every column into `out`; a window with fewer than
    /// `min_periods` valid values has none, not even a count (xarray).
    fn emit<T: Float>(&self, out: &mut [T], w: &Window) {
        let min = w.min_periods.max(1) as f64;
        let it = out.iter_mut().zip(&self.count).zip(&self.shift);
        let it = it.zip(&self.sum).zip(&self.sumsq);
        match w.kind {
            RollingKind::Count => {
                for ((((o, &n), _), _), _) in it {
                    *o = T::from_f64(if n >= min { n } else { f64::NAN });
                }
            }
            RollingKind::Sum => {
                for ((((o, &n), &sh), &s), _) in it {
                    *o = T::from_f64(if n >= min { s + sh * n } else { f64::NAN });
                }
            }
            RollingKind::Mean => {
                for ((((o, &n), &sh), &s), _) in it {
                    *o = T::from_f64(if n >= min { s / n + sh } else { f64::NAN });
                }
            }
            RollingKind::Var(ddof) | RollingKind::Std(ddof) => {
                let (ddof, root) = (ddof as f64, matches!(w.kind, RollingKind::Std(_)));
                for ((((o, &n), _), &s), &ss) in it {
                    // One value has no spread: exactly zero, whatever the sums kept.
                    let spread = if n == 1.0 { 0.0 } else { ss - s * s / n };
                    let var = spread.max(0.0) / (n - ddof);
                    let v = if root { var.sqrt() } else { var };
                    *o = T::from_f64(if n >= min && n > ddof { v } else { f64::NAN });
                }
            }
            RollingKind::Min | RollingKind::Max => unreachable!("extremes are not moments"),
        }
    }
}

/// Sum, mean, count, variance or standard deviation of one column tile.
fn moments<T: Float>(
    rows: &Rows<T>,
    dst: &mut [T],
    tile: Range<usize>,
    inner: &Range<usize>,
    w: &Window,
    m: &mut Moments,
) {
    m.reset(tile.len());
    for (k, c) in inner.clone().enumerate() {
        let c = c as isize;
        if k == 0 {
            m.start(rows, &tile, c, w);
        } else {
            m.slide(rows, &tile, c, w);
        }
        m.emit(
            &mut dst[k * rows.cols + tile.start..k * rows.cols + tile.end],
            w,
        );
    }
}

/// The larger (`MAX`) or smaller valid value of two; NaN only when both are NaN.
#[inline(always)]
fn pick<T: Float, const MAX: bool>(a: T, b: T) -> T {
    let better = if MAX { b > a } else { b < a };
    if a.nan() || better { b } else { a }
}

/// Minimum or maximum of one column tile (van Herk/Gil-Werman).
fn extremes<T: Float, const MAX: bool>(
    rows: &Rows<T>,
    dst: &mut [T],
    tile: Range<usize>,
    inner: &Range<usize>,
    w: &Window,
    scratch: &mut Scratch<T>,
) {
    let tc = tile.len();
    let width = w.before + w.after + 1;
    let n = inner.len();
    let suffix = &mut scratch.suffix[..width * tc];
    let prefix = &mut scratch.prefix[..tc];
    let count = &mut scratch.count[..tc];
    count.fill(0);
    let first = inner.start as isize - w.before as isize;
    for seg in (0..n).step_by(width) {
        let s = first + seg as isize;
        for j in (0..width).rev() {
            let (head, tail) = suffix.split_at_mut((j + 1) * tc);
            let h = &mut head[j * tc..];
            if j + 1 < width {
                h.copy_from_slice(&tail[..tc]);
            } else {
                h.fill(T::NAN);
            }
            if let Some(r) = rows.get(s + j as isize, &tile) {
                for (h, &v) in h.iter_mut().zip(r) {
                    *h = pick::<T, MAX>(*h, v);
                }
            }
        }
        prefix.fill(T::NAN);
        for j in 0..width.min(n - seg) {
            let k = seg + j;
            let c = (inner.start + k) as isize;
            update_count(rows, &tile, c, k == 0, w, count);
            let out = &mut dst[k * rows.cols + tile.start..k * rows.cols + tile.end];
            let h = &suffix[j * tc..(j + 1) * tc];
            for (((o, &h), &p), &cnt) in out.iter_mut().zip(h).zip(&*prefix).zip(&*count) {
                *o = if (cnt as usize) < w.min_periods {
                    T::NAN
                } else {
                    pick::<T, MAX>(h, p)
                };
            }
            if let Some(r) = rows.get(s + (width + j) as isize, &tile) {
                for (p, &v) in prefix.iter_mut().zip(r) {
                    *p = pick::<T, MAX>(*p, v);
                }
            }
        }
    }
}

/// Moves the running valid count of a column tile to the window of position `c`.
fn update_count<T: Float>(
    rows: &Rows<T>,
    tile: &Range<usize>,
    c: isize,
    first: bool,
    w: &Window,
    count: &mut [u32],
) {
    let mut add = |r: &[T], up: bool| {
        for (n, v) in count.iter_mut().zip(r) {
            let valid = u32::from(!v.nan());
            *n = if up { *n + valid } else { *n - valid };
        }
    };
    if first {
        for q in c - w.before as isize..=c + w.after as isize {
            if let Some(r) = rows.get(q, tile) {
                add(r, true);
            }
        }
    } else {
        if let Some(r) = rows.get(c + w.after as isize, tile) {
            add(r, true);
        }
        if let Some(r) = rows.get(c - 1 - w.before as isize, tile) {
            add(r, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(values: &[f64], before: usize, after: usize, kind: RollingKind) -> Vec<f64> {
        let block = ArrayData::new(
            ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).unwrap(),
        );
        let w = Window {
            before,
            after,
            min_periods: 1,
            kind,
        };
        rolling_block(&block, 0, 0..values.len(), &w)
            .unwrap()
            .into_typed::<f64>()
            .unwrap()
            .into_raw_vec_and_offset()
            .0
    }

    fn same(got: &[f64], want: &[f64]) {
        let ok = got.len() == want.len()
            && got
                .iter()
                .zip(want)
                .all(|(g, w)| g == w || g.is_nan() && w.is_nan());
        assert!(ok, "got {got:?}, want {want:?}");
    }

    #[test]
    fn running_sums_and_extremes_of_a_lane() {
        let nan = f64::NAN;
        let v = [1.0, nan, 3.0, -2.0, 5.0, nan, nan, nan, 4.0];
        let sum = [1.0, 4.0, 1.0, 6.0, 3.0, 5.0, nan, 4.0, 4.0];
        same(&lane(&v, 1, 1, RollingKind::Sum), &sum);
        let max = [1.0, 1.0, 3.0, 3.0, 5.0, 5.0, 5.0, nan, 4.0];
        same(&lane(&v, 2, 0, RollingKind::Max), &max);
        let min = [-2.0, -2.0, -2.0, -2.0, 5.0, 4.0, 4.0, 4.0, 4.0];
        same(&lane(&v, 0, 3, RollingKind::Min), &min);
        // A window left with one valid value has a variance of exactly zero, whatever
        // the values that passed through the running sums.
        let v = [1000.1, 2.3, 7.9, nan, nan, 5.7];
        assert_eq!(lane(&v, 2, 0, RollingKind::Var(0))[5], 0.0);
    }

    #[test]
    fn float32_stays_float32_and_columns_are_independent() {
        let a = ArrayD::from_shape_fn(IxDyn(&[6, 3]), |i| (i[0] * 10 + i[1]) as f32);
        let w = Window {
            before: 1,
            after: 0,
            min_periods: 2,
            kind: RollingKind::Mean,
        };
        let r = rolling_block(&ArrayData::new(a), 0, 1..6, &w).unwrap();
        let r = r.into_typed::<f32>().unwrap();
        assert_eq!(r.shape(), &[5, 3]);
        assert_eq!(r[[0, 2]], 7.0);
        assert_eq!(r[[4, 1]], 46.0);
    }
}
