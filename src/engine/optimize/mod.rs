//! Optimizer passes over the logical graph.
//!
//! Each rule is one small rewrite in its own file with its own tests; [`optimize`]
//! applies them in a fixed order over all outputs together, so nodes the outputs
//! share stay shared (and their reads happen once).

mod anomaly_moments;
mod cse;
mod fuse_elementwise;
mod fuse_reduce;
mod pushdown_slice;
mod remove_noop;

pub use anomaly_moments::AnomalyMoments;
pub use cse::eliminate_common_subexpressions;
pub use fuse_elementwise::FuseElementwise;
pub use fuse_reduce::FuseReduce;
pub use pushdown_slice::PushdownSlice;
pub use remove_noop::RemoveNoop;

use crate::Result;
use crate::engine::graph::{LazyArray, transform_roots};

/// One local rewrite of the graph, applied bottom-up to every node.
pub trait OptimizerRule {
    /// A short name for plans and debugging.
    fn name(&self) -> &'static str;
    /// A replacement for `node` (whose inputs are already rewritten), or `None`.
    fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>>;
}

/// The rules in the order they run.
pub fn rules() -> Vec<Box<dyn OptimizerRule>> {
    vec![
        Box::new(RemoveNoop),
        Box::new(AnomalyMoments),
        Box::new(PushdownSlice),
        Box::new(RemoveNoop),
        Box::new(FuseElementwise),
        Box::new(FuseReduce),
    ]
}

/// Applies one rule to every node of the graphs, bottom-up, until nothing changes
/// at a node (a rule's output is offered to the rule again).
pub fn apply(rule: &dyn OptimizerRule, roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    transform_roots(roots, &mut |n| {
        let mut current: Option<LazyArray> = None;
        for _ in 0..16 {
            let node = current.as_ref().unwrap_or(n);
            match rule.rewrite(node)? {
                Some(next) if next.id() != node.id() => current = Some(next),
                _ => break,
            }
        }
        Ok(current)
    })
}

/// Rewrites the graphs of several outputs together.
pub fn optimize(roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    let mut roots = eliminate_common_subexpressions(roots)?;
    for rule in rules() {
        roots = apply(rule.as_ref(), &roots)?;
    }
    eliminate_common_subexpressions(&roots)
}
