//! The labelled `map_blocks`: a user function from `DataArray` to `DataArray`, called
//! once per chunk with the chunk as an in-memory data array carrying its coordinates.
//!
//! Built on the engine's `map_blocks`. A block function only receives blocks, so a
//! second input of `int64` positions (each element's flat index, generated per chunk,
//! never stored) tells the function where its block lies; the coordinates, small, are
//! computed once when the graph is built and sliced per block.

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use crate::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// The function of [`DataArray::map_blocks`].
type BlockFn = dyn Fn(&DataArray) -> Result<DataArray> + Send + Sync;

impl DataArray {
    /// xarray's `da.map_blocks(f)` with a result shaped like the input: `f` gets each
    /// chunk as an in-memory data array (name, dims, attributes, and its slice of every
    /// coordinate) and returns an array of the same dims and shape, cast to `dtype`.
    /// Chunks run in parallel inside the memory budget; nothing runs until computed.
    /// The result is named and attributed as `f`'s results are (found by calling `f`
    /// once on an empty block, as xarray infers its template).
    /// A block also costs an `int64` array of its size (the positions).
    ///
    /// ```
    /// use ndarray::array;
    /// use tessera::engine::DType;
    /// use tessera::labelled::DataArray;
    ///
    /// let t = DataArray::from_ndarray("t", ["x"], array![1.0, 2.0, 3.0, 4.0].into_dyn(), &[2])?
    ///     .with_coord_values("x", vec![10.0, 20.0, 30.0, 40.0])?;
    /// // Each block minus its own mean.
    /// let anom = t.map_blocks("demean", DType::F64, |b| {
    ///     b.binary(tessera::engine::BinaryOp::Sub, &b.mean("x")?)
    /// })?;
    /// assert_eq!(anom.values::<f64>()?.as_slice().unwrap(), &[-0.5, 0.5, -0.5, 0.5]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn map_blocks(
        &self,
        name: &str,
        dtype: DType,
        f: impl Fn(&DataArray) -> Result<DataArray> + Send + Sync + 'static,
    ) -> Result<DataArray> {
        let f: Arc<BlockFn> = Arc::new(f);
        let probe_fn = f.clone();
        let shape = self.shape().to_vec();
        let grid = self.data().chunks().clone();
        let positions = positions(&shape, grid.clone());
        // Coordinates are small: computed once, sliced per block.
        let coords: Vec<(String, Vec<String>, Variable, ArrayData)> = self
            .coords()
            .iter()
            .filter(|(_, c)| c.var.dims().iter().all(|d| self.dims().contains(d)))
            .map(|(n, c)| {
                Ok((
                    n.clone(),
                    c.var.dims().to_vec(),
                    c.var.clone(),
                    c.var.data().compute()?,
                ))
            })
            .collect::<Result<_>>()?;
        let template = self.clone();
        let label = name.to_string();
        let data = LazyArray::map_blocks(
            &[self.data(), &positions],
            format!("map_blocks {name}"),
            dtype,
            move |blocks| {
                let block = &blocks[0];
                let first = blocks[1]
                    .as_typed::<i64>()?
                    .iter()
                    .next()
                    .copied()
                    .unwrap_or(0);
                let start = unravel(first as usize, &shape);
                let region: Vec<std::ops::Range<usize>> = start
                    .iter()
                    .zip(block.shape())
                    .map(|(&s, &n)| s..s + n)
                    .collect();
                let input = block_array(&template, block, &region, &coords)?;
                let out = f(&input)?;
                if out.dims() != input.dims() || out.shape() != input.shape() {
                    return Err(Error::UserFunction {
                        context: format!("map_blocks {label}"),
                        message: format!(
                            "returned dims {:?} of shape {:?}, expected {:?} of shape {:?}",
                            out.dims(),
                            out.shape(),
                            input.dims(),
                            input.shape()
                        ),
                    });
                }
                Ok(out.data().compute()?.cast(dtype))
            },
        )?;
        // The name and attributes are those `f` gives, found as xarray does: by
        // calling it on an empty block (falling back to the input's if it fails).
        let (name, attrs) = probe(self, &probe_fn)
            .unwrap_or_else(|| (self.name().map(str::to_string), self.attrs().clone()));
        Ok(DataArray::from_parts(
            name,
            Variable::new(self.dims().to_vec(), data)?.with_attrs(attrs),
            self.coords().clone(),
        ))
    }
}

/// The name and attributes of `f`'s result on an empty block of `da`.
fn probe(da: &DataArray, f: &Arc<BlockFn>) -> Option<(Option<String>, crate::labelled::Attrs)> {
    let mut empty = da.clone();
    for d in da.dims() {
        empty = empty.isel_slice(d, Some(0), Some(0), 1).ok()?;
    }
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&empty)))
        .ok()?
        .ok()?;
    Some((out.name().map(str::to_string), out.attrs().clone()))
}

/// Each element's flat (C-order) index, generated chunk by chunk.
fn positions(shape: &[usize], grid: ChunkGrid) -> LazyArray {
    let shape = shape.to_vec();
    LazyArray::from_fn("positions", DType::I64, grid, move |_, region| {
        let dims: Vec<usize> = region.iter().map(|r| r.end - r.start).collect();
        let a = ArrayD::from_shape_fn(IxDyn(&dims), |idx| {
            let mut lin = 0usize;
            for (k, r) in region.iter().enumerate() {
                lin = lin * shape[k] + r.start + idx[k];
            }
            lin as i64
        });
        Ok(ArrayData::new(a))
    })
}

fn unravel(mut lin: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (i, &n) in shape.iter().enumerate().rev() {
        if n > 0 {
            idx[i] = lin % n;
            lin /= n;
        }
    }
    idx
}

/// The block as an in-memory data array with its slice of every coordinate.
fn block_array(
    template: &DataArray,
    block: &ArrayData,
    region: &[std::ops::Range<usize>],
    coords: &[(String, Vec<String>, Variable, ArrayData)],
) -> Result<DataArray> {
    let data = LazyArray::from_data(block.clone(), ChunkGrid::single(block.shape()))?;
    let var = Variable::new(template.dims().to_vec(), data)?.with_attrs(template.attrs().clone());
    let mut out = Coords::new();
    for (n, dims, cvar, values) in coords {
        let r: Vec<std::ops::Range<usize>> = dims
            .iter()
            .map(|d| {
                region[template
                    .dims()
                    .iter()
                    .position(|x| x == d)
                    .expect("checked")]
                .clone()
            })
            .collect();
        let piece = values.slice_region(&r);
        let lazy = LazyArray::from_data(piece.clone(), ChunkGrid::single(piece.shape()))?;
        out.insert(n.clone(), cvar.with_data(lazy)?)?;
    }
    DataArray::new(template.name().map(str::to_string), var, out)
}
