//! How one CF-encoded variable is stored in a netCDF file: its netCDF type, chunks,
//! compression and attributes, from its encoding (xarray's
//! `_extract_nc4_variable_encoding`) and the file format's type rules
//! (`coerce_nc3_dtype`, `EncodedStringCoder`, `CharacterArrayCoder`).

use std::sync::Arc;

use netcdf::AttributeValue;
use netcdf::types::{FloatType, IntType, NcVariableType};
use serde_json::Value;

use super::write::write_error;
use super::write_attrs::{json_attr, typed_attr};
use super::write_options::NetcdfFormat;
use crate::engine::{ChunkGrid, DType, LazyArray};
use crate::labelled::cf::ATTRIBUTE_DTYPES;
use crate::labelled::{Attrs, Variable};
use crate::{Error, Result};

/// Storage keys a variable's encoding may hold (besides the CF keys `encode_cf`
/// consumes); an override naming any other key is an error, as in xarray.
pub(super) const STORAGE_KEYS: [&str; 7] = [
    "zlib",
    "complevel",
    "shuffle",
    "chunksizes",
    "contiguous",
    "endian",
    "compression",
];

/// Encoding keys `encode_cf` turns into attributes and data, and `coordinates`.
pub(super) const CF_KEYS: [&str; 8] = [
    "dtype",
    "_FillValue",
    "missing_value",
    "scale_factor",
    "add_offset",
    "units",
    "calendar",
    "coordinates",
];

/// Filters xarray knows but this writer cannot apply: refused when asked for.
pub(super) const UNSUPPORTED_FILTERS: [&str; 6] = [
    "szip",
    "zstd",
    "bzip2",
    "blosc",
    "fletcher32",
    "quantize_mode",
];

/// HDF5 chunks chosen from engine chunks are cut down to about this many bytes, so a
/// single-chunk in-memory array does not become one huge HDF5 chunk.
const MAX_DEFAULT_CHUNK_BYTES: usize = 16 << 20;

/// What the values of a stored variable are.
#[derive(Clone, Debug)]
pub(super) enum Values {
    /// Numbers of the stored dtype; data of another dtype are cast chunk by chunk,
    /// refusing values that change (netCDF-3's `coerce_nc3_dtype`).
    Numeric(DType),
    /// `NC_STRING` values looked up from the string table.
    Strings(Arc<Vec<String>>),
    /// UTF-8 bytes padded with NULs to `width` along a last `string<width>` dim.
    Chars(Arc<Vec<String>>, usize),
}

/// Everything needed to define one variable and fill it.
pub(super) struct VarPlan {
    pub name: String,
    /// Dims in the file (with the `string<N>` dim last for char arrays).
    pub dims: Vec<String>,
    /// Length of each dim in `dims`.
    pub shape: Vec<usize>,
    pub nctype: NcVariableType,
    pub values: Values,
    /// HDF5 chunk shape (`None`: contiguous or netCDF-3).
    pub chunking: Option<Vec<usize>>,
    /// zlib level and shuffle.
    pub deflate: Option<(i32, bool)>,
    pub endian: Option<netcdf::Endianness>,
    pub attrs: Vec<(String, AttributeValue)>,
    /// The data, chunked so that each task writes whole HDF5 chunks.
    pub data: LazyArray,
}

/// The netCDF type of a numeric dtype.
pub(super) fn nc_type(dtype: DType) -> Option<NcVariableType> {
    use NcVariableType as V;
    Some(match dtype {
        DType::I8 => V::Int(IntType::I8),
        DType::U8 => V::Int(IntType::U8),
        DType::I16 => V::Int(IntType::I16),
        DType::U16 => V::Int(IntType::U16),
        DType::I32 => V::Int(IntType::I32),
        DType::U32 => V::Int(IntType::U32),
        DType::I64 => V::Int(IntType::I64),
        DType::U64 => V::Int(IntType::U64),
        DType::F32 => V::Float(FloatType::F32),
        DType::F64 => V::Float(FloatType::F64),
        DType::Bool => return None,
    })
}

