//! Sums, products and means, in f64 or (for integers without a count) wrapping integers.

use std::any::Any;

use super::counts::{CountParts, CountSlices, Counts};
use super::layout::Walker;
use super::partial::{Acc, Partial, partial_common, wrap_out};
use crate::engine::chunk::ArrayData;
use crate::engine::exec::tile::{Src, Tileable};
use std::marker::PhantomData;

use crate::Result;
use crate::engine::dtype::{Element, Kind, cast};
use crate::engine::reduce_spec::{ReduceKind, ReduceSpec};

/// The arithmetic domain sums and products accumulate in.
pub(super) trait Domain: Element {
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

pub(super) struct SumAcc<T, D> {
    vals: Vec<D>,
    counts: Counts,
    skipna: bool,
    prod: bool,
    _t: PhantomData<T>,
}

impl<T: Element, D: Domain> SumAcc<T, D> {
    /// A partial of `cells` cells, counting valid elements when `counted`, each cell
    /// to receive at most `most` of them.
    pub(super) fn new(cells: usize, skipna: bool, prod: bool, counted: bool, most: u64) -> Self {
        let init = if prod { D::one() } else { D::zero() };
        SumAcc {
            vals: vec![init; cells],
            counts: Counts::new(if counted { cells } else { 0 }, most),
            skipna: skipna && T::KIND == Kind::Float,
            prod,
            _t: PhantomData,
        }
    }
    fn state(&self) -> (&Vec<D>, CountSlices<'_>) {
        (&self.vals, self.counts.parts())
    }
    fn set_state(&mut self, (vals, counts): (Vec<D>, CountParts)) -> Result<()> {
        super::partial::same_cells(self.vals.len(), vals.len())?;
        self.counts.set_parts(counts)?;
        self.vals = vals;
        Ok(())
    }
    fn merge_same(&mut self, o: Self) {
        for (a, b) in self.vals.iter_mut().zip(o.vals) {
            *a = if self.prod { a.times(b) } else { a.plus(b) };
        }
        self.counts.merge(o.counts);
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
        self.counts.add(cell, 1);
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
        self.counts.add(cell, n);
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
        self.counts.add_each(cell0, vals, self.skipna);
    }
}

impl<T: Tileable, D: Domain> Partial for SumAcc<T, D> {
    partial_common!();
    fn finish(self: Box<Self>, spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        let out = spec.out_dtype();
        let s = *self;
        // Straight into the output type: no float64 copy of the partial beside it.
        let min = if spec.kind == ReduceKind::Mean {
            None
        } else if spec.min_count > 0 {
            Some(spec.min_count as u64)
        } else {
            return Ok(wrap_out(s.vals, out, shape));
        };
        Ok(crate::with_dtype!(out, O => {
            let v: Vec<O> = s.counts.zip_map(&s.vals, |a, c| {
                cast::<f64, O>(match min {
                    None if c > 0 => a.to_f64() / c as f64,
                    Some(min) if c >= min => a.to_f64(),
                    _ => f64::NAN,
                })
            });
            wrap_out(v, out, shape)
        }))
    }
    fn nbytes(&self) -> usize {
        self.vals.len() * 8 + self.counts.nbytes()
    }
}
