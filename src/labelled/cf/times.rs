//! `<unit> since <date>` times (xarray's `CFDatetimeCoder`): an affine map between
//! stored numbers and microsecond instants in the variable's calendar; and timedeltas
//! (`CFTimedeltaCoder`): a bare unit plus xarray's `dtype: "timedelta64[ns]"` marker,
//! to and from microsecond durations.

use super::move_key;
use super::pipeline::Pipeline;
use crate::engine::{BinaryOp, DType, FloatFn, Scalar, UnaryOp};
use crate::labelled::{Attrs, Variable};
use crate::time::{Calendar, NAT, TimeUnits, choose_units};
use crate::{Error, Result};

fn cf_error(name: &str, reason: String) -> Error {
    Error::CfVariable {
        variable: name.to_string(),
        reason,
    }
}

/// True for units xarray treats as times (`... since ...`).
fn is_time_units(units: &str) -> bool {
    let lower = units.to_ascii_lowercase();
    lower.split_whitespace().any(|w| w == "since")
}

fn calendar_of(name: &str, v: Option<&serde_json::Value>) -> Result<Calendar> {
    match v {
        None => Ok(Calendar::Standard),
        Some(v) => {
            let text = v
                .as_str()
                .ok_or_else(|| cf_error(name, format!("calendar {v} is not a string")))?;
            Calendar::parse(&text.to_ascii_lowercase())
                .map_err(|e| cf_error(name, format!("calendar {text:?}: {e}")))
        }
    }
}

fn parse_units(name: &str, text: &str) -> Result<TimeUnits> {
    TimeUnits::parse(text).map_err(|e| cf_error(name, format!("time units {text:?}: {e}")))
}

/// xarray's timedelta units (`CFTimedeltaCoder`): a bare unit, no "since".
const TIMEDELTA_UNITS: [(&str, i64); 8] = [
    ("nanoseconds", 0),
    ("microseconds", 1),
    ("milliseconds", 1_000),
    ("seconds", 1_000_000),
    ("minutes", 60_000_000),
    ("hours", 3_600_000_000),
    ("days", 86_400_000_000),
    ("weeks", 7 * 86_400_000_000),
];

/// Decodes timedeltas as xarray 2026 does by default (`decode_timedelta` via the
/// dtype): units such as `"hours"` *and* a `dtype: "timedelta64[..]"` attribute, the
/// pair xarray writes. The values become `I64` microseconds marked as timedeltas;
/// `units` moves to the encoding (NaN or `i64::MIN` → NaT). Returns whether it did.
fn decode_timedelta(p: &mut Pipeline, attrs: &mut Attrs, encoding: &mut Attrs) -> Result<bool> {
    let units = attrs.get("units").and_then(|u| u.as_str()).unwrap_or("");
    let Some(&(_, step)) = TIMEDELTA_UNITS.iter().find(|(u, _)| *u == units) else {
        return Ok(false);
    };
    let marked = attrs
        .get("dtype")
        .and_then(|d| d.as_str())
        .is_some_and(|d| d.starts_with("timedelta64"));
    if !marked || p.dtype() == DType::Bool {
        return Ok(false);
    }
    move_key(attrs, encoding, "units");
    attrs.remove("dtype");
    encoding.insert("timedelta".into(), true.into());
    let float = p.dtype().is_float();
    let b = &mut p.b;
    let x = b.cast(p.reg, DType::F64);
    let x_int = b.cast(p.reg, DType::I64);
    let micros = if float {
        let factor = if step == 0 { 1e-3 } else { step as f64 };
        let scaled = b.binary_scalar(BinaryOp::Mul, x, Scalar::Float(factor), false)?;
        let rounded = b.unary(UnaryOp::Math(FloatFn::Round), scaled)?;
        b.cast(rounded, DType::I64)
    } else if step == 0 {
        b.binary_scalar(BinaryOp::FloorDiv, x_int, Scalar::Int(1_000), false)?
    } else {
        b.binary_scalar(BinaryOp::Mul, x_int, Scalar::Int(step), false)?
    };
    let missing = if float {
        b.unary(UnaryOp::IsNan, x)?
    } else {
        b.binary_scalar(BinaryOp::Eq, x_int, Scalar::Int(NAT), false)?
    };
    let nat = b.constant(Scalar::Int(NAT), DType::I64);
    let out = b.select(missing, nat, micros)?;
    p.set(out);
    Ok(true)
}

/// Encodes timedeltas (see [`decode_timedelta`]) as integers in the encoded units
/// (microseconds when none), `i64::MIN` for NaT, with the `units` and
/// `dtype: "timedelta64[ns]"` attributes xarray reads back as `timedelta64[ns]`.
fn encode_timedelta(
    p: &mut Pipeline,
    attrs: &mut Attrs,
    encoding: &mut Attrs,
    target: &mut Option<DType>,
) -> Result<()> {
    encoding.remove("timedelta");
    let units = encoding
        .remove("units")
        .and_then(|u| u.as_str().map(str::to_string))
        .filter(|u| TIMEDELTA_UNITS.iter().any(|(n, _)| n == u))
        .unwrap_or_else(|| "microseconds".to_string());
    let step = TIMEDELTA_UNITS
        .iter()
        .find(|(n, _)| *n == units)
        .map_or(1, |&(_, s)| s);
    attrs.insert("units".into(), units.into());
    attrs.insert("dtype".into(), "timedelta64[ns]".into());
    let t = p.reg;
    let b = &mut p.b;
    let value = if step == 0 {
        b.binary_scalar(BinaryOp::Mul, t, Scalar::Int(1_000), false)?
    } else {
        b.binary_scalar(BinaryOp::FloorDiv, t, Scalar::Int(step), false)?
    };
    let missing = b.binary_scalar(BinaryOp::Eq, t, Scalar::Int(NAT), false)?;
    let nat = b.constant(Scalar::Int(NAT), DType::I64);
    let out = b.select(missing, nat, value)?;
    p.set(out);
    target.get_or_insert(DType::I64);
    Ok(())
}

