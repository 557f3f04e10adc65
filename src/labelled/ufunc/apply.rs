//! `apply_ufunc` with `dask="parallelized"`: a user function over blocks, run per
//! chunk in parallel, with core dimensions that the function sees whole, one or several
//! outputs, and core dimensions that may change size (`exclude_dims`).
//!
//! Every input is laid out over one shared set of axes — the loop (broadcast)
//! dimensions, then every input core dimension — and one engine `map_blocks_resized`
//! node runs the function on corresponding blocks. Loop dimensions keep their chunks
//! (those of the first input that has the dim; the others are rechunked to match); a
//! core dimension must lie in one chunk, as in xarray, unless
//! [`ApplyUfunc::allow_rechunk`] is set. The node's output block holds every output
//! ([`kernel`](super::apply_kernel) says how they are packed) and a lazy slice cuts
//! each out, so outputs computed together (`DataArray::compute_many`) run the function
//! once per block.
//!
//! An excluded dimension is renamed per input (and for the outputs) before aligning,
//! so inputs may differ in its length and their coordinates along it are dropped, as
//! xarray's; an output needs its size from [`ApplyUfunc::output_sizes`].

use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD};

use super::apply_kernel::{InputAxes, Kernel, MultiFn, OutputSlots};
use crate::engine::{ChunkGrid, DType, LazyArray};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::variable::Variable;
use crate::labelled::structure::align::{Join, align};
use crate::{Error, Result};

