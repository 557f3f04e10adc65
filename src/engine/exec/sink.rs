//! [`ChunkSink`]: where computed output chunks go (memory here; Zarr stores in `io`).

use std::ops::Range;
use std::sync::Mutex;

use crate::Result;
use crate::engine::chunk::ArrayData;
use crate::engine::dtype::DType;

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
