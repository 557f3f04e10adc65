//! CF decoding and encoding replayed against xarray (scripts/golden_cf.py).

use crate::support::cf_datasets::{close, f64s, golden, raw_dataset};
use serde_json::Value;
use tessera::engine::DType;
use tessera::labelled::{DecodeOptions, decode_cf, encode_cf};
use tessera::time::{Calendar, NAT, TimeUnits};

fn time_fields(cal: Calendar, t: i64) -> Value {
    if t == NAT {
        return Value::Null;
    }
    let d = cal.from_micros(t);
    serde_json::json!([
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
        d.microsecond
    ])
}

/// Cases where xarray itself does not produce what CF asks for, and what we do.
fn expected_times(name: &str, mut want: Vec<Value>) -> Vec<Value> {
    // cftime decoding in xarray turns a masked time into the reference date, not
    // NaT; a fill value is missing data, so we give NaT.
    if name == "time_noleap_hours_fill" {
        want[2] = Value::Null;
    }
    want
}

fn same_units(a: &str, b: &str) -> bool {
    let (Ok(a), Ok(b)) = (TimeUnits::parse(a), TimeUnits::parse(b)) else {
        return false;
    };
    a.unit == b.unit
        && a.reference_micros(Calendar::ProlepticGregorian).ok()
            == b.reference_micros(Calendar::ProlepticGregorian).ok()
}

/// Encoded values where xarray's differ because of the decoding gap above.
fn expected_encoded(name: &str, mut want: Vec<f64>) -> Vec<f64> {
    if name == "time_noleap_hours_fill" {
        want[2] = -1.0;
    }
    want
}

fn check_case(case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap();
    let raw = &case["raw"];
    let ds = raw_dataset(
        "v",
        "x",
        raw["dtype"].as_str().unwrap(),
        raw["values"].as_array().unwrap(),
        &raw["attrs"],
    );
    let dec = decode_cf(&ds, &DecodeOptions::default()).map_err(|e| e.to_string())?;
    let v = dec.get("v").map_err(|e| e.to_string())?;
    let want = &case["decoded"];
    let enc_keys: Vec<&String> = v.variable().encoding().keys().collect();
    for k in want["encoding_keys"].as_array().unwrap() {
        let k = k.as_str().unwrap();
        if !enc_keys.iter().any(|e| *e == k) {
            return Err(format!("encoding lacks {k:?}: {enc_keys:?}"));
        }
    }
    let want_attrs: Vec<&String> = want["attrs"].as_object().unwrap().keys().collect();
    let got_attrs: Vec<&String> = v.attrs().keys().collect();
    if want_attrs != got_attrs {
        return Err(format!("attrs {got_attrs:?}, xarray {want_attrs:?}"));
    }
    let decoded: Vec<f64> = if want["dtype"] == "datetime" {
        if v.dtype() != DType::I64 {
            return Err(format!("time decoded to {}", v.dtype()));
        }
        let cal = Calendar::parse(v.variable().encoding()["calendar"].as_str().unwrap()).unwrap();
        let t = v.values::<i64>().map_err(|e| e.to_string())?;
        let got: Vec<Value> = t.iter().map(|&t| time_fields(cal, t)).collect();
        let expect = expected_times(name, want["values"].as_array().unwrap().clone());
        if got != expect {
            return Err(format!("times {got:?}\n xarray {expect:?}"));
        }
        t.iter().map(|&x| x as f64).collect()
    } else {
        if v.dtype().name() != want["dtype"] {
            return Err(format!("dtype {}, xarray {}", v.dtype(), want["dtype"]));
        }
        let got = v.compute().map_err(|e| e.to_string())?.to_f64_vec();
        let rel = if v.dtype() == DType::F32 { 1e-5 } else { 1e-6 };
        let expect = f64s(want["values"].as_array().unwrap());
        if !close(&got, &expect, rel) {
            return Err(format!("values {got:?}, xarray {expect:?}"));
        }
        got
    };
    // Encoding the decoded variable gives what xarray's encoder writes ...
    let enc = encode_cf(&dec).map_err(|e| format!("encode: {e}"))?;
    let e = enc.get("v").map_err(|e| e.to_string())?;
    let want_enc = &case["encoded"];
    if want_enc.get("error").is_none() {
        if e.dtype().name() != want_enc["dtype"] {
            return Err(format!(
                "encoded dtype {}, xarray {}",
                e.dtype(),
                want_enc["dtype"]
            ));
        }
        let got = e.compute().map_err(|e| e.to_string())?.to_f64_vec();
        let expect = expected_encoded(name, f64s(want_enc["values"].as_array().unwrap()));
        if !close(&got, &expect, 1e-12) {
            return Err(format!("encoded {got:?}, xarray {expect:?}"));
        }
        let raw_has_calendar = raw["attrs"].get("calendar").is_some();
        for (k, val) in want_enc["attrs"].as_object().unwrap() {
            let ours = e.attrs().get(k);
            let same = match (ours, val) {
                (Some(a), b) if a == b => true,
                (Some(Value::String(a)), Value::Null) => a == "NaN",
                // Same units, spelled differently ("1-01-01" vs "0001-01-01").
                (Some(Value::String(a)), Value::String(b)) if k == "units" => same_units(a, b),
                // xarray holds such times as datetime64, which it writes as
                // proleptic_gregorian: the same dates after 1582.
                (Some(a), b) if k == "calendar" && !raw_has_calendar => {
                    a == "standard" && b == "proleptic_gregorian"
                }
                (Some(a), b) => a.as_f64().is_some() && a.as_f64() == b.as_f64(),
                _ => false,
            };
            if !same {
                return Err(format!("encoded attr {k}: ours {ours:?}, xarray {val}"));
            }
        }
    }
    // ... and decoding that again gives the decoded values exactly.
    let again = decode_cf(&enc, &DecodeOptions::default()).map_err(|e| e.to_string())?;
    let a = again.get("v").map_err(|e| e.to_string())?;
    let back = a.compute().map_err(|e| e.to_string())?.to_f64_vec();
    if a.dtype() != v.dtype() || !close(&back, &decoded, 0.0) {
        return Err(format!("round trip {back:?} != {decoded:?}"));
    }
    Ok(())
}

