//! Groupby arithmetic where a dataset takes part, as xarray's
//! `ds.groupby("time.month") - clim_ds`, `clim_ds - ds.groupby(..)`,
//! `ds.groupby(..) - clim_da` and `da.groupby(..) - clim_ds`.
//!
//! Every data variable of the per-group operand that has the group dimension is
//! taken back along the grouped dimension ([`GroupBy::broadcast_groups`], one lazy
//! `take` each); then the ordinary dataset arithmetic runs, and the group labels
//! become a coordinate along the grouped dimension.

use super::{DatasetGroupBy, GroupBy};
use crate::engine::BinaryOp;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::{Error, Result};

/// `out` with the coordinates named in `first` first, in that order (a dataset
/// combined with an array keeps its own coordinates' order, as in xarray).
fn coords_first(mut out: Dataset, first: &Coords) -> Dataset {
    let mut coords = Coords::new();
    let mut rest = out.coords().clone();
    for name in first.names() {
        if let Some(c) = rest.remove(&name) {
            coords.insert_with_index(name, c.var, c.index);
        }
    }
    for (name, c) in rest.iter() {
        coords.insert_with_index(name.clone(), c.var.clone(), c.index.clone());
    }
    *out.coords_mut() = coords;
    out
}

impl GroupBy {
    /// Every data variable of `other` with the group dimension taken back along the
    /// grouped dimension (the others unchanged).
    fn broadcast_dataset(&self, other: &Dataset) -> Result<Dataset> {
        if other.dim_len(&self.name).is_none() {
            return Err(Error::InvalidGroup {
                key: self.name.clone(),
                reason: format!(
                    "incompatible dimensions for a grouped binary operation: {:?} is not a \
                     dimension of the other operand, whose dims are {:?}",
                    self.name,
                    other.dims().into_iter().map(|(d, _)| d).collect::<Vec<_>>()
                ),
            });
        }
        other.map(|v| {
            if v.variable().has_dim(&self.name) {
                self.broadcast_groups(v)
            } else {
                Ok(v.clone())
            }
        })
    }

    /// The member labels as a coordinate of a dataset result.
    fn label_dataset(&self, mut out: Dataset) -> Result<Dataset> {
        if out.coords().get(&self.name).is_none()
            && let Some(var) = self.member_labels()?
        {
            out.coords_mut()
                .insert_with_index(self.name.clone(), var, None);
        }
        Ok(out)
    }

    /// `x op other` where `other` is a dataset of per-group values: one variable
    /// per data variable of `other` (`reflected` for `other op x`).
    pub fn binary_dataset(
        &self,
        op: BinaryOp,
        other: &Dataset,
        reflected: bool,
    ) -> Result<Dataset> {
        let wide = self.broadcast_dataset(other)?;
        let out = wide.binary_array(op, &self.obj, !reflected)?;
        self.label_dataset(coords_first(out, wide.coords()))
    }
}

impl DatasetGroupBy {
    /// `ds op other` per group, where `other` is a dataset of per-group values (a
    /// climatology `ds.groupby(..).mean()`): the variables both hold are combined.
    pub fn binary(&self, op: BinaryOp, other: &Dataset) -> Result<Dataset> {
        let wide = self.template.broadcast_dataset(other)?;
        self.template.label_dataset(self.ds.binary(op, &wide)?)
    }

    /// `other op ds` per group (xarray's reflected operators, `clim_ds - g`).
    pub fn binary_reflected(&self, op: BinaryOp, other: &Dataset) -> Result<Dataset> {
        let wide = self.template.broadcast_dataset(other)?;
        self.template.label_dataset(wide.binary(op, &self.ds)?)
    }

    /// `ds op other` per group, where `other` is a data array of per-group values,
    /// combined with every data variable (`reflected` for `other op ds`).
    pub fn binary_array(
        &self,
        op: BinaryOp,
        other: &DataArray,
        reflected: bool,
    ) -> Result<Dataset> {
        let wide = self.template.broadcast_groups(other)?;
        let out = self.ds.binary_array(op, &wide, reflected)?;
        self.template
            .label_dataset(coords_first(out, self.ds.coords()))
    }

    /// `ds - other` per group (anomalies from a dataset climatology).
    pub fn sub(&self, other: &Dataset) -> Result<Dataset> {
        self.binary(BinaryOp::Sub, other)
    }
}
