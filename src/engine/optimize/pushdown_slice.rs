//! The [`PushdownSlice`] rule and its before/after tests.

use std::sync::Arc;

use super::OptimizerRule;
use crate::Result;
use crate::engine::graph::{AxisSlice, LazyArray, Op};

/// Pushes slices and takes below elementwise maps and transposes, toward the sources.
///
/// `(a * b)[::2]` becomes `a[::2] * b[::2]`: only the selected part of each input is
/// ever requested, so a source reads only the chunks that hold it, and the map sits
/// directly on the data where it can fuse with the reduction that consumes it.
/// Inputs broadcast along an axis are not sliced along it.
pub struct PushdownSlice;

impl OptimizerRule for PushdownSlice {
    fn name(&self) -> &'static str {
        "pushdown_slice"
    }

    fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>> {
        let Some(input) = node.inputs().first() else {
            return Ok(None);
        };
        match (node.op(), input.op()) {
            (Op::Slice(spec), Op::Map(expr)) => {
                let n = input.ndim();
                let sliced = input
                    .inputs()
                    .iter()
                    .map(|i| {
                        let off = n - i.ndim();
                        let s: Vec<AxisSlice> = i
                            .shape()
                            .iter()
                            .enumerate()
                            .map(|(k, &len)| {
                                if len == 1 && input.shape()[k + off] != 1 {
                                    AxisSlice::full(1)
                                } else {
                                    spec[k + off]
                                }
                            })
                            .collect();
                        i.slice(&s)
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Some(remap(node, expr, sliced)))
            }
            (Op::Take { axis, indices }, Op::Map(expr)) => {
                let n = input.ndim();
                let taken = input
                    .inputs()
                    .iter()
                    .map(|i| {
                        let off = n - i.ndim();
                        if *axis < off || (i.shape()[axis - off] == 1 && input.shape()[*axis] != 1)
                        {
                            Ok(i.clone())
                        } else {
                            i.take(axis - off, indices)
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Some(remap(node, expr, taken)))
            }
            (Op::Slice(spec), Op::Transpose(perm)) => {
                let mut inner = vec![AxisSlice::full(0); perm.len()];
                for (i, &p) in perm.iter().enumerate() {
                    inner[p] = spec[i];
                }
                Ok(Some(input.inputs()[0].slice(&inner)?.transpose(perm)?))
            }
            _ => Ok(None),
        }
    }
}

/// The map over new inputs, keeping the chunking the user sees.
fn remap(node: &LazyArray, expr: &Arc<crate::engine::Expr>, inputs: Vec<LazyArray>) -> LazyArray {
    LazyArray::from_parts(
        Op::Map(expr.clone()),
        inputs,
        node.shape().to_vec(),
        node.dtype(),
        node.chunks().clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::optimize::apply;
    use crate::engine::optimize::rule::explain_around;
    use crate::engine::{ArrayData, BinaryOp, ChunkGrid, DType};
    use ndarray::{Array, IxDyn};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A 6 x 4 in-memory array in 2 x 2 chunks.
    fn x_6x4() -> LazyArray {
        LazyArray::from_ndarray(
            ndarray::Array::from_shape_fn(ndarray::IxDyn(&[6, 4]), |i| (i[0] * 4 + i[1]) as f64),
            &[2, 2],
        )
        .unwrap()
    }

    /// A 100 x 10 generated source counting the chunks it produces.
    fn counted() -> (LazyArray, Arc<AtomicUsize>) {
        let reads = Arc::new(AtomicUsize::new(0));
        let r = reads.clone();
        let grid = ChunkGrid::regular(&[100, 10], &[10, 10]).unwrap();
        let x = LazyArray::from_fn("counted", DType::F64, grid, move |_, region| {
            r.fetch_add(1, Ordering::Relaxed);
            let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
            let (r0, r1) = (region[0].start, region[1].start);
            Ok(ArrayData::new(Array::from_shape_fn(IxDyn(&shape), |i| {
                ((i[0] + r0) * 10 + i[1] + r1) as f64
            })))
        });
        (x, reads)
    }

    #[test]
    fn slice_moves_below_map_and_reads_only_needed_chunks() {
        let (x, reads) = counted();
        let w =
            LazyArray::from_ndarray(Array::from_elem(IxDyn(&[1, 10]), 2.0f64), &[1, 10]).unwrap();
        let y = x
            .binary(BinaryOp::Mul, &w)
            .unwrap()
            .slice_ranges(&[35..42, 0..10])
            .unwrap();
        let out = apply(&PushdownSlice, std::slice::from_ref(&y)).unwrap();
        assert!(matches!(out[0].op(), Op::Map(_)), "{}", out[0].explain());
        assert!(matches!(out[0].inputs()[0].op(), Op::Slice(_)));
        // The broadcast weights are not sliced along the broadcast axis.
        assert_eq!(out[0].inputs()[1].shape(), &[1, 10]);
        let v = out[0].compute().unwrap().to_f64_vec();
        assert_eq!(v[0], 700.0);
        assert_eq!(v.len(), 70);
        // Rows 35..42 lie in chunks 3 and 4 only.
        assert_eq!(reads.load(Ordering::Relaxed), 2);
        assert_eq!(y.compute().unwrap().to_f64_vec(), v);
    }

    #[test]
    fn take_moves_below_map() {
        let (x, reads) = counted();
        let y = x
            .binary_scalar(BinaryOp::Add, 1.0, false)
            .unwrap()
            .take(0, &[95, 3, 96])
            .unwrap();
        let out = apply(&PushdownSlice, &[y]).unwrap();
        assert!(
            matches!(out[0].inputs()[0].op(), Op::Take { .. }),
            "{}",
            out[0].explain()
        );
        let v = out[0].compute().unwrap().to_f64_vec();
        assert_eq!((v[0], v[10], v[20]), (951.0, 31.0, 961.0));
        // Output chunks follow the input chunks: [95] from chunk 9, [3] from chunk 0,
        // [96] from chunk 9 again; none of the other eight chunks is read.
        assert_eq!(reads.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn slice_moves_below_transpose() {
        let (x, _) = counted();
        let y = x
            .transpose(&[1, 0])
            .unwrap()
            .slice_ranges(&[2..4, 50..53])
            .unwrap();
        let out = apply(&PushdownSlice, std::slice::from_ref(&y)).unwrap();
        assert!(
            matches!(out[0].op(), Op::Transpose(_)),
            "{}",
            out[0].explain()
        );
        assert_eq!(out[0].compute().unwrap(), y.compute().unwrap());
    }

    #[test]
    fn explain_before_and_after() {
        let y = x_6x4()
            .binary_scalar(BinaryOp::Mul, 2.0, false)
            .unwrap()
            .slice_ranges(&[1..3, 0..4])
            .unwrap();
        let (before, after) = explain_around(&PushdownSlice, &y);
        let slice = "Slice([AxisSlice { start: 1, step: 1, len: 2 }, \
                     AxisSlice { start: 0, step: 1, len: 4 }]) float64 [2, 4] chunks [2, 2]";
        assert_eq!(
            before,
            format!(
                "\
@0 {slice}
  @1 Map(3 instrs) float64 [6, 4] chunks [3, 2]
    @2 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
"
            )
        );
        assert_eq!(
            after,
            format!(
                "\
@0 Map(3 instrs) float64 [2, 4] chunks [2, 2]
  @1 {slice}
    @2 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
"
            )
        );
    }
}
