//! CF times: `<unit> since <date>` numbers in any CF calendar to instants (µs since
//! 1970-01-01 in the variable's own calendar, the labelled layer's datetime form) and
//! back.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::engine::{ArrayData, DType, LazyArray};
use crate::labelled::{Attrs, Dataset, Variable};
use crate::time::{
    Calendar, NAT, TimeUnits, choose_units, decode_f64, decode_i64, encode_f64, encode_i64,
};
use crate::{Error, Result};

/// True for a `units` attribute of the form `<unit> since <date>`.
pub fn is_time_units(units: Option<&Value>) -> bool {
    units
        .and_then(Value::as_str)
        .is_some_and(|u| u.to_ascii_lowercase().contains(" since "))
}

/// `units`/`calendar` that bounds variables (named by a time variable's `bounds`
/// attribute) inherit, as CF says and xarray does.
pub fn bounds_units(ds: &Dataset) -> HashMap<String, Attrs> {
    let mut out = HashMap::new();
    let all = ds
        .coords()
        .iter()
        .map(|(n, c)| (n.clone(), c.var.clone()))
        .chain(ds.data_vars().map(|(n, v)| (n.clone(), v.clone())));
    for (_, var) in all {
        let a = var.attrs();
        if let (Some(bounds), true) = (
            a.get("bounds").and_then(Value::as_str),
            is_time_units(a.get("units")),
        ) {
            let inherited: Attrs = ["units", "calendar"]
                .iter()
                .filter_map(|k| a.get(*k).map(|v| (k.to_string(), v.clone())))
                .collect();
            out.insert(bounds.to_string(), inherited);
        }
    }
    out
}

fn calendar_of(name: &str, attrs: &Attrs) -> Result<Calendar> {
    match attrs.get("calendar") {
        None | Some(Value::Null) => Ok(Calendar::Standard),
        Some(Value::String(c)) => Calendar::parse(c),
        Some(other) => Err(Error::invalid(format!(
            "variable {name:?}: calendar attribute {other} is not a string"
        ))),
    }
}

fn units_of(name: &str, text: &str) -> Result<TimeUnits> {
    TimeUnits::parse(text).map_err(|e| {
        Error::invalid(format!(
            "variable {name:?}: cannot decode times with units {text:?}: {e}"
        ))
    })
}

/// Decodes a variable with time units into instants (lazily, block by block).
pub fn decode(name: &str, var: &Variable) -> Result<Variable> {
    let Some(text) = var.attrs().get("units").and_then(Value::as_str) else {
        return Ok(var.clone());
    };
    if !is_time_units(var.attrs().get("units")) || var.is_strings() || var.dtype() == DType::Bool {
        return Ok(var.clone());
    }
    let units = units_of(name, text)?;
    let calendar = calendar_of(name, var.attrs())?;
    // Fail now, not at compute time, on a reference date the calendar lacks.
    units.reference_micros(calendar).map_err(|e| {
        Error::invalid(format!(
            "variable {name:?}: cannot decode times with units {text:?}: {e}"
        ))
    })?;
    let integer = var.dtype().is_integer();
    let units = Arc::new(units);
    let label = format!("decode times of {name}");
    let data = LazyArray::map_blocks(&[var.data()], label, DType::I64, move |blocks| {
        let b = &blocks[0];
        let shape = b.shape().to_vec();
        let instants = if integer {
            let v = b.clone().cast(DType::I64).into_typed::<i64>()?;
            let valid: Vec<i64> = v.iter().map(|&x| if x == NAT { 0 } else { x }).collect();
            let mut t = decode_i64(&valid, &units, calendar)?;
            for (out, &x) in t.iter_mut().zip(v.iter()) {
                if x == NAT {
                    *out = NAT;
                }
            }
            t
        } else {
            let v = b.clone().cast(DType::F64).into_typed::<f64>()?;
            decode_f64(&v.iter().copied().collect::<Vec<_>>(), &units, calendar)?
        };
        let a = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), instants)
            .expect("one instant per value");
        Ok(ArrayData::new(a))
    })?;
    let mut attrs = var.attrs().clone();
    let mut encoding = var.encoding().clone();
    encoding
        .entry("dtype")
        .or_insert_with(|| Value::from(var.dtype().name()));
    for key in ["units", "calendar"] {
        if let Some(v) = attrs.remove(key) {
            encoding.insert(key.into(), v);
        }
    }
    encoding
        .entry("calendar")
        .or_insert_with(|| Value::from(calendar.name()));
    Ok(var
        .with_data(data)?
        .with_attrs(attrs)
        .with_encoding(encoding))
}

