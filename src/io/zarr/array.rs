//! One stored array as xarray sees it: dimension names (`_ARRAY_DIMENSIONS` in v2,
//! `dimension_names` in v3), dtype, shape, chunk shape, attributes with the fill value
//! surfaced as `_FillValue`, and the zarrs handle that decodes its chunks.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};
use zarrs::array::Array;
use zarrs::metadata::ArrayMetadata;
use zarrs::storage::ReadableWritableListableStorageTraits;

use super::ZarrFormat;
use super::kinds::{Kind, interpret};
use super::meta::{ArrayEntry, meta_error};
use crate::Result;
use crate::engine::DType;
use crate::error::ensure;
use crate::io::store::Store;

/// A zarrs array over any store.
pub(super) type ZArray = Array<dyn ReadableWritableListableStorageTraits>;

/// What the reader and writer need to know about one stored array.
#[derive(Clone)]
pub(crate) struct ArrayInfo {
    /// The array's name in the group.
    pub name: String,
    /// Dimension names, one per axis.
    pub dims: Vec<String>,
    /// Element type in the engine (float32 for float16, int64 for times and string
    /// codes, a placeholder for opaque data).
    pub dtype: DType,
    /// What kind of values are stored and how they are read.
    pub kind: Kind,
    /// The data type as the store spells it.
    pub stored_dtype: String,
    /// Array shape.
    pub shape: Vec<usize>,
    /// Store chunk shape.
    pub chunk: Vec<usize>,
    /// Attributes as xarray presents them with `decode_cf=False`.
    pub attrs: Map<String, Value>,
    /// The metadata document as stored.
    pub json: Value,
    /// The zarrs handle (`None` when zarrs cannot decode the array).
    pub array: Option<Arc<ZArray>>,
    /// Why the values cannot be read (a data type or codec tessera lacks), if so.
    pub unreadable: Option<String>,
}

