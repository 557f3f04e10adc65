//! Concatenating labelled objects along a dimension: [`concat`] and
//! [`concat_datasets`], as xarray's `concat`.
//!
//! Alignment first: every input is reindexed onto the joined index of each dimension
//! that some input indexes except the concatenation dimension, with NaN where a label
//! is missing, as `xarray.align(*objs, join=...)` does. Everything stays lazy except
//! what xarray computes too: coordinates are compared (they are small) to decide
//! which ones differ between the inputs.

use std::sync::Arc;

use super::align::{
    Join, Reindex, align_all, array_as_dataset, array_from_dataset, reindex_variable, union_names,
};
use super::merge::{Compat, merge_coord};
use crate::engine::LazyArray;
use crate::error::ensure;
use crate::labelled::core::coords::{Coord, Coords, index_from_variable, same_values};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::{Index, IndexValues};
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

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
        .map(|a| array_as_dataset(a))
        .collect::<Result<Vec<_>>>()?;
    array_from_dataset(&concat_impl(sets, dim, join)?, first.name())
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

/// True if two coordinates are equal (indexes are compared without computing).
fn coords_equal(a: &Coord, b: &Coord) -> Result<bool> {
    if let (Some(x), Some(y)) = (&a.index, &b.index) {
        return Ok(a.var.dims() == b.var.dims() && x.equals(y));
    }
    same_values(&a.var, &b.var)
}

fn concat_impl(datasets: Vec<Dataset>, dim: &str, join: Join) -> Result<Dataset> {
    ensure!(!datasets.is_empty(), "concat needs at least one object");
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
        ensure!(
            present.len() == ds.len(),
            "coordinate {n:?} is not present in all objects to concatenate; add it where it is missing or drop it"
        );
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
        ensure!(
            pieces.iter().all(Option::is_some),
            "coordinate {n:?} is not present in all objects to concatenate along {dim:?}"
        );
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
        let pieces: Vec<Option<&Variable>> = ds.iter().map(|d| d.data_var(n)).collect();
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
    let unified = crate::labelled::core::strings::unify(
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

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use super::*;
    use crate::engine::DType;
    use crate::labelled::structure::test_arrays::{array, values};

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
        let n = c.data_var("n").unwrap();
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
