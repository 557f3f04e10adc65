//! `apply_ufunc` with `dask="parallelized"`: a user function over blocks, run per
//! chunk in parallel, with core dimensions that the function sees whole.
//!
//! Every input is laid out over one shared set of axes — the loop (broadcast)
//! dimensions, then every core dimension of the inputs and outputs — and the engine's
//! `map_blocks` runs the function on corresponding blocks. Loop dimensions keep their
//! chunks (those of the first input that has the dim; the others are rechunked to
//! match); a core dimension must lie in one chunk, as in xarray, unless
//! [`ApplyUfunc::allow_rechunk`] is set. `map_blocks` keeps the block shape, so the
//! block function writes the output at the start of every core axis the output does
//! not have, and a lazy slice cuts it out (the trick of the engine's quantile). A block
//! therefore spans every core dimension, new output ones included: a function that adds
//! a core dimension of size `k` makes blocks `k` times larger.

use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Slice};

use crate::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::variable::Variable;
use crate::labelled::structure::align::{Join, align};
use crate::{Error, Result};

/// The user function: one view per input in, the output block out.
type UfuncFn = dyn Fn(&[ArrayViewD<'_, f64>]) -> Result<ArrayD<f64>> + Send + Sync;

/// A labelled `xarray.apply_ufunc(..., dask="parallelized")`, as a builder.
///
/// The function gets every input as a `f64` view whose axes are the loop dimensions
/// (in order of first appearance over the inputs; length 1 where the input lacks one,
/// numpy-broadcasting style) then the input's core dimensions in the order given. It
/// returns the loop dimensions of the block then the output core dimensions. With
/// [`vectorize`](ApplyUfunc::vectorize) it is called once per loop element with the
/// core dimensions only (numpy's `np.vectorize` signature behaviour).
///
/// ```
/// use ndarray::{Array2, Axis};
/// use tessera::labelled::{ApplyUfunc, DataArray};
///
/// let a = Array2::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f64).into_dyn();
/// let da = DataArray::from_ndarray("t", ["time", "x"], a, &[2, 6])?;
/// // The mean along the core dim "x", one block of two times at a time.
/// let m = ApplyUfunc::new("mean_x")
///     .input(&da, ["x"])
///     .run(|x| Ok(x[0].mean_axis(Axis(x[0].ndim() - 1)).unwrap()))?;
/// assert_eq!(m.dims(), ["time"]);
/// assert_eq!(m.values::<f64>()?.as_slice().unwrap(), &[2.5, 8.5, 14.5, 20.5]);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone)]
pub struct ApplyUfunc {
    name: String,
    inputs: Vec<(DataArray, Vec<String>)>,
    output_core_dims: Vec<String>,
    output_sizes: Vec<(String, usize)>,
    output_dtype: DType,
    vectorize: bool,
    allow_rechunk: bool,
    join: Join,
}

impl ApplyUfunc {
    /// A new application; `name` appears in errors and task profiles.
    pub fn new(name: impl Into<String>) -> Self {
        ApplyUfunc {
            name: name.into(),
            inputs: vec![],
            output_core_dims: vec![],
            output_sizes: vec![],
            output_dtype: DType::F64,
            vectorize: false,
            allow_rechunk: false,
            join: Join::Exact,
        }
    }

    /// Adds an input with its core dimensions (`input_core_dims` entry).
    pub fn input<S: AsRef<str>>(
        mut self,
        da: &DataArray,
        core_dims: impl IntoIterator<Item = S>,
    ) -> Self {
        let core = core_dims
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .collect();
        self.inputs.push((da.clone(), core));
        self
    }

    /// The output's core dimensions (`output_core_dims`; default none).
    pub fn output_core_dims<S: AsRef<str>>(mut self, dims: impl IntoIterator<Item = S>) -> Self {
        self.output_core_dims = dims.into_iter().map(|s| s.as_ref().to_string()).collect();
        self
    }

    /// Sizes of output core dimensions no input has (`dask_gufunc_kwargs`'
    /// `output_sizes`).
    pub fn output_sizes<S: AsRef<str>>(
        mut self,
        sizes: impl IntoIterator<Item = (S, usize)>,
    ) -> Self {
        self.output_sizes = sizes
            .into_iter()
            .map(|(s, n)| (s.as_ref().to_string(), n))
            .collect();
        self
    }

    /// The output dtype (`output_dtypes`; default `float64`): the function's `f64`
    /// result is cast to it.
    pub fn output_dtype(mut self, dtype: DType) -> Self {
        self.output_dtype = dtype;
        self
    }

    /// Calls the function once per loop element with the core dimensions only.
    pub fn vectorize(mut self, vectorize: bool) -> Self {
        self.vectorize = vectorize;
        self
    }

    /// Rechunks core dimensions split over several chunks into one chunk instead of
    /// failing (`dask_gufunc_kwargs={"allow_rechunk": True}`; beware the memory).
    pub fn allow_rechunk(mut self, allow: bool) -> Self {
        self.allow_rechunk = allow;
        self
    }

    /// How the inputs' indexes are joined (default [`Join::Exact`], as xarray's).
    pub fn join(mut self, join: Join) -> Self {
        self.join = join;
        self
    }

    /// Builds the lazy result of `f` applied per block.
    pub fn run(
        self,
        f: impl Fn(&[ArrayViewD<'_, f64>]) -> Result<ArrayD<f64>> + Send + Sync + 'static,
    ) -> Result<DataArray> {
        let plan = Plan::new(&self)?;
        plan.build(&self, Arc::new(f))
    }
}

/// The shared layout: loop dims then core dims, with sizes and chunks.
struct Plan {
    inputs: Vec<DataArray>,
    loop_dims: Vec<String>,
    core_dims: Vec<String>,
    sizes: Vec<usize>,
    grid: ChunkGrid,
}

impl Plan {
    fn new(u: &ApplyUfunc) -> Result<Plan> {
        ensure!(
            !u.inputs.is_empty(),
            "apply_ufunc {:?} needs at least one input",
            u.name
        );
        let all_core: Vec<String> = union(
            u.inputs
                .iter()
                .map(|(_, c)| c.clone())
                .chain([u.output_core_dims.clone()]),
        );
        for (i, (da, core)) in u.inputs.iter().enumerate() {
            check_unique(
                core,
                &format!("input {i}'s core dims of apply_ufunc {:?}", u.name),
            )?;
            if let Some(d) = core.iter().find(|d| !da.dims().contains(d)) {
                return Err(Error::UnknownDimension {
                    dim: d.clone(),
                    dims: da.dims().to_vec(),
                });
            }
            if let Some(d) = da
                .dims()
                .iter()
                .find(|d| !core.contains(d) && all_core.contains(d))
            {
                return Err(Error::invalid(format!(
                    "apply_ufunc {:?}: input {i} has dimension {d:?}, a core dimension of another input or the output, but not among its own core dims {core:?}",
                    u.name
                )));
            }
        }
        check_unique(
            &u.output_core_dims,
            &format!("the output core dims of apply_ufunc {:?}", u.name),
        )?;
        let arrays: Vec<&DataArray> = u.inputs.iter().map(|(d, _)| d).collect();
        let inputs = align(&arrays, u.join)?;
        let loop_dims = union(inputs.iter().zip(&u.inputs).map(|(da, (_, core))| {
            da.dims()
                .iter()
                .filter(|d| !core.contains(d))
                .cloned()
                .collect()
        }));
        let core_dims: Vec<String> = all_core;
        let mut sizes = vec![];
        let mut chunks = vec![];
        for d in loop_dims.iter().chain(&core_dims) {
            let mut size: Option<usize> = None;
            let mut dim_chunks: Option<Vec<usize>> = None;
            for (i, da) in inputs.iter().enumerate() {
                let Some(ax) = da.dims().iter().position(|x| x == d) else {
                    continue;
                };
                let n = da.shape()[ax];
                match size {
                    Some(m) if m != n => {
                        return Err(Error::ShapeMismatch {
                            op: format!(
                                "apply_ufunc {:?} along dimension {d:?} (input {i})",
                                u.name
                            ),
                            left: vec![m],
                            right: vec![n],
                        });
                    }
                    _ => size = Some(n),
                }
                let c = da.data().chunks().axis_chunks(ax).to_vec();
                if core_dims.contains(d) && c.len() > 1 && !u.allow_rechunk {
                    return Err(Error::InvalidChunks(format!(
                        "dimension {d:?} of input {i} to apply_ufunc {:?} is a core dimension but consists of {} chunks {c:?}; rechunk it to one chunk (.chunk(&[({d:?}, {n})])) or set allow_rechunk(true)",
                        u.name,
                        c.len()
                    )));
                }
                dim_chunks.get_or_insert(c);
            }
            let given = u.output_sizes.iter().find(|(n, _)| n == d).map(|p| p.1);
            let n = match (size, given) {
                (Some(n), Some(m)) if n != m => {
                    return Err(Error::ShapeMismatch {
                        op: format!(
                            "apply_ufunc {:?}: output_sizes for input core dimension {d:?}",
                            u.name
                        ),
                        left: vec![n],
                        right: vec![m],
                    });
                }
                (Some(n), _) => n,
                (None, Some(m)) => m,
                (None, None) => {
                    return Err(Error::invalid(format!(
                        "apply_ufunc {:?}: output core dimension {d:?} is on no input; give its size with output_sizes",
                        u.name
                    )));
                }
            };
            let c = if core_dims.contains(d) {
                vec![n]
            } else {
                dim_chunks.unwrap_or_else(|| vec![n])
            };
            sizes.push(n);
            chunks.push(if n == 0 { vec![0] } else { c });
        }
        Ok(Plan {
            inputs,
            loop_dims,
            core_dims,
            sizes,
            grid: ChunkGrid::new(chunks)?,
        })
    }

    fn all_dims(&self) -> Vec<String> {
        self.loop_dims
            .iter()
            .chain(&self.core_dims)
            .cloned()
            .collect()
    }

    /// An input laid out over every axis of the plan, on the plan's grid.
    fn laid_out(&self, da: &DataArray) -> Result<LazyArray> {
        let data = da.variable().expand_to(&self.all_dims())?;
        let data = if data.dtype() == DType::F64 {
            data
        } else {
            data.cast(DType::F64)?
        };
        data.broadcast_to(&self.sizes)?.rechunk(self.grid.clone())
    }

    fn build(&self, u: &ApplyUfunc, f: Arc<UfuncFn>) -> Result<DataArray> {
        let nl = self.loop_dims.len();
        // For each input: (axis of the layout or None per loop dim, layout axes of its core dims).
        let views: Vec<InputAxes> = u
            .inputs
            .iter()
            .zip(&self.inputs)
            .map(|((_, core), da)| InputAxes {
                has_loop: self
                    .loop_dims
                    .iter()
                    .map(|d| da.dims().contains(d))
                    .collect(),
                core: core
                    .iter()
                    .map(|d| nl + position(&self.core_dims, d))
                    .collect(),
            })
            .collect();
        let out_core: Vec<usize> = u
            .output_core_dims
            .iter()
            .map(|d| nl + position(&self.core_dims, d))
            .collect();
        let laid = self
            .inputs
            .iter()
            .map(|da| self.laid_out(da))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&LazyArray> = laid.iter().collect();
        let kernel = Kernel {
            name: u.name.clone(),
            f,
            views,
            out_core,
            n_loop: nl,
            vectorize: u.vectorize,
        };
        let block = LazyArray::map_blocks(
            &refs,
            format!("apply_ufunc {}", u.name),
            DType::F64,
            move |b| kernel.apply(b),
        )?;
        // Cut the output out of the layout: index 0 of the core axes it lacks.
        let mut data = block;
        let dropped: Vec<usize> = (nl..nl + self.core_dims.len())
            .filter(|&a| !u.output_core_dims.contains(&self.core_dims[a - nl]))
            .collect();
        for &a in &dropped {
            data = data.slice_axis(a, Some(0), Some(1), 1)?;
        }
        data = data.squeeze(&dropped)?;
        let kept_core: Vec<String> = self
            .core_dims
            .iter()
            .filter(|d| u.output_core_dims.contains(d))
            .cloned()
            .collect();
        let mut perm: Vec<usize> = (0..nl).collect();
        perm.extend(
            u.output_core_dims
                .iter()
                .map(|d| nl + position(&kept_core, d)),
        );
        data = data.transpose(&perm)?;
        if u.output_dtype != DType::F64 {
            data = data.cast(u.output_dtype)?;
        }
        let mut dims = self.loop_dims.clone();
        dims.extend(u.output_core_dims.iter().cloned());
        let dropped_dims: Vec<&String> = self
            .core_dims
            .iter()
            .filter(|d| !u.output_core_dims.contains(d))
            .collect();
        let mut coords = Coords::new();
        for da in &self.inputs {
            for (n, c) in da.coords().iter() {
                if coords.get(n).is_none()
                    && !c.var.dims().iter().any(|d| dropped_dims.contains(&d))
                {
                    coords.insert_with_index(n.clone(), c.var.clone(), c.index.clone());
                }
            }
        }
        // xarray 2026 names the result after the first input and keeps its
        // attributes (keep_attrs="override").
        let first = &self.inputs[0];
        let name = first.name().map(str::to_string);
        Ok(DataArray::from_parts(
            name,
            Variable::new(dims, data)?.with_attrs(first.attrs().clone()),
            coords,
        ))
    }
}

/// Where an input's axes sit in the layout.
struct InputAxes {
    has_loop: Vec<bool>,
    core: Vec<usize>,
}

/// The block function: views of the inputs in, the output written into the layout.
struct Kernel {
    name: String,
    f: Arc<UfuncFn>,
    views: Vec<InputAxes>,
    out_core: Vec<usize>,
    n_loop: usize,
    vectorize: bool,
}

impl Kernel {
    fn apply(&self, blocks: &[ArrayData]) -> Result<ArrayData> {
        let shape = blocks[0].shape().to_vec();
        let nl = self.n_loop;
        let loop_shape = &shape[..nl];
        let core_shape: Vec<usize> = self.out_core.iter().map(|&a| shape[a]).collect();
        let typed = blocks
            .iter()
            .map(|b| b.as_typed::<f64>())
            .collect::<Result<Vec<_>>>()?;
        let views: Vec<ArrayViewD<'_, f64>> = typed
            .iter()
            .zip(&self.views)
            .map(|(b, ax)| input_view(b.view(), ax, nl))
            .collect();
        let mut want = loop_shape.to_vec();
        want.extend(&core_shape);
        let result = if self.vectorize {
            let mut out = ArrayD::<f64>::from_elem(IxDyn(&want), f64::NAN);
            let n: usize = loop_shape.iter().product();
            for lin in 0..n {
                let idx = unravel(lin, loop_shape);
                let cores: Vec<ArrayViewD<'_, f64>> = views
                    .iter()
                    .map(|v| {
                        let mut v = v.view();
                        for &i in &idx {
                            let i = if v.len_of(Axis(0)) == 1 { 0 } else { i };
                            v.index_axis_inplace(Axis(0), i);
                        }
                        v
                    })
                    .collect();
                let r = (self.f)(&cores)?;
                let r = self.fit(r, &core_shape)?;
                let mut slot = out.view_mut();
                for &i in &idx {
                    slot.index_axis_inplace(Axis(0), i);
                }
                slot.assign(&r);
            }
            out
        } else {
            let r = (self.f)(&views)?;
            self.fit(r, &want)?
        };
        // Embed: output core axes in the layout's order, index 0 of the others.
        let mut out = ArrayD::<f64>::from_elem(IxDyn(&shape), f64::NAN);
        let mut slot = out.view_mut();
        for a in (nl..shape.len()).rev() {
            if !self.out_core.contains(&a) {
                slot.index_axis_inplace(Axis(a), 0);
            }
        }
        // `slot` has the loop axes then the output core axes in layout order; the
        // result has them in the user's order.
        let mut order: Vec<usize> = (0..self.out_core.len()).collect();
        order.sort_by_key(|&i| self.out_core[i]);
        let mut perm: Vec<usize> = (0..nl).collect();
        perm.extend(order.iter().map(|&i| nl + i));
        slot.assign(&result.view().permuted_axes(IxDyn(&perm)));
        Ok(ArrayData::new(out))
    }

    /// The function's result, broadcast to `want` if it can be, else an error.
    fn fit(&self, r: ArrayD<f64>, want: &[usize]) -> Result<ArrayD<f64>> {
        if r.shape() == want {
            return Ok(r);
        }
        match r.broadcast(IxDyn(want)) {
            Some(b) => Ok(b.to_owned()),
            None => Err(Error::UserFunction {
                context: format!("apply_ufunc {}", self.name),
                message: format!(
                    "returned an array of shape {:?}, expected {want:?} (the block's loop dims then the output core dims)",
                    r.shape()
                ),
            }),
        }
    }
}

/// An input's view: loop axes (length 1 where it lacks them), then its core axes.
fn input_view<'a>(b: ArrayViewD<'a, f64>, ax: &InputAxes, nl: usize) -> ArrayViewD<'a, f64> {
    let mut v = b;
    for (i, &has) in ax.has_loop.iter().enumerate() {
        if !has {
            v.slice_axis_inplace(Axis(i), Slice::from(0..1));
        }
    }
    // Core axes not the input's: index 0 (they are broadcast copies), last first.
    let ndim = v.ndim();
    for a in (nl..ndim).rev() {
        if !ax.core.contains(&a) {
            v.index_axis_inplace(Axis(a), 0);
        }
    }
    // The remaining core axes are in layout order; put them in the input's order.
    let mut sorted = ax.core.clone();
    sorted.sort_unstable();
    let mut perm: Vec<usize> = (0..nl).collect();
    perm.extend(ax.core.iter().map(|a| nl + position(&sorted, a)));
    v.permuted_axes(IxDyn(&perm))
}

fn unravel(mut lin: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (i, &n) in shape.iter().enumerate().rev() {
        idx[i] = lin % n;
        lin /= n;
    }
    idx
}

fn position<T: PartialEq>(list: &[T], x: &T) -> usize {
    list.iter().position(|y| y == x).expect("listed")
}

fn union(lists: impl Iterator<Item = Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for l in lists {
        for d in l {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

fn check_unique(dims: &[String], op: &str) -> Result<()> {
    for (i, d) in dims.iter().enumerate() {
        ensure!(
            !dims[..i].contains(d),
            Error::DuplicateDimension {
                dim: format!("{d:?}"),
                op: op.to_string(),
            }
        );
    }
    Ok(())
}
