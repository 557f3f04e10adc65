//! `_FillValue`/`missing_value` masking and `scale_factor`/`add_offset` packing
//! (xarray's `CFMaskCoder` and `CFScaleOffsetCoder`).

use super::attrs::{self, Num};
use super::move_key;
use super::pipeline::Pipeline;
use crate::Result;
use crate::engine::{BinaryOp, DType, FloatFn, Kind, Scalar, UnaryOp};
use crate::labelled::Attrs;

/// xarray's `_choose_float_dtype`: the float type packed data is decoded to.
pub(super) fn choose_float(dtype: DType, scale: Option<Num>, offset: Option<Num>) -> DType {
    let type_of = |n: Num| match n {
        Num::Int(_) => DType::I64,
        Num::Float(_) => DType::F64,
        Num::Float32(_) => DType::F32,
    };
    if scale.is_some() || offset.is_some() {
        let st = scale.map(type_of);
        let ot = offset.map(type_of);
        if let Some(t @ (DType::F32 | DType::F64)) = st
            && st == ot
        {
            // float32 cannot hold every int32 exactly: xarray widens those.
            return if dtype.is_integer() && dtype.size() == 4 {
                DType::F64
            } else {
                t
            };
        }
        if offset.is_some() {
            return DType::F64;
        }
        return st.unwrap_or(DType::F64);
    }
    match dtype {
        DType::F32 => DType::F32,
        d if d.is_integer() && d.size() <= 2 => DType::F32,
        _ => DType::F64,
    }
}

/// numpy's `maybe_promote` for a fill: small integers to float32, others to float64.
fn promote_for_nan(dtype: DType) -> DType {
    match dtype {
        DType::F32 | DType::F64 => dtype,
        d if d.is_integer() && d.size() <= 2 => DType::F32,
        _ => DType::F64,
    }
}

fn parse_opt(
    name: &str,
    key: &str,
    v: Option<serde_json::Value>,
    encoding: &Attrs,
) -> Result<Option<Num>> {
    v.map(|v| attrs::typed_scalar(name, key, &v, encoding))
        .transpose()
}

/// The integer type of the same size with the other signedness (`None` for floats
/// and bools).
fn flip_sign(dtype: DType) -> Option<DType> {
    use DType::*;
    Some(match dtype {
        I8 => U8,
        I16 => U16,
        I32 => U32,
        I64 => U64,
        U8 => I8,
        U16 => I16,
        U32 => I32,
        U64 => I64,
        _ => return None,
    })
}

/// A fill value's bits read as `target` (same size, other signedness): numpy's `view`.
fn wrap_fill(attrs: &mut Attrs, target: DType) {
    let Some(fill) = attrs
        .get("_FillValue")
        .and_then(|v| v.as_i64().or_else(|| v.as_u64().map(|u| u as i64)))
    else {
        return;
    };
    let shift = 64 - 8 * target.size() as u32;
    let wrapped = if target.kind() == Kind::Unsigned {
        serde_json::Value::from(((fill as u64) << shift) >> shift)
    } else {
        serde_json::Value::from(((fill as u64) << shift) as i64 >> shift)
    };
    attrs.insert("_FillValue".into(), wrapped);
}

/// `_Unsigned = "true"` on signed integers (netCDF-3 has no unsigned types) reads the
/// bits as the unsigned type of the same size, fill value included, and `"false"` on
/// unsigned integers the reverse: xarray's `UnsignedIntegerCoder`.
fn reinterpret_sign(p: &mut Pipeline, attrs: &mut Attrs, encoding: &mut Attrs) {
    let Some(flag) = move_key(attrs, encoding, "_Unsigned") else {
        return;
    };
    let wanted = match flag.as_str() {
        Some("true") => Kind::Unsigned,
        Some("false") => Kind::Signed,
        _ => return,
    };
    if let Some(target) = flip_sign(p.dtype()).filter(|t| t.kind() == wanted) {
        // Same-size integer casts wrap: they reinterpret the bits.
        let x = p.b.cast(p.reg, target);
        p.set(x);
        wrap_fill(attrs, target);
    }
}

