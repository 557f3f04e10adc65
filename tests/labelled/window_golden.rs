//! Rolling windows and polynomial fits against xarray (`scripts/golden_window.py`),
//! and the linear trend against the degree-1 fit.

use crate::support::golden;

use serde_json::Value;
use tessera::labelled::DataArray;

fn run(target: &DataArray, case: &Value) -> tessera::Result<golden_result::Obj> {
    let a = &case["args"];
    let dim = a["dim"].as_str().unwrap();
    match case["op"].as_str().unwrap() {
        "rolling" => {
            let mut r = target
                .rolling(dim, a["window"].as_u64().unwrap() as usize)?
                .center(a["center"].as_bool().unwrap());
            if let Some(m) = a["min_periods"].as_u64() {
                r = r.min_periods(m as usize);
            }
            let out = match a["func"].as_str().unwrap() {
                "mean" => r.mean(),
                "sum" => r.sum(),
                "std" => r.std(0),
                "var" => r.var(0),
                "min" => r.min(),
                "max" => r.max(),
                "count" => r.count(),
                other => panic!("unknown rolling reduction {other}"),
            }?;
            Ok(golden_result::Obj::Array(out))
        }
        "polyfit" => Ok(golden_result::Obj::Set(
            target.polyfit(dim, a["deg"].as_u64().unwrap() as usize)?,
        )),
        other => panic!("unknown op {other}"),
    }
}

mod golden_result {
    pub(crate) enum Obj {
        Array(tessera::labelled::DataArray),
        Set(tessera::labelled::Dataset),
    }
}

#[test]
fn rolling_and_polyfit_match_xarray() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/window/cases.json"
    ));
    let ds = golden::dataset(&fx["dataset"]);
    let cases = fx["cases"].as_array().unwrap();
    let mut failures = vec![];
    for case in cases {
        let target = ds.get(case["target"].as_str().unwrap()).unwrap();
        let mut errors = vec![];
        match run(&target, case) {
            Ok(golden_result::Obj::Array(da)) => {
                golden::compare_dataarray(&da, &case["expected"], &mut errors)
            }
            Ok(golden_result::Obj::Set(d)) => {
                golden::compare_dataset(&d, &case["expected"], &mut errors)
            }
            Err(e) => errors.push(format!("failed: {e}")),
        }
        if !errors.is_empty() {
            failures.push(format!("{}: {}", case["id"], errors.join("; ")));
        }
    }
    golden::assert_all_match(&failures, cases.len());
    assert!(cases.len() >= 25);
}

#[test]
fn linear_trend_is_the_degree_one_fit_per_day() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/window/cases.json"
    ));
    let v = golden::dataset(&fx["dataset"]).get("v").unwrap();
    let trend = v.linear_trend("time").unwrap();
    let per_day = trend.slope.values::<f64>().unwrap();
    let fit = v
        .polyfit("time", 1)
        .unwrap()
        .get("polyfit_coefficients")
        .unwrap();
    let per_ns = fit.isel("degree", 0).unwrap().values::<f64>().unwrap();
    for (d, n) in per_day.iter().zip(per_ns.iter()) {
        assert!(
            (d - n * 86_400e9).abs() <= 1e-9 * d.abs(),
            "{d} per day vs {n} per ns"
        );
    }
    // Too few points and string coordinates are refused with reasons.
    let e = v
        .isel_slice("time", Some(0), Some(2), 1)
        .unwrap()
        .polyfit("time", 2)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least 3 points"), "{e}");
    // A window longer than the dim is xarray's all-NaN (no window is full), not an error.
    let long = v.rolling("time", 41).unwrap().mean().unwrap();
    assert!(long.values::<f64>().unwrap().iter().all(|x| x.is_nan()));
    let e = v.rolling("time", 0).unwrap_err().to_string();
    assert!(e.contains("\"time\"") && e.contains("at least 1"), "{e}");
}
