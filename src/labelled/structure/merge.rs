//! Merging labelled objects: [`merge`] and [`merge_arrays`], as xarray's `merge`.
//!
//! The inputs are aligned first (see [`align_all_datasets`](super::align::align_all_datasets)).
//! Everything stays lazy except what xarray computes too: coordinates are compared
//! (they are small), and variables that appear in more than one input are computed
//! to check them for conflicts (unless they are the same lazy array, or `compat` is
//! [`Compat::Override`]).

use std::fmt;

use super::align::{Join, align_all, union_names};
use crate::engine::Compute;
use crate::error::ensure;
use crate::labelled::core::coords::{Coord, Coords, same_values};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// How variables of the same name from several inputs are reconciled by [`merge`]
/// (xarray's `compat`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compat {
    /// Values must be equal where both are non-NaN; the result takes the first
    /// non-NaN value of each element (xarray's default for `merge`).
    #[default]
    NoConflicts,
    /// Takes the first input's variable without comparing anything.
    Override,
    /// Same dimensions (in the same order) and values (NaN equal to NaN).
    Equals,
    /// Equal once broadcast against each other.
    BroadcastEquals,
    /// [`Compat::Equals`], and the same attributes.
    Identical,
}

impl fmt::Display for Compat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compat::NoConflicts => "no_conflicts",
            Compat::Override => "override",
            Compat::Equals => "equals",
            Compat::BroadcastEquals => "broadcast_equals",
            Compat::Identical => "identical",
        })
    }
}

/// Merges datasets into one, as `xarray.merge(datasets, compat=compat, join=join)`:
/// the inputs are aligned with `join`, then every variable name is taken once. A name
/// found in several inputs is reconciled with `compat`; a conflict is an
/// [`Error::MergeConflict`] naming the variable, as is a name that is a coordinate in
/// one input and a data variable in another. Index coordinates are equal after
/// alignment. Attributes are the first dataset's; variables keep the first input's
/// attributes.
///
/// Checking values computes the variables that appear in several inputs (as xarray
/// does), except where they are the same lazy array.
pub fn merge(datasets: &[&Dataset], compat: Compat, join: Join) -> Result<Dataset> {
    let Some(first) = datasets.first() else {
        return Ok(Dataset::new());
    };
    let ds = align_all(
        &datasets.iter().map(|d| (*d).clone()).collect::<Vec<_>>(),
        join,
        None,
    )?;
    let coord_names = union_names(ds.iter().map(|d| d.coords().names()));
    let data_names = union_names(ds.iter().map(Dataset::data_var_names));
    if let Some(n) = coord_names.iter().find(|n| data_names.contains(n)) {
        return Err(Error::MergeConflict { name: n.clone() });
    }
    // Coordinates first: they are small, so a conflict there is found cheaply.
    let mut coords = Coords::new();
    for n in &coord_names {
        let present: Vec<&Coord> = ds.iter().filter_map(|d| d.coords().get(n)).collect();
        let c = merge_coord(n, &present, compat)?;
        coords.insert_with_index(n.clone(), c.var, c.index);
    }
    let mut out = Dataset::new();
    *out.coords_mut() = coords;
    for n in &data_names {
        let vars: Vec<&Variable> = ds.iter().filter_map(|d| d.data_var(n)).collect();
        out.insert(n.clone(), unique_variable(n, &vars, compat)?)?;
    }
    *out.attrs_mut() = first.attrs().clone();
    Ok(out)
}

/// Merges named data arrays into a dataset (each becomes a data variable with its
/// coordinates), as `xarray.merge(arrays, ...)`; see [`merge`].
pub fn merge_arrays(arrays: &[&DataArray], compat: Compat, join: Join) -> Result<Dataset> {
    let sets = arrays
        .iter()
        .map(|a| {
            ensure!(
                a.name().is_some(),
                "cannot merge an unnamed data array; give it a name with rename"
            );
            Dataset::from_array(a)
        })
        .collect::<Result<Vec<_>>>()?;
    merge(&sets.iter().collect::<Vec<_>>(), compat, join)
}

/// One coordinate from the inputs that have it: an index coordinate is taken from the
/// first input (the indexes must agree; they do after alignment), others are
/// reconciled with `compat`.
pub(crate) fn merge_coord(name: &str, present: &[&Coord], compat: Compat) -> Result<Coord> {
    let indexed: Vec<&Coord> = present
        .iter()
        .copied()
        .filter(|c| c.index.is_some())
        .collect();
    if let Some(first) = indexed.first() {
        let ix = first.index.as_ref().expect("indexed");
        for c in &indexed[1..] {
            ensure!(
                c.index.as_ref().expect("indexed").equals(ix),
                Error::MergeConflict {
                    name: name.to_string(),
                }
            );
        }
        return Ok((*first).clone());
    }
    let vars: Vec<&Variable> = present.iter().map(|c| &c.var).collect();
    Ok(Coord {
        var: unique_variable(name, &vars, compat)?,
        index: None,
    })
}

