//! netCDF attributes from the JSON the crate keeps them in: CF attributes that have
//! the variable's type (`_FillValue`, `valid_range`, ...) in that type, the others as
//! int32 / int64 / double / text as xarray would write the Python values they came
//! from. The non-finite floats that JSON cannot hold (kept as the strings `"NaN"`,
//! `"Infinity"`, `"-Infinity"`) are written as doubles.

use netcdf::AttributeValue;
use serde_json::Value;

use super::write_options::NetcdfFormat;
use crate::engine::DType;

/// A value of a CF attribute that has the variable's type (`_FillValue`,
/// `valid_range`, ...), as the stored dtype's netCDF attribute type.
pub(super) fn typed_attr(v: &Value, dtype: DType) -> std::result::Result<AttributeValue, String> {
    let nums: Vec<f64> = match v {
        Value::Array(items) => items.iter().map(number).collect::<Option<_>>(),
        _ => number(v).map(|x| vec![x]),
    }
    .ok_or("not a number or a list of numbers")?;
    let ints = || -> std::result::Result<Vec<i64>, String> {
        nums.iter()
            .map(|&x| {
                (x.fract() == 0.0 && x.is_finite())
                    .then_some(x as i64)
                    .ok_or_else(|| format!("{x} is not a whole number for a {dtype} variable"))
            })
            .collect()
    };
    let one = nums.len() == 1 && !v.is_array();
    macro_rules! conv {
        ($t:ty, $one:ident, $many:ident) => {{
            let vals = ints()?
                .into_iter()
                .map(|i| <$t>::try_from(i).map_err(|_| format!("{i} does not fit in {dtype}")))
                .collect::<std::result::Result<Vec<$t>, String>>()?;
            if one {
                AttributeValue::$one(vals[0])
            } else {
                AttributeValue::$many(vals)
            }
        }};
    }
    Ok(match dtype {
        DType::F32 => {
            let vals: Vec<f32> = nums.iter().map(|&x| x as f32).collect();
            if one {
                AttributeValue::Float(vals[0])
            } else {
                AttributeValue::Floats(vals)
            }
        }
        DType::F64 => {
            if one {
                AttributeValue::Double(nums[0])
            } else {
                AttributeValue::Doubles(nums)
            }
        }
        DType::I8 => conv!(i8, Schar, Schars),
        DType::U8 => conv!(u8, Uchar, Uchars),
        DType::I16 => conv!(i16, Short, Shorts),
        DType::U16 => conv!(u16, Ushort, Ushorts),
        DType::I32 => conv!(i32, Int, Ints),
        DType::U32 => conv!(u32, Uint, Uints),
        DType::I64 => conv!(i64, Longlong, Longlongs),
        DType::U64 => conv!(u64, Ulonglong, Ulonglongs),
        DType::Bool => conv!(i8, Schar, Schars),
    })
}

/// A JSON number, or one of the strings Zarr and the readers use for non-finite floats.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => non_finite(s),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn non_finite(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Any other attribute: whole numbers as int32 where they fit (what netCDF files
/// mostly hold; netCDF-3 has no int64), else int64; other numbers and the
/// non-finite spellings as double; strings as text; lists of them alike.
pub(super) fn json_attr(
    v: &Value,
    format: NetcdfFormat,
) -> std::result::Result<AttributeValue, String> {
    let whole = |n: &serde_json::Number| n.as_i64();
    let int_list = |xs: Vec<i64>| -> std::result::Result<AttributeValue, String> {
        if xs.iter().all(|&x| i32::try_from(x).is_ok()) {
            Ok(AttributeValue::Ints(
                xs.into_iter().map(|x| x as i32).collect(),
            ))
        } else if format.classic_model() {
            Err("integers beyond int32 do not fit in a netCDF-3 attribute".into())
        } else {
            Ok(AttributeValue::Longlongs(xs))
        }
    };
    match v {
        Value::Bool(b) => Ok(AttributeValue::Schar(i8::from(*b))),
        Value::Number(n) => match (whole(n), n.as_u64()) {
            (Some(i), _) => match int_list(vec![i])? {
                AttributeValue::Ints(x) => Ok(AttributeValue::Int(x[0])),
                _ => Ok(AttributeValue::Longlong(i)),
            },
            (None, Some(u)) if !format.classic_model() => Ok(AttributeValue::Ulonglong(u)),
            _ => Ok(AttributeValue::Double(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => Ok(match non_finite(s) {
            Some(x) => AttributeValue::Double(x),
            None => AttributeValue::Str(s.clone()),
        }),
        Value::Array(items) => {
            if !items.is_empty() && items.iter().all(|i| i.is_string() && number(i).is_none()) {
                if format.classic_model() {
                    return Err("the classic format has no lists of strings".into());
                }
                return Ok(AttributeValue::Strs(
                    items
                        .iter()
                        .map(|i| i.as_str().unwrap_or("").to_string())
                        .collect(),
                ));
            }
            let ints: Option<Vec<i64>> = items
                .iter()
                .map(|i| match i {
                    Value::Number(n) => whole(n),
                    Value::Bool(b) => Some(i64::from(*b)),
                    _ => None,
                })
                .collect();
            if let Some(ints) = ints {
                return int_list(ints);
            }
            items
                .iter()
                .map(number)
                .collect::<Option<Vec<f64>>>()
                .map(AttributeValue::Doubles)
                .ok_or_else(|| "a list must hold only numbers or only strings".to_string())
        }
        Value::Null => Err("null cannot be stored".into()),
        Value::Object(_) => Err("nested objects cannot be stored".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_take_netcdf_types() {
        let nc4 = NetcdfFormat::Netcdf4;
        let nc3 = NetcdfFormat::Netcdf3Classic;
        assert_eq!(json_attr(&3.into(), nc4).unwrap(), AttributeValue::Int(3));
        assert_eq!(
            json_attr(&(1i64 << 40).into(), nc4).unwrap(),
            AttributeValue::Longlong(1 << 40)
        );
        assert!(json_attr(&(1i64 << 40).into(), nc3).is_err());
        assert_eq!(
            json_attr(&"NaN".into(), nc4).unwrap().to_string_lossy(),
            "NaN"
        );
        assert_eq!(
            json_attr(&serde_json::json!([1, 2.5]), nc4).unwrap(),
            AttributeValue::Doubles(vec![1.0, 2.5])
        );
        assert_eq!(
            json_attr(&serde_json::json!(["a", "b"]), nc4).unwrap(),
            AttributeValue::Strs(vec!["a".into(), "b".into()])
        );
        assert!(json_attr(&serde_json::json!({"a": 1}), nc4).is_err());
        assert_eq!(
            typed_attr(&(-32767).into(), DType::I16).unwrap(),
            AttributeValue::Short(-32767)
        );
        assert_eq!(
            typed_attr(&serde_json::json!([0, 10]), DType::U8).unwrap(),
            AttributeValue::Uchars(vec![0, 10])
        );
        assert!(typed_attr(&1e6.into(), DType::I16).is_err());
        assert!(typed_attr(&0.5.into(), DType::I32).is_err());
    }

    trait Lossy {
        fn to_string_lossy(&self) -> String;
    }
    impl Lossy for AttributeValue {
        fn to_string_lossy(&self) -> String {
            match self {
                AttributeValue::Double(x) => x.to_string(),
                other => format!("{other:?}"),
            }
        }
    }
}
