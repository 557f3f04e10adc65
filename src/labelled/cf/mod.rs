//! CF conventions: decoding raw stored variables (packed integers, fill values,
//! numeric times) into what users compute with, and encoding them back on write.
//!
//! The raw form is what `xarray.open_zarr(store, decode_cf=False)` shows: stored
//! dtypes and values, with `scale_factor`, `add_offset`, `_FillValue`,
//! `missing_value`, `units`, `calendar`, … still in the attributes. Decoding moves
//! those keys into [`Variable::encoding`] (with the stored `dtype`), so encoding
//! restores them. Decoding is lazy: masks and scales are elementwise engine ops that
//! fuse with whatever follows, times a blockwise map.
//!
//! Fill values are numbers or the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON
//! has no non-finite numbers; these are Zarr's spellings).

mod mask_scale;
mod times;

use super::{Dataset, Variable};
use crate::Result;

pub use mask_scale::float_attr;

/// What [`decode_cf`] decodes (xarray's `decode_cf` keyword arguments).
#[derive(Clone, Debug)]
pub struct DecodeOptions {
    /// Apply `scale_factor`/`add_offset` and mask `_FillValue`/`missing_value`.
    pub mask_and_scale: bool,
    /// Also mask values outside `valid_min`/`valid_max`/`valid_range`, as CF says
    /// and netCDF4-python does (xarray does not, hence off by default).
    pub mask_valid_range: bool,
    /// Decode `<unit> since <date>` variables into datetimes.
    pub decode_times: bool,
    /// Variables left exactly as stored.
    pub skip_variables: Vec<String>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            mask_and_scale: true,
            mask_valid_range: false,
            decode_times: true,
            skip_variables: Vec::new(),
        }
    }
}

/// Decodes every variable and coordinate of a raw dataset (lazily).
pub fn decode_cf(raw: &Dataset, opts: &DecodeOptions) -> Result<Dataset> {
    let bounds = times::bounds_units(raw);
    map_variables(raw, |name, var| {
        if opts.skip_variables.iter().any(|s| s == name) {
            return Ok(var.clone());
        }
        let var = match bounds.get(name) {
            Some(inherited) if var.attrs().get("units").is_none() => {
                let mut v = var.clone();
                v.attrs_mut().extend(inherited.clone());
                v
            }
            _ => var.clone(),
        };
        decode_variable(name, &var, opts)
    })
}

/// Decodes one variable: mask and scale, then times.
pub fn decode_variable(name: &str, var: &Variable, opts: &DecodeOptions) -> Result<Variable> {
    let mut var = var.clone();
    if opts.mask_and_scale {
        var = mask_scale::decode(name, &var, opts.mask_valid_range)?;
    }
    if opts.decode_times {
        var = times::decode(name, &var)?;
    }
    Ok(var)
}

/// Encodes a dataset for storage: the inverse of [`decode_cf`], driven by each
/// variable's encoding.
pub fn encode_cf(ds: &Dataset) -> Result<Dataset> {
    map_variables(ds, encode_variable)
}

/// Encodes one variable: times to numbers, then packing and fill values.
pub fn encode_variable(name: &str, var: &Variable) -> Result<Variable> {
    let var = times::encode(name, var)?;
    mask_scale::encode(name, &var)
}

/// The same dataset with `f` applied to every coordinate and data variable.
fn map_variables(
    ds: &Dataset,
    mut f: impl FnMut(&str, &Variable) -> Result<Variable>,
) -> Result<Dataset> {
    let mut out = Dataset::new();
    for (name, coord) in ds.coords().iter() {
        out.insert_coord(name.as_str(), f(name, &coord.var)?)?;
    }
    for (name, var) in ds.data_vars() {
        out.insert(name.as_str(), f(name, var)?)?;
    }
    *out.attrs_mut() = ds.attrs().clone();
    Ok(out)
}
