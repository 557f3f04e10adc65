//! One stored array as xarray sees it: dimension names (`_ARRAY_DIMENSIONS` in v2,
//! `dimension_names` in v3), dtype, shape, chunk shape, attributes with the fill value
//! surfaced as `_FillValue`, and the zarrs handle that decodes its chunks.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};
use zarrs::array::Array;
use zarrs::metadata::ArrayMetadata;
use zarrs::storage::ReadableWritableListableStorageTraits;

use super::meta::{ArrayEntry, meta_error};
use crate::Result;
use crate::engine::DType;
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
pub(super) fn open_array(store: &Store, entry: &ArrayEntry, version: u8) -> Result<ArrayInfo> {
    let key = if version == 3 {
        format!("{}/zarr.json", entry.name)
    } else {
        format!("{}/.zarray", entry.name)
    };
    let bad = |m: String| meta_error(store, &key, m);
    let json = &entry.json;
    let shape = usize_list(json.get("shape"))
        .ok_or_else(|| bad("\"shape\" must be a list of non-negative integers".into()))?;
    let chunk = if version == 3 {
        let grid = json.get("chunk_grid");
        if grid.and_then(|g| g.get("name")).and_then(Value::as_str) != Some("regular") {
            return Err(bad("only the \"regular\" chunk grid is supported".into()));
        }
        usize_list(
            grid.and_then(|g| g.get("configuration"))
                .and_then(|c| c.get("chunk_shape")),
        )
    } else {
        usize_list(json.get("chunks"))
    }
    .ok_or_else(|| bad("the chunk shape must be a list of non-negative integers".into()))?;
    if chunk.len() != shape.len() || chunk.contains(&0) {
        return Err(bad(format!(
            "chunk shape {chunk:?} does not fit array shape {shape:?}"
        )));
    }
    let dtype_name = if version == 3 {
        json.get("data_type").and_then(Value::as_str)
    } else {
        json.get("dtype").and_then(Value::as_str)
    }
    .ok_or_else(|| bad("missing data type".into()))?;
    let dtype = parse_dtype(dtype_name, version)
        .ok_or_else(|| bad(format!("unsupported data type {dtype_name:?}")))?;
    let mut attrs = match json.get("attributes") {
        Some(Value::Object(a)) => a.clone(),
        _ => Map::new(),
    };
    let attr_dims = attrs.remove("_ARRAY_DIMENSIONS");
    let dims_value = match (version, json.get("dimension_names")) {
        (3, Some(v)) if !v.is_null() => Some(v.clone()),
        _ => attr_dims,
    };
    let dims = dims_value
        .as_ref()
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|d| d.as_str().map(String::from)).collect::<Option<Vec<_>>>())
        .ok_or_else(|| {
            bad(if version == 3 {
                "no dimension names (\"dimension_names\" or \"_ARRAY_DIMENSIONS\"): not written by xarray?".into()
            } else {
                "no \"_ARRAY_DIMENSIONS\" attribute: not written by xarray?".into()
            })
        })?;
    if dims.len() != shape.len() {
        return Err(bad(format!(
            "{} dimension names {dims:?} for an array of shape {shape:?}",
            dims.len()
        )));
    }
    if version == 2 {
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
    let metadata: ArrayMetadata = if version == 3 {
        ArrayMetadata::V3(serde_json::from_value(json.clone()).map_err(|e| bad(e.to_string()))?)
    } else {
        ArrayMetadata::V2(serde_json::from_value(json.clone()).map_err(|e| bad(e.to_string()))?)
    };
    let array =
        Array::new_with_metadata(store.storage.clone(), &format!("/{}", entry.name), metadata)
            .map_err(|e| bad(e.to_string()))?;
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

/// The engine dtype of a Zarr data type (v3 name or v2 numpy typestr).
pub(super) fn parse_dtype(name: &str, version: u8) -> Option<DType> {
    if version == 3 {
        return Some(match name {
            "bool" => DType::Bool,
            "int8" => DType::I8,
            "int16" => DType::I16,
            "int32" => DType::I32,
            "int64" => DType::I64,
            "uint8" => DType::U8,
            "uint16" => DType::U16,
            "uint32" => DType::U32,
            "uint64" => DType::U64,
            "float32" => DType::F32,
            "float64" => DType::F64,
            _ => return None,
        });
    }
    let body = name.strip_prefix(['<', '>', '|', '='])?;
    Some(match body {
        "b1" => DType::Bool,
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u1" => DType::U8,
        "u2" => DType::U16,
        "u4" => DType::U32,
        "u8" => DType::U64,
        "f4" => DType::F32,
        "f8" => DType::F64,
        _ => return None,
    })
}

/// The names a dtype is written under: (v2 typestr, v3 data type).
pub(super) fn dtype_names(dtype: DType) -> (&'static str, &'static str) {
    match dtype {
        DType::Bool => ("|b1", "bool"),
        DType::I8 => ("|i1", "int8"),
        DType::I16 => ("<i2", "int16"),
        DType::I32 => ("<i4", "int32"),
        DType::I64 => ("<i8", "int64"),
        DType::U8 => ("|u1", "uint8"),
        DType::U16 => ("<u2", "uint16"),
        DType::U32 => ("<u4", "uint32"),
        DType::U64 => ("<u8", "uint64"),
        DType::F32 => ("<f4", "float32"),
        DType::F64 => ("<f8", "float64"),
    }
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

    #[test]
    fn dtypes_parse_in_both_spellings() {
        for d in DType::ALL {
            let (v2, v3) = dtype_names(d);
            assert_eq!(parse_dtype(v2, 2), Some(d));
            assert_eq!(parse_dtype(v3, 3), Some(d));
        }
        assert_eq!(parse_dtype(">f8", 2), Some(DType::F64));
        assert_eq!(parse_dtype("<U4", 2), None);
        assert_eq!(parse_dtype("complex64", 3), None);
    }
}
