//! The [`RemoveNoop`] rule and its before/after tests.

use super::OptimizerRule;
use crate::Result;
use crate::engine::graph::{LazyArray, Op};

/// Removes operations that do nothing: rechunks to the grid the input already has,
/// identity transposes and full slices, and collapses chains of the same kind
/// (transpose of a transpose, slice of a slice, rechunk of a rechunk).
pub struct RemoveNoop;

impl OptimizerRule for RemoveNoop {
    fn name(&self) -> &'static str {
        "remove_noop"
    }

    fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>> {
        let Some(input) = node.inputs().first() else {
            return Ok(None);
        };
        Ok(match node.op() {
            Op::Rechunk if input.chunks() == node.chunks() => Some(input.clone()),
            Op::Rechunk if matches!(input.op(), Op::Rechunk) => {
                Some(input.inputs()[0].rechunk(node.chunks().clone())?)
            }
            Op::Transpose(perm) => {
                if perm.iter().enumerate().all(|(i, &p)| i == p) {
                    Some(input.clone())
                } else if let Op::Transpose(inner) = input.op() {
                    // out[i] = mid[perm[i]] = in[inner[perm[i]]]
                    let composed: Vec<usize> = perm.iter().map(|&p| inner[p]).collect();
                    Some(input.inputs()[0].transpose(&composed)?)
                } else {
                    None
                }
            }
            Op::Slice(spec) => {
                if spec.iter().zip(input.shape()).all(|(s, &n)| s.is_full(n)) {
                    Some(input.clone())
                } else if let Op::Slice(inner) = input.op() {
                    let composed: Vec<_> = inner.iter().zip(spec).map(|(a, b)| a.then(b)).collect();
                    Some(input.inputs()[0].slice(&composed)?)
                } else {
                    None
                }
            }
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::optimize::apply;
    use crate::engine::optimize::rule::explain_around;
    use ndarray::{Array, IxDyn};

    /// A 6 x 4 in-memory array in 2 x 2 chunks.
    fn x_6x4() -> LazyArray {
        LazyArray::from_ndarray(
            ndarray::Array::from_shape_fn(ndarray::IxDyn(&[6, 4]), |i| (i[0] * 4 + i[1]) as f64),
            &[2, 2],
        )
        .unwrap()
    }

    fn x() -> LazyArray {
        LazyArray::from_ndarray(
            Array::from_shape_fn(IxDyn(&[6, 4]), |i| (i[0] * 4 + i[1]) as f64),
            &[2, 2],
        )
        .unwrap()
    }

    #[test]
    fn transposes_compose_and_vanish() {
        let t = x().transpose(&[1, 0]).unwrap().transpose(&[1, 0]).unwrap();
        assert!(matches!(t.op(), Op::Transpose(_)));
        let out = apply(&RemoveNoop, std::slice::from_ref(&t)).unwrap();
        assert!(matches!(out[0].op(), Op::Source(_)), "{}", out[0].explain());
        assert_eq!(out[0].compute().unwrap(), t.compute().unwrap());
    }

    #[test]
    fn slices_compose() {
        let s = x()
            .slice_axis(0, Some(1), None, 2)
            .unwrap()
            .slice_axis(0, None, None, -1)
            .unwrap();
        let out = apply(&RemoveNoop, std::slice::from_ref(&s)).unwrap();
        assert!(
            matches!(out[0].inputs()[0].op(), Op::Source(_)),
            "{}",
            out[0].explain()
        );
        assert_eq!(out[0].compute().unwrap(), s.compute().unwrap());
        assert_eq!(
            out[0].compute().unwrap().to_f64_vec()[..4],
            [20.0, 21.0, 22.0, 23.0]
        );
    }

    #[test]
    fn rechunk_chains_collapse() {
        let r = x()
            .rechunk_regular(&[3, 4])
            .unwrap()
            .rechunk_regular(&[6, 1])
            .unwrap();
        let out = apply(&RemoveNoop, std::slice::from_ref(&r)).unwrap();
        assert_eq!(out[0].graph_size(), 2, "{}", out[0].explain());
        assert_eq!(out[0].chunks(), r.chunks());
    }

    #[test]
    fn explain_before_and_after() {
        let y = x_6x4()
            .transpose(&[1, 0])
            .unwrap()
            .transpose(&[1, 0])
            .unwrap();
        let (before, after) = explain_around(&RemoveNoop, &y);
        assert_eq!(
            before,
            "\
@0 Transpose([1, 0]) float64 [6, 4] chunks [3, 2]
  @1 Transpose([1, 0]) float64 [4, 6] chunks [2, 3]
    @2 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
"
        );
        assert_eq!(
            after,
            "@0 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]\n"
        );
    }
}
