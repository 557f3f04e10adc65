//! The budget of a computation that nothing sets one for: what its plan needs, within
//! what the machine (or the batch job's cgroup) can give.
//!
//! Half of RAM, the old default, is wrong both ways: on a 512 GiB node it lets one
//! computation stage tens of GiB it never needed, and under a 16 GiB Slurm job it is a
//! budget the scheduler kills the job for. What a plan needs is known before it runs:
//! the results held in memory, the nested reductions it stages, and a few blocks in
//! flight per worker.

use super::budget::parse_bytes;
use super::pass::segment_needs;
use super::stage::nested_reductions;
use super::system_memory::available_memory;
use crate::Result;
use crate::engine::graph::LazyArray;

/// No default budget is smaller: below this, per-task overheads dominate.
const FLOOR: usize = 256 << 20;
/// Blocks in flight per worker that the budget leaves room for (one being evaluated,
/// one being read, the partials and output chunks they feed).
const BLOCKS_PER_WORKER: usize = 4;
/// A nested reduction is staged when its result takes at most this fraction of the
/// budget (see `compute::stage_nested`); a larger one is computed where it is used.
pub(super) const STAGE_SHARE: usize = 8;
/// The share of the budget runs' partials may take is `1 / RUN_PARTIAL_SHARE`.
const RUN_PARTIAL_SHARE: usize = 4;
/// Runs of one output chunk per worker that the budget leaves room for.
const RUNS_PER_WORKER: usize = 2;
/// When the machine does not say how much memory it has.
const UNKNOWN_MEMORY: usize = 4 << 30;

/// The most a computation may take when nothing sets its budget:
/// `TESSERA_MEMORY_LIMIT` if set, else half of the memory this process can still take
/// (`MemAvailable`, lowered to what a cgroup limit leaves; 4 GiB when unknown).
pub fn default_limit() -> Result<usize> {
    Ok(env_limit()?.unwrap_or_else(machine_ceiling))
}

/// `TESSERA_MEMORY_LIMIT`, when set.
fn env_limit() -> Result<Option<usize>> {
    std::env::var("TESSERA_MEMORY_LIMIT")
        .ok()
        .map(|v| parse_bytes(&v))
        .transpose()
}

/// Half of the memory this process can still take (4 GiB when unknown).
fn machine_ceiling() -> usize {
    available_memory().map_or(UNKNOWN_MEMORY, |m| m / 2)
}

/// The budget for computing `roots` on `workers` threads with `resident` bytes of
/// in-memory results: `TESSERA_MEMORY_LIMIT` when set; otherwise what the plan needs
/// (the resident results, every nested reduction's result, and the larger of
/// `BLOCKS_PER_WORKER` blocks of its largest task per worker and room for
/// `RUNS_PER_WORKER` runs' partials per worker), at least `FLOOR` and at most
/// [`default_limit`]. Nested results larger than an eighth of that are computed where
/// they are used rather than staged: measured on the precipitation example, holding a
/// staged ensemble mean cost more time and memory than reading its input twice.
pub(super) fn planned_limit(roots: &[LazyArray], workers: usize, resident: usize) -> Result<usize> {
    if let Some(limit) = env_limit()? {
        return Ok(limit);
    }
    let ceiling = machine_ceiling();
    Ok(plan_need(roots, workers, resident).clamp(FLOOR.min(ceiling), ceiling))
}

