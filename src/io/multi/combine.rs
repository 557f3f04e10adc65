//! Combining the opened files into one dataset: the order (by coordinates or as given),
//! the checks that every file fits, and the lazy concatenation.
//!
//! Only one-dimensional combinations are made: the files are concatenated along one
//! dimension, and every other dimension coordinate must be equal in every file. A file
//! that does not fit is refused with an error naming it and the coordinate, where
//! xarray's default `join="outer"` would silently union the labels and fill NaN.

use std::cmp::Ordering;

use super::{Combine, DataVars, MultiFileOptions};
use crate::engine::Compute;
use crate::labelled::core::coords::Coord;
use crate::labelled::core::index::{Index, IndexValues, Order};
use crate::labelled::structure::concat::concat_datasets;
use crate::labelled::structure::merge::merge_coord;
use crate::labelled::{Compat, Dataset, Join, Variable};
use crate::{Error, Result};

/// One opened file.
pub(crate) struct Opened {
    /// The path or URL it was opened from (for errors).
    pub path: String,
    /// Its lazy dataset.
    pub ds: Dataset,
}

fn mismatch(path: &str, name: &str, reason: impl Into<String>) -> Error {
    Error::FileMismatch {
        path: path.to_string(),
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// Combines the files as `opts` says.
pub(crate) fn combine(mut files: Vec<Opened>, opts: &MultiFileOptions) -> Result<Dataset> {
    let dim = match opts.combine {
        Combine::ByCoords => {
            if files.len() == 1 {
                return Ok(files.remove(0).ds);
            }
            let dim = infer_concat_dim(&files, opts.concat_dim.as_deref())?;
            files = sort_by_coord(files, &dim)?;
            dim
        }
        Combine::Nested => opts.concat_dim.clone().ok_or_else(|| {
            Error::invalid("combine=Nested needs a concat_dim: the dimension to concatenate along")
        })?,
    };
    check_other_indexes(&files, &dim)?;
    let new_dim = files.iter().all(|f| f.ds.dim_len(&dim).is_none());
    // With a new dimension nothing has it, so "minimal" would concatenate nothing and
    // insist that every variable is equal in every file; like xarray's upcoming
    // default (`data_vars=None`), everything is concatenated then.
    if opts.data_vars == DataVars::All || new_dim {
        let refs: Vec<&Dataset> = files.iter().map(|f| &f.ds).collect();
        return concat_datasets(&refs, &dim, Join::Exact);
    }
    concat_minimal(&files, &dim, opts.compat)
}

/// The dimension whose index differs between the files (xarray's
/// `_infer_concat_order_from_coords`, in one dimension): the given one, or the indexed
/// dimension of the first file along which the most files differ from it (the first
/// such dimension on ties). Indexes that differ along other dimensions are reported
/// by [`check_other_indexes`].
fn infer_concat_dim(files: &[Opened], given: Option<&str>) -> Result<String> {
    let first = &files[0];
    if let Some(dim) = given {
        if first.ds.coords().index(dim).is_none() {
            return Err(mismatch(
                &first.path,
                dim,
                "is not a dimension coordinate here, so the files cannot be ordered by it; use Combine::Nested",
            ));
        }
        return Ok(dim.to_string());
    }
    let mut best: Option<(String, usize)> = None;
    for (name, coord) in first.ds.coords().iter() {
        let Some(ix) = &coord.index else { continue };
        let differing = files[1..]
            .iter()
            .filter(|f| f.ds.coords().index(name).is_none_or(|o| !o.equals(ix)))
            .count();
        if differing > best.as_ref().map_or(0, |b| b.1) {
            best = Some((name.clone(), differing));
        }
    }
    best.map(|b| b.0).ok_or_else(|| {
        Error::invalid(format!(
            "could not find a dimension coordinate whose values differ between the files to order them by (first file {}); use Combine::Nested with a concat_dim",
            first.path
        ))
    })
}

/// A label the files are ordered by.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    Num(f64),
    Time(i64),
    Str(String),
}

impl Key {
    fn at(ix: &Index, i: usize) -> Key {
        match ix.values() {
            IndexValues::Num(v) => Key::Num(v[i]),
            IndexValues::Time { values, .. } => Key::Time(values[i]),
            IndexValues::Str(v) => Key::Str(v[i].clone()),
        }
    }

    fn cmp(&self, other: &Key) -> Option<Ordering> {
        match (self, other) {
            (Key::Num(a), Key::Num(b)) => a.partial_cmp(b),
            (Key::Time(a), Key::Time(b)) => Some(a.cmp(b)),
            (Key::Str(a), Key::Str(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// The calendar of a datetime index, to refuse mixing calendars.
fn calendar(ix: &Index) -> Option<crate::time::Calendar> {
    match ix.values() {
        IndexValues::Time { calendar, .. } => Some(*calendar),
        _ => None,
    }
}

/// Orders the files by the first label of `dim` (ascending, or descending when every
/// file's labels descend, as xarray does), then checks that the labels are monotonic
/// across files.
fn sort_by_coord(files: Vec<Opened>, dim: &str) -> Result<Vec<Opened>> {
    let mut indexes = Vec::with_capacity(files.len());
    for f in files.iter() {
        let ix =
            f.ds.coords().index(dim).ok_or_else(|| {
                mismatch(&f.path, dim, "is missing, so this file cannot be ordered")
            })?;
        if ix.is_empty() {
            return Err(mismatch(
                &f.path,
                dim,
                "has no labels, so this file cannot be ordered",
            ));
        }
        indexes.push(ix.clone());
    }
    let cal = calendar(&indexes[0]);
    for (f, ix) in files.iter().zip(&indexes) {
        let same_kind =
            std::mem::discriminant(ix.values()) == std::mem::discriminant(indexes[0].values());
        if !same_kind || calendar(ix) != cal {
            return Err(mismatch(
                &f.path,
                dim,
                format!(
                    "holds labels of another kind or calendar than in {}",
                    files[0].path
                ),
            ));
        }
    }
    let descending = indexes
        .iter()
        .all(|ix| ix.len() > 1 && ix.order() == Order::Descending);
    let ascending = indexes
        .iter()
        .all(|ix| ix.len() == 1 || ix.order() == Order::Ascending);
    if !descending && !ascending {
        let bad = files
            .iter()
            .zip(&indexes)
            .find(|(_, ix)| ix.len() > 1 && ix.order() != Order::Ascending)
            .map_or(files[0].path.as_str(), |(f, _)| f.path.as_str());
        return Err(mismatch(
            bad,
            dim,
            "is neither increasing nor decreasing in every file, so the files cannot be ordered",
        ));
    }
    let mut order: Vec<usize> = (0..files.len()).collect();
    let first_keys: Vec<Key> = indexes.iter().map(|ix| Key::at(ix, 0)).collect();
    order.sort_by(|&a, &b| {
        let o = first_keys[a].cmp(&first_keys[b]).unwrap_or(Ordering::Equal);
        if descending { o.reverse() } else { o }
    });
    // Every file's last label must not pass the next file's first (pandas'
    // non-strict `is_monotonic_*` on the concatenated index, as xarray checks).
    for w in order.windows(2) {
        let (a, b) = (&indexes[w[0]], &indexes[w[1]]);
        let last = Key::at(a, a.len() - 1);
        let next = Key::at(b, 0);
        let ok = match last.cmp(&next) {
            Some(Ordering::Less | Ordering::Equal) => !descending,
            Some(Ordering::Greater) => descending,
            None => false,
        } || last == next;
        if !ok {
            return Err(mismatch(
                &files[w[1]].path,
                dim,
                format!(
                    "labels from {} overlap those of {} (ending {}), so no order makes {dim:?} monotonic",
                    b.label_text(0),
                    files[w[0]].path,
                    a.label_text(a.len() - 1)
                ),
            ));
        }
    }
    let mut slots: Vec<Option<Opened>> = files.into_iter().map(Some).collect();
    Ok(order.iter().filter_map(|&i| slots[i].take()).collect())
}

/// Checks that every dimension coordinate other than `dim` equals the first file's.
fn check_other_indexes(files: &[Opened], dim: &str) -> Result<()> {
    let first = &files[0];
    for f in &files[1..] {
        for (name, coord) in first.ds.coords().iter() {
            let Some(ix) = &coord.index else { continue };
            if name == dim {
                continue;
            }
            match f.ds.coords().index(name) {
                None => {
                    return Err(mismatch(
                        &f.path,
                        name,
                        format!("is missing here but present in {}", first.path),
                    ));
                }
                Some(other) if !other.equals(ix) => {
                    return Err(mismatch(
                        &f.path,
                        name,
                        describe_difference(ix, other, &first.path),
                    ));
                }
                Some(_) => {}
            }
        }
        for (name, coord) in f.ds.coords().iter() {
            if coord.index.is_some() && name != dim && first.ds.coords().index(name).is_none() {
                return Err(mismatch(
                    &f.path,
                    name,
                    format!("is present here but not in {}", first.path),
                ));
            }
        }
    }
    Ok(())
}

fn describe_difference(first: &Index, other: &Index, first_path: &str) -> String {
    if first.len() != other.len() {
        return format!(
            "has {} labels here but {} in {first_path}",
            other.len(),
            first.len()
        );
    }
    let i = (0..first.len())
        .find(|&i| Key::at(first, i) != Key::at(other, i))
        .unwrap_or(0);
    format!(
        "differs from {first_path}: label {i} is {} here but {} there",
        other.label_text(i),
        first.label_text(i)
    )
}

/// `data_vars="minimal"`: data variables with `dim` are concatenated; the others are
/// taken once after checking them with `compat` across the files (xarray's
/// `merge_collected`, with the file named when one conflicts).
fn concat_minimal(files: &[Opened], dim: &str, compat: Compat) -> Result<Dataset> {
    let mut order: Vec<String> = vec![];
    let mut along: Vec<String> = vec![];
    for f in files {
        for (name, var) in f.ds.data_vars() {
            if !order.contains(name) {
                order.push(name.clone());
            }
            if var.has_dim(dim) && !along.contains(name) {
                along.push(name.clone());
            }
        }
    }
    let once: Vec<&str> = order
        .iter()
        .filter(|n| !along.contains(n))
        .map(String::as_str)
        .collect();
    let subs = files
        .iter()
        .map(|f| {
            let drop: Vec<&str> = once
                .iter()
                .copied()
                .filter(|n| f.ds.data_var(n).is_some())
                .collect();
            f.ds.drop_vars(&drop)
        })
        .collect::<Result<Vec<_>>>()?;
    let concatenated = concat_datasets(&subs.iter().collect::<Vec<_>>(), dim, Join::Exact)?;
    let mut out = Dataset::new();
    *out.coords_mut() = concatenated.coords().clone();
    for name in &order {
        let var = match concatenated.data_var(name) {
            Some(v) => v.clone(),
            None => merge_across(files, name, compat)?,
        };
        out.insert(name.clone(), var)?;
    }
    *out.attrs_mut() = concatenated.attrs().clone();
    // As xarray's concat: the first file's encoding (its `unlimited_dims`, `source`).
    if let Some(first) = files.first() {
        *out.encoding_mut() = first.ds.encoding().clone();
    }
    Ok(out)
}

/// One variable that is not concatenated, from the files that have it, checked with
/// `compat`: all pieces are read in one computation, then each is compared with the
/// first file's.
fn merge_across(files: &[Opened], name: &str, compat: Compat) -> Result<Variable> {
    let present: Vec<(&str, &Variable)> = files
        .iter()
        .filter_map(|f| f.ds.data_var(name).map(|v| (f.path.as_str(), v)))
        .collect();
    let (first_path, first) = present[0];
    if compat == Compat::Override
        || present
            .iter()
            .all(|(_, v)| v.data().id() == first.data().id())
    {
        return Ok(first.clone());
    }
    for &(path, v) in &present[1..] {
        if v.dims() != first.dims() || v.shape() != first.shape() {
            return Err(mismatch(
                path,
                name,
                format!(
                    "has dims {:?} and shape {:?} here but {:?} and {:?} in {first_path}",
                    v.dims(),
                    v.shape(),
                    first.dims(),
                    first.shape()
                ),
            ));
        }
        if compat == Compat::Identical && v.attrs() != first.attrs() {
            return Err(mismatch(
                path,
                name,
                format!("has other attributes than in {first_path}"),
            ));
        }
    }
    let conflict = |path: &str| {
        mismatch(
            path,
            name,
            format!("has other values than in {first_path} (compat={compat})"),
        )
    };
    if first.is_strings() {
        let a = first.strings()?;
        for &(path, v) in &present[1..] {
            if !v.is_strings() || v.strings()? != a {
                return Err(conflict(path));
            }
        }
        return Ok(first.clone());
    }
    if present.iter().any(|(_, v)| v.is_strings()) {
        let path = present
            .iter()
            .find(|(_, v)| v.is_strings())
            .map_or(first_path, |p| p.0);
        return Err(conflict(path));
    }
    let arrays: Vec<_> = present.iter().map(|(_, v)| v.data()).collect();
    let values: Vec<Vec<f64>> = Compute::new()
        .run(&arrays)?
        .iter()
        .map(|d| d.to_f64_vec())
        .collect();
    let a = &values[0];
    let mut fills = false;
    for ((path, _), b) in present[1..].iter().zip(&values[1..]) {
        let same = a.iter().zip(b).all(|(&p, &q)| {
            if compat == Compat::NoConflicts && (p.is_nan() || q.is_nan()) {
                fills |= p.is_nan() && !q.is_nan();
                return true;
            }
            p == q || (p.is_nan() && q.is_nan())
        });
        if !same {
            return Err(conflict(path));
        }
    }
    if fills {
        // Rare: later files fill NaNs of the first; merge's no_conflicts builds the
        // lazy selection that takes the first non-NaN value of each element.
        let coords: Vec<Coord> = present
            .iter()
            .map(|(_, v)| Coord {
                var: (*v).clone(),
                index: None,
            })
            .collect();
        return Ok(merge_coord(name, &coords.iter().collect::<Vec<_>>(), compat)?.var);
    }
    Ok(first.clone())
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use super::*;
    use crate::engine::LazyArray;

    /// A file with `v(x)` over the labels `xs` and a `y` coordinate of `ys`.
    fn file(path: &str, xs: &[f64], ys: &[f64]) -> Opened {
        let lazy = |v: &[f64]| {
            LazyArray::from_ndarray(
                ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.to_vec()).expect("shape"),
                &[v.len().max(1)],
            )
            .expect("array")
        };
        let mut ds = Dataset::new();
        ds.insert_coord("x", Variable::new(["x"], lazy(xs)).expect("x"))
            .expect("x");
        ds.insert_coord("y", Variable::new(["y"], lazy(ys)).expect("y"))
            .expect("y");
        ds.insert("v", Variable::new(["x"], lazy(xs)).expect("v"))
            .expect("v");
        Opened {
            path: path.to_string(),
            ds,
        }
    }

    fn labels(ds: &Dataset) -> Vec<f64> {
        match ds.coords().index("x").expect("x").values() {
            IndexValues::Num(v) => v.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn files_are_ordered_by_their_first_label_ascending_or_descending() {
        let opts = MultiFileOptions::default();
        let files = vec![
            file("b", &[2.0, 3.0], &[0.0]),
            file("a", &[0.0, 1.0], &[0.0]),
            file("c", &[4.0], &[0.0]),
        ];
        let ds = combine(files, &opts).unwrap();
        assert_eq!(labels(&ds), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        let files = vec![
            file("a", &[1.0, 0.0], &[0.0]),
            file("b", &[3.0, 2.0], &[0.0]),
        ];
        assert_eq!(
            labels(&combine(files, &opts).unwrap()),
            vec![3.0, 2.0, 1.0, 0.0]
        );
    }

    #[test]
    fn overlapping_labels_and_a_differing_coordinate_name_the_file() {
        let opts = MultiFileOptions::default();
        let files = vec![
            file("a", &[0.0, 2.0], &[0.0]),
            file("b", &[1.0, 3.0], &[0.0]),
        ];
        let e = combine(files, &opts).unwrap_err();
        assert!(
            matches!(e, Error::FileMismatch { ref path, ref name, .. } if path == "b" && name == "x"),
            "{e}"
        );
        let files = vec![
            file("a", &[0.0], &[0.0]),
            file("b", &[1.0], &[0.0]),
            file("c", &[2.0], &[5.0]),
        ];
        let e = combine(files, &opts).unwrap_err();
        assert!(
            matches!(e, Error::FileMismatch { ref path, ref name, .. } if path == "c" && name == "y"),
            "{e}"
        );
    }

    #[test]
    fn minimal_keeps_variables_without_the_dim_once_and_names_a_conflicting_file() {
        let opts = MultiFileOptions::default()
            .combine(Combine::Nested)
            .concat_dim("x")
            .data_vars(DataVars::Minimal);
        let with_w = |mut f: Opened, w: f64| {
            let data = LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[1]), w), &[1]).expect("w");
            f.ds.insert("w", Variable::new(["y"], data).expect("w"))
                .expect("w");
            f
        };
        let files = vec![
            with_w(file("a", &[0.0], &[0.0]), 7.0),
            with_w(file("b", &[1.0], &[0.0]), 7.0),
        ];
        let ds = combine(files, &opts).unwrap();
        assert_eq!(ds.data_var("w").unwrap().dims(), &["y".to_string()]);
        assert_eq!(ds.data_var_names(), vec!["v".to_string(), "w".to_string()]);
        let files = vec![
            with_w(file("a", &[0.0], &[0.0]), 7.0),
            with_w(file("b", &[1.0], &[0.0]), 8.0),
        ];
        let e = combine(files, &opts).unwrap_err();
        assert!(
            matches!(e, Error::FileMismatch { ref path, ref name, .. } if path == "b" && name == "w"),
            "{e}"
        );
        let o = combine(
            vec![
                with_w(file("a", &[0.0], &[0.0]), 7.0),
                with_w(file("b", &[1.0], &[0.0]), 8.0),
            ],
            &opts.clone().compat(Compat::Override),
        )
        .unwrap();
        assert!(o.data_var("w").is_some());
    }
}
