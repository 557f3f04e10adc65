//! `stack` / `unstack`: several dimensions become one stacked dimension whose labels
//! are the combinations of theirs (a MultiIndex in xarray), and back.
//!
//! The stacked dimension carries one coordinate per stacked dimension (xarray's
//! MultiIndex levels, shown as `x (z)` / `y (z)`), marked as levels in their encoding
//! (`multiindex_level`: the level's position) so that `unstack` finds them. `unstack`
//! takes the level values in order of first appearance, as xarray's index of a
//! selection does, and fills combinations that are absent with NaN.
//!
//! Both stay lazy: merging two axes is a concatenation of the slices along the first
//! (one node per label of every stacked dimension but the last), splitting one is a
//! `stack` of slices; missing combinations are taken from one appended NaN slice.
//! They are meant for the small results one exports (`to_rows`, `to_csv`).

use crate::engine::{BinaryOp, DType, LazyArray};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::select::Positions;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// The encoding key that marks a coordinate as a level of a stacked dimension.
pub(crate) const LEVEL_KEY: &str = "multiindex_level";
/// The encoding key holding a level's values in their original order.
pub(crate) const LEVELS_KEY: &str = "multiindex_values";

/// Merges axes `a` and `a + 1` into one (row-major: `a` varies slowest).
fn merge_axes(x: &LazyArray, a: usize) -> Result<LazyArray> {
    let n = x.shape()[a];
    ensure!(n > 0, "cannot stack a dimension of length 0");
    let parts = (0..n)
        .map(|i| {
            x.slice_axis(a, Some(i as isize), Some(i as isize + 1), 1)?
                .squeeze(&[a])
        })
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&LazyArray> = parts.iter().collect();
    LazyArray::concat(&refs, a)
}

/// Splits axis `a` (of length `n1 * n2`) into `n1` and `n2`.
fn split_axis(x: &LazyArray, a: usize, n1: usize, n2: usize) -> Result<LazyArray> {
    let parts = (0..n1)
        .map(|i| x.slice_axis(a, Some((i * n2) as isize), Some(((i + 1) * n2) as isize), 1))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&LazyArray> = parts.iter().collect();
    LazyArray::stack(&refs, a)
}

/// `var` with `dims` (of lengths `sizes`) stacked into `new_dim`, placed last; a
/// variable lacking some of them is broadcast first, one with none is unchanged.
fn stack_variable(
    var: &Variable,
    dims: &[String],
    sizes: &[usize],
    new_dim: &str,
) -> Result<Variable> {
    if !dims.iter().any(|d| var.has_dim(d)) {
        return Ok(var.clone());
    }
    let mut target: Vec<String> = var
        .dims()
        .iter()
        .filter(|d| !dims.contains(d))
        .cloned()
        .collect();
    let n_other = target.len();
    let mut shape: Vec<usize> = target
        .iter()
        .map(|d| var.size_of(d).expect("own dim"))
        .collect();
    target.extend(dims.iter().cloned());
    shape.extend(sizes);
    let mut data = var.expand_to(&target)?.broadcast_to(&shape)?;
    for _ in 1..dims.len() {
        data = merge_axes(&data, n_other)?;
    }
    target.truncate(n_other);
    target.push(new_dim.to_string());
    var.with_dims_and_data(target, data)
}

/// The values of the stacked level `j` at every position of the stacked dimension.
fn level_positions(sizes: &[usize], j: usize) -> Vec<usize> {
    let total: usize = sizes.iter().product();
    let inner: usize = sizes[j + 1..].iter().product();
    (0..total).map(|z| (z / inner) % sizes[j]).collect()
}

/// Checks the dims to stack and returns their sizes.
fn stack_sizes(all_dims: &[(String, usize)], dims: &[&str], new_dim: &str) -> Result<Vec<usize>> {
    ensure!(
        !dims.is_empty(),
        "stack needs at least one dimension to stack into {new_dim:?}"
    );
    ensure!(
        !all_dims.iter().any(|(d, _)| d == new_dim),
        Error::DuplicateDimension {
            dim: format!("{new_dim:?}"),
            op: "stack: the new dimension already exists".into(),
        }
    );
    dims.iter()
        .map(|d| {
            all_dims
                .iter()
                .find(|(x, _)| x == d)
                .map(|(_, n)| *n)
                .ok_or_else(|| Error::UnknownDimension {
                    dim: d.to_string(),
                    dims: all_dims.iter().map(|(x, _)| x.clone()).collect(),
                })
        })
        .collect()
}

