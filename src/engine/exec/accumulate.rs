//! Streaming reduction state: mergeable partial accumulators per output chunk, and
//! the walk that maps each block element to its accumulator cell.
//!
//! A block is fed tile by tile in C order. The walk cuts tiles into runs along the
//! innermost axis: a reduced innermost axis feeds one cell, a kept one feeds
//! consecutive cells, a grouped one looks up each element's group. Partials of the
//! same output chunk from different threads are merged, then finished.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use super::tile::{Src, Tileable};
use crate::engine::chunk::{ArrayData, Storable};
use crate::engine::dtype::{DType, Element, Kind, cast};
use crate::engine::reduce_spec::{AxisRole, ReduceKind, ReduceSpec};
use crate::{Error, Result};

#[derive(Clone, Debug)]
enum AxisMap {
    Keep {
        stride: usize,
    },
    Reduce {
        start: usize,
    },
    Group {
        stride: usize,
        labels: Arc<Vec<i64>>,
        start: usize,
        /// The first group the partial holds (it holds one output chunk's groups).
        first: i64,
    },
}

/// Where the elements of one input block go in its output chunk's accumulator.
#[derive(Clone, Debug)]
pub(crate) struct BlockLayout {
    shape: Vec<usize>,
    maps: Vec<AxisMap>,
    base: usize,
}

impl BlockLayout {
    /// The layout of block `region` (in the reduction's input) feeding a partial that
    /// covers `outer` along the kept axes, and along grouped axes the groups of the
    /// output chunks that the input positions `outer` feed.
    pub(crate) fn within(
        spec: &ReduceSpec,
        region: &[std::ops::Range<usize>],
        outer: &[std::ops::Range<usize>],
    ) -> Self {
        let shape: Vec<usize> = region.iter().map(|r| r.end - r.start).collect();
        let cells: Vec<std::ops::Range<usize>> = spec
            .roles
            .iter()
            .zip(outer)
            .enumerate()
            .map(|(axis, (r, o))| match r {
                AxisRole::Group { .. } => spec.group_cells(axis, o),
                _ => 0..o.len(),
            })
            .collect();
        // Accumulator axes are the kept and grouped axes, in order, C-contiguous.
        let acc_len: Vec<usize> = spec
            .roles
            .iter()
            .zip(&cells)
            .filter_map(|(r, c)| match r {
                AxisRole::Reduce => None,
                _ => Some(c.len()),
            })
            .collect();
        let mut acc_strides = vec![1usize; acc_len.len()];
        for i in (0..acc_len.len().saturating_sub(1)).rev() {
            acc_strides[i] = acc_strides[i + 1] * acc_len[i + 1];
        }
        let mut k = 0;
        let mut base = 0;
        let maps = spec
            .roles
            .iter()
            .zip(region.iter().zip(outer).zip(&cells))
            .map(|(r, ((reg, out), cell))| match r {
                AxisRole::Keep => {
                    k += 1;
                    base += (reg.start - out.start) * acc_strides[k - 1];
                    AxisMap::Keep {
                        stride: acc_strides[k - 1],
                    }
                }
                AxisRole::Reduce => AxisMap::Reduce { start: reg.start },
                AxisRole::Group { labels, .. } => {
                    k += 1;
                    AxisMap::Group {
                        stride: acc_strides[k - 1],
                        labels: labels.clone(),
                        start: reg.start,
                        first: cell.start as i64,
                    }
                }
            })
            .collect();
        BlockLayout { shape, maps, base }
    }

    /// Number of elements in the block.
    pub(crate) fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The block's shape.
    pub(crate) fn shape(&self) -> &[usize] {
        &self.shape
    }
}

/// The position of the walk through one block; feed tiles in order.
pub(crate) struct Walker<'l> {
    layout: &'l BlockLayout,
    idx: Vec<usize>,
    row: Option<(Option<usize>, usize)>,
}

impl<'l> Walker<'l> {
    /// Starts at the first element of the block.
    pub(crate) fn new(layout: &'l BlockLayout) -> Self {
        Walker {
            layout,
            idx: vec![0; layout.shape.len()],
            row: None,
        }
    }