/// The dtype a numeric dtype is stored as in `format` (xarray's netCDF-3 coercions;
/// booleans become int8 everywhere, with a `dtype = "bool"` attribute).
fn stored_dtype(dtype: DType, format: NetcdfFormat) -> DType {
    if !format.classic_model() {
        return if dtype == DType::Bool {
            DType::I8
        } else {
            dtype
        };
    }
    match dtype {
        DType::I64 | DType::U64 | DType::U32 => DType::I32,
        DType::U16 => DType::I16,
        DType::U8 | DType::Bool => DType::I8,
        d => d,
    }
}

/// Plans one CF-encoded variable (`var` as `encode_cf` left it: stored dtype, CF
/// attributes, storage keys in its encoding).
pub(super) fn plan_variable(
    file: &str,
    format: NetcdfFormat,
    name: &str,
    var: &Variable,
    unlimited: &[String],
    as_chars: bool,
) -> Result<VarPlan> {
    let fail = |message: String| write_error(file, name, message);
    let enc = var.encoding();
    let mut attrs: Attrs = var.attrs().clone();
    let fill = attrs.remove("_FillValue");
    let mut dims: Vec<String> = var.dims().to_vec();
    let mut shape: Vec<usize> = var.shape().to_vec();
    let (values, nctype, data) = match var.categories() {
        Some(table) if format == NetcdfFormat::Netcdf4 && !as_chars => {
            // A char array's encoding, which the reader leaves in the attributes.
            attrs.remove("_Encoding");
            (
                Values::Strings(table.clone()),
                NcVariableType::String,
                var.data().clone(),
            )
        }
        Some(table) => {
            let width = table.iter().map(String::len).max().unwrap_or(0).max(1);
            dims.push(format!("string{width}"));
            shape.push(width);
            attrs.insert("_Encoding".into(), "utf-8".into());
            (
                Values::Chars(table.clone(), width),
                NcVariableType::Char,
                var.data().clone(),
            )
        }
        None => {
            let stored = stored_dtype(var.dtype(), format);
            if var.dtype() == DType::Bool {
                attrs.insert("dtype".into(), "bool".into());
            }
            let nctype = nc_type(stored)
                .ok_or_else(|| fail(format!("{} has no netCDF type", var.dtype())))?;
            (Values::Numeric(stored), nctype, var.data().clone())
        }
    };
    let numeric = match &values {
        Values::Numeric(d) => Some(*d),
        _ => None,
    };
    let mut out_attrs = vec![];
    match (&fill, numeric) {
        // `_FillValue: null` is xarray's "no fill value".
        (None | Some(Value::Null), _) => {}
        (Some(v), Some(d)) => out_attrs.push((
            "_FillValue".to_string(),
            typed_attr(v, d).map_err(|m| fail(format!("_FillValue {v}: {m}")))?,
        )),
        // Strings have no fill value in xarray's encoding.
        (Some(_), None) => {}
    }
    // The types the reader found for numeric attributes (a float32 `scale_factor`
    // keeps packed int16 decoding to float32 when read again).
    let recorded = |key: &str| {
        enc.get(ATTRIBUTE_DTYPES)
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .and_then(DType::from_name)
            .filter(|d| !format.classic_model() || !matches!(d, DType::I64 | DType::U64))
    };
    for (key, v) in &attrs {
        let value = match (numeric, recorded(key)) {
            (Some(d), _) if is_typed_attr(key) => typed_attr(v, d),
            (_, Some(d)) if v.is_number() || v.is_array() => typed_attr(v, d),
            _ => json_attr(v, format),
        }
        .map_err(|m| fail(format!("attribute {key:?} = {v}: {m}")))?;
        out_attrs.push((key.clone(), value));
    }

    let storage = storage_options(file, name, enc)?;
    let has_unlimited = dims.iter().any(|d| unlimited.contains(d));
    let chunked_format = !format.classic_model() || format == NetcdfFormat::Netcdf4Classic;
    let empty_fixed = dims
        .iter()
        .zip(&shape)
        .any(|(d, &n)| n == 0 && !unlimited.contains(d));
    // Without chunks asked for, xarray leaves netCDF-C's default: contiguous unless
    // compressed or unlimited. Data in several engine chunks (a file opened here, whose
    // engine chunks are its HDF5 chunks; a dask-like array) keeps them as HDF5 chunks,
    // as `to_zarr` does, so each task writes whole HDF5 chunks.
    let single_chunk = var.data().chunks().chunks().iter().all(|c| c.len() <= 1);
    let contiguous = !has_unlimited
        && (storage.contiguous
            || (storage.chunksizes.is_none() && storage.deflate.is_none() && single_chunk));
    let chunking = if !chunked_format || dims.is_empty() || contiguous || empty_fixed {
        None
    } else {
        Some(chunk_shape(
            file,
            name,
            var,
            &dims,
            &shape,
            unlimited,
            storage.chunksizes.as_deref(),
            nctype.size(),
        )?)
    };
    if storage.deflate.is_some() && storage.contiguous && chunked_format {
        return Err(fail(
            "zlib compression needs chunked storage, but the encoding asks for contiguous".into(),
        ));
    }
    // netCDF-3 has no compression; xarray ignores these keys there too.
    let deflate = if chunking.is_some() {
        storage.deflate
    } else {
        None
    };
    let data = match &chunking {
        // The string dim is not a dim of the data: drop its chunk.
        Some(chunks) => align_to(&data, &chunks[..var.ndim()])?,
        None => data,
    };
    Ok(VarPlan {
        name: name.to_string(),
        dims,
        shape,
        nctype,
        values,
        chunking,
        deflate,
        endian: if format.classic_model() && format != NetcdfFormat::Netcdf4Classic {
            None
        } else {
            storage.endian
        },
        attrs: out_attrs,
        data,
    })
}

