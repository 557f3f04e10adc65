//! Reductions, grouped reductions and cumulative scans.

use std::sync::Arc;

use crate::engine::dtype::{DType, Kind};
use crate::engine::expr::Expr;
use crate::engine::graph::{LazyArray, Op, ScanKind};
use crate::engine::ops::shape::check_axis;
use crate::engine::reduce_spec::{AxisRole, ReduceKind, ReduceSpec};
use crate::error::ensure;
use crate::{Error, Result};

/// Options shared by all reductions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReduceOptions {
    /// Skip NaN values (numpy's `nan*` functions; xarray's default for floats).
    pub skipna: bool,
    /// Delta degrees of freedom for var/std.
    pub ddof: usize,
    /// Results from fewer valid values become NaN (sum/prod of floats).
    pub min_count: usize,
    /// Keep reduced axes with length 1.
    pub keepdims: bool,
}

impl ReduceOptions {
    /// NaN-skipping options.
    pub fn skipna() -> Self {
        ReduceOptions {
            skipna: true,
            ..Default::default()
        }
    }
}

impl LazyArray {
    fn reduce_node(
        &self,
        kind: ReduceKind,
        roles: Vec<AxisRole>,
        opts: ReduceOptions,
    ) -> Result<LazyArray> {
        if self.dtype() == DType::Bool && matches!(kind, ReduceKind::Var | ReduceKind::Std) {
            return Err(Error::UnsupportedDType {
                op: format!("{kind:?}"),
                dtype: DType::Bool,
            });
        }
        let mut spec = ReduceSpec::new(kind, roles, self.chunks().clone(), self.dtype())?;
        spec.skipna = opts.skipna && self.dtype().kind() == Kind::Float;
        spec.ddof = opts.ddof;
        spec.min_count = if self.dtype().is_float() {
            opts.min_count
        } else {
            0
        };
        spec.keepdims = opts.keepdims;
        let grid = spec.out_grid();
        let dtype = spec.out_dtype();
        Ok(LazyArray::from_parts(
            Op::Reduce {
                spec: Arc::new(spec),
                pre: Arc::new(Expr::identity(self.dtype())),
            },
            vec![self.clone()],
            grid.shape(),
            dtype,
            grid,
        ))
    }

    /// Reduces over the given axes (an empty list reduces each element on its own, as
    /// numpy's `axis=()`: `nansum` turns NaN into 0, `var` gives 0).
    pub fn reduce(
        &self,
        kind: ReduceKind,
        axes: &[usize],
        opts: ReduceOptions,
    ) -> Result<LazyArray> {
        let mut roles = vec![AxisRole::Keep; self.ndim()];
        for &a in axes {
            check_axis(a, self.ndim())?;
            roles[a] = AxisRole::Reduce;
        }
        self.reduce_node(kind, roles, opts)
    }

    /// Reduces over every axis to a 0-d array.
    pub fn reduce_all(&self, kind: ReduceKind, opts: ReduceOptions) -> Result<LazyArray> {
        let axes: Vec<usize> = (0..self.ndim()).collect();
        if self.ndim() == 0 {
            return self.reduce_node(kind, vec![], opts);
        }
        self.reduce(kind, &axes, opts)
    }

    /// Reduces each group of positions along `axis`; position `i` belongs to group
    /// `labels[i]` (negative: to none). The axis becomes one of length `n_groups`.
    pub fn group_reduce(
        &self,
        kind: ReduceKind,
        axis: usize,
        labels: Vec<i64>,
        n_groups: usize,
        opts: ReduceOptions,
    ) -> Result<LazyArray> {
        self.group_reduce_axes(kind, vec![(axis, labels, n_groups)], opts)
    }

