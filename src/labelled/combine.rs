//! Combining labelled objects: [`concat`] / [`concat_datasets`] and [`merge`] /
//! [`merge_arrays`], as xarray's `concat` and `merge`.
//!
//! Everything stays lazy except what xarray computes too: coordinates are compared
//! (they are small) to decide which ones differ between the inputs, and `merge`
//! computes variables that appear in more than one input to check them for
//! conflicts (unless they are the same lazy array, or `compat` is
//! [`Compat::Override`]).
//!
//! Alignment first: every input is reindexed onto the joined index of each dimension
//! that some input indexes (`concat` leaves the concatenation dimension alone), with
//! NaN where a label is missing, as `xarray.align(*objs, join=...)` does.

use std::fmt;
use std::sync::Arc;

use super::align::{DimAlignment, Join, Reindex, align_indexes, reindex_coords, reindex_variable};
use super::coords::{Coord, Coords, index_from_variable, same_values};
use super::dataarray::DataArray;
use super::dataset::Dataset;
use super::index::{Index, IndexValues};
use super::variable::Variable;
use crate::engine::{Compute, LazyArray};
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

/// The name a data array's variable takes inside the datasets `concat` works on.
const ARRAY_KEY: &str = "<this-array>";

/// Concatenates data arrays along `dim`, as
/// `xarray.concat(arrays, dim, join=join, data_vars="all", coords="different",
/// compat="equals")`.
///
/// If `dim` exists, the arrays are joined along it (its index labels concatenated,
/// duplicates kept); otherwise it becomes a new first dimension, without an index
/// coordinate. The other indexed dimensions are aligned with `join` first (an outer
/// join fills NaN, turning integers into floats). Non-index coordinates that differ
/// between the arrays are concatenated along `dim` too (broadcast onto it where they
/// lack it); those equal everywhere are kept once. The name and attributes are the
/// first array's.
///
/// ```
/// use ndarray::{Array, IxDyn};
/// use tessera::labelled::{DataArray, Join, concat};
///
/// let a = DataArray::from_ndarray("t", ["x"], Array::from_elem(IxDyn(&[2]), 1.0f64), &[2])?
///     .with_coord_values("x", vec![0.0, 1.0])?;
/// let b = DataArray::from_ndarray("t", ["x"], Array::from_elem(IxDyn(&[3]), 2.0f64), &[3])?
///     .with_coord_values("x", vec![2.0, 3.0, 4.0])?;
/// let along = concat(&[&a, &b], "x", Join::Outer)?;
/// assert_eq!(along.shape(), &[5]);
/// let stacked = concat(&[&a, &a], "member", Join::Outer)?;
/// assert_eq!(stacked.dims(), &["member".to_string(), "x".to_string()]);
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn concat(arrays: &[&DataArray], dim: &str, join: Join) -> Result<DataArray> {
    let first = arrays
        .first()
        .ok_or_else(|| Error::invalid("concat needs at least one data array"))?;
    let sets = arrays
        .iter()
        .map(|a| {
            let mut ds = Dataset::new();
            ds.insert(ARRAY_KEY, a.variable().clone())?;
            for (n, c) in a.coords().iter() {
                ds.coords_mut()
                    .insert_with_index(n.clone(), c.var.clone(), c.index.clone());
            }
            Ok(ds)
        })
        .collect::<Result<Vec<_>>>()?;
    let ds = concat_impl(sets, dim, join)?;
    let var = data_var(&ds, ARRAY_KEY)
        .expect("the concatenated array is a data variable")
        .clone();
    DataArray::new(first.name().map(str::to_string), var, ds.coords().clone())
}