/// Interprets one array's metadata.
pub(super) fn open_array(
    store: &Store,
    entry: &ArrayEntry,
    format: ZarrFormat,
) -> Result<ArrayInfo> {
    let key = format.array_key(&entry.name);
    let bad = |m: String| meta_error(store, &key, m);
    let json = &entry.json;
    let shape = usize_list(json.get("shape"))
        .ok_or_else(|| bad("\"shape\" must be a list of non-negative integers".into()))?;
    // An irregular chunk grid (v3 `rectilinear`) does not stop the open: the array
    // is listed as one chunk and its reads fail, saying why.
    let mut odd_grid = None;
    let chunk = match format {
        ZarrFormat::V3 => {
            let grid = json.get("chunk_grid");
            match grid.and_then(|g| g.get("name")).and_then(Value::as_str) {
                Some("regular") => usize_list(
                    grid.and_then(|g| g.get("configuration"))
                        .and_then(|c| c.get("chunk_shape")),
                ),
                other => {
                    odd_grid = Some(format!(
                        "the {} chunk grid is not supported (only \"regular\")",
                        other.unwrap_or("unnamed")
                    ));
                    Some(shape.iter().map(|&n| n.max(1)).collect())
                }
            }
        }
        ZarrFormat::V2 => usize_list(json.get("chunks")),
    }
    .ok_or_else(|| bad("the chunk shape must be a list of non-negative integers".into()))?;
    ensure!(
        chunk.len() == shape.len() && !chunk.contains(&0),
        bad(format!(
            "chunk shape {chunk:?} does not fit array shape {shape:?}"
        ))
    );
    let interpreted = interpret(format, json);
    let dtype = interpreted.dtype;
    if odd_grid.is_none() {
        check_sizes(&shape, &chunk, dtype.size()).map_err(bad)?;
    }
    let mut attrs = match json.get("attributes") {
        Some(Value::Object(a)) => a.clone(),
        _ => Map::new(),
    };
    let attr_dims = attrs.remove("_ARRAY_DIMENSIONS");
    let dims_value = match (format, json.get("dimension_names")) {
        (ZarrFormat::V3, Some(v)) if !v.is_null() => Some(v.clone()),
        // zarr-python leaves `dimension_names` out of a 0-d array's metadata.
        _ if shape.is_empty() && attr_dims.is_none() => Some(Value::Array(vec![])),
        _ => attr_dims,
    };
    let dims = dims_value
        .as_ref()
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|d| d.as_str().map(String::from)).collect::<Option<Vec<_>>>())
        .ok_or_else(|| {
            bad(match format {
                ZarrFormat::V3 => "no dimension names (\"dimension_names\" or \"_ARRAY_DIMENSIONS\"): not written by xarray?".into(),
                ZarrFormat::V2 => "no \"_ARRAY_DIMENSIONS\" attribute: not written by xarray?".into(),
            })
        })?;
    ensure!(
        dims.len() == shape.len(),
        bad(format!(
            "{} dimension names {dims:?} for an array of shape {shape:?}",
            dims.len()
        ))
    );
    // Why the values cannot be read, if they cannot; the array still opens.
    let mut unreadable = match &interpreted.kind {
        Kind::Opaque(why) => Some(why.clone()),
        _ => odd_grid,
    };
    if !matches!(interpreted.kind, Kind::Number | Kind::Float16) {
        // Strings, times and opaque data keep their fill value out of the attributes:
        // CF masking of numbers does not apply to them.
        attrs.remove("_FillValue");
    } else if format == ZarrFormat::V2 {
        // xarray's zarr backend treats the v2 fill_value as _FillValue.
        match json.get("fill_value") {
            None | Some(Value::Null) => {}
            Some(v) => {
                attrs.insert("_FillValue".into(), v.clone());
            }
        }
    } else if let Some(v) = attrs.get("_FillValue").cloned() {
        match decode_v3_fill(&v, dtype) {
            Some(fill) => {
                attrs.insert("_FillValue".into(), fill);
            }
            None => {
                attrs.remove("_FillValue");
                unreadable.get_or_insert(format!(
                    "cannot decode the _FillValue attribute {v} for dtype {dtype}"
                ));
            }
        }
    }
    if let Kind::Time { delta, unit, .. } = interpreted.kind {
        // The CF spelling of numpy's time dtypes, so CF decoding does what xarray does.
        let units = if delta {
            unit.to_string()
        } else {
            format!("{unit} since 1970-01-01")
        };
        attrs.insert("units".into(), units.into());
        if delta {
            // The marker xarray writes next to a timedelta's units.
            attrs.insert("dtype".into(), "timedelta64[ns]".into());
        } else {
            attrs.insert("calendar".into(), "proleptic_gregorian".into());
        }
    }
    // zarrs refuses arrays whose codecs (or data type) it lacks: keep the array,
    // unreadable, with zarrs' reason naming the codec.
    let array = if unreadable.is_some() {
        None
    } else {
        match zarrs_array(store, &entry.name, format, &interpreted.zarrs_json) {
            Ok(a) => Some(Arc::new(a)),
            Err(why) => {
                let codecs = codec_names(format, json);
                let hint = if !cfg!(feature = "zfp") && codecs.contains("zfp") {
                    "; reading zfp needs tessera built with the `zfp` feature"
                } else {
                    ""
                };
                unreadable = Some(format!("{why} ({codecs}{hint})"));
                None
            }
        }
    };
    Ok(ArrayInfo {
        name: entry.name.clone(),
        dims,
        dtype,
        kind: interpreted.kind,
        stored_dtype: interpreted.stored,
        shape,
        chunk,
        attrs,
        json: json.clone(),
        array,
        unreadable,
    })
}

/// The zarrs handle of an array, or why zarrs cannot decode it.
fn zarrs_array(
    store: &Store,
    name: &str,
    format: ZarrFormat,
    json: &Value,
) -> Result<ZArray, String> {
    let metadata = match format {
        ZarrFormat::V3 => serde_json::from_value(json.clone()).map(ArrayMetadata::V3),
        ZarrFormat::V2 => serde_json::from_value(json.clone()).map(ArrayMetadata::V2),
    }
    .map_err(|e| e.to_string())?;
    Array::new_with_metadata(store.storage.clone(), &format!("/{name}"), metadata)
        .map_err(|e| e.to_string())
}

/// The codecs an array's metadata names, for error messages: `compressor zstd,
/// filters [delta]` (v2) or `codecs [bytes, zstd]` (v3).
fn codec_names(format: ZarrFormat, json: &Value) -> String {
    let names = |v: Option<&Value>, key: &str| -> Vec<String> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get(key).and_then(Value::as_str).map(String::from))
            .collect()
    };
    match format {
        ZarrFormat::V2 => {
            let comp = json
                .get("compressor")
                .and_then(|c| c.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("none");
            format!(
                "compressor {comp:?}, filters {:?}",
                names(json.get("filters"), "id")
            )
        }
        ZarrFormat::V3 => {
            let mut all = names(json.get("codecs"), "name");
            // sharding nests the inner codecs in its configuration
            for c in json
                .get("codecs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                all.extend(names(
                    c.get("configuration").and_then(|k| k.get("codecs")),
                    "name",
                ));
            }
            format!("codecs {all:?}")
        }
    }
}

