//! Alignment: making the indexes of objects agree before they are combined.
//!
//! For each dimension the objects index, the join (inner by default, as xarray's
//! arithmetic) decides the result's labels; each object is then reindexed to them,
//! with NaN where a label is missing (outer, left, right joins). Arithmetic aligns
//! two operands on the dims both index ([`align_pair`], [`align_datasets`]);
//! [`align`], [`align_all_datasets`], `concat` and `merge` align any number of
//! objects on every dim some of them index, as `xarray.align(*objects)` does.

use std::fmt;
use std::sync::Arc;

use crate::engine::{DType, LazyArray};
use crate::labelled::core::coords::{Coord, Coords};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::{Index, IndexValues};
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// How indexes are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// Labels in both (xarray's default for arithmetic).
    Inner,
    /// Labels in either, sorted.
    Outer,
    /// The left object's labels.
    Left,
    /// The right object's labels.
    Right,
    /// Indexes must already be equal.
    Exact,
}

impl fmt::Display for Join {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Join::Inner => "inner",
            Join::Outer => "outer",
            Join::Left => "left",
            Join::Right => "right",
            Join::Exact => "exact",
        })
    }
}

/// Positions to take along a dimension for each result label (`None`: missing).
pub(crate) type Reindex = Vec<Option<usize>>;

/// The aligned index of one dimension and how each side maps onto it.
pub(crate) struct DimAlignment {
    /// The dimension.
    pub dim: String,
    /// The result index.
    pub index: Arc<Index>,
    /// Left side's positions, `None` when unchanged.
    pub left: Option<Reindex>,
    /// Right side's positions, `None` when unchanged.
    pub right: Option<Reindex>,
}

#[derive(PartialEq, PartialOrd, Clone, Debug)]
enum Key {
    Num(f64),
    Str(String),
}

fn keys(ix: &Index) -> Vec<Key> {
    match ix.values() {
        IndexValues::Num(v) => v.iter().map(|&x| Key::Num(x)).collect(),
        IndexValues::Time { values, .. } => values.iter().map(|&x| Key::Num(x as f64)).collect(),
        IndexValues::Str(v) => v.iter().map(|s| Key::Str(s.clone())).collect(),
    }
}

fn positions(of: &[Key], target: &[Key]) -> Reindex {
    target
        .iter()
        .map(|k| of.iter().position(|x| x == k))
        .collect()
}

fn identity(r: &Reindex, n: usize) -> bool {
    r.len() == n && r.iter().enumerate().all(|(i, p)| *p == Some(i))
}

/// Says where two indexes that must be equal first differ, in labels the user can find.
fn exact_mismatch(left: &Index, right: &Index, lk: &[Key], rk: &[Key]) -> String {
    let sizes = format!("{} and {} labels", left.len(), right.len());
    match lk.iter().zip(rk).position(|(a, b)| a != b) {
        Some(i) => format!(
            "indexes differ ({sizes}): position {i} is {} on the left and {} on the right",
            left.label_text(i),
            right.label_text(i)
        ),
        None if lk.len() > rk.len() => format!(
            "indexes differ ({sizes}): the left has extra labels from {}",
            left.label_text(rk.len())
        ),
        None => format!(
            "indexes differ ({sizes}): the right has extra labels from {}",
            right.label_text(lk.len())
        ),
    }
}