/// Concatenates datasets along `dim`, as `xarray.concat(datasets, dim, join=join,
/// data_vars="all", coords="different", compat="equals")`.
///
/// Every data variable is concatenated: one that lacks `dim` is broadcast along it,
/// and one missing from some datasets is filled with NaN there (integers become
/// floats). Coordinates with `dim`, and those that differ between the datasets, are
/// concatenated; the others are kept once (a coordinate that differs must be in every
/// dataset). Index coordinates kept once come first, then the other coordinates in
/// order of appearance, as in xarray. Attributes are the first dataset's.
pub fn concat_datasets(datasets: &[&Dataset], dim: &str, join: Join) -> Result<Dataset> {
    concat_impl(datasets.iter().map(|d| (*d).clone()).collect(), dim, join)
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
        let vars: Vec<&Variable> = ds.iter().filter_map(|d| data_var(d, n)).collect();
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
            if a.name().is_none() {
                return Err(Error::invalid(
                    "cannot merge an unnamed data array; give it a name with rename",
                ));
            }
            Dataset::from_array(a)
        })
        .collect::<Result<Vec<_>>>()?;
    merge(&sets.iter().collect::<Vec<_>>(), compat, join)
}

/// A data variable by name.
fn data_var<'a>(ds: &'a Dataset, name: &str) -> Option<&'a Variable> {
    ds.data_vars().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// Names in order of first appearance.
