//! `where` and `fillna` with an array (or, for datasets, another dataset or a value
//! per variable), aligned as xarray aligns them: `where(cond, other)` needs equal
//! indexes (xarray's `join="exact"`), `fillna(other)` takes `self`'s labels (`"left"`).

use crate::engine::{DType, Scalar, UnaryOp};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::variable::Variable;
use crate::labelled::structure::align::{Join, align, align_pair};
use crate::{Error, Result};

/// The dims of all arrays, in order of first appearance (apply_ufunc's broadcast order).
fn union_dims(arrays: &[&DataArray]) -> Vec<String> {
    let mut dims: Vec<String> = vec![];
    for a in arrays {
        for d in a.dims() {
            if !dims.contains(d) {
                dims.push(d.clone());
            }
        }
    }
    dims
}

/// The length of every dim, from the first array that has it.
fn union_shape(arrays: &[&DataArray], dims: &[String]) -> Result<Vec<usize>> {
    dims.iter()
        .map(|d| {
            let sizes: Vec<usize> = arrays
                .iter()
                .filter_map(|a| a.variable().size_of(d))
                .collect();
            if let Some(m) = sizes.iter().find(|&&m| m != sizes[0]) {
                return Err(Error::ShapeMismatch {
                    op: format!("where/fillna along dimension {d:?} (no index to align it)"),
                    left: vec![sizes[0]],
                    right: vec![*m],
                });
            }
            Ok(sizes[0])
        })
        .collect()
}

/// The coordinates of all arrays (the first one's win).
fn union_coords(arrays: &[&DataArray]) -> Coords {
    let mut out = Coords::new();
    for a in arrays {
        for (n, c) in a.coords().iter() {
            if out.get(n).is_none() {
                out.insert_with_index(n.clone(), c.var.clone(), c.index.clone());
            }
        }
    }
    out
}

/// `where(cond, x, y)` over aligned arrays, broadcast by name; named and with the
/// attributes of `x`.
fn select3(x: &DataArray, cond: &DataArray, y: &DataArray) -> Result<DataArray> {
    let all = [x, cond, y];
    let dims = union_dims(&all);
    let shape = union_shape(&all, &dims)?;
    let c = cond.variable().expand_to(&dims)?.cast(DType::Bool)?;
    let data = c
        .select(
            &x.variable().expand_to(&dims)?,
            &y.variable().expand_to(&dims)?,
        )?
        .broadcast_to(&shape)?;
    Ok(DataArray::from_parts(
        x.name().map(str::to_string),
        Variable::new(dims, data)?
            .with_attrs(x.attrs().clone())
            .with_encoding(x.variable().datetime_encoding()),
        union_coords(&all),
    ))
}

impl DataArray {
    /// Keeps values where `cond` is true and takes `other`'s elsewhere (xarray's
    /// `da.where(cond, other)` with an array `other`). All three are broadcast by name;
    /// their indexes must be equal (xarray's `join="exact"`), else an alignment error
    /// naming the dimension.
    pub fn where_with(&self, cond: &DataArray, other: &DataArray) -> Result<DataArray> {
        let v = align(&[self, cond, other], Join::Exact)?;
        select3(&v[0], &v[1], &v[2])
    }

    /// Replaces NaN with the values of `other` at the same labels (xarray's
    /// `da.fillna(other_array)`): `other` is reindexed to this array's labels (NaN where
    /// it has none) and broadcast by name.
    pub fn fillna_with(&self, other: &DataArray) -> Result<DataArray> {
        let (a, b) = align_pair(self, other, Join::Left)?;
        let valid = a.unary(UnaryOp::NotNan)?;
        let mut out = select3(&a, &valid, &b)?;
        out = out.with_attrs(a.attrs().clone());
        Ok(out)
    }
}

/// `f` of every data variable, keeping the dataset's coordinates in their order (new
/// ones a result brings are appended) and its attributes.
pub(crate) fn map_vars(
    ds: &Dataset,
    mut f: impl FnMut(&DataArray) -> Result<DataArray>,
) -> Result<Dataset> {
    let mut out = ds.clone();
    out.clear_data_vars();
    for name in ds.data_var_names() {
        let r = f(&ds.get(&name)?)?;
        for (n, c) in r.coords().iter() {
            if out.coords().get(n).is_none() {
                out.coords_mut()
                    .insert_with_index(n.clone(), c.var.clone(), c.index.clone());
            }
        }
        out.insert(name, r.variable().clone())?;
    }
    Ok(out)
}

impl Dataset {
    /// [`DataArray::where_`] of every data variable with one condition (variables
    /// gain the condition's dimensions, as in xarray).
    pub fn where_(&self, cond: &DataArray, other: Option<Scalar>) -> Result<Dataset> {
        map_vars(self, |v| v.where_(cond, other))
    }

    /// [`DataArray::where_with`] of every data variable: `other`'s values where `cond`
    /// is false (`ds.where(cond, other_array)`).
    pub fn where_with(&self, cond: &DataArray, other: &DataArray) -> Result<Dataset> {
        map_vars(self, |v| v.where_with(cond, other))
    }

    /// Replaces NaN with `value` in every data variable (`ds.fillna(0.0)`).
    pub fn fillna(&self, value: impl Into<Scalar>) -> Result<Dataset> {
        let value = value.into();
        map_vars(self, |v| v.fillna(value))
    }

    /// Replaces NaN per variable (`ds.fillna({"t": 0.0, "p": 1000.0})`); every name
    /// must be a data variable; variables not named keep their values (integers and
    /// booleans become float64, as in xarray).
    pub fn fillna_vars(&self, values: &[(&str, f64)]) -> Result<Dataset> {
        for (n, _) in values {
            require_var(self, n)?;
        }
        // xarray fills the variables not named with NaN: integers become floats.
        map_vars(self, |v| {
            let value = values.iter().find(|(n, _)| Some(*n) == v.name());
            v.fillna(value.map_or(f64::NAN, |(_, x)| *x))
        })
    }

    /// Replaces NaN with the values of the same variable of `other` at the same labels
    /// (`ds.fillna(other_ds)`); every variable of `other` must be one of this dataset's.
    pub fn fillna_with(&self, other: &Dataset) -> Result<Dataset> {
        for n in other.data_var_names() {
            require_var(self, &n)?;
        }
        map_vars(self, |v| {
            let name = v.name().unwrap_or_default();
            if other.contains(name) {
                v.fillna_with(&other.get(name)?)
            } else {
                Ok(v.clone())
            }
        })
    }
}

fn require_var(ds: &Dataset, name: &str) -> Result<()> {
    ensure!(
        ds.contains(name),
        Error::UnknownVariable {
            name: name.to_string(),
            available: ds.data_var_names(),
        }
    );
    Ok(())
}
