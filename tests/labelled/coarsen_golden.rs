//! Coarsen against xarray (`scripts/golden_coarsen.py`): every reduction, boundary
//! and side, windows across uneven chunks, a datetime coordinate, integers padded to
//! floats, a dataset with variables lacking the dims, and xarray's errors by kind.

use crate::support::golden;

use serde_json::Value;
use tessera::Error;
use tessera::engine::ReduceKind;
use tessera::labelled::{Boundary, Coarsen, Coarsenable, Dataset, Side};

use golden::Outcome as Obj;

fn kind(name: &str) -> ReduceKind {
    match name {
        "mean" => ReduceKind::Mean,
        "sum" => ReduceKind::Sum,
        "min" => ReduceKind::Min,
        "max" => ReduceKind::Max,
        "std" => ReduceKind::Std,
        "var" => ReduceKind::Var,
        "count" => ReduceKind::Count,
        "prod" => ReduceKind::Prod,
        other => panic!("unknown coarsen reduction {other}"),
    }
}

/// Sets the case's options on `c` and reduces.
fn reduce<T: Coarsenable>(c: Coarsen<T>, args: &Value) -> tessera::Result<T> {
    let mut c = c
        .boundary(args["boundary"].as_str().unwrap().parse::<Boundary>()?)
        .side(args["side"].as_str().unwrap().parse::<Side>()?);
    if let Some(funcs) = args["coord_func"].as_object() {
        for (coord, f) in funcs {
            c = c.coord_func(coord, kind(f.as_str().unwrap()));
        }
    }
    if let Some(keep) = args["keep_attrs"].as_bool() {
        c = c.keep_attrs(keep);
    }
    match args["func"].as_str().unwrap() {
        // xarray's coarsen takes no ddof: its std and var are ddof 0.
        "std" => c.std(0),
        "var" => c.var(0),
        f => c.reduce(kind(f)),
    }
}

fn run(ds: &Dataset, case: &Value) -> tessera::Result<Obj> {
    let args = &case["args"];
    let windows: Vec<(&str, usize)> = args["windows"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(d, w)| (d.as_str(), w.as_u64().unwrap() as usize))
        .collect();
    match case["target"].as_str() {
        Some(name) => Ok(Obj::Array(reduce(ds.get(name)?.coarsen(&windows)?, args)?)),
        None => Ok(Obj::Set(reduce(ds.coarsen(&windows)?, args)?)),
    }
}

/// Which tessera errors answer which xarray exception (as tests/labelled_golden.rs).
fn same_kind(xarray: &str, e: &Error) -> bool {
    match xarray {
        "ValueError" => matches!(
            e,
            Error::UnknownDimension { .. } | Error::InvalidArgument(_)
        ),
        // xarray raises TypeError for an unknown boundary name; tessera refuses the name.
        "TypeError" => matches!(e, Error::InvalidArgument(_)),
        _ => false,
    }
}

#[test]
fn coarsen_matches_xarray() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/coarsen/cases.json"
    ));
    let ds = golden::dataset(&fx["dataset"]);
    let cases = fx["cases"].as_array().unwrap();
    // The message names what to fix.
    golden::replay(
        cases,
        |case| run(&ds, case),
        same_kind,
        |id, msg| {
            id != "err_exact_not_divisible"
                || (msg.contains("\"lat\"") && msg.contains("10") && msg.contains('3'))
        },
    );
    assert!(cases.len() >= 25);
}

#[test]
fn coarsen_is_one_grouped_node_and_keeps_chunks_where_windows_align() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/coarsen/cases.json"
    ));
    let t = golden::dataset(&fx["dataset"]).get("t").unwrap();
    // time chunks (5, 7), lat (3, 4, 3), lon (4, 5).
    let m = t
        .coarsen(&[("lat", 2), ("lon", 3)])
        .unwrap()
        .mean()
        .unwrap();
    let plan = m.data().explain();
    assert_eq!(plan.matches("Reduce(").count(), 1, "{plan}");
    // No lat boundary (3, 7) falls between windows of 2, so lat is one output chunk;
    // the lon boundary at 4 cuts a window of 3 too.
    assert_eq!(m.data().chunks().chunks(), &[vec![5, 7], vec![5], vec![3]]);
    // Windows of 1 along time and 5 along lat follow the chunks (lat 3|4|3 does not).
    let m = t
        .chunk(&[("lat", 5)])
        .unwrap()
        .coarsen(&[("lat", 5)])
        .unwrap()
        .sum()
        .unwrap();
    assert_eq!(m.data().chunks().axis_chunks(1), &[1, 1]);
}

#[test]
fn edges_give_empty_results_or_clear_errors() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/coarsen/cases.json"
    ));
    let ds = golden::dataset(&fx["dataset"]);
    let t = ds.get("t").unwrap();
    // Trim with a window longer than the dim leaves no window, as in xarray.
    let m = t
        .coarsen(&[("lon", 10)])
        .unwrap()
        .boundary(Boundary::Trim)
        .mean()
        .unwrap();
    assert_eq!(m.shape(), &[12, 10, 0]);
    assert!(m.compute().unwrap().to_f64_vec().is_empty());
    // Pad with a window longer than the dim: one window.
    let m = t
        .coarsen(&[("lon", 10)])
        .unwrap()
        .boundary(Boundary::Pad)
        .count()
        .unwrap();
    assert_eq!(m.shape(), &[12, 10, 1]);
    // A coord_func for a coordinate that does not exist, and positions as values.
    let e = t
        .coarsen(&[("lat", 2)])
        .unwrap()
        .coord_func("depth", ReduceKind::Max)
        .mean()
        .unwrap_err();
    assert!(matches!(e, Error::UnknownVariable { .. }), "{e}");
    let e = t
        .coarsen(&[("lat", 2)])
        .unwrap()
        .reduce(ReduceKind::ArgMax)
        .unwrap_err();
    assert!(e.to_string().contains("ArgMax"), "{e}");
    // Windows repeated, strings that are no boundary or side.
    assert!(t.coarsen(&[("lat", 2), ("lat", 5)]).is_err());
    assert!("middle".parse::<Side>().is_err());
    // A string coordinate along a coarsened dim has no mean.
    let s = t
        .isel_slice("time", Some(0), Some(2), 1)
        .unwrap()
        .with_coord_strings("time", vec!["a".into(), "b".into()])
        .unwrap();
    let e = s.coarsen(&[("time", 2)]).unwrap().mean().unwrap_err();
    assert!(
        e.to_string().contains("\"time\"") && e.to_string().contains("strings"),
        "{e}"
    );
    // A datetime coordinate under std: no std of instants, named.
    let e = t
        .coarsen(&[("time", 2)])
        .unwrap()
        .coord_func("time", ReduceKind::Std)
        .mean()
        .unwrap_err();
    assert!(e.to_string().contains("datetimes"), "{e}");
}
