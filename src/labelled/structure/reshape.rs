//! Renaming and reshaping by dimension name: `rename`, `expand_dims`, `squeeze`.

use std::sync::Arc;

use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::Index;
use crate::labelled::core::select::Positions;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

fn renamed(name: &str, names: &[(String, String)]) -> String {
    names
        .iter()
        .find(|(from, _)| from == name)
        .map_or_else(|| name.to_string(), |(_, to)| to.clone())
}

impl Coords {
    /// Coordinates with names and dimensions renamed (indexes follow their dimension).
    pub fn rename(&self, names: &[(String, String)]) -> Coords {
        let mut out = Coords::new();
        for (n, c) in self.iter() {
            let var = c.var.rename_dims(names);
            let index = c
                .index
                .as_ref()
                .map(|ix| Arc::new(Index::new(renamed(ix.dim(), names), ix.values().clone())));
            out.insert_with_index(renamed(n, names), var, index);
        }
        out
    }
}

impl DataArray {
    /// Renames coordinates and dimensions (`{"lon": "x"}` renames both the `lon`
    /// coordinate and the `lon` dimension), as `DataArray.rename(dict)` does.
    pub fn rename_dims(&self, names: &[(String, String)]) -> Result<DataArray> {
        for (from, _) in names {
            ensure!(
                self.dims().contains(from) || self.coords().get(from).is_some(),
                "cannot rename {from:?}: it is neither a dimension {:?} nor a coordinate {:?}",
                self.dims(),
                self.coords().names()
            );
        }
        Ok(DataArray::from_parts(
            self.name().map(str::to_string),
            self.variable().rename_dims(names),
            self.coords().rename(names),
        ))
    }

    /// Inserts a new dimension of length 1 at `axis` (default 0), without a coordinate.
    pub fn expand_dims(&self, dim: &str, axis: Option<usize>) -> Result<DataArray> {
        Ok(self.with_variable(expand_variable(self.variable(), dim, axis)?))
    }

    /// Removes a dimension of length 1; its coordinates become scalars.
    pub fn squeeze(&self, dim: &str) -> Result<DataArray> {
        check_squeezable(dim, self.dim_len(dim)?)?;
        self.isel_positions(dim, &Positions::At(0))
    }
}

fn expand_variable(var: &Variable, dim: &str, axis: Option<usize>) -> Result<Variable> {
    ensure!(
        !var.has_dim(dim),
        Error::DuplicateDimension {
            dim: format!("{dim:?}"),
            op: format!("expand_dims: it already exists in {:?}", var.dims()),
        }
    );
    let axis = axis.unwrap_or(0);
    ensure!(
        axis <= var.ndim(),
        Error::AxisOutOfRange {
            axis: axis as isize,
            ndim: var.ndim() + 1,
        }
    );
    let mut dims = var.dims().to_vec();
    dims.insert(axis, dim.to_string());
    var.with_dims_and_data(dims, var.data().expand_dims(axis)?)
}

fn check_squeezable(dim: &str, len: usize) -> Result<()> {
    ensure!(
        len == 1,
        "cannot squeeze dimension {dim:?} of length {len}: only length-1 dimensions can be removed"
    );
    Ok(())
}

impl Dataset {
    /// Renames data variables, coordinates and dimensions.
    pub fn rename(&self, names: &[(String, String)]) -> Result<Dataset> {
        let dims: Vec<String> = self.dims().into_iter().map(|(d, _)| d).collect();
        for (from, _) in names {
            if !self.contains(from) && self.coords().get(from).is_none() && !dims.contains(from) {
                let mut available = self.data_var_names();
                available.extend(self.coords().names());
                return Err(Error::UnknownVariable {
                    name: from.clone(),
                    available,
                });
            }
        }
        let mut out = self.with_coords(self.coords().rename(names));
        out.clear_data_vars();
        for (n, v) in self.data_vars() {
            out.insert(renamed(n, names), v.rename_dims(names))?;
        }
        Ok(out)
    }

    /// Inserts a length-1 dimension into every data variable.
    pub fn expand_dims(&self, dim: &str, axis: Option<usize>) -> Result<Dataset> {
        let mut out = self.clone();
        out.clear_data_vars();
        for (n, v) in self.data_vars() {
            out.insert(n.clone(), expand_variable(v, dim, axis)?)?;
        }
        Ok(out)
    }

    /// Removes a length-1 dimension from every variable; coordinates become scalars.
    pub fn squeeze(&self, dim: &str) -> Result<Dataset> {
        let len = self.dim_len(dim).ok_or_else(|| Error::UnknownDimension {
            dim: dim.to_string(),
            dims: self.dims().into_iter().map(|(d, _)| d).collect(),
        })?;
        check_squeezable(dim, len)?;
        self.isel_positions(dim, &Positions::At(0))
    }
}
