//! `map_blocks` whose blocks may change shape: input block `i` becomes output block
//! `i` of a grid the caller gives (dask's `map_blocks(..., chunks=...)`, xarray's
//! `map_blocks` with a template).
//!
//! The output grid has as many chunks per axis as the inputs' grid, so block `i` of
//! one is block `i` of the other; only the sizes differ. Any region of the result can
//! be evaluated (a consumer may cut across its blocks): the executor evaluates the
//! blocks the region overlaps and cuts the region out of them.

use std::sync::Arc;

use crate::engine::chunk::ArrayData;
use crate::engine::dtype::DType;
use crate::engine::graph::{LazyArray, Op};
use crate::engine::grid::{ChunkGrid, region_shape};
use crate::engine::ops::create::checked_block;
use crate::{Error, Result};

impl LazyArray {
    /// Applies `f(block_index, input_blocks)` to corresponding blocks of arrays that
    /// share one chunk grid; output block `i` has the shape of chunk `i` of `out_grid`
    /// (same number of axes, and of chunks per axis, as the inputs' grid) and dtype
    /// `dtype`. A block of another shape or dtype is an [`Error::UserFunction`] naming
    /// the block index; panics in `f` become [`Error::UserPanic`].
    ///
    /// ```
    /// use ndarray::{Array1, Axis};
    /// use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};
    ///
    /// // Coarsen each block of 4 by 2: blocks [4, 4, 2] become [2, 2, 1].
    /// let x = LazyArray::from_ndarray(Array1::from_iter((0..10).map(f64::from)).into_dyn(), &[4])?;
    /// let out_grid = ChunkGrid::new(vec![vec![2, 2, 1]])?;
    /// let means = LazyArray::map_blocks_resized(&[&x], "pair_means", DType::F64, out_grid, |_, b| {
    ///     let a = b[0].as_typed::<f64>()?;
    ///     let pairs = a.to_shape((a.len() / 2, 2)).unwrap().mean_axis(Axis(1)).unwrap();
    ///     Ok(ArrayData::new(pairs.into_dyn()))
    /// })?;
    /// let v = means.compute()?;
    /// assert_eq!(v.as_typed::<f64>()?.as_slice().unwrap(), &[0.5, 2.5, 4.5, 6.5, 8.5]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn map_blocks_resized(
        inputs: &[&LazyArray],
        name: impl Into<String>,
        dtype: DType,
        out_grid: ChunkGrid,
        f: impl Fn(&[usize], &[ArrayData]) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Result<LazyArray> {
        let name = name.into();
        let first = inputs
            .first()
            .ok_or_else(|| Error::invalid(format!("map_blocks {name} needs at least one input")))?;
        for a in &inputs[1..] {
            if a.chunks() != first.chunks() {
                return Err(Error::invalid(format!(
                    "map_blocks {name}: inputs must share one chunk grid: {:?} vs {:?}",
                    first.chunks().chunks(),
                    a.chunks().chunks()
                )));
            }
        }
        let in_grid = first.chunks().clone();
        if out_grid.grid_shape() != in_grid.grid_shape() {
            return Err(Error::InvalidChunks(format!(
                "map_blocks {name}: the output chunks {:?} must have as many chunks per axis as the input's {:?}",
                out_grid.chunks(),
                in_grid.chunks()
            )));
        }
        let context = format!("map_blocks {name}");
        let blocks_grid = out_grid.clone();
        let f = move |idx: &[usize], blocks: &[ArrayData]| -> Result<ArrayData> {
            let out = f(idx, blocks)?;
            let want = region_shape(&blocks_grid.chunk_region(idx));
            checked_block(&format!("{context}, block {idx:?},"), out, &want, dtype)
        };
        Ok(LazyArray::from_parts(
            Op::MapBlocks {
                name,
                f: Arc::new(f),
                in_grid,
            },
            inputs.iter().map(|a| (*a).clone()).collect(),
            out_grid.shape(),
            dtype,
            out_grid,
        ))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn, s};

    use super::*;

    /// A 7 x 5 array of its flat positions in chunks [3, 4] x [2, 3].
    fn x() -> LazyArray {
        let a = ArrayD::from_shape_fn(IxDyn(&[7, 5]), |i| (i[0] * 5 + i[1]) as f64);
        LazyArray::from_data(
            ArrayData::new(a),
            ChunkGrid::new(vec![vec![3, 4], vec![2, 3]]).unwrap(),
        )
        .unwrap()
    }

    /// Each block's first row.
    fn first_rows(x: &LazyArray) -> LazyArray {
        let grid = ChunkGrid::new(vec![vec![1, 1], vec![2, 3]]).unwrap();
        LazyArray::map_blocks_resized(&[x], "first_row", DType::F64, grid, |_, b| {
            let a = b[0].as_typed::<f64>()?;
            Ok(ArrayData::new(a.slice(s![0..1, ..]).to_owned().into_dyn()))
        })
        .unwrap()
    }

    #[test]
    fn blocks_change_shape_and_any_region_is_cut_from_them() {
        let out = first_rows(&x());
        assert_eq!(out.shape(), &[2, 5]);
        let v = out.compute().unwrap();
        let want: Vec<f64> = (0..5)
            .map(f64::from)
            .chain((15..20).map(f64::from))
            .collect();
        assert_eq!(v.as_typed::<f64>().unwrap().as_slice().unwrap(), &want);
        // A region across the blocks, as a consumer below another chunking asks for.
        let part = out.slice_ranges(&[1..2, 1..4]).unwrap().compute().unwrap();
        assert_eq!(
            part.as_typed::<f64>().unwrap().as_slice().unwrap(),
            &[16.0, 17.0, 18.0]
        );
    }

    #[test]
    fn the_block_index_is_passed_and_wrong_blocks_name_it() {
        let grid = ChunkGrid::new(vec![vec![1, 1], vec![1, 1]]).unwrap();
        let out = LazyArray::map_blocks_resized(&[&x()], "bad", DType::F64, grid, |idx, _| {
            let n = if idx == [1, 1] { 2 } else { 1 };
            Ok(ArrayData::new(ArrayD::<f64>::zeros(IxDyn(&[1, n]))))
        })
        .unwrap();
        let e = out.compute().unwrap_err().to_string();
        assert!(
            e.contains("bad") && e.contains("[1, 1]") && e.contains("[1, 2]"),
            "{e}"
        );
    }

    #[test]
    fn refuses_another_number_of_chunks() {
        let grid = ChunkGrid::new(vec![vec![2], vec![2, 3]]).unwrap();
        let e =
            LazyArray::map_blocks_resized(&[&x()], "f", DType::F64, grid, |_, b| Ok(b[0].clone()))
                .unwrap_err();
        assert!(matches!(e, Error::InvalidChunks(_)), "{e}");
    }
}
