//! Staging: reductions nested inside other computations run first, and their (small)
//! results replace them in the graph as in-memory arrays.
//!
//! Without this, `x - x.mean(axis=0)` chunked along axis 0 would recompute the mean
//! for every output chunk. Cumulative scans get their per-chunk totals here too.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::aligned::Uses;
use super::default_budget::STAGE_SHARE;
use crate::Result;
use crate::engine::graph::{LazyArray, Op, ScanKind, transform_up};
use crate::engine::ops::reduce::ReduceOptions;
use crate::engine::reduce_spec::ReduceKind;

/// Gives every scan without totals its per-chunk totals as a second input: a grouped
/// reduction of the scanned array with one group per chunk along the scanned axis.
pub(super) fn attach_scan_totals(roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    let mut memo_f = |n: &LazyArray| -> Result<Option<LazyArray>> {
        let Op::Scan { axis, kind, skipna } = *n.op() else {
            return Ok(None);
        };
        if n.inputs().len() > 1 {
            return Ok(None);
        }
        let x = &n.inputs()[0];
        let chunks = x.chunks().axis_chunks(axis);
        if chunks.len() <= 1 {
            return Ok(None);
        }
        let labels: Vec<i64> = chunks
            .iter()
            .enumerate()
            .flat_map(|(c, &len)| std::iter::repeat_n(c as i64, len))
            .collect();
        let reduce = match kind {
            ScanKind::Sum => ReduceKind::Sum,
            ScanKind::Prod => ReduceKind::Prod,
            ScanKind::FFill => ReduceKind::Last,
        };
        let opts = ReduceOptions {
            skipna,
            ..Default::default()
        };
        let totals = x
            .group_reduce(reduce, axis, labels, chunks.len(), opts)?
            .cast(n.dtype())?;
        Ok(Some(n.with_extra_input(totals)))
    };
    roots.iter().map(|r| transform_up(r, &mut memo_f)).collect()
}

/// The reductions reachable below the roots, outermost first on each path (deeper
/// ones are staged when these are computed). A reduction that is also a root is
/// staged too: otherwise the computation that uses it would recompute it per chunk
/// (a climatology computed together with the anomalies from it).
pub(super) fn nested_reductions(roots: &[LazyArray]) -> Vec<LazyArray> {
    let mut seen = HashSet::new();
    let mut found = vec![];
    let mut stack: Vec<LazyArray> = roots.iter().flat_map(|r| r.inputs().to_vec()).collect();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.id()) {
            continue;
        }
        if matches!(n.op(), Op::Reduce { .. }) {
            found.push(n);
            continue;
        }
        stack.extend(n.inputs().iter().cloned());
    }
    found
}

/// Root reductions that need nothing staged (their nested reductions, if any, are
/// among `where_used`) and whose results fit in `max_bytes`: computing them in the
/// staging pass, beside the nested reductions, reads shared data once (a climatology
/// next to anomaly statistics of the same groups; the seasons of an ensemble mean
/// next to per-member means, see `pass::Fan`) instead of once more in the final pass.
/// Large results stay in the final pass, which streams them to their sinks.
pub(super) fn ride_along_reductions(
    roots: &[LazyArray],
    nested: &[LazyArray],
    where_used: &[LazyArray],
    max_bytes: usize,
) -> Vec<LazyArray> {
    let mut ids: HashSet<usize> = nested.iter().map(|n| n.id()).collect();
    let computed_where_used: HashSet<usize> = where_used.iter().map(|n| n.id()).collect();
    roots
        .iter()
        .filter(|r| {
            matches!(r.op(), Op::Reduce { .. })
                && r.nbytes() <= max_bytes
                && nested_reductions(std::slice::from_ref(r))
                    .iter()
                    .all(|n| computed_where_used.contains(&n.id()))
                && ids.insert(r.id())
        })
        .cloned()
        .collect()
}

/// What a computation stages before the pass over its roots, decided from the budget.
pub(super) struct StagePlan {
    /// The nested reductions staged by an earlier pass (small, or not readable block by
    /// block), with the root reductions that ride along with them.
    pub(super) stage: Vec<LazyArray>,
    /// The large nested reductions computed where they are used instead (see `aligned`).
    pub(super) where_used: Vec<LazyArray>,
}