/// Masks fill values to NaN and applies scale and offset, moving the keys to the encoding.
pub(super) fn decode(
    name: &str,
    p: &mut Pipeline,
    attrs: &mut Attrs,
    encoding: &mut Attrs,
    mask_valid_range: bool,
) -> Result<()> {
    reinterpret_sign(p, attrs, encoding);
    // Stored values outside valid_min/valid_max/valid_range are missing, as CF says
    // (xarray leaves them, hence opt-in); the bounds are in stored units.
    let (lo, hi) = if mask_valid_range {
        valid_bounds(name, attrs)?
    } else {
        (None, None)
    };
    let mut fills = vec![];
    for key in ["_FillValue", "missing_value"] {
        if let Some(v) = move_key(attrs, encoding, key) {
            fills.extend(
                attrs::list(name, key, &v)?
                    .into_iter()
                    .map(Num::f64)
                    .filter(|f| !f.is_nan()),
            );
        }
    }
    let scale = move_key(attrs, encoding, "scale_factor");
    let scale = parse_opt(name, "scale_factor", scale, encoding)?;
    let offset = move_key(attrs, encoding, "add_offset");
    let offset = parse_opt(name, "add_offset", offset, encoding)?;
    let packed = scale.is_some() || offset.is_some();
    if !fills.is_empty() || lo.is_some() || hi.is_some() {
        let dtype = if packed {
            choose_float(p.dtype(), scale, offset)
        } else {
            promote_for_nan(p.dtype())
        };
        let stored = p.reg;
        let stored_integer = p.dtype().is_integer();
        let x = p.b.cast(p.reg, dtype);
        let mut cond = None;
        for f in fills {
            // Integer fills are matched in the stored integers: in float32 the
            // default int32 fill -2147483647 is not representable (xarray compares
            // after the cast and misses it; netCDF4-python masks it, as here).
            let c = if stored_integer && f.fract() == 0.0 && f.abs() < 9.2e18 {
                p.b.binary_scalar(BinaryOp::Eq, stored, Scalar::Int(f as i64), false)?
            } else {
                p.b.binary_scalar(BinaryOp::Eq, x, Scalar::Float(f), false)?
            };
            cond = Some(match cond {
                Some(prev) => p.b.binary(BinaryOp::Or, prev, c)?,
                None => c,
            });
        }
        for (bound, op) in [(lo, BinaryOp::Lt), (hi, BinaryOp::Gt)] {
            if let Some(b) = bound {
                let c = p.b.binary_scalar(op, x, Scalar::Float(b), false)?;
                cond = Some(match cond {
                    Some(prev) => p.b.binary(BinaryOp::Or, prev, c)?,
                    None => c,
                });
            }
        }
        let nan = p.b.constant(Scalar::Float(f64::NAN), dtype);
        let masked = p.b.select(cond.expect("a fill or a bound"), nan, x)?;
        p.set(masked);
    }
    if packed {
        let dtype = choose_float(p.dtype(), scale, offset);
        let mut x = p.b.cast(p.reg, dtype);
        if let Some(s) = scale {
            x = p.b.binary_scalar(BinaryOp::Mul, x, num_scalar(s), false)?;
        }
        if let Some(o) = offset {
            x = p.b.binary_scalar(BinaryOp::Add, x, num_scalar(o), false)?;
        }
        p.set(x);
    }
    Ok(())
}

