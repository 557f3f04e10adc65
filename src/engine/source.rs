//! [`ChunkSource`]: where array data comes from. In-memory arrays and generator
//! closures live here; Zarr and netCDF implement the same trait in `io`.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::chunk::ArrayData;
use super::dtype::DType;
use super::grid::{ChunkGrid, region_shape};
use crate::{Error, Result};

/// A read-only array that can produce any rectangular region on demand.
///
/// Implementations should read only the stored chunks that overlap the region.
/// `read` is called from many threads at once.
///
/// A region has one range per axis, each within the axis: `k..k` (with `k` up to the
/// axis length) is valid and reads a zero-length axis; a reversed range, a range past
/// the end or the wrong number of ranges is an [`Error`], never a panic. The test suite
/// checks every source against these rules (`tests/support/chunk_source_conformance.rs`).
pub trait ChunkSource: Send + Sync + fmt::Debug {
    /// The array's shape.
    fn shape(&self) -> &[usize];
    /// The element type.
    fn dtype(&self) -> DType;
    /// The native chunking (the unit in which the data is stored or produced).
    fn chunks(&self) -> &ChunkGrid;
    /// Produces the data of `region`, of shape `region_shape(region)`.
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData>;
    /// Like [`read`](Self::read), but may hand out data the source already holds
    /// without copying it. The executor calls this one.
    fn read_shared(&self, region: &[Range<usize>]) -> Result<Arc<ArrayData>> {
        Ok(Arc::new(self.read(region)?))
    }
    /// A short description for errors and profiles (a path, URL or "memory").
    fn describe(&self) -> String {
        "source".into()
    }
    /// Whether reads come from a store (a file, an object store) rather than from
    /// memory or a generator: the profile counts those reads.
    fn stored(&self) -> bool {
        false
    }
}

/// An array held in memory as separate chunks, so that reading a whole chunk shares
/// it instead of copying it.
#[derive(Debug)]
pub struct MemorySource {
    chunks: Vec<Arc<ArrayData>>,
    dtype: DType,
    shape: Vec<usize>,
    grid: ChunkGrid,
}

impl MemorySource {
    /// Splits an array into the chunks of `grid`.
    pub fn new(data: ArrayData, grid: ChunkGrid) -> Result<Self> {
        grid.check_shape(data.shape())?;
        let shape = data.shape().to_vec();
        let dtype = data.dtype();
        let chunks = if grid.n_chunks() == 1 {
            vec![Arc::new(data)]
        } else {
            (0..grid.n_chunks())
                .map(|c| Arc::new(data.slice_region(&grid.chunk_region(&grid.unravel(c)))))
                .collect()
        };
        Ok(MemorySource {
            chunks,
            dtype,
            shape,
            grid,
        })
    }

    /// A source from chunks already cut along `grid` (in its C order).
    pub(crate) fn from_chunks(
        chunks: Vec<Arc<ArrayData>>,
        dtype: DType,
        grid: ChunkGrid,
    ) -> Result<Self> {
        if chunks.len() != grid.n_chunks() {
            return Err(crate::Error::internal(
                "memory source",
                format!("{} chunks for a grid of {}", chunks.len(), grid.n_chunks()),
            ));
        }
        Ok(MemorySource {
            shape: grid.shape(),
            chunks,
            dtype,
            grid,
        })
    }

    fn chunk(&self, index: &[usize]) -> Arc<ArrayData> {
        self.chunks[self.grid.ravel(index)].clone()
    }
}

impl ChunkSource for MemorySource {
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn chunks(&self) -> &ChunkGrid {
        &self.grid
    }
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
        check_region(self, region)?;
        assemble(&self.grid, self.dtype, region, |idx| Ok(self.chunk(idx)))
    }
    fn read_shared(&self, region: &[Range<usize>]) -> Result<Arc<ArrayData>> {
        check_region(self, region)?;
        match self.grid.chunk_exactly(region) {
            Some(index) => Ok(self.chunk(&index)),
            None => Ok(Arc::new(self.read(region)?)),
        }
    }
    fn describe(&self) -> String {
        format!("in-memory {} array {:?}", self.dtype, self.shape)
    }
}

/// The function a [`FnSource`] calls: given a chunk's multi-index and region, its data.
pub(crate) type ChunkFn = dyn Fn(&[usize], &[Range<usize>]) -> Result<ArrayData> + Send + Sync;

/// An array produced chunk by chunk by a closure, never held whole: the way to feed
/// simulated products or synthetic data to the engine.
pub struct FnSource {
    shape: Vec<usize>,
    dtype: DType,
    grid: ChunkGrid,
    name: String,
    f: Box<ChunkFn>,
}

impl fmt::Debug for FnSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnSource")
            .field("name", &self.name)
            .field("shape", &self.shape)
            .field("dtype", &self.dtype)
            .finish()
    }
}