/// Small nested results are staged (cheap to hold, and their pass reads in parallel
/// along the reduced axes); large ones read chunk for chunk are computed where used.
/// "Large" is over a [`STAGE_SHARE`]th of the budget `limit`.
pub(super) fn plan_stage(roots: &[LazyArray], limit: usize) -> StagePlan {
    let large = limit / STAGE_SHARE;
    let mut stage = nested_reductions(roots);
    let mut where_used = vec![];
    if stage.iter().any(|r| r.nbytes() > large) {
        let uses = Uses::new(roots);
        (stage, where_used) = stage
            .into_iter()
            .partition(|r| r.nbytes() <= large || !uses.computed_where_used(r));
    }
    if !stage.is_empty() {
        let riding = ride_along_reductions(roots, &stage, &where_used, large);
        stage.extend(riding);
    }
    StagePlan { stage, where_used }
}

/// Replaces nodes by their computed in-memory arrays (built once: every use shares
/// the same data, never a copy of it).
pub(super) fn substitute(
    roots: &[LazyArray],
    done: &HashMap<usize, LazyArray>,
) -> Result<Vec<LazyArray>> {
    let mut f = |n: &LazyArray| -> Result<Option<LazyArray>> { Ok(done.get(&n.id()).cloned()) };
    // transform_up sees rebuilt nodes with new ids when their inputs changed, so match
    // on the original ids first.
    roots
        .iter()
        .map(|r| match done.get(&r.id()) {
            Some(data) => Ok(data.clone()),
            None => transform_up_original(r, &mut f),
        })
        .collect()
}

fn transform_up_original(
    root: &LazyArray,
    f: &mut dyn FnMut(&LazyArray) -> Result<Option<LazyArray>>,
) -> Result<LazyArray> {
    fn rec(
        n: &LazyArray,
        f: &mut dyn FnMut(&LazyArray) -> Result<Option<LazyArray>>,
        memo: &mut HashMap<usize, LazyArray>,
    ) -> Result<LazyArray> {
        if let Some(d) = memo.get(&n.id()) {
            return Ok(d.clone());
        }
        let out = match f(n)? {
            Some(replaced) => replaced,
            None => {
                let inputs = n
                    .inputs()
                    .iter()
                    .map(|i| rec(i, f, memo))
                    .collect::<Result<Vec<_>>>()?;
                n.with_inputs(inputs)
            }
        };
        memo.insert(n.id(), out.clone());
        Ok(out)
    }
    rec(root, f, &mut HashMap::new())
}

impl LazyArray {
    fn with_extra_input(&self, extra: LazyArray) -> LazyArray {
        let mut inputs = self.inputs().to_vec();
        inputs.push(extra);
        LazyArray::from_parts(
            self.op().clone(),
            inputs,
            self.shape().to_vec(),
            self.dtype(),
            self.chunks().clone(),
        )
    }
}

/// Every node below the roots, by id, with the nodes that take it as an input (once
/// per use: `m + m` lists its consumer twice).
pub(super) fn consumers(roots: &[LazyArray]) -> HashMap<usize, Vec<LazyArray>> {
    let mut out: HashMap<usize, Vec<LazyArray>> = HashMap::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<LazyArray> = roots.to_vec();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.id()) {
            continue;
        }
        for i in n.inputs() {
            out.entry(i.id()).or_default().push(n.clone());
            stack.push(i.clone());
        }
    }
    out
}

