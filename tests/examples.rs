//! The analysis examples run on their embedded fixtures, recover the truth injected
//! into the synthetic data, print the JSON keys USECASES.md fixes, and agree with the
//! same analysis written with xarray (`scripts/xarray_examples.py`) when python3 with
//! xarray is available (skipped with a printed reason otherwise).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The example binary: `cargo test` builds the examples next to the tests; a run of
/// this file alone (`cargo test --test examples`) builds them first.
/// With the `netcdf` feature the examples are (re)built with it, once, so that an
/// example built earlier without it is not used.
fn example(name: &str) -> PathBuf {
    // Built (or found up to date) once per test run: a binary left from an earlier
    // build of the library would test old code.
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(vec![]);
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop(); // deps/
    dir.pop(); // debug/ or release/
    let path = dir.join("examples").join(name);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let features: &[&str] = if cfg!(feature = "netcdf") {
        &["--features", "netcdf"]
    } else {
        &[]
    };
    if !built.iter().any(|b| b == name) {
        built.push(name.to_string());
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", name])
            .args(features)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the {name} example failed");
    }
    path
}

fn run_json(name: &str, extra: &[&str]) -> Value {
    let out_dir =
        std::env::temp_dir().join(format!("tessera-example-{name}-{}", std::process::id()));
    let out = Command::new(example(name))
        .args(["--json", "--out", out_dir.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("running {name}: {e} (is the example built?)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().expect("a JSON line");
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{name}: last line is not JSON ({e}): {last}"))
}

fn xarray(analysis: &str, store: &str) -> Option<Value> {
    python_json("xarray", "xarray_examples.py", &[analysis, store])
}

/// Runs `scripts/<script>` with python3 and reads the JSON of its last line; `None`
/// (with the reason printed) where python3 or its packages are missing.
fn python_json(what: &str, script: &str, args: &[&str]) -> Option<Value> {
    let script = format!("{}/scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        println!(
            "skipping the {what} comparison: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last()?).ok()
}

fn agree(ours: &Value, theirs: &Value, keys: &[&str]) {
    for k in keys {
        match (ours[k].as_f64(), theirs[k].as_f64()) {
            (Some(a), Some(b)) => assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1e-12),
                "{k}: tessera {a}, xarray {b}"
            ),
            _ => assert_eq!(ours[k], theirs[k], "{k}"),
        }
    }
}

/// The sea-level example's `--json` values (USECASES.md), besides timing and memory.
const SEA_LEVEL_KEYS: [&str; 6] = [
    "gmsl_trend_mm_per_yr",
    "gmsl_plain_trend_mm_per_yr",
    "gmsl_annual_amplitude_mm",
    "sla_std_mean_m",
    "eke_mean_cm2_s2",
    "n_time",
];

/// The run read every stored chunk it needed once (the profile's store counters: the
/// coordinates' few bytes are read more than once, hence the 10%).
fn reads_each_stored_chunk_once(j: &Value) {
    let ratio = j["store_read_ratio"].as_f64().unwrap();
    assert!((1.0..=1.1).contains(&ratio), "read/stored = {ratio}");
}

#[test]
fn sea_level_recovers_the_injected_trend_and_matches_xarray() {
    let j = run_json("sea_level", &[]);
    let keys = SEA_LEVEL_KEYS;
    for k in keys.iter().chain(&["seconds", "peak_rss_mb"]) {
        assert!(j.get(*k).is_some(), "missing key {k} in {j}");
    }
    let trend = j["gmsl_trend_mm_per_yr"].as_f64().unwrap();
    assert!((trend - 3.3).abs() < 0.05, "{trend}");
    reads_each_stored_chunk_once(&j);
    assert_eq!(j["n_time"], 730);
    let store = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures/sea_level.zarr");
    if let Some(x) = xarray("sea_level", store) {
        agree(&j, &x, &keys);
    }
}

#[test]
fn precipitation_recovers_the_injected_trend_and_matches_xarray() {
    let j = run_json("precipitation", &[]);
    let keys = [
        "tmean_trend_c_per_decade",
        "tmean_seasonal_amplitude_c",
        "tmean_djf_c",
        "tmean_jja_c",
        "pcp_annual_total_mm",
        "pcp_ensemble_spread_mm_per_day",
    ];
    let trend = j["tmean_trend_c_per_decade"].as_f64().unwrap();
    assert!((trend - 0.3).abs() < 0.05, "{trend}");
    reads_each_stored_chunk_once(&j);
    assert!(j["tmean_djf_c"].as_f64().unwrap() < j["tmean_jja_c"].as_f64().unwrap());
    let store = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/precipitation.zarr"
    );
    if let Some(x) = xarray("precipitation", store) {
        agree(&j, &x, &keys);
    }
}

/// Under budgets too small to stage the ensemble mean of `t_mean` (3.4 MB here), it is
/// computed where it is used, in the blocks that read `t_mean` for the member means too:
/// the store is read once (1.5 times before), and the values are the default's. Under
/// 4 MiB two such blocks do not fit at once where the member means' blocks would run two
/// at a time, so the executor keeps them apart and reads `t_mean` twice rather than
/// lose a worker (under 1 MiB nothing runs two at a time anyway).
#[test]
fn precipitation_reads_once_under_a_tight_budget() {
    let lean = run_json("precipitation", &["--no-plots"]);
    for (budget, once) in [("16MiB", true), ("4MiB", false), ("1MiB", true)] {
        let j = run_json("precipitation", &["--no-plots", "--memory-limit", budget]);
        if once {
            reads_each_stored_chunk_once(&j);
        } else {
            let ratio = j["store_read_ratio"].as_f64().unwrap();
            assert!(
                (1.4..=1.6).contains(&ratio),
                "read/stored = {ratio} under {budget}"
            );
        }
        for k in [
            "tmean_trend_c_per_decade",
            "tmean_djf_c",
            "pcp_ensemble_spread_mm_per_day",
        ] {
            let (a, b) = (j[k].as_f64().unwrap(), lean[k].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-12 * b.abs(),
                "{k} under {budget}: {a}, default {b}"
            );
        }
    }
}

#[test]
fn a_store_that_is_not_what_it_expects_is_one_line_and_a_non_zero_exit() {
    let missing = Command::new(example("sea_level"))
        .args(["/nonexistent/store.zarr", "--no-plots"])
        .output()
        .expect("runs");
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("/nonexistent/store.zarr"),
        "{err}"
    );
    // The precipitation store has no `sla`.
    let wrong = Command::new(example("sea_level"))
        .args([
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data-fixtures/precipitation.zarr"
            ),
            "--no-plots",
        ])
        .output()
        .expect("runs");
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("sla"));
}