/// Encodes instants as numbers in the encoding's units and calendar (chosen as
/// xarray chooses them when absent), as integers when every time is a whole number
/// of units, else as floats with NaN for NaT.
pub fn encode(name: &str, var: &Variable) -> Result<Variable> {
    if !crate::labelled::reduce::is_datetime(var) {
        return Ok(var.clone());
    }
    let enc = var.encoding();
    let calendar = calendar_of(name, enc)?;
    let wanted = enc
        .get("dtype")
        .and_then(Value::as_str)
        .and_then(DType::from_name);
    // Units and the integer/float choice need the values when the encoding does not
    // fix them; time variables are small (coordinates), so computing them is cheap.
    let values: Option<Vec<i64>> = match (enc.get("units").and_then(Value::as_str), wanted) {
        (Some(_), Some(d)) if d.is_integer() || d.is_float() => None,
        _ => Some(
            var.data()
                .compute()?
                .into_typed::<i64>()?
                .iter()
                .copied()
                .collect(),
        ),
    };
    let units = match enc.get("units").and_then(Value::as_str) {
        Some(text) => units_of(name, text)?,
        None => choose_units(values.as_deref().unwrap_or(&[]), calendar),
    };
    let origin = units.reference_micros(calendar)?;
    let integer = match (wanted, &values) {
        (Some(d), _) if d.is_integer() || d.is_float() => d.is_integer(),
        (_, Some(v)) => !v.contains(&NAT) && encode_i64(v, &units, calendar).is_ok(),
        _ => false,
    };
    let out_dtype = match wanted {
        Some(d) if d.is_integer() || d.is_float() => d,
        _ if integer => DType::I64,
        _ => DType::F64,
    };
    let text = units.to_string();
    let units = Arc::new(units);
    let label = format!("encode times of {name}");
    let numbers = if integer { DType::I64 } else { DType::F64 };
    // Integer times store NaT as the encoding's integer _FillValue, as xarray does.
    let int_fill: Option<i64> = enc.get("_FillValue").and_then(Value::as_i64);
    let data = LazyArray::map_blocks(&[var.data()], label, numbers, move |blocks| {
        let b = &blocks[0];
        let shape = b.shape().to_vec();
        let t: Vec<i64> = b.clone().into_typed::<i64>()?.iter().copied().collect();
        let dims = ndarray::IxDyn(&shape);
        Ok(if integer {
            let valid: Vec<i64> = match int_fill {
                Some(_) => t
                    .iter()
                    .map(|&x| if x == NAT { origin } else { x })
                    .collect(),
                None => t.clone(),
            };
            let mut n = encode_i64(&valid, &units, calendar)?;
            if let Some(fill) = int_fill {
                for (out, &x) in n.iter_mut().zip(&t) {
                    if x == NAT {
                        *out = fill;
                    }
                }
            }
            ArrayData::new(ndarray::ArrayD::from_shape_vec(dims, n).expect("shape"))
        } else {
            ArrayData::new(
                ndarray::ArrayD::from_shape_vec(dims, encode_f64(&t, &units, calendar)?)
                    .expect("shape"),
            )
        })
    })?
    .cast(out_dtype)?;
    let mut attrs = var.attrs().clone();
    attrs.insert("units".into(), Value::from(text));
    attrs.insert(
        "calendar".into(),
        enc.get("calendar")
            .cloned()
            .unwrap_or_else(|| Value::from(calendar.name())),
    );
    let mut encoding = enc.clone();
    for key in ["units", "calendar", "scale_factor", "add_offset"] {
        encoding.remove(key);
    }
    encoding.insert("dtype".into(), Value::from(out_dtype.name()));
    if !integer {
        encoding.insert("_FillValue".into(), Value::from("NaN"));
    } else if int_fill.is_none() {
        encoding.remove("_FillValue");
    }
    // Plain numbers from here on: the datetime marker is gone with `calendar`.
    Ok(Variable::new(var.dims().to_vec(), data)?
        .with_attrs(attrs)
        .with_encoding(encoding))
}