/// The coordinates after stacking: others in place (stacked where they have a stacked
/// dim), then one level coordinate per stacked dim.
fn stack_coords(
    coords: &Coords,
    dims: &[String],
    sizes: &[usize],
    new_dim: &str,
) -> Result<Coords> {
    let mut out = Coords::new();
    for (n, c) in coords.iter() {
        if dims.contains(n) && c.var.dims() == [n.clone()] {
            continue;
        }
        if dims.iter().any(|d| c.var.has_dim(d)) {
            out.insert_with_index(
                n.clone(),
                stack_variable(&c.var, dims, sizes, new_dim)?,
                None,
            );
        } else {
            out.insert_with_index(n.clone(), c.var.clone(), c.index.clone());
        }
    }
    for (j, (d, &n)) in dims.iter().zip(sizes).enumerate() {
        let pos = level_positions(sizes, j);
        let var = match coords.get(d).filter(|c| c.var.dims() == [d.clone()]) {
            Some(c) => {
                let taken = c.var.with_data(c.var.data().take(0, &pos)?)?;
                taken.with_dims_and_data([new_dim], taken.data().clone())?
            }
            // A dimension without coordinate stacks its positions (xarray's RangeIndex).
            None => Variable::new(
                [new_dim],
                LazyArray::from_ndarray(
                    ndarray::ArrayD::from_shape_vec(
                        ndarray::IxDyn(&[pos.len()]),
                        pos.iter().map(|&p| p as i64).collect(),
                    )
                    .expect("1-d"),
                    &[pos.len().max(1)],
                )?,
            )?,
        };
        let mut enc = var.encoding().clone();
        enc.insert(LEVEL_KEY.into(), (j as u64).into());
        // The level's values in their original order: unstack keeps it while every
        // value is still present (pandas' `remove_unused_levels`).
        let original = match coords.get(d).filter(|c| c.var.dims() == [d.clone()]) {
            Some(c) => level_keys(&c.var)?,
            None => (0..n).map(|p| p.to_string()).collect(),
        };
        enc.insert(LEVELS_KEY.into(), original.into());
        out.insert_with_index(d.clone(), var.with_encoding(enc), None);
    }
    Ok(out)
}

impl DataArray {
    /// Stacks `dims` into one new dimension `new_dim`, placed last (xarray's
    /// `da.stack({new_dim: dims})`); the stacked dimension gets one coordinate per
    /// stacked dimension (the MultiIndex levels).
    ///
    /// ```
    /// # use tessera::labelled::DataArray;
    /// # use ndarray::{ArrayD, IxDyn};
    /// let a = DataArray::from_ndarray("a", ["y", "x"], ArrayD::from_shape_vec(IxDyn(&[2, 3]), (0..6).map(f64::from).collect()).unwrap(), &[1, 2])?
    ///     .with_coord_values("y", vec![10.0, 20.0])?;
    /// let s = a.stack("z", &["y", "x"])?;
    /// assert_eq!(s.dims(), ["z"]);
    /// assert_eq!(s.coord("y")?.to_vec::<f64>()?, vec![10.0, 10.0, 10.0, 20.0, 20.0, 20.0]);
    /// let back = s.unstack("z")?;
    /// assert_eq!(back.values::<f64>()?, a.values::<f64>()?);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn stack(&self, new_dim: &str, dims: &[&str]) -> Result<DataArray> {
        let all: Vec<(String, usize)> = self
            .dims()
            .iter()
            .cloned()
            .zip(self.shape().iter().copied())
            .collect();
        let sizes = stack_sizes(&all, dims, new_dim)?;
        let dims: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
        Ok(DataArray::from_parts(
            self.name().map(str::to_string),
            stack_variable(self.variable(), &dims, &sizes, new_dim)?,
            stack_coords(self.coords(), &dims, &sizes, new_dim)?,
        ))
    }

    /// Splits a stacked dimension back into its levels, placed last, with NaN for the
    /// combinations the stacked labels lack (xarray's `da.unstack(dim)`).
    pub fn unstack(&self, dim: &str) -> Result<DataArray> {
        self.dim_len(dim)?;
        let plan = UnstackPlan::new(self.coords(), dim)?;
        Ok(DataArray::from_parts(
            self.name().map(str::to_string),
            plan.variable(self.variable())?,
            plan.coords(self.coords())?,
        ))
    }
}

