//! The [`AnomalyMoments`] rule and its before/after tests.

use super::OptimizerRule;
use crate::Result;
use crate::engine::BinaryOp;
use crate::engine::expr::Instr;
use crate::engine::graph::{LazyArray, Op};
use crate::engine::reduce_spec::{AxisRole, ReduceKind};

/// Reads once what xarray's spelling of an anomaly statistic reads twice.
///
/// `(x.groupby(k) - x.groupby(k).mean()).std(dim)` is, in the graph, a std over an
/// axis of `x - take(group_mean(x), labels)`: computed as written it needs the group
/// means before the anomalies, so `x` is read once for each. But the anomalies of a
/// group have mean zero, so their sum of squares is the group's `count * var`, and
///
/// `var(anomalies) = sum_g(count_g * var_g) / sum_g(count_g)`
///
/// from grouped moments of `x` alone: one read, beside the climatology if it is
/// computed too (`LazyArray::anomaly_spread`, which `GroupBy::anomaly_std` calls). Only the
/// exact pattern is rewritten: NaN skipped in both reductions, `ddof` 0 (xarray's
/// default), every position in a group, the means taken back in label order.
pub struct AnomalyMoments;

impl OptimizerRule for AnomalyMoments {
    fn name(&self) -> &'static str {
        "anomaly_moments"
    }

    fn rewrite(&self, node: &LazyArray) -> Result<Option<LazyArray>> {
        let Some((x, axis, labels, n_groups, std)) = match_anomaly_spread(node) else {
            return Ok(None);
        };
        let out = x.anomaly_spread(axis, labels, n_groups, 0, std)?;
        Ok(Some(out.cast(node.dtype())?))
    }
}

/// `(x, axis, labels, n_groups, is_std)` when `node` is a NaN-skipping, ddof-0 var or
/// std along one axis of `x - take(group_mean(x), labels)`.
fn match_anomaly_spread(node: &LazyArray) -> Option<(LazyArray, usize, Vec<i64>, usize, bool)> {
    let Op::Reduce { spec, pre } = node.op() else {
        return None;
    };
    let std = match spec.kind {
        ReduceKind::Std => true,
        ReduceKind::Var => false,
        _ => return None,
    };
    if !pre.is_identity() || !spec.skipna || spec.ddof != 0 || spec.keepdims {
        return None;
    }
    let axis = single_axis(&spec.roles, |r| *r == AxisRole::Reduce)?;
    let diff = &node.inputs()[0];
    let Op::Map(e) = diff.op() else {
        return None;
    };
    let is_sub = matches!(
        e.instrs(),
        [
            Instr::Input(0),
            Instr::Input(1),
            Instr::Binary(BinaryOp::Sub, 0, 1)
        ]
    );
    let [x, taken] = diff.inputs() else {
        return None;
    };
    if !is_sub || x.shape() != taken.shape() {
        return None;
    }
    let Op::Take {
        axis: take_axis,
        indices,
    } = taken.op()
    else {
        return None;
    };
    let means = &taken.inputs()[0];
    let Op::Reduce {
        spec: mean_spec,
        pre: mean_pre,
    } = means.op()
    else {
        return None;
    };
    let group_axis = single_axis(&mean_spec.roles, |r| matches!(r, AxisRole::Group { .. }))?;
    let AxisRole::Group { labels, n_groups } = &mean_spec.roles[group_axis] else {
        return None;
    };
    let in_label_order = labels.len() == indices.len()
        && labels
            .iter()
            .zip(indices.iter())
            .all(|(&l, &i)| usize::try_from(l).is_ok_and(|l| l == i));
    let same_x = means.inputs()[0].id() == x.id();
    (mean_spec.kind == ReduceKind::Mean
        && mean_spec.skipna
        && mean_pre.is_identity()
        && *take_axis == axis
        && group_axis == axis
        && same_x
        && in_label_order
        && x.dtype().is_float())
    .then(|| (x.clone(), axis, labels.to_vec(), *n_groups, std))
}

/// The one axis whose role satisfies `is`, when every other axis is kept.
fn single_axis(roles: &[AxisRole], is: impl Fn(&AxisRole) -> bool) -> Option<usize> {
    let axis = roles.iter().position(&is)?;
    roles
        .iter()
        .enumerate()
        .all(|(a, r)| a == axis || *r == AxisRole::Keep)
        .then_some(axis)
}

#[cfg(test)]
mod tests {
    use crate::engine::optimize::rule::explain_around;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ndarray::{ArrayD, IxDyn};