/// Bytes the plan of `roots` needs (see [`planned_limit`]).
fn plan_need(roots: &[LazyArray], workers: usize, resident: usize) -> usize {
    let mut nested = vec![];
    let mut level = nested_reductions(roots);
    while !level.is_empty() {
        let deeper = nested_reductions(&level);
        nested.append(&mut level);
        level = deeper;
    }
    let staged: usize = nested.iter().map(|n| n.nbytes()).sum();
    // The final pass and the staging pass (one for all nested results: a bound on
    // the passes that stage them level by level).
    let (final_task, final_partials) = segment_needs(roots);
    let (staging_task, staging_partials) = segment_needs(&nested);
    let workers = workers.max(1);
    let blocks = final_task
        .max(staging_task)
        .saturating_mul(BLOCKS_PER_WORKER * workers);
    // Runs' partials may take a quarter of the budget (see `runs`): room for two runs
    // per worker keeps every worker busy on an output chunk's blocks.
    let partials = final_partials
        .max(staging_partials)
        .saturating_mul(RUN_PARTIAL_SHARE * RUNS_PER_WORKER * workers);
    resident
        .saturating_add(staged)
        .saturating_add(blocks.max(partials))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ChunkGrid, DType};

    fn zeros(shape: &[usize], chunk: &[usize]) -> LazyArray {
        let grid = ChunkGrid::regular(shape, chunk).unwrap();
        LazyArray::from_fn("z", DType::F64, grid, |_, r| {
            let shape: Vec<usize> = r.iter().map(|r| r.len()).collect();
            Ok(crate::engine::ArrayData::new(
                ndarray::ArrayD::<f64>::zeros(ndarray::IxDyn(&shape)),
            ))
        })
    }

    #[test]
    fn a_streaming_sum_needs_a_few_blocks_per_worker() {
        // 1 MiB blocks, a sum: nothing staged, nothing resident.
        let x = zeros(&[64, 128, 1024], &[1, 128, 1024]);
        let total = x.sum(&[0, 1, 2]).unwrap();
        let need = plan_need(&[total], 4, 0);
        assert!((16 << 20..=64 << 20).contains(&need), "{need}");
    }

    #[test]
    fn nested_results_and_resident_outputs_are_counted() {
        // The mean over axis 0 is 8 MiB, nested in the anomaly's std (8 MiB resident).
        let x = zeros(&[16, 1024, 1024], &[1, 1024, 1024]);
        let mean = x.mean(&[0]).unwrap();
        let std = x.sub(&mean).unwrap().std(&[0], 0).unwrap();
        let alone = plan_need(std::slice::from_ref(&std), 2, 0);
        let (task, partials) = segment_needs(std::slice::from_ref(&std));
        let working =
            (BLOCKS_PER_WORKER * 2 * task).max(RUN_PARTIAL_SHARE * RUNS_PER_WORKER * 2 * partials);
        assert_eq!(alone, (8 << 20) + working);
        // A task evaluates at least x and x - mean, 8 MiB each.
        assert!(task >= 16 << 20, "{task}");
        let with_result = plan_need(&[std], 2, 8 << 20);
        assert_eq!(with_result - alone, 8 << 20);
    }

    #[test]
    fn every_worker_gets_room_for_its_runs_partials() {
        // A monthly climatology of 1 MiB blocks: one output chunk of 12 x 1 MiB cells,
        // whose partials (several bytes a cell) dwarf a block.
        let x = zeros(&[120, 256, 512], &[10, 256, 512]);
        let labels: Vec<i64> = (0..120).map(|t| t % 12).collect();
        let clim = x
            .group_reduce(
                crate::engine::reduce_spec::ReduceKind::Mean,
                0,
                labels,
                12,
                Default::default(),
            )
            .unwrap();
        let (_, partials) = segment_needs(std::slice::from_ref(&clim));
        assert!(partials >= 12 * 256 * 512 * 8, "{partials}");
        let need = plan_need(&[clim], 2, 0);
        // With a quarter of the budget for partials, at least two runs per worker.
        assert!(
            need / RUN_PARTIAL_SHARE / partials >= RUNS_PER_WORKER * 2,
            "{need}"
        );
    }

    #[test]
    fn the_default_never_exceeds_the_ceiling() {
        let x = zeros(&[1 << 20, 1 << 20], &[1 << 10, 1 << 10]);
        let mean = x.mean(&[0]).unwrap();
        let anomaly = x.sub(&mean).unwrap().sum(&[0]).unwrap();
        if std::env::var_os("TESSERA_MEMORY_LIMIT").is_none() {
            let limit = planned_limit(&[anomaly], 2, 0).unwrap();
            assert!(limit <= default_limit().unwrap());
        }
    }
}