/// One variable from several of the same name (xarray's `unique_variable`).
fn unique_variable(name: &str, vars: &[&Variable], compat: Compat) -> Result<Variable> {
    let first = vars[0];
    if vars.len() == 1 || compat == Compat::Override {
        return Ok(first.clone());
    }
    let conflict = || Error::MergeConflict {
        name: name.to_string(),
    };
    if matches!(compat, Compat::Equals | Compat::Identical) {
        for v in &vars[1..] {
            if !same_values(first, v)?
                || (compat == Compat::Identical && first.attrs() != v.attrs())
            {
                return Err(conflict());
            }
        }
        return Ok(first.clone());
    }
    // broadcast_equals and no_conflicts compare the variables broadcast together.
    let mut dims: Vec<String> = vec![];
    let mut shape: Vec<usize> = vec![];
    for v in vars {
        for (d, &n) in v.dims().iter().zip(v.shape()) {
            match dims.iter().position(|e| e == d) {
                Some(i) if shape[i] != n => return Err(conflict()),
                Some(_) => {}
                None => {
                    dims.push(d.clone());
                    shape.push(n);
                }
            }
        }
    }
    let expanded = vars
        .iter()
        .map(|v| v.expand_to(&dims)?.broadcast_to(&shape))
        .collect::<Result<Vec<_>>>()?;
    let out = Variable::new(dims, expanded[0].clone())?
        .with_attrs(first.attrs().clone())
        .with_encoding(first.encoding().clone());
    if vars.iter().all(|v| v.data().id() == first.data().id()) {
        return Ok(out);
    }
    let values: Vec<Vec<f64>> = Compute::new()
        .run(&expanded.iter().collect::<Vec<_>>())?
        .iter()
        .map(|d| d.to_f64_vec())
        .collect();
    if compat == Compat::BroadcastEquals {
        let same = |a: &[f64], b: &[f64]| {
            a.iter()
                .zip(b)
                .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
        };
        ensure!(values[1..].iter().all(|v| same(&values[0], v)), conflict());
        return Ok(out);
    }
    // no_conflicts: equal where both are non-NaN; NaN filled from later inputs.
    let mut acc = values[0].clone();
    let mut data = expanded[0].clone();
    for (v, lazy) in values[1..].iter().zip(&expanded[1..]) {
        let mut fills = false;
        for (a, &b) in acc.iter_mut().zip(v) {
            if a.is_nan() {
                if !b.is_nan() {
                    *a = b;
                    fills = true;
                }
            } else if !b.is_nan() && *a != b {
                return Err(conflict());
            }
        }
        if fills {
            data = data.isnan()?.select(lazy, &data)?;
        }
    }
    out.with_data(data)
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use super::*;
    use crate::labelled::structure::test_arrays::{array, values};

    #[test]
    fn no_conflicts_fills_nan_from_later_inputs_and_override_skips_checks() {
        let nan = f64::NAN;
        let a = array("v", "x", vec![1.0, nan, 3.0], vec![0.0, 1.0, 2.0]);
        let b = array("v", "x", vec![nan, 2.0, 3.0], vec![0.0, 1.0, 2.0]);
        let m = merge_arrays(&[&a, &b], Compat::NoConflicts, Join::Outer).unwrap();
        assert_eq!(values(m.data_var("v").unwrap()), vec![1.0, 2.0, 3.0]);
        assert!(matches!(
            merge_arrays(&[&a, &b], Compat::Equals, Join::Outer),
            Err(Error::MergeConflict { name }) if name == "v"
        ));
        let c = array("v", "x", vec![9.0, 9.0, 9.0], vec![0.0, 1.0, 2.0]);
        assert!(merge_arrays(&[&a, &c], Compat::NoConflicts, Join::Outer).is_err());
        let o = merge_arrays(&[&a, &c], Compat::Override, Join::Outer).unwrap();
        assert_eq!(values(o.data_var("v").unwrap())[0], 1.0);
    }

    #[test]
    fn broadcast_equals_accepts_a_variable_constant_along_a_missing_dim() {
        let a = DataArray::from_ndarray(
            "v",
            ["x", "y"],
            ArrayD::from_elem(IxDyn(&[2, 3]), 4.0f64),
            &[2, 3],
        )
        .unwrap();
        let b = DataArray::from_ndarray("v", ["y"], ArrayD::from_elem(IxDyn(&[3]), 4.0f64), &[3])
            .unwrap();
        let m = merge_arrays(&[&b, &a], Compat::BroadcastEquals, Join::Outer).unwrap();
        let v = m.data_var("v").unwrap();
        assert_eq!(v.dims(), &["y".to_string(), "x".to_string()]);
        assert!(merge_arrays(&[&b, &a], Compat::Equals, Join::Outer).is_err());
    }
}