    /// (cell base of the current row or None if its group label is negative, position
    /// along the reduced axis if that axis is an outer one).
    fn row_base(&self) -> (Option<usize>, usize) {
        let n = self.idx.len();
        let mut base = self.layout.base;
        let mut pos = 0usize;
        for (axis, map) in self.layout.maps[..n - 1].iter().enumerate() {
            let i = self.idx[axis];
            match map {
                AxisMap::Keep { stride } => base += i * stride,
                AxisMap::Reduce { start } => pos = start + i,
                AxisMap::Group {
                    stride,
                    labels,
                    start,
                    first,
                } => {
                    pos = start + i;
                    let l = labels[pos];
                    if l < 0 {
                        return (None, pos);
                    }
                    base += (l - first) as usize * stride;
                }
            }
        }
        (Some(base), pos)
    }

    fn feed<T: Element, A: Acc<T>>(&mut self, vals: &[T], acc: &mut A) {
        let n = self.idx.len();
        if n == 0 {
            if !vals.is_empty() {
                acc.same(self.layout.base, vals, 0);
            }
            return;
        }
        let last = n - 1;
        let last_len = self.layout.shape[last];
        let mut t = 0;
        while t < vals.len() {
            let (base, pos) = match self.row {
                Some(r) => r,
                None => {
                    let r = self.row_base();
                    self.row = Some(r);
                    r
                }
            };
            let i0 = self.idx[last];
            let k = (last_len - i0).min(vals.len() - t);
            let v = &vals[t..t + k];
            if let Some(base) = base {
                match &self.layout.maps[last] {
                    AxisMap::Keep { stride } => {
                        if *stride == 1 {
                            acc.consecutive(base + i0, v, pos)
                        } else {
                            for (j, &x) in v.iter().enumerate() {
                                acc.one(base + (i0 + j) * stride, x, pos);
                            }
                        }
                    }
                    AxisMap::Reduce { start } => acc.same(base, v, start + i0),
                    AxisMap::Group {
                        stride,
                        labels,
                        start,
                        first,
                    } => {
                        let p0 = start + i0;
                        let labs = &labels[p0..p0 + k];
                        for (j, (&x, &l)) in v.iter().zip(labs).enumerate() {
                            if l >= 0 {
                                acc.one(base + (l - first) as usize * stride, x, p0 + j);
                            }
                        }
                    }
                }
            }
            t += k;
            self.idx[last] += k;
            if self.idx[last] == last_len {
                self.idx[last] = 0;
                self.row = None;
                for axis in (0..last).rev() {
                    self.idx[axis] += 1;
                    if self.idx[axis] < self.layout.shape[axis] {
                        break;
                    }
                    self.idx[axis] = 0;
                }
            }
        }
    }
}

/// Per-element update rules of one accumulator type.
trait Acc<T: Copy>: Send {
    fn one(&mut self, cell: usize, v: T, pos: usize);
    fn same(&mut self, cell: usize, vals: &[T], pos0: usize) {
        for (j, &v) in vals.iter().enumerate() {
            self.one(cell, v, pos0 + j);
        }
    }
    fn consecutive(&mut self, cell0: usize, vals: &[T], pos: usize) {
        for (j, &v) in vals.iter().enumerate() {
            self.one(cell0 + j, v, pos);
        }
    }
}