/// Aligns two indexes of the same dimension.
pub(crate) fn align_indexes(
    left: &Arc<Index>,
    right: &Arc<Index>,
    join: Join,
) -> Result<DimAlignment> {
    let dim = left.dim().to_string();
    if left.equals(right) {
        return Ok(DimAlignment {
            dim,
            index: left.clone(),
            left: None,
            right: None,
        });
    }
    let (lk, rk) = (keys(left), keys(right));
    let target: Vec<usize>;
    let (base, index) = match join {
        Join::Exact => {
            return Err(Error::Alignment {
                dim,
                join: join.to_string(),
                reason: exact_mismatch(left, right, &lk, &rk),
            });
        }
        Join::Left => (lk.clone(), left.clone()),
        Join::Right => (rk.clone(), right.clone()),
        Join::Inner => {
            target = (0..lk.len()).filter(|&i| rk.contains(&lk[i])).collect();
            (
                target.iter().map(|&i| lk[i].clone()).collect(),
                Arc::new(left.take(&target)),
            )
        }
        Join::Outer => {
            // The union, sorted ascending as pandas does.
            let mut all: Vec<(Key, bool, usize)> = lk
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, k)| (k, true, i))
                .collect();
            for (i, k) in rk.iter().enumerate() {
                if !lk.contains(k) {
                    all.push((k.clone(), false, i));
                }
            }
            all.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
            let merged = merge_index(
                left,
                right,
                &all.iter().map(|a| (a.1, a.2)).collect::<Vec<_>>(),
            );
            (all.into_iter().map(|a| a.0).collect(), Arc::new(merged))
        }
    };
    let l = positions(&lk, &base);
    let r = positions(&rk, &base);
    Ok(DimAlignment {
        dim,
        left: (!identity(&l, lk.len())).then_some(l),
        right: (!identity(&r, rk.len())).then_some(r),
        index,
    })
}

fn merge_index(left: &Index, right: &Index, picks: &[(bool, usize)]) -> Index {
    let values = match (left.values(), right.values()) {
        (IndexValues::Num(a), IndexValues::Num(b)) => IndexValues::Num(
            picks
                .iter()
                .map(|&(l, i)| if l { a[i] } else { b[i] })
                .collect(),
        ),
        (
            IndexValues::Time {
                values: a,
                calendar,
            },
            IndexValues::Time { values: b, .. },
        ) => IndexValues::Time {
            values: picks
                .iter()
                .map(|&(l, i)| if l { a[i] } else { b[i] })
                .collect(),
            calendar: *calendar,
        },
        (IndexValues::Str(a), IndexValues::Str(b)) => IndexValues::Str(
            picks
                .iter()
                .map(|&(l, i)| if l { a[i].clone() } else { b[i].clone() })
                .collect(),
        ),
        _ => left.values().clone(),
    };
    Index::new(left.dim(), values)
}

/// Reindexes a variable along `dim`; missing labels become NaN (integers turn float).
pub(crate) fn reindex_variable(var: &Variable, dim: &str, r: &Reindex) -> Result<Variable> {
    let Some(axis) = var.dims().iter().position(|d| d == dim) else {
        return Ok(var.clone());
    };
    let clamped: Vec<usize> = r.iter().map(|p| p.unwrap_or(0)).collect();
    let taken = if var.shape()[axis] == 0 {
        // Nothing to take from: every label is missing.
        let mut shape = var.shape().to_vec();
        shape[axis] = r.len();
        let zeros = crate::engine::ArrayData::zeros(var.dtype(), &shape);
        LazyArray::from_data(zeros, crate::engine::ChunkGrid::single(&shape))?
    } else {
        var.data().take(axis, &clamped)?
    };
    if r.iter().all(|p| p.is_some()) {
        return var.with_data(taken);
    }
    let n = r.len();
    let mask = ndarray::Array::from_shape_fn(ndarray::IxDyn(&[n]), |i| r[i[0]].is_some());
    let mut mask = LazyArray::from_ndarray(mask, &[n.max(1)])?;
    for _ in axis + 1..var.ndim() {
        mask = mask.expand_dims(mask.ndim())?;
    }
    let float = if var.dtype().is_float() {
        var.dtype()
    } else {
        DType::F64
    };
    var.with_data(mask.select_scalar(&taken.cast(float)?, f64::NAN)?)
}

/// Reindexes every coordinate with `dim`, installing the aligned index.
pub(crate) fn reindex_coords(
    coords: &Coords,
    a: &DimAlignment,
    r: Option<&Reindex>,
) -> Result<Coords> {
    coords.map_dim(&a.dim, |name, c| {
        if name == a.dim {
            let var = match r {
                Some(r) => reindex_variable(&c.var, &a.dim, r)?,
                None => c.var.clone(),
            };
            return Ok(Some(Coord {
                var: index_variable(&a.index, &var)?,
                index: Some(a.index.clone()),
            }));
        }
        Ok(Some(Coord {
            var: match r {
                Some(r) => reindex_variable(&c.var, &a.dim, r)?,
                None => c.var.clone(),
            },
            index: c.index.clone(),
        }))
    })
}