/// The stacked dims among `dims`: those with level coordinates, in `dims`' order.
fn stacked_dims(coords: &Coords, dims: &[String]) -> Vec<String> {
    dims.iter()
        .filter(|d| {
            coords.iter().any(|(_, c)| {
                c.var.dims() == [d.to_string()] && c.var.encoding().contains_key(LEVEL_KEY)
            })
        })
        .cloned()
        .collect()
}

impl DataArray {
    /// Unstacks every stacked dimension, in the order of the dims (xarray's
    /// `da.unstack()` with no dim); unchanged if there is none.
    pub fn unstack_all(&self) -> Result<DataArray> {
        let mut out = self.clone();
        for d in stacked_dims(self.coords(), self.dims()) {
            out = out.unstack(&d)?;
        }
        Ok(out)
    }
}

impl Dataset {
    /// [`DataArray::unstack_all`] for a dataset: every stacked dimension unstacked.
    pub fn unstack_all(&self) -> Result<Dataset> {
        let dims: Vec<String> = self.dims().into_iter().map(|(d, _)| d).collect();
        let mut out = self.clone();
        for d in stacked_dims(self.coords(), &dims) {
            out = out.unstack(&d)?;
        }
        Ok(out)
    }

    /// [`DataArray::stack`] of every variable that has one of `dims` (broadcast to all
    /// of them first).
    pub fn stack(&self, new_dim: &str, dims: &[&str]) -> Result<Dataset> {
        let sizes = stack_sizes(&self.dims(), dims, new_dim)?;
        let dims: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
        let mut out = self.with_coords(stack_coords(self.coords(), &dims, &sizes, new_dim)?);
        out.clear_data_vars();
        for (n, v) in self.data_vars() {
            out.insert(n.clone(), stack_variable(v, &dims, &sizes, new_dim)?)?;
        }
        Ok(out)
    }

    /// [`DataArray::unstack`] of every variable along the stacked `dim`.
    pub fn unstack(&self, dim: &str) -> Result<Dataset> {
        crate::labelled::missing::push::require_dim(self, dim)?;
        let plan = UnstackPlan::new(self.coords(), dim)?;
        let mut out = self.with_coords(plan.coords(self.coords())?);
        out.clear_data_vars();
        for (n, v) in self.data_vars() {
            out.insert(n.clone(), plan.variable(v)?)?;
        }
        Ok(out)
    }
}

/// How to unstack one dimension: the level coordinates, their distinct values, and
/// where each combination is along the stacked dimension.
struct UnstackPlan {
    dim: String,
    /// Level names, sizes, and the position of each distinct value's first appearance.
    levels: Vec<(String, usize, Vec<usize>)>,
    /// For each combination (row-major), its position along `dim`, if present.
    source: Vec<Option<usize>>,
    n: usize,
}