/// A labelled `xarray.apply_ufunc(..., dask="parallelized")`, as a builder.
///
/// The function gets every input as a `f64` view whose axes are the loop dimensions
/// (in order of first appearance over the inputs; length 1 where the input lacks one,
/// numpy-broadcasting style) then the input's core dimensions in the order given. It
/// returns the loop dimensions of the block then the output core dimensions. With
/// [`vectorize`](ApplyUfunc::vectorize) it is called once per loop element with the
/// core dimensions only (numpy's `np.vectorize` signature behaviour).
///
/// Inputs of any dtype are converted to `f64` before the function sees them: floats
/// and integers up to 2^53 exactly (larger 64-bit integers round to the nearest
/// `f64`), booleans as `0.0`/`1.0`, datetimes as their `int64` counts of microseconds.
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
    outputs: Vec<Vec<String>>,
    output_sizes: Vec<(String, usize)>,
    output_dtypes: Vec<DType>,
    exclude_dims: Vec<String>,
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
            outputs: vec![vec![]],
            output_sizes: vec![],
            output_dtypes: vec![DType::F64],
            exclude_dims: vec![],
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
        self.inputs.push((da.clone(), strings(core_dims)));
        self
    }

    /// The core dimensions of the one output (`output_core_dims=[dims]`; default none).
    pub fn output_core_dims<S: AsRef<str>>(mut self, dims: impl IntoIterator<Item = S>) -> Self {
        self.outputs = vec![strings(dims)];
        self
    }

    /// Several outputs, one list of core dimensions each (`output_core_dims=[[], ["q"]]`),
    /// for [`run_many`](ApplyUfunc::run_many).
    ///
    /// ```
    /// use ndarray::{Array2, ArrayD, Axis, IxDyn};
    /// use tessera::labelled::{ApplyUfunc, DataArray};
    ///
    /// let a = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64).into_dyn();
    /// let da = DataArray::from_ndarray("v", ["time", "x"], a, &[2, 4])?;
    /// // The mean along "x", and the (min, max) pair along a new "q".
    /// let out = ApplyUfunc::new("stats")
    ///     .input(&da, ["x"])
    ///     .output_core_dims_list([vec![], vec!["q"]])
    ///     .output_sizes([("q", 2)])
    ///     .run_many(|x| {
    ///         let a = &x[0];
    ///         let last = Axis(a.ndim() - 1);
    ///         let mean = a.mean_axis(last).unwrap();
    ///         let lo = a.fold_axis(last, f64::INFINITY, |m, &v| m.min(v));
    ///         let hi = a.fold_axis(last, f64::NEG_INFINITY, |m, &v| m.max(v));
    ///         let pair = ndarray::stack(Axis(lo.ndim()), &[lo.view(), hi.view()]).unwrap();
    ///         Ok(vec![mean, pair])
    ///     })?;
    /// assert_eq!(out[0].values::<f64>()?.as_slice().unwrap(), &[1.5, 5.5, 9.5]);
    /// assert_eq!(out[1].dims(), ["time", "q"]);
    /// assert_eq!(out[1].values::<f64>()?.as_slice().unwrap(), &[0.0, 3.0, 4.0, 7.0, 8.0, 11.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn output_core_dims_list<S: AsRef<str>, L: IntoIterator<Item = S>>(
        mut self,
        lists: impl IntoIterator<Item = L>,
    ) -> Self {
        self.outputs = lists.into_iter().map(strings).collect();
        self
    }

    /// Sizes of output core dimensions no input has, and of excluded dimensions
    /// (`dask_gufunc_kwargs`' `output_sizes`).
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

    /// The dtype of every output (`output_dtypes`; default `float64`): the function's
    /// `f64` results are cast to it.
    pub fn output_dtype(mut self, dtype: DType) -> Self {
        self.output_dtypes = vec![dtype];
        self
    }

    /// One dtype per output (`output_dtypes=[...]`), in the order of the outputs.
    pub fn output_dtypes(mut self, dtypes: impl IntoIterator<Item = DType>) -> Self {
        self.output_dtypes = dtypes.into_iter().collect();
        self
    }

    /// Core dimensions that may change size (`exclude_dims`): they are not aligned nor
    /// broadcast between inputs (whose lengths along them may differ), input
    /// coordinates along them are dropped, and an output having one needs its size in
    /// [`output_sizes`](ApplyUfunc::output_sizes). Each must be a core dim of an input.
    pub fn exclude_dims<S: AsRef<str>>(mut self, dims: impl IntoIterator<Item = S>) -> Self {
        self.exclude_dims = strings(dims);
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

    /// Builds the lazy result of `f` applied per block (one output).
    pub fn run(
        self,
        f: impl Fn(&[ArrayViewD<'_, f64>]) -> Result<ArrayD<f64>> + Send + Sync + 'static,
    ) -> Result<DataArray> {
        ensure!(
            self.outputs.len() == 1,
            "apply_ufunc {:?} has {} outputs; use run_many",
            self.name,
            self.outputs.len()
        );
        let mut out = self.run_many(move |x| Ok(vec![f(x)?]))?;
        Ok(out.remove(0))
    }

    /// Builds the lazy results of `f`, which returns one array per output (xarray's
    /// function returning a tuple), applied per block.
    pub fn run_many(
        self,
        f: impl Fn(&[ArrayViewD<'_, f64>]) -> Result<Vec<ArrayD<f64>>> + Send + Sync + 'static,
    ) -> Result<Vec<DataArray>> {
        let dtypes = self.dtypes()?;
        let plan = Plan::new(&self)?;
        plan.build(&self, &dtypes, Arc::new(f))
    }

    /// One dtype per output (a single one applies to all).
    fn dtypes(&self) -> Result<Vec<DType>> {
        match self.output_dtypes.len() {
            1 => Ok(vec![self.output_dtypes[0]; self.outputs.len()]),
            n if n == self.outputs.len() => Ok(self.output_dtypes.clone()),
            n => Err(Error::invalid(format!(
                "apply_ufunc {:?}: {n} output dtypes for {} outputs",
                self.name,
                self.outputs.len()
            ))),
        }
    }
}

/// The name an excluded dim takes inside the plan, per input (`Some(i)`) or for the
/// outputs (`None`); no user dimension is named so.
fn excluded_name(dim: &str, input: Option<usize>) -> String {
    match input {
        Some(i) => format!("{dim}\u{0}excluded in input {i}"),
        None => format!("{dim}\u{0}excluded in the outputs"),
    }
}

/// The input and output core dims with excluded dims renamed apart.
struct Renamed {
    inputs: Vec<(DataArray, Vec<String>)>,
    outputs: Vec<Vec<String>>,
}

impl Renamed {
    fn new(u: &ApplyUfunc) -> Result<Renamed> {
        for d in &u.exclude_dims {
            ensure!(
                u.inputs.iter().any(|(_, core)| core.contains(d)),
                "apply_ufunc {:?}: excluded dimension {d:?} must be a core dimension of an input",
                u.name
            );
        }
        let rename = |dims: &[String], input: Option<usize>| -> Vec<String> {
            dims.iter()
                .map(|d| {
                    if u.exclude_dims.contains(d) {
                        excluded_name(d, input)
                    } else {
                        d.clone()
                    }
                })
                .collect()
        };
        let mut inputs = vec![];
        for (i, (da, core)) in u.inputs.iter().enumerate() {
            let own: Vec<&String> = u
                .exclude_dims
                .iter()
                .filter(|d| da.dims().contains(d) && core.contains(d))
                .collect();
            let mut da = da.clone();
            if !own.is_empty() {
                let along: Vec<String> = da
                    .coords()
                    .iter()
                    .filter(|(_, c)| c.var.dims().iter().any(|d| own.contains(&d)))
                    .map(|(n, _)| n.clone())
                    .collect();
                let refs: Vec<&str> = along.iter().map(String::as_str).collect();
                da = da.drop_vars(&refs)?;
                let names: Vec<(String, String)> = own
                    .iter()
                    .map(|d| ((*d).clone(), excluded_name(d, Some(i))))
                    .collect();
                da = da.rename_dims(&names)?;
            }
            inputs.push((da, rename(core, Some(i))));
        }
        let outputs = u.outputs.iter().map(|o| rename(o, None)).collect();
        Ok(Renamed { inputs, outputs })
    }

    /// The user's name of a plan dimension.
    fn user_name(dim: &str) -> String {
        dim.split('\u{0}').next().unwrap_or(dim).to_string()
    }
}

/// The shared layout: loop dims then input core dims, with sizes and chunks.
struct Plan {
    renamed: Renamed,
    inputs: Vec<DataArray>,
    loop_dims: Vec<String>,
    core_dims: Vec<String>,
    sizes: Vec<usize>,
    loop_chunks: Vec<Vec<usize>>,
    /// The size of every output core dim.
    out_sizes: Vec<Vec<usize>>,
}

impl Plan {
    fn new(u: &ApplyUfunc) -> Result<Plan> {
        ensure!(
            !u.inputs.is_empty(),
            "apply_ufunc {:?} needs at least one input",
            u.name
        );
        ensure!(
            !u.outputs.is_empty(),
            "apply_ufunc {:?} needs at least one output",
            u.name
        );
        let renamed = Renamed::new(u)?;
        let core_dims = union(renamed.inputs.iter().map(|(_, c)| c.clone()));
        let all_core = union(
            renamed
                .inputs
                .iter()
                .map(|(_, c)| c.clone())
                .chain(renamed.outputs.iter().cloned()),
        );
        for (i, (da, core)) in renamed.inputs.iter().enumerate() {
            check_unique(
                core,
                &format!("input {i}'s core dims of apply_ufunc {:?}", u.name),
            )?;
            if let Some(d) = core.iter().find(|d| !da.dims().contains(d)) {
                return Err(Error::UnknownDimension {
                    dim: Renamed::user_name(d),
                    dims: u.inputs[i].0.dims().to_vec(),
                });
            }
            if let Some(d) = da
                .dims()
                .iter()
                .find(|d| !core.contains(d) && all_core.contains(d))
            {
                return Err(Error::invalid(format!(
                    "apply_ufunc {:?}: input {i} has dimension {d:?}, a core dimension of another input or an output, but not among its own core dims {core:?}",
                    u.name
                )));
            }
        }
        for (k, o) in u.outputs.iter().enumerate() {
            check_unique(
                o,
                &format!("output {k}'s core dims of apply_ufunc {:?}", u.name),
            )?;
        }
        let arrays: Vec<&DataArray> = renamed.inputs.iter().map(|(d, _)| d).collect();
        let inputs = align(&arrays, u.join)?;
        let loop_dims = union(inputs.iter().zip(&renamed.inputs).map(|(da, (_, core))| {
            da.dims()
                .iter()
                .filter(|d| !core.contains(d))
                .cloned()
                .collect()
        }));
        let mut sizes = vec![];
        let mut loop_chunks = vec![];
        for d in loop_dims.iter().chain(&core_dims) {
            let (n, chunks) = dim_extent(u, &inputs, d, core_dims.contains(d))?;
            sizes.push(n);
            if !core_dims.contains(d) {
                loop_chunks.push(chunks);
            }
        }
        let size_of = |d: &String| -> Result<usize> {
            let given = u
                .output_sizes
                .iter()
                .find(|(n, _)| *n == Renamed::user_name(d))
                .map(|p| p.1);
            let on_input = core_dims
                .iter()
                .position(|c| c == d)
                .map(|i| sizes[loop_dims.len() + i]);
            match (on_input, given) {
                (Some(n), Some(m)) if n != m => Err(Error::ShapeMismatch {
                    op: format!(
                        "apply_ufunc {:?}: output_sizes for input core dimension {d:?}",
                        u.name
                    ),
                    left: vec![n],
                    right: vec![m],
                }),
                (Some(n), _) | (None, Some(n)) => Ok(n),
                (None, None) => Err(Error::invalid(format!(
                    "apply_ufunc {:?}: output core dimension {:?} is on no input{}; give its size with output_sizes",
                    u.name,
                    Renamed::user_name(d),
                    if d.contains('\u{0}') {
                        " (it is excluded)"
                    } else {
                        ""
                    }
                ))),
            }
        };
        let out_sizes = renamed
            .outputs
            .iter()
            .map(|o| o.iter().map(size_of).collect::<Result<Vec<_>>>())
            .collect::<Result<Vec<_>>>()?;
        Ok(Plan {
            renamed,
            inputs,
            loop_dims,
            core_dims,
            sizes,
            loop_chunks,
            out_sizes,
        })
    }

    /// Axes of padding after the core dims, so that input and output blocks have as
    /// many axes (the engine's `map_blocks` keeps the number of axes).
    fn pad(&self, slots: &OutputSlots) -> usize {
        slots.ndim().max(self.core_dims.len()) - self.core_dims.len()
    }

    fn in_dims(&self, pad: usize) -> Vec<String> {
        let mut dims: Vec<String> = self
            .loop_dims
            .iter()
            .chain(&self.core_dims)
            .cloned()
            .collect();
        dims.extend((0..pad).map(|i| format!("\u{0}pad {i}")));
        dims
    }

    /// An input laid out over every axis of the plan, on the plan's grid.
    fn laid_out(&self, da: &DataArray, pad: usize) -> Result<LazyArray> {
        let data = da
            .variable()
            .expand_to(&self.in_dims(pad))?
            .cast(DType::F64)?;
        let mut sizes = self.sizes.clone();
        sizes.extend(std::iter::repeat_n(1, pad));
        let mut chunks = self.loop_chunks.clone();
        chunks.extend(self.sizes[self.loop_dims.len()..].iter().map(|&n| vec![n]));
        chunks.extend(std::iter::repeat_n(vec![1], pad));
        data.broadcast_to(&sizes)?.rechunk(ChunkGrid::new(chunks)?)
    }

    fn build(&self, u: &ApplyUfunc, dtypes: &[DType], f: Arc<MultiFn>) -> Result<Vec<DataArray>> {
        let nl = self.loop_dims.len();
        let slots = OutputSlots::new(self.out_sizes.clone());
        let pad = self.pad(&slots);
        let views: Vec<InputAxes> = self
            .renamed
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
        let laid = self
            .inputs
            .iter()
            .map(|da| self.laid_out(da, pad))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&LazyArray> = laid.iter().collect();
        let in_ndim = nl + self.core_dims.len() + pad;
        let out_grid = slots.grid(&self.loop_chunks, in_ndim)?;
        let kernel = Kernel {
            name: u.name.clone(),
            f,
            views,
            slots: slots.clone(),
            n_loop: nl,
            vectorize: u.vectorize,
        };
        let packed = LazyArray::map_blocks_resized(
            &refs,
            format!("apply_ufunc {}", u.name),
            DType::F64,
            out_grid,
            move |_, b| kernel.apply(b),
        )?;
        (0..u.outputs.len())
            .map(|k| {
                let data = slots.cut(&packed, nl, k)?.cast(dtypes[k])?;
                self.labelled(u, k, data)
            })
            .collect()
    }

    /// Output `k` with its dims, coordinates, name and attributes.
    fn labelled(&self, u: &ApplyUfunc, k: usize, data: LazyArray) -> Result<DataArray> {
        let mut dims = self.loop_dims.clone();
        dims.extend(self.renamed.outputs[k].iter().cloned());
        let mut coords = Coords::new();
        for da in &self.inputs {
            for (n, c) in da.coords().iter() {
                if coords.get(n).is_none() && c.var.dims().iter().all(|d| dims.contains(d)) {
                    coords.insert_with_index(n.clone(), c.var.clone(), c.index.clone());
                }
            }
        }
        let user_dims: Vec<String> = dims.iter().map(|d| Renamed::user_name(d)).collect();
        // xarray 2026 names the result after the first input and keeps its
        // attributes (keep_attrs="override").
        let first = &u.inputs[0].0;
        Ok(DataArray::from_parts(
            first.name().map(str::to_string),
            Variable::new(user_dims, data)?.with_attrs(first.attrs().clone()),
            coords,
        ))
    }
}

/// The size and chunks of a plan dimension, checked over the inputs that have it.
fn dim_extent(
    u: &ApplyUfunc,
    inputs: &[DataArray],
    d: &str,
    core: bool,
) -> Result<(usize, Vec<usize>)> {
    let mut size: Option<usize> = None;
    let mut dim_chunks: Option<Vec<usize>> = None;
    let user = Renamed::user_name(d);
    for (i, da) in inputs.iter().enumerate() {
        let Some(ax) = da.dims().iter().position(|x| x == d) else {
            continue;
        };
        let n = da.shape()[ax];
        match size {
            Some(m) if m != n => {
                return Err(Error::ShapeMismatch {
                    op: format!(
                        "apply_ufunc {:?} along dimension {user:?} (input {i})",
                        u.name
                    ),
                    left: vec![m],
                    right: vec![n],
                });
            }
            _ => size = Some(n),
        }
        let c = da.data().chunks().axis_chunks(ax).to_vec();
        if core && c.len() > 1 && !u.allow_rechunk {
            return Err(Error::InvalidChunks(format!(
                "dimension {user:?} of input {i} to apply_ufunc {:?} is a core dimension but consists of {} chunks {c:?}; rechunk it to one chunk (.chunk(&[({user:?}, {n})])) or set allow_rechunk(true)",
                u.name,
                c.len()
            )));
        }
        dim_chunks.get_or_insert(c);
    }
    // Invariant: every plan dimension is a dimension of some input.
    let n = size.expect("a dimension of an input");
    Ok((n, dim_chunks.unwrap_or_else(|| vec![n])))
}

fn strings<S: AsRef<str>>(dims: impl IntoIterator<Item = S>) -> Vec<String> {
    dims.into_iter().map(|s| s.as_ref().to_string()).collect()
}

pub(super) fn position<T: PartialEq>(list: &[T], x: &T) -> usize {
    // Invariant: callers look up dims the plan listed.
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