    /// Reduces groups along several axes at once: `groups` holds `(axis, labels,
    /// n_groups)` per grouped axis, and output cell `(g, h)` gathers the positions
    /// labelled `g` along the first axis and `h` along the second (coarsen's 2-D
    /// windows). One node, exact for every statistic: the mean of a window is the
    /// mean of all its valid values, not a mean of row means.
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use tessera::engine::{LazyArray, ReduceKind, ReduceOptions};
    /// let x = ArrayD::from_shape_vec(IxDyn(&[2, 4]), vec![1.0, 2.0, 3.0, f64::NAN, 5.0, 6.0, 7.0, 8.0]).unwrap();
    /// let x = LazyArray::from_ndarray(x, &[1, 2])?;
    /// // 2x2 windows: rows {0, 1} x columns {0, 1} and {2, 3}.
    /// let groups = vec![(0, vec![0, 0], 1), (1, vec![0, 0, 1, 1], 2)];
    /// let m = x.group_reduce_axes(ReduceKind::Mean, groups, ReduceOptions::skipna())?;
    /// assert_eq!(m.compute()?.to_f64_vec(), vec![3.5, 6.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn group_reduce_axes(
        &self,
        kind: ReduceKind,
        groups: Vec<(usize, Vec<i64>, usize)>,
        opts: ReduceOptions,
    ) -> Result<LazyArray> {
        let mut roles = vec![AxisRole::Keep; self.ndim()];
        for (axis, labels, n_groups) in groups {
            check_axis(axis, self.ndim())?;
            if labels.len() != self.shape()[axis] {
                return Err(Error::ShapeMismatch {
                    op: format!("group labels along axis {axis}"),
                    left: vec![labels.len()],
                    right: vec![self.shape()[axis]],
                });
            }
            ensure!(
                roles[axis] == AxisRole::Keep,
                Error::DuplicateDimension {
                    dim: format!("axis {axis}"),
                    op: "a grouped reduction (grouped twice)".into(),
                }
            );
            roles[axis] = AxisRole::Group {
                labels: Arc::new(labels),
                n_groups,
            };
        }
        self.reduce_node(kind, roles, opts)
    }

    /// The variance (or, with `std`, the standard deviation) along `axis` of the
    /// anomalies of this array from its group means (groups as in
    /// [`group_reduce`](Self::group_reduce)), NaN skipped, in float64 and in one
    /// read: the anomalies of a group have mean zero, so their sum of squares is
    /// the group's `count * var`, and the variance is
    /// `sum_g(count_g * var_g) / (sum_g count_g - ddof)`.
    pub fn anomaly_spread(
        &self,
        axis: usize,
        labels: Vec<i64>,
        n_groups: usize,
        ddof: usize,
        std: bool,
    ) -> Result<LazyArray> {
        let opts = ReduceOptions::skipna();
        let count = self
            .group_reduce(ReduceKind::Count, axis, labels.clone(), n_groups, opts)?
            .cast(DType::F64)?;
        let var = self
            .group_reduce(ReduceKind::Var, axis, labels, n_groups, opts)?
            .cast(DType::F64)?
            .fillna(0.0)?;
        let squares = var.mul(&count)?.sum(&[axis])?;
        let n =
            count
                .sum(&[axis])?
                .binary_scalar(crate::engine::BinaryOp::Sub, ddof as f64, false)?;
        let spread = squares.div(&n)?;
        if std {
            spread.math(crate::engine::FloatFn::Sqrt)
        } else {
            Ok(spread)
        }
    }

    /// Sum over axes, NaN propagating.
    pub fn sum(&self, axes: &[usize]) -> Result<LazyArray> {
        self.reduce(ReduceKind::Sum, axes, ReduceOptions::default())
    }

    /// Sum over axes, NaN skipped.
    pub fn nansum(&self, axes: &[usize]) -> Result<LazyArray> {
        self.reduce(ReduceKind::Sum, axes, ReduceOptions::skipna())
    }

    /// Mean over axes, NaN propagating.
    pub fn mean(&self, axes: &[usize]) -> Result<LazyArray> {
        self.reduce(ReduceKind::Mean, axes, ReduceOptions::default())
    }

    /// Mean over axes, NaN skipped.
    pub fn nanmean(&self, axes: &[usize]) -> Result<LazyArray> {
        self.reduce(ReduceKind::Mean, axes, ReduceOptions::skipna())
    }

    /// Minimum over axes.
    pub fn min(&self, axes: &[usize]) -> Result<LazyArray> {
        self.reduce(ReduceKind::Min, axes, ReduceOptions::default())
    }

    /// Maximum over axes.
    pub fn max(&self, axes: &[usize]) -> Result<LazyArray> {
        self.reduce(ReduceKind::Max, axes, ReduceOptions::default())
    }

    /// Standard deviation over axes with `ddof`.
    pub fn std(&self, axes: &[usize], ddof: usize) -> Result<LazyArray> {
        self.reduce(
            ReduceKind::Std,
            axes,
            ReduceOptions {
                ddof,
                ..Default::default()
            },
        )
    }

    /// Cumulative sum along an axis (`skipna` treats NaN as 0, as `nancumsum`).
    pub fn cumsum(&self, axis: usize, skipna: bool) -> Result<LazyArray> {
        self.scan(ScanKind::Sum, axis, skipna)
    }

    /// Cumulative product along an axis (`skipna` treats NaN as 1, as `nancumprod`).
    pub fn cumprod(&self, axis: usize, skipna: bool) -> Result<LazyArray> {
        self.scan(ScanKind::Prod, axis, skipna)
    }

    /// Forward fill along an axis: each NaN becomes the last non-NaN value before it
    /// (NaN before the first), across chunk boundaries; integers are returned as they are.
    pub fn ffill(&self, axis: usize) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        if !self.dtype().is_float() {
            return Ok(self.clone());
        }
        self.scan(ScanKind::FFill, axis, true)
    }

    fn scan(&self, kind: ScanKind, axis: usize, skipna: bool) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        let dtype = match kind {
            ScanKind::FFill => self.dtype(),
            _ => ReduceKind::Sum.out_dtype(self.dtype())?,
        };
        Ok(LazyArray::from_parts(
            Op::Scan {
                axis,
                kind,
                skipna: skipna && self.dtype().is_float(),
            },
            vec![self.clone()],
            self.shape().to_vec(),
            dtype,
            self.chunks().clone(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::exec::eval::Evaluator;
    use ndarray::{Array, IxDyn};

    /// A 6x9 array with NaNs, chunked (4, 2) x (4, 5).
    fn grid() -> LazyArray {
        let a = Array::from_shape_fn(IxDyn(&[6, 9]), |i| {
            if (i[0] + 2 * i[1]) % 7 == 0 {
                f64::NAN
            } else {
                (i[0] * 9 + i[1]) as f64
            }
        });
        LazyArray::from_data(
            crate::engine::ArrayData::new(a),
            crate::engine::ChunkGrid::new(vec![vec![4, 2], vec![4, 5]]).unwrap(),
        )
        .unwrap()
    }

    fn windows(n: usize, w: usize) -> Vec<i64> {
        (0..n).map(|i| (i / w) as i64).collect()
    }

    #[test]
    fn two_grouped_axes_reduce_whole_windows_in_one_node() {
        let x = grid();
        let values = x.compute().unwrap().to_f64_vec();
        let groups = vec![(0, windows(6, 2), 3), (1, windows(9, 3), 3)];
        let m = x
            .group_reduce_axes(ReduceKind::Mean, groups.clone(), ReduceOptions::skipna())
            .unwrap();
        // Rows 0-1, 2-3, 4-5: only the boundary at 4 is clean; columns of 3 cut 4.
        assert_eq!(m.chunks().chunks(), &[vec![2, 1], vec![3]]);
        let got = m.compute().unwrap().to_f64_vec();
        for (g, h) in (0..3).flat_map(|g| (0..3).map(move |h| (g, h))) {
            let v: Vec<f64> = (2 * g..2 * g + 2)
                .flat_map(|r| (3 * h..3 * h + 3).map(move |c| r * 9 + c))
                .map(|k| values[k])
                .filter(|v| !v.is_nan())
                .collect();
            let want = v.iter().sum::<f64>() / v.len() as f64;
            assert!((got[g * 3 + h] - want).abs() < 1e-12, "({g}, {h})");
        }
        // A region of the node evaluated inside a task (not staged) matches.
        let mut ev = Evaluator::new(Default::default());
        let part = ev.eval(&m, &[1..3, 1..3]).unwrap().to_f64_vec();
        assert_eq!(part, vec![got[4], got[5], got[7], got[8]]);
        let e = x.group_reduce_axes(
            ReduceKind::Sum,
            vec![groups[0].clone(), groups[0].clone()],
            ReduceOptions::default(),
        );
        assert!(e.unwrap_err().to_string().contains("grouped twice"));
    }

    #[test]
    fn windows_that_follow_the_chunks_reduce_block_by_block() {
        let x = grid();
        let s = x
            .group_reduce(
                ReduceKind::Count,
                1,
                windows(9, 4).iter().map(|&l| l.min(1)).collect(),
                2,
                ReduceOptions::skipna(),
            )
            .unwrap();
        assert_eq!(s.chunks().chunks(), &[vec![4, 2], vec![1, 1]]);
        let want = x.isnan().unwrap().compute().unwrap().to_f64_vec();
        let got = s.compute().unwrap().to_f64_vec();
        for r in 0..6 {
            let valid =
                |c: std::ops::Range<usize>| c.filter(|&c| want[r * 9 + c] == 0.0).count() as f64;
            assert_eq!(
                (got[2 * r], got[2 * r + 1]),
                (valid(0..4), valid(4..9)),
                "row {r}"
            );
        }
    }
}
