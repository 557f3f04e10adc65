//! groupby, groupby_bins, resample and groupby arithmetic against xarray: every case
//! in `data-fixtures/golden/groupby/cases.json` (written by
//! `scripts/golden_groupby.py`) is replayed on inputs with the chunks xarray used and
//! compared with xarray's result: dims, dtype, shape, values (relative 1e-9 for f64,
//! 1e-6 for f32, NaN positions exact), coordinates in order, name and attributes.

use crate::support::golden;

use serde_json::Value;
use tessera::labelled::{BinOptions, BinSide, GroupBy, ResampleOptions};
use tessera::labelled::{DataArray, Dataset};
use tessera::{Error, Result};

const FIXTURE: &str = "data-fixtures/golden/groupby/cases.json";

/// Cases known to differ, with the reason. Every other case must match, and a
/// listed case that starts matching fails the test (so the list stays true).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "hourly_anomaly_month",
    "float32 anomaly x - mean: xarray's float32 group mean is off by ~1.6e-6 relative \
     after cancellation (-0.826828 where the f64 truth is -0.8268264); tessera \
     accumulates in f64 and gives -0.8268261, within the project's 1e-5 float32 \
     standard but outside the shared comparator's 1e-6",
)];

/// The statistic `case["func"]` of a grouping: a `GroupBy` or a `DatasetGroupBy`,
/// whose methods share names.
macro_rules! statistic {
    ($g:expr, $case:expr) => {{
        let (g, case) = ($g, $case);
        match case["func"].as_str().expect("func") {
            "mean" => g.mean(),
            "sum" => g.sum(),
            "std" => g.std(0),
            "var" => g.var(0),
            "min" => g.min(),
            "max" => g.max(),
            "count" => g.count(),
            "prod" => g.prod(),
            "first" => g.first(),
            "last" => g.last(),
            "median" => g.median(None),
            "quantile" => g.quantile(case["q"].as_f64().expect("q"), None),
            "quantiles" => g.quantiles(&floats(case, "q"), None),
            other => panic!("func {other}"),
        }
    }};
}

fn reduce(g: &GroupBy, case: &Value) -> Result<DataArray> {
    statistic!(g, case)
}

/// The list of numbers `case[key]`.
fn floats(case: &Value, key: &str) -> Vec<f64> {
    case[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key}: a list"))
        .iter()
        .map(|v| v.as_f64().unwrap_or_else(|| panic!("{key}: numbers")))
        .collect()
}

enum Out {
    Array(DataArray),
    Set(Dataset),
}

fn run(ds: &Dataset, case: &Value) -> Result<Out> {
    let da = ds.get("v")?;
    let key = case["key"].as_str().unwrap_or("");
    Ok(Out::Array(match case["op"].as_str().expect("op") {
        "groupby" => reduce(&da.groupby(key)?, case)?,
        "groupby_bins" => reduce(
            &da.groupby_bins(key, &floats(case, "edges"), BinOptions::default())?,
            case,
        )?,
        "resample" => {
            let side = |k: &str| {
                case[k]
                    .as_str()
                    .map(|s| s.parse::<BinSide>().expect("side"))
            };
            let opts = ResampleOptions {
                closed: side("closed"),
                label: side("label"),
                offset: case["offset"].as_str().map(str::to_string),
            };
            reduce(
                &da.resample_with(
                    case["dim"].as_str().expect("dim"),
                    case["freq"].as_str().expect("freq"),
                    &opts,
                )?,
                case,
            )?
        }
        "anomaly" => {
            let g = da.groupby(key)?;
            let anomaly = g.sub(&g.mean()?)?;
            if case["then_std"] == true {
                anomaly.std(case["dim"].as_str().expect("dim"), 0)?
            } else {
                anomaly
            }
        }
        "dataset_groupby" => return Ok(Out::Set(statistic!(&ds.groupby(key)?, case)?)),
        other => return Err(Error::InvalidArgument(format!("op {other}"))),
    }))
}