/// Attributes CF says have the variable's type.
fn is_typed_attr(key: &str) -> bool {
    matches!(
        key,
        "missing_value" | "valid_min" | "valid_max" | "valid_range" | "flag_values" | "flag_masks"
    )
}

/// The storage keys of an encoding, checked.
struct Storage {
    deflate: Option<(i32, bool)>,
    chunksizes: Option<Vec<usize>>,
    contiguous: bool,
    endian: Option<netcdf::Endianness>,
}

fn storage_options(file: &str, name: &str, enc: &Attrs) -> Result<Storage> {
    let fail = |key: &str, v: &Value, why: &str| {
        write_error(file, name, format!("encoding {key:?} = {v}: {why}"))
    };
    let flag = |key: &str| -> Result<bool> {
        match enc.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) if v.as_i64().is_some() => Ok(v.as_i64() != Some(0)),
            Some(v) => Err(fail(key, v, "must be true or false")),
        }
    };
    for key in UNSUPPORTED_FILTERS {
        if let Some(v) = enc.get(key)
            && !matches!(v, Value::Null | Value::Bool(false))
        {
            return Err(fail(key, v, "this filter is not supported (only zlib)"));
        }
    }
    let mut zlib = flag("zlib")?;
    match enc.get("compression") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "zlib" || s == "gzip" => zlib = true,
        Some(v) => return Err(fail("compression", v, "only \"zlib\" is supported")),
    }
    let level = match enc.get("complevel") {
        None | Some(Value::Null) => 4,
        Some(v) => match v.as_i64() {
            Some(l @ 0..=9) => l as i32,
            _ => return Err(fail("complevel", v, "must be an integer from 0 to 9")),
        },
    };
    // netCDF4-python shuffles by default when compressing.
    let shuffle = match enc.get("shuffle") {
        None | Some(Value::Null) => true,
        Some(_) => flag("shuffle")?,
    };
    let chunksizes = match enc.get("chunksizes") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|c| c.as_u64().filter(|&c| c > 0).map(|c| c as usize))
                .collect::<Option<Vec<usize>>>()
                .ok_or_else(|| {
                    fail(
                        "chunksizes",
                        &Value::Array(items.clone()),
                        "must be positive integers",
                    )
                })?,
        ),
        Some(v) => return Err(fail("chunksizes", v, "must be a list of integers")),
    };
    let endian = match enc.get("endian") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "native" => Some(netcdf::Endianness::Native),
        Some(Value::String(s)) if s == "little" => Some(netcdf::Endianness::Little),
        Some(Value::String(s)) if s == "big" => Some(netcdf::Endianness::Big),
        Some(v) => {
            return Err(fail(
                "endian",
                v,
                "must be \"native\", \"little\" or \"big\"",
            ));
        }
    };
    Ok(Storage {
        deflate: zlib.then_some((level, shuffle)),
        chunksizes,
        contiguous: flag("contiguous")?,
        endian,
    })
}

