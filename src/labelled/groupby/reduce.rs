//! Grouped reductions: one engine `group_reduce` node each, the grouped dimension
//! replaced in place by the group dimension, coordinates along the grouped
//! dimension dropped and the group labels appended as the new dimension's
//! coordinate (xarray's layout).
//!
//! Median and quantiles are order statistics with no streaming accumulator: each
//! group is selected with a lazy `take` and reduced with the labelled layer's
//! median/quantile (which rechunks the group to one block, as dask does), then the
//! groups are stacked. The graph grows with the number of groups there, not with
//! the data.

use super::{DatasetGroupBy, GroupBy};
use crate::engine::{LazyArray, ReduceKind, ReduceOptions};
use crate::labelled::dataarray::DataArray;
use crate::labelled::dataset::Dataset;
use crate::labelled::reduce::ReduceArgs;
use crate::labelled::variable::Variable;
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
        let mut coords = self.obj.coords().clone();
        coords.retain(|_, c| !c.var.has_dim(&self.dim));
        coords.remove(&self.name);
        if let Some((n, v)) = extra {
            coords.insert(n, v)?;
        }
        self.groups.labels.insert_into(&mut coords, &self.name)?;
        DataArray::new(self.obj.name().map(str::to_string), var, coords)
    }

    /// Any reduction of each group (NaN skipped for floats unless `args.skipna` says
    /// otherwise), as one streaming engine node.
    pub fn reduce(&self, kind: ReduceKind, args: ReduceArgs) -> Result<DataArray> {
        if kind.is_arg() {
            return Err(Error::invalid(format!(
                "{kind:?} is not a grouped reduction; use idxmin/idxmax per group through map"
            )));
        }
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

    /// The members of each group as a lazy selection (empty groups: `None`).
    fn group_arrays(&self) -> Result<Vec<Option<DataArray>>> {
        self.groups
            .members()
            .into_iter()
            .map(|m| {
                if m.is_empty() {
                    Ok(None)
                } else {
                    self.obj.isel_list(&self.dim, &m).map(Some)
                }
            })
            .collect()
    }

    /// Stacks per-group results (lacking the grouped dim) along the group axis;
    /// empty groups become NaN.
    fn stack_groups(&self, parts: Vec<Option<DataArray>>) -> Result<LazyArray> {
        let axis = self.obj.variable().axis(&self.dim)?;
        let template = parts
            .iter()
            .flatten()
            .next()
            .ok_or_else(|| Error::EmptyReduction("every group is empty".into()))?
            .data()
            .clone();
        let nan = template.binary_scalar(crate::engine::BinaryOp::Mul, f64::NAN, false)?;
        let data: Vec<LazyArray> = parts
            .iter()
            .map(|p| p.as_ref().map_or_else(|| nan.clone(), |d| d.data().clone()))
            .collect();
        let refs: Vec<&LazyArray> = data.iter().collect();
        LazyArray::stack(&refs, axis)
    }

    /// Median of each group (NaN skipped unless `skipna` is `Some(false)`).
    pub fn median(&self, skipna: Option<bool>) -> Result<DataArray> {
        let parts = self
            .group_arrays()?
            .into_iter()
            .map(|g| g.map(|g| g.median(self.dim.as_str(), skipna)).transpose())
            .collect::<Result<Vec<_>>>()?;
        self.assemble(self.stack_groups(parts)?, true)
    }

    /// One quantile `q` of each group (numpy's linear method), with a scalar
    /// `quantile` coordinate as xarray gives for a scalar `q`.
    pub fn quantile(&self, q: f64, skipna: Option<bool>) -> Result<DataArray> {
        let parts = self
            .group_arrays()?
            .into_iter()
            .map(|g| {
                g.map(|g| g.quantile_scalar(q, self.dim.as_str(), skipna))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let qcoord = parts
            .iter()
            .flatten()
            .next()
            .and_then(|p| p.coords().get("quantile"))
            .map(|c| c.var.clone());
        let extra = qcoord.map(|v| ("quantile", v));
        self.assemble_with(self.stack_groups(parts)?, true, extra)
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

    /// Mean of each group of every variable.
    pub fn mean(&self) -> Result<Dataset> {
        self.apply(GroupBy::mean)
    }

    /// Sum of each group of every variable.
    pub fn sum(&self) -> Result<Dataset> {
        self.apply(GroupBy::sum)
    }
}

impl GroupBy {
    /// The std over the grouped dimension of the anomalies from the group means,
    /// `(x.groupby(k) - x.groupby(k).mean()).std(dim, ddof)`, in one read of `x`:
    /// the anomalies of a group have mean zero, so their sum of squares is the
    /// group's `count * var`, and the result is
    /// `sqrt(sum_g(count_g * var_g) / (sum_g count_g - ddof))` (NaN skipped, as
    /// xarray's default; positions in no group are left out).
    pub fn anomaly_std(&self, ddof: usize) -> Result<DataArray> {
        let axis = self.obj.variable().axis(&self.dim)?;
        let group = |kind| {
            self.obj.data().group_reduce(
                kind,
                axis,
                self.groups.codes.clone(),
                self.groups.n_groups(),
                ReduceOptions::skipna(),
            )
        };
        let count = group(ReduceKind::Count)?.cast(crate::engine::DType::F64)?;
        let var = group(ReduceKind::Var)?
            .cast(crate::engine::DType::F64)?
            .fillna(0.0)?;
        let ss = var.mul(&count)?.sum(&[axis])?;
        let n =
            count
                .sum(&[axis])?
                .binary_scalar(crate::engine::BinaryOp::Sub, ddof as f64, false)?;
        let out_dtype = if self.obj.dtype() == crate::engine::DType::F32 {
            crate::engine::DType::F32
        } else {
            crate::engine::DType::F64
        };
        let data = ss
            .div(&n)?
            .math(crate::engine::FloatFn::Sqrt)?
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