#[test]
fn groupby_matches_xarray() {
    let fixture = golden::read_fixture(FIXTURE);
    let datasets = golden::datasets(&fixture);
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut failed = Vec::new();
    let mut passed = 0;
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let mut errors = Vec::new();
        match run(&datasets[case["dataset"].as_str().expect("dataset")], case) {
            Ok(Out::Array(a)) => golden::compare_dataarray(&a, &case["expected"], &mut errors),
            Ok(Out::Set(s)) => golden::compare_dataset(&s, &case["expected"], &mut errors),
            Err(e) => errors.push(format!("error: {e}")),
        }
        let not_yet = KNOWN_DIFFERENCES.iter().any(|(n, _)| *n == id);
        match (errors.is_empty(), not_yet) {
            (true, false) => passed += 1,
            (true, true) => failed.push(format!(
                "{id}: listed as a known difference, but it matches"
            )),
            (false, true) => {}
            (false, false) => failed.push(format!("{id}: {}", errors.join("; "))),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases differ from xarray ({passed} pass):\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

#[test]
fn bad_group_keys_and_frequencies_are_clear_errors() {
    let fixture = golden::read_fixture(FIXTURE);
    let datasets = golden::datasets(&fixture);
    let da = datasets["daily"].get("v").unwrap();
    let msg = |r: Result<GroupBy>| r.map(|_| ()).unwrap_err().to_string();

    let e = msg(da.groupby("nope"));
    assert!(e.contains("\"nope\"") && e.contains("\"time\""), "{e}");
    let e = msg(da.groupby("x.month"));
    assert!(e.contains("x.month") && e.contains("datetime"), "{e}");
    let e = msg(da.groupby("time.fortnight"));
    assert!(e.contains("fortnight"), "{e}");
    let e = msg(da.resample("time", "3W"));
    assert!(
        e.contains("\"3W\"") && e.contains("QS-DEC") && e.contains("MS"),
        "{e}"
    );
    let e = msg(da.resample("x", "MS"));
    assert!(e.contains("\"x\"") && e.contains("datetime"), "{e}");
    let e = msg(da.resample("xf", "MS"));
    assert!(
        e.contains("\"xf\"") && e.contains("dimension coordinate"),
        "{e}"
    );
    let e = msg(da.groupby_bins("x", &[5.0, 1.0], BinOptions::default()));
    assert!(e.contains("increasing"), "{e}");
    let e = msg(da.groupby_bins("time", &[0.0, 1.0], BinOptions::default()));
    assert!(e.contains("numeric"), "{e}");

    // A key of the wrong length names both lengths.
    let short = DataArray::from_ndarray(
        "k",
        ["x"],
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[3]), vec![1.0, 2.0, 1.0]).unwrap(),
        &[3],
    )
    .unwrap();
    let e = msg(da.groupby_array(&short));
    assert!(e.contains("3 values") && e.contains("length 4"), "{e}");
    assert!(matches!(
        da.groupby_array(&short).unwrap_err(),
        Error::InvalidGroup { .. }
    ));
    assert!(matches!(
        da.resample("time", "5Q-FOO").unwrap_err(),
        Error::UnknownFrequency { .. }
    ));

    // Against a climatology missing groups, their members meet NaN (xarray aligns
    // the climatology to the groups); one without the group dim is an error naming it.
    let g = da.groupby("time.month").unwrap();
    let clim = g
        .mean()
        .unwrap()
        .isel_slice("month", Some(0), Some(6), 1)
        .unwrap();
    let anomaly = g
        .sub(&clim)
        .unwrap()
        .isel_slice("time", Some(0), Some(1), 1)
        .unwrap();
    // 1999-11-20 is in month 11, which the climatology lacks.
    assert!(anomaly.values::<f64>().unwrap().iter().all(|v| v.is_nan()));
    let e = g.sub(
        &da.isel_slice("time", Some(0), Some(1), 1)
            .unwrap()
            .mean("time")
            .unwrap(),
    );
    let e = e.unwrap_err().to_string();
    assert!(e.contains("\"month\""), "{e}");
}

/// The one-read anomaly std equals the generic path (anomalies, then std) on every
/// golden input with a time axis, NaNs included.
#[test]
fn one_read_anomaly_std_matches_the_anomalies_std() {
    let fixture = golden::read_fixture(FIXTURE);
    let datasets = golden::datasets(&fixture);
    for name in ["daily", "hourly", "noleap", "d360"] {
        let da = datasets[name].get("v").unwrap();
        for key in ["time.month", "time.season", "time.dayofyear"] {
            let g = da.groupby(key).unwrap();
            let fast = g.anomaly_std(0).unwrap();
            let slow = g.sub(&g.mean().unwrap()).unwrap().std("time", 0).unwrap();
            assert_eq!(fast.dims(), slow.dims());
            assert_eq!(fast.dtype(), slow.dtype());
            assert_eq!(fast.coords().names(), slow.coords().names());
            let (a, b) = (
                fast.compute().unwrap().to_f64_vec(),
                slow.compute().unwrap().to_f64_vec(),
            );
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() <= 1e-5 * q.abs(), "{name} {key}: {p} vs {q}");
            }
        }
    }
}

/// Order statistics per group are one node, not one selection per group: the graph
/// of a day-of-year median (366 groups) is as small as that of a monthly one.
#[test]
fn grouped_order_statistics_do_not_grow_with_the_groups() {
    let fixture = golden::read_fixture(FIXTURE);
    let datasets = golden::datasets(&fixture);
    let da = datasets["daily"].get("v").unwrap();
    let size = |key: &str| {
        let g = da.groupby(key).unwrap();
        (
            g.median(None).unwrap().data().graph_size(),
            g.quantiles(&[0.1, 0.9], None).unwrap().data().graph_size(),
        )
    };
    let (month, doy) = (size("time.month"), size("time.dayofyear"));
    assert_eq!(
        month, doy,
        "graph sizes (median, quantiles) by month and day of year"
    );
    assert!(doy.0 < 20, "a grouped median takes {} nodes", doy.0);
}
