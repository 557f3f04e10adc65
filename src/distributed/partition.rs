//! Which rank computes which block of a pass.

use crate::engine::grid::ChunkGrid;

/// Shares the blocks of one iteration grid between ranks: blocks are grouped by their
/// chunk coordinates along `axes` (the axes every output of the grid keeps), and each
/// rank takes a contiguous run of groups, so all the blocks of one output chunk land on
/// one rank.
#[derive(Clone, Debug)]
pub(crate) struct Partition {
    axes: Vec<usize>,
    groups: usize,
    rank: usize,
    size: usize,
}

impl Partition {
    /// The share of this process, for blocks of `grid` grouped along `axes`.
    pub(crate) fn new(grid: &ChunkGrid, axes: Vec<usize>) -> Partition {
        Partition::for_rank(grid, axes, super::rank(), super::size())
    }

    /// The share of rank `rank` of `size`.
    fn for_rank(grid: &ChunkGrid, axes: Vec<usize>, rank: usize, size: usize) -> Partition {
        let shape = grid.grid_shape();
        let groups = axes.iter().map(|&a| shape[a]).product::<usize>().max(1);
        Partition {
            axes,
            groups,
            rank,
            size,
        }
    }

    /// Whether this rank computes the block at chunk index `idx` of `grid`.
    pub(crate) fn owns(&self, grid: &ChunkGrid, idx: &[usize]) -> bool {
        if self.size <= 1 {
            return true;
        }
        let shape = grid.grid_shape();
        let group = self
            .axes
            .iter()
            .fold(0usize, |acc, &a| acc * shape[a] + idx[a]);
        // Contiguous runs: group g goes to rank floor(g * size / groups).
        group * self.size / self.groups == self.rank
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(grid: &ChunkGrid, axes: &[usize], size: usize, idx: &[usize]) -> Vec<usize> {
        (0..size)
            .filter(|&r| Partition::for_rank(grid, axes.to_vec(), r, size).owns(grid, idx))
            .collect()
    }

    #[test]
    fn every_block_has_exactly_one_owner_and_shares_are_balanced() {
        // 5 × 4 × 3 blocks, grouped along axes 0 and 2 (axis 1 is reduced).
        let grid = ChunkGrid::regular(&[10, 8, 9], &[2, 2, 3]).unwrap();
        for size in 1..=7 {
            let mut load = vec![0usize; size];
            for c in 0..grid.n_chunks() {
                let idx = grid.unravel(c);
                let o = owners(&grid, &[0, 2], size, &idx);
                assert_eq!(o.len(), 1, "block {idx:?} on {size} ranks: {o:?}");
                // The blocks of one output chunk (same axes 0 and 2) share the owner.
                let mut other = idx.clone();
                other[1] = 3 - idx[1];
                assert_eq!(owners(&grid, &[0, 2], size, &other), o);
                load[o[0]] += 1;
            }
            let (lo, hi) = (load.iter().min().unwrap(), load.iter().max().unwrap());
            // 15 groups of 4 blocks: shares differ by at most one group.
            assert!(hi - lo <= 4, "{size} ranks: {load:?}");
        }
    }

    #[test]
    fn a_full_reduction_runs_on_one_rank() {
        let grid = ChunkGrid::regular(&[6, 6], &[2, 2]).unwrap();
        for c in 0..grid.n_chunks() {
            assert_eq!(owners(&grid, &[], 3, &grid.unravel(c)), vec![0]);
        }
    }
}
