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
use super::meta::{ArrayEntry, meta_caused, meta_error};
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
    /// Element type.
    pub dtype: DType,
    /// Array shape.
    pub shape: Vec<usize>,
    /// Store chunk shape.
    pub chunk: Vec<usize>,
    /// Attributes as xarray presents them with `decode_cf=False`.
    pub attrs: Map<String, Value>,
    /// The metadata document as stored.
    pub json: Value,
    /// The zarrs handle.
    pub array: Arc<ZArray>,
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
    let chunk = match format {
        ZarrFormat::V3 => {
            let grid = json.get("chunk_grid");
            ensure!(
                grid.and_then(|g| g.get("name")).and_then(Value::as_str) == Some("regular"),
                bad("only the \"regular\" chunk grid is supported".into())
            );
            usize_list(
                grid.and_then(|g| g.get("configuration"))
                    .and_then(|c| c.get("chunk_shape")),
            )
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
    let dtype_field = match format {
        ZarrFormat::V2 => "dtype",
        ZarrFormat::V3 => "data_type",
    };
    let dtype_name = json
        .get(dtype_field)
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing data type".into()))?;
    let dtype = format
        .parse_data_type(dtype_name)
        .ok_or_else(|| bad(format!("unsupported data type {dtype_name:?}")))?;
    let mut attrs = match json.get("attributes") {
        Some(Value::Object(a)) => a.clone(),
        _ => Map::new(),
    };
    let attr_dims = attrs.remove("_ARRAY_DIMENSIONS");
    let dims_value = match (format, json.get("dimension_names")) {
        (ZarrFormat::V3, Some(v)) if !v.is_null() => Some(v.clone()),
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
    if format == ZarrFormat::V2 {
        // xarray's zarr backend treats the v2 fill_value as _FillValue.
        match json.get("fill_value") {
            None | Some(Value::Null) => {}
            Some(v) => {
                attrs.insert("_FillValue".into(), v.clone());
            }
        }
    } else if let Some(v) = attrs.get("_FillValue").cloned() {
        attrs.insert(
            "_FillValue".into(),
            decode_v3_fill(&v, dtype).ok_or_else(|| {
                bad(format!(
                    "cannot decode the _FillValue attribute {v} for dtype {dtype}"
                ))
            })?,
        );
    }
    let caused = |e: serde_json::Error| meta_caused(store, &key, "", e);
    let metadata = match format {
        ZarrFormat::V3 => ArrayMetadata::V3(serde_json::from_value(json.clone()).map_err(caused)?),
        ZarrFormat::V2 => ArrayMetadata::V2(serde_json::from_value(json.clone()).map_err(caused)?),
    };
    let array =
        Array::new_with_metadata(store.storage.clone(), &format!("/{}", entry.name), metadata)
            .map_err(|e| meta_caused(store, &key, "", e))?;
    Ok(ArrayInfo {
        name: entry.name.clone(),
        dims,
        dtype,
        shape,
        chunk,
        attrs,
        json: json.clone(),
        array: Arc::new(array),
    })
}

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