/// The altimetry fixture as the product ships it: one netCDF-4 file per month (int32
/// packed, `days since 1950-01-01`, zlib), written by xarray; the example reads the
/// glob and must give xarray's `open_mfdataset` values.
#[cfg(feature = "netcdf")]
#[test]
fn sea_level_reads_a_glob_of_netcdf_files_as_xarray_does() {
    let dir = std::env::temp_dir().join(format!("tessera-example-nc-{}", std::process::id()));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/netcdf_daily.py");
    let store = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures/sea_level.zarr");
    let made = Command::new("python3")
        .args([script, store, dir.to_str().unwrap(), "--monthly"])
        .output();
    match made {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            println!(
                "skipping: netcdf_daily.py failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            return;
        }
        Err(e) => {
            println!("skipping: no python3 ({e})");
            return;
        }
    }
    let glob = dir.join("dt_global_allsat_phy_l4_*.nc");
    let glob = glob.to_str().unwrap();
    let ours = run_json("sea_level", &["--no-plots", glob]);
    let zarr = run_json("sea_level", &["--no-plots"]);
    let theirs = xarray("sea_level", glob);
    let _ = std::fs::remove_dir_all(&dir);
    let keys = SEA_LEVEL_KEYS;
    assert_eq!(ours["n_time"], 730);
    // int32 with a 1e-4 scale holds the fixture's int16 x 1e-4 values exactly.
    agree(&ours, &zarr, &keys);
    if let Some(theirs) = theirs {
        agree(&ours, &theirs, &keys);
    }
}

#[test]
fn the_batch_checksum_is_the_same_for_every_thread_count_and_matches_dask() {
    let keys = [
        "tasks",
        "tasks_per_s",
        "overhead_us_per_task",
        "result_checksum",
    ];
    let one = run_json("batch", &["--tasks", "3000", "--threads", "1"]);
    let three = run_json("batch", &["--tasks", "3000", "--threads", "3"]);
    for k in keys {
        assert!(one[k].is_number(), "{k} missing: {one}");
    }
    assert_eq!(one["tasks"], 3000);
    assert_eq!(one["result_checksum"], three["result_checksum"]);
    // The same simulations written with dask.delayed give the same checksum.
    let Some(dask) = python_json("dask", "dask_batch_bench.py", &["--tasks", "3000"]) else {
        return;
    };
    let (a, b) = (
        one["result_checksum"].as_f64().unwrap(),
        dask["result_checksum"].as_f64().unwrap(),
    );
    assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} != {b}");
}

