//! CF decoding and encoding against xarray (`scripts/golden_cf.py`): decoded dtype,
//! values (times to the microsecond, in their calendar), attributes and encoding keys;
//! what encoding gives back; the units xarray chooses for datetimes with no encoding.

mod golden;

use ndarray::{ArrayD, IxDyn};
use serde_json::Value;
use tessera::engine::{ArrayData, DType, LazyArray};
use tessera::labelled::cf::{DecodeOptions, decode_cf, encode_cf};
use tessera::labelled::{Attrs, Dataset, Variable};
use tessera::time::{Calendar, NAT, TimeUnits, parse_datetime_str};

fn fixture() -> Value {
    golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/cf/cases.json"
    ))
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        other => other.as_f64().expect("number"),
    }
}

fn raw_dataset(raw: &Value) -> Dataset {
    let values: Vec<f64> = raw["data"].as_array().unwrap().iter().map(number).collect();
    let n = values.len();
    let dtype = DType::from_name(raw["dtype"].as_str().unwrap()).expect("dtype");
    let data = if dtype == DType::I64 {
        // i64 values beyond 2^53 would not survive f64.
        let ints: Vec<i64> = raw["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[n]), ints).unwrap())
    } else {
        ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[n]), values).unwrap()).cast(dtype)
    };
    let attrs: Attrs = raw["attrs"].as_object().unwrap().clone();
    let var = Variable::new(
        ["x"],
        LazyArray::from_data(
            data,
            tessera::engine::ChunkGrid::regular(&[n], &[2]).unwrap(),
        )
        .unwrap(),
    )
    .unwrap()
    .with_attrs(attrs);
    let mut ds = Dataset::new();
    ds.insert("v", var).unwrap();
    ds
}

fn instants(var: &Variable) -> Vec<i64> {
    var.data()
        .compute()
        .unwrap()
        .into_typed::<i64>()
        .unwrap()
        .iter()
        .copied()
        .collect()
}

fn numbers_of(var: &Variable) -> Vec<f64> {
    var.data().compute().unwrap().to_f64_vec()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn check_case(case: &Value) -> Vec<String> {
    let mut errors = vec![];
    let raw = raw_dataset(&case["raw"]);
    let decoded = match decode_cf(&raw, &DecodeOptions::default()) {
        Ok(d) => d,
        Err(e) => return vec![format!("decode failed: {e}")],
    };
    let var = decoded.get("v").unwrap().variable().clone();
    let want = &case["decoded"];
    if want["dtype"] == "datetime" {
        let Some(cal) = var.encoding().get("calendar").and_then(Value::as_str) else {
            return vec![format!(
                "decoded as {} without a calendar, xarray: datetimes",
                var.dtype()
            )];
        };
        let cal = Calendar::parse(cal).unwrap();
        let got = instants(&var);
        for (i, w) in want["data"].as_array().unwrap().iter().enumerate() {
            let expected = match w.as_str() {
                None => NAT,
                Some(s) => parse_datetime_str(s, cal).unwrap().0,
            };
            if got[i] != expected {
                errors.push(format!("time [{i}]: {} µs, xarray {w}", got[i]));
            }
        }
    } else {
        if var.dtype().name() != want["dtype"] {
            errors.push(format!("dtype {}, xarray {}", var.dtype(), want["dtype"]));
        }
        let got = numbers_of(&var);
        for (i, w) in want["data"].as_array().unwrap().iter().enumerate() {
            if !same(got[i], number(w)) {
                errors.push(format!("value [{i}]: {}, xarray {w}", got[i]));
            }
        }
    }
    if var.attrs() != want["attrs"].as_object().unwrap() {
        errors.push(format!("attrs {:?}, xarray {}", var.attrs(), want["attrs"]));
    }
    for key in want["encoding_keys"].as_array().unwrap() {
        if !var.encoding().contains_key(key.as_str().unwrap()) {
            errors.push(format!("encoding lacks {key}: {:?}", var.encoding()));
        }
    }
    if let Some(enc) = case.get("encoded") {
        match encode_cf(&decoded) {
            Err(e) => errors.push(format!("encode failed: {e}")),
            Ok(back) => {
                let v = back.get("v").unwrap().variable().clone();
                if v.dtype().name() != enc["dtype"] {
                    errors.push(format!(
                        "encoded dtype {}, xarray {}",
                        v.dtype(),
                        enc["dtype"]
                    ));
                }
                let got = numbers_of(&v);
                for (i, w) in enc["data"].as_array().unwrap().iter().enumerate() {
                    if !same(got[i], number(w)) {
                        errors.push(format!("encoded [{i}]: {}, xarray {w}", got[i]));
                    }
                }
            }
        }
    }
    errors
}

#[test]
fn decoding_and_encoding_match_xarray() {
    let fx = fixture();
    let cases = fx["cases"].as_array().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let e = check_case(c);
            (!e.is_empty()).then(|| format!("{}: {}", c["id"], e.join("; ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 29);
}

#[test]
fn datetimes_without_encoding_get_xarrays_units() {
    let fx = fixture();
    for case in fx["fresh_times"].as_array().unwrap() {
        let id = &case["id"];
        // numpy datetimes are proleptic Gregorian; xarray says so when writing them.
        let cal = match case["calendar"].as_str().unwrap() {
            "standard" => Calendar::ProlepticGregorian,
            other => Calendar::parse(other).unwrap(),
        };
        let t: Vec<i64> = case["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| parse_datetime_str(d.as_str().unwrap(), cal).unwrap().0)
            .collect();
        let n = t.len();
        let mut enc = Attrs::new();
        enc.insert("calendar".into(), cal.name().into());
        let var = Variable::new(
            ["t"],
            LazyArray::from_ndarray(ArrayD::from_shape_vec(IxDyn(&[n]), t).unwrap(), &[n]).unwrap(),
        )
        .unwrap()
        .with_encoding(enc);
        let mut ds = Dataset::new();
        ds.insert_coord("t", var).unwrap();
        let out = encode_cf(&ds).unwrap();
        let v = out.coords().get("t").unwrap().var.clone();
        let want = &case["encoded"];
        assert_eq!(v.dtype().name(), want["dtype"], "{id}");
        let got: Vec<f64> = numbers_of(&v);
        let exp: Vec<f64> = want["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(number)
            .collect();
        assert_eq!(got, exp, "{id}");
        let ours = TimeUnits::parse(v.attrs()["units"].as_str().unwrap()).unwrap();
        let theirs = TimeUnits::parse(want["units"].as_str().unwrap()).unwrap();
        assert_eq!(ours.unit, theirs.unit, "{id}");
        assert_eq!(
            ours.reference_micros(cal).unwrap(),
            theirs.reference_micros(cal).unwrap(),
            "{id}"
        );
        assert_eq!(v.attrs()["calendar"], want["calendar"], "{id}");
    }
}