/// The most bytes one stored chunk may decode to (4 GiB): a larger chunk could not be
/// read under any sensible memory budget, and metadata claiming one is refused at open
/// rather than allocated at read.
pub(crate) const MAX_CHUNK_BYTES: u64 = 1 << 32;

/// Refuses a shape whose bytes do not fit in memory addresses (`isize::MAX`), a chunk
/// larger than [`MAX_CHUNK_BYTES`] and more than [`MAX_CHUNKS_PER_AXIS`] chunks along
/// an axis, before anything is allocated for them.
fn check_sizes(shape: &[usize], chunk: &[usize], itemsize: usize) -> Result<(), String> {
    let bytes = |dims: &[usize]| {
        dims.iter()
            .try_fold(itemsize.max(1) as u64, |n, &d| n.checked_mul(d as u64))
    };
    if bytes(shape).is_none_or(|b| b > isize::MAX as u64) {
        return Err(format!(
            "shape {shape:?} is too large: its {itemsize}-byte elements do not fit in memory addresses"
        ));
    }
    match bytes(chunk) {
        Some(b) if b <= MAX_CHUNK_BYTES => {}
        _ => {
            return Err(format!(
                "chunk shape {chunk:?} of {itemsize}-byte elements is more than the {} GiB tessera reads as one chunk",
                MAX_CHUNK_BYTES >> 30
            ));
        }
    }
    for (axis, (&n, &c)) in shape.iter().zip(chunk).enumerate() {
        if n.div_ceil(c) > MAX_CHUNKS_PER_AXIS {
            return Err(format!(
                "{} chunks along axis {axis} (length {n} in chunks of {c}): more than the {MAX_CHUNKS_PER_AXIS} a chunk grid holds per axis",
                n.div_ceil(c)
            ));
        }
    }
    Ok(())
}

/// The most chunks along one axis (2^24): the engine's chunk grid keeps one length per
/// chunk and axis, so 10^9 chunks would take 8 GB before anything is read.
pub(crate) const MAX_CHUNKS_PER_AXIS: usize = 1 << 24;

fn usize_list(v: Option<&Value>) -> Option<Vec<usize>> {
    v?.as_array()?
        .iter()
        .map(|x| x.as_u64().and_then(|x| usize::try_from(x).ok()))
        .collect()
}

/// A float as an attribute value: a number, or `"NaN"`/`"Infinity"`/`"-Infinity"`
/// (JSON has no non-finite numbers; these are the spellings Zarr uses).
pub(super) fn float_value(x: f64) -> Value {
    if x.is_nan() {
        Value::from("NaN")
    } else if x.is_infinite() {
        Value::from(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        Value::from(x)
    }
}

/// xarray writes a v3 float `_FillValue` attribute as the base64 of its little-endian
/// bytes; integers stay numbers.
fn decode_v3_fill(v: &Value, dtype: DType) -> Option<Value> {
    match v {
        Value::String(s) if dtype.is_float() => {
            if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") {
                return Some(v.clone());
            }
            let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
            // xarray writes the f64 bytes whatever the float width; accept both.
            let x = match bytes.len() {
                4 => f32::from_le_bytes(bytes.try_into().ok()?) as f64,
                8 => f64::from_le_bytes(bytes.try_into().ok()?),
                _ => return None,
            };
            Some(float_value(x))
        }
        Value::String(_) => None,
        other => Some(other.clone()),
    }
}

/// The v3 `_FillValue` attribute xarray writes for a float fill value: the base64 of
/// its little-endian f64 bytes, also for float32 arrays.
pub(super) fn encode_v3_fill(x: f64) -> Value {
    Value::from(base64::engine::general_purpose::STANDARD.encode(x.to_le_bytes()))
}

/// Reads a fill value attribute (number or non-finite spelling) as f64.
pub(super) fn attr_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" | "nan" => Some(f64::NAN),
            "Infinity" | "inf" => Some(f64::INFINITY),
            "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        Value::Bool(b) => Some(*b as u8 as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_fill_values_round_trip_through_base64() {
        // what xarray wrote for a float32 NaN fill: the f64 bytes
        assert_eq!(
            decode_v3_fill(&Value::from("AAAAAAAA+H8="), DType::F32),
            Some(Value::from("NaN"))
        );
        let enc = encode_v3_fill(-9999.5);
        assert_eq!(decode_v3_fill(&enc, DType::F64), Some(Value::from(-9999.5)));
        assert_eq!(
            decode_v3_fill(&Value::from(-32767), DType::I16),
            Some(Value::from(-32767))
        );
        assert_eq!(decode_v3_fill(&Value::from("AAA"), DType::F64), None);
    }
}
