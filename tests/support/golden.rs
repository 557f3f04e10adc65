//! Loading the golden fixtures written by `scripts/golden_*.py` and comparing
//! tessera's results with xarray's.
//!
//! A variable in a fixture is `{dims, dtype, shape, data, attrs, chunks}` with `data`
//! flat in C order, `null` for NaN/NaT, datetimes as ISO strings.

#![allow(dead_code)]

use std::collections::BTreeMap;

use ndarray::{ArrayD, IxDyn};
use serde_json::Value;
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use tessera::labelled::{Attrs, Coords, DataArray, Dataset, IndexValues, Variable};
use tessera::time::{Calendar, NAT, parse_datetime_str};

/// numpy's datetime64 is proleptic Gregorian.
pub(crate) const NUMPY_CALENDAR: Calendar = Calendar::ProlepticGregorian;

pub(crate) fn read_fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

fn attrs(v: &Value) -> Attrs {
    v.get("attrs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn shape(v: &Value) -> Vec<usize> {
    v["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|x| x.as_u64().expect("size") as usize)
        .collect()
}

/// A fixture variable's values as f64 (NaN for null, 0/1 for booleans).
pub(crate) fn numbers(v: &Value) -> Vec<f64> {
    let calendarless = v["dtype"].as_str() == Some("datetime64[ns]");
    let cal = calendar(v);
    v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| match x {
            Value::Null => f64::NAN,
            Value::Bool(b) => *b as u8 as f64,
            Value::Number(n) => n.as_f64().expect("number"),
            Value::String(s) if calendarless => time_in(s, cal) as f64,
            other => panic!("unexpected value {other}"),
        })
        .collect()
}

pub(crate) fn time_of(s: &str) -> i64 {
    time_in(s, NUMPY_CALENDAR)
}

/// A fixture date in a calendar (cftime values carry `"calendar"` beside their dtype).
pub(crate) fn time_in(s: &str, cal: Calendar) -> i64 {
    parse_datetime_str(s, cal).expect("fixture date").0
}

/// The calendar of a fixture datetime variable: its `"calendar"`, else numpy's.
pub(crate) fn calendar(v: &Value) -> Calendar {
    v.get("calendar")
        .and_then(Value::as_str)
        .map_or(NUMPY_CALENDAR, |c| {
            Calendar::parse(c).expect("fixture calendar")
        })
}

/// The lazy variable for a fixture variable.
pub(crate) fn variable(v: &Value) -> Variable {
    let dims = strings(&v["dims"]);
    let shape = shape(v);
    let dtype_name = v["dtype"].as_str().expect("dtype");
    if dtype_name == "str" {
        let chunks: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
        return Variable::from_strings(dims, &shape, strings(&v["data"]), &chunks)
            .expect("fixture strings")
            .with_attrs(attrs(v));
    }
    let (dtype, encoding) = if dtype_name == "datetime64[ns]" {
        let mut enc = Attrs::new();
        enc.insert("calendar".into(), calendar(v).name().into());
        (DType::I64, enc)
    } else {
        (
            DType::from_name(dtype_name).unwrap_or_else(|| panic!("dtype {dtype_name}")),
            Attrs::new(),
        )
    };
    let values = numbers(v);
    let data = if dtype == DType::I64 && !encoding.is_empty() {
        let t: Vec<i64> = values
            .iter()
            .map(|&x| if x.is_nan() { NAT } else { x as i64 })
            .collect();
        ArrayData::new(ArrayD::from_shape_vec(IxDyn(&shape), t).expect("shape"))
    } else {
        ArrayData::new(ArrayD::from_shape_vec(IxDyn(&shape), values).expect("shape")).cast(dtype)
    };
    let grid = match v.get("chunks").and_then(Value::as_array) {
        Some(axes) => ChunkGrid::new(
            axes.iter()
                .map(|a| {
                    a.as_array()
                        .expect("chunks")
                        .iter()
                        .map(|c| c.as_u64().expect("chunk") as usize)
                        .collect()
                })
                .collect(),
        )
        .expect("fixture chunks"),
        None => ChunkGrid::single(&shape),
    };
    Variable::new(
        dims,
        LazyArray::from_data(data, grid).expect("fixture data"),
    )
    .expect("fixture variable")
    .with_attrs(attrs(v))
    .with_encoding(encoding)
}

/// Adds a fixture coordinate (string dimension coordinates become string indexes).
pub(crate) fn insert_coord(coords: &mut Coords, name: &str, v: &Value) {
    coords.insert(name, variable(v)).expect("coordinate");
}

pub(crate) fn dataset(v: &Value) -> Dataset {
    let mut ds = Dataset::new();
    for (name, c) in v["coords"].as_object().expect("coords") {
        insert_coord(ds.coords_mut(), name, c);
    }
    for (name, d) in v["data_vars"].as_object().expect("data_vars") {
        ds.insert(name.as_str(), variable(d))
            .expect("data variable");
    }
    *ds.attrs_mut() = attrs(v);
    ds
}

pub(crate) fn datasets(fixture: &Value) -> BTreeMap<String, Dataset> {
    fixture["datasets"]
        .as_object()
        .expect("datasets")
        .iter()
        .map(|(k, v)| (k.clone(), dataset(v)))
        .collect()
}

/// What a variable computed to, in comparable form.
struct Got {
    dims: Vec<String>,
    dtype: String,
    shape: Vec<usize>,
    values: Vec<f64>,
    labels: Option<Vec<String>>,
    attrs: Attrs,
}

fn dtype_label(var: &Variable) -> String {
    if var.encoding().contains_key("calendar") {
        "datetime64[ns]".into()
    } else {
        var.dtype().name().into()
    }
}

fn got_variable(var: &Variable) -> Result<Got, String> {
    if var.is_strings() {
        return Ok(Got {
            dims: var.dims().to_vec(),
            dtype: "str".into(),
            shape: var.shape().to_vec(),
            values: vec![],
            labels: Some(
                var.strings()
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .collect(),
            ),
            attrs: var.attrs().clone(),
        });
    }
    let data = var.data().compute().map_err(|e| e.to_string())?;
    let values = if var.encoding().contains_key("calendar") {
        let t = data
            .cast(DType::I64)
            .into_typed::<i64>()
            .map_err(|e| e.to_string())?;
        t.iter()
            .map(|&x| if x == NAT { f64::NAN } else { x as f64 })
            .collect()
    } else {
        data.to_f64_vec()
    };
    Ok(Got {
        dims: var.dims().to_vec(),
        dtype: dtype_label(var),
        shape: var.shape().to_vec(),
        values,
        labels: None,
        attrs: var.attrs().clone(),
    })
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

fn compare(what: &str, got: &Got, exp: &Value, errors: &mut Vec<String>) {
    let exp_dims = strings(&exp["dims"]);
    if got.dims != exp_dims {
        errors.push(format!("{what}: dims {:?}, xarray {exp_dims:?}", got.dims));
        return;
    }
    let exp_dtype = exp["dtype"].as_str().unwrap_or("?");
    if got.dtype != exp_dtype {
        errors.push(format!("{what}: dtype {}, xarray {exp_dtype}", got.dtype));
    }
    if got.shape != shape(exp) {
        errors.push(format!(
            "{what}: shape {:?}, xarray {:?}",
            got.shape,
            shape(exp)
        ));
        return;
    }
    if exp_dtype == "str" && got.labels.is_none() {
        errors.push(format!(
            "{what}: xarray has strings {}, tessera has no labels",
            exp["data"]
        ));
    } else if let Some(labels) = &got.labels {
        let want = strings(&exp["data"]);
        if *labels != want {
            errors.push(format!("{what}: labels {labels:?}, xarray {want:?}"));
        }
    } else {
        let want = numbers(exp);
        let rel = if exp_dtype == "float32" { 1e-6 } else { 1e-9 };
        // A fixture may allow an absolute error too, where values come from cancelling terms.
        let atol = exp.get("atol").and_then(Value::as_f64).unwrap_or(0.0);
        let ok = |i: usize| {
            close(got.values[i], want[i], rel) || (got.values[i] - want[i]).abs() <= atol
        };
        if let Some(i) = (0..want.len()).find(|&i| !ok(i)) {
            errors.push(format!(
                "{what}: value [{i}] = {}, xarray {}",
                got.values[i], want[i]
            ));
        }
    }
    if got.attrs != attrs(exp) {
        errors.push(format!(
            "{what}: attrs {:?}, xarray {:?}",
            got.attrs,
            attrs(exp)
        ));
    }
}

fn compare_coords(what: &str, coords: &Coords, exp: &Value, errors: &mut Vec<String>) {
    let exp = exp.as_object().expect("coords");
    let have: Vec<String> = coords.names();
    let want: Vec<String> = exp.keys().cloned().collect();
    if have != want {
        errors.push(format!("{what}: coordinates {have:?}, xarray {want:?}"));
    }
    for (name, e) in exp {
        let Some(c) = coords.get(name) else { continue };
        let got = match c.index.as_ref().map(|i| i.values()) {
            Some(IndexValues::Str(labels)) => Ok(Got {
                dims: c.var.dims().to_vec(),
                dtype: "str".into(),
                shape: c.var.shape().to_vec(),
                values: vec![],
                labels: Some(labels.clone()),
                attrs: c.var.attrs().clone(),
            }),
            _ => got_variable(&c.var),
        };
        match got {
            Ok(g) => compare(&format!("{what} coordinate {name:?}"), &g, e, errors),
            Err(err) => errors.push(format!("{what} coordinate {name:?}: {err}")),
        }
    }
}

/// Differences between a data array and xarray's (empty if equal).
pub(crate) fn compare_dataarray(da: &DataArray, exp: &Value, errors: &mut Vec<String>) {
    if exp["kind"] != "dataarray" {
        errors.push(format!("got a DataArray, xarray a {}", exp["kind"]));
        return;
    }
    let want_name = exp["name"].as_str();
    if da.name() != want_name {
        errors.push(format!("name {:?}, xarray {want_name:?}", da.name()));
    }
    match got_variable(da.variable()) {
        Ok(g) => compare("data", &g, &exp["variable"], errors),
        Err(e) => errors.push(format!("computing: {e}")),
    }
    compare_coords("", da.coords(), &exp["coords"], errors);
}

/// Differences between a dataset and xarray's.
pub(crate) fn compare_dataset(ds: &Dataset, exp: &Value, errors: &mut Vec<String>) {
    if exp["kind"] != "dataset" {
        errors.push(format!("got a Dataset, xarray a {}", exp["kind"]));
        return;
    }
    let want_dims: Vec<(String, usize)> = exp["dims"]
        .as_object()
        .expect("dims")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("size") as usize))
        .collect();
    let mut have_dims = ds.dims();
    let mut sorted_want = want_dims.clone();
    have_dims.sort();
    sorted_want.sort();
    if have_dims != sorted_want {
        errors.push(format!("dims {have_dims:?}, xarray {want_dims:?}"));
    }
    let want_vars: Vec<String> = exp["data_vars"]
        .as_object()
        .expect("data_vars")
        .keys()
        .cloned()
        .collect();
    if ds.data_var_names() != want_vars {
        errors.push(format!(
            "data variables {:?}, xarray {want_vars:?}",
            ds.data_var_names()
        ));
    }
    for (name, v) in ds.data_vars() {
        if let Some(e) = exp["data_vars"].get(name) {
            match got_variable(v) {
                Ok(g) => compare(&format!("variable {name:?}"), &g, e, errors),
                Err(err) => errors.push(format!("variable {name:?}: {err}")),
            }
        }
    }
    compare_coords("", ds.coords(), &exp["coords"], errors);
    if *ds.attrs() != attrs(exp) {
        errors.push(format!(
            "dataset attrs {:?}, xarray {:?}",
            ds.attrs(),
            attrs(exp)
        ));
    }
}