#[test]
fn the_simulation_sum_streams_to_zarr_and_matches_its_recomputation_and_dask() {
    // Uneven chunks (600 = 2 × 256 + 88), three arrays, a budget of a few chunks.
    let args = [
        "--arrays",
        "3",
        "--size",
        "600",
        "--chunk",
        "256",
        "--memory-limit",
        "4MiB",
    ];
    let one = run_json("simulation_sum", &[&args[..], &["--threads", "1"]].concat());
    let two = run_json(
        "simulation_sum",
        &[&args[..], &["--threads", "2", "--in-memory"]].concat(),
    );
    for k in [
        "arrays",
        "size",
        "sum_total",
        "checked_chunks",
        "max_abs_diff",
        "memory_limit_mb",
    ] {
        assert!(one[k].is_number(), "{k} missing: {one}");
    }
    assert_eq!(
        (one["arrays"].as_u64(), one["size"].as_u64()),
        (Some(3), Some(600))
    );
    assert_eq!(one["checked_chunks"], 4);
    assert!(one["max_abs_diff"].as_f64().unwrap() < 1e-5, "{one}");
    let total = one["sum_total"].as_f64().unwrap();
    let other = two["sum_total"].as_f64().unwrap();
    assert!(
        (total - other).abs() <= 1e-12 * total.abs(),
        "{total} != {other}"
    );
    // The same generator and sum written with dask.array.
    let dir = std::env::temp_dir().join(format!("tessera-dask-sum-{}", std::process::id()));
    let dask = python_json(
        "dask",
        "dask_simulation_sum.py",
        &[
            "--arrays",
            "3",
            "--size",
            "600",
            "--chunk",
            "256",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let Some(dask) = dask else {
        return;
    };
    let expected = dask["sum_total"].as_f64().unwrap();
    assert!(
        (total - expected).abs() <= 1e-6 * expected.abs(),
        "tessera {total} vs dask {expected}"
    );
}

/// A copy of the sea-level fixture with its consolidated metadata removed (so that the
/// damaged array metadata is what is read), then damaged by `damage`.
fn damaged_fixture(label: &str, damage: impl FnOnce(&std::path::Path)) -> PathBuf {
    let src = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/sea_level.zarr"
    ));
    let dst = std::env::temp_dir().join(format!(
        "tessera-examples-{}-{label}.zarr",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(src, &dst);
    let root = dst.join("zarr.json");
    let mut meta: Value = serde_json::from_slice(&std::fs::read(&root).unwrap()).unwrap();
    meta.as_object_mut()
        .unwrap()
        .remove("consolidated_metadata");
    std::fs::write(&root, meta.to_string()).unwrap();
    damage(&dst);
    dst
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Rewrites `array/zarr.json` of the store through `edit`.
fn edit_meta(store: &std::path::Path, array: &str, edit: impl FnOnce(&mut Value)) {
    let path = store.join(array).join("zarr.json");
    let mut meta: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut meta);
    std::fs::write(&path, meta.to_string()).unwrap();
}

/// Broken stores of every kind RELIABILITY.md lists: the example exits non-zero with one
/// line on stderr, `error: ` and what was wrong, never a panic trace.
#[test]
fn a_broken_store_of_any_kind_is_one_line_and_a_non_zero_exit() {
    type Damage = Box<dyn FnOnce(&std::path::Path)>;
    let cases: Vec<(&str, &str, Damage)> = vec![
        (
            "bad-json",
            "sla",
            Box::new(|s| std::fs::write(s.join("sla/zarr.json"), "{\"zarr_format\": 3,").unwrap()),
        ),
        (
            "unknown-codec",
            "lz77-magic",
            Box::new(|s| edit_meta(s, "sla", |m| m["codecs"][1]["name"] = "lz77-magic".into())),
        ),
        (
            "unknown-dtype",
            "int128",
            Box::new(|s| edit_meta(s, "sla", |m| m["data_type"] = "int128".into())),
        ),
        (
            "absurd-shape",
            "sla",
            Box::new(|s| {
                edit_meta(s, "sla", |m| {
                    m["shape"] = serde_json::json!([1_000_000_000_000_000u64, 16, 32])
                })
            }),
        ),
        (
            "zero-chunk",
            "sla",
            Box::new(|s| {
                edit_meta(s, "sla", |m| {
                    m["chunk_grid"]["configuration"]["chunk_shape"] = serde_json::json!([0, 16, 32])
                })
            }),
        ),
        (
            "wrong-dims",
            "sla",
            Box::new(|s| {
                edit_meta(s, "sla", |m| {
                    m["dimension_names"] = serde_json::json!(["time", "latitude"])
                })
            }),
        ),
        (
            "bad-time-units",
            "time",
            Box::new(|s| {
                edit_meta(s, "time", |m| {
                    m["attributes"]["units"] = "fortnights since yesterday".into()
                })
            }),
        ),
        (
            "string-scale-factor",
            "sla",
            Box::new(|s| edit_meta(s, "sla", |m| m["attributes"]["scale_factor"] = "ten".into())),
        ),
        (
            "truncated-chunk",
            "sla/c/3/0/0",
            Box::new(|s| {
                let chunk = s.join("sla/c/3/0/0");
                let bytes = std::fs::read(&chunk).unwrap();
                std::fs::write(&chunk, &bytes[..bytes.len() / 2]).unwrap();
            }),
        ),
        (
            "garbage-chunk",
            "sla/c/5/0/0",
            Box::new(|s| {
                let garbage: Vec<u8> = (0..4000u32)
                    .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                    .collect();
                std::fs::write(s.join("sla/c/5/0/0"), garbage).unwrap();
            }),
        ),
    ];
    for (label, named, damage) in cases {
        let store = damaged_fixture(label, damage);
        let out = Command::new(example("sea_level"))
            .arg(&store)
            .args(["--no-plots", "--json", "--quiet"])
            .output()
            .expect("runs");
        let _ = std::fs::remove_dir_all(&store);
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(out.status.code(), Some(1), "{label}: {err}");
        assert!(!err.contains("panicked"), "{label}: {err}");
        assert_eq!(lines.len(), 1, "{label}: not one line:\n{err}");
        println!("{label}: {}", lines[0]);
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(named),
            "{label}: the error does not name {named:?}: {}",
            lines[0]
        );
    }
}

// --- the comparison harness's programs (scripts/compare.py, issue 20) ---

/// The parts of the examples run alone (`analysis_parts`, which `scripts/compare.py`
/// times) give the whole examples' values on the fixtures, and xarray's parts
/// (`xarray_examples.py gmsl_trend|climatology_anomaly|annual_spread`).
#[test]
fn the_analysis_parts_match_the_whole_examples_and_xarray() {
    let sea = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures/sea_level.zarr");
    let pcp = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/precipitation.zarr"
    );
    let whole_sea = run_json("sea_level", &["--no-plots"]);
    let whole_pcp = run_json("precipitation", &["--no-plots"]);
    let cases: [(&str, &str, &[&str], Option<&Value>); 3] = [
        (
            "gmsl-trend",
            sea,
            &["gmsl_trend_mm_per_yr"],
            Some(&whole_sea),
        ),
        (
            "climatology-anomaly",
            sea,
            &["sla_climatology_mean_m", "sla_anomaly_std_mean_m"],
            None,
        ),
        (
            "annual-spread",
            pcp,
            &["pcp_annual_total_mm", "pcp_ensemble_spread_mm_per_day"],
            Some(&whole_pcp),
        ),
    ];
    for (part, store, keys, whole) in cases {
        let ours = run_json("analysis_parts", &[part, store]);
        for k in keys {
            assert!(
                ours[k].as_f64().is_some_and(f64::is_finite),
                "{part}: {k} in {ours}"
            );
        }
        if let Some(whole) = whole {
            agree(&ours, whole, keys);
        }
        if let Some(x) = xarray(&part.replace('-', "_"), store) {
            agree(&ours, &x, keys);
        }
    }
    // A store without the variable a part reads: one line naming it, a non-zero exit.
    let wrong = Command::new(example("analysis_parts"))
        .args(["annual-spread", sea])
        .output()
        .expect("runs");
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.starts_with("error: ") && err.contains("pcp"), "{err}");
}

