//! CF conventions: decoding raw stored variables (packed integers, fill values,
//! numeric times) into what users compute with, and encoding them back on write.
//!
//! The raw form is what `xarray.open_zarr(store, decode_cf=False)` shows: stored
//! dtypes and values, with `scale_factor`, `add_offset`, `_FillValue`,
//! `missing_value`, `units`, `calendar`, … still in the attributes. Decoding moves
//! those keys into [`Variable::encoding`](super::Variable::encoding) so that
//! encoding restores them.
//!
//! Decoding is lazy: each variable becomes one elementwise expression over its
//! stored data (mask, scale, time offset fused into one program), computed only when
//! values are asked for. Decoded times are `I64` microseconds since 1970-01-01 in the
//! variable's calendar, with `calendar` and `units` in the encoding.
//!
//! Attributes are JSON (as Zarr stores them), so `scale_factor`/`add_offset` are
//! always double precision here; xarray reading the same Zarr store sees Python
//! floats too, so the dtype rules agree.
//!
//! ```
//! use ndarray::{Array, IxDyn};
//! use tessera::labelled::{DataArray, Dataset};
//! use tessera::labelled::{decode_cf, encode_cf, DecodeOptions};
//!
//! let raw = DataArray::from_ndarray("t", ["x"], Array::from_vec(vec![0i16, 10, -1]).into_dyn(), &[3])?;
//! let mut attrs = tessera::labelled::Attrs::new();
//! attrs.insert("scale_factor".into(), 0.5.into());
//! attrs.insert("_FillValue".into(), (-1).into());
//! let mut ds = Dataset::new();
//! ds.insert("t", raw.variable().clone().with_attrs(attrs))?;
//! let dec = decode_cf(&ds, &DecodeOptions::default())?;
//! let v = dec.get("t")?.values::<f64>()?;
//! assert_eq!((v[[1]], v[[2]].is_nan()), (5.0, true));
//! let back = encode_cf(&dec)?;
//! assert_eq!(back.get("t")?.values::<i16>()?.as_slice().unwrap(), &[0, 10, -1]);
//! # Ok::<(), tessera::Error>(())
//! ```

mod attrs;
mod mask_scale;
mod pipeline;
mod times;

#[cfg(feature = "netcdf")]
pub(crate) use attrs::ATTRIBUTE_DTYPES;

use super::{Attrs, Dataset, Variable};
use crate::Result;
use crate::engine::DType;

