//! The [`EliminateCommonSubexpressions`] rule and its before/after tests.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::{OptimizerRule, apply};

use crate::Result;
use crate::engine::dtype::DType;
use crate::engine::expr::Expr;
use crate::engine::graph::{AxisSlice, LazyArray, Op, ScanKind};
use crate::engine::grid::ChunkGrid;
use crate::engine::reduce_spec::ReduceSpec;

#[derive(PartialEq, Eq, Hash)]
enum OpKey {
    Source(usize),
    Map(Arc<Expr>),
    Slice(Vec<AxisSlice>),
    Take(usize, Arc<Vec<usize>>),
    Gather(usize, Arc<Vec<usize>>),
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
        Op::Gather { k, points } => OpKey::Gather(*k, points.clone()),
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

/// Common subexpression elimination: structurally identical nodes become one node.
///
/// Users rebuild the same expression more often than they think (`x - x.mean()` and
/// `(x - x.mean())**2` both build `x.mean()`); after this pass the executor sees one
/// node with two consumers, which it evaluates once per task.
///
/// Unlike the other rules, this one remembers the nodes it has seen, so one value
/// serves one bottom-up walk over a set of roots: [`apply`] it over all the outputs
/// together (as [`optimize`](super::optimize) does), so that nodes shared between
/// outputs merge too, and use a fresh value for each walk.
#[derive(Default)]
pub struct EliminateCommonSubexpressions {
    canon: RefCell<HashMap<Key, LazyArray>>,
}

impl std::fmt::Debug for EliminateCommonSubexpressions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EliminateCommonSubexpressions")
            .field("nodes_seen", &self.canon.borrow().len())
            .finish()
    }
}

impl OptimizerRule for EliminateCommonSubexpressions {
    fn name(&self) -> &'static str {
        "eliminate_common_subexpressions"
    }

    fn rewrite(&self, n: &LazyArray) -> Result<Option<LazyArray>> {
        let key = (
            op_key(n.op()),
            n.inputs().iter().map(|i| i.id()).collect(),
            n.shape().to_vec(),
            n.dtype(),
            n.chunks().clone(),
        );
        let mut canon = self.canon.borrow_mut();
        match canon.get(&key) {
            Some(existing) if existing.id() != n.id() => Ok(Some(existing.clone())),
            Some(_) => Ok(None),
            None => {
                canon.insert(key, n.clone());
                Ok(None)
            }
        }
    }
}

/// Merges structurally identical nodes across all roots (one walk of
/// [`EliminateCommonSubexpressions`]).
pub fn eliminate_common_subexpressions(roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    apply(&EliminateCommonSubexpressions::default(), roots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BinaryOp;
    use crate::engine::optimize::rule::explain_around;
    use ndarray::{ArrayD, IxDyn};

    /// A 6 x 4 in-memory array in 2 x 2 chunks.
    fn x_6x4() -> LazyArray {
        LazyArray::from_ndarray(
            ndarray::Array::from_shape_fn(ndarray::IxDyn(&[6, 4]), |i| (i[0] * 4 + i[1]) as f64),
            &[2, 2],
        )
        .unwrap()
    }

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

    #[test]
    fn explain_before_and_after() {
        let x = x_6x4();
        let a = x.binary_scalar(BinaryOp::Mul, 2.0, false).unwrap();
        let b = x.binary_scalar(BinaryOp::Mul, 2.0, false).unwrap();
        let y = a.add(&b).unwrap();
        let (before, after) = explain_around(&EliminateCommonSubexpressions::default(), &y);
        assert_eq!(
            before,
            "\
@0 Map(3 instrs) float64 [6, 4] chunks [3, 2]
  @1 Map(3 instrs) float64 [6, 4] chunks [3, 2]
    @2 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
  @3 Map(3 instrs) float64 [6, 4] chunks [3, 2]
    @2
"
        );
        assert_eq!(
            after,
            "\
@0 Map(3 instrs) float64 [6, 4] chunks [3, 2]
  @1 Map(3 instrs) float64 [6, 4] chunks [3, 2]
    @2 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
  @1
"
        );
    }
}
