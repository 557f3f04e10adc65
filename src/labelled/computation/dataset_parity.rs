//! The `Dataset` forms of what `DataArray` has: reduction shortcuts, quantiles,
//! weighted reductions, rolling windows, polynomial fits, `chunk` and `persist`.
//!
//! Each maps the `DataArray` operation over the data variables with xarray's rules
//! for variables lacking the dims: reductions keep them unchanged (except `std`/`var`,
//! zero at valid values, and `count`, the valid flag as int64), rolling keeps them,
//! polyfit skips them, weighted reductions fail as xarray's `dot` does.

use super::reduce::{Dims, ReduceArgs};
use super::weighted::Weighted;
use crate::engine::{Compute, DType, ReduceKind, RollingKind};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::{Error, Result};

impl Dataset {
    /// A reduction of every data variable, also of those lacking every reduced dim
    /// (xarray's `Dataset.reduce` runs `std`, `var` and `count` over no dims there).
    fn reduce_all_vars(&self, kind: ReduceKind, dims: Dims, args: ReduceArgs) -> Result<Dataset> {
        match kind {
            ReduceKind::Std | ReduceKind::Var | ReduceKind::Count => {
                self.check_dims(&dims)?;
                self.map(|da| {
                    let own: Vec<String> = match &dims {
                        Dims::All => da.dims().to_vec(),
                        Dims::Names(n) => n
                            .iter()
                            .filter(|d| da.dims().contains(d))
                            .cloned()
                            .collect(),
                    };
                    if own.is_empty() && kind == ReduceKind::Count {
                        return da.notnull()?.astype(DType::I64);
                    }
                    da.reduce(kind, Dims::Names(own), args)
                })
            }
            _ => self.reduce(kind, dims, args),
        }
    }

    fn check_dims(&self, dims: &Dims) -> Result<()> {
        let all: Vec<String> = self.dims().into_iter().map(|(d, _)| d).collect();
        if let Dims::Names(names) = dims
            && let Some(d) = names.iter().find(|d| !all.contains(d))
        {
            return Err(Error::UnknownDimension {
                dim: d.clone(),
                dims: all,
            });
        }
        Ok(())
    }

    /// Mean of every data variable over `dims` (NaN skipped for floats).
    pub fn mean(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_all_vars(ReduceKind::Mean, dims.into(), ReduceArgs::default())
    }

    /// Sum of every data variable over `dims`.
    pub fn sum(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_all_vars(ReduceKind::Sum, dims.into(), ReduceArgs::default())
    }

    /// Product of every data variable over `dims`.
    pub fn prod(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_all_vars(ReduceKind::Prod, dims.into(), ReduceArgs::default())
    }

    /// Minimum of every data variable over `dims`.
    pub fn min(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_all_vars(ReduceKind::Min, dims.into(), ReduceArgs::default())
    }

    /// Maximum of every data variable over `dims`.
    pub fn max(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_all_vars(ReduceKind::Max, dims.into(), ReduceArgs::default())
    }

    /// Number of valid values of every data variable over `dims` (int64).
    pub fn count(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_all_vars(ReduceKind::Count, dims.into(), ReduceArgs::default())
    }

    /// Standard deviation of every data variable over `dims`, with `ddof`.
    pub fn std(&self, dims: impl Into<Dims>, ddof: usize) -> Result<Dataset> {
        let args = ReduceArgs {
            ddof,
            ..Default::default()
        };
        self.reduce_all_vars(ReduceKind::Std, dims.into(), args)
    }

    /// Variance of every data variable over `dims`, with `ddof`.
    pub fn var(&self, dims: impl Into<Dims>, ddof: usize) -> Result<Dataset> {
        let args = ReduceArgs {
            ddof,
            ..Default::default()
        };
        self.reduce_all_vars(ReduceKind::Var, dims.into(), args)
    }