/// The one-pass floor (`read_floor`) reads every stored chunk: its sum of the stored
/// (packed int16) `sla` of the fixture is numpy's sum of the raw array; an unknown
/// variable is one line naming it and a non-zero exit.
#[test]
fn the_read_floor_sums_every_stored_element() {
    let store = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures/sea_level.zarr");
    let out = Command::new(example("read_floor"))
        .args([store, "sla", "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let j: Value = serde_json::from_str(stdout.lines().last().expect("a line")).expect("JSON");
    assert_eq!(j["chunks"], 10);
    assert_eq!(j["bytes_decoded"], 730 * 16 * 32 * 2);
    let sum = j["sum"].as_f64().expect("sum");
    let numpy = Command::new("python3")
        .args([
            "-c",
            "import sys, zarr; print(float(zarr.open_array(sys.argv[1], path='sla', mode='r')[:].astype('f8').sum()))",
            store,
        ])
        .output();
    match numpy {
        Ok(o) if o.status.success() => {
            let expected: f64 = String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse()
                .expect("a number");
            assert_eq!(sum, expected);
        }
        _ => println!("skipping the numpy comparison: python3 with zarr is not available"),
    }
    let wrong = Command::new(example("read_floor"))
        .args([store, "no_such_variable"])
        .output()
        .expect("runs");
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("no_such_variable"),
        "{err}"
    );
}
