//! The one primitive under `reindex`, `pad`, `roll`, `sortby`, `head`/`tail`/`thin`:
//! a list of source positions along a dimension, `None` where the result holds a
//! fill value. It becomes one engine `take` (which reads only the input chunks
//! holding the positions) and, where some positions are missing, one `select`.

use crate::engine::{DType, LazyArray, Scalar};
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// Source positions along a dimension (`None`: fill).
pub(crate) type Sources = Vec<Option<usize>>;

/// What missing positions hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fill {
    /// NaN (integers become float64, instants NaT), xarray's default.
    Missing,
    /// A value: integer data stay integers under an integer value and become float64
    /// under a float one (numpy's promotion, as xarray).
    Value(Scalar),
}

/// The dtype a variable takes when positions are missing and filled with `fill`.
fn filled_dtype(dtype: DType, fill: Fill) -> DType {
    match fill {
        _ if dtype.is_float() => dtype,
        Fill::Value(Scalar::Int(_) | Scalar::UInt(_)) if dtype != DType::Bool => dtype,
        _ => DType::F64,
    }
}

/// A 1-D mask laid along `axis` of an `ndim`-D array.
fn mask_along(keep: Vec<bool>, axis: usize, ndim: usize, chunks: &[usize]) -> Result<LazyArray> {
    let n = keep.len();
    let data = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), keep)
        .map_err(|e| Error::internal("reindex", e.to_string()))?;
    let grid = crate::engine::ChunkGrid::new(vec![chunks.to_vec()])?;
    let mut m = LazyArray::from_data(crate::engine::ArrayData::new(data), grid)?;
    for _ in axis + 1..ndim {
        m = m.expand_dims(m.ndim())?;
    }
    Ok(m)
}

/// Takes `sources` along `dim` of a variable (unchanged if it lacks the dim), filling
/// the missing positions.
pub(crate) fn take_filled(
    var: &Variable,
    dim: &str,
    sources: &[Option<usize>],
    fill: Fill,
) -> Result<Variable> {
    let Some(axis) = var.dims().iter().position(|d| d == dim) else {
        return Ok(var.clone());
    };
    let n = var.shape()[axis];
    let complete = sources.iter().all(Option::is_some);
    let taken = if n == 0 {
        let mut shape = var.shape().to_vec();
        shape[axis] = sources.len();
        let zeros = crate::engine::ArrayData::zeros(var.dtype(), &shape);
        LazyArray::from_data(zeros, crate::engine::ChunkGrid::single(&shape))?
    } else {
        let clamped: Vec<usize> = sources.iter().map(|p| p.unwrap_or(0)).collect();
        var.data().take(axis, &clamped)?
    };
    if complete {
        return var.with_data(taken);
    }
    ensure_fillable(var, dim)?;
    let keep: Vec<bool> = sources.iter().map(Option::is_some).collect();
    let mask = mask_along(keep, axis, var.ndim(), taken.chunks().axis_chunks(axis))?;
    if var.is_datetime() {
        return var.with_data(mask.select_scalar(&taken, Scalar::Int(crate::time::NAT))?);
    }
    let dtype = filled_dtype(var.dtype(), fill);
    let value = match fill {
        Fill::Missing => f64::NAN,
        Fill::Value(v) => v.as_f64(),
    };
    let taken = taken.cast(dtype)?;
    let scalar = if dtype.is_float() {
        Scalar::Float(value)
    } else {
        Scalar::Int(value as i64)
    };
    var.with_data(mask.select_scalar(&taken, scalar)?.cast(dtype)?)
}

fn ensure_fillable(var: &Variable, dim: &str) -> Result<()> {
    if var.is_strings() || var.is_opaque() {
        return Err(Error::invalid(format!(
            "cannot fill missing positions along {dim:?} in a variable of strings or of an opaque dtype"
        )));
    }
    Ok(())
}

/// Takes `sources` along `dim` from every data variable (missing positions hold
/// `fill`) and, when `coord_fill` is given, from every coordinate with the dim too
/// (missing positions hold `coord_fill`; a dimension coordinate's index is rebuilt
/// from its new values). Without `coord_fill` the coordinates are kept as they are.
pub(crate) fn take_dataset(
    ds: &crate::labelled::Dataset,
    dim: &str,
    sources: &[Option<usize>],
    fill: Fill,
    coord_fill: Option<Fill>,
) -> Result<crate::labelled::Dataset> {
    let mut out = crate::labelled::Dataset::new();
    for (name, var) in ds.data_vars() {
        out.insert(name.clone(), take_filled(var, dim, sources, fill)?)?;
    }
    let mut coords = crate::labelled::Coords::new();
    for (name, c) in ds.coords().iter() {
        match coord_fill {
            Some(cf) if c.var.has_dim(dim) => {
                let var = take_filled(&c.var, dim, sources, cf)?;
                if c.index.is_some() {
                    coords.insert(name.clone(), var)?;
                } else {
                    coords.insert_with_index(name.clone(), var, None);
                }
            }
            _ => coords.insert_with_index(name.clone(), c.var.clone(), c.index.clone()),
        }
    }
    *out.coords_mut() = coords;
    *out.attrs_mut() = ds.attrs().clone();
    Ok(out)
}

/// The length of `dim` in a dataset, or the error naming the dims it has.
pub(crate) fn dim_len(ds: &crate::labelled::Dataset, dim: &str) -> Result<usize> {
    ds.dim_len(dim).ok_or_else(|| Error::UnknownDimension {
        dim: dim.to_string(),
        dims: ds.dims().into_iter().map(|(d, _)| d).collect(),
    })
}
