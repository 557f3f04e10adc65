//! The [`FuseReduce`] rule and its before/after tests.

use std::sync::Arc;

use super::OptimizerRule;
use super::fuse_elementwise::inline_maps;
use crate::Result;
use crate::engine::graph::{LazyArray, Op};

/// Fuses the elementwise maps that feed a reduction into the reduction itself.
///
/// `(sla * weights).sum(axes)` then reads each block of `sla`, multiplies and
/// accumulates tile by tile: read -> decode -> scale -> weight -> accumulate in one
/// pass with no block-sized temporary, let alone an array-sized one.
pub struct FuseReduce;

impl OptimizerRule for FuseReduce {
    fn name(&self) -> &'static str {
        "fuse_reduce"
    }

    fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>> {
        let Op::Reduce { spec, pre } = node.op() else {
            return Ok(None);
        };
        let shape = spec.in_grid.shape();
        Ok(inline_maps(node.inputs(), pre, &shape).map(|(inputs, e)| {
            LazyArray::from_parts(
                Op::Reduce {
                    spec: spec.clone(),
                    pre: Arc::new(e),
                },
                inputs,
                node.shape().to_vec(),
                node.dtype(),
                node.chunks().clone(),
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::optimize::rule::explain_around;
    use crate::engine::optimize::{FuseElementwise, apply};
    use crate::engine::{BinaryOp, ReduceKind, ReduceOptions};
    use ndarray::{Array, IxDyn};

    /// A 6 x 4 in-memory array in 2 x 2 chunks.
    fn x_6x4() -> LazyArray {
        LazyArray::from_ndarray(
            ndarray::Array::from_shape_fn(ndarray::IxDyn(&[6, 4]), |i| (i[0] * 4 + i[1]) as f64),
            &[2, 2],
        )
        .unwrap()
    }

    #[test]
    fn maps_feeding_a_reduction_are_fused_into_it() {
        let x = LazyArray::from_ndarray(
            Array::from_shape_fn(IxDyn(&[6, 5]), |i| (i[0] * 5 + i[1]) as f64),
            &[2, 5],
        )
        .unwrap();
        let w = LazyArray::from_ndarray(Array::from_shape_fn(IxDyn(&[5]), |i| i[0] as f64), &[5])
            .unwrap();
        let y = x
            .binary_scalar(BinaryOp::Sub, 1.0, false)
            .unwrap()
            .mul(&w)
            .unwrap()
            .reduce(ReduceKind::Sum, &[1], ReduceOptions::default())
            .unwrap();
        let fused = apply(
            &FuseReduce,
            &apply(&FuseElementwise, std::slice::from_ref(&y)).unwrap(),
        )
        .unwrap();
        let Op::Reduce { pre, .. } = fused[0].op() else {
            panic!("expected a reduction: {}", fused[0].explain())
        };
        assert!(!pre.is_identity());
        assert!(
            fused[0]
                .inputs()
                .iter()
                .all(|i| matches!(i.op(), Op::Source(_))),
            "{}",
            fused[0].explain()
        );
        let want: Vec<f64> = (0..6)
            .map(|r| (0..5).map(|c| ((r * 5 + c) as f64 - 1.0) * c as f64).sum())
            .collect();
        assert_eq!(fused[0].compute().unwrap().to_f64_vec(), want);
        assert_eq!(y.compute().unwrap().to_f64_vec(), want);
    }

    #[test]
    fn explain_before_and_after() {
        let y = x_6x4()
            .binary_scalar(BinaryOp::Mul, 2.0, false)
            .unwrap()
            .reduce(ReduceKind::Sum, &[1], ReduceOptions::default())
            .unwrap();
        let (before, after) = explain_around(&FuseReduce, &y);
        assert_eq!(
            before,
            "\
@0 Reduce(Sum, \"k,r\") float64 [6] chunks [3]
  @1 Map(3 instrs) float64 [6, 4] chunks [3, 2]
    @2 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
"
        );
        assert_eq!(
            after,
            "\
@0 Reduce(Sum, \"k,r\", fused 3 instrs) float64 [6] chunks [3]
  @1 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
"
        );
    }
}