    /// Median of every data variable over `dims` (variables lacking them are kept).
    /// The data along `dims` must lie in one chunk, as with dask.
    pub fn median(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_each(&dims.into(), |da, d| da.median(d, None))
    }

    /// Quantiles `q` of every data variable over `dims`, each with a leading
    /// `quantile` dimension; variables lacking the dims are kept unchanged.
    pub fn quantile(&self, q: &[f64], dims: impl Into<Dims>) -> Result<Dataset> {
        self.reduce_each(&dims.into(), |da, d| da.quantile(q, d, None))
    }

    /// Weighted reductions of every data variable ([`DatasetWeighted`]).
    pub fn weighted(&self, weights: &DataArray) -> Result<DatasetWeighted> {
        Ok(DatasetWeighted {
            ds: self.clone(),
            weights: weights.clone(),
        })
    }

    /// Rolling windows of `window` positions along `dim` over every data variable
    /// that has it ([`DatasetRolling`]).
    pub fn rolling(&self, dim: &str, window: usize) -> Result<DatasetRolling> {
        let n = self.dim_len(dim).ok_or_else(|| Error::UnknownDimension {
            dim: dim.to_string(),
            dims: self.dims().into_iter().map(|(d, _)| d).collect(),
        })?;
        // A window longer than the dim is allowed (all NaN unless min_periods is
        // reached), as DataArray::rolling and xarray do.
        if window == 0 {
            return Err(Error::invalid(format!(
                "rolling window of {window} along {dim:?} of length {n}: the window must be at least 1"
            )));
        }
        Ok(DatasetRolling {
            ds: self.clone(),
            dim: dim.to_string(),
            window,
            center: false,
            min_periods: None,
        })
    }

    /// Polynomial fits of degree `deg` along `dim` of every data variable that has
    /// it, as xarray's `Dataset.polyfit`: `<var>_polyfit_coefficients` over
    /// (`degree`, other dims).
    pub fn polyfit(&self, dim: &str, deg: usize) -> Result<Dataset> {
        if self.dim_len(dim).is_none() {
            return Err(Error::UnknownDimension {
                dim: dim.to_string(),
                dims: self.dims().into_iter().map(|(d, _)| d).collect(),
            });
        }
        let mut out = Dataset::new();
        for name in self.data_var_names() {
            let da = self.get(&name)?;
            if !da.dims().iter().any(|d| d == dim) {
                continue;
            }
            let fit = da.polyfit(dim, deg)?;
            for (n, c) in fit.coords().iter() {
                if out.coords().get(n).is_none() {
                    out.coords_mut()
                        .insert_with_index(n.clone(), c.var.clone(), c.index.clone());
                }
            }
            for (n, v) in fit.data_vars() {
                out.insert(format!("{name}_{n}"), v.clone())?;
            }
        }
        *out.attrs_mut() = self.attrs().clone();
        Ok(out)
    }

    /// Rechunks every data variable and coordinate by dimension name
    /// (`[("time", 100)]`); dims a variable lacks are skipped.
    pub fn chunk(&self, chunks: &[(&str, usize)]) -> Result<Dataset> {
        let all: Vec<String> = self.dims().into_iter().map(|(d, _)| d).collect();
        if let Some((d, _)) = chunks.iter().find(|(d, _)| !all.iter().any(|x| x == d)) {
            return Err(Error::UnknownDimension {
                dim: d.to_string(),
                dims: all,
            });
        }
        let mut out = self.clone();
        for name in self.data_var_names() {
            let da = self.get(&name)?;
            let own: Vec<(&str, usize)> = chunks
                .iter()
                .filter(|(d, _)| da.dims().iter().any(|x| x == d))
                .copied()
                .collect();
            let var = da.chunk(&own)?.variable().clone();
            out.insert(name, var)?;
        }
        Ok(out)
    }

