//! Chunk grids: how an array's shape is cut into blocks along each axis.
//!
//! Like dask's `chunks=((3, 3, 2), (4,))`, every axis has its own list of chunk
//! lengths, regular or not. The grid is arithmetic only: no chunk objects exist
//! until the executor asks for one.

use std::ops::Range;

use crate::{Error, Result};

/// A rectangular region of an array: one half-open range per axis.
pub type Region = Vec<Range<usize>>;

/// Per-axis chunk lengths.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChunkGrid {
    chunks: Vec<Vec<usize>>,
    /// Start offset of every chunk along each axis, plus the axis length at the end.
    offsets: Vec<Vec<usize>>,
}

impl ChunkGrid {
    /// A grid from explicit chunk lengths per axis. An axis of length 0 has no chunks
    /// (`vec![]`) or a single chunk of length 0.
    pub fn new(chunks: Vec<Vec<usize>>) -> Result<Self> {
        for (axis, c) in chunks.iter().enumerate() {
            if c.len() > 1 && c.contains(&0) {
                return Err(Error::InvalidChunks(format!(
                    "axis {axis} has a zero-length chunk among {c:?}"
                )));
            }
        }
        let chunks: Vec<Vec<usize>> = chunks
            .into_iter()
            .map(|c| if c == [0] { vec![] } else { c })
            .collect();
        let offsets = chunks
            .iter()
            .map(|c| {
                let mut o = Vec::with_capacity(c.len() + 1);
                let mut acc = 0;
                o.push(0);
                for &n in c {
                    acc += n;
                    o.push(acc);
                }
                o
            })
            .collect();
        Ok(ChunkGrid { chunks, offsets })
    }

    /// Regular chunks of at most `chunk[i]` along axis `i` (the last one may be shorter).
    pub fn regular(shape: &[usize], chunk: &[usize]) -> Result<Self> {
        if shape.len() != chunk.len() {
            return Err(Error::InvalidChunks(format!(
                "chunk shape {chunk:?} has {} axes but the array has {}",
                chunk.len(),
                shape.len()
            )));
        }
        let per_axis = shape
            .iter()
            .zip(chunk)
            .enumerate()
            .map(|(axis, (&n, &c))| {
                if c == 0 && n > 0 {
                    return Err(Error::InvalidChunks(format!(
                        "chunk length 0 on axis {axis} of length {n}"
                    )));
                }
                Ok(split_regular(n, c))
            })
            .collect::<Result<Vec<_>>>()?;
        ChunkGrid::new(per_axis)
    }

    /// One chunk covering the whole array.
    pub fn single(shape: &[usize]) -> Self {
        ChunkGrid::new(shape.iter().map(|&n| vec![n]).collect()).expect("single chunk is valid")
    }

    /// Checks that the chunks add up to `shape`.
    pub fn check_shape(&self, shape: &[usize]) -> Result<()> {
        if self.chunks.len() != shape.len() {
            return Err(Error::InvalidChunks(format!(
                "chunks have {} axes but the array has {} ({shape:?})",
                self.chunks.len(),
                shape.len()
            )));
        }
        for (axis, (c, &n)) in self.chunks.iter().zip(shape).enumerate() {
            let total: usize = c.iter().sum();
            if total != n {
                return Err(Error::InvalidChunks(format!(
                    "chunks {c:?} on axis {axis} add up to {total}, but the axis has length {n}"
                )));
            }
        }
        Ok(())
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.chunks.len()
    }

    /// The array shape this grid cuts.
    pub fn shape(&self) -> Vec<usize> {
        self.offsets
            .iter()
            .map(|o| *o.last().unwrap_or(&0))
            .collect()
    }

    /// Chunk lengths along every axis.
    pub fn chunks(&self) -> &[Vec<usize>] {
        &self.chunks
    }

    /// Chunk lengths along one axis.
    pub fn axis_chunks(&self, axis: usize) -> &[usize] {
        &self.chunks[axis]
    }

    /// Chunk start offsets along one axis, with the axis length appended.
    pub fn axis_offsets(&self, axis: usize) -> &[usize] {
        &self.offsets[axis]
    }

    /// Number of chunks along each axis.
    pub fn grid_shape(&self) -> Vec<usize> {
        self.chunks.iter().map(|c| c.len()).collect()
    }

