//! Which rank runs which task of a pass.

use std::ops::Range;

/// This rank's share of the `n` tasks (runs) of one pass segment: a contiguous range,
/// so that the runs feeding one output chunk, which are consecutive, mostly stay on one
/// rank; a chunk whose runs a boundary cuts is merged across ranks after the pass.
pub(crate) fn share(n: usize) -> Range<usize> {
    share_of(n, super::rank(), super::size())
}

/// The share of rank `rank` of `size`.
fn share_of(n: usize, rank: usize, size: usize) -> Range<usize> {
    let size = size.max(1);
    rank * n / size..(rank + 1) * n / size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_task_once_and_are_balanced() {
        for n in [0, 1, 2, 7, 100] {
            for size in 1..=7 {
                let shares: Vec<Range<usize>> = (0..size).map(|r| share_of(n, r, size)).collect();
                let all: Vec<usize> = shares.iter().flat_map(|s| s.clone()).collect();
                assert_eq!(all, (0..n).collect::<Vec<_>>(), "{n} tasks on {size} ranks");
                let (lo, hi) = (
                    shares.iter().map(|s| s.len()).min().unwrap(),
                    shares.iter().map(|s| s.len()).max().unwrap(),
                );
                assert!(hi - lo <= 1, "{n} tasks on {size} ranks: {shares:?}");
            }
        }
    }

    #[test]
    fn one_process_runs_everything() {
        assert_eq!(share_of(9, 0, 1), 0..9);
    }
}
