//! Many files as one dataset: 30 daily files written by xarray (`scripts/mf_fixtures.py`,
//! run once here into a temp dir), as netCDF-4 files and as Zarr stores, opened with
//! `open_mfdataset` by coordinates (the file names are not in time order), nested, and
//! with `data_vars` all and minimal, compared with what `xarray.open_mfdataset` gives;
//! typed errors for an empty glob, a missing file, a file whose `lat` differs, and a
//! nested combine without a dimension. Skipped, with a printed reason, when python3 with
//! xarray, netCDF4 and zarr is not available.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use tessera::engine::Op;
use tessera::io::{Combine, DataVars, MultiFileOptions, open_mfdataset};
use tessera::{Dataset, Error};

use crate::support::xarray_json::{close_within, sorted};
use crate::support::zarr_fixtures::script_fixtures;

/// JSON equality, numbers within a relative 1e-9 (the fixtures are float64).
fn close(a: &Value, b: &Value) -> bool {
    close_within(a, b, 1e-9)
}

/// How many tests use the fixtures (four here with netCDF, one in `open_dataset.rs`);
/// the last one to finish removes them.
const USERS: usize = if cfg!(feature = "netcdf") { 5 } else { 3 };

/// The shared fixture directory: written once (the script takes seconds), removed when
/// the last test that uses it is done.
pub(crate) struct Fixtures {
    pub(crate) dir: PathBuf,
}

