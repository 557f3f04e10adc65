//! How the blocks of one pass segment are cut into tasks (*runs*), so that reductions
//! give bit-identical results whatever the thread count, NUMA mode or schedule.
//!
//! Blocks are visited in a fixed order (the leading reduction's kept axes outermost).
//! The blocks that agree along those kept axes form a *group* (they feed one output
//! chunk of that reduction), and each group is cut into runs of consecutive blocks. A
//! run is one task: one worker feeds its blocks in order into fresh partials, and the
//! partials of an output chunk are merged in run order (see `combine`). Every
//! floating-point operation therefore happens in an order fixed by the plan alone.
//!
//! Run lengths come from the plan too: long enough that a run's partial is worth its
//! allocation and merge, short enough that a group's runs keep many workers busy and
//! that the partials waiting to be merged fit in a quarter of the budget.

use std::ops::Range;

/// The most runs a group is cut into (parallelism within one output chunk).
const MAX_RUNS_PER_GROUP: usize = 256;
/// A run reads at least this many times its partial's bytes, so that allocating and
/// merging the partial stays a small part of the run's work.
const READ_PER_PARTIAL: usize = 16;

/// The run layout of one segment's iteration grid.
#[derive(Clone, Debug)]
pub(super) struct Runs {
    /// Chunks per axis of the iteration grid.
    grid_shape: Vec<usize>,
    /// Axes from outermost to innermost.
    order: Vec<usize>,
    /// Blocks per group (the product of the grid shape over the non-leading axes).
    group_len: usize,
    /// Blocks per run, `1..=group_len`.
    run_len: usize,
    runs_per_group: usize,
    n_groups: usize,
}

/// What the run length is chosen from.
pub(super) struct RunCosts {
    /// Bytes of the partials one run of a group holds (0 when nothing is reduced).
    pub(super) partial_bytes: usize,
    /// Bytes a block reads and evaluates.
    pub(super) block_bytes: usize,
    /// The memory budget of the computation.
    pub(super) budget: usize,
}

impl Runs {
    /// Runs over a grid of `grid_shape` chunks visited in `order`, whose first `leading`
    /// axes define the groups.
    pub(super) fn new(
        grid_shape: Vec<usize>,
        order: Vec<usize>,
        leading: usize,
        costs: &RunCosts,
    ) -> Runs {
        let n_groups = order[..leading].iter().map(|&a| grid_shape[a]).product();
        let group_len: usize = order[leading..].iter().map(|&a| grid_shape[a]).product();
        let run_len = choose_run_len(group_len, costs);
        Runs {
            runs_per_group: group_len.div_ceil(run_len),
            grid_shape,
            order,
            group_len,
            run_len,
            n_groups,
        }
    }

    /// Number of runs (tasks).
    pub(super) fn n_units(&self) -> usize {
        self.n_groups * self.runs_per_group
    }

    /// Number of blocks.
    pub(super) fn n_blocks(&self) -> usize {
        self.n_groups * self.group_len
    }

    /// The blocks of run `unit`, as positions in visiting order.
    pub(super) fn blocks(&self, unit: usize) -> Range<usize> {
        let (g, j) = (unit / self.runs_per_group, unit % self.runs_per_group);
        let start = g * self.group_len + j * self.run_len;
        start..(g * self.group_len + ((j + 1) * self.run_len).min(self.group_len))
    }

    /// The chunk index of the block at position `pos` in visiting order.
    pub(super) fn block_index(&self, mut pos: usize) -> Vec<usize> {
        let mut idx = vec![0; self.grid_shape.len()];
        for &axis in self.order.iter().rev() {
            let n = self.grid_shape[axis].max(1);
            idx[axis] = pos % n;
            pos /= n;
        }
        idx
    }

    /// The position in visiting order of the block at chunk index `idx`.
    fn position(&self, idx: &[usize]) -> usize {
        self.order
            .iter()
            .fold(0, |acc, &axis| acc * self.grid_shape[axis] + idx[axis])
    }

    /// The run holding the block at chunk index `idx`.
    pub(super) fn unit_of(&self, idx: &[usize]) -> usize {
        let pos = self.position(idx);
        let (g, k) = (pos / self.group_len, pos % self.group_len);
        g * self.runs_per_group + k / self.run_len
    }