/// The coordinate variable holding an index's labels (for numeric indexes its
/// values; otherwise the existing variable, whose values are positions or instants).
fn index_variable(index: &Index, like: &Variable) -> Result<Variable> {
    match index.values() {
        IndexValues::Num(v) => {
            let n = v.len();
            let data = ndarray::Array::from_shape_vec(ndarray::IxDyn(&[n]), v.clone())
                .map_err(|e| Error::invalid(e.to_string()))?;
            let data = LazyArray::from_ndarray(data, &[n.max(1)])?.cast(like.dtype())?;
            like.with_data(data)
        }
        IndexValues::Time { values, .. } => {
            let n = values.len();
            let data = ndarray::Array::from_shape_vec(ndarray::IxDyn(&[n]), values.clone())
                .map_err(|e| Error::invalid(e.to_string()))?;
            like.with_data(LazyArray::from_ndarray(data, &[n.max(1)])?)
        }
        IndexValues::Str(v) => {
            let n = v.len();
            let pos = ndarray::Array::from_shape_fn(ndarray::IxDyn(&[n]), |i| i[0] as i64);
            like.with_data(LazyArray::from_ndarray(pos, &[n.max(1)])?)
        }
    }
}

/// Aligns the dims both coordinate sets index; returns one alignment per such dim.
pub(crate) fn align_coords(left: &Coords, right: &Coords, join: Join) -> Result<Vec<DimAlignment>> {
    let mut out = vec![];
    for (name, c) in left.iter() {
        if let (Some(li), Some(ri)) = (&c.index, right.index(name)) {
            out.push(align_indexes(li, ri, join)?);
        }
    }
    Ok(out)
}

/// Aligns two datasets on the dims both index, as `xarray.align(a, b, join=...)`.
pub fn align_datasets(a: &Dataset, b: &Dataset, join: Join) -> Result<(Dataset, Dataset)> {
    let mut a = a.clone();
    let mut b = b.clone();
    for al in align_coords(a.coords(), b.coords(), join)? {
        a = reindex_dataset(&a, &al, al.left.as_ref())?;
        b = reindex_dataset(&b, &al, al.right.as_ref())?;
    }
    Ok((a, b))
}

/// Aligns data arrays on every dimension some of them index, as
/// `xarray.align(*arrays, join=join)`: the indexes of each such dimension are joined
/// in turn, and every array is reindexed onto the result, with NaN where a label is
/// missing (integers become floats). [`Join::Exact`] refuses indexes that differ
/// with an [`Error::Alignment`] naming the dimension, as does a dimension without an
/// index whose length differs from the joined index. The arrays keep their names,
/// attributes and other coordinates.
///
/// ```
/// use ndarray::{Array, IxDyn};
/// use tessera::labelled::{DataArray, Join, align};
///
/// let a = DataArray::from_ndarray("a", ["x"], Array::from_elem(IxDyn(&[3]), 1.0f64), &[3])?
///     .with_coord_values("x", vec![0.0, 1.0, 2.0])?;
/// let b = DataArray::from_ndarray("b", ["x"], Array::from_elem(IxDyn(&[2]), 2.0f64), &[2])?
///     .with_coord_values("x", vec![1.0, 5.0])?;
/// let inner = align(&[&a, &b], Join::Inner)?;
/// assert_eq!(inner[0].shape(), &[1]);
/// let outer = align(&[&a, &b], Join::Outer)?;
/// assert_eq!(outer[1].values::<f64>()?.as_slice().unwrap()[1], 2.0);
/// assert!(outer[1].values::<f64>()?[[0]].is_nan());
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn align(arrays: &[&DataArray], join: Join) -> Result<Vec<DataArray>> {
    let sets = arrays
        .iter()
        .map(|a| array_as_dataset(a))
        .collect::<Result<Vec<_>>>()?;
    align_all(&sets, join, None)?
        .iter()
        .zip(arrays)
        .map(|(ds, a)| array_from_dataset(ds, a.name()))
        .collect()
}