fn union_names(lists: impl Iterator<Item = Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for list in lists {
        for n in list {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Aligns every dataset on each dimension some of them index (except `exclude`):
/// the indexes are joined in turn, then each dataset is reindexed onto the result.
fn align_all(datasets: &[Dataset], join: Join, exclude: Option<&str>) -> Result<Vec<Dataset>> {
    let mut out = datasets.to_vec();
    let dims = union_names(datasets.iter().map(|ds| {
        ds.coords()
            .iter()
            .filter(|(n, c)| c.index.is_some() && exclude != Some(n.as_str()))
            .map(|(n, _)| n.clone())
            .collect()
    }));
    for dim in &dims {
        let indexed: Vec<(usize, Arc<Index>)> = out
            .iter()
            .enumerate()
            .filter_map(|(i, ds)| ds.coords().index(dim).map(|ix| (i, ix.clone())))
            .collect();
        let mut target = indexed[0].1.clone();
        for (_, ix) in &indexed[1..] {
            target = align_indexes(&target, ix, join)?.index;
        }
        for ds in &out {
            if ds.coords().index(dim).is_none()
                && let Some(n) = ds.dim_len(dim)
                && n != target.len()
            {
                return Err(Error::Alignment {
                    dim: dim.clone(),
                    join: join.to_string(),
                    reason: format!(
                        "an object without an index along it has length {n}, the joined index {}",
                        target.len()
                    ),
                });
            }
        }
        for (i, ix) in indexed {
            if let Some(r) = align_indexes(&target, &ix, Join::Left)?.right {
                let al = DimAlignment {
                    dim: dim.clone(),
                    index: target.clone(),
                    left: None,
                    right: None,
                };
                out[i] = reindex_dataset(&out[i], &al, &r)?;
            }
        }
    }
    Ok(out)
}

fn reindex_dataset(ds: &Dataset, al: &DimAlignment, r: &Reindex) -> Result<Dataset> {
    let mut out = ds.with_coords(reindex_coords(ds.coords(), al, Some(r))?);
    out.clear_data_vars();
    for (n, v) in ds.data_vars() {
        out.insert(n.clone(), reindex_variable(v, &al.dim, r)?)?;
    }
    Ok(out)
}

/// True if two coordinates are equal (indexes are compared without computing).
fn coords_equal(a: &Coord, b: &Coord) -> Result<bool> {
    if let (Some(x), Some(y)) = (&a.index, &b.index) {
        return Ok(a.var.dims() == b.var.dims() && x.equals(y));
    }
    same_values(&a.var, &b.var)
}

fn concat_impl(datasets: Vec<Dataset>, dim: &str, join: Join) -> Result<Dataset> {
    if datasets.is_empty() {
        return Err(Error::invalid("concat needs at least one object"));
    }
    let ds = align_all(&datasets, join, Some(dim))?;
    let lens: Vec<usize> = ds.iter().map(|d| d.dim_len(dim).unwrap_or(1)).collect();
    let coord_names = union_names(ds.iter().map(|d| d.coords().names()));
    let data_names = union_names(ds.iter().map(Dataset::data_var_names));
    if let Some(n) = coord_names.iter().find(|n| data_names.contains(n)) {
        return Err(Error::invalid(format!(
            "{n:?} is a coordinate in some objects and a data variable in others"
        )));
    }
    // What gets concatenated: every data variable (data_vars="all"), coordinates
    // with the dimension, and coordinates that differ (coords="different").
    let mut over: Vec<String> = data_names.clone();
    for d in &ds {
        for (n, c) in d.coords().iter() {
            if (n == dim || c.var.has_dim(dim)) && !over.contains(n) {
                over.push(n.clone());
            }
        }
    }
    for (n, c0) in ds[0].coords().iter() {
        if over.contains(n) {
            continue;
        }
        let present: Vec<&Coord> = ds.iter().filter_map(|d| d.coords().get(n)).collect();
        if present.len() == 1 {
            continue;
        }
        if present.len() != ds.len() {
            return Err(Error::invalid(format!(
                "coordinate {n:?} is not present in all objects to concatenate; add it where it is missing or drop it"
            )));
        }
        for c in &present[1..] {
            if !coords_equal(c0, c)? {
                over.push(n.clone());
                break;
            }
        }
    }
    let sizes: Vec<(String, usize)> = union_dims(&ds, dim);
    // Each coordinate, merged (kept once) or concatenated.
    let mut combined: Vec<(String, Coord)> = vec![];
    for n in &coord_names {
        if !over.contains(n) {
            let present: Vec<&Coord> = ds.iter().filter_map(|d| d.coords().get(n)).collect();
            combined.push((n.clone(), merge_coord(n, &present, Compat::Equals)?));
            continue;
        }
        let pieces: Vec<Option<&Variable>> = ds
            .iter()
            .map(|d| d.coords().get(n).map(|c| &c.var))
            .collect();
        if pieces.iter().any(Option::is_none) {
            return Err(Error::invalid(format!(
                "coordinate {n:?} is not present in all objects to concatenate along {dim:?}"
            )));
        }
        let var = concat_variable(&pieces, dim, &lens, &sizes)?;
        let (var, index) = if n == dim {
            concat_index(&ds, dim, var)?
        } else {
            (var, None)
        };
        combined.push((
            n.clone(),
            Coord {
                var,
                index: index.map(Arc::new),
            },
        ));
    }
    // xarray's order: the indexes kept once first, then the rest in order of
    // appearance.
    let mut coords = Coords::new();
    let kept_index = |n: &String, c: &Coord| !over.contains(n) && c.index.is_some();
    for (n, c) in combined.iter().filter(|(n, c)| kept_index(n, c)) {
        coords.insert_with_index(n.clone(), c.var.clone(), c.index.clone());
    }
    for (n, c) in combined.into_iter().filter(|(n, c)| !kept_index(n, c)) {
        coords.insert_with_index(n, c.var, c.index);
    }
    let mut out = Dataset::new();
    *out.coords_mut() = coords;
    for n in &data_names {
        let pieces: Vec<Option<&Variable>> = ds.iter().map(|d| data_var(d, n)).collect();
        out.insert(n.clone(), concat_variable(&pieces, dim, &lens, &sizes)?)?;
    }
    *out.attrs_mut() = ds[0].attrs().clone();
    Ok(out)
}

/// Lengths of the dimensions other than `dim`, as the aligned datasets have them.
fn union_dims(ds: &[Dataset], dim: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = vec![];
    for d in ds {
        for (n, len) in d.dims() {
            if n != dim && !out.iter().any(|(m, _)| *m == n) {
                out.push((n, len));
            }
        }
    }
    out
}

/// Concatenates one variable's pieces along `dim` (xarray's `ensure_common_dims`
/// then `Variable.concat`): each piece is laid out over the union of the pieces'
/// dims, with `dim` first if none has it, and broadcast where it lacks a dim; a
/// missing piece (`None`) becomes NaN over that object's stretch of `dim`.
fn concat_variable(
    pieces: &[Option<&Variable>],
    dim: &str,
    lens: &[usize],
    sizes: &[(String, usize)],
) -> Result<Variable> {
    let unified = super::strings::unify(
        &pieces.iter().flatten().copied().collect::<Vec<_>>(),
        &format!("concat along {dim:?}"),
    )?;
    let mut each = unified.iter();
    let pieces: Vec<Option<&Variable>> =
        pieces.iter().map(|p| p.and_then(|_| each.next())).collect();
    let present: Vec<(usize, &Variable)> = pieces
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|v| (i, v)))
        .collect();
    let first = present[0].1;
    let mut common: Vec<String> = vec![];
    for (_, v) in &present {
        for d in v.dims() {
            if !common.contains(d) {
                common.push(d.clone());
            }
        }
    }
    if !common.iter().any(|d| d == dim) {
        common.insert(0, dim.to_string());
    }
    let axis = common
        .iter()
        .position(|d| d == dim)
        .expect("dim is in common");
    let arrays = present
        .iter()
        .map(|&(i, v)| {
            if v.dims() == common.as_slice() {
                return Ok(v.data().clone());
            }
            let shape: Vec<usize> = common
                .iter()
                .map(|d| {
                    if d == dim {
                        lens[i]
                    } else {
                        v.size_of(d)
                            .or_else(|| sizes.iter().find(|(n, _)| n == d).map(|(_, l)| *l))
                            .unwrap_or(1)
                    }
                })
                .collect();
            v.expand_to(&common)?.broadcast_to(&shape)
        })
        .collect::<Result<Vec<LazyArray>>>()?;
    let refs: Vec<&LazyArray> = arrays.iter().collect();
    let mut var = first.with_dims_and_data(common, LazyArray::concat(&refs, axis)?)?;
    if present.len() < pieces.len() {
        let mut r: Reindex = vec![];
        let mut k = 0;
        for (p, &len) in pieces.iter().zip(lens) {
            for _ in 0..len {
                if p.is_some() {
                    r.push(Some(k));
                    k += 1;
                } else {
                    r.push(None);
                }
            }
        }
        var = reindex_variable(&var, dim, &r)?;
    }
    Ok(var)
}

/// The index of the concatenated dimension coordinate: the inputs' labels one after
/// the other (string labels keep a positions variable, as string indexes do).
fn concat_index(ds: &[Dataset], dim: &str, var: Variable) -> Result<(Variable, Option<Index>)> {
    let indexes: Option<Vec<Arc<Index>>> =
        ds.iter().map(|d| d.coords().index(dim).cloned()).collect();
    let Some(indexes) = indexes else {
        // Some inputs had a scalar coordinate for `dim`: read the labels.
        if var.ndim() != 1 {
            return Ok((var, None));
        }
        let index = index_from_variable(dim, &var)?;
        return Ok((var, Some(index)));
    };
    let mismatch = || {
        Error::invalid(format!(
            "cannot concatenate indexes of different kinds along {dim:?}"
        ))
    };
    let values = match indexes[0].values() {
        IndexValues::Num(_) => {
            let mut all = vec![];
            for ix in &indexes {
                let IndexValues::Num(v) = ix.values() else {
                    return Err(mismatch());
                };
                all.extend_from_slice(v);
            }
            IndexValues::Num(all)
        }
        IndexValues::Time { calendar, .. } => {
            let mut all = vec![];
            for ix in &indexes {
                match ix.values() {
                    IndexValues::Time {
                        values,
                        calendar: c,
                    } if c == calendar => all.extend_from_slice(values),
                    _ => return Err(mismatch()),
                }
            }
            IndexValues::Time {
                values: all,
                calendar: *calendar,
            }
        }
        IndexValues::Str(_) => {
            let mut all = vec![];
            for ix in &indexes {
                let IndexValues::Str(v) = ix.values() else {
                    return Err(mismatch());
                };
                all.extend(v.iter().cloned());
            }
            let n = all.len();
            let pos = ndarray::Array::from_shape_fn(ndarray::IxDyn(&[n]), |i| i[0] as i64);
            let var = var.with_data(LazyArray::from_ndarray(pos, &[n.max(1)])?)?;
            return Ok((var, Some(Index::new(dim, IndexValues::Str(all)))));
        }
    };
    Ok((var, Some(Index::new(dim, values))))
}

/// One coordinate from the inputs that have it: an index coordinate is taken from the
/// first input (the indexes must agree; they do after alignment), others are
/// reconciled with `compat`.
fn merge_coord(name: &str, present: &[&Coord], compat: Compat) -> Result<Coord> {
    let indexed: Vec<&Coord> = present
        .iter()
        .copied()
        .filter(|c| c.index.is_some())
        .collect();
    if let Some(first) = indexed.first() {
        let ix = first.index.as_ref().expect("indexed");
        for c in &indexed[1..] {
            if !c.index.as_ref().expect("indexed").equals(ix) {
                return Err(Error::MergeConflict {
                    name: name.to_string(),
                });
            }
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
        if values[1..].iter().any(|v| !same(&values[0], v)) {
            return Err(conflict());
        }
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
    use crate::engine::DType;

    fn array(name: &str, dim: &str, values: Vec<f64>, labels: Vec<f64>) -> DataArray {
        let n = values.len();
        DataArray::from_ndarray(
            name,
            [dim],
            ArrayD::from_shape_vec(IxDyn(&[n]), values).expect("shape"),
            &[2],
        )
        .expect("array")
        .with_coord_values(dim, labels)
        .expect("coord")
    }

    fn values(v: &Variable) -> Vec<f64> {
        v.data().compute().expect("compute").to_f64_vec()
    }

    #[test]
    fn no_conflicts_fills_nan_from_later_inputs_and_override_skips_checks() {
        let nan = f64::NAN;
        let a = array("v", "x", vec![1.0, nan, 3.0], vec![0.0, 1.0, 2.0]);
        let b = array("v", "x", vec![nan, 2.0, 3.0], vec![0.0, 1.0, 2.0]);
        let m = merge_arrays(&[&a, &b], Compat::NoConflicts, Join::Outer).unwrap();
        assert_eq!(values(data_var(&m, "v").unwrap()), vec![1.0, 2.0, 3.0]);
        assert!(matches!(
            merge_arrays(&[&a, &b], Compat::Equals, Join::Outer),
            Err(Error::MergeConflict { name }) if name == "v"
        ));
        let c = array("v", "x", vec![9.0, 9.0, 9.0], vec![0.0, 1.0, 2.0]);
        assert!(merge_arrays(&[&a, &c], Compat::NoConflicts, Join::Outer).is_err());
        let o = merge_arrays(&[&a, &c], Compat::Override, Join::Outer).unwrap();
        assert_eq!(values(data_var(&o, "v").unwrap())[0], 1.0);
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
        let v = data_var(&m, "v").unwrap();
        assert_eq!(v.dims(), &["y".to_string(), "x".to_string()]);
        assert!(merge_arrays(&[&b, &a], Compat::Equals, Join::Outer).is_err());
    }

    #[test]
    fn concat_fills_missing_variables_and_exact_join_refuses_different_indexes() {
        let a = array("v", "x", vec![1.0, 2.0], vec![0.0, 1.0]);
        let b = array("v", "x", vec![3.0, 4.0], vec![5.0, 6.0]);
        let mut da = Dataset::from_array(&a).unwrap();
        da.insert(
            "n",
            Variable::new(
                ["x"],
                LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[2]), 7i32), &[2]).unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        let db = Dataset::from_array(&b).unwrap();
        let c = concat_datasets(&[&da, &db], "x", Join::Outer).unwrap();
        let n = data_var(&c, "n").unwrap();
        assert_eq!(n.dtype(), DType::F64);
        let got = values(n);
        assert_eq!(&got[..2], &[7.0, 7.0]);
        assert!(got[2].is_nan() && got[3].is_nan());
        assert_eq!(
            c.coords().index("x").unwrap().values(),
            &IndexValues::Num(vec![0.0, 1.0, 5.0, 6.0])
        );
        let e = concat(&[&a, &b], "new", Join::Exact).unwrap_err();
        assert!(matches!(e, Error::Alignment { .. }), "{e}");
        assert!(matches!(
            concat(&[], "x", Join::Outer),
            Err(Error::InvalidArgument(_))
        ));
    }
}
