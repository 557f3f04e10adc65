//! Reading numeric CF attributes as JSON holds them.

use serde_json::Value;

use crate::{Error, Result};

/// A numeric attribute value: JSON keeps integers and floats apart, which decides
/// xarray's float dtype choice (a Python `int` scale is not a float scale).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(super) fn f64(self) -> f64 {
        match self {
            Num::Int(v) => v as f64,
            Num::Float(v) => v,
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
