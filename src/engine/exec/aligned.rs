//! Nested reductions that need not be staged: those whose every use reads each of
//! their chunks exactly once, aligned with the pass's blocks.
//!
//! Staging holds a nested reduction's whole result in memory. That is right for a
//! small result that is broadcast back (`x - x.mean("time")`), where computing it
//! where it is used would redo it for every block. It is wrong for a large result
//! used chunk for chunk (`t.mean("ensemble").groupby("time.season").mean()`): there,
//! each block of the pass can compute its own chunk of the nested reduction, and
//! nothing of it outlives the block. The executor stages what is small and computes
//! where used what is large (over an eighth of the budget) and passes this test.

use std::collections::HashMap;

use super::stage::{consumers, nested_reductions};
use crate::engine::graph::{LazyArray, Op};
use crate::engine::reduce_spec::AxisRole;

/// How the nodes below a set of roots are used, built once for all the nested
/// reductions asked about.
pub(super) struct Uses {
    consumers: HashMap<usize, Vec<LazyArray>>,
    roots: Vec<usize>,
}

impl Uses {
    /// The uses of every node below `roots`.
    pub(super) fn new(roots: &[LazyArray]) -> Uses {
        Uses {
            consumers: consumers(roots),
            roots: roots.iter().map(LazyArray::id).collect(),
        }
    }

    /// True when nested reduction `r` can be computed block by block where it is
    /// used: it groups nothing and has no reductions below it; it is not a root; and
    /// every node that consumes it, directly or through elementwise maps, reads it
    /// with its own chunking (an elementwise map of the same shape and chunks, or a
    /// root whose pass iterates over those chunks).
    pub(super) fn computed_where_used(&self, r: &LazyArray) -> bool {
        let Op::Reduce { spec, .. } = r.op() else {
            return false;
        };
        if spec
            .roles
            .iter()
            .any(|role| matches!(role, AxisRole::Group { .. }))
            || !nested_reductions(std::slice::from_ref(r)).is_empty()
            || self.roots.contains(&r.id())
        {
            return false;
        }
        self.read_aligned(r, &mut HashMap::new())
    }

    /// Whether every use of `x` reads its chunks one by one in the pass's order.
    fn read_aligned(&self, x: &LazyArray, memo: &mut HashMap<usize, bool>) -> bool {
        if let Some(&known) = memo.get(&x.id()) {
            return known;
        }
        let ok = match self.consumers.get(&x.id()) {
            // Used by nothing: a root, whose chunks the pass writes one by one.
            None => self.roots.contains(&x.id()),
            Some(cs) => cs.iter().all(|c| match c.op() {
                Op::Reduce { spec, .. } => {
                    self.roots.contains(&c.id()) && spec.in_grid == *x.chunks()
                }
                Op::Map(_) => {
                    c.shape() == x.shape() && c.chunks() == x.chunks() && self.read_aligned(c, memo)
                }
                _ => false,
            }),
        };
        memo.insert(x.id(), ok);
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::Uses;
    use crate::engine::{ChunkGrid, LazyArray, Scalar};

    fn computed_where_used(roots: &[LazyArray], r: &LazyArray) -> bool {
        Uses::new(roots).computed_where_used(r)
    }

    fn x() -> LazyArray {
        LazyArray::from_ndarray(
            ndarray::ArrayD::<f64>::zeros(ndarray::IxDyn(&[40, 6])),
            &[4, 6],
        )
        .unwrap()
    }

    #[test]
    fn a_reduction_read_chunk_for_chunk_is_computed_where_used() {
        let x = x();
        let m = x.mean(&[1]).unwrap();
        let scaled = m
            .binary_scalar(crate::engine::BinaryOp::Mul, Scalar::Float(2.0), false)
            .unwrap();
        let total = scaled.sum(&[0]).unwrap();
        assert!(computed_where_used(&[total], &m));
        // Written out chunk by chunk as a map of it.
        assert!(computed_where_used(std::slice::from_ref(&scaled), &m));
    }

    #[test]
    fn a_reduction_broadcast_back_or_wanted_itself_is_staged() {
        let x = x();
        let m = x.mean(&[0]).unwrap();
        let anomalies = x.sub(&m).unwrap();
        assert!(!computed_where_used(std::slice::from_ref(&anomalies), &m));
        let twice = m.add(&m).unwrap().sum(&[0]).unwrap();
        assert!(!computed_where_used(&[twice, m.clone()], &m));
        // Rechunked before use: its chunks no longer meet the pass's blocks one to one.
        let r = x.mean(&[1]).unwrap();
        let rechunked = r
            .rechunk(ChunkGrid::regular(&[40], &[8]).unwrap())
            .unwrap()
            .sum(&[0])
            .unwrap();
        assert!(!computed_where_used(&[rechunked], &r));
    }
}
