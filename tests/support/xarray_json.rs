//! Comparing what tessera reads with the JSON the fixture scripts dump from xarray.

use serde_json::Value;
use tessera::labelled::Dataset;
use tessera::time::Calendar;

/// JSON equality with numbers within a relative `rel` (objects key by key).
pub(crate) fn close_within(a: &Value, b: &Value, rel: f64) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= rel * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close_within(x, y, rel))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| close_within(v, w, rel)))
        }
        _ => a == b,
    }
}

/// JSON equality, numbers within a relative 1e-6 (float32 data).
pub(crate) fn close(a: &Value, b: &Value) -> bool {
    close_within(a, b, 1e-6)
}

/// A variable's values as the scripts write them: ISO strings for times (to the
/// second), strings, numbers with `null` for NaN.
pub(crate) fn values_of(ds: &Dataset, name: &str) -> Value {
    let da = ds.get(name).unwrap();
    let var = da.variable();
    if var.is_strings() {
        return var
            .strings()
            .unwrap()
            .iter()
            .map(|s| Value::from(s.as_str()))
            .collect();
    }
    if let Some(cal) = var.encoding().get("calendar").and_then(Value::as_str) {
        let cal = Calendar::parse(cal).unwrap();
        return da
            .values::<i64>()
            .unwrap()
            .iter()
            .map(|&t| Value::from(cal.from_micros(t).to_string()[..19].to_string()))
            .collect();
    }
    da.values::<f64>()
        .unwrap()
        .iter()
        .map(|&x| if x.is_nan() { Value::Null } else { x.into() })
        .collect()
}

/// The names, sorted (xarray's JSON lists them sorted).
pub(crate) fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}
