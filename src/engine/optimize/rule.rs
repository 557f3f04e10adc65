//! The trait every optimizer rule implements, and the walk that applies one rule.

use crate::Result;
use crate::engine::graph::{LazyArray, transform_roots};

/// One local rewrite of the graph, applied bottom-up to every node.
pub trait OptimizerRule {
    /// A short name for plans, debugging, and the context of the [`Error::Internal`](crate::Error::Internal)
    /// that [`optimize`](super::optimize) returns when the rule breaks an invariant.
    fn name(&self) -> &'static str;
    /// A replacement for `node` (whose inputs are already rewritten), or `None`.
    fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>>;
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

/// The plan of `y` before and after one application of `rule` (the rules' tests).
#[cfg(test)]
pub(crate) fn explain_around(rule: &dyn OptimizerRule, y: &LazyArray) -> (String, String) {
    let out = apply(rule, std::slice::from_ref(y)).expect("the rule applies");
    (y.explain(), out[0].explain())
}