/// The HDF5 chunk shape: the encoding's `chunksizes` (cut to fixed dims' lengths, as
/// netCDF-C requires), else the data's engine chunks cut to
/// [`MAX_DEFAULT_CHUNK_BYTES`], so an opened file keeps its chunks and each task
/// writes whole HDF5 chunks.
#[allow(clippy::too_many_arguments)]
fn chunk_shape(
    file: &str,
    name: &str,
    var: &Variable,
    dims: &[String],
    shape: &[usize],
    unlimited: &[String],
    given: Option<&[usize]>,
    item: usize,
) -> Result<Vec<usize>> {
    let fit = |axis: usize, c: usize| -> usize {
        if unlimited.contains(&dims[axis]) {
            c.max(1)
        } else {
            c.clamp(1, shape[axis].max(1))
        }
    };
    if let Some(given) = given {
        if given.len() != var.ndim() && given.len() != dims.len() {
            return Err(write_error(
                file,
                name,
                format!(
                    "encoding chunksizes {given:?} has {} lengths for the dims {dims:?}",
                    given.len()
                ),
            ));
        }
        let mut out: Vec<usize> = given.iter().enumerate().map(|(a, &c)| fit(a, c)).collect();
        // The string dim of a char array, if not given, is one chunk.
        out.extend_from_slice(&shape[given.len()..]);
        return Ok(out);
    }
    let grid = var.data().chunks();
    let mut out: Vec<usize> = (0..dims.len())
        .map(|a| {
            if a < var.ndim() {
                fit(a, grid.axis_chunks(a).first().copied().unwrap_or(1))
            } else {
                shape[a]
            }
        })
        .collect();
    while out.iter().product::<usize>() * item > MAX_DEFAULT_CHUNK_BYTES {
        let Some(axis) = (0..var.ndim())
            .filter(|&a| out[a] > 1)
            .max_by_key(|&a| out[a])
        else {
            break;
        };
        out[axis] = out[axis].div_ceil(2);
    }
    Ok(out)
}

/// The data rechunked so that every task covers whole HDF5 chunks: along each axis
/// the largest multiple of the HDF5 chunk not above the engine chunk (at least one).
/// A no-op when the engine chunks already are such multiples.
fn align_to(data: &LazyArray, hdf5: &[usize]) -> Result<LazyArray> {
    let chunks: Vec<Vec<usize>> = (0..data.ndim())
        .map(|a| {
            let n = data.shape()[a];
            let c = hdf5[a].max(1);
            let engine = data.chunks().axis_chunks(a).first().copied().unwrap_or(c);
            let step = (engine / c).max(1) * c;
            let mut out = vec![];
            let mut pos = 0;
            while pos < n {
                out.push(step.min(n - pos));
                pos += step;
            }
            if out.is_empty() {
                out.push(0);
            }
            out
        })
        .collect();
    data.rechunk(ChunkGrid::new(chunks)?)
}

