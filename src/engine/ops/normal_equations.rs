//! Pointwise least squares from moment sums: the block step of a polynomial fit
//! whose sums were streamed in one pass (`polyfit`), solved per output point.

use ndarray::{ArrayD, IxDyn};

use crate::engine::chunk::ArrayData;
use crate::engine::dtype::DType;
use crate::engine::graph::LazyArray;
use crate::error::ensure;
use crate::{Error, Result};

impl LazyArray {
    /// Solves, at every point, the normal equations of a degree-`deg` polynomial fit
    /// from its moment sums and returns `Σₖ combine[k]·bₖ` of the solution `b`.
    ///
    /// `moments` holds `2·deg + 1` arrays `Σ w·uᵏ` (k = 0 ..= 2·deg, `k = 0` the count of
    /// valid samples), then `deg + 1` arrays `Σ y·uᵏ`, all on one chunk grid; `combine`
    /// has `deg + 1` weights (a row of the change of basis back from `u`, or a unit
    /// vector for one coefficient). Points with fewer than `deg + 1` samples, or a
    /// singular system, are NaN.
    pub fn solve_normal_equations(
        moments: &[&LazyArray],
        deg: usize,
        combine: Vec<f64>,
    ) -> Result<LazyArray> {
        let m = deg + 1;
        ensure!(
            moments.len() == 3 * deg + 2 && combine.len() == m,
            Error::internal(
                "solve_normal_equations",
                format!(
                    "{} moment arrays and {} weights for degree {deg}",
                    moments.len(),
                    combine.len()
                )
            )
        );
        LazyArray::map_blocks(
            moments,
            format!("normal equations of degree {deg}"),
            DType::F64,
            move |blocks| solve_block(blocks, deg, &combine),
        )
    }
}

fn solve_block(blocks: &[ArrayData], deg: usize, combine: &[f64]) -> Result<ArrayData> {
    let m = deg + 1;
    let vals: Vec<Vec<f64>> = blocks.iter().map(|b| b.to_f64_vec()).collect();
    let shape = blocks[0].shape().to_vec();
    let out: Vec<f64> = (0..vals[0].len())
        .map(|p| {
            if vals[0][p] < m as f64 {
                return f64::NAN;
            }
            let mut a: Vec<Vec<f64>> = (0..m)
                .map(|r| {
                    let mut row: Vec<f64> = (0..m).map(|c| vals[r + c][p]).collect();
                    row.push(vals[2 * deg + 1 + r][p]);
                    row
                })
                .collect();
            match gauss(&mut a) {
                Some(b) => combine.iter().zip(&b).map(|(w, b)| w * b).sum(),
                None => f64::NAN,
            }
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), out)
        .map(ArrayData::new)
        .map_err(|e| Error::internal("solve_normal_equations", e.to_string()))
}

/// Gaussian elimination with partial pivoting on an augmented matrix; `None` if singular.
fn gauss(a: &mut [Vec<f64>]) -> Option<Vec<f64>> {
    let m = a.len();
    for col in 0..m {
        let pivot = (col..m).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for row in rest {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
        }
    }
    let mut b = vec![0.0; m];
    for r in (0..m).rev() {
        let s: f64 = (r + 1..m).map(|c| a[r][c] * b[c]).sum();
        b[r] = (a[r][m] - s) / a[r][r];
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use crate::engine::{ArrayData, ChunkGrid, LazyArray};

    fn constant(v: f64) -> LazyArray {
        LazyArray::from_data(
            ArrayData::new(ArrayD::from_elem(IxDyn(&[3]), v)),
            ChunkGrid::regular(&[3], &[2]).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn a_line_through_known_points_is_recovered_and_too_few_points_are_nan() {
        // y = 2 + 3u at u = 0, 1, 2: Σ1 = 3, Σu = 3, Σu² = 5, Σy = 15, Σyu = 21.
        let sums: Vec<LazyArray> = [3.0, 3.0, 5.0, 15.0, 21.0].map(constant).into();
        let refs: Vec<&LazyArray> = sums.iter().collect();
        let slope = LazyArray::solve_normal_equations(&refs, 1, vec![0.0, 1.0]).unwrap();
        let intercept = LazyArray::solve_normal_equations(&refs, 1, vec![1.0, 0.0]).unwrap();
        for v in slope.compute().unwrap().to_f64_vec() {
            assert!((v - 3.0).abs() < 1e-12, "{v}");
        }
        for v in intercept.compute().unwrap().to_f64_vec() {
            assert!((v - 2.0).abs() < 1e-12, "{v}");
        }
        let one: Vec<LazyArray> = [1.0, 0.0, 0.0, 2.0, 0.0].map(constant).into();
        let refs: Vec<&LazyArray> = one.iter().collect();
        let nan = LazyArray::solve_normal_equations(&refs, 1, vec![0.0, 1.0]).unwrap();
        assert!(
            nan.compute()
                .unwrap()
                .to_f64_vec()
                .iter()
                .all(|v| v.is_nan())
        );
        assert!(LazyArray::solve_normal_equations(&refs[..3], 1, vec![0.0, 1.0]).is_err());
    }
}
