//! Making lazy arrays: from ndarrays, from any [`ChunkSource`], from generator
//! closures, and `map_blocks` over existing arrays.

use std::ops::Range;
use std::sync::Arc;

use ndarray::ArrayD;

use crate::engine::chunk::{ArrayData, Storable};
use crate::engine::dtype::DType;
use crate::engine::graph::{LazyArray, Op};
use crate::engine::grid::ChunkGrid;
use crate::engine::source::{ChunkSource, FnSource, MemorySource};
use crate::{Error, Result};

impl LazyArray {
    /// A lazy array reading from a source, chunked as the source is stored.
    pub fn from_source(source: Arc<dyn ChunkSource>) -> LazyArray {
        let grid = source.chunks().clone();
        LazyArray::from_parts(
            Op::Source(source.clone()),
            vec![],
            source.shape().to_vec(),
            source.dtype(),
            grid,
        )
    }

    /// Wraps an in-memory array with regular chunks of at most `chunk` per axis.
    pub fn from_ndarray<T: Storable>(a: ArrayD<T>, chunk: &[usize]) -> Result<LazyArray> {
        let grid = ChunkGrid::regular(a.shape(), chunk)?;
        LazyArray::from_data(ArrayData::new(a), grid)
    }

    /// Wraps in-memory data with the given chunk grid.
    pub fn from_data(data: ArrayData, grid: ChunkGrid) -> Result<LazyArray> {
        Ok(LazyArray::from_source(Arc::new(MemorySource::new(
            data, grid,
        )?)))
    }

    /// An array generated chunk by chunk: `f(chunk_index, chunk_region)` returns a chunk.
    /// Nothing is generated until the array is computed, and only the chunks needed.
    pub fn from_fn(
        name: impl Into<String>,
        dtype: DType,
        grid: ChunkGrid,
        f: impl Fn(&[usize], &[Range<usize>]) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> LazyArray {
        LazyArray::from_source(Arc::new(FnSource::new(name, dtype, grid, f)))
    }

    /// Applies `f` to corresponding blocks of arrays that share one chunk grid; `f`
    /// must return a block of the same shape, of dtype `dtype`. Panics and errors in
    /// `f` become [`Error::UserPanic`]/[`Error::UserFunction`]. Blocks of another shape:
    /// [`LazyArray::map_blocks_resized`].
    pub fn map_blocks(
        inputs: &[&LazyArray],
        name: impl Into<String>,
        dtype: DType,
        f: impl Fn(&[ArrayData]) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Result<LazyArray> {
        let grid = inputs
            .first()
            .ok_or_else(|| Error::invalid("map_blocks needs at least one input"))?
            .chunks()
            .clone();
        LazyArray::map_blocks_resized(inputs, name, dtype, grid, move |_, blocks| f(blocks))
    }
}

/// A user function's block, or an error naming `context` if its shape or dtype is
/// not the one promised.
pub(crate) fn checked_block(
    context: &str,
    out: ArrayData,
    want: &[usize],
    dtype: DType,
) -> Result<ArrayData> {
    if out.shape() != want || out.dtype() != dtype {
        return Err(Error::UserFunction {
            context: context.to_string(),
            message: format!(
                "returned a {} block of shape {:?}, expected {dtype} {want:?}",
                out.dtype(),
                out.shape()
            ),
        });
    }
    Ok(out)
}