/// Shared-node detection: ids of nodes with more than one consumer among the roots
/// (being a root counts as one).
pub(super) fn shared_nodes(roots: &[LazyArray]) -> Arc<HashSet<usize>> {
    let mut uses: HashMap<usize, usize> = consumers(roots)
        .into_iter()
        .map(|(id, cs)| (id, cs.len()))
        .collect();
    for r in roots {
        *uses.entry(r.id()).or_default() += 1;
    }
    Arc::new(
        uses.into_iter()
            .filter(|&(_, c)| c > 1)
            .map(|(id, _)| id)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ndarray::{ArrayD, IxDyn};

    use crate::engine::reduce_spec::ReduceKind;
    use crate::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray};

    /// A 40 x 3 array `x[i, j] = 3i + j` in 10 chunks, and the count of chunk reads.
    fn counted_reads() -> (LazyArray, std::sync::Arc<AtomicUsize>) {
        let reads = std::sync::Arc::new(AtomicUsize::new(0));
        let seen = reads.clone();
        let grid = ChunkGrid::regular(&[40, 3], &[4, 3]).unwrap();
        let x = LazyArray::from_fn("x", DType::F64, grid, move |_, r| {
            seen.fetch_add(1, Ordering::SeqCst);
            let n = r[0].len() * r[1].len();
            let v: Vec<f64> = (0..n).map(|i| (r[0].start * 3 + i) as f64).collect();
            Ok(ArrayData::new(
                ArrayD::from_shape_vec(IxDyn(&[r[0].len(), r[1].len()]), v).unwrap(),
            ))
        });
        (x, reads)
    }

    /// `x[e, t, y] = 100e + 3t + y` on 3 x 40 x 2 in 1 x 4 x 2 chunks, and the count
    /// of chunk reads.
    fn counted_members() -> (LazyArray, std::sync::Arc<AtomicUsize>) {
        let reads = std::sync::Arc::new(AtomicUsize::new(0));
        let seen = reads.clone();
        let grid = ChunkGrid::regular(&[3, 40, 2], &[1, 4, 2]).unwrap();
        let x = LazyArray::from_fn("members", DType::F64, grid, move |_, r| {
            seen.fetch_add(1, Ordering::SeqCst);
            let shape: Vec<usize> = r.iter().map(|r| r.len()).collect();
            let v = ArrayD::from_shape_fn(IxDyn(&shape), |i| {
                let (e, t, y) = (i[0] + r[0].start, i[1] + r[1].start, i[2] + r[2].start);
                (100 * e + 3 * t + y) as f64
            });
            Ok(ArrayData::new(v))
        });
        (x, reads)
    }

    /// The ensemble mean computed where it is used (too large to stage under the
    /// budget), grouped over time, beside statistics of the per-member means: one read
    /// of every chunk, where the ensemble mean's blocks and the members' were two
    /// segments before, each reading the store (`store_read_ratio` 1.5 on the
    /// precipitation example).
    #[test]
    fn an_ensemble_mean_used_where_computed_reads_with_the_member_means() {
        let (x, reads) = counted_members();
        let member_means = x.mean(&[1]).unwrap();
        let spread = member_means.std(&[0], 0).unwrap();
        let map = member_means.mean(&[0]).unwrap();
        let labels: Vec<i64> = (0..40).map(|t| t % 4).collect();
        let seasons = x
            .mean(&[0])
            .unwrap()
            .group_reduce(ReduceKind::Mean, 0, labels, 4, Default::default())
            .unwrap();
        // The ensemble mean (640 bytes) is over an eighth of this budget.
        let compute = Compute::new().threads(2).memory_limit(4096);
        let plan = compute.explain(&[&spread, &map, &seasons]).unwrap();
        assert!(plan.contains("computed where used"), "{plan}");
        let out = compute.run(&[&spread, &map, &seasons]).unwrap();
        // Member means 100e + 58.5 + y: spread 100 * sqrt(2/3), map 158.5 + y.
        let sd = 100.0 * (2.0f64 / 3.0).sqrt();
        for (got, want) in out[0].to_f64_vec().iter().zip([sd, sd]) {
            assert!((got - want).abs() < 1e-9, "{got} {want}");
        }
        assert_eq!(out[1].to_f64_vec(), vec![158.5, 159.5]);
        // Season g holds t = g, g + 4, ..., g + 36: mean t = g + 18.
        let want: Vec<f64> = (0..4)
            .flat_map(|g| (0..2).map(move |y| (100 + 3 * (g + 18) + y) as f64))
            .collect();
        assert_eq!(out[2].to_f64_vec(), want);
        assert_eq!(reads.load(Ordering::SeqCst), 30, "{plan}");
    }

    /// A reduction wanted both as an output and inside another output is computed
    /// once, before the pass that uses it, not once per chunk of that pass.
    #[test]
    fn a_root_reduction_used_inside_another_root_is_staged() {
        let (x, reads) = counted_reads();
        let mean = x.mean(&[0]).unwrap();
        let anomaly_sum = x.sub(&mean).unwrap().sum(&[0]).unwrap();
        let out = Compute::new()
            .threads(2)
            .run(&[&mean, &anomaly_sum])
            .unwrap();
        assert_eq!(out[0].to_f64_vec(), vec![58.5, 59.5, 60.5]);
        assert!(out[1].to_f64_vec().iter().all(|v| v.abs() < 1e-9));
        // One read of the 10 chunks for the mean, one for the anomalies.
        assert_eq!(reads.load(Ordering::SeqCst), 20);
    }

    /// A root reduction that needs nothing staged is computed in the staging pass
    /// beside the nested reductions: the data is read once, not once per pass.
    #[test]
    fn a_root_reduction_rides_along_with_the_staged_ones() {
        let (x, reads) = counted_reads();
        let mean = x.mean(&[0]).unwrap();
        let spread = x.max(&[0]).unwrap().sub(&x.min(&[0]).unwrap()).unwrap();
        let out = Compute::new().threads(2).run(&[&mean, &spread]).unwrap();
        assert_eq!(out[0].to_f64_vec(), vec![58.5, 59.5, 60.5]);
        assert_eq!(out[1].to_f64_vec(), vec![117.0; 3]);
        assert_eq!(reads.load(Ordering::SeqCst), 10);
    }
}
