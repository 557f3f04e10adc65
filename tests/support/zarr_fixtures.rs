//! Comparing a dataset opened by tessera with what xarray showed for the same store
//! (the JSON written by `scripts/zarr_fixtures.py` / `scripts/zarr_check.py`).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use tessera::labelled::Dataset;

pub(crate) const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures/zarr");

pub(crate) fn expected() -> Value {
    let path = format!("{FIXTURES}/expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Attribute values equal as xarray would see them: numbers by value.
pub(crate) fn attr_eq(a: &Value, b: &Value) -> bool {
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
pub(crate) fn check(ds: &Dataset, want: &Value, label: &str) -> usize {
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

/// A dataset in the JSON form `check` and `scripts/zarr_check.py` compare against.
pub(crate) fn describe(ds: &Dataset) -> Value {
    let mut vars = serde_json::Map::new();
    let mut names = ds.coords().names();
    names.extend(ds.data_var_names());
    for name in names {
        let da = ds.get(&name).unwrap();
        let values: Vec<Value> = da
            .compute()
            .unwrap()
            .to_f64_vec()
            .into_iter()
            .map(|x| {
                if x.is_nan() {
                    Value::Null
                } else {
                    serde_json::json!(x)
                }
            })
            .collect();
        vars.insert(
            name.clone(),
            serde_json::json!({"dims": da.dims(), "dtype": da.dtype().name(), "shape": da.shape(),
                "values": values, "attrs": da.attrs()}),
        );
    }
    let dims: serde_json::Map<String, Value> = ds
        .dims()
        .into_iter()
        .map(|(d, n)| (d, serde_json::json!(n)))
        .collect();
    serde_json::json!({"dims": dims, "coords": ds.coords().names(), "attrs": ds.attrs(), "vars": vars})
}

/// A fresh empty directory under the system temp dir (removed by a [`Cleanup`] guard
/// when a test holds one; otherwise left for inspection).
pub(crate) fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-zarr-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies a fixture store into a temp dir (to damage it).
pub(crate) fn copy_fixture(store: &str, name: &str) -> std::path::PathBuf {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
    let dir = temp_dir(name).join(store);
    copy(&std::path::Path::new(FIXTURES).join(store), &dir);
    dir
}

/// python3 with xarray, or why not.
pub(crate) fn python_with_xarray() -> Result<(), String> {
    python_with("xarray, zarr")
}

/// python3 that imports `modules` (`"xarray, netCDF4"`), or why not.
pub(crate) fn python_with(modules: &str) -> Result<(), String> {
    match std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "python3 cannot import {modules}: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )),
        Err(e) => Err(format!("no python3: {e}")),
    }
}

/// Runs `scripts/<script> <fresh temp dir> <extra...>` (the fixture scripts' calling
/// convention) and returns the directory; `Err` with the reason to skip when python3
/// lacks `modules`. A failing script fails the test.
pub(crate) fn script_fixtures(
    script: &str,
    name: &str,
    modules: &str,
    extra: &[&str],
) -> Result<std::path::PathBuf, String> {
    python_with(modules)?;
    let dir = temp_dir(name);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(script);
    let out = std::process::Command::new("python3")
        .arg(&path)
        .arg(&dir)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("running {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(dir)
}

/// Removes a directory when dropped, so passing tests leave nothing behind.
pub(crate) struct Cleanup(pub std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