/// Fails listing every case in `failures` (one line each) out of `n_cases`.
pub(crate) fn assert_all_match(failures: &[String], n_cases: usize) {
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from xarray:\n{}",
        failures.len(),
        n_cases,
        failures.join("\n")
    );
}

/// What one golden case's operation gave, to compare with what xarray recorded.
pub(crate) enum Outcome {
    /// Compared with an expected `dataarray` result.
    Array(DataArray),
    /// Compared with an expected `dataset` result.
    Set(Dataset),
    /// Compared with the expected `text` (CSV as pandas writes it).
    Text(String),
    /// Compared with the expected `value` exactly.
    Number(f64),
}

/// Replays every case of a golden file: a result is compared with xarray's, an error
/// must be of the kind xarray raised (`same_kind(exception class, error)`) and name what
/// the user wrote (`names_input(case id, message)`). Fails once, listing every case that
/// differs.
pub(crate) fn replay(
    cases: &[Value],
    mut run: impl FnMut(&Value) -> tessera::Result<Outcome>,
    same_kind: impl Fn(&str, &tessera::Error) -> bool,
    names_input: impl Fn(&str, &str) -> bool,
) {
    let mut failures = vec![];
    for case in cases {
        let mut errors = vec![];
        let exp = &case["expected"];
        match (run(case), case["error"].as_str()) {
            (Ok(Outcome::Array(da)), None) => compare_dataarray(&da, exp, &mut errors),
            (Ok(Outcome::Set(ds)), None) => compare_dataset(&ds, exp, &mut errors),
            (Ok(Outcome::Text(t)), None) => {
                let want = exp["text"].as_str().unwrap_or("?");
                if t != want {
                    errors.push(format!("text\n{t}\nxarray/pandas:\n{want}"));
                }
            }
            (Ok(Outcome::Number(v)), None) => {
                let want = exp["value"].as_f64().unwrap_or(f64::NAN);
                if v != want {
                    errors.push(format!("value {v}, xarray {want}"));
                }
            }
            (Ok(_), Some(x)) => errors.push(format!("succeeded; xarray raised {x}")),
            (Err(e), None) => errors.push(format!("failed: {e}")),
            (Err(e), Some(x)) if !same_kind(x, &e) => {
                errors.push(format!("error {e:?}; xarray raised {x}"))
            }
            (Err(e), Some(_)) => {
                let msg = e.to_string();
                if !names_input(case["id"].as_str().unwrap_or(""), &msg) {
                    errors.push(format!("the message does not name the input: {msg}"));
                }
            }
        }
        if !errors.is_empty() {
            failures.push(format!("{}: {}", case["id"], errors.join("; ")));
        }
    }
    assert_all_match(&failures, cases.len());
}
