//! Grouped reductions: one engine `group_reduce` node each, the grouped dimension
//! replaced in place by the group dimension, coordinates along the grouped
//! dimension dropped and the group labels appended as the new dimension's
//! coordinate (xarray's layout).
//!
//! Median and quantiles are order statistics with no streaming accumulator: they are
//! one node too, over blocks rechunked to hold whole rows along the grouped
//! dimension (as dask rechunks for a median), whose function computes every group
//! of every row.

use super::{DatasetGroupBy, GroupBy};
use crate::engine::{LazyArray, ReduceKind, ReduceOptions};
use crate::error::ensure;
use crate::labelled::computation::reduce::ReduceArgs;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

impl GroupBy {
    /// The result of a per-group computation whose data has the group dimension in
    /// place of the grouped one.
    pub(crate) fn assemble(&self, data: LazyArray, keep_attrs: bool) -> Result<DataArray> {
        self.assemble_with(data, keep_attrs, None)
    }

    /// [`GroupBy::assemble`] with one more coordinate placed before the group
    /// labels, where xarray puts it (a scalar `quantile`).
    fn assemble_with(
        &self,
        data: LazyArray,
        keep_attrs: bool,
        extra: Option<(&str, Variable)>,
    ) -> Result<DataArray> {
        let axis = self.obj.variable().axis(&self.dim)?;
        let mut dims = self.obj.dims().to_vec();
        dims[axis] = self.name.clone();
        let mut var = Variable::new(dims, data)?;
        if keep_attrs {
            var = var.with_attrs(self.obj.attrs().clone());
        }
        let coords = self.group_coords(extra)?;
        DataArray::new(self.obj.name().map(str::to_string), var, coords)
    }

    /// The coordinates of a per-group result: those without the grouped dimension,
    /// `extra`, then the group labels (xarray's order).
    fn group_coords(&self, extra: Option<(&str, Variable)>) -> Result<Coords> {
        let mut coords = self.obj.coords().clone();
        coords.retain(|_, c| !c.var.has_dim(&self.dim));
        coords.remove(&self.name);
        if let Some((n, v)) = extra {
            coords.insert(n, v)?;
        }
        self.groups.labels.insert_into(&mut coords, &self.name)?;
        Ok(coords)
    }

    /// Any reduction of each group (NaN skipped for floats unless `args.skipna` says
    /// otherwise), as one streaming engine node.
    pub fn reduce(&self, kind: ReduceKind, args: ReduceArgs) -> Result<DataArray> {
        ensure!(
            !kind.is_arg(),
            "{kind:?} is not a grouped reduction; use idxmin/idxmax per group through map"
        );
        let axis = self.obj.variable().axis(&self.dim)?;
        let opts = ReduceOptions {
            skipna: args.skipna.unwrap_or(true),
            ddof: args.ddof,
            min_count: args.min_count.unwrap_or(0),
            keepdims: false,
        };
        let data = self.obj.data().group_reduce(
            kind,
            axis,
            self.groups.codes.clone(),
            self.groups.n_groups(),
            opts,
        )?;
        self.assemble(data, args.keep_attrs.unwrap_or(true))
    }

    /// Sum of each group.
    pub fn sum(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::Sum, ReduceArgs::default())
    }

    /// Mean of each group.
    pub fn mean(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::Mean, ReduceArgs::default())
    }

    /// Standard deviation of each group (`ddof` 0 as in xarray).
    pub fn std(&self, ddof: usize) -> Result<DataArray> {
        self.reduce(
            ReduceKind::Std,
            ReduceArgs {
                ddof,
                ..Default::default()
            },
        )
    }

    /// Variance of each group.
    pub fn var(&self, ddof: usize) -> Result<DataArray> {
        self.reduce(
            ReduceKind::Var,
            ReduceArgs {
                ddof,
                ..Default::default()
            },
        )
    }

    /// Minimum of each group.
    pub fn min(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::Min, ReduceArgs::default())
    }

    /// Maximum of each group.
    pub fn max(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::Max, ReduceArgs::default())
    }

    /// Number of non-missing values in each group.
    pub fn count(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::Count, ReduceArgs::default())
    }

    /// Product of each group.
    pub fn prod(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::Prod, ReduceArgs::default())
    }

    /// The first non-NaN value of each group in the order of the grouped dimension
    /// (xarray's `first()`; `reduce(ReduceKind::First, ..)` with `skipna` `Some(false)`
    /// takes the first value whatever it is).
    pub fn first(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::First, ReduceArgs::default())
    }

    /// The last non-NaN value of each group (xarray's `last()`).
    pub fn last(&self) -> Result<DataArray> {
        self.reduce(ReduceKind::Last, ReduceArgs::default())
    }

    /// The order statistic of each group as one engine node (see
    /// `quantile::grouped_stat`): `q` `None` is the median.
    fn order_stat(
        &self,
        q: Option<&[f64]>,
        quantile_axis: bool,
        skipna: Option<bool>,
    ) -> Result<LazyArray> {
        let axis = self.obj.variable().axis(&self.dim)?;
        crate::labelled::computation::quantile::grouped_stat(
            self.obj.data(),
            axis,
            &self.groups.codes,
            self.groups.n_groups(),
            q,
            quantile_axis,
            skipna,
        )
    }

    /// Median of each group (NaN skipped unless `skipna` is `Some(false)`).
    pub fn median(&self, skipna: Option<bool>) -> Result<DataArray> {
        self.assemble(self.order_stat(None, false, skipna)?, true)
    }

    /// One quantile `q` of each group (numpy's linear method), with a scalar
    /// `quantile` coordinate as xarray gives for a scalar `q`.
    pub fn quantile(&self, q: f64, skipna: Option<bool>) -> Result<DataArray> {
        let data = self.order_stat(Some(&[q]), false, skipna)?;
        let scalar =
            LazyArray::from_ndarray(ndarray::ArrayD::from_elem(ndarray::IxDyn(&[]), q), &[])?;
        let qcoord = Variable::new(Vec::<String>::new(), scalar)?;
        self.assemble_with(data, true, Some(("quantile", qcoord)))
    }

    /// Quantiles `q` of each group (numpy's linear method), with a trailing
    /// `quantile` dimension and coordinate, as xarray gives for a list of `q`.
    pub fn quantiles(&self, q: &[f64], skipna: Option<bool>) -> Result<DataArray> {
        ensure!(
            !self.obj.dims().iter().any(|d| d == "quantile"),
            "quantile: the array already has a dimension named \"quantile\""
        );
        let data = self.order_stat(Some(q), true, skipna)?;
        let axis = self.obj.variable().axis(&self.dim)?;
        let mut dims = self.obj.dims().to_vec();
        dims[axis] = self.name.clone();
        dims.push("quantile".to_string());
        let var = Variable::new(dims, data)?.with_attrs(self.obj.attrs().clone());
        let qvals = LazyArray::from_ndarray(
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[q.len()]), q.to_vec())
                .map_err(|e| Error::invalid(e.to_string()))?,
            &[q.len().max(1)],
        )?;
        let coords = self.group_coords(Some(("quantile", Variable::new(["quantile"], qvals)?)))?;
        DataArray::new(self.obj.name().map(str::to_string), var, coords)
    }
}