/// Checks an encoding override's keys and that its variable exists.
pub(super) fn check_override(
    file: &str,
    name: &str,
    enc: &Value,
    names: &[String],
) -> Result<Attrs> {
    if !names.iter().any(|n| n == name) {
        return Err(Error::UnknownVariable {
            name: name.to_string(),
            available: names.to_vec(),
        });
    }
    let Value::Object(map) = enc else {
        return Err(write_error(
            file,
            name,
            format!("the encoding {enc} is not a JSON object"),
        ));
    };
    let known = |k: &str| {
        STORAGE_KEYS.contains(&k) || CF_KEYS.contains(&k) || UNSUPPORTED_FILTERS.contains(&k)
    };
    let unknown: Vec<&String> = map.keys().filter(|k| !known(k)).collect();
    if !unknown.is_empty() {
        return Err(write_error(
            file,
            name,
            format!(
                "unexpected encoding keys {unknown:?}; valid keys are {:?}",
                STORAGE_KEYS.iter().chain(&CF_KEYS).collect::<Vec<_>>()
            ),
        ));
    }
    Ok(map.clone())
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};
    use serde_json::json;

    use super::*;

    fn var(shape: &[usize], chunks: &[usize]) -> Variable {
        let a = ArrayD::<f32>::zeros(IxDyn(shape));
        let dims: Vec<String> = (0..shape.len()).map(|i| format!("d{i}")).collect();
        Variable::new(dims, LazyArray::from_ndarray(a, chunks).unwrap()).unwrap()
    }

    fn plan(v: &Variable, enc: serde_json::Value, unlimited: &[&str]) -> Result<VarPlan> {
        let Value::Object(enc) = enc else { panic!() };
        let unlimited: Vec<String> = unlimited.iter().map(|s| s.to_string()).collect();
        let v = v.clone().with_encoding(enc);
        plan_variable("f.nc", NetcdfFormat::Netcdf4, "v", &v, &unlimited, false)
    }

    #[test]
    fn tasks_cover_whole_hdf5_chunks() {
        let v = var(&[10, 7], &[4, 7]);
        let p = plan(&v, json!({"chunksizes": [2, 3]}), &[]).unwrap();
        assert_eq!(p.chunking, Some(vec![2, 3]));
        // 4 is a multiple of 2; 7 is not of 3: the task length is 6.
        assert_eq!(p.data.chunks().chunks(), &[vec![4, 4, 2], vec![6, 1]]);
        // Engine chunks smaller than the HDF5 chunk grow to one HDF5 chunk.
        let v = var(&[10], &[1]);
        let p = plan(&v, json!({"chunksizes": [4], "zlib": true}), &[]).unwrap();
        assert_eq!(p.data.chunks().chunks(), &[vec![4, 4, 2]]);
        assert_eq!(p.deflate, Some((4, true)));
    }

    #[test]
    fn storage_defaults_follow_xarray_and_the_engine_chunks() {
        // One engine chunk, nothing asked: contiguous, as netCDF-C's default.
        let p = plan(&var(&[10, 7], &[10, 7]), json!({}), &[]).unwrap();
        assert_eq!(p.chunking, None);
        // Several engine chunks become the HDF5 chunks.
        let p = plan(&var(&[10, 7], &[5, 7]), json!({}), &[]).unwrap();
        assert_eq!(p.chunking, Some(vec![5, 7]));
        // Unlimited dims are always chunked; chunks along them may exceed the length.
        let p = plan(&var(&[3], &[3]), json!({"chunksizes": [8]}), &["d0"]).unwrap();
        assert_eq!(p.chunking, Some(vec![8]));
        // Chunks longer than a fixed dim are cut to it.
        let p = plan(&var(&[3, 2], &[3, 2]), json!({"chunksizes": [8, 8]}), &[]).unwrap();
        assert_eq!(p.chunking, Some(vec![3, 2]));
        // Big single chunks are cut to about 16 MiB.
        let p = plan(
            &var(&[64, 256, 512], &[64, 256, 512]),
            json!({"zlib": true}),
            &[],
        )
        .unwrap();
        let c = p.chunking.unwrap();
        assert!(
            c.iter().product::<usize>() * 4 <= MAX_DEFAULT_CHUNK_BYTES,
            "{c:?}"
        );
    }

    #[test]
    fn bad_storage_keys_name_the_key() {
        let v = var(&[4], &[4]);
        for (enc, key) in [
            (json!({"complevel": 10}), "complevel"),
            (json!({"chunksizes": [0]}), "chunksizes"),
            (json!({"chunksizes": [1, 2]}), "chunksizes"),
            (json!({"szip": true}), "szip"),
            (json!({"compression": "lz4"}), "compression"),
            (json!({"endian": "middle"}), "endian"),
            (json!({"zlib": true, "contiguous": true}), "contiguous"),
        ] {
            let err = plan(&v, enc.clone(), &[])
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key) && err.contains("f.nc"), "{enc}: {err}");
        }
    }
}