impl Drop for Fixtures {
    fn drop(&mut self) {
        static DONE: AtomicUsize = AtomicUsize::new(0);
        if DONE.fetch_add(1, Ordering::SeqCst) + 1 == USERS && !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The fixtures, or `None` (with the reason printed) without python.
pub(crate) fn fixtures() -> Option<Fixtures> {
    static DIR: OnceLock<Mutex<Option<PathBuf>>> = OnceLock::new();
    let dir = DIR.get_or_init(|| Mutex::new(write_fixtures()));
    let dir = dir.lock().unwrap_or_else(|e| e.into_inner()).clone()?;
    Some(Fixtures { dir })
}

fn write_fixtures() -> Option<PathBuf> {
    script_fixtures(
        "mf_fixtures.py",
        "mfdataset",
        "xarray, netCDF4, zarr, dask",
        &["30"],
    )
    .map_err(|why| println!("skipping the open_mfdataset tests: {why}"))
    .ok()
}

fn expected(dir: &std::path::Path, case: &str) -> Value {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    doc["cases"][case].clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Compares `ds` with xarray's summary of the same case.
fn conforms(ds: &Dataset, want: &Value, case: &str) {
    let dims: serde_json::Map<String, Value> = ds
        .dims()
        .into_iter()
        .map(|(d, n)| (d, Value::from(n)))
        .collect();
    assert!(
        close(&Value::Object(dims.clone()), &want["dims"]),
        "{case}: dims {dims:?}"
    );
    assert_eq!(
        sorted(ds.coords().names()),
        sorted(strings(&want["coords"])),
        "{case}"
    );
    assert_eq!(
        ds.data_var_names(),
        strings(&want["data_vars"]),
        "{case}: order"
    );
    let attrs = Value::Object(ds.attrs().clone().into_iter().collect());
    assert!(close(&attrs, &want["attrs"]), "{case}: attrs {attrs}");
    for (name, w) in want["variables"].as_object().unwrap() {
        let what = format!("{case}: {name}");
        let da = ds.get(name).unwrap();
        assert_eq!(da.dims(), strings(&w["dims"]).as_slice(), "{what}");
        let shape: Vec<Value> = da.shape().iter().map(|&n| Value::from(n)).collect();
        assert_eq!(Value::Array(shape), w["shape"], "{what}");
        let attrs = Value::Object(da.variable().attrs().clone().into_iter().collect());
        assert!(
            close(&attrs, &w["attrs"]),
            "{what}: attrs {attrs} vs {}",
            w["attrs"]
        );
        if w["dtype"].as_str().unwrap().starts_with("datetime64") {
            let micros: Vec<Value> = ds
                .coords()
                .index(name)
                .map(|ix| match ix.values() {
                    tessera::labelled::IndexValues::Time { values, .. } => {
                        values.iter().map(|&t| Value::from(t)).collect()
                    }
                    other => panic!("{what}: not times: {other:?}"),
                })
                .unwrap();
            assert_eq!(Value::Array(micros), w["values"], "{what}");
            continue;
        }
        assert_eq!(
            da.dtype().name(),
            w["dtype"].as_str().unwrap(),
            "{what}: dtype"
        );
        let v = da.values::<f64>().unwrap();
        let sum: f64 = v.iter().filter(|x| !x.is_nan()).sum();
        let count = v.iter().filter(|x| !x.is_nan()).count();
        assert!(
            close(&Value::from(sum), &w["sum"]),
            "{what}: sum {sum} vs {}",
            w["sum"]
        );
        assert_eq!(Value::from(count), w["count"], "{what}: count");
        if let Some(values) = w.get("values") {
            let got: Vec<Value> = v.iter().map(|&x| Value::from(x)).collect();
            assert!(close(&Value::Array(got), values), "{what}: values");
        }
    }
    // The mean of sla over lat/lon per time, computed here from its values.
    let sla = ds.get("sla").unwrap();
    let v = sla.values::<f64>().unwrap();
    let per = v.len() / sla.shape()[0];
    let means: Vec<Value> = v
        .as_slice()
        .unwrap()
        .chunks(per)
        .map(|c| {
            let ok: Vec<f64> = c.iter().copied().filter(|x| !x.is_nan()).collect();
            Value::from(ok.iter().sum::<f64>() / ok.len() as f64)
        })
        .collect();
    assert!(
        close(&Value::Array(means), &want["sla_mean_by_time"]),
        "{case}: sla means"
    );
}

fn cases() -> [(&'static str, MultiFileOptions); 3] {
    [
        ("by_coords", MultiFileOptions::default()),
        (
            "by_coords_minimal",
            MultiFileOptions::default().data_vars(DataVars::Minimal),
        ),
        (
            "nested",
            MultiFileOptions::default()
                .combine(Combine::Nested)
                .concat_dim("time")
                .data_vars(DataVars::Minimal),
        ),
    ]
}

fn check_kind(kind: &str, ext: &str) {
    let Some(fx) = fixtures() else { return };
    let glob = fx.dir.join(kind).join(format!("sla_*.{ext}"));
    let glob = glob.to_str().unwrap();
    for (case, opts) in cases() {
        let name = format!("{kind}/{case}");
        let ds = open_mfdataset(glob, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Lazy: the variable is one concat node over the files' sources.
        let sla = ds.get("sla").unwrap();
        let data = sla.variable().data();
        assert!(
            matches!(data.op(), Op::Concat(0)) && data.inputs().len() == 30,
            "{name}: sla is not a lazy concat of 30 files: {:?}",
            data.op()
        );
        conforms(&ds, &expected(&fx.dir, &name), &name);
    }
    // A list in time order gives the same as the glob by coordinates.
    let mut files: Vec<String> = (0..30)
        .map(|k| {
            fx.dir
                .join(kind)
                .join(format!("sla_{k}.{ext}"))
                .display()
                .to_string()
        })
        .collect();
    let nested = MultiFileOptions::default()
        .combine(Combine::Nested)
        .concat_dim("time");
    let ds = open_mfdataset(&files, &nested).unwrap();
    conforms(
        &ds,
        &expected(&fx.dir, &format!("{kind}/by_coords")),
        "list in time order",
    );
    // By coordinates, the order of the list does not matter.
    files.reverse();
    let ds = open_mfdataset(&files, &MultiFileOptions::default()).unwrap();
    conforms(
        &ds,
        &expected(&fx.dir, &format!("{kind}/by_coords")),
        "list reversed",
    );
}

#[cfg(feature = "netcdf")]
#[test]
fn netcdf_files_combine_as_xarray_combines_them() {
    check_kind("nc", "nc");
}

#[test]
fn zarr_stores_combine_as_xarray_combines_them() {
    check_kind("zarr", "zarr");
}

#[test]
fn empty_globs_missing_files_and_nested_without_a_dim_are_typed_errors() {
    let Some(fx) = fixtures() else { return };
    let pattern = fx.dir.join("zarr").join("nothing_*.zarr");
    let pattern = pattern.to_str().unwrap();
    let e = open_mfdataset(pattern, &MultiFileOptions::default()).unwrap_err();
    assert!(
        matches!(e, Error::NoFilesMatched { pattern: ref p } if p == pattern),
        "{e}"
    );
    let good = fx.dir.join("zarr").join("sla_0.zarr").display().to_string();
    let missing = fx
        .dir
        .join("zarr")
        .join("sla_999.zarr")
        .display()
        .to_string();
    let e = open_mfdataset([&good, &missing], &MultiFileOptions::default()).unwrap_err();
    assert!(
        matches!(e, Error::Io { ref path, .. } if *path == missing),
        "{e}"
    );
    assert!(e.to_string().contains("sla_999.zarr"), "{e}");
    let nested = MultiFileOptions::default().combine(Combine::Nested);
    let e = open_mfdataset([&good, &good], &nested).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    // The same file twice: nothing differs to order by.
    let e = open_mfdataset([&good, &good], &MultiFileOptions::default()).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    // A new dimension: nested stacks the files along it (here the same file twice:
    // files with different times are refused, their `time` must agree).
    let one = fx.dir.join("zarr").join("sla_1.zarr").display().to_string();
    let stacked = MultiFileOptions::default()
        .combine(Combine::Nested)
        .concat_dim("member");
    let e = open_mfdataset([&good, &one], &stacked).unwrap_err();
    assert!(
        matches!(e, Error::FileMismatch { ref path, ref name, .. } if *path == one && name == "time"),
        "{e}"
    );
    let ds = open_mfdataset(
        [&good, &good],
        &MultiFileOptions::default()
            .combine(Combine::Nested)
            .concat_dim("member")
            .data_vars(DataVars::Minimal),
    )
    .unwrap();
    assert_eq!(ds.get("sla").unwrap().dims()[0], "member");
    assert_eq!(ds.dim_len("member"), Some(2));
}

#[cfg(feature = "netcdf")]
#[test]
fn a_file_whose_lat_differs_is_refused_naming_it() {
    let Some(fx) = fixtures() else { return };
    let glob = fx.dir.join("bad").join("sla_*.nc");
    let bad = fx.dir.join("bad").join("sla_2.nc").display().to_string();
    for opts in [
        MultiFileOptions::default(),
        MultiFileOptions::default()
            .combine(Combine::Nested)
            .concat_dim("time"),
    ] {
        let e = open_mfdataset(glob.to_str().unwrap(), &opts).unwrap_err();
        assert!(
            matches!(e, Error::FileMismatch { ref path, ref name, .. } if *path == bad && name == "lat"),
            "{:?}: {e}",
            opts.combine
        );
        assert!(
            e.to_string().contains("sla_2.nc") && e.to_string().contains("lat"),
            "{e}"
        );
    }
    // What xarray does with them, recorded by the script.
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.dir.join("bad.json")).unwrap()).unwrap();
    assert_eq!(doc["by_coords"]["ok"], Value::Bool(false));
    // Mixed kinds (netCDF and Zarr) combine: the file format is per file.
    let nc = fx.dir.join("nc").join("sla_0.nc").display().to_string();
    let zarr = fx.dir.join("zarr").join("sla_1.zarr").display().to_string();
    let ds = open_mfdataset([&zarr, &nc], &MultiFileOptions::default()).unwrap();
    assert_eq!(ds.dim_len("time"), Some(2));
}
