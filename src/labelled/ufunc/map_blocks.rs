//! The labelled `map_blocks`: a user function from `DataArray` to `DataArray`, called
//! once per chunk with the chunk as an in-memory data array carrying its coordinates.
//!
//! Both forms, [`DataArray::map_blocks`] (blocks keep their shape) and
//! [`DataArray::map_blocks_template`] (blocks take the shape of a template's chunks),
//! build one engine `map_blocks_resized` node through [`Blockwise`]. The engine passes
//! the block index, so the block's place in the array (for slicing the coordinates,
//! small, computed once when the graph is built) comes from the input's chunk grid.
//!
//! The engine keeps the number of axes, so the node works over a layout of the input's
//! dims then the template's new dims (length 1 on the input): an input dim the template
//! lacks (the function reduced it) is a length-1 axis of the output, squeezed after.

use std::ops::Range;
use std::sync::Arc;

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
        let chunks = self.data().chunks().chunks().to_vec();
        let data = Blockwise::new(self, name, self.dims(), &chunks, dtype)?.build(f.clone())?;
        // The name and attributes are those `f` gives, found as xarray does: by
        // calling it on an empty block (falling back to the input's if it fails).
        let (name, attrs) = probe(self, &f)
            .unwrap_or_else(|| (self.name().map(str::to_string), self.attrs().clone()));
        Ok(DataArray::from_parts(
            name,
            Variable::new(self.dims().to_vec(), data)?.with_attrs(attrs),
            self.coords().clone(),
        ))
    }

    /// xarray's `da.map_blocks(f, template=template)`: a function whose blocks may
    /// change shape. `f` gets each chunk as an in-memory data array (as
    /// [`map_blocks`](DataArray::map_blocks)) and must return, for block `i`, an array
    /// with the template's dims (in its order) and the shape of the template's block
    /// `i`, else an [`Error::UserFunction`] naming the block index and both shapes.
    /// The result is the template with `f`'s values: its dims, shape, chunks, dtype
    /// (`f`'s values are cast to it), coordinates (in the input's order), name and
    /// attributes.
    ///
    /// The template needs as many chunks as the input along each dim they share; a dim
    /// only the template has is one chunk (every block gets all of it); an input dim
    /// the template lacks must be one chunk. The template is only read for its
    /// coordinates: build it lazily (e.g. `da.coarsen(..)` of the input).
    ///
    /// ```
    /// use ndarray::Array1;
    /// use tessera::labelled::DataArray;
    ///
    /// let t = DataArray::from_ndarray("t", ["time"], Array1::from_iter((0..10).map(f64::from)).into_dyn(), &[4])?;
    /// // Every other time step of each block: blocks [4, 4, 2] become [2, 2, 1].
    /// let template = DataArray::from_ndarray("t", ["time"], Array1::<f64>::zeros(5).into_dyn(), &[2])?;
    /// let thinned = t.map_blocks_template("thin", &template, |b| b.isel_slice("time", None, None, 2))?;
    /// assert_eq!(thinned.values::<f64>()?.as_slice().unwrap(), &[0.0, 2.0, 4.0, 6.0, 8.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn map_blocks_template(
        &self,
        name: &str,
        template: &DataArray,
        f: impl Fn(&DataArray) -> Result<DataArray> + Send + Sync + 'static,
    ) -> Result<DataArray> {
        let chunks = template.data().chunks().chunks().to_vec();
        let data = Blockwise::new(self, name, template.dims(), &chunks, template.dtype())?
            .build(Arc::new(f))?;
        Ok(DataArray::from_parts(
            template.name().map(str::to_string),
            Variable::new(template.dims().to_vec(), data)?.with_attrs(template.attrs().clone()),
            input_order(self.coords(), template.coords()),
        ))
    }
}

/// The template's coordinates, those the input has first and in its order (a
/// template built by `concat` or `coarsen` may list them otherwise).
fn input_order(input: &Coords, template: &Coords) -> Coords {
    let mut out = Coords::new();
    let known = input.iter().map(|(n, _)| n.clone());
    let others = template.iter().map(|(n, _)| n.clone());
    for name in known.chain(others) {
        if let (Some(c), None) = (template.get(&name), out.get(&name)) {
            out.insert_with_index(name, c.var.clone(), c.index.clone());
        }
    }
    out
}

/// One block function over an input, with the dims and chunks its results make up.
struct Blockwise {
    label: String,
    input: DataArray,
    /// The dims of `f`'s results and their chunks.
    out_dims: Vec<String>,
    out_chunks: Vec<Vec<usize>>,
    dtype: DType,
    /// The engine's axes: the input's dims, then the output's new dims.
    layout: Vec<String>,
}

impl Blockwise {
    fn new(
        input: &DataArray,
        label: &str,
        out_dims: &[String],
        out_chunks: &[Vec<usize>],
        dtype: DType,
    ) -> Result<Blockwise> {
        let in_grid = input.data().chunks();
        for (i, d) in out_dims.iter().enumerate() {
            if out_dims[..i].contains(d) {
                return Err(Error::DuplicateDimension {
                    dim: format!("{d:?}"),
                    op: format!("the template of map_blocks {label}"),
                });
            }
            let n_out = out_chunks[i].len();
            let n_in = match input.dims().iter().position(|x| x == d) {
                Some(a) => in_grid.axis_chunks(a).len(),
                None => 1,
            };
            if n_out != n_in {
                return Err(Error::InvalidChunks(format!(
                    "map_blocks {label}: the template's dimension {d:?} has chunks {:?}, but the input has {n_in} chunk(s) along it; give the template as many chunks as the input (a dimension only the template has is one chunk)",
                    out_chunks[i]
                )));
            }
        }
        for (a, d) in input.dims().iter().enumerate() {
            let c = in_grid.axis_chunks(a);
            if !out_dims.contains(d) && c.len() > 1 {
                return Err(Error::InvalidChunks(format!(
                    "map_blocks {label}: the input's dimension {d:?} is not in the template, so each block must hold all of it, but it has chunks {c:?}; rechunk it to one chunk"
                )));
            }
        }
        let mut layout = input.dims().to_vec();
        layout.extend(
            out_dims
                .iter()
                .filter(|d| !input.dims().contains(d))
                .cloned(),
        );
        Ok(Blockwise {
            label: label.to_string(),
            input: input.clone(),
            out_dims: out_dims.to_vec(),
            out_chunks: out_chunks.to_vec(),
            dtype,
            layout,
        })
    }