#[test]
fn decode_and_encode_match_xarray() {
    let g = golden();
    let cases = g["cases"].as_array().unwrap();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check_case(c).err().map(|e| format!("{}: {e}", c["name"])))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from xarray:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn dt_accessor_matches_xarray() {
    let g = golden();
    let entries = g["accessor"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    for e in entries {
        let cal = e["calendar"].as_str().unwrap();
        let ds = raw_dataset(
            "t",
            "time",
            "int64",
            e["raw"].as_array().unwrap(),
            &serde_json::json!({"units": e["units"], "calendar": cal}),
        );
        let mut dec = decode_cf(&ds, &DecodeOptions::default()).unwrap();
        let t = dec.get("t").unwrap();
        dec.insert_coord("time", t.variable().clone()).unwrap();
        for comp in ["year", "month", "day", "hour", "dayofyear"] {
            let want: Vec<i64> = e[comp]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            let dt = t.dt().unwrap();
            let got = match comp {
                "year" => dt.year(),
                "month" => dt.month(),
                "day" => dt.day(),
                "hour" => dt.hour(),
                _ => dt.dayofyear(),
            }
            .unwrap();
            assert_eq!(got.dims(), t.dims());
            assert_eq!(
                got.values::<i64>().unwrap().as_slice().unwrap(),
                &want[..],
                "{cal} {comp}"
            );
            let virt = dec.virtual_coord(&format!("time.{comp}")).unwrap();
            assert_eq!(
                virt.values::<i64>().unwrap().as_slice().unwrap(),
                &want[..],
                "{cal} time.{comp}"
            );
        }
        let want: Vec<String> = e["season"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(t.dt().unwrap().season().unwrap(), want, "{cal} season");
    }
}

#[test]
fn dt_accessor_errors() {
    let ds = raw_dataset(
        "x",
        "i",
        "float64",
        &[serde_json::json!(1.0)],
        &serde_json::json!({}),
    );
    let da = ds.get("x").unwrap();
    let msg = da.dt().err().unwrap().to_string();
    assert!(msg.contains("\"x\"") && msg.contains("float64"), "{msg}");
    assert!(ds.virtual_coord("x").is_err());
    let msg = ds.virtual_coord("nope.month").unwrap_err().to_string();
    assert!(msg.contains("nope"), "{msg}");
}