    /// Total number of chunks (1 for a 0-d array, 0 if any axis is empty).
    pub fn n_chunks(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).product()
    }

    /// The largest chunk's number of elements.
    pub fn max_chunk_len(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.iter().copied().max().unwrap_or(0))
            .product()
    }

    /// The region of the chunk with this multi-index.
    pub fn chunk_region(&self, index: &[usize]) -> Region {
        index
            .iter()
            .enumerate()
            .map(|(axis, &i)| self.offsets[axis][i]..self.offsets[axis][i + 1])
            .collect()
    }

    /// Multi-index of the chunk with this C-order linear number.
    pub fn unravel(&self, mut linear: usize) -> Vec<usize> {
        let mut idx = vec![0; self.ndim()];
        for axis in (0..self.ndim()).rev() {
            let n = self.chunks[axis].len().max(1);
            idx[axis] = linear % n;
            linear /= n;
        }
        idx
    }

    /// C-order linear number of the chunk at `index` (the inverse of [`Self::unravel`]).
    pub fn ravel(&self, index: &[usize]) -> usize {
        index
            .iter()
            .zip(&self.chunks)
            .fold(0, |acc, (&i, c)| acc * c.len().max(1) + i)
    }

    /// The index of the chunk that `region` is exactly, if it is one.
    pub fn chunk_exactly(&self, region: &[Range<usize>]) -> Option<Vec<usize>> {
        if region.len() != self.ndim() || region.iter().any(|r| r.is_empty()) {
            return None;
        }
        let index: Vec<usize> = region
            .iter()
            .enumerate()
            .map(|(axis, r)| self.chunk_of(axis, r.start))
            .collect();
        (self.chunk_region(&index) == region).then_some(index)
    }

    /// Index of the chunk containing position `pos` along `axis`.
    pub fn chunk_of(&self, axis: usize, pos: usize) -> usize {
        let o = &self.offsets[axis];
        match o.binary_search(&pos) {
            Ok(i) => i.min(self.chunks[axis].len().saturating_sub(1)),
            Err(i) => i - 1,
        }
    }

    /// Range of chunk indices along `axis` that overlap `range`.
    pub fn chunks_overlapping(&self, axis: usize, range: &Range<usize>) -> Range<usize> {
        if range.start >= range.end {
            return 0..0;
        }
        self.chunk_of(axis, range.start)..self.chunk_of(axis, range.end - 1) + 1
    }

    /// Restricts the grid to a region (chunks clipped at its edges), as slicing does.
    pub fn restrict(&self, region: &[Range<usize>]) -> ChunkGrid {
        let per_axis = region
            .iter()
            .enumerate()
            .map(|(axis, r)| {
                let mut out = vec![];
                for c in self.chunks_overlapping(axis, r) {
                    let lo = self.offsets[axis][c].max(r.start);
                    let hi = self.offsets[axis][c + 1].min(r.end);
                    out.push(hi - lo);
                }
                out
            })
            .collect();
        ChunkGrid::new(per_axis).expect("restricted grid is valid")
    }

    /// The grid whose boundaries are the union of both grids' boundaries (same shape).
    pub fn union(&self, other: &ChunkGrid) -> ChunkGrid {
        let per_axis = self
            .offsets
            .iter()
            .zip(&other.offsets)
            .map(|(a, b)| {
                let mut cuts: Vec<usize> = a.iter().chain(b.iter()).copied().collect();
                cuts.sort_unstable();
                cuts.dedup();
                cuts.windows(2).map(|w| w[1] - w[0]).collect()
            })
            .collect();
        ChunkGrid::new(per_axis).expect("union grid is valid")
    }

    /// A grid with the axes reordered (`out[i] = self[perm[i]]`).
    pub fn permuted(&self, perm: &[usize]) -> ChunkGrid {
        ChunkGrid::new(perm.iter().map(|&p| self.chunks[p].clone()).collect())
            .expect("permuted grid is valid")
    }

    /// A grid with one axis's chunks replaced.
    pub fn with_axis(&self, axis: usize, chunks: Vec<usize>) -> ChunkGrid {
        let mut c = self.chunks.clone();
        c[axis] = chunks;
        ChunkGrid::new(c).expect("axis replacement is valid")
    }

    /// A grid with a new axis of the given chunks inserted at `axis`.
    pub fn insert_axis(&self, axis: usize, chunks: Vec<usize>) -> ChunkGrid {
        let mut c = self.chunks.clone();
        c.insert(axis, chunks);
        ChunkGrid::new(c).expect("axis insertion is valid")
    }

    /// A grid with one axis removed.
    pub fn remove_axis(&self, axis: usize) -> ChunkGrid {
        let mut c = self.chunks.clone();
        c.remove(axis);
        ChunkGrid::new(c).expect("axis removal is valid")
    }
}

/// Splits a length into regular pieces of `chunk` (the last may be shorter).
pub(crate) fn split_regular(n: usize, chunk: usize) -> Vec<usize> {
    if n == 0 {
        return vec![];
    }
    let chunk = chunk.clamp(1, n);
    let mut out = vec![chunk; n / chunk];
    if n % chunk != 0 {
        out.push(n % chunk);
    }
    out
}

/// The shape of a region.
pub fn region_shape(region: &[Range<usize>]) -> Vec<usize> {
    region.iter().map(|r| r.end - r.start).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_and_irregular_grids() {
        let g = ChunkGrid::regular(&[8, 4], &[3, 4]).unwrap();
        assert_eq!(g.chunks(), &[vec![3, 3, 2], vec![4]]);
        assert_eq!(g.chunk_region(&[2, 0]), vec![6..8, 0..4]);
        assert_eq!(g.n_chunks(), 3);
        assert_eq!(g.chunk_of(0, 5), 1);
        assert_eq!(g.chunks_overlapping(0, &(2..7)), 0..3);
        assert_eq!(
            g.restrict(&[2..7, 1..3]).chunks(),
            &[vec![1, 3, 1], vec![2]]
        );
        assert!(ChunkGrid::new(vec![vec![3, 0, 2]]).is_err());
        assert!(g.check_shape(&[8, 5]).is_err());
    }

    #[test]
    fn union_merges_boundaries() {
        let a = ChunkGrid::new(vec![vec![4, 4]]).unwrap();
        let b = ChunkGrid::new(vec![vec![3, 5]]).unwrap();
        assert_eq!(a.union(&b).chunks(), &[vec![3, 1, 4]]);
    }

    #[test]
    fn empty_axes_have_no_chunks() {
        let g = ChunkGrid::regular(&[0, 3], &[2, 2]).unwrap();
        assert_eq!(g.n_chunks(), 0);
        assert_eq!(g.shape(), vec![0, 3]);
        let s = ChunkGrid::single(&[]);
        assert_eq!(s.n_chunks(), 1);
        assert_eq!(s.chunk_region(&[]), Vec::<Range<usize>>::new());
    }
}