/// Aligns any number of datasets, as `xarray.align(*datasets, join=join)`; see
/// [`align`] ([`align_datasets`] is the two-dataset form).
pub fn align_all_datasets(datasets: &[&Dataset], join: Join) -> Result<Vec<Dataset>> {
    let sets: Vec<Dataset> = datasets.iter().map(|d| (*d).clone()).collect();
    align_all(&sets, join, None)
}

/// Aligns two data arrays on the dims they both index (the alignment arithmetic
/// does before broadcasting by name).
pub fn align_pair(a: &DataArray, b: &DataArray, join: Join) -> Result<(DataArray, DataArray)> {
    let mut a = a.clone();
    let mut b = b.clone();
    for al in align_coords(a.coords(), b.coords(), join)? {
        a = reindex_array(&a, &al, al.left.as_ref())?;
        b = reindex_array(&b, &al, al.right.as_ref())?;
    }
    Ok((a, b))
}

/// One side of an alignment applied to a data array (`None`: its labels already match).
fn reindex_array(a: &DataArray, al: &DimAlignment, r: Option<&Reindex>) -> Result<DataArray> {
    let var = match r {
        Some(r) => reindex_variable(a.variable(), &al.dim, r)?,
        None => a.variable().clone(),
    };
    Ok(DataArray::from_parts(
        a.name().map(str::to_string),
        var,
        reindex_coords(a.coords(), al, r)?,
    ))
}

/// The name a data array's variable takes inside the datasets that [`align`] and
/// `concat` work on.
const ARRAY_KEY: &str = "<this-array>";

/// A data array as a dataset of one data variable (`ARRAY_KEY`) with its coordinates.
pub(crate) fn array_as_dataset(a: &DataArray) -> Result<Dataset> {
    let mut ds = Dataset::new();
    ds.insert(ARRAY_KEY, a.variable().clone())?;
    for (n, c) in a.coords().iter() {
        ds.coords_mut()
            .insert_with_index(n.clone(), c.var.clone(), c.index.clone());
    }
    Ok(ds)
}

/// The data array [`array_as_dataset`] wrapped, after the dataset was aligned or
/// concatenated.
pub(crate) fn array_from_dataset(ds: &Dataset, name: Option<&str>) -> Result<DataArray> {
    let var = ds
        .data_var(ARRAY_KEY)
        .ok_or_else(|| Error::internal("alignment", "the wrapped array's variable is missing"))?
        .clone();
    DataArray::new(name.map(str::to_string), var, ds.coords().clone())
}

/// Aligns every dataset on each dimension some of them index (except `exclude`):
/// the indexes are joined in turn, then each dataset is reindexed onto the result.
pub(crate) fn align_all(
    datasets: &[Dataset],
    join: Join,
    exclude: Option<&str>,
) -> Result<Vec<Dataset>> {
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
                out[i] = reindex_dataset(&out[i], &al, Some(&r))?;
            }
        }
    }
    Ok(out)
}

