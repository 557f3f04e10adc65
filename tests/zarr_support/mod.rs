//! Comparing a dataset opened by tessera with what xarray showed for the same store
//! (the JSON written by `scripts/zarr_fixtures.py` / `scripts/zarr_check.py`).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use tessera::labelled::Dataset;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures/zarr");

pub fn expected() -> Value {
    let path = format!("{FIXTURES}/expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Attribute values equal as xarray would see them: numbers by value.
pub fn attr_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| attr_eq(p, q))
        }
        _ => a == b,
    }
}

fn attrs_eq(got: &serde_json::Map<String, Value>, want: &Value, what: &str) {
    let want = want.as_object().cloned().unwrap_or_default();
    let gk: BTreeSet<&String> = got.keys().collect();
    let wk: BTreeSet<&String> = want.keys().collect();
    assert_eq!(gk, wk, "attribute names of {what}");
    for (k, v) in &want {
        assert!(
            attr_eq(&got[k], v),
            "attribute {k} of {what}: got {} want {v}",
            got[k]
        );
    }
}

/// Checks names, dims, coords, attrs, dtypes and values; `f32` to 1e-5, `f64` to 1e-6
/// relative, NaN positions exact. Returns the number of values compared.
pub fn check(ds: &Dataset, want: &Value, label: &str) -> usize {
    let dims: BTreeMap<String, usize> = ds.dims().into_iter().collect();
    let wdims: BTreeMap<String, usize> = serde_json::from_value(want["dims"].clone()).unwrap();
    assert_eq!(dims, wdims, "{label}: dims");
    let coords: BTreeSet<String> = ds.coords().names().into_iter().collect();
    let wcoords: BTreeSet<String> = serde_json::from_value(want["coords"].clone()).unwrap();
    assert_eq!(coords, wcoords, "{label}: coords");
    let wvars = want["vars"].as_object().unwrap();
    let mut names: BTreeSet<String> = ds.data_var_names().into_iter().collect();
    names.extend(coords.iter().cloned());
    let wnames: BTreeSet<String> = wvars.keys().cloned().collect();
    assert_eq!(names, wnames, "{label}: variables");
    attrs_eq(ds.attrs(), &want["attrs"], &format!("{label} (dataset)"));
    let mut count = 0;
    for (name, w) in wvars {
        let what = format!("{label}/{name}");
        let da = ds.get(name).unwrap();
        let wd: Vec<String> = serde_json::from_value(w["dims"].clone()).unwrap();
        assert_eq!(da.dims(), wd.as_slice(), "{what}: dims");
        let ws: Vec<usize> = serde_json::from_value(w["shape"].clone()).unwrap();
        assert_eq!(da.shape(), ws.as_slice(), "{what}: shape");
        let wdtype = w["dtype"].as_str().unwrap();
        let dtype_ok = match wdtype {
            "datetime64" | "cftime" => da.dtype().name() == "int64",
            other => da.dtype().name() == other,
        };
        assert!(dtype_ok, "{what}: dtype {} want {wdtype}", da.dtype());
        attrs_eq(da.attrs(), &w["attrs"], &what);
        let tol = if wdtype == "float32" { 1e-5 } else { 1e-6 };
        let got = da.compute().unwrap().to_f64_vec();
        let wv = w["values"].as_array().unwrap();
        assert_eq!(got.len(), wv.len(), "{what}: length");
        for (i, (g, v)) in got.iter().zip(wv).enumerate() {
            match v.as_f64() {
                None => assert!(g.is_nan(), "{what}[{i}]: got {g}, want NaN"),
                Some(x) => assert!(
                    (g - x).abs() <= tol * x.abs().max(1e-30) || g == &x,
                    "{what}[{i}]: got {g}, want {x}"
                ),
            }
        }
        count += got.len();
    }
    count
}
