//! The registered rules, in order, and the invariant checked after each of them.

use super::{
    AnomalyMoments, EliminateCommonSubexpressions, FuseElementwise, FuseReduce, OptimizerRule,
    PushdownSlice, RemoveNoop, apply,
};
use crate::engine::graph::LazyArray;
use crate::error::ensure;
use crate::{Error, Result};

/// The rules in the order they run. Common subexpressions are merged first (so later
/// rules see one node where the user built two) and last (rewrites may build
/// identical nodes again).
pub fn rules() -> Vec<Box<dyn OptimizerRule>> {
    vec![
        Box::new(EliminateCommonSubexpressions::default()),
        Box::new(RemoveNoop),
        Box::new(AnomalyMoments),
        Box::new(PushdownSlice),
        Box::new(RemoveNoop),
        Box::new(FuseElementwise),
        Box::new(FuseReduce),
        Box::new(EliminateCommonSubexpressions::default()),
    ]
}

/// Rewrites the graphs of several outputs together.
///
/// A rule may change how an output is computed, never what it is: after each rule,
/// every output keeps its shape, dtype and chunk grid, or this returns
/// [`Error::Internal`] naming the rule.
pub fn optimize(roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    run_rules(&rules(), roots)
}

fn run_rules(rules: &[Box<dyn OptimizerRule>], roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    let mut roots = roots.to_vec();
    for rule in rules {
        let next = apply(rule.as_ref(), &roots)?;
        check_outputs_unchanged(rule.name(), &roots, &next)?;
        roots = next;
    }
    Ok(roots)
}

/// The invariant every rule keeps: sinks and callers were sized from the outputs as
/// built, so an output that changed its shape, dtype or chunking would be written
/// wrong, not rejected.
fn check_outputs_unchanged(rule: &str, before: &[LazyArray], after: &[LazyArray]) -> Result<()> {
    let broken = |what: String| Error::internal(rule, what);
    ensure!(
        before.len() == after.len(),
        broken(format!("{} outputs became {}", before.len(), after.len()))
    );
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        ensure!(
            a.shape() == b.shape(),
            broken(format!(
                "output {i} changed shape from {:?} to {:?}",
                b.shape(),
                a.shape()
            ))
        );
        ensure!(
            a.dtype() == b.dtype(),
            broken(format!(
                "output {i} changed dtype from {} to {}",
                b.dtype(),
                a.dtype()
            ))
        );
        ensure!(
            a.chunks() == b.chunks(),
            broken(format!(
                "output {i} changed chunks from {:?} to {:?}",
                b.chunks().chunks(),
                a.chunks().chunks()
            ))
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use super::*;
    use crate::engine::Op;

    /// Drops the last element of every 1-D elementwise map: a rule wrong on purpose.
    struct ShrinkRoots;

    impl OptimizerRule for ShrinkRoots {
        fn name(&self) -> &'static str {
            "shrink_roots"
        }
        fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>> {
            if node.ndim() != 1 || node.shape()[0] < 2 || !matches!(node.op(), Op::Map(_)) {
                return Ok(None);
            }
            node.slice_axis(0, None, Some(-1), 1).map(Some)
        }
    }

    fn vector() -> LazyArray {
        LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[6]), 1.0f64), &[2]).unwrap()
    }

    #[test]
    fn a_rule_that_changes_an_output_shape_is_an_internal_error_naming_it() {
        let x = vector().mean(&[0]).unwrap();
        let y = vector().binary_scalar(crate::engine::BinaryOp::Add, 1.0, false);
        let err = run_rules(&[Box::new(ShrinkRoots)], &[x, y.unwrap()]).unwrap_err();
        match err {
            Error::Internal { context, message } => {
                assert_eq!(context, "shrink_roots");
                assert!(message.contains("output 1 changed shape"), "{message}");
            }
            other => panic!("expected Error::Internal, got {other:?}"),
        }
    }

    #[test]
    fn the_registered_rules_keep_outputs_unchanged() {
        let x = vector();
        let y = x
            .binary_scalar(crate::engine::BinaryOp::Mul, 2.0, false)
            .unwrap();
        let m = y.sub(&y.mean(&[0]).unwrap()).unwrap();
        let out = optimize(&[m.clone(), y.sum(&[0]).unwrap()]).unwrap();
        assert_eq!(out[0].shape(), m.shape());
    }
}