/// Names in order of first appearance.
pub(crate) fn union_names(lists: impl Iterator<Item = Vec<String>>) -> Vec<String> {
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

fn reindex_dataset(ds: &Dataset, al: &DimAlignment, r: Option<&Reindex>) -> Result<Dataset> {
    let mut out = ds.with_coords(reindex_coords(ds.coords(), al, r)?);
    if let Some(r) = r {
        out.clear_data_vars();
        for (n, v) in ds.data_vars() {
            out.insert(n.clone(), reindex_variable(v, &al.dim, r)?)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use super::*;

    fn array(name: &str, values: Vec<f64>, labels: Vec<f64>) -> DataArray {
        let n = values.len();
        DataArray::from_ndarray(
            name,
            ["x"],
            ArrayD::from_shape_vec(IxDyn(&[n]), values).expect("shape"),
            &[2],
        )
        .expect("array")
        .with_coord_values("x", labels)
        .expect("coord")
    }

    fn values(a: &DataArray) -> Vec<f64> {
        a.compute().expect("compute").to_f64_vec()
    }

    fn labels(a: &DataArray) -> IndexValues {
        a.coords().index("x").expect("index").values().clone()
    }

    /// Equal, NaN equal to NaN.
    fn same(got: &[f64], want: &[f64]) -> bool {
        got.len() == want.len()
            && got
                .iter()
                .zip(want)
                .all(|(g, w)| g == w || (g.is_nan() && w.is_nan()))
    }

    #[test]
    fn outer_join_takes_every_label_and_fills_nan_where_one_is_missing() {
        let nan = f64::NAN;
        let a = array("a", vec![1.0, 2.0, 3.0], vec![0.0, 1.0, 2.0]);
        let b = array("b", vec![5.0, 6.0], vec![3.0, 1.0]);
        let c = array("c", vec![7.0], vec![2.0]);
        let out = align(&[&a, &b, &c], Join::Outer).unwrap();
        assert_eq!(out.len(), 3);
        for (o, name) in out.iter().zip(["a", "b", "c"]) {
            assert_eq!(o.name(), Some(name));
            assert_eq!(labels(o), IndexValues::Num(vec![0.0, 1.0, 2.0, 3.0]));
        }
        assert!(same(&values(&out[0]), &[1.0, 2.0, 3.0, nan]));
        assert!(same(&values(&out[1]), &[nan, 6.0, nan, 5.0]));
        assert!(same(&values(&out[2]), &[nan, nan, 7.0, nan]));
        // Integers become floats to hold the NaN.
        let ints = DataArray::from_ndarray(
            "n",
            ["x"],
            ArrayD::from_shape_vec(IxDyn(&[2]), vec![4i32, 5]).unwrap(),
            &[2],
        )
        .unwrap()
        .with_coord_values("x", vec![0.0, 9.0])
        .unwrap();
        let out = align(&[&a, &ints], Join::Outer).unwrap();
        assert_eq!(out[1].dtype(), DType::F64);
        assert!(same(&values(&out[1]), &[4.0, nan, nan, 5.0]));
    }

    #[test]
    fn exact_join_refuses_indexes_that_differ_and_inner_keeps_the_common_labels() {
        let a = array("a", vec![1.0, 2.0, 3.0], vec![0.0, 1.0, 2.0]);
        let b = array("b", vec![5.0, 6.0], vec![2.0, 1.0]);
        let e = align(&[&a, &b], Join::Exact).unwrap_err();
        assert!(
            matches!(&e, Error::Alignment { dim, join, .. } if dim == "x" && join == "exact"),
            "{e}"
        );
        let same_labels = array("d", vec![0.0, 0.0, 0.0], vec![0.0, 1.0, 2.0]);
        assert_eq!(align(&[&a, &same_labels], Join::Exact).unwrap().len(), 2);
        let inner = align(&[&a, &b], Join::Inner).unwrap();
        assert_eq!(labels(&inner[0]), IndexValues::Num(vec![1.0, 2.0]));
        assert_eq!(values(&inner[0]), vec![2.0, 3.0]);
        assert_eq!(values(&inner[1]), vec![6.0, 5.0]);
    }

    #[test]
    fn an_unindexed_dimension_must_have_the_joined_length() {
        let a = array("a", vec![1.0, 2.0, 3.0], vec![0.0, 1.0, 2.0]);
        let bare =
            DataArray::from_ndarray("b", ["x"], ArrayD::from_elem(IxDyn(&[2]), 1.0f64), &[2])
                .unwrap();
        assert!(matches!(
            align(&[&a, &bare], Join::Outer),
            Err(Error::Alignment { .. })
        ));
        assert!(align(&[], Join::Outer).unwrap().is_empty());
    }

    #[test]
    fn many_datasets_align_as_many_arrays_do() {
        let sets: Vec<Dataset> = [
            array("a", vec![1.0, 2.0], vec![0.0, 1.0]),
            array("b", vec![3.0], vec![1.0]),
            array("c", vec![4.0, 5.0], vec![1.0, 2.0]),
        ]
        .iter()
        .map(|a| Dataset::from_array(a).unwrap())
        .collect();
        let aligned = align_all_datasets(&sets.iter().collect::<Vec<_>>(), Join::Inner).unwrap();
        for ds in &aligned {
            assert_eq!(
                ds.coords().index("x").unwrap().values(),
                &IndexValues::Num(vec![1.0])
            );
        }
        assert_eq!(values(&aligned[0].get("a").unwrap()), vec![2.0]);
        assert_eq!(values(&aligned[2].get("c").unwrap()), vec![4.0]);
    }
}