    use crate::engine::ops::reduce::ReduceOptions;
    use crate::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray, ReduceKind};

    /// A 6 x 4 in-memory array in 2 x 2 chunks.
    fn x_6x4() -> LazyArray {
        LazyArray::from_ndarray(
            ndarray::Array::from_shape_fn(ndarray::IxDyn(&[6, 4]), |i| (i[0] * 4 + i[1]) as f64),
            &[2, 2],
        )
        .unwrap()
    }

    /// 24 steps x 3 points in chunks of 5 steps, NaN here and there, and the count of
    /// chunk reads.
    fn counted() -> (LazyArray, Arc<AtomicUsize>) {
        let reads = Arc::new(AtomicUsize::new(0));
        let seen = reads.clone();
        let grid = ChunkGrid::regular(&[24, 3], &[5, 3]).unwrap();
        let x = LazyArray::from_fn("x", DType::F64, grid, move |_, r| {
            seen.fetch_add(1, Ordering::SeqCst);
            let shape = [r[0].len(), r[1].len()];
            Ok(ArrayData::new(ArrayD::from_shape_fn(IxDyn(&shape), |i| {
                let (t, p) = (r[0].start + i[0], r[1].start + i[1]);
                if (t * 7 + p) % 11 == 3 {
                    f64::NAN
                } else {
                    ((t * 13 + p * 5) % 17) as f64 * 0.5 + t as f64 * 0.1
                }
            })))
        });
        (x, reads)
    }

    /// Means of 4 groups along axis 0.
    fn monthly_means(x: &LazyArray, labels: &[i64]) -> LazyArray {
        x.group_reduce(
            ReduceKind::Mean,
            0,
            labels.to_vec(),
            4,
            ReduceOptions::skipna(),
        )
        .unwrap()
    }

    #[test]
    fn anomaly_spread_reads_once_and_equals_the_two_pass_result() {
        let labels: Vec<i64> = (0..24).map(|t| (t % 4) as i64).collect();
        let take: Vec<usize> = labels.iter().map(|&l| l as usize).collect();
        for kind in [ReduceKind::Std, ReduceKind::Var] {
            let (x, reads) = counted();
            let means = monthly_means(&x, &labels);
            let anomalies = x.sub(&means.take(0, &take).unwrap()).unwrap();
            let spread = anomalies
                .reduce(kind, &[0], ReduceOptions::skipna())
                .unwrap();
            let fast = Compute::new().threads(2).run(&[&means, &spread]).unwrap();
            assert_eq!(
                reads.load(Ordering::SeqCst),
                5,
                "{kind:?}: one read of 5 chunks"
            );
            let plain = Compute::new()
                .threads(2)
                .without_optimizer()
                .run(&[&means, &spread])
                .unwrap();
            for (a, b) in fast[1].to_f64_vec().iter().zip(plain[1].to_f64_vec()) {
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                    "{kind:?}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn other_spreads_are_left_alone() {
        let (x, _) = counted();
        let labels: Vec<i64> = (0..24).map(|t| (t % 4) as i64).collect();
        let means = monthly_means(&x, &labels);
        // Means taken back in another order are not this group's anomalies.
        let shuffled: Vec<usize> = labels.iter().map(|&l| 3 - l as usize).collect();
        let off = x.sub(&means.take(0, &shuffled).unwrap()).unwrap();
        let spread = off
            .reduce(ReduceKind::Std, &[0], ReduceOptions::skipna())
            .unwrap();
        assert!(super::match_anomaly_spread(&spread).is_none());
        // ddof 1 is left as written.
        let ok = x
            .sub(
                &means
                    .take(0, &labels.iter().map(|&l| l as usize).collect::<Vec<_>>())
                    .unwrap(),
            )
            .unwrap();
        let ddof1 = ok
            .reduce(
                ReduceKind::Std,
                &[0],
                ReduceOptions {
                    ddof: 1,
                    ..ReduceOptions::skipna()
                },
            )
            .unwrap();
        assert!(super::match_anomaly_spread(&ddof1).is_none());
        let ddof0 = ok
            .reduce(ReduceKind::Std, &[0], ReduceOptions::skipna())
            .unwrap();
        assert!(super::match_anomaly_spread(&ddof0).is_some());
    }

    #[test]
    fn explain_before_and_after() {
        let x = x_6x4();
        let labels: Vec<i64> = (0..6).map(|t| t % 2).collect();
        let take: Vec<usize> = labels.iter().map(|&l| l as usize).collect();
        let means = x
            .group_reduce(ReduceKind::Mean, 0, labels, 2, ReduceOptions::skipna())
            .unwrap();
        let y = x
            .sub(&means.take(0, &take).unwrap())
            .unwrap()
            .reduce(ReduceKind::Std, &[0], ReduceOptions::skipna())
            .unwrap();
        let (before, after) = explain_around(&crate::engine::optimize::AnomalyMoments, &y);
        assert_eq!(
            before,
            "\
@0 Reduce(Std, \"r,k\") float64 [4] chunks [2]
  @1 Map(3 instrs) float64 [6, 4] chunks [3, 2]
    @2 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
    @3 Take(axis 0, 6 indices) float64 [6, 4] chunks [3, 2]
      @4 Reduce(Mean, \"g2,k\") float64 [2, 4] chunks [1, 2]
        @2
"
        );
        assert_eq!(
            after,
            "\
@0 Map(2 instrs) float64 [4] chunks [2]
  @1 Map(3 instrs) float64 [4] chunks [2]
    @2 Reduce(Sum, \"r,k\") float64 [4] chunks [2]
      @3 Map(3 instrs) float64 [2, 4] chunks [1, 2]
        @4 Map(4 instrs) float64 [2, 4] chunks [1, 2]
          @5 Reduce(Var, \"g2,k\") float64 [2, 4] chunks [1, 2]
            @6 Source(in-memory float64 array [6, 4]) float64 [6, 4] chunks [3, 2]
        @7 Map(2 instrs) float64 [2, 4] chunks [1, 2]
          @8 Reduce(Count, \"g2,k\") int64 [2, 4] chunks [1, 2]
            @6
    @9 Map(3 instrs) float64 [4] chunks [2]
      @10 Reduce(Sum, \"r,k\") float64 [4] chunks [2]
        @7
"
        );
    }
}