impl UnstackPlan {
    fn new(coords: &Coords, dim: &str) -> Result<UnstackPlan> {
        let mut found: Vec<(u64, String)> = coords
            .iter()
            .filter(|(_, c)| c.var.dims() == [dim.to_string()])
            .filter_map(|(n, c)| {
                c.var
                    .encoding()
                    .get(LEVEL_KEY)
                    .and_then(|v| v.as_u64())
                    .map(|j| (j, n.clone()))
            })
            .collect();
        ensure!(
            !found.is_empty(),
            Error::InvalidArgument(format!(
                "cannot unstack {dim:?}: it is not a stacked dimension (no MultiIndex levels)"
            ))
        );
        found.sort();
        let mut levels = vec![];
        let mut codes: Vec<Vec<usize>> = vec![];
        let mut n = 0;
        for (_, name) in &found {
            let var = &coords.get(name).expect("found above").var;
            let keys = level_keys(var)?;
            n = keys.len();
            let mut distinct: Vec<&String> = vec![];
            let mut first = vec![];
            let mut code: Vec<usize> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| match distinct.iter().position(|d| *d == k) {
                    Some(c) => c,
                    None => {
                        distinct.push(k);
                        first.push(i);
                        distinct.len() - 1
                    }
                })
                .collect();
            // Every original value still there: the original order, else first appearance.
            let original: Vec<String> = var
                .encoding()
                .get(LEVELS_KEY)
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            let rank: Vec<Option<usize>> = distinct
                .iter()
                .map(|d| original.iter().position(|o| o == *d))
                .collect();
            if original.len() == distinct.len() && rank.iter().all(Option::is_some) {
                let rank: Vec<usize> = rank.into_iter().map(|r| r.expect("all some")).collect();
                let mut reordered = vec![0; first.len()];
                for (c, &r) in rank.iter().enumerate() {
                    reordered[r] = first[c];
                }
                first = reordered;
                code.iter_mut().for_each(|c| *c = rank[*c]);
            }
            levels.push((name.clone(), distinct.len(), first));
            codes.push(code);
        }
        let sizes: Vec<usize> = levels.iter().map(|l| l.1).collect();
        let total: usize = sizes.iter().product();
        let mut source = vec![None; total];
        for z in 0..n {
            let mut flat = 0;
            for (j, code) in codes.iter().enumerate() {
                flat = flat * sizes[j] + code[z];
            }
            ensure!(
                source[flat].is_none(),
                Error::InvalidArgument(format!("cannot unstack {dim:?}: its labels repeat"))
            );
            source[flat] = Some(z);
        }
        Ok(UnstackPlan {
            dim: dim.to_string(),
            levels,
            source,
            n,
        })
    }

    fn variable(&self, var: &Variable) -> Result<Variable> {
        let Some(axis) = var.dims().iter().position(|d| *d == self.dim) else {
            return Ok(var.clone());
        };
        let mut order: Vec<String> = var
            .dims()
            .iter()
            .filter(|d| **d != self.dim)
            .cloned()
            .collect();
        let n_other = order.len();
        order.push(self.dim.clone());
        let var = if axis == n_other {
            var.clone()
        } else {
            var.transpose(&order)?
        };
        let last = n_other;
        let complete = self.source.iter().all(Option::is_some);
        let mut data = var.data().clone();
        if complete {
            let idx: Vec<usize> = self.source.iter().map(|s| s.expect("complete")).collect();
            if idx.iter().enumerate().any(|(i, &s)| i != s) || idx.len() != self.n {
                data = data.take(last, &idx)?;
            }
        } else {
            ensure!(
                !var.is_strings(),
                Error::InvalidArgument(format!(
                    "cannot unstack {:?}: strings have no missing value for the absent combinations",
                    self.dim
                ))
            );
            if !data.dtype().is_float() {
                data = data.cast(DType::F64)?;
            }
            let nan = data.slice_axis(last, Some(0), Some(1), 1)?.binary_scalar(
                BinaryOp::Mul,
                f64::NAN,
                false,
            )?;
            let padded = LazyArray::concat(&[&data, &nan], last)?;
            let idx: Vec<usize> = self.source.iter().map(|s| s.unwrap_or(self.n)).collect();
            data = padded.take(last, &idx)?;
        }
        let sizes: Vec<usize> = self.levels.iter().map(|l| l.1).collect();
        for j in 0..sizes.len().saturating_sub(1) {
            let rest: usize = sizes[j + 1..].iter().product();
            data = split_axis(&data, last + j, sizes[j], rest)?;
        }
        let mut dims = order;
        dims.truncate(n_other);
        dims.extend(self.levels.iter().map(|l| l.0.clone()));
        var.with_dims_and_data(dims, data)
    }

    fn coords(&self, coords: &Coords) -> Result<Coords> {
        let mut out = Coords::new();
        for (name, _, first) in &self.levels {
            let c = &coords.get(name).expect("level").var;
            let mut enc = c.encoding().clone();
            enc.remove(LEVEL_KEY);
            enc.remove(LEVELS_KEY);
            let var = crate::labelled::core::select::select_variable(
                c,
                &self.dim,
                &Positions::List(first.clone()),
            )?;
            let var = var
                .with_dims_and_data([name.clone()], var.data().clone())?
                .with_encoding(enc);
            out.insert(name.clone(), var)?;
        }
        for (n, c) in coords.iter() {
            if self.levels.iter().any(|l| l.0 == *n) {
                continue;
            }
            if c.var.has_dim(&self.dim) {
                out.insert_with_index(n.clone(), self.variable(&c.var)?, None);
            } else {
                out.insert_with_index(n.clone(), c.var.clone(), c.index.clone());
            }
        }
        Ok(out)
    }
}

/// Comparable keys of a level coordinate's values (numbers, strings or instants).
fn level_keys(var: &Variable) -> Result<Vec<String>> {
    if var.is_strings() {
        return Ok(var.strings()?.into_iter().collect());
    }
    let data = var.data().compute()?;
    Ok(if data.dtype().is_float() {
        data.to_f64_vec().iter().map(|v| format!("{v:?}")).collect()
    } else {
        data.cast(DType::I64)
            .into_typed::<i64>()?
            .iter()
            .map(|v| v.to_string())
            .collect()
    })
}
