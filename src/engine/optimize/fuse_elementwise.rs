//! The [`FuseElementwise`] rule and its before/after tests.

use std::collections::HashMap;
use std::sync::Arc;

use super::OptimizerRule;
use crate::Result;
use crate::engine::expr::{Expr, ExprBuilder};
use crate::engine::graph::{LazyArray, Op};

/// Fuses chains of elementwise maps into one map whose program does all the steps.
///
/// `sqrt(a * 2 + b)` is built as three map nodes; after this pass it is one node with
/// a four-instruction program, evaluated tile by tile with no intermediate arrays.
/// A map is inlined into its consumer only when it has the consumer's full shape:
/// inlining a small map that the consumer broadcasts (weights computed from a 1-D
/// coordinate, say) would recompute it for every element of the large array.
pub struct FuseElementwise;

/// Inlines the maps among `inputs` that have shape `shape` into `expr`. Returns the new
/// inputs (deduplicated) and program, or `None` if nothing could be inlined.
pub(crate) fn inline_maps(
    inputs: &[LazyArray],
    expr: &Expr,
    shape: &[usize],
) -> Option<(Vec<LazyArray>, Expr)> {
    let inlinable = |i: &LazyArray| matches!(i.op(), Op::Map(_)) && i.shape() == shape;
    if !inputs.iter().any(inlinable) {
        return None;
    }
    let mut b = ExprBuilder::new();
    let mut new_inputs: Vec<LazyArray> = vec![];
    let mut slot: HashMap<usize, usize> = HashMap::new();
    let mut input_reg = |b: &mut ExprBuilder, n: &LazyArray| -> usize {
        let k = *slot.entry(n.id()).or_insert_with(|| {
            new_inputs.push(n.clone());
            new_inputs.len() - 1
        });
        b.input(k, n.dtype())
    };
    let mut args = Vec::with_capacity(inputs.len());
    for i in inputs {
        match i.op() {
            Op::Map(inner) if inlinable(i) => {
                let inner_args: Vec<usize> =
                    i.inputs().iter().map(|g| input_reg(&mut b, g)).collect();
                args.push(b.append(inner, &inner_args));
            }
            _ => args.push(input_reg(&mut b, i)),
        }
    }
    let out = b.append(expr, &args);
    Some((new_inputs, b.finish(out)))
}

impl OptimizerRule for FuseElementwise {
    fn name(&self) -> &'static str {
        "fuse_elementwise"
    }

    fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>> {
        let Op::Map(expr) = node.op() else {
            return Ok(None);
        };
        Ok(
            inline_maps(node.inputs(), expr, node.shape()).map(|(inputs, e)| {
                LazyArray::from_parts(
                    Op::Map(Arc::new(e)),
                    inputs,
                    node.shape().to_vec(),
                    node.dtype(),
                    node.chunks().clone(),
                )
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::optimize::apply;
    use crate::engine::optimize::rule::explain_around;
    use crate::engine::{BinaryOp, FloatFn};
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
    fn a_chain_of_maps_becomes_one_node() {
        let a = LazyArray::from_ndarray(
            Array::from_shape_fn(IxDyn(&[8, 3]), |i| i[0] as f32 + 0.5),
            &[3, 3],
        )
        .unwrap();
        let b = LazyArray::from_ndarray(
            Array::from_shape_fn(IxDyn(&[8, 3]), |i| i[1] as f64),
            &[8, 1],
        )
        .unwrap();
        let y = a
            .binary_scalar(BinaryOp::Mul, 2.0, false)
            .unwrap()
            .add(&b)
            .unwrap()
            .math(FloatFn::Sqrt)
            .unwrap()
            .sub(&a)
            .unwrap();
        assert_eq!(y.graph_size(), 6);
        let out = apply(&FuseElementwise, std::slice::from_ref(&y)).unwrap();
        // One map reading the two sources, `a` only once.
        assert_eq!(out[0].graph_size(), 3, "{}", out[0].explain());
        assert_eq!(out[0].inputs().len(), 2);
        assert_eq!(out[0].dtype(), y.dtype());
        assert_eq!(out[0].chunks(), y.chunks());
        let (f, u) = (
            out[0].compute().unwrap().to_f64_vec(),
            y.compute().unwrap().to_f64_vec(),
        );
        assert_eq!(f, u);
        assert_eq!(f[4], ((1.5f64 * 2.0 + 1.0).sqrt()) - 1.5);
    }

    #[test]
    fn small_broadcast_maps_stay_separate() {
        let big =
            LazyArray::from_ndarray(Array::from_elem(IxDyn(&[10, 4]), 1.0f64), &[5, 4]).unwrap();
        let lat = LazyArray::from_ndarray(Array::from_shape_fn(IxDyn(&[4]), |i| i[0] as f64), &[4])
            .unwrap();
        let w = lat.math(FloatFn::Cos).unwrap();
        let y = big.mul(&w).unwrap();
        let out = apply(&FuseElementwise, &[y]).unwrap();
        assert!(
            matches!(out[0].inputs()[1].op(), Op::Map(_)),
            "{}",
            out[0].explain()
        );
    }

    #[test]
    fn explain_before_and_after() {
        let y = x_6x4()
            .binary_scalar(BinaryOp::Mul, 2.0, false)
            .unwrap()
            .binary_scalar(BinaryOp::Add, 1.0, false)
            .unwrap()
            .math(FloatFn::Sqrt)
            .unwrap();
        let (before, after) = explain_around(&FuseElementwise, &y);
        assert_eq!(
            before,
            "\
@0 Map(2 instrs) float64 [6, 4] chunks [3, 2]
  @1 Map(3 instrs) float64 [6, 4] chunks [3, 2]
    @2 Map(3 instrs) float64 [6, 4] chunks [3, 2]
      @3 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
"
        );
        assert_eq!(
            after,
            "\
@0 Map(6 instrs) float64 [6, 4] chunks [3, 2]
  @1 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
"
        );
    }
}
