//! diff, shift, cumsum/cumprod, differentiate and polyval against xarray
//! (`scripts/golden_calculus.py`), on uneven chunks so that every halo crosses chunk
//! boundaries; and the polyfit → polyval round trip.

use crate::support::golden;

use serde_json::{Map, Value};
use tessera::labelled::{DataArray, Dataset, DiffLabel, polyval};

enum Obj {
    Array(DataArray),
    Set(Dataset),
}

fn fixture() -> Value {
    golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/calculus/cases.json"
    ))
}

fn arg<'a>(a: &'a Value, key: &str) -> &'a str {
    a[key]
        .as_str()
        .unwrap_or_else(|| panic!("argument {key} in {a}"))
}

fn int(a: &Value, key: &str) -> i64 {
    a[key]
        .as_i64()
        .unwrap_or_else(|| panic!("argument {key} in {a}"))
}

/// Runs one case on a data array (`Obj::Array`) or the whole dataset (`Obj::Set`).
fn run(ds: &Dataset, case: &Value) -> tessera::Result<Obj> {
    let a = &case["args"];
    let target = case["target"].as_str().unwrap();
    let op = case["op"].as_str().unwrap();
    if target == "ds" {
        return run_dataset(ds, op, a).map(Obj::Set);
    }
    let da = ds.get(target)?;
    Ok(match op {
        "diff" => Obj::Array(da.diff_label(arg(a, "dim"), int(a, "n") as usize, label(a))?),
        "shift" => {
            let (dim, p) = (arg(a, "dim"), int(a, "periods") as isize);
            Obj::Array(match &a["fill_value"] {
                Value::Null => da.shift(dim, p)?,
                v => da.shift_with(dim, p, v.as_f64().unwrap())?,
            })
        }
        "cumsum" => Obj::Array(da.cumsum(arg(a, "dim"))?),
        "cumprod" => Obj::Array(da.cumprod(arg(a, "dim"))?),
        "differentiate" => Obj::Array(match a["datetime_unit"].as_str() {
            Some(unit) => da.differentiate_with(arg(a, "coord"), unit)?,
            None => da.differentiate(arg(a, "coord"))?,
        }),
        "polyval" => {
            let dim = arg(a, "dim");
            let fit = da.polyfit(dim, int(a, "deg") as usize)?;
            let x = da.coord(dim)?;
            match arg(a, "coeffs") {
                "dataset" => Obj::Set(polyval(&x, &fit)?),
                _ => Obj::Array(polyval(&x, &fit.get("polyfit_coefficients")?)?),
            }
        }
        "polyval_raw" => Obj::Array(polyval(&ds.get(arg(a, "coord"))?, &da)?),
        other => panic!("unknown op {other}"),
    })
}

fn run_dataset(ds: &Dataset, op: &str, a: &Value) -> tessera::Result<Dataset> {
    match op {
        "diff" => ds.diff_label(arg(a, "dim"), int(a, "n") as usize, label(a)),
        "shift" => ds.shift(arg(a, "dim"), int(a, "periods") as isize),
        "cumsum" => ds.cumsum(arg(a, "dim")),
        "differentiate" => match a["datetime_unit"].as_str() {
            Some(unit) => ds.differentiate_with(arg(a, "coord"), unit),
            None => ds.differentiate(arg(a, "coord")),
        },
        other => panic!("unknown dataset op {other}"),
    }
}

fn label(a: &Value) -> DiffLabel {
    match arg(a, "label") {
        "lower" => DiffLabel::Lower,
        _ => DiffLabel::Upper,
    }
}

/// xarray's coordinates in tessera's order, for cases whose order is a hashing artefact.
fn coords_in_order(expected: &Value, names: &[String]) -> Value {
    let mut e = expected.clone();
    let coords = e["coords"].as_object().unwrap();
    if names.len() == coords.len() && names.iter().all(|n| coords.contains_key(n)) {
        let ordered: Map<String, Value> = names
            .iter()
            .map(|n| (n.clone(), coords[n].clone()))
            .collect();
        e["coords"] = Value::Object(ordered);
    }
    e
}

