//! [`ChunkSink`]: where computed output chunks go (memory here; Zarr stores in `io`).

use std::ops::Range;
use std::sync::{Arc, Mutex};

use crate::engine::chunk::ArrayData;
use crate::engine::dtype::DType;
use crate::engine::grid::{ChunkGrid, region_shape};
use crate::engine::source::MemorySource;
use crate::{Error, Result};

/// A destination for output chunks. `write` is called from many threads, each time
/// with a distinct region.
pub trait ChunkSink: Send + Sync {
    /// Stores the data of one region of the output.
    fn write(&self, region: &[Range<usize>], data: &ArrayData) -> Result<()>;

    /// Bytes the sink keeps in memory for the whole computation (counted against the
    /// memory budget before any task runs).
    fn resident_bytes(&self) -> usize {
        0
    }
}

/// Collects output chunks into one in-memory array.
pub struct MemorySink {
    data: Mutex<ArrayData>,
    /// Regions written here, kept when ranks share the work so that each rank can send
    /// its part to the others.
    written: Option<Mutex<Vec<Vec<Range<usize>>>>>,
}

impl MemorySink {
    /// An output array of the given dtype and shape.
    pub fn new(dtype: DType, shape: &[usize]) -> Self {
        MemorySink {
            data: Mutex::new(ArrayData::zeros(dtype, shape)),
            written: crate::distributed::is_distributed().then(|| Mutex::new(vec![])),
        }
    }

    /// Completes the array with the regions other ranks computed (nothing on one rank);
    /// with `root_only`, on rank 0 only.
    pub(crate) fn gather(&self, root_only: bool) -> Result<()> {
        let Some(written) = &self.written else {
            return Ok(());
        };
        let mine = std::mem::take(&mut *written.lock().unwrap_or_else(|e| e.into_inner()));
        let mut data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        crate::distributed::gather_regions(&mut data, &mine, root_only)
    }

    /// The collected array.
    pub fn into_data(self) -> ArrayData {
        self.data.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl ChunkSink for MemorySink {
    fn resident_bytes(&self) -> usize {
        self.data.lock().unwrap_or_else(|e| e.into_inner()).nbytes()
    }

    fn write(&self, region: &[Range<usize>], data: &ArrayData) -> Result<()> {
        if let Some(w) = &self.written {
            w.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(region.to_vec());
        }
        self.data
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .assign_region(region, data)
    }
}

/// Collects output chunks as they are, one array per chunk of the output's grid: a
/// staged result read back by later passes chunk by chunk is never assembled whole
/// and split again (which held it twice at once).
pub(crate) struct ChunkedSink {
    grid: ChunkGrid,
    dtype: DType,
    chunks: Mutex<Vec<Option<Arc<ArrayData>>>>,
    /// Regions written here, kept when ranks share the work (see [`MemorySink`]).
    written: Option<Mutex<Vec<Vec<Range<usize>>>>>,
}

impl ChunkedSink {
    /// An output of `dtype` chunked as `grid`.
    pub(crate) fn new(dtype: DType, grid: ChunkGrid) -> Self {
        ChunkedSink {
            chunks: Mutex::new(vec![None; grid.n_chunks()]),
            grid,
            dtype,
            written: crate::distributed::is_distributed().then(|| Mutex::new(vec![])),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<Arc<ArrayData>>>> {
        self.chunks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Completes the chunks with those other ranks computed (nothing on one rank): the
    /// regions travel as one assembled array, as [`MemorySink::gather`] sends them.
    pub(crate) fn gather(&self) -> Result<()> {
        let Some(written) = &self.written else {
            return Ok(());
        };
        let mine = std::mem::take(&mut *written.lock().unwrap_or_else(|e| e.into_inner()));
        let mut whole = ArrayData::zeros(self.dtype, &self.grid.shape());
        let mut chunks = self.lock();
        for (c, chunk) in chunks.iter().enumerate() {
            if let Some(data) = chunk {
                whole.assign_region(&self.grid.chunk_region(&self.grid.unravel(c)), data)?;
            }
        }
        crate::distributed::gather_regions(&mut whole, &mine, false)?;
        for (c, chunk) in chunks.iter_mut().enumerate() {
            let region = self.grid.chunk_region(&self.grid.unravel(c));
            *chunk = Some(Arc::new(whole.slice_region(&region)));
        }
        Ok(())
    }

    /// The collected chunks as an in-memory source (a chunk no task wrote is zeros).
    pub(crate) fn into_source(self) -> Result<MemorySource> {
        let (grid, dtype) = (self.grid, self.dtype);
        let chunks = self
            .chunks
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .enumerate()
            .map(|(c, chunk)| {
                chunk.unwrap_or_else(|| {
                    let shape = region_shape(&grid.chunk_region(&grid.unravel(c)));
                    Arc::new(ArrayData::zeros(dtype, &shape))
                })
            })
            .collect();
        MemorySource::from_chunks(chunks, dtype, grid)
    }
}

impl ChunkSink for ChunkedSink {
    fn resident_bytes(&self) -> usize {
        self.grid.shape().iter().product::<usize>() * self.dtype.size()
    }

    fn write(&self, region: &[Range<usize>], data: &ArrayData) -> Result<()> {
        let Some(idx) = self.grid.chunk_exactly(region) else {
            return Err(Error::internal(
                "executor",
                format!("region {region:?} written to a chunked sink is not one of its chunks"),
            ));
        };
        if let Some(w) = &self.written {
            w.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(region.to_vec());
        }
        self.lock()[self.grid.ravel(&idx)] = Some(Arc::new(data.clone()));
        Ok(())
    }
}