/// Decodes numeric times into instants (`NaN` → NaT), moving `units` and
/// `calendar` into the encoding (a missing calendar is recorded as `standard`,
/// which is what the labelled layer reads to know the variable holds times).
pub(super) fn decode(
    name: &str,
    p: &mut Pipeline,
    attrs: &mut Attrs,
    encoding: &mut Attrs,
) -> Result<()> {
    if decode_timedelta(p, attrs, encoding)? {
        return Ok(());
    }
    let Some(text) = attrs
        .get("units")
        .and_then(|u| u.as_str())
        .map(str::to_string)
    else {
        return Ok(());
    };
    if !is_time_units(&text) || p.dtype() == DType::Bool {
        return Ok(());
    }
    let units = parse_units(name, &text)?;
    let cal = calendar_of(name, attrs.get("calendar"))?;
    let origin = units
        .reference_micros(cal)
        .map_err(|e| cf_error(name, format!("time units {text:?}: {e}")))?;
    move_key(attrs, encoding, "units");
    if move_key(attrs, encoding, "calendar").is_none() {
        encoding.insert("calendar".into(), cal.name().into());
    }
    let step = units.unit.micros();
    let float = p.dtype().is_float();
    let b = &mut p.b;
    let out = if float {
        let x = b.cast(p.reg, DType::F64);
        let scaled = b.binary_scalar(BinaryOp::Mul, x, Scalar::Float(step as f64), false)?;
        let rounded = b.unary(UnaryOp::Math(FloatFn::Round), scaled)?;
        let micros = b.cast(rounded, DType::I64);
        let t = b.binary_scalar(BinaryOp::Add, micros, Scalar::Int(origin), false)?;
        let missing = b.unary(UnaryOp::IsNan, x)?;
        let nat = b.constant(Scalar::Int(NAT), DType::I64);
        b.select(missing, nat, t)?
    } else {
        let x = b.cast(p.reg, DType::I64);
        let micros = b.binary_scalar(BinaryOp::Mul, x, Scalar::Int(step), false)?;
        let t = b.binary_scalar(BinaryOp::Add, micros, Scalar::Int(origin), false)?;
        // An int64 i64::MIN is how NaT is written without a fill value.
        let missing = b.binary_scalar(BinaryOp::Eq, x, Scalar::Int(NAT), false)?;
        let nat = b.constant(Scalar::Int(NAT), DType::I64);
        b.select(missing, nat, t)?
    };
    p.set(out);
    Ok(())
}

/// Encodes instants (an `I64` variable whose encoding names a calendar) as floats in
/// the encoded units (NaT → NaN), leaving the cast to the stored dtype to the mask
/// stage. Without units in the encoding they are chosen as xarray does, and without
/// a dtype it is `int64` when every time is a whole number of units, else `float64`;
/// both need the values, so only then is anything computed.
pub(super) fn encode(
    name: &str,
    var: &Variable,
    p: &mut Pipeline,
    attrs: &mut Attrs,
    encoding: &mut Attrs,
    target: &mut Option<DType>,
) -> Result<()> {
    if crate::labelled::time::is_timedelta(var) {
        return encode_timedelta(p, attrs, encoding, target);
    }
    if var.dtype() != DType::I64 || !encoding.contains_key("calendar") {
        return Ok(());
    }
    let cal = calendar_of(name, encoding.get("calendar"))?;
    move_key(encoding, attrs, "calendar");
    let given = match move_key(encoding, attrs, "units") {
        Some(v) => {
            let text = v
                .as_str()
                .ok_or_else(|| cf_error(name, format!("time units {v} is not a string")))?;
            Some(parse_units(name, text)?)
        }
        None => None,
    };
    let instants: Option<Vec<i64>> = if given.is_none() || target.is_none() {
        let data = var.data().compute()?.into_typed::<i64>()?;
        Some(data.iter().copied().collect())
    } else {
        None
    };
    let units = match given {
        Some(u) => u,
        None => {
            let u = choose_units(instants.as_deref().unwrap_or(&[]), cal);
            attrs.insert("units".into(), u.to_string().into());
            u
        }
    };
    let origin = units
        .reference_micros(cal)
        .map_err(|e| cf_error(name, format!("time units {units}: {e}")))?;
    let step = units.unit.micros();
    if target.is_none() {
        let exact = instants
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .all(|&t| t != NAT && (t as i128 - origin as i128) % step as i128 == 0);
        *target = Some(if exact { DType::I64 } else { DType::F64 });
    }
    let t = p.reg;
    let b = &mut p.b;
    // Offsets from the origin are exact in i64 (NaT wraps, and is replaced below).
    let shifted = b.binary_scalar(BinaryOp::Sub, t, Scalar::Int(origin), false)?;
    let x = b.cast(shifted, DType::F64);
    let value = b.binary_scalar(BinaryOp::Div, x, Scalar::Float(step as f64), false)?;
    let missing = b.binary_scalar(BinaryOp::Eq, t, Scalar::Int(NAT), false)?;
    let nan = b.constant(Scalar::Float(f64::NAN), DType::F64);
    let out = b.select(missing, nan, value)?;
    p.set(out);
    Ok(())
}
