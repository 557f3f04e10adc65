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
use crate::engine::reduce_spec::{AxisRole, ReduceKind, ReduceSpec};

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
    /// The partial's state as bytes, for another process to merge (over MPI).
    fn to_bytes(&self) -> Vec<u8>;
    /// Replaces this partial's state with one that [`to_bytes`](Partial::to_bytes) wrote
    /// for a partial of the same reduction and output chunk.
    fn load_bytes(&mut self, bytes: &[u8]) -> Result<()>;
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
        fn to_bytes(&self) -> Vec<u8> {
            super::partial::encode(&self.state())
        }
        fn load_bytes(&mut self, bytes: &[u8]) -> crate::Result<()> {
            let state = super::partial::decode(bytes)?;
            self.set_state(state)
        }
    };
}
pub(super) use partial_common;

/// A partial's state as bytes (bincode: vectors of plain numbers).
pub(super) fn encode<S: serde::Serialize>(state: &S) -> Vec<u8> {
    bincode::serialize(state).expect("vectors of plain numbers always serialize")
}

/// The state [`encode`] wrote.
pub(super) fn decode<S: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<S> {
    bincode::deserialize(bytes)
        .map_err(|e| crate::Error::internal("reduction", format!("a partial's bytes: {e}")))
}

/// Checks that a received state has the cells of the partial it replaces.
pub(super) fn same_cells(have: usize, got: usize) -> Result<()> {
    if have == got {
        return Ok(());
    }
    Err(crate::Error::internal(
        "reduction",
        format!("a received partial has {got} cells where {have} were expected"),
    ))
}

/// A new, empty partial for an output chunk of `cells` cells.
pub(crate) fn new_partial(spec: &ReduceSpec, cells: usize) -> Box<dyn Partial> {
    let counted = spec.kind == ReduceKind::Mean || spec.min_count > 0;
    // The most input elements one output cell receives: those along every axis it
    // does not keep.
    let shape = spec.in_grid.shape();
    let most = spec
        .roles
        .iter()
        .zip(&shape)
        .filter(|(r, _)| **r != AxisRole::Keep)
        .fold(1u64, |m, (_, &n)| m.saturating_mul(n as u64));
    let sk = spec.skipna;
    crate::with_dtype!(spec.in_dtype, T => {
        match spec.kind {
            ReduceKind::Sum | ReduceKind::Prod | ReduceKind::Mean => {
                let prod = spec.kind == ReduceKind::Prod;
                if spec.kind == ReduceKind::Mean || T::KIND == Kind::Float || spec.min_count > 0 {
                    Box::new(SumAcc::<T, f64>::new(cells, sk, prod, counted, most)) as Box<dyn Partial>
                } else if T::KIND == Kind::Unsigned {
                    Box::new(SumAcc::<T, u64>::new(cells, sk, prod, counted, most))
                } else {
                    Box::new(SumAcc::<T, i64>::new(cells, sk, prod, counted, most))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ChunkGrid;
    use crate::engine::exec::accumulate::layout::BlockLayout;
    use crate::engine::reduce_spec::AxisRole;

    /// A partial of `kind` over axis 1 of a 3 × 4 block, fed `vals`.
    fn fed(kind: ReduceKind, vals: &[f64]) -> (ReduceSpec, Box<dyn Partial>) {
        let grid = ChunkGrid::regular(&[3, 4], &[3, 4]).unwrap();
        let mut spec = ReduceSpec::new(
            kind,
            vec![AxisRole::Keep, AxisRole::Reduce],
            grid,
            DType::F64,
        )
        .unwrap();
        spec.skipna = true;
        let mut p = new_partial(&spec, 3);
        let region = [0..3, 0..4];
        let layout = BlockLayout::within(&spec, &region, &region);
        let mut walker = Walker::new(&layout);
        let data = ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[3, 4]), vals.to_vec()).unwrap());
        p.feed(&mut walker, Src::Data(&data, 0), vals.len());
        (spec, p)
    }

    #[test]
    fn every_partial_survives_its_bytes() {
        let vals = [
            1.5,
            f64::NAN,
            -2.0,
            7.25,
            0.0,
            3.0,
            3.0,
            -1.0,
            f64::NAN,
            f64::NAN,
            2.0,
            9.5,
        ];
        for kind in [
            ReduceKind::Sum,
            ReduceKind::Prod,
            ReduceKind::Mean,
            ReduceKind::Std,
            ReduceKind::Min,
            ReduceKind::ArgMax,
            ReduceKind::Last,
            ReduceKind::Count,
            ReduceKind::Any,
        ] {
            let (spec, p) = fed(kind, &vals);
            let mut copy = new_partial(&spec, 3);
            copy.load_bytes(&p.to_bytes()).unwrap();
            let want = p.finish(&spec, &[3]).unwrap();
            let got = copy.finish(&spec, &[3]).unwrap();
            let bits = |d: &ArrayData| {
                d.to_f64_vec()
                    .iter()
                    .map(|x| x.to_bits())
                    .collect::<Vec<_>>()
            };
            assert_eq!(bits(&got), bits(&want), "{kind:?}");
            // A fresh partial has a state too, and it is not this one.
            assert_ne!(
                new_partial(&spec, 3).to_bytes(),
                fed(kind, &vals).1.to_bytes(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn bytes_of_another_size_or_garbage_are_errors() {
        let (spec, p) = fed(ReduceKind::Mean, &[1.0; 12]);
        let mut bigger = new_partial(&spec, 4);
        assert!(bigger.load_bytes(&p.to_bytes()).is_err());
        assert!(bigger.load_bytes(&[1, 2, 3]).is_err());
    }
}
