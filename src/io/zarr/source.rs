//! [`ZarrSource`]: a stored array as an engine [`ChunkSource`]. Its chunks are the
//! store's chunks (or whole groups of them when the user asked for larger chunks);
//! each is decoded by zarrs with a codec concurrency of 1 on the executor's thread,
//! so parallelism comes from the executor alone and does not nest.

use std::ops::Range;
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};
use zarrs::array::{ArrayBytes, CodecOptions};

use super::array::{ArrayInfo, ZArray};
use super::kinds::{Kind, f16_to_f32};
use crate::engine::source::{assemble, check_region};
use crate::engine::{ArrayData, ChunkGrid, ChunkSource, DType};
use crate::error::{BoxError, caused_by};
use crate::time::NAT;
use crate::{Error, Result};

/// One stored array, read chunk by chunk.
pub(crate) struct ZarrSource {
    info: ArrayInfo,
    array: Arc<ZArray>,
    url: String,
    store_grid: ChunkGrid,
    grid: ChunkGrid,
    options: CodecOptions,
}

impl std::fmt::Debug for ZarrSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ZarrSource({})", self.describe())
    }
}

impl ZarrSource {
    /// A source over `info`; `chunk` is the engine chunk shape, a multiple of the store
    /// chunk shape along each axis (or the whole axis).
    /// Fails for an array zarrs cannot decode (give those an opaque source).
    pub(crate) fn new(info: ArrayInfo, url: &str, chunk: &[usize]) -> Result<Self> {
        let array = info.array.clone().ok_or_else(|| Error::Internal {
            context: "the Zarr reader".into(),
            message: format!("a source over the undecodable array {:?}", info.name),
        })?;
        let store_chunk: Vec<usize> = info
            .chunk
            .iter()
            .zip(&info.shape)
            .map(|(&c, &n)| c.min(n.max(1)))
            .collect();
        let chunk: Vec<usize> = chunk
            .iter()
            .zip(&info.shape)
            .map(|(&c, &n)| c.min(n.max(1)).max(1))
            .collect();
        let store_grid = ChunkGrid::regular(&info.shape, &store_chunk)?;
        let grid = ChunkGrid::regular(&info.shape, &chunk)?;
        Ok(ZarrSource {
            info,
            array,
            url: url.to_string(),
            store_grid,
            grid,
            options: CodecOptions::default().with_concurrent_target(1),
        })
    }

    /// Reads and decodes one store chunk, cut to the array's bounds.
    fn store_chunk(&self, index: &[usize]) -> Result<Arc<ArrayData>> {
        let idx: Vec<u64> = index.iter().map(|&i| i as u64).collect();
        let full: Vec<usize> = self.info.chunk.clone();
        let region = self.store_grid.chunk_region(index);
        let fail = |cause: BoxError| {
            let (message, source) = caused_by("", cause);
            Error::SourceRead {
                source_name: format!(
                    "{} (key {:?})",
                    self.describe(),
                    self.array.chunk_key(&idx).as_str()
                ),
                chunk: region.clone(),
                message,
                source,
            }
        };
        let data = match self.info.kind {
            Kind::Float16 => {
                let bytes: ArrayBytes<'static> = self
                    .array
                    .retrieve_chunk_opt(&idx, &self.options)
                    .map_err(|e| fail(e.into()))?;
                let bytes = bytes.into_fixed().map_err(|e| fail(e.into()))?;
                let v: Vec<f32> = bytes
                    .chunks_exact(2)
                    .map(|b| f16_to_f32(u16::from_ne_bytes([b[0], b[1]])))
                    .collect();
                let a = ArrayD::from_shape_vec(IxDyn(&full), v).map_err(|e| fail(e.into()))?;
                ArrayData::new(a)
            }
            Kind::Time { divide, .. } => {
                let mut v: Vec<i64> = self
                    .array
                    .retrieve_chunk_opt(&idx, &self.options)
                    .map_err(|e| fail(e.into()))?;
                if divide > 1 {
                    // Floor division keeps instants before 1970 in the right unit step;
                    // NaT stays NaT.
                    for x in &mut v {
                        if *x != NAT {
                            *x = x.div_euclid(divide);
                        }
                    }
                }
                let a = ArrayD::from_shape_vec(IxDyn(&full), v).map_err(|e| fail(e.into()))?;
                ArrayData::new(a)
            }
            _ => crate::with_dtype!(self.info.dtype, T => {
                let v: Vec<T> = self
                    .array
                    .retrieve_chunk_opt(&idx, &self.options)
                    .map_err(|e| fail(e.into()))?;
                let a = ArrayD::from_shape_vec(IxDyn(&full), v).map_err(|e| fail(e.into()))?;
                ArrayData::new(a)
            }),
        };
        let inner: Vec<Range<usize>> = region.iter().map(|r| 0..r.len()).collect();
        let edge = region.iter().zip(&full).any(|(r, &c)| r.len() != c);
        Ok(Arc::new(if edge { data.into_region(&inner) } else { data }))
    }
}

impl ChunkSource for ZarrSource {
    fn stored(&self) -> bool {
        true
    }
    fn shape(&self) -> &[usize] {
        &self.info.shape
    }
    fn dtype(&self) -> DType {
        self.info.dtype
    }
    fn chunks(&self) -> &ChunkGrid {
        &self.grid
    }
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
        check_region(self, region)?;
        assemble(&self.store_grid, self.info.dtype, region, |idx| {
            self.store_chunk(idx)
        })
    }
    fn read_shared(&self, region: &[Range<usize>]) -> Result<Arc<ArrayData>> {
        check_region(self, region)?;
        match self.store_grid.chunk_exactly(region) {
            Some(index) => self.store_chunk(&index),
            None => Ok(Arc::new(self.read(region)?)),
        }
    }
    fn describe(&self) -> String {
        format!("{}/{}", self.url.trim_end_matches('/'), self.info.name)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use ndarray::{Array, IxDyn};

    use crate::Error;
    use crate::engine::LazyArray;
    use crate::io::store::open_store;
    use crate::io::{OpenOptions, WriteMode, WriteOptions, open_zarr_with};
    use crate::labelled::{Dataset, Variable};

    #[test]
    fn a_corrupt_chunk_keeps_the_zarrs_error_as_its_source() {
        let url = "memory://source-tests/corrupt-chunk";
        let x = LazyArray::from_ndarray(Array::from_shape_fn(IxDyn(&[6]), |i| i[0] as f64), &[3])
            .unwrap();
        let mut ds = Dataset::new();
        ds.insert("x", Variable::new(["t"], x).unwrap()).unwrap();
        ds.to_zarr(url, &WriteOptions::mode(WriteMode::Overwrite))
            .unwrap();
        let store = open_store(url, false).unwrap();
        super::super::meta::set(&store, "x/c/0", b"not zstd".to_vec()).unwrap();
        let back = open_zarr_with(url, &OpenOptions::raw()).unwrap();
        let err = back.get("x").unwrap().values::<f64>().unwrap_err();
        assert!(matches!(&err, Error::SourceRead { .. }), "{err:?}");
        let zarrs = err
            .source()
            .and_then(|s| s.downcast_ref::<zarrs::array::ArrayError>())
            .expect("the zarrs error is kept");
        assert!(err.to_string().contains(&zarrs.to_string()), "{err}");
    }
}
