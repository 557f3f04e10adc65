//! Pointwise (vectorized) indexing: `gather` picks one element per point over the
//! leading axes, numpy's `a[idx0, idx1]` with index arrays of one shape. One node;
//! each output chunk reads, per input chunk its points fall in, only the box around
//! them.

use std::sync::Arc;

use crate::engine::graph::{LazyArray, Op};
use crate::engine::grid::{ChunkGrid, split_regular};
use crate::{Error, Result};

/// Points per output chunk along the points axis.
const POINTS_PER_CHUNK: usize = 256;

impl LazyArray {
    /// Replaces the first `indices.len()` axes by one axis of points: output
    /// `[j, rest..]` is input `[indices[0][j], indices[1][j], .., rest..]` (numpy's
    /// `a[i0, i1]` with 1-D index arrays of one length).
    ///
    /// ```
    /// use tessera::engine::LazyArray;
    /// let a = LazyArray::from_ndarray(ndarray::Array::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f64).into_dyn(), &[2, 3])?;
    /// let g = a.gather(&[vec![2, 0, 1], vec![3, 0, 2]])?;
    /// assert_eq!(g.compute()?.to_f64_vec(), vec![23.0, 0.0, 12.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn gather(&self, indices: &[Vec<usize>]) -> Result<LazyArray> {
        let k = indices.len();
        if k == 0 || k > self.ndim() {
            return Err(Error::invalid(format!(
                "gather needs 1 to {} index arrays, got {k}",
                self.ndim()
            )));
        }
        let n = indices[0].len();
        if let Some(bad) = indices.iter().find(|ix| ix.len() != n) {
            return Err(Error::invalid(format!(
                "gather index arrays must have one length: {n} and {}",
                bad.len()
            )));
        }
        let mut points = Vec::with_capacity(n * k);
        for j in 0..n {
            for (a, ix) in indices.iter().enumerate() {
                let len = self.shape()[a];
                if ix[j] >= len {
                    return Err(Error::IndexOutOfBounds(format!(
                        "index {} on axis {a} of length {len}",
                        ix[j]
                    )));
                }
                points.push(ix[j]);
            }
        }
        let mut shape = vec![n];
        shape.extend_from_slice(&self.shape()[k..]);
        let mut axes = vec![split_regular(n, POINTS_PER_CHUNK)];
        axes.extend(self.chunks().chunks()[k..].iter().cloned());
        let grid = ChunkGrid::new(axes)?;
        Ok(LazyArray::from_parts(
            Op::Gather {
                k,
                points: Arc::new(points),
            },
            vec![self.clone()],
            shape,
            self.dtype(),
            grid,
        ))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};
    use proptest::prelude::*;

    use crate::engine::LazyArray;

    proptest! {
        #[test]
        fn gather_equals_an_eager_pointwise_pick(
            (shape, chunks, pts) in (1usize..7, 1usize..7, 1usize..4).prop_flat_map(|(a, b, c)| (
                Just(vec![a, b, c]),
                (1..=a, 1..=b, 1..=c).prop_map(|(x, y, z)| vec![x, y, z]),
                proptest::collection::vec((0..a, 0..b), 0..12),
            )),
        ) {
            let n: usize = shape.iter().product();
            let data = ArrayD::from_shape_vec(IxDyn(&shape), (0..n).map(|v| v as f64).collect()).unwrap();
            let lazy = LazyArray::from_ndarray(data.clone(), &chunks).unwrap();
            let i0: Vec<usize> = pts.iter().map(|p| p.0).collect();
            let i1: Vec<usize> = pts.iter().map(|p| p.1).collect();
            let got = lazy.gather(&[i0.clone(), i1.clone()]).unwrap().compute().unwrap().to_f64_vec();
            let mut want = vec![];
            for j in 0..pts.len() {
                for z in 0..shape[2] {
                    want.push(data[[i0[j], i1[j], z]]);
                }
            }
            prop_assert_eq!(got, want);
        }
    }
}
