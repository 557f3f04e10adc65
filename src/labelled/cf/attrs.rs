//! Reading numeric CF attributes as JSON holds them.

use serde_json::Value;

use crate::{Error, Result};

/// A numeric attribute value: JSON keeps integers and floats apart, which decides
/// xarray's float dtype choice (a Python `int` scale is not a float scale).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Num {
    Int(i64),
    Float(f64),
    /// A float the file stores as float32 (netCDF `NC_FLOAT`): numpy's `float32`
    /// scale factor, which keeps small packed integers in float32.
    Float32(f64),
}

impl Num {
    pub(super) fn f64(self) -> f64 {
        match self {
            Num::Int(v) => v as f64,
            Num::Float(v) | Num::Float32(v) => v,
        }
    }
}

fn one(name: &str, key: &str, v: &Value) -> Result<Num> {
    match v {
        Value::Number(n) => Ok(n
            .as_i64()
            .map(Num::Int)
            .unwrap_or_else(|| Num::Float(n.as_f64().unwrap_or(f64::NAN)))),
        // Zarr writes non-finite fill values as strings.
        Value::String(s) if s.eq_ignore_ascii_case("nan") => Ok(Num::Float(f64::NAN)),
        Value::String(s) if s.eq_ignore_ascii_case("infinity") => Ok(Num::Float(f64::INFINITY)),
        Value::String(s) if s.eq_ignore_ascii_case("-infinity") => {
            Ok(Num::Float(f64::NEG_INFINITY))
        }
        Value::Null => Ok(Num::Float(f64::NAN)),
        _ => Err(Error::CfVariable {
            variable: name.to_string(),
            reason: format!("attribute {key} = {v} is not a number"),
        }),
    }
}

/// A scalar numeric attribute (a one-element list counts as a scalar).
pub(super) fn scalar(name: &str, key: &str, v: &Value) -> Result<Num> {
    match v {
        Value::Array(items) if items.len() == 1 => one(name, key, &items[0]),
        Value::Array(_) => Err(Error::CfVariable {
            variable: name.to_string(),
            reason: format!("attribute {key} = {v} must be a single number"),
        }),
        _ => one(name, key, v),
    }
}

/// A scalar or list attribute, flattened.
pub(super) fn list(name: &str, key: &str, v: &Value) -> Result<Vec<Num>> {
    match v {
        Value::Array(items) => items.iter().map(|i| one(name, key, i)).collect(),
        _ => Ok(vec![one(name, key, v)?]),
    }
}

/// The key of a variable's encoding that records the stored type of numeric
/// attributes whose type JSON cannot carry (`{"scale_factor": "float32"}`), as the
/// netCDF reader finds them; the netCDF writer writes them back with that type.
pub(crate) const ATTRIBUTE_DTYPES: &str = "attribute_dtypes";

/// A scalar numeric attribute, typed by the encoding's [`ATTRIBUTE_DTYPES`] record.
pub(super) fn typed_scalar(
    name: &str,
    key: &str,
    v: &Value,
    encoding: &serde_json::Map<String, Value>,
) -> Result<Num> {
    let n = scalar(name, key, v)?;
    let float32 = encoding
        .get(ATTRIBUTE_DTYPES)
        .and_then(|t| t.get(key))
        .and_then(Value::as_str)
        == Some("float32");
    Ok(if float32 { Num::Float32(n.f64()) } else { n })
}