    /// Computes every data variable in one pass (shared reads) and keeps the values
    /// in memory behind the same lazy interface, chunks unchanged.
    pub fn persist(&self) -> Result<Dataset> {
        let done = self.compute_vars(&Compute::new())?;
        let mut out = self.clone();
        for (name, data) in done {
            let Some(v) = self.data_var(&name) else {
                continue;
            };
            let lazy = crate::engine::LazyArray::from_data(data, v.data().chunks().clone())?;
            out.insert(name, v.with_data(lazy)?)?;
        }
        Ok(out)
    }
}

/// Weighted reductions of a dataset's variables, made by [`Dataset::weighted`].
#[derive(Clone, Debug)]
pub struct DatasetWeighted {
    ds: Dataset,
    weights: DataArray,
}

impl DatasetWeighted {
    fn each(&self, f: impl Fn(&Weighted) -> Result<DataArray>) -> Result<Dataset> {
        self.ds.map(|da| f(&da.weighted(&self.weights)?))
    }

    /// Weighted sum over `dims` of every data variable.
    pub fn sum(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        let dims = dims.into();
        self.each(|w| w.sum(dims.clone()))
    }

    /// Weighted mean over `dims` of every data variable.
    pub fn mean(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        let dims = dims.into();
        self.each(|w| w.mean(dims.clone()))
    }

    /// Weighted variance over `dims` of every data variable.
    pub fn var(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        let dims = dims.into();
        self.each(|w| w.var(dims.clone()))
    }

    /// Weighted standard deviation over `dims` of every data variable.
    pub fn std(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        let dims = dims.into();
        self.each(|w| w.std(dims.clone()))
    }

    /// Sum of the weights of the valid values of every data variable.
    pub fn sum_of_weights(&self, dims: impl Into<Dims>) -> Result<Dataset> {
        let dims = dims.into();
        self.each(|w| w.sum_of_weights(dims.clone()))
    }
}

/// Rolling windows over a dataset's variables, made by [`Dataset::rolling`].
#[derive(Clone, Debug)]
pub struct DatasetRolling {
    ds: Dataset,
    dim: String,
    window: usize,
    center: bool,
    min_periods: Option<usize>,
}

impl DatasetRolling {
    /// Centres each window on its label.
    pub fn center(mut self, center: bool) -> Self {
        self.center = center;
        self
    }

    /// The fewest valid values a window needs (default: the window length).
    pub fn min_periods(mut self, n: usize) -> Self {
        self.min_periods = Some(n);
        self
    }

    fn each(&self, kind: RollingKind) -> Result<Dataset> {
        self.ds.map(|da| {
            if !da.dims().contains(&self.dim) {
                return Ok(da.clone());
            }
            let mut r = da.rolling(&self.dim, self.window)?.center(self.center);
            if let Some(m) = self.min_periods {
                r = r.min_periods(m);
            }
            r.reduce_kind(kind)
        })
    }

    /// Mean of each window's valid values.
    pub fn mean(&self) -> Result<Dataset> {
        self.each(RollingKind::Mean)
    }

    /// Sum of each window's valid values.
    pub fn sum(&self) -> Result<Dataset> {
        self.each(RollingKind::Sum)
    }

    /// Number of valid values in each window.
    pub fn count(&self) -> Result<Dataset> {
        self.each(RollingKind::Count)
    }

    /// Minimum of each window.
    pub fn min(&self) -> Result<Dataset> {
        self.each(RollingKind::Min)
    }

    /// Maximum of each window.
    pub fn max(&self) -> Result<Dataset> {
        self.each(RollingKind::Max)
    }

    /// Standard deviation of each window with `ddof`.
    pub fn std(&self, ddof: usize) -> Result<Dataset> {
        self.each(RollingKind::Std(ddof))
    }

    /// Variance of each window with `ddof`.
    pub fn var(&self, ddof: usize) -> Result<Dataset> {
        self.each(RollingKind::Var(ddof))
    }
}