    /// The runs holding any of the blocks whose chunk index along each axis lies in
    /// `ranges`, ascending and without repeats.
    pub(super) fn units_of(&self, ranges: &[Range<usize>]) -> Vec<usize> {
        let mut units: Vec<usize> = vec![];
        if ranges.iter().any(|r| r.is_empty()) {
            return units;
        }
        // Visit the blocks in visiting order, so that their runs come ascending.
        let mut idx: Vec<usize> = ranges.iter().map(|r| r.start).collect();
        loop {
            let u = self.unit_of(&idx);
            if units.last() != Some(&u) {
                units.push(u);
            }
            // Odometer step, innermost axis of the order first.
            let mut carried = true;
            for &axis in self.order.iter().rev() {
                idx[axis] += 1;
                if idx[axis] < ranges[axis].end {
                    carried = false;
                    break;
                }
                idx[axis] = ranges[axis].start;
            }
            if carried {
                break;
            }
        }
        units
    }
}

/// Blocks per run for a group of `group_len` blocks.
fn choose_run_len(group_len: usize, costs: &RunCosts) -> usize {
    if group_len <= 1 || costs.partial_bytes == 0 {
        return 1;
    }
    // Partials waiting to be merged: at most a quarter of the budget per group.
    let max_runs = (costs.budget / 4 / costs.partial_bytes).clamp(1, MAX_RUNS_PER_GROUP);
    let amortized = (READ_PER_PARTIAL * costs.partial_bytes).div_ceil(costs.block_bytes.max(1));
    group_len
        .div_ceil(max_runs)
        .max(amortized)
        .clamp(1, group_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn costs(partial_bytes: usize, block_bytes: usize, budget: usize) -> RunCosts {
        RunCosts {
            partial_bytes,
            block_bytes,
            budget,
        }
    }

    #[test]
    fn runs_cover_every_block_once_in_order() {
        // 3 × 4 × 5 chunks, axis 1 kept (outermost), axes 2 then 0 inside.
        let cheap = costs(8, 1 << 20, 1 << 30);
        let runs = Runs::new(vec![3, 4, 5], vec![1, 2, 0], 1, &cheap);
        assert_eq!(runs.n_blocks(), 60);
        let mut seen = vec![];
        for u in 0..runs.n_units() {
            for pos in runs.blocks(u) {
                let idx = runs.block_index(pos);
                assert_eq!(runs.unit_of(&idx), u);
                seen.push(pos);
            }
        }
        assert_eq!(seen, (0..60).collect::<Vec<_>>());
    }

    #[test]
    fn a_group_never_shares_a_run() {
        // Big partials: one run per group of 7 blocks; small ones: one block a run.
        let big = costs(64 << 20, 1 << 20, 1 << 30);
        let runs = Runs::new(vec![2, 7], vec![0, 1], 1, &big);
        assert_eq!(runs.n_units(), 2);
        assert_eq!(runs.blocks(1), 7..14);
        let small = costs(8, 1 << 20, 1 << 30);
        let runs = Runs::new(vec![2, 7], vec![0, 1], 1, &small);
        assert_eq!(runs.n_units(), 14);
    }

    #[test]
    fn run_lengths_follow_the_plan_not_the_machine() {
        // A full reduction of 10,000 blocks: at most 256 runs.
        assert_eq!(choose_run_len(10_000, &costs(8, 1 << 20, 1 << 30)), 40);
        // Partials of 64 MiB in a 1 GiB budget: 4 runs a group.
        assert_eq!(choose_run_len(16, &costs(64 << 20, 256 << 20, 1 << 30)), 4);
        // A partial as large as the block it comes from: 16 blocks a run.
        assert_eq!(choose_run_len(100, &costs(1 << 20, 1 << 20, 1 << 30)), 16);
        assert_eq!(choose_run_len(5, &costs(1 << 20, 1 << 20, 1 << 30)), 5);
        // Nothing reduced: every block its own task.
        assert_eq!(choose_run_len(100, &costs(0, 1 << 20, 1 << 30)), 1);
    }

    #[test]
    fn units_of_a_box_are_ascending_and_distinct() {
        let cheap = costs(8, 1 << 20, 1 << 30);
        let runs = Runs::new(vec![3, 4], vec![0, 1], 1, &cheap);
        assert_eq!(runs.units_of(&[0..3, 1..2]), vec![1, 5, 9]);
        assert_eq!(runs.units_of(&[1..2, 0..4]), vec![4, 5, 6, 7]);
        assert!(runs.units_of(&[0..0, 0..4]).is_empty());
    }
}