/// The partial result of a reduction for one output chunk, fed by blocks and merged
/// across threads.
pub(crate) trait Partial: Send {
    /// Feeds the next `len` elements of a block (C order) held in `vals`.
    fn feed(&mut self, walker: &mut Walker<'_>, vals: Src<'_>, len: usize);
    /// Absorbs another partial of the same output chunk.
    fn merge(&mut self, other: Box<dyn Partial>);
    /// The output chunk.
    fn finish(self: Box<Self>, spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData>;
    /// Bytes held.
    fn nbytes(&self) -> usize;
    /// For downcasting in `merge`.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

macro_rules! partial_common {
    () => {
        fn feed(&mut self, walker: &mut Walker<'_>, vals: Src<'_>, len: usize) {
            walker.feed(vals.get::<T>(len), self);
        }
        fn merge(&mut self, other: Box<dyn Partial>) {
            let other = other
                .into_any()
                .downcast::<Self>()
                .expect("partials of one output chunk have one type");
            self.merge_same(*other);
        }
        fn into_any(self: Box<Self>) -> Box<dyn Any> {
            self
        }
    };
}

/// A new, empty partial for an output chunk of `cells` cells.
pub(crate) fn new_partial(spec: &ReduceSpec, cells: usize) -> Box<dyn Partial> {
    let counted = spec.kind == ReduceKind::Mean || spec.min_count > 0;
    let sk = spec.skipna;
    crate::with_dtype!(spec.in_dtype, T => {
        match spec.kind {
            ReduceKind::Sum | ReduceKind::Prod | ReduceKind::Mean => {
                let prod = spec.kind == ReduceKind::Prod;
                if spec.kind == ReduceKind::Mean || T::KIND == Kind::Float || spec.min_count > 0 {
                    Box::new(SumAcc::<T, f64>::new(cells, sk, prod, counted)) as Box<dyn Partial>
                } else if T::KIND == Kind::Unsigned {
                    Box::new(SumAcc::<T, u64>::new(cells, sk, prod, counted))
                } else {
                    Box::new(SumAcc::<T, i64>::new(cells, sk, prod, counted))
                }
            }
            ReduceKind::Var | ReduceKind::Std => Box::new(MomentAcc::<T>::new(cells, sk)),
            ReduceKind::Min
            | ReduceKind::Max
            | ReduceKind::ArgMin
            | ReduceKind::ArgMax
            | ReduceKind::First
            | ReduceKind::Last => Box::new(ExtremeAcc::<T>::new(cells, spec.kind, sk)),
            ReduceKind::Count => Box::new(CountAcc::<T>::new(cells)),
            ReduceKind::Any | ReduceKind::All => Box::new(AnyAllAcc::<T>::new(cells, spec.kind == ReduceKind::All)),
        }
    })
}

fn wrap_out<S: Element>(vals: Vec<S>, dtype: DType, shape: &[usize]) -> ArrayData {
    crate::with_dtype!(dtype, D => {
        let v: Vec<D> = vals.into_iter().map(cast::<S, D>).collect();
        D::wrap(ArrayD::from_shape_vec(IxDyn(shape), v).expect("cells match the chunk shape"))
    })
}

/// The arithmetic domain sums and products accumulate in.
trait Domain: Element {
    fn zero() -> Self;
    fn one() -> Self;
    fn plus(self, o: Self) -> Self;
    fn times(self, o: Self) -> Self;
}
impl Domain for f64 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn plus(self, o: Self) -> Self {
        self + o
    }
    fn times(self, o: Self) -> Self {
        self * o
    }
}
macro_rules! int_domain {
    ($($t:ty),*) => {$(
        impl Domain for $t {
            fn zero() -> Self { 0 }
            fn one() -> Self { 1 }
            fn plus(self, o: Self) -> Self { self.wrapping_add(o) }
            fn times(self, o: Self) -> Self { self.wrapping_mul(o) }
        }
    )*};
}
int_domain!(i64, u64);

struct SumAcc<T, D> {
    vals: Vec<D>,
    counts: Vec<u64>,
    skipna: bool,
    prod: bool,
    _t: PhantomData<T>,
}

impl<T: Element, D: Domain> SumAcc<T, D> {
    fn new(cells: usize, skipna: bool, prod: bool, counted: bool) -> Self {
        let init = if prod { D::one() } else { D::zero() };
        SumAcc {
            vals: vec![init; cells],
            counts: if counted { vec![0; cells] } else { vec![] },
            skipna: skipna && T::KIND == Kind::Float,
            prod,
            _t: PhantomData,
        }
    }
    fn merge_same(&mut self, o: Self) {
        for (a, b) in self.vals.iter_mut().zip(o.vals) {
            *a = if self.prod { a.times(b) } else { a.plus(b) };
        }
        for (a, b) in self.counts.iter_mut().zip(o.counts) {
            *a += b;
        }
    }
}

impl<T: Element, D: Domain> Acc<T> for SumAcc<T, D> {
    #[inline(always)]
    fn one(&mut self, cell: usize, v: T, _pos: usize) {
        if self.skipna && v.is_nan() {
            return;
        }
        let x: D = cast(v);
        self.vals[cell] = if self.prod {
            self.vals[cell].times(x)
        } else {
            self.vals[cell].plus(x)
        };
        if !self.counts.is_empty() {
            self.counts[cell] += 1;
        }
    }