/// `(valid_min, valid_max)` from `valid_range` or the separate attributes.
fn valid_bounds(name: &str, attrs: &Attrs) -> Result<(Option<f64>, Option<f64>)> {
    if let Some(v) = attrs.get("valid_range") {
        return match attrs::list(name, "valid_range", v)?.as_slice() {
            [lo, hi] => Ok((Some(lo.f64()), Some(hi.f64()))),
            _ => Err(crate::Error::CfVariable {
                variable: name.to_string(),
                reason: format!("valid_range = {v} must hold two numbers"),
            }),
        };
    }
    let one = |key: &str| -> Result<Option<f64>> {
        attrs
            .get(key)
            .map(|v| attrs::scalar(name, key, v).map(Num::f64))
            .transpose()
    };
    Ok((one("valid_min")?, one("valid_max")?))
}

fn num_scalar(n: Num) -> Scalar {
    match n {
        Num::Int(v) => Scalar::Int(v),
        Num::Float(v) | Num::Float32(v) => Scalar::Float(v),
    }
}

/// Removes scale and offset, fills NaN with the fill value and casts (rounding) to
/// the stored dtype, moving the keys back to the attributes.
pub(super) fn encode(
    name: &str,
    p: &mut Pipeline,
    attrs: &mut Attrs,
    encoding: &mut Attrs,
    target: Option<DType>,
) -> Result<()> {
    // `_Unsigned` data is computed in the unsigned type, then its bits stored signed.
    let unsigned = move_key(encoding, attrs, "_Unsigned");
    let (target, stored) = match (target, unsigned.as_ref().and_then(|u| u.as_str())) {
        (Some(t), Some("true")) if t.kind() == Kind::Signed => (flip_sign(t), Some(t)),
        (Some(t), Some("false")) if t.kind() == Kind::Unsigned => (flip_sign(t), Some(t)),
        (t, _) => (t, None),
    };
    let scale = move_key(encoding, attrs, "scale_factor");
    let scale = parse_opt(name, "scale_factor", scale, encoding)?;
    let offset = move_key(encoding, attrs, "add_offset");
    let offset = parse_opt(name, "add_offset", offset, encoding)?;
    if scale.is_some() || offset.is_some() {
        let dtype = choose_float(p.dtype(), scale, offset);
        let mut x = p.b.cast(p.reg, dtype);
        if let Some(o) = offset {
            x = p.b.binary_scalar(BinaryOp::Sub, x, num_scalar(o), false)?;
        }
        if let Some(s) = scale {
            x = p.b.binary_scalar(BinaryOp::Div, x, num_scalar(s), false)?;
        }
        p.set(x);
    }
    let fv = move_key(encoding, attrs, "_FillValue");
    let mv = move_key(encoding, attrs, "missing_value");
    let fill = match (fv, mv) {
        (Some(v), _) => Some(attrs::scalar(name, "_FillValue", &v)?),
        (None, Some(v)) => attrs::list(name, "missing_value", &v)?.first().copied(),
        (None, None) => None,
    };
    if let Some(f) = fill
        && !f.f64().is_nan()
        && p.dtype().is_float()
    {
        let isnan = p.b.unary(UnaryOp::IsNan, p.reg)?;
        let c = p.b.constant(Scalar::Float(f.f64()), p.dtype());
        let filled = p.b.select(isnan, c, p.reg)?;
        p.set(filled);
    }
    if let Some(t) = target
        && t != p.dtype()
    {
        let from_float = p.dtype().is_float();
        let mut x = p.reg;
        if t.is_integer() && from_float {
            x = p.b.unary(UnaryOp::Math(FloatFn::Round), x)?;
        }
        let mut x = p.b.cast(x, t);
        if t == DType::I64 && from_float {
            // numpy casts NaN to int64 as i64::MIN, which is also how xarray
            // writes NaT to an int64 time without a fill value.
            let isnan = p.b.unary(UnaryOp::IsNan, p.reg)?;
            let min = p.b.constant(Scalar::Int(i64::MIN), DType::I64);
            x = p.b.select(isnan, min, x)?;
        }
        p.set(x);
    }
    if let Some(stored) = stored {
        let x = p.b.cast(p.reg, stored);
        p.set(x);
        wrap_fill(attrs, stored);
    }
    Ok(())
}