impl FnSource {
    /// A generated array: `f(chunk_index, chunk_region)` must return the chunk's data.
    pub fn new(
        name: impl Into<String>,
        dtype: DType,
        grid: ChunkGrid,
        f: impl Fn(&[usize], &[Range<usize>]) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Self {
        FnSource {
            shape: grid.shape(),
            dtype,
            grid,
            name: name.into(),
            f: Box::new(f),
        }
    }

    fn chunk(&self, index: &[usize]) -> Result<ArrayData> {
        let region = self.grid.chunk_region(index);
        let data = (self.f)(index, &region)?;
        let want = region_shape(&region);
        if data.shape() != want.as_slice() || data.dtype() != self.dtype {
            return Err(Error::SourceRead {
                source_name: self.name.clone(),
                chunk: region,
                message: format!(
                    "generator returned a {} chunk of shape {:?}, expected {} {:?}",
                    data.dtype(),
                    data.shape(),
                    self.dtype,
                    want
                ),
                source: None,
            });
        }
        Ok(data)
    }
}

impl ChunkSource for FnSource {
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn chunks(&self) -> &ChunkGrid {
        &self.grid
    }
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
        check_region(self, region)?;
        assemble(&self.grid, self.dtype, region, |idx| {
            self.chunk(idx).map(Arc::new)
        })
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// Checks that a region lies inside a source.
pub(crate) fn check_region(src: &dyn ChunkSource, region: &[Range<usize>]) -> Result<()> {
    let shape = src.shape();
    if region.len() != shape.len()
        || region
            .iter()
            .zip(shape)
            .any(|(r, &n)| r.start > r.end || r.end > n)
    {
        return Err(Error::IndexOutOfBounds(format!(
            "region {region:?} is outside {} of shape {shape:?}",
            src.describe()
        )));
    }
    Ok(())
}

/// Builds a region out of the stored chunks that overlap it; `read_chunk(index)` returns
/// one whole chunk. A region inside one chunk is cut from it without an extra copy of
/// the full region. Every chunk-based source (generators, Zarr, netCDF) uses this.
pub(crate) fn assemble(
    grid: &ChunkGrid,
    dtype: DType,
    region: &[Range<usize>],
    mut read_chunk: impl FnMut(&[usize]) -> Result<Arc<ArrayData>>,
) -> Result<ArrayData> {
    let ranges: Vec<Range<usize>> = region
        .iter()
        .enumerate()
        .map(|(axis, r)| grid.chunks_overlapping(axis, r))
        .collect();
    let count: usize = ranges.iter().map(|r| r.len()).product();
    if count == 0 {
        return Ok(ArrayData::zeros(dtype, &region_shape(region)));
    }
    let local = |idx: &[usize]| -> (Vec<Range<usize>>, Vec<Range<usize>>) {
        let creg = grid.chunk_region(idx);
        let inner: Vec<Range<usize>> = creg
            .iter()
            .zip(region)
            .map(|(c, r)| r.start.max(c.start) - c.start..r.end.min(c.end) - c.start)
            .collect();
        let outer: Vec<Range<usize>> = creg
            .iter()
            .zip(region)
            .map(|(c, r)| r.start.max(c.start) - r.start..r.end.min(c.end) - r.start)
            .collect();
        (inner, outer)
    };
    let mut idx: Vec<usize> = ranges.iter().map(|r| r.start).collect();
    if count == 1 {
        let chunk = read_chunk(&idx)?;
        let inner = local(&idx).0;
        return Ok(match Arc::try_unwrap(chunk) {
            Ok(owned) => owned.into_region(&inner),
            Err(shared) => shared.slice_region(&inner),
        });
    }
    let mut out = ArrayData::zeros(dtype, &region_shape(region));
    loop {
        let chunk = read_chunk(&idx)?;
        let (inner, outer) = local(&idx);
        out.assign_region(&outer, &chunk.slice_region(&inner))?;
        // Advance the multi-index (C order) over the overlapping chunks.
        let mut axis = idx.len();
        loop {
            if axis == 0 {
                return Ok(out);
            }
            axis -= 1;
            idx[axis] += 1;
            if idx[axis] < ranges[axis].end {
                break;
            }
            idx[axis] = ranges[axis].start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, IxDyn};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn fn_source_reads_only_overlapping_chunks() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let grid = ChunkGrid::regular(&[10, 6], &[4, 3]).unwrap();
        let src = FnSource::new("gen", DType::F64, grid, move |_, region| {
            c.fetch_add(1, Ordering::Relaxed);
            let shape = region_shape(region);
            Ok(ArrayData::new(Array::from_shape_fn(IxDyn(&shape), |i| {
                ((i[0] + region[0].start) * 100 + i[1] + region[1].start) as f64
            })))
        });
        let part = src.read(&[3..5, 2..4]).unwrap();
        assert_eq!(part.to_f64_vec(), vec![302.0, 303.0, 402.0, 403.0]);
        assert_eq!(calls.load(Ordering::Relaxed), 4);
        assert!(src.read(&[0..11, 0..6]).is_err());
    }

    #[test]
    fn generator_returning_a_wrong_shape_is_an_error() {
        let grid = ChunkGrid::regular(&[4], &[2]).unwrap();
        let src = FnSource::new("bad", DType::F32, grid, |_, _| {
            Ok(ArrayData::zeros(DType::F32, &[3]))
        });
        let err = src.read(&[0..2, 0..1][..1]).unwrap_err().to_string();
        assert!(err.contains("shape [3]"), "{err}");
    }
}