    /// The output's chunks over the layout (length 1 where `f` drops an input dim).
    fn layout_grid(&self) -> Result<ChunkGrid> {
        ChunkGrid::new(
            self.layout
                .iter()
                .map(|d| match self.out_dims.iter().position(|x| x == d) {
                    Some(i) => self.out_chunks[i].clone(),
                    None => vec![1],
                })
                .collect(),
        )
    }

    /// The lazy result, over `out_dims` in order.
    fn build(self, f: Arc<BlockFn>) -> Result<LazyArray> {
        let input = self.input.variable().expand_to(&self.layout)?;
        let out_grid = self.layout_grid()?;
        let in_grid = self.input.data().chunks().clone();
        let n_in = self.input.dims().len();
        // Coordinates along the input's dims are small: computed once, sliced per block.
        let coords: Vec<BlockCoord> = self
            .input
            .coords()
            .iter()
            .filter(|(_, c)| c.var.dims().iter().all(|d| self.input.dims().contains(d)))
            .map(|(n, c)| {
                Ok(BlockCoord {
                    name: n.clone(),
                    var: c.var.clone(),
                    values: c.var.data().compute()?,
                })
            })
            .collect::<Result<_>>()?;
        // Output dims in layout order, for placing `f`'s result into the layout.
        let kept: Vec<usize> = self
            .layout
            .iter()
            .filter_map(|d| self.out_dims.iter().position(|x| x == d))
            .collect();
        let dropped: Vec<usize> = (0..n_in)
            .filter(|&a| !self.out_dims.contains(&self.layout[a]))
            .collect();
        let template_grid = ChunkGrid::new(self.out_chunks.clone())?;
        let source = self.input.clone();
        let (label, out_dims, dtype, layout) = (
            self.label.clone(),
            self.out_dims.clone(),
            self.dtype,
            self.layout.clone(),
        );
        let block_grid = out_grid.clone();
        let to_layout = kept.clone();
        let data = LazyArray::map_blocks_resized(
            &[&input],
            format!("map_blocks {}", self.label),
            self.dtype,
            out_grid,
            move |idx, blocks| {
                let region = in_grid.chunk_region(&idx[..n_in]);
                let block = blocks[0].clone().reshaped(&region_len(&region))?;
                let arg = block_array(&source, block, &region, &coords)?;
                let out = f(&arg)?;
                // The template's block `idx`, over its own dims.
                let t_idx: Vec<usize> = out_dims
                    .iter()
                    .map(|d| idx[layout.iter().position(|x| x == d).expect("in layout")])
                    .collect();
                let want = region_len(&template_grid.chunk_region(&t_idx));
                if out.dims() != out_dims.as_slice() || out.shape() != want.as_slice() {
                    return Err(Error::UserFunction {
                        context: format!("map_blocks {label}"),
                        message: format!(
                            "block {idx:?} returned dims {:?} of shape {:?}, expected {out_dims:?} of shape {want:?} (the template's block)",
                            out.dims(),
                            out.shape(),
                            idx = &idx[..n_in],
                        ),
                    });
                }
                let values = out.data().compute()?.cast(dtype).permuted(&to_layout);
                values.reshaped(&region_len(&block_grid.chunk_region(idx)))
            },
        )?;
        // Drop the length-1 axes of reduced dims, then put the dims in the template's order.
        let data = data.squeeze(&dropped)?;
        let order: Vec<usize> = (0..kept.len())
            .map(|i| kept.iter().position(|&k| k == i).expect("a permutation"))
            .collect();
        data.transpose(&order)
    }
}

/// A coordinate of the input, computed, for slicing per block.
struct BlockCoord {
    name: String,
    var: Variable,
    values: ArrayData,
}

fn region_len(region: &[Range<usize>]) -> Vec<usize> {
    region.iter().map(|r| r.len()).collect()
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

/// The block as an in-memory data array with its slice of every coordinate.
fn block_array(
    source: &DataArray,
    block: ArrayData,
    region: &[Range<usize>],
    coords: &[BlockCoord],
) -> Result<DataArray> {
    let grid = ChunkGrid::single(block.shape());
    let data = LazyArray::from_data(block, grid)?;
    let var = Variable::new(source.dims().to_vec(), data)?.with_attrs(source.attrs().clone());
    let mut out = Coords::new();
    for c in coords {
        let r: Vec<Range<usize>> = c
            .var
            .dims()
            .iter()
            .map(|d| {
                // Invariant: only coordinates over the input's dims are kept.
                region[source.dims().iter().position(|x| x == d).expect("checked")].clone()
            })
            .collect();
        let piece = c.values.slice_region(&r);
        let lazy = LazyArray::from_data(piece.clone(), ChunkGrid::single(piece.shape()))?;
        out.insert(c.name.clone(), c.var.with_data(lazy)?)?;
    }
    DataArray::new(source.name().map(str::to_string), var, out)
}
