//! Statistics of several arrays: `dot` (xarray's `xr.dot`: products summed over
//! shared dims), `cov` and `corr` with xarray's pairwise-valid NaN handling. Each is
//! a few elementwise products fused into reductions; nothing is read eagerly.

use super::arith::merged_attrs;
use super::reduce::{Dims, ReduceArgs};
use crate::engine::{BinaryOp, DType, ReduceKind};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::structure::align::{Join, align};
use crate::{Error, Result};

/// `xarray.dot(*arrays, dim=...)`: the product of the arrays (aligned on their
/// indexes, inner join, and broadcast by name) summed over `dims`. `None` sums over
/// the dims found in more than one array, [`Dims::All`] over every dim. NaN
/// propagates, as in numpy's `einsum`. The result's dims keep their order of first
/// appearance; coordinates along summed dims are dropped; the result has the first
/// array's name and attributes (as xarray 2026).
///
/// ```
/// use ndarray::array;
/// use tessera::labelled::{DataArray, dot};
///
/// let a = DataArray::from_ndarray("a", ["x", "y"], array![[1.0, 2.0], [3.0, 4.0]].into_dyn(), &[1, 2])?;
/// let b = DataArray::from_ndarray("b", ["y"], array![10.0, 1.0].into_dyn(), &[2])?;
/// let d = dot(&[&a, &b], None)?;
/// assert_eq!(d.dims(), ["x"]);
/// assert_eq!(d.values::<f64>()?.as_slice().unwrap(), &[12.0, 34.0]);
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn dot(arrays: &[&DataArray], dims: Option<Dims>) -> Result<DataArray> {
    let first = arrays
        .first()
        .ok_or_else(|| Error::invalid("dot needs at least one array"))?;
    let all: Vec<String> = union(arrays.iter().map(|a| a.dims().to_vec()));
    let summed: Vec<String> = match dims {
        None => all
            .iter()
            .filter(|d| arrays.iter().filter(|a| a.dims().contains(d)).count() > 1)
            .cloned()
            .collect(),
        Some(Dims::All) => all.clone(),
        Some(Dims::Names(names)) => {
            if let Some(d) = names.iter().find(|d| !all.contains(d)) {
                return Err(Error::UnknownDimension {
                    dim: d.clone(),
                    dims: all,
                });
            }
            names
        }
    };
    let aligned = align(arrays, Join::Inner)?;
    let mut product = aligned[0].clone();
    for a in &aligned[1..] {
        product = product.binary(BinaryOp::Mul, a)?;
    }
    let result = if summed.is_empty() {
        product
    } else {
        product.reduce(
            ReduceKind::Sum,
            Dims::Names(summed),
            ReduceArgs {
                skipna: Some(false),
                ..Default::default()
            },
        )?
    };
    // Named and attributed after the first array, as xarray 2026's apply_ufunc does.
    Ok(result
        .with_attrs(first.attrs().clone())
        .rename_opt(first.name()))
}

/// Names in order of first appearance.
fn union(lists: impl Iterator<Item = Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for l in lists {
        for d in l {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

impl DataArray {
    /// `DataArray.dot(other, dim)`: [`dot`] of the two arrays.
    pub fn dot(&self, other: &DataArray, dims: Option<Dims>) -> Result<DataArray> {
        dot(&[self, other], dims)
    }
}

/// Which statistic [`cov_corr`] returns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Cov(usize),
    Corr,
}

/// `xarray.cov(a, b, dim, ddof)`: the covariance along `dims` over the positions where
/// both arrays are valid (aligned with an inner join and broadcast by name), scaled by
/// `n / (n - ddof)` for `n` such positions. xarray's default `ddof` is 1.
///
/// ```
/// use ndarray::array;
/// use tessera::labelled::{DataArray, cov};
///
/// let a = DataArray::from_ndarray("a", ["t"], array![1.0, 2.0, 3.0, f64::NAN].into_dyn(), &[2])?;
/// let b = DataArray::from_ndarray("b", ["t"], array![2.0, 4.0, 7.0, 1.0].into_dyn(), &[4])?;
/// let c = cov(&a, &b, "t", 1)?.values::<f64>()?;
/// assert!((c[[]] - 2.5).abs() < 1e-12);
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn cov(a: &DataArray, b: &DataArray, dims: impl Into<Dims>, ddof: usize) -> Result<DataArray> {
    cov_corr(a, b, dims.into(), Method::Cov(ddof))
}

/// `xarray.corr(a, b, dim)`: Pearson's correlation along `dims` over the positions
/// where both arrays are valid (as [`cov`]).
pub fn corr(a: &DataArray, b: &DataArray, dims: impl Into<Dims>) -> Result<DataArray> {
    cov_corr(a, b, dims.into(), Method::Corr)
}

/// xarray's `_cov_corr`, step by step.
fn cov_corr(a: &DataArray, b: &DataArray, dims: Dims, method: Method) -> Result<DataArray> {
    let aligned = align(&[a, b], Join::Inner)?;
    let (a, b) = (&aligned[0], &aligned[1]);
    if let Dims::Names(names) = &dims {
        for d in names {
            if !a.dims().contains(d) && !b.dims().contains(d) {
                return Err(Error::UnknownDimension {
                    dim: d.clone(),
                    dims: union([a.dims().to_vec(), b.dims().to_vec()].into_iter()),
                });
            }
        }
    }
    let valid = a.notnull()?.binary(BinaryOp::And, &b.notnull()?)?;
    let a = a.where_(&valid, None)?;
    let b = b.where_(&valid, None)?;
    let dims = match dims {
        Dims::All => Dims::Names(a.dims().to_vec()),
        d => d,
    };
    let da = a.binary(BinaryOp::Sub, &a.mean(dims.clone())?)?;
    let db = b.binary(BinaryOp::Sub, &b.mean(dims.clone())?)?;
    let cov = da.binary(BinaryOp::Mul, &db)?.mean(dims.clone())?;
    let out = match method {
        Method::Cov(ddof) => {
            let n = valid.astype(DType::F64)?.sum(dims)?;
            let adjust = n.binary(
                BinaryOp::Div,
                &n.binary_scalar(BinaryOp::Sub, ddof as f64, false)?,
            )?;
            cov.binary(BinaryOp::Mul, &adjust)?
        }
        Method::Corr => {
            let sa = a.std(dims.clone(), 0)?;
            let sb = b.std(dims, 0)?;
            cov.binary(BinaryOp::Div, &sa.binary(BinaryOp::Mul, &sb)?)?
        }
    };
    let name = if a.name() == b.name() { a.name() } else { None };
    // Attributes merged, conflicting ones dropped (xarray's "drop_conflicts").
    Ok(out
        .with_attrs(merged_attrs(a.attrs(), b.attrs()))
        .rename_opt(name))
}