    fn same(&mut self, cell: usize, vals: &[T], _pos0: usize) {
        if self.prod {
            for &v in vals {
                self.one(cell, v, 0);
            }
            return;
        }
        // Four independent lanes: vectorizes and is more accurate than one running sum.
        let mut lanes = [D::zero(); 4];
        let mut n = 0u64;
        let mut chunks = vals.chunks_exact(4);
        if self.skipna {
            for c in &mut chunks {
                for (l, &v) in lanes.iter_mut().zip(c) {
                    let nan = v.is_nan();
                    *l = l.plus(if nan { D::zero() } else { cast(v) });
                    n += !nan as u64;
                }
            }
        } else {
            for c in &mut chunks {
                for (l, &v) in lanes.iter_mut().zip(c) {
                    *l = l.plus(cast(v));
                }
            }
            n = (vals.len() - chunks.remainder().len()) as u64;
        }
        let s = lanes[0].plus(lanes[1]).plus(lanes[2].plus(lanes[3]));
        self.vals[cell] = self.vals[cell].plus(s);
        if !self.counts.is_empty() {
            self.counts[cell] += n;
        }
        for &v in chunks.remainder() {
            self.one(cell, v, 0);
        }
    }

    fn consecutive(&mut self, cell0: usize, vals: &[T], _pos: usize) {
        let acc = &mut self.vals[cell0..cell0 + vals.len()];
        match (self.prod, self.skipna) {
            (false, false) => acc
                .iter_mut()
                .zip(vals)
                .for_each(|(a, &v)| *a = a.plus(cast(v))),
            (false, true) => acc
                .iter_mut()
                .zip(vals)
                .for_each(|(a, &v)| *a = a.plus(if v.is_nan() { D::zero() } else { cast(v) })),
            (true, _) => {
                for (j, &v) in vals.iter().enumerate() {
                    self.one(cell0 + j, v, 0);
                }
                return;
            }
        }
        if !self.counts.is_empty() {
            let c = &mut self.counts[cell0..cell0 + vals.len()];
            if self.skipna {
                c.iter_mut()
                    .zip(vals)
                    .for_each(|(c, v)| *c += !v.is_nan() as u64);
            } else {
                c.iter_mut().for_each(|c| *c += 1);
            }
        }
    }
}

impl<T: Tileable, D: Domain> Partial for SumAcc<T, D> {
    partial_common!();
    fn finish(self: Box<Self>, spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        let out = spec.out_dtype();
        let s = *self;
        if spec.kind == ReduceKind::Mean {
            let v: Vec<f64> = s
                .vals
                .iter()
                .zip(&s.counts)
                .map(|(&a, &c)| {
                    if c == 0 {
                        f64::NAN
                    } else {
                        a.to_f64() / c as f64
                    }
                })
                .collect();
            return Ok(wrap_out(v, out, shape));
        }
        if spec.min_count > 0 {
            let v: Vec<f64> = s
                .vals
                .iter()
                .zip(&s.counts)
                .map(|(&a, &c)| {
                    if (c as usize) < spec.min_count {
                        f64::NAN
                    } else {
                        a.to_f64()
                    }
                })
                .collect();
            return Ok(wrap_out(v, out, shape));
        }
        Ok(wrap_out(s.vals, out, shape))
    }
    fn nbytes(&self) -> usize {
        self.vals.len() * 8 + self.counts.len() * 8
    }
}

/// Count and the first two moments per cell, as sums of values shifted by the cell's
/// first valid value (`s1 = sum(x - k)`, `s2 = sum((x - k)^2)`): no division per
/// element, so rows vectorize, and with `k` a sample of the data the shift keeps the
/// cancellation in `s2 - s1^2/n` as small as Welford's. Partials merge with Chan et
/// al.'s formula.
struct MomentAcc<T> {
    n: Vec<f64>,
    k: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
    skipna: bool,
    _t: PhantomData<T>,
}

impl<T: Element> MomentAcc<T> {
    fn new(cells: usize, skipna: bool) -> Self {
        MomentAcc {
            n: vec![0.0; cells],
            k: vec![0.0; cells],
            s1: vec![0.0; cells],
            s2: vec![0.0; cells],
            skipna: skipna && T::KIND == Kind::Float,
            _t: PhantomData,
        }
    }
    /// (count, mean, sum of squared deviations) of cell `c`.
    fn moments(&self, c: usize) -> (f64, f64, f64) {
        let n = self.n[c];
        if n == 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let m = self.s1[c] / n;
        let m2 = self.s2[c] - self.s1[c] * m;
        // Rounding may leave a tiny negative; NaN must stay NaN (so no `max`).
        (n, self.k[c] + m, if m2 < 0.0 { 0.0 } else { m2 })
    }
    fn combine(&mut self, c: usize, nb: f64, mb: f64, m2b: f64) {
        if nb == 0.0 {
            return;
        }
        let (na, ma, m2a) = self.moments(c);
        let n = na + nb;
        let delta = mb - ma;
        // Stored with the mean as the shift: s1 = 0, s2 = m2.
        self.n[c] = n;
        self.k[c] = ma + delta * nb / n;
        self.s1[c] = 0.0;
        self.s2[c] = m2a + m2b + delta * delta * na * nb / n;
        if na == 0.0 {
            self.k[c] = mb;
            self.s2[c] = m2b;
        }
    }
    fn merge_same(&mut self, o: Self) {
        for c in 0..self.n.len() {
            let (n, m, m2) = o.moments(c);
            self.combine(c, n, m, m2);
        }
    }
}

impl<T: Element> Acc<T> for MomentAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, _pos: usize) {
        let x = v.to_f64();
        if self.skipna && x.is_nan() {
            return;
        }
        if self.n[c] == 0.0 {
            self.k[c] = x;
        }
        let d = x - self.k[c];
        self.n[c] += 1.0;
        self.s1[c] += d;
        self.s2[c] += d * d;
    }
    fn same(&mut self, c: usize, vals: &[T], _pos0: usize) {
        let valid = |v: &&T| !(self.skipna && v.is_nan());
        let (mut n, mut s) = (0.0, 0.0);
        for v in vals.iter().filter(valid) {
            n += 1.0;
            s += v.to_f64();
        }
        if n == 0.0 {
            return;
        }
        let m = s / n;
        let m2: f64 = vals
            .iter()
            .filter(valid)
            .map(|v| (v.to_f64() - m) * (v.to_f64() - m))
            .sum();
        self.combine(c, n, m, m2);
    }
    fn consecutive(&mut self, c0: usize, vals: &[T], _pos: usize) {
        let len = vals.len();
        let n = &mut self.n[c0..c0 + len];
        let k = &mut self.k[c0..c0 + len];
        let s1 = &mut self.s1[c0..c0 + len];
        let s2 = &mut self.s2[c0..c0 + len];
        // Branch-free per element (bit selects, not jumps) so the loop vectorizes.
        let skipna = self.skipna;
        for j in 0..len {
            let x = vals[j].to_f64();
            let valid = !skipna || !x.is_nan();
            k[j] = select(n[j] == 0.0 && valid, x, k[j]);
            let d = select(valid, x - k[j], 0.0);
            s1[j] += d;
            s2[j] += d * d;
            n[j] += select(valid, 1.0, 0.0);
        }
    }
}