#[test]
fn calculus_matches_xarray() {
    let fx = fixture();
    let ds = golden::dataset(&fx["dataset"]);
    let cases = fx["cases"].as_array().unwrap();
    let mut failures = vec![];
    for case in cases {
        let mut errors = vec![];
        let any_order = case["coords_order"] == "any";
        match (run(&ds, case), case.get("error")) {
            (Err(_), Some(_)) => {}
            (Ok(_), Some(e)) => errors.push(format!("xarray raises {e}, tessera does not")),
            (Err(e), None) => errors.push(format!("failed: {e}")),
            (Ok(Obj::Array(da)), None) => {
                golden::compare_dataarray(&da, &case["expected"], &mut errors)
            }
            (Ok(Obj::Set(d)), None) => {
                let expected = if any_order {
                    coords_in_order(&case["expected"], &d.coords().names())
                } else {
                    case["expected"].clone()
                };
                golden::compare_dataset(&d, &expected, &mut errors)
            }
        }
        if !errors.is_empty() {
            failures.push(format!("{}: {}", case["id"], errors.join("; ")));
        }
    }
    golden::assert_all_match(&failures, cases.len());
    assert!(cases.len() >= 40);
}

#[test]
fn errors_say_what_is_wrong() {
    let ds = golden::dataset(&fixture()["dataset"]);
    let v = ds.get("v").unwrap();
    let msg = |r: tessera::Result<DataArray>| r.unwrap_err().to_string();
    let e = msg(v.diff("nope", 1));
    assert!(e.contains("nope") && e.contains("time"), "{e}");
    let e = msg(v.differentiate("station"));
    assert!(e.contains("station") && e.contains("strings"), "{e}");
    let e = msg(ds.get("o").unwrap().differentiate("one"));
    assert!(e.contains("at least 2"), "{e}");
    let e = msg(v.differentiate_with("time", "fortnights"));
    assert!(e.contains("fortnights"), "{e}");
    let e = msg(polyval(&v.coord("time").unwrap(), &v));
    assert!(e.contains("degree"), "{e}");
    let e = msg(ds.get("time").unwrap().diff("time", 1));
    assert!(e.contains("datetimes"), "{e}");
    let e = ds.shift("nope", 1).unwrap_err().to_string();
    assert!(e.contains("nope"), "{e}");
}

/// polyval(x, polyfit(y)) is the least-squares curve: residuals are orthogonal to
/// every power of x, so for a degree-2 fit of an exact parabola they vanish.
#[test]
fn polyval_of_polyfit_gives_the_fitted_curve() {
    let ds = golden::dataset(&fixture()["dataset"]);
    let s = ds.get("s").unwrap();
    let step = s.coord("step").unwrap();
    let parabola = step
        .binary(tessera::engine::BinaryOp::Mul, &step)
        .unwrap()
        .binary_scalar(tessera::engine::BinaryOp::Mul, 0.5, false)
        .unwrap()
        .binary_scalar(tessera::engine::BinaryOp::Sub, 3.0, false)
        .unwrap();
    let fit = parabola.polyfit("step", 2).unwrap();
    let back = polyval(&step, &fit.get("polyfit_coefficients").unwrap())
        .unwrap()
        .values::<f64>()
        .unwrap();
    let want = parabola.values::<f64>().unwrap();
    for (b, w) in back.iter().zip(want.iter()) {
        assert!((b - w).abs() <= 1e-9 * w.abs().max(1.0), "{b} vs {w}");
    }
    // Against datetimes too: `elapsed` grows linearly in time, so a degree-1 fit in
    // time (x = nanoseconds since 1970) gives it back.
    let t = ds.get("v").unwrap().coord("time").unwrap();
    let line = ds
        .get("elapsed")
        .unwrap()
        .binary_scalar(tessera::engine::BinaryOp::Mul, 2.0, false)
        .unwrap();
    let fit = line.polyfit("time", 1).unwrap();
    let back = polyval(&t, &fit.get("polyfit_coefficients").unwrap()).unwrap();
    assert_eq!(back.dims(), &["time".to_string()]);
    let (back, want) = (back.values::<f64>().unwrap(), line.values::<f64>().unwrap());
    for (b, w) in back.iter().zip(want.iter()) {
        assert!((b - w).abs() <= 1e-6 * w.abs().max(1.0), "{b} vs {w}");
    }
}
