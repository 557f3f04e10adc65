//! `_FillValue`/`missing_value` masking and `scale_factor`/`add_offset` packing, with
//! xarray's choice of the decoded dtype.

use serde_json::Value;

use crate::engine::{BinaryOp, DType, FloatFn, LazyArray};
use crate::labelled::Variable;
use crate::{Error, Result};

/// Keys that move from the attributes to the encoding when decoding.
const PACKING_KEYS: [&str; 4] = ["_FillValue", "missing_value", "scale_factor", "add_offset"];

/// A numeric attribute: a number, or a non-finite value spelled as Zarr does.
pub fn float_attr(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::String(s) => match s.as_str() {
            "NaN" | "nan" => Some(f64::NAN),
            "Infinity" | "inf" => Some(f64::INFINITY),
            "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// A float as an attribute value (non-finite values spelled as Zarr does).
fn float_value(x: f64) -> Value {
    if x.is_nan() {
        Value::from("NaN")
    } else if x.is_infinite() {
        Value::from(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        Value::from(x)
    }
}

/// The values of an attribute that holds one number or a list of them.
fn numbers(name: &str, key: &str, v: &Value) -> Result<Vec<f64>> {
    let bad = || {
        Error::invalid(format!(
            "variable {name:?}: attribute {key} = {v} is not a number or a list of numbers"
        ))
    };
    match v {
        Value::Array(items) => items
            .iter()
            .map(|x| float_attr(x).ok_or_else(bad))
            .collect(),
        other => Ok(vec![float_attr(other).ok_or_else(bad)?]),
    }
}

fn one_number(name: &str, var: &Variable, key: &str) -> Result<Option<f64>> {
    match var.attrs().get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let all = numbers(name, key, v)?;
            match all.as_slice() {
                [x] => Ok(Some(*x)),
                _ => Err(Error::invalid(format!(
                    "variable {name:?}: attribute {key} = {v} must be a single number"
                ))),
            }
        }
    }
}

/// The dtype xarray decodes into: float64 when packed (attributes read from JSON
/// are float64, which xarray's `_choose_float_dtype` follows); otherwise masked
/// integers of up to 16 bits become float32 and wider ones float64, as numpy's
/// `maybe_promote` does; floats keep their width.
fn decoded_dtype(raw: DType, packed: bool) -> DType {
    if packed {
        return DType::F64;
    }
    match raw {
        DType::F32 | DType::F64 => raw,
        d if d.size() <= 2 => DType::F32,
        _ => DType::F64,
    }
}

/// `(valid_min, valid_max)` from `valid_range` or the separate attributes.
fn valid_range(name: &str, var: &Variable) -> Result<(Option<f64>, Option<f64>)> {
    if let Some(v) = var.attrs().get("valid_range") {
        let r = numbers(name, "valid_range", v)?;
        if let [lo, hi] = r.as_slice() {
            return Ok((Some(*lo), Some(*hi)));
        }
        return Err(Error::invalid(format!(
            "variable {name:?}: valid_range = {v} must hold two numbers"
        )));
    }
    Ok((
        one_number(name, var, "valid_min")?,
        one_number(name, var, "valid_max")?,
    ))
}

/// Masks fill values (and, if asked, values outside the valid range) and unpacks.
pub fn decode(name: &str, var: &Variable, mask_valid_range: bool) -> Result<Variable> {
    if var.is_strings() || var.dtype() == DType::Bool {
        return Ok(var.clone());
    }
    let mut fills = match var.attrs().get("_FillValue") {
        None | Some(Value::Null) => vec![],
        Some(v) => numbers(name, "_FillValue", v)?,
    };
    if let Some(v) = var.attrs().get("missing_value") {
        fills.extend(numbers(name, "missing_value", v)?);
    }
    // NaN fills need no mask: NaN is already missing.
    fills.retain(|f| !f.is_nan());
    let scale = one_number(name, var, "scale_factor")?;
    let offset = one_number(name, var, "add_offset")?;
    let (lo, hi) = if mask_valid_range {
        valid_range(name, var)?
    } else {
        (None, None)
    };
    let raw = var.data();
    let packed = scale.is_some() || offset.is_some();
    let masked = !fills.is_empty() || lo.is_some() || hi.is_some();
    let time_like = super::times::is_time_units(var.attrs().get("units"));
    let mut encoding = var.encoding().clone();
    encoding
        .entry("dtype")
        .or_insert_with(|| Value::from(var.dtype().name()));
    let mut attrs = var.attrs().clone();
    for key in PACKING_KEYS {
        if let Some(v) = attrs.remove(key) {
            encoding.insert(key.into(), v);
        }
    }
    if !packed && !masked {
        return Ok(var
            .with_data(raw.clone())?
            .with_attrs(attrs)
            .with_encoding(encoding));
    }
    // Integer times keep integers: the fill becomes NaT, exactly as xarray does.
    let (out_dtype, missing) = if time_like && !packed && var.dtype().is_integer() {
        (DType::I64, crate::time::NAT as f64)
    } else {
        (decoded_dtype(var.dtype(), packed), f64::NAN)
    };
    let mut keep: Option<LazyArray> = None;
    let mut and = |cond: LazyArray| -> Result<()> {
        keep = Some(match keep.take() {
            Some(k) => k.binary(BinaryOp::And, &cond)?,
            None => cond,
        });
        Ok(())
    };
    for f in &fills {
        and(raw.binary_scalar(BinaryOp::Ne, *f, false)?)?;
    }
    if let Some(lo) = lo {
        and(raw.binary_scalar(BinaryOp::Ge, lo, false)?)?;
    }
    if let Some(hi) = hi {
        and(raw.binary_scalar(BinaryOp::Le, hi, false)?)?;
    }
    let mut data = raw.cast(out_dtype)?;
    if let Some(s) = scale {
        data = data.binary_scalar(BinaryOp::Mul, s, false)?;
    }
    if let Some(o) = offset {
        data = data.binary_scalar(BinaryOp::Add, o, false)?;
    }
    if let Some(keep) = keep {
        data = if out_dtype == DType::I64 {
            keep.select_scalar(&data, crate::time::NAT)?
        } else {
            keep.select_scalar(&data, missing)?
        };
    }
    Ok(var
        .with_data(data)?
        .with_attrs(attrs)
        .with_encoding(encoding))
}

/// Packs with the encoding's `scale_factor`/`add_offset`, rounds into an integer
/// `dtype`, and writes missing values as `_FillValue` (NaN by default for floats, as
/// xarray writes them).
pub fn encode(name: &str, var: &Variable) -> Result<Variable> {
    if var.is_strings() || var.dtype() == DType::Bool {
        return Ok(var.clone());
    }
    let enc = var.encoding();
    let target = match enc.get("dtype").and_then(Value::as_str) {
        Some(text) => DType::from_name(text).ok_or_else(|| {
            Error::invalid(format!(
                "variable {name:?}: unknown encoding dtype {text:?}"
            ))
        })?,
        None => var.dtype(),
    };
    let number = |key: &str| -> Result<Option<f64>> {
        match enc.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => float_attr(v).map(Some).ok_or_else(|| {
                Error::invalid(format!(
                    "variable {name:?}: encoding {key} = {v} is not a number"
                ))
            }),
        }
    };
    let scale = number("scale_factor")?;
    let offset = number("add_offset")?;
    // Missing values are written as _FillValue, or else as the first missing_value.
    let fill_key = enc
        .get("_FillValue")
        .or_else(|| match enc.get("missing_value") {
            Some(Value::Array(items)) => items.first(),
            other => other,
        });
    let fill = match fill_key {
        Some(Value::Null) => None,
        Some(v) => Some(float_attr(v).ok_or_else(|| {
            Error::invalid(format!(
                "variable {name:?}: encoding _FillValue = {v} is not a number"
            ))
        })?),
        None if target.is_float() => Some(f64::NAN),
        None => None,
    };
    let x = var.data();
    let mut data = x.clone();
    if scale.is_some() || offset.is_some() || target.is_integer() && var.dtype().is_float() {
        data = data.cast(DType::F64)?;
    }
    if let Some(o) = offset {
        data = data.binary_scalar(BinaryOp::Sub, o, false)?;
    }
    if let Some(s) = scale {
        data = data.binary_scalar(BinaryOp::Div, s, false)?;
    }
    if target.is_integer() && data.dtype().is_float() {
        data = data.math(FloatFn::Round)?;
    }
    // Without a fill value an integer encoding cannot hold missing values: like
    // xarray, the cast then decides what they become.
    if let Some(f) = fill.filter(|f| var.dtype().is_float() && !f.is_nan()) {
        data = data.fillna(f)?;
    }
    let data = data.cast(target)?;
    let mut attrs = var.attrs().clone();
    for key in ["scale_factor", "add_offset", "missing_value"] {
        if let Some(v) = enc.get(key) {
            attrs.insert(key.into(), v.clone());
        }
    }
    if let Some(f) =
        fill.filter(|_| !attrs.contains_key("missing_value") || enc.contains_key("_FillValue"))
    {
        let value = if target.is_integer() {
            Value::from(f as i64)
        } else {
            float_value(f)
        };
        attrs.insert("_FillValue".into(), value);
    }
    let mut encoding = enc.clone();
    for key in PACKING_KEYS {
        encoding.remove(key);
    }
    Ok(var
        .with_data(data)?
        .with_attrs(attrs)
        .with_encoding(encoding))
}