/// `if cond { a } else { b }` as bit operations, which LLVM keeps branch-free.
#[inline(always)]
fn select(cond: bool, a: f64, b: f64) -> f64 {
    let m = (cond as u64).wrapping_neg();
    f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

impl<T: Tileable> Partial for MomentAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        let ddof = spec.ddof as f64;
        let v: Vec<f64> = self
            .n
            .iter()
            .enumerate()
            .map(|(c, &n)| {
                let m2 = self.moments(c).2;
                let var = if n - ddof <= 0.0 {
                    f64::NAN
                } else {
                    m2 / (n - ddof)
                };
                if spec.kind == ReduceKind::Std {
                    var.sqrt()
                } else {
                    var
                }
            })
            .collect();
        Ok(wrap_out(v, spec.out_dtype(), shape))
    }
    fn nbytes(&self) -> usize {
        self.n.len() * 32
    }
}

/// Which value of a lane an [`ExtremeAcc`] keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    Min,
    Max,
    First,
    Last,
}

/// Min, max, first or last, with their positions. Min/max ties and NaNs resolve to the
/// first position, as numpy; first/last go by position alone, passing over NaN when
/// skipped. Partials merge by value and position, so their order does not matter.
struct ExtremeAcc<T> {
    val: Vec<T>,
    pos: Vec<usize>,
    seen: Vec<bool>,
    nan_pos: Vec<usize>,
    keep: Keep,
    skipna: bool,
}

