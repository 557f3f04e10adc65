//! The accumulator traits and the one place a reduction picks its accumulator.

use std::any::Any;

use ndarray::{ArrayD, IxDyn};

use super::any_all::AnyAllAcc;
use super::count::CountAcc;
use super::extreme::ExtremeAcc;
use super::layout::Walker;
use super::moments::MomentAcc;
use super::sum::SumAcc;
use crate::Result;
use crate::engine::chunk::{ArrayData, Storable};
use crate::engine::dtype::{DType, Element, Kind, cast};
use crate::engine::exec::tile::Src;
use crate::engine::reduce_spec::{ReduceKind, ReduceSpec};

/// Per-element update rules of one accumulator type.
pub(super) trait Acc<T: Copy>: Send {
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
pub(super) use partial_common;

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

pub(super) fn wrap_out<S: Element>(vals: Vec<S>, dtype: DType, shape: &[usize]) -> ArrayData {
    crate::with_dtype!(dtype, D => {
        let v: Vec<D> = vals.into_iter().map(cast::<S, D>).collect();
        D::wrap(ArrayD::from_shape_vec(IxDyn(shape), v).expect("cells match the chunk shape"))
    })
}
