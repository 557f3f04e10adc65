//! [`Dataset`]: named data variables sharing dimensions and coordinates.

use super::coords::Coords;
use super::dataarray::DataArray;
use super::index::Label;
use super::select::{LabelSel, Positions, label_positions, select_coords, select_variable};
use super::variable::{Attrs, Variable};
use crate::engine::{ArrayData, Compute, LazyArray};
use crate::{Error, Result};

super::select::selection_methods!(Dataset);

/// A collection of labelled variables on shared dimensions: xarray's `Dataset`.
///
/// ```
/// use ndarray::{Array, IxDyn};
/// use tessera::engine::ReduceKind;
/// use tessera::labelled::{DataArray, Dataset, ReduceArgs};
///
/// let t = DataArray::from_ndarray("t", ["time", "lat"], Array::from_elem(IxDyn(&[4, 3]), 10.0f64), &[2, 3])?
///     .with_coord_values("lat", vec![45.0, 0.0, -45.0])?;
/// let p = DataArray::from_ndarray("p", ["time"], Array::from_elem(IxDyn(&[4]), 1000.0f32), &[2])?;
/// let mut ds = Dataset::from_array(&t)?;
/// ds.insert_array(&p)?;
/// // `ds.mean("lat")`: `p` has no `lat`, so it is kept as it is.
/// let means = ds.reduce(ReduceKind::Mean, "lat", ReduceArgs::default())?;
/// assert_eq!(means.get("t")?.dims(), &["time".to_string()]);
/// assert_eq!(means.get("p")?.values::<f32>()?[[0]], 1000.0);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    data_vars: Vec<(String, Variable)>,
    coords: Coords,
    attrs: Attrs,
    encoding: Attrs,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a data variable; its dimension lengths must agree with the
    /// dataset's.
    pub fn insert(&mut self, name: impl Into<String>, var: Variable) -> Result<()> {
        let name = name.into();
        for (d, &n) in var.dims().iter().zip(var.shape()) {
            if let Some(m) = self.dim_len(d)
                && m != n
            {
                return Err(Error::ShapeMismatch {
                    op: format!("variable {name:?} along dimension {d:?}"),
                    left: vec![n],
                    right: vec![m],
                });
            }
        }
        match self.data_vars.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = var,
            None => self.data_vars.push((name, var)),
        }
        Ok(())
    }

    /// Adds a data array's variable and its coordinates.
    pub fn insert_array(&mut self, da: &DataArray) -> Result<()> {
        let name = da.name().unwrap_or("__data__").to_string();
        self.insert(name, da.variable().clone())?;
        for (n, c) in da.coords().iter() {
            if self.coords.get(n).is_none() {
                self.coords
                    .insert_with_index(n.clone(), c.var.clone(), c.index.clone());
            }
        }
        Ok(())
    }

    /// A dataset holding one data array and its coordinates (`DataArray.to_dataset()`).
    pub fn from_array(da: &DataArray) -> Result<Dataset> {
        let mut ds = Dataset::new();
        ds.insert_array(da)?;
        Ok(ds)
    }

    /// The same data variables and attributes over other coordinates.
    pub(crate) fn with_coords(&self, coords: Coords) -> Dataset {
        Dataset {
            data_vars: self.data_vars.clone(),
            coords,
            attrs: self.attrs.clone(),
            encoding: self.encoding.clone(),
        }
    }

    pub(crate) fn clear_data_vars(&mut self) {
        self.data_vars.clear();
    }

    /// Removes data variables or coordinates by name.
    pub fn drop_vars(&self, names: &[&str]) -> Result<Dataset> {
        let mut out = self.clone();
        for n in names {
            let before = out.data_vars.len();
            out.data_vars.retain(|(v, _)| v != n);
            if out.data_vars.len() == before && out.coords.remove(n).is_none() {
                let mut available = self.data_var_names();
                available.extend(self.coords.names());
                return Err(Error::UnknownVariable {
                    name: n.to_string(),
                    available,
                });
            }
        }
        Ok(out)
    }

    /// Adds a coordinate.
    pub fn insert_coord(&mut self, name: impl Into<String>, var: Variable) -> Result<()> {
        self.coords.insert(name, var)
    }

    /// Coordinates.
    pub fn coords(&self) -> &Coords {
        &self.coords
    }

    /// Mutable coordinates.
    pub fn coords_mut(&mut self) -> &mut Coords {
        &mut self.coords
    }

    /// Dataset attributes.
    pub fn attrs(&self) -> &Attrs {
        &self.attrs
    }

    /// Mutable dataset attributes.
    pub fn attrs_mut(&mut self) -> &mut Attrs {
        &mut self.attrs
    }

    /// How the dataset was stored, as xarray's `Dataset.encoding`: the netCDF reader
    /// records `unlimited_dims` and `source`, and `to_netcdf` writes the listed dims as
    /// unlimited when its options name none.
    pub fn encoding(&self) -> &Attrs {
        &self.encoding
    }

    /// Mutable dataset encoding.
    pub fn encoding_mut(&mut self) -> &mut Attrs {
        &mut self.encoding
    }

    /// Data variable names in order.
    pub fn data_var_names(&self) -> Vec<String> {
        self.data_vars.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Iterates over (name, variable) of the data variables.
    pub fn data_vars(&self) -> impl Iterator<Item = (&String, &Variable)> {
        self.data_vars.iter().map(|(n, v)| (n, v))
    }

    /// A data variable by name (not a coordinate).
    pub(crate) fn data_var(&self, name: &str) -> Option<&Variable> {
        self.data_vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Dimension names and lengths, in order of first appearance.
    pub fn dims(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = vec![];
        let vars = self
            .data_vars
            .iter()
            .map(|(_, v)| v)
            .chain(self.coords.iter().map(|(_, c)| &c.var));
        for v in vars {
            for (d, &n) in v.dims().iter().zip(v.shape()) {
                if !out.iter().any(|(e, _)| e == d) {
                    out.push((d.clone(), n));
                }
            }
        }
        out
    }

    /// Length of a dimension, if present.
    pub fn dim_len(&self, dim: &str) -> Option<usize> {
        self.dims()
            .into_iter()
            .find(|(d, _)| d == dim)
            .map(|(_, n)| n)
    }

    fn dim_size(&self, dim: &str) -> Result<usize> {
        self.dim_len(dim).ok_or_else(|| Error::UnknownDimension {
            dim: dim.to_string(),
            dims: self.dims().into_iter().map(|(d, _)| d).collect(),
        })
    }

    /// A data variable (or coordinate) as a data array with the coordinates on its dims.
    pub fn get(&self, name: &str) -> Result<DataArray> {
        let var = match self.data_vars.iter().find(|(n, _)| n == name) {
            Some((_, v)) => v.clone(),
            None => match self.coords.get(name) {
                Some(c) => c.var.clone(),
                None => {
                    let mut available = self.data_var_names();
                    available.extend(self.coords.names());
                    return Err(Error::UnknownVariable {
                        name: name.to_string(),
                        available,
                    });
                }
            },
        };
        let mut coords = self.coords.clone();
        coords.retain(|_, c| c.var.dims().iter().all(|d| var.has_dim(d)));
        Ok(DataArray::from_parts(Some(name.to_string()), var, coords))
    }

    /// True if a data variable of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.data_vars.iter().any(|(n, _)| n == name)
    }

    /// Positional selection on every variable with the dimension.
    pub fn isel_positions(&self, dim: &str, pos: &Positions) -> Result<Dataset> {
        self.dim_size(dim)?;
        Ok(Dataset {
            data_vars: self
                .data_vars
                .iter()
                .map(|(n, v)| Ok((n.clone(), select_variable(v, dim, pos)?)))
                .collect::<Result<_>>()?,
            coords: select_coords(&self.coords, dim, pos)?,
            attrs: self.attrs.clone(),
            encoding: self.encoding.clone(),
        })
    }

    /// Applies `f` to every data variable (as a data array) and collects the results.
    pub fn map(&self, mut f: impl FnMut(&DataArray) -> Result<DataArray>) -> Result<Dataset> {
        let mut out = Dataset {
            data_vars: vec![],
            coords: Coords::new(),
            attrs: self.attrs.clone(),
            encoding: Attrs::new(),
        };
        for name in self.data_var_names() {
            let r = f(&self.get(&name)?)?.rename(&name);
            out.insert_array(&r)?;
        }
        Ok(out)
    }

    /// Reorders the dimensions of every variable and coordinate to follow `order`
    /// (dims a variable lacks are skipped).
    pub fn transpose<S: AsRef<str>>(&self, order: &[S]) -> Result<Dataset> {
        let order: Vec<String> = order.iter().map(|s| s.as_ref().to_string()).collect();
        for d in &order {
            self.dim_size(d)?;
        }
        let own = |v: &Variable| -> Vec<String> {
            order.iter().filter(|d| v.has_dim(d)).cloned().collect()
        };
        let mut out = self.with_coords(self.coords.transposed(&order)?);
        out.clear_data_vars();
        for (n, v) in self.data_vars() {
            out.insert(n.clone(), v.transpose(&own(v))?)?;
        }
        Ok(out)
    }

    /// Computes every data variable in one pass (shared reads).
    pub fn compute_vars(&self, compute: &Compute) -> Result<Vec<(String, ArrayData)>> {
        let data: Vec<&LazyArray> = self.data_vars.iter().map(|(_, v)| v.data()).collect();
        let out = compute.run(&data)?;
        Ok(self.data_var_names().into_iter().zip(out).collect())
    }
}
