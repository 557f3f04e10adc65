//! The passes a computation will make, what each computes and reads from stores, and
//! why a store is read by more than one pass ([`Compute::explain`](super::Compute::explain)).
//!
//! The plan comes from the same decisions the executor takes (`stage::plan_stage`
//! under the same budget), without reading anything.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use super::default_budget::STAGE_SHARE;
use super::pass::segment_roots;
use super::stage::{nested_reductions, plan_stage};
use crate::display::bytes::{Round, binary_units};
use crate::engine::graph::{LazyArray, Op};

/// One pass: the arrays it computes, and those computed by earlier passes (which it
/// reads from memory).
struct PassPlan {
    computes: Vec<LazyArray>,
    earlier: HashSet<usize>,
    where_used: Vec<LazyArray>,
}

/// The passes over `roots` under a budget of `limit` bytes, earliest first.
fn passes_of(roots: Vec<LazyArray>, limit: usize, out: &mut Vec<PassPlan>) {
    let mut plan = plan_stage(&roots, limit);
    let mut earlier: HashSet<usize> = plan.stage.iter().map(LazyArray::id).collect();
    if !plan.stage.is_empty() {
        passes_of(plan.stage, limit, out);
        // What the staging passes computed, deeper levels included, is in memory now.
        for p in out.iter() {
            earlier.extend(p.computes.iter().map(LazyArray::id));
        }
    }
    // Only those this pass computes: a root that rode along with an earlier pass took
    // its own along.
    let own: Vec<LazyArray> = roots
        .iter()
        .filter(|r| !earlier.contains(&r.id()))
        .cloned()
        .collect();
    let below: HashSet<usize> = nested_reductions(&own).iter().map(LazyArray::id).collect();
    plan.where_used.retain(|w| below.contains(&w.id()));
    out.push(PassPlan {
        computes: roots,
        earlier,
        where_used: plan.where_used,
    });
}

/// The stores read below `nodes` (not below what earlier passes computed, `earlier`),
/// each with whether some path reads it whole rather than a selection of it.
fn stores_read<'n>(
    nodes: impl IntoIterator<Item = &'n LazyArray>,
    earlier: &HashSet<usize>,
) -> BTreeMap<String, bool> {
    let mut seen = HashSet::new();
    let mut stack: Vec<(LazyArray, bool)> = nodes
        .into_iter()
        .filter(|r| !earlier.contains(&r.id()))
        .map(|r| (r.clone(), true))
        .collect();
    let mut stores: BTreeMap<String, bool> = BTreeMap::new();
    while let Some((n, whole)) = stack.pop() {
        if !seen.insert((n.id(), whole)) || earlier.contains(&n.id()) {
            continue;
        }
        if let Op::Source(s) = n.op()
            && s.stored()
        {
            *stores.entry(s.describe()).or_default() |= whole;
        }
        for i in n.inputs() {
            let selects = matches!(n.op(), Op::Slice(_) | Op::Take { .. } | Op::Gather { .. })
                && n.len() < i.len();
            stack.push((i.clone(), whole && !selects));
        }
    }
    stores
}

/// Lines naming the stores a pass over `own` reads more than once: once in each
/// segment (outputs iterating one chunk grid) that reads it, and why no fan joined two
/// of them. (`earlier`: what earlier passes computed, read from memory.)
fn read_again_within(
    own: &[LazyArray],
    earlier: &HashSet<usize>,
    limit: usize,
    workers: usize,
    out: &mut String,
) {
    let (segments, declined) = segment_roots(own, limit, workers);
    let stores_of = |rs: &[usize]| stores_read(rs.iter().map(|&r| &own[r]), earlier);
    let mut segments_reading: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, rs) in segments.iter().enumerate() {
        for store in stores_of(rs).into_keys() {
            segments_reading.entry(store).or_default().push(k);
        }
    }
    // The stores both sides of each declined fan read.
    let fan_stores: Vec<[BTreeMap<String, bool>; 2]> = declined
        .iter()
        .map(|f| [stores_of(&f.roots[0]), stores_of(&f.roots[1])])
        .collect();
    for (store, ks) in segments_reading.iter().filter(|(_, ks)| ks.len() > 1) {
        let fan = declined
            .iter()
            .zip(&fan_stores)
            .find(|(_, sides)| sides.iter().all(|s| s.contains_key(store)))
            .map(|(f, _)| f);
        let why = match fan {
            Some(fan) => format!(
                "one block reading it for two of them would take {}, and {} such block{} fit{} in \
                 the budget at once where {} must (one per worker, or as many as either grid's \
                 blocks); read once from a budget of {} up",
                human_bytes_up(fan.block_bytes),
                fan.fit,
                if fan.fit == 1 { "" } else { "s" },
                if fan.fit == 1 { "s" } else { "" },
                fan.wanted,
                human_bytes_up(fan.block_bytes.saturating_mul(workers.max(1)))
            ),
            None => "each computes what it needs of the store in its own blocks".into(),
        };
        let _ = writeln!(
            out,
            "  reads {store} {} times: its outputs iterate {} chunk grids, and {why}",
            ks.len(),
            ks.len()
        );
    }
}