impl<T: Element> ExtremeAcc<T> {
    fn new(cells: usize, kind: ReduceKind, skipna: bool) -> Self {
        ExtremeAcc {
            val: vec![T::default(); cells],
            pos: vec![usize::MAX; cells],
            seen: vec![false; cells],
            nan_pos: vec![usize::MAX; cells],
            keep: match kind {
                ReduceKind::Max | ReduceKind::ArgMax => Keep::Max,
                ReduceKind::First => Keep::First,
                ReduceKind::Last => Keep::Last,
                _ => Keep::Min,
            },
            skipna,
        }
    }
    #[inline(always)]
    fn offer(&mut self, c: usize, v: T, pos: usize) {
        let better = !self.seen[c]
            || match self.keep {
                Keep::Max => v > self.val[c] || (v == self.val[c] && pos < self.pos[c]),
                Keep::Min => v < self.val[c] || (v == self.val[c] && pos < self.pos[c]),
                Keep::First => pos < self.pos[c],
                Keep::Last => pos > self.pos[c],
            };
        if better {
            self.val[c] = v;
            self.pos[c] = pos;
            self.seen[c] = true;
        }
    }
    fn merge_same(&mut self, o: Self) {
        for c in 0..self.val.len() {
            self.nan_pos[c] = self.nan_pos[c].min(o.nan_pos[c]);
            if o.seen[c] {
                self.offer(c, o.val[c], o.pos[c]);
            }
        }
    }
}

impl<T: Element> Acc<T> for ExtremeAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, pos: usize) {
        if v.is_nan() {
            if self.skipna {
                return;
            }
            if matches!(self.keep, Keep::Min | Keep::Max) {
                self.nan_pos[c] = self.nan_pos[c].min(pos);
                return;
            }
        }
        self.offer(c, v, pos);
    }
}

impl<T: Tileable> Partial for ExtremeAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        let s = *self;
        let empty = |what: &str| {
            Error::EmptyReduction(format!(
                "{:?} of an empty or all-NaN slice{what} has no result",
                spec.kind
            ))
        };
        if spec.kind.is_arg() {
            let mut out = Vec::with_capacity(s.val.len());
            for c in 0..s.val.len() {
                if s.nan_pos[c] != usize::MAX {
                    out.push(s.nan_pos[c] as i64);
                } else if s.seen[c] {
                    out.push(s.pos[c] as i64);
                } else {
                    return Err(empty(""));
                }
            }
            return Ok(wrap_out(out, DType::I64, shape));
        }
        let mut out = Vec::with_capacity(s.val.len());
        for c in 0..s.val.len() {
            if s.nan_pos[c] != usize::MAX {
                out.push(T::nan_or_default());
            } else if s.seen[c] {
                out.push(s.val[c]);
            } else if T::KIND == Kind::Float {
                out.push(T::nan_or_default());
            } else {
                return Err(empty(" of integers"));
            }
        }
        Ok(wrap_out(out, spec.out_dtype(), shape))
    }
    fn nbytes(&self) -> usize {
        self.val.len() * (std::mem::size_of::<T>() + 17)
    }
}

struct CountAcc<T> {
    n: Vec<i64>,
    _t: PhantomData<T>,
}

impl<T: Element> CountAcc<T> {
    fn new(cells: usize) -> Self {
        CountAcc {
            n: vec![0; cells],
            _t: PhantomData,
        }
    }
    fn merge_same(&mut self, o: Self) {
        self.n.iter_mut().zip(o.n).for_each(|(a, b)| *a += b);
    }
}

impl<T: Element> Acc<T> for CountAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, _pos: usize) {
        self.n[c] += !v.is_nan() as i64;
    }
}

impl<T: Tileable> Partial for CountAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, _spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        Ok(wrap_out(self.n, DType::I64, shape))
    }
    fn nbytes(&self) -> usize {
        self.n.len() * 8
    }
}

struct AnyAllAcc<T> {
    v: Vec<bool>,
    all: bool,
    _t: PhantomData<T>,
}

impl<T: Element> AnyAllAcc<T> {
    fn new(cells: usize, all: bool) -> Self {
        AnyAllAcc {
            v: vec![all; cells],
            all,
            _t: PhantomData,
        }
    }
    fn merge_same(&mut self, o: Self) {
        let all = self.all;
        self.v
            .iter_mut()
            .zip(o.v)
            .for_each(|(a, b)| *a = if all { *a && b } else { *a || b });
    }
}

impl<T: Element> Acc<T> for AnyAllAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, _pos: usize) {
        let t = v.truthy();
        self.v[c] = if self.all {
            self.v[c] && t
        } else {
            self.v[c] || t
        };
    }
}

impl<T: Tileable> Partial for AnyAllAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, _spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        Ok(wrap_out(self.v, DType::Bool, shape))
    }
    fn nbytes(&self) -> usize {
        self.v.len()
    }
}