/// What [`decode_cf`] decodes (xarray's `decode_cf` keyword arguments).
#[derive(Clone, Debug)]
pub struct DecodeOptions {
    /// Apply `scale_factor`/`add_offset` and mask `_FillValue`/`missing_value`.
    pub mask_and_scale: bool,
    /// Also mask stored values outside `valid_min`/`valid_max`/`valid_range`, as CF
    /// says and netCDF4-python does (xarray does not, hence off by default).
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

/// Decodes every variable and coordinate of a raw dataset (lazily; dimension
/// coordinates build their index, which computes them).
pub fn decode_cf(raw: &Dataset, opts: &DecodeOptions) -> Result<Dataset> {
    let bounds = bounds_units(raw);
    rebuild(raw, |name, var| {
        if opts.skip_variables.iter().any(|s| s == name) {
            return Ok(var.clone());
        }
        match bounds.get(name) {
            Some(inherited) if !var.attrs().contains_key("units") => {
                let mut with_units = var.clone();
                with_units.attrs_mut().extend(inherited.clone());
                decode_variable(name, &with_units, opts)
            }
            _ => decode_variable(name, var, opts),
        }
    })
}

/// The `units`/`calendar` that bounds variables (named by a time variable's `bounds`
/// attribute) inherit, as CF says and xarray does.
fn bounds_units(ds: &Dataset) -> std::collections::HashMap<String, super::Attrs> {
    let vars = ds
        .coords()
        .iter()
        .map(|(_, c)| &c.var)
        .chain(ds.data_vars().map(|(_, v)| v));
    let mut out = std::collections::HashMap::new();
    for var in vars {
        let a = var.attrs();
        let is_time = a
            .get("units")
            .and_then(|u| u.as_str())
            .is_some_and(|u| u.to_ascii_lowercase().contains(" since "));
        if let (Some(bounds), true) = (a.get("bounds").and_then(|b| b.as_str()), is_time) {
            let inherited: super::Attrs = ["units", "calendar"]
                .iter()
                .filter_map(|k| a.get(*k).map(|v| (k.to_string(), v.clone())))
                .collect();
            out.insert(bounds.to_string(), inherited);
        }
    }
    out
}

/// Encodes a dataset for storage: the inverse of [`decode_cf`], driven by each
/// variable's encoding.
pub fn encode_cf(ds: &Dataset) -> Result<Dataset> {
    rebuild(ds, encode_variable)
}

fn rebuild(
    ds: &Dataset,
    mut f: impl FnMut(&str, &Variable) -> Result<Variable>,
) -> Result<Dataset> {
    let mut out = Dataset::new();
    for (name, c) in ds.coords().iter() {
        out.insert_coord(name.clone(), f(name, &c.var)?)?;
    }
    for (name, var) in ds.data_vars() {
        out.insert(name.clone(), f(name, var)?)?;
    }
    *out.attrs_mut() = ds.attrs().clone();
    Ok(out)
}

/// Decodes one variable as `xr.conventions.decode_cf_variable` does.
pub fn decode_variable(name: &str, var: &Variable, opts: &DecodeOptions) -> Result<Variable> {
    let mut attrs = var.attrs().clone();
    let mut encoding = var.encoding().clone();
    let stored = var.dtype();
    if var.is_strings() {
        // The charset was applied when the characters were read.
        move_key(&mut attrs, &mut encoding, "_Encoding");
    }
    let mut p = pipeline::Pipeline::new(stored);
    if opts.mask_and_scale {
        mask_scale::decode(
            name,
            &mut p,
            &mut attrs,
            &mut encoding,
            opts.mask_valid_range,
        )?;
    }
    if opts.decode_times {
        times::decode(name, &mut p, &mut attrs, &mut encoding)?;
    }
    encoding
        .entry("dtype")
        .or_insert_with(|| stored.name().into());
    let data = p.apply(var.data())?;
    Ok(var
        .with_data(data)?
        .with_attrs(attrs)
        .with_encoding(encoding))
}

/// Encodes one variable as xarray's `cf_encoder` does: times to numbers, scale and
/// offset removed, missing values filled, cast (rounding) to the stored dtype.
pub fn encode_variable(name: &str, var: &Variable) -> Result<Variable> {
    let mut attrs = var.attrs().clone();
    let mut encoding = var.encoding().clone();
    let target = match encoding.remove("dtype") {
        Some(d) => Some(dtype_named(name, &d)?),
        None => None,
    };
    let mut p = pipeline::Pipeline::new(var.dtype());
    let mut target = target;
    times::encode(name, var, &mut p, &mut attrs, &mut encoding, &mut target)?;
    mask_scale::encode(name, &mut p, &mut attrs, &mut encoding, target)?;
    let data = p.apply(var.data())?;
    // xarray marks float variables without a fill value as NaN-filled (Zarr spells
    // a NaN fill as the string "NaN").
    if data.dtype().is_float() && !attrs.contains_key("_FillValue") {
        attrs.insert("_FillValue".into(), "NaN".into());
    }
    Ok(var
        .with_data(data)?
        .with_attrs(attrs)
        .with_encoding(encoding))
}

fn dtype_named(name: &str, v: &serde_json::Value) -> Result<DType> {
    v.as_str()
        .and_then(DType::from_name)
        .ok_or_else(|| crate::Error::CfVariable {
            variable: name.to_string(),
            reason: format!("encoding dtype {v} is not a known dtype"),
        })
}

/// Moves `key` from `from` to `to` if present, returning its value.
fn move_key(from: &mut Attrs, to: &mut Attrs, key: &str) -> Option<serde_json::Value> {
    let v = from.remove(key)?;
    to.insert(key.to_string(), v.clone());
    Some(v)
}