/// A reduction in a few words: its statistic, type, shape and size.
fn describe(n: &LazyArray) -> String {
    let what = match n.op() {
        Op::Reduce { spec, .. } => format!("{:?}", spec.kind).to_lowercase(),
        _ => "array".into(),
    };
    format!(
        "{what} -> {} {:?}, {}",
        n.dtype(),
        n.shape(),
        human_bytes(n.nbytes())
    )
}

fn human_bytes(b: usize) -> String {
    binary_units(b as u64, 1, Round::Nearest)
}

/// `b` in binary units, rounded up: a budget of at least what it shows suffices.
fn human_bytes_up(b: usize) -> String {
    binary_units(b as u64, 1, Round::Up)
}

/// The plan of a computation of `roots` under a budget of `limit` bytes on `workers`
/// workers, as text.
pub(super) fn render(roots: &[LazyArray], limit: usize, workers: usize) -> String {
    let mut passes = vec![];
    passes_of(roots.to_vec(), limit, &mut passes);
    let n = passes.len();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{n} pass{} under a budget of {}",
        if n == 1 { "" } else { "es" },
        human_bytes(limit)
    );
    let mut readers: Vec<(String, Vec<(usize, bool)>)> = vec![];
    // Per pass, the stores its reductions computed where used read.
    let mut where_used_reads: Vec<BTreeMap<String, bool>> = vec![];
    for (i, pass) in passes.iter().enumerate() {
        let own: Vec<LazyArray> = pass
            .computes
            .iter()
            .filter(|r| !pass.earlier.contains(&r.id()))
            .cloned()
            .collect();
        let what = if i + 1 == n {
            format!(
                "the {} output{}",
                own.len(),
                if own.len() == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{} reduction{} the next passes use (staged: held in memory)",
                own.len(),
                if own.len() == 1 { "" } else { "s" }
            )
        };
        let _ = writeln!(out, "pass {}: computes {what}", i + 1);
        if i + 1 == n && own.len() < pass.computes.len() {
            let _ = writeln!(
                out,
                "  {} output{} computed by an earlier pass beside what it staged",
                pass.computes.len() - own.len(),
                if pass.computes.len() - own.len() == 1 {
                    " is"
                } else {
                    "s are"
                }
            );
        }
        for r in &pass.where_used {
            let _ = writeln!(
                out,
                "  computed where used, block by block, not staged: {}; more than an eighth of the budget (staged from a budget of {} up)",
                describe(r),
                human_bytes_up(r.nbytes().saturating_mul(STAGE_SHARE))
            );
        }
        let stores = stores_read(&pass.computes, &pass.earlier);
        where_used_reads.push(stores_read(&pass.where_used, &pass.earlier));
        if stores.is_empty() {
            let _ = writeln!(out, "  reads no store");
        }
        for (s, whole) in stores {
            let part = if whole { "" } else { "a selection of " };
            let _ = writeln!(out, "  reads {part}{s}");
            let read = (i + 1, whole);
            match readers.iter_mut().find(|(name, _)| *name == s) {
                Some((_, ps)) => ps.push(read),
                None => readers.push((s, vec![read])),
            }
        }
        read_again_within(&own, &pass.earlier, limit, workers, &mut out);
    }
    for (store, ps) in readers.iter().filter(|(_, ps)| ps.len() > 1) {
        let name = |&(p, whole): &(usize, bool)| {
            if whole {
                p.to_string()
            } else {
                format!("{p} (a selection)")
            }
        };
        let Some((last, first)) = ps.split_last() else {
            continue;
        };
        let last = name(last);
        let first: Vec<String> = first.iter().map(name).collect();
        let _ = writeln!(
            out,
            "{store} is read by passes {} and {last}: a later pass needs what an earlier one \
             staged, and also reads the store for what it computes itself{}",
            first.join(", "),
            if ps[1..]
                .iter()
                .any(|&(p, _)| where_used_reads[p - 1].contains_key(store))
            {
                " (the reductions computed where used above are too large to stage under this budget)"
            } else {
                ""
            }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use std::ops::Range;
    use std::sync::Arc;

    use crate::Result;
    use crate::engine::{ArrayData, AxisSlice, ChunkGrid, ChunkSource, Compute, DType, LazyArray};

    /// A "stored" array `t` of 3 members x 40 days x 6 points, one member and 4 days a
    /// chunk: its reads are counted like a store's.
    #[derive(Debug)]
    struct Stored(ChunkGrid, Vec<usize>);

    impl ChunkSource for Stored {
        fn shape(&self) -> &[usize] {
            &self.1
        }
        fn dtype(&self) -> DType {
            DType::F64
        }
        fn chunks(&self) -> &ChunkGrid {
            &self.0
        }
        fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
            let a = ndarray::ArrayD::from_shape_fn(crate::engine::region_shape(region), |i| {
                (i[0] + region[0].start) as f64 + (i[1] + region[1].start) as f64 * 0.5
            });
            Ok(ArrayData::new(a))
        }
        fn describe(&self) -> String {
            "store/t".into()
        }
        fn stored(&self) -> bool {
            true
        }
    }

    /// Runs `refs` and checks that the run read the store `ratio` times over.
    fn assert_reads(compute: &Compute, refs: &[&LazyArray], ratio: f64, plan: &str) {
        compute.run(refs).unwrap();
        let read = compute.last_profile().unwrap().read_ratio().unwrap();
        assert!(
            (read - ratio).abs() < 1e-9,
            "read ratio {read}, plan:\n{plan}"
        );
    }

    /// Member means (staged for the ensemble mean and spread of them) beside a sum over
    /// time of the ensemble mean, as the precipitation example computes them.
    fn analysis() -> Vec<LazyArray> {
        let grid = ChunkGrid::regular(&[3, 40, 6], &[1, 4, 6]).unwrap();
        let t = LazyArray::from_source(Arc::new(Stored(grid, vec![3, 40, 6])));
        let member_means = t.mean(&[1]).unwrap();
        let ensemble_mean = t.mean(&[0]).unwrap();
        vec![
            member_means.mean(&[0]).unwrap(),
            member_means.max(&[0]).unwrap(),
            ensemble_mean.sum(&[0]).unwrap(),
        ]
    }

    /// What the plan says about the store matches what the run reads: once, whether the
    /// ensemble mean (1,920 bytes) is staged or, too large to stage, computed where it
    /// is used (in the blocks that read the store for the member means too, see
    /// `pass::Fan`); twice when anomalies from a staged mean need the store again.
    #[test]
    fn the_plan_says_which_passes_read_a_store_and_the_run_agrees() {
        let roots = analysis();
        let t = roots[2].inputs()[0].inputs()[0].clone();
        let anomalies = t
            .sub(&t.mean(&[0]).unwrap())
            .unwrap()
            .sum(&[0, 1, 2])
            .unwrap();
        let mut beside = roots.clone();
        beside.push(
            t.sub(&t.mean(&[0, 1]).unwrap())
                .unwrap()
                .sum(&[0, 1, 2])
                .unwrap(),
        );
        // The ensemble mean's departure from the overall mean (staged in pass 1): the
        // ensemble mean, too large to stage, is computed where used in pass 2, which
        // reads the store again for it.
        let departure = t
            .mean(&[0])
            .unwrap()
            .sub(&t.mean(&[0, 1]).unwrap())
            .unwrap()
            .sum(&[0, 1])
            .unwrap();
        // (roots, budget, passes reading the store, the ensemble mean computed where
        // used, that named as the cause, read ratio)
        let cases = [
            (roots.clone(), 8 * 1920 - 8, "", true, false, 1.0),
            (roots, 8 * 1920, "", false, false, 1.0),
            (vec![anomalies], 1 << 20, "1 and 2", false, false, 2.0),
            // The ensemble mean is computed where used in pass 1, but the store is read
            // again for the anomalies: not because of it.
            (beside, 8 * 1920 - 8, "1 and 2", true, false, 2.0),
            (vec![departure], 8 * 1920 - 8, "1 and 2", true, true, 2.0),
        ];
        for (roots, limit, passes_reading, where_used, the_cause, ratio) in cases {
            let refs: Vec<&LazyArray> = roots.iter().collect();
            let compute = Compute::new()
                .threads(2)
                .memory_limit(limit)
                .record_profile();
            let plan = compute.explain(&refs).unwrap();
            assert!(plan.starts_with("2 passes under a budget of"), "{plan}");
            if passes_reading.is_empty() {
                assert!(!plan.contains("is read by passes"), "{plan}");
                assert_eq!(plan.matches("reads store/t").count(), 1, "{plan}");
            } else {
                let why = format!("store/t is read by passes {passes_reading}");
                assert!(plan.contains(&why), "{plan}");
                assert_eq!(plan.contains("too large to stage"), the_cause, "{plan}");
            }
            let named = "computed where used, block by block, not staged: mean -> float64 \
                         [40, 6], 1.9 KiB; more than an eighth of the budget (staged from a \
                         budget of 15.0 KiB up)";
            // Named once: in the pass that computes it, not in the passes after it.
            assert_eq!(
                plan.matches(named).count(),
                usize::from(where_used),
                "{plan}"
            );
            assert_reads(&compute, &refs, ratio, &plan);
        }
    }

    /// A pass whose outputs iterate two chunk grids that both read a store says so, with
    /// the reason, and the run reads it that many times: under a budget where a fan (one
    /// block feeding both) would cost a worker, and under one so small that the member
    /// means are computed where used too, so that no segment iterates the store's grid.
    #[test]
    fn a_store_read_again_within_a_pass_is_named_with_the_reason() {
        let roots = analysis();
        let refs: Vec<&LazyArray> = roots.iter().collect();
        let fan_declined = "reads store/t 2 times: its outputs iterate 2 chunk grids, and one \
                            block reading it for two of them would take 984 B, and 1 such \
                            block fits in the budget at once where 2 must";
        let no_fan = "reads store/t 2 times: its outputs iterate 2 chunk grids, and each \
                      computes what it needs of the store in its own blocks";
        let cases = [
            (1536, Some(fan_declined), 2.0),
            (512, Some(no_fan), 2.0),
            (2048, None, 1.0),
        ];
        for (limit, said, ratio) in cases {
            let compute = Compute::new()
                .threads(2)
                .memory_limit(limit)
                .record_profile();
            let plan = compute.explain(&refs).unwrap();
            match said {
                Some(said) => assert!(plan.contains(said), "{plan}"),
                None => assert!(!plan.contains(" times: "), "{plan}"),
            }
            assert_reads(&compute, &refs, ratio, &plan);
        }
    }

    /// A pass that reads only a slice of a store says so.
    #[test]
    fn a_selection_of_a_store_is_named_as_such() {
        let roots = analysis();
        let t = roots[2].inputs()[0].inputs()[0].clone();
        let day = |start| AxisSlice {
            start,
            step: 1,
            len: 1,
        };
        let whole = |len| AxisSlice {
            start: 0,
            step: 1,
            len,
        };
        let snapshot = t.slice(&[whole(3), day(39), whole(6)]).unwrap();
        let plan = Compute::new()
            .memory_limit(1 << 20)
            .explain(&[&roots[0], &snapshot])
            .unwrap();
        assert!(plan.contains("reads a selection of store/t"), "{plan}");
        assert!(
            plan.contains("store/t is read by passes 1 and 2 (a selection)"),
            "{plan}"
        );
    }
}
