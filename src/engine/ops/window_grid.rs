//! The chunks of a rolling window's output: the input's, merged along the rolling axis
//! where they are short next to the halo.
//!
//! Each output chunk is computed from its positions and a halo of `before + after`
//! positions of its neighbours, read again for each chunk that needs them. With 5-day
//! chunks and a 30-day window, a chunk reads 34 days for 5 (the stored chunks of its
//! neighbours are decoded seven times over) and runs the window over them: a rolling
//! mean then took 40 times one read of the store. Merging consecutive chunks until
//! each spans at least [`HALO_SPANS`] halos bounds the re-read at `1 / HALO_SPANS` of
//! the data. Two limits keep merged chunks reasonable: a merged chunk holds at most
//! [`MAX_CHUNK_BYTES`] (unless one input chunk is already larger; chunks are never
//! split), and there stay at least two chunks per core to share out. xarray's rolling
//! on dask rechunks too where the window outgrows the chunks.

use crate::engine::grid::ChunkGrid;

/// A merged chunk spans at least this many halos when the limits allow: the halo
/// re-read adds at most a third to the data read. (On a 730 x 180 x 360 float32 store
/// in 5-day chunks, a 30-day rolling mean then std took the same CPU time with 2, 3, 4
/// or 8 halos within the noise of a loaded 2-core machine; peak memory grows with the
/// span: 155 MB at 2, 218-244 MB at 4.)
pub(crate) const HALO_SPANS: usize = 3;

/// The most bytes a merged output chunk holds (its halo'd input block holds a little
/// more, and the task's output as much again).
pub(crate) const MAX_CHUNK_BYTES: usize = 64 << 20;

/// The output grid of a window of `halo` positions (`before + after`) along `axis` of an
/// array chunked as `grid`, with elements of `elem_bytes`, on `threads` cores.
pub(crate) fn merged_grid(
    grid: &ChunkGrid,
    axis: usize,
    halo: usize,
    elem_bytes: usize,
    threads: usize,
) -> ChunkGrid {
    let chunks = grid.axis_chunks(axis);
    if halo == 0 || chunks.len() < 2 {
        return grid.clone();
    }
    let len: usize = chunks.iter().sum();
    let others: usize = (0..grid.ndim())
        .filter(|&a| a != axis)
        .map(|a| grid.axis_chunks(a).len())
        .product();
    let row_bytes: usize = (0..grid.ndim())
        .filter(|&a| a != axis)
        .map(|a| grid.axis_chunks(a).iter().copied().max().unwrap_or(1))
        .product::<usize>()
        * elem_bytes.max(1);
    // The longest span the memory and parallelism limits allow.
    let by_bytes = (MAX_CHUNK_BYTES / row_bytes.max(1)).max(1);
    let groups_wanted = (2 * threads.max(1)).div_ceil(others.max(1)).max(1);
    let by_cores = len.div_ceil(groups_wanted).max(1);
    let limit = by_bytes.min(by_cores);
    let target = (HALO_SPANS * halo).min(limit);
    let mut merged = vec![];
    let mut span = 0;
    for &c in chunks {
        if span > 0 && (span >= target || span + c > limit) {
            merged.push(span);
            span = 0;
        }
        span += c;
    }
    merged.push(span);
    grid.with_axis(axis, merged)
}

/// The number of cores a merged grid shares its chunks among.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_chunks_merge_until_they_span_three_halos() {
        let g = ChunkGrid::regular(&[730, 10, 10], &[5, 10, 10]).unwrap();
        let m = merged_grid(&g, 0, 29, 4, 2);
        assert_eq!(m.axis_chunks(0)[0], 90);
        assert_eq!(m.axis_chunks(0).iter().sum::<usize>(), 730);
        assert_eq!(m.axis_chunks(1), g.axis_chunks(1));
        // Long chunks, or a window of one position, keep the grid.
        let long = ChunkGrid::regular(&[730, 10], &[365, 10]).unwrap();
        assert_eq!(merged_grid(&long, 0, 29, 4, 2), long);
        assert_eq!(merged_grid(&g, 0, 0, 4, 2), g);
    }

    #[test]
    fn merging_stops_at_the_byte_and_core_limits() {
        // A 1 MiB row: 64 rows at most per chunk.
        let g = ChunkGrid::regular(&[1000, 512, 512], &[5, 512, 512]).unwrap();
        let m = merged_grid(&g, 0, 364, 4, 2);
        assert!(m.axis_chunks(0).iter().all(|&c| c <= 64), "{m:?}");
        assert!(m.axis_chunks(0).contains(&60), "{m:?}");
        // Sixteen cores and one chunk across: at least 32 chunks along the axis.
        let g = ChunkGrid::regular(&[730, 4], &[5, 4]).unwrap();
        let m = merged_grid(&g, 0, 29, 4, 16);
        assert!(m.axis_chunks(0).len() >= 32, "{m:?}");
        // A chunk larger than the limit is kept whole, not split.
        let g = ChunkGrid::new(vec![vec![300, 2, 2], vec![1 << 19]]).unwrap();
        let m = merged_grid(&g, 0, 10, 8, 1);
        assert_eq!(m.axis_chunks(0), &[300, 4]);
    }
}