impl DatasetGroupBy {
    /// Applies `f` to the grouping of every data variable that has the grouped
    /// dimension; other variables are kept as they are.
    pub fn apply(&self, f: impl Fn(&GroupBy) -> Result<DataArray>) -> Result<Dataset> {
        let dim = self.template.dim.clone();
        self.ds.map(|da| {
            if da.variable().has_dim(&dim) {
                f(&self.template.with_obj(da)?)
            } else {
                Ok(da.clone())
            }
        })
    }

    /// Any reduction of each group of every variable.
    pub fn reduce(&self, kind: ReduceKind, args: ReduceArgs) -> Result<Dataset> {
        self.apply(|g| g.reduce(kind, args))
    }
}

/// Every [`GroupBy`] statistic, applied to each data variable of a dataset.
macro_rules! per_variable {
    ($($name:ident($($arg:ident: $ty:ty),*) $doc:literal;)*) => {
        impl DatasetGroupBy {
            $(
                #[doc = $doc]
                pub fn $name(&self, $($arg: $ty),*) -> Result<Dataset> {
                    self.apply(|g| g.$name($($arg),*))
                }
            )*
        }
    };
}

per_variable! {
    sum() "Sum of each group of every variable.";
    mean() "Mean of each group of every variable.";
    std(ddof: usize) "Standard deviation of each group of every variable.";
    var(ddof: usize) "Variance of each group of every variable.";
    min() "Minimum of each group of every variable.";
    max() "Maximum of each group of every variable.";
    count() "Number of non-missing values in each group of every variable.";
    prod() "Product of each group of every variable.";
    first() "First non-NaN value of each group of every variable.";
    last() "Last non-NaN value of each group of every variable.";
    median(skipna: Option<bool>) "Median of each group of every variable.";
    quantile(q: f64, skipna: Option<bool>) "Quantile `q` of each group of every variable.";
    quantiles(q: &[f64], skipna: Option<bool>) "Quantiles `q` of each group of every variable.";
}

impl GroupBy {
    /// The std over the grouped dimension of the anomalies from the group means,
    /// `(x.groupby(k) - x.groupby(k).mean()).std(dim, ddof)`, in one read of `x`
    /// ([`LazyArray::anomaly_spread`]; NaN skipped, as xarray's default; positions
    /// in no group are left out). With `ddof` 0 the
    /// optimizer finds the same plan for xarray's spelling (the `anomaly_moments`
    /// rule); this method also takes other `ddof`s.
    pub fn anomaly_std(&self, ddof: usize) -> Result<DataArray> {
        let axis = self.obj.variable().axis(&self.dim)?;
        let out_dtype = if self.obj.dtype() == crate::engine::DType::F32 {
            crate::engine::DType::F32
        } else {
            crate::engine::DType::F64
        };
        let data = self
            .obj
            .data()
            .anomaly_spread(
                axis,
                self.groups.codes.clone(),
                self.groups.n_groups(),
                ddof,
                true,
            )?
            .cast(out_dtype)?;
        let dims: Vec<String> = self
            .obj
            .dims()
            .iter()
            .filter(|d| **d != self.dim)
            .cloned()
            .collect();
        let var = Variable::new(dims, data)?.with_attrs(self.obj.attrs().clone());
        let mut coords = self.obj.coords().clone();
        coords.retain(|_, c| !c.var.has_dim(&self.dim));
        DataArray::new(self.obj.name().map(str::to_string), var, coords)
    }
}
