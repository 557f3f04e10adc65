//! Common subexpression elimination: structurally identical nodes become one node.
//!
//! Users rebuild the same expression more often than they think (`x - x.mean()` and
//! `(x - x.mean())**2` both build `x.mean()`); after this pass the executor sees one
//! node with two consumers, which it evaluates once per task.

use std::collections::HashMap;
use std::sync::Arc;

use crate::Result;
use crate::engine::dtype::DType;
use crate::engine::expr::Expr;
use crate::engine::graph::{AxisSlice, LazyArray, Op, ScanKind, transform_roots};
use crate::engine::grid::ChunkGrid;
use crate::engine::reduce_spec::ReduceSpec;

#[derive(PartialEq, Eq, Hash)]
enum OpKey {
    Source(usize),
    Map(Arc<Expr>),
    Slice(Vec<AxisSlice>),
    Take(usize, Arc<Vec<usize>>),
    Transpose(Vec<usize>),
    UnitAxes(Vec<Option<usize>>),
    Broadcast,
    Concat(usize),
    Rechunk,
    Reduce(Arc<ReduceSpec>, Arc<Expr>),
    Scan(usize, ScanKind, bool),
    MapBlocks(usize),
    Overlap(usize),
}

fn op_key(op: &Op) -> OpKey {
    match op {
        Op::Source(s) => OpKey::Source(Arc::as_ptr(s) as *const () as usize),
        Op::Map(e) => OpKey::Map(e.clone()),
        Op::Slice(s) => OpKey::Slice(s.clone()),
        Op::Take { axis, indices } => OpKey::Take(*axis, indices.clone()),
        Op::Transpose(p) => OpKey::Transpose(p.clone()),
        Op::UnitAxes(m) => OpKey::UnitAxes(m.clone()),
        Op::Broadcast => OpKey::Broadcast,
        Op::Concat(a) => OpKey::Concat(*a),
        Op::Rechunk => OpKey::Rechunk,
        Op::Reduce { spec, pre } => OpKey::Reduce(spec.clone(), pre.clone()),
        Op::Scan { axis, kind, skipna } => OpKey::Scan(*axis, *kind, *skipna),
        Op::MapBlocks { f, .. } => OpKey::MapBlocks(Arc::as_ptr(f) as *const () as usize),
        Op::Overlap { f, .. } => OpKey::Overlap(Arc::as_ptr(f) as *const () as usize),
    }
}

type Key = (OpKey, Vec<usize>, Vec<usize>, DType, ChunkGrid);

/// Merges structurally identical nodes across all roots.
pub fn eliminate_common_subexpressions(roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    let mut canon: HashMap<Key, LazyArray> = HashMap::new();
    transform_roots(roots, &mut |n| {
        let key = (
            op_key(n.op()),
            n.inputs().iter().map(|i| i.id()).collect(),
            n.shape().to_vec(),
            n.dtype(),
            n.chunks().clone(),
        );
        match canon.get(&key) {
            Some(existing) if existing.id() != n.id() => Ok(Some(existing.clone())),
            Some(_) => Ok(None),
            None => {
                canon.insert(key, n.clone());
                Ok(None)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BinaryOp;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn identical_expressions_become_one_node() {
        let x =
            LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[4, 4]), 1.0f64), &[2, 2]).unwrap();
        let a = x.binary_scalar(BinaryOp::Mul, 2.0, false).unwrap();
        let b = x.binary_scalar(BinaryOp::Mul, 2.0, false).unwrap();
        let c = x.binary_scalar(BinaryOp::Mul, 3.0, false).unwrap();
        assert_ne!(a.id(), b.id());
        let out = eliminate_common_subexpressions(&[a, b, c]).unwrap();
        assert_eq!(out[0].id(), out[1].id());
        assert_ne!(out[0].id(), out[2].id());
    }

    #[test]
    fn shared_subtrees_merge_below_different_roots() {
        let x = LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[6]), 1.0f32), &[2]).unwrap();
        let m1 = x.mean(&[0]).unwrap();
        let m2 = x.mean(&[0]).unwrap();
        let d1 = x.sub(&m1).unwrap();
        let d2 = x
            .sub(&m2)
            .unwrap()
            .unary(crate::engine::UnaryOp::Abs)
            .unwrap();
        let out = eliminate_common_subexpressions(&[d1, d2]).unwrap();
        // The two `x - mean` nodes are one after the pass.
        assert_eq!(out[0].id(), out[1].inputs()[0].id());
    }
}
