//! Stores with every kind of array xarray and zarr-python write (`scripts/
//! zarr_kinds_fixtures.py`, run here into a temp dir): strings (`<U`, `|S`, object
//! vlen-utf8, v3 `string` and `fixed_length_utf32`), float16 (read as float32),
//! native datetime64/timedelta64 data variables, complex (opaque: listed, selected,
//! an error naming variable and dtype when computed), a group, and one store per
//! codec. Each opens and reads as xarray reads it; a codec zarrs lacks fails only
//! when the variable is read, naming codec and variable. Skipped, with a printed
//! reason, without python3 with xarray and zarr.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tessera::io::{OpenOptions, WriteMode, WriteOptions};
use tessera::labelled::Dataset;
use tessera::time::NAT;
use tessera::{open_zarr, open_zarr_with};

use crate::support::zarr_fixtures::{Cleanup, script_fixtures};

/// Writes the fixtures into a fresh temp dir, or says why not.
fn fixtures(name: &str) -> Option<(Cleanup, PathBuf)> {
    // The script writes v3 stores and numpy time dtypes through zarr-python 3's API.
    let v3 = Command::new("python3")
        .args([
            "-c",
            "import zarr, sys; sys.exit(int(zarr.__version__.split('.')[0]) < 3)",
        ])
        .status();
    if !v3.is_ok_and(|s| s.success()) {
        println!("skipping the Zarr kinds tests: they need zarr-python 3");
        return None;
    }
    script_fixtures(
        "zarr_kinds_fixtures.py",
        &format!("kinds-{name}"),
        "xarray, zarr",
        &[],
    )
    .map(|dir| (Cleanup(dir.clone()), dir))
    .map_err(|why| println!("skipping the Zarr kinds tests: {why}"))
    .ok()
}

fn expected(dir: &Path, label: &str) -> Value {
    let path = dir.join(format!("{label}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn store(dir: &Path, name: &str) -> String {
    dir.join(format!("{name}.zarr"))
        .to_string_lossy()
        .into_owned()
}

/// Checks every variable xarray listed against the dataset tessera opened: dims,
/// shape, kind and values (strings exactly, floats to 1e-6 relative, times in
/// microseconds). Opaque variables must be listed with xarray's dtype. Returns the
/// number of values compared.
fn check(ds: &Dataset, want: &Value, label: &str) -> usize {
    let dims: std::collections::BTreeMap<String, usize> = ds.dims().into_iter().collect();
    let wdims: std::collections::BTreeMap<String, usize> =
        serde_json::from_value(want["dims"].clone()).unwrap();
    assert_eq!(dims, wdims, "{label}: dims");
    let mut names = ds.coords().names();
    names.extend(ds.data_var_names());
    names.sort();
    let mut wnames: Vec<String> = want["vars"].as_object().unwrap().keys().cloned().collect();
    wnames.sort();
    assert_eq!(names, wnames, "{label}: variables");
    let mut count = 0;
    for (name, w) in want["vars"].as_object().unwrap() {
        let what = format!("{label}/{name}");
        let da = ds.get(name).unwrap();
        let var = da.variable();
        let wd: Vec<String> = serde_json::from_value(w["dims"].clone()).unwrap();
        assert_eq!(da.dims(), wd.as_slice(), "{what}: dims");
        let ws: Vec<usize> = serde_json::from_value(w["shape"].clone()).unwrap();
        assert_eq!(da.shape(), ws.as_slice(), "{what}: shape");
        let wv = w["values"].as_array().unwrap();
        match w["dtype"].as_str().unwrap() {
            "str" => {
                assert!(var.is_strings(), "{what}: not strings ({})", da.dtype());
                let got: Vec<String> = var.strings().unwrap().into_iter().collect();
                let wantv: Vec<String> = serde_json::from_value(Value::Array(wv.clone())).unwrap();
                assert_eq!(got, wantv, "{what}");
                count += got.len();
            }
            d if d.starts_with("complex") => {
                assert_eq!(var.stored_dtype(), Some(d), "{what}: stored dtype");
                let err = da.compute().unwrap_err().to_string();
                assert!(
                    err.contains(&format!("{name:?}")) && err.contains(d),
                    "{what}: {err}"
                );
            }
            kind @ ("datetime64" | "timedelta64") => {
                let scale = if kind == "datetime64" {
                    assert_eq!(da.dtype().name(), "int64", "{what}");
                    assert!(
                        var.encoding().contains_key("calendar"),
                        "{what}: not decoded as times: {:?}",
                        var.encoding()
                    );
                    1.0
                } else {
                    // Decoded as xarray decodes them: durations in microseconds.
                    assert_eq!(
                        var.encoding().get("timedelta"),
                        Some(&Value::Bool(true)),
                        "{what}: not decoded as timedeltas: {:?} {:?}",
                        var.attrs(),
                        var.encoding()
                    );
                    1.0
                };
                let got = da.compute().unwrap().to_f64_vec();
                assert_eq!(got.len(), wv.len(), "{what}: length");
                for (i, (g, v)) in got.iter().zip(wv).enumerate() {
                    match v.as_f64() {
                        None => assert_eq!(*g, NAT as f64, "{what}[{i}]: want NaT"),
                        Some(x) => assert_eq!(g * scale, x, "{what}[{i}]"),
                    }
                }
                count += got.len();
            }
            wdtype => {
                // float16 is widened to float32 on read
                let dt = if wdtype == "float16" {
                    "float32"
                } else {
                    wdtype
                };
                assert_eq!(da.dtype().name(), dt, "{what}: dtype");
                let tol = if wdtype.starts_with("float") && wdtype != "float64" {
                    1e-5
                } else {
                    1e-9
                };
                let got = da.compute().unwrap().to_f64_vec();
                assert_eq!(got.len(), wv.len(), "{what}: length");
                for (i, (g, v)) in got.iter().zip(wv).enumerate() {
                    match v.as_f64() {
                        None => assert!(g.is_nan(), "{what}[{i}]: got {g}, want NaN"),
                        Some(x) => assert!(
                            (g - x).abs() <= tol * x.abs().max(1e-30) || *g == x,
                            "{what}[{i}]: got {g}, want {x}"
                        ),
                    }
                }
                count += got.len();
            }
        }
    }
    count
}

#[test]
fn every_kind_of_variable_opens_and_reads_as_xarray_reads_it() {
    let Some((_guard, dir)) = fixtures("all") else {
        return;
    };
    for label in ["kinds_v2", "kinds_v3", "strings_v3"] {
        let ds = open_zarr(&store(&dir, label)).unwrap_or_else(|e| panic!("{label}: {e}"));
        let n = check(&ds, &expected(&dir, label), label);
        assert!(n >= 6, "{label}: {n} values");
    }
}

#[test]
fn complex_variables_list_show_select_and_fail_only_when_computed() {
    let Some((_guard, dir)) = fixtures("complex") else {
        return;
    };
    for label in ["kinds_v2", "kinds_v3"] {
        let url = store(&dir, label);
        let ds = open_zarr(&url).unwrap();
        assert!(ds.data_var_names().contains(&"spectrum".to_string()));
        let repr = ds.to_string();
        let line = repr
            .lines()
            .find(|l| l.trim_start().starts_with("spectrum"))
            .unwrap_or_else(|| panic!("{repr}"));
        assert!(line.contains("complex64"), "{line}");
        let sel = ds.isel_slice("time", Some(1), Some(4), 1).unwrap();
        let spec = sel.get("spectrum").unwrap();
        assert_eq!(spec.shape(), &[3, 3]);
        assert_eq!(spec.variable().stored_dtype(), Some("complex64"));
        let one = ds.get("spectrum").unwrap().isel("freq", 0).unwrap();
        let err = one.compute().unwrap_err().to_string();
        assert!(
            err.contains("\"spectrum\"") && err.contains("complex64"),
            "{err}"
        );
        // The rest of the store computes.
        let sla = sel.get("sla").unwrap().compute().unwrap().to_f64_vec();
        assert_eq!(sla.len(), 3 * 4 * 5);
        // Writing it back says which variable stops it, and writes nothing.
        let out = dir.join(format!("{label}-copy.zarr"));
        let err = ds
            .to_zarr(
                &out.to_string_lossy(),
                &WriteOptions::mode(WriteMode::Overwrite),
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"spectrum\"") && err.contains("complex64"),
            "{err}"
        );
        assert!(!out.exists(), "a refused write created {out:?}");
        // Strings are refused too (their codes are not the values); without the
        // strings and the complex spectrum the rest writes and reads back.
        let err = ds
            .drop_vars(&["spectrum"])
            .unwrap()
            .to_zarr(
                &out.to_string_lossy(),
                &WriteOptions::mode(WriteMode::Overwrite),
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("string"), "{err}");
        let strings: &[&str] = if label == "kinds_v2" {
            &["spectrum", "platform", "mission", "platform_bytes"]
        } else {
            &["spectrum", "platform", "mission"]
        };
        let numeric = ds.drop_vars(strings).unwrap();
        numeric
            .to_zarr(
                &out.to_string_lossy(),
                &WriteOptions::mode(WriteMode::Overwrite),
            )
            .unwrap();
        let back = open_zarr(&out.to_string_lossy()).unwrap();
        assert_eq!(
            back.get("obs_time")
                .unwrap()
                .compute()
                .unwrap()
                .to_f64_vec(),
            ds.get("obs_time").unwrap().compute().unwrap().to_f64_vec()
        );
        assert_eq!(back.get("flag").unwrap().dtype().name(), "float32");
    }
}

#[test]
fn groups_dropped_variables_and_raw_times_open_as_asked() {
    let Some((_guard, dir)) = fixtures("options") else {
        return;
    };
    for label in ["kinds_v2", "kinds_v3"] {
        let url = store(&dir, label);
        let waves = open_zarr_with(&url, &OpenOptions::default().group("waves")).unwrap();
        check(&waves, &expected(&dir, &format!("{label}.waves")), label);
        let dropped = open_zarr_with(
            &url,
            &OpenOptions::default().drop_variables(["spectrum", "platform", "nonexistent"]),
        )
        .unwrap();
        let names = dropped.data_var_names();
        assert!(!names.contains(&"spectrum".to_string()), "{names:?}");
        assert!(!names.contains(&"platform".to_string()), "{names:?}");
        assert!(names.contains(&"sla".to_string()), "{names:?}");
        let raw = open_zarr_with(&url, &OpenOptions::default().decode_times(false)).unwrap();
        let want = expected(&dir, &format!("{label}.raw_times"));
        let time = raw.get("time").unwrap();
        assert_eq!(time.dtype().name(), "int64");
        assert_eq!(
            time.attrs()["units"],
            want["vars"]["time"]["attrs"]["units"]
        );
        let got = time.compute().unwrap().to_f64_vec();
        let wv: Vec<f64> = want["vars"]["time"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got, wv, "{label}: raw time values");
        // Other variables are as decoded (CF masking still applies).
        let sla = raw.get("sla").unwrap().compute().unwrap().to_f64_vec();
        assert!(sla[0].is_nan());
    }
}

#[test]
fn every_codec_reads_as_xarray_reads_it_and_a_missing_one_fails_only_on_read() {
    let Some((_guard, dir)) = fixtures("codecs") else {
        return;
    };
    let listing: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("codecs.json")).unwrap()).unwrap();
    let mut unsupported = 0;
    for (label, case) in listing.as_object().unwrap() {
        let url = store(&dir, label);
        let ds = open_zarr(&url).unwrap_or_else(|e| panic!("{label}: the open failed: {e}"));
        // A codec behind a cargo feature reads in a build with it and otherwise fails
        // on read, naming the codec and the feature.
        let feature = case["feature"].as_str();
        let readable = match feature {
            Some("zfp") => cfg!(feature = "zfp"),
            Some(other) => panic!("{label}: unknown feature {other}"),
            None => case["expect"] == "read",
        };
        match readable {
            true => {
                check(&ds, &expected(&dir, label), label);
            }
            false => {
                unsupported += 1;
                let codec = case["codec"].as_str().unwrap();
                for name in ds.data_var_names() {
                    let err = ds
                        .get(&name)
                        .unwrap()
                        .compute()
                        .map(|_| ())
                        .map_or_else(|e| e.to_string(), |()| panic!("{label}/{name} read"));
                    assert!(
                        err.contains(&format!("{name:?}"))
                            && err.contains(codec)
                            && feature.is_none_or(|f| err.contains(&format!("`{f}` feature"))),
                        "{label}/{name}: {err}"
                    );
                }
            }
        }
    }
    assert!(unsupported >= 2, "the lz4 and delta stores");
    if cfg!(feature = "zfp") {
        assert!(
            listing.get("codec_zfpy").is_some() && listing.get("codec_v3_zfpy").is_some(),
            "a zfp build reads xarray's zfpy stores: pip install zfpy==1.0.1 \
             (1.0.1.post0 breaks numcodecs' import)"
        );
    }
}

#[test]
fn an_irregular_chunk_grid_fails_on_read_not_on_open() {
    let Some((_guard, dir)) = fixtures("grid") else {
        return;
    };
    let meta = dir.join("kinds_v3.zarr/sla/zarr.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, text.replace("\"regular\"", "\"rectilinear\"")).unwrap();
    let opts = OpenOptions {
        consolidated: tessera::io::Consolidated::Off,
        ..OpenOptions::default()
    };
    let ds = open_zarr_with(&store(&dir, "kinds_v3"), &opts).unwrap();
    assert_eq!(ds.get("sla").unwrap().shape(), &[6, 4, 5]);
    let err = ds.get("sla").unwrap().compute().unwrap_err().to_string();
    assert!(
        err.contains("\"sla\"") && err.contains("rectilinear"),
        "{err}"
    );
    let platform = ds.get("platform").unwrap();
    assert_eq!(platform.variable().strings().unwrap().len(), 6);
}

#[test]
fn too_many_strings_open_as_an_opaque_variable() {
    let Some((_guard, dir)) = fixtures("big-strings") else {
        return;
    };
    let ds = open_zarr(&store(&dir, "big_strings")).unwrap();
    let label = ds.get("label").unwrap();
    assert_eq!(label.shape(), &[(1 << 20) + 1]);
    assert_eq!(label.variable().stored_dtype(), Some("<U1"));
    let err = label
        .isel("n", 0)
        .unwrap()
        .compute()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"label\"") && err.contains("read while opening"),
        "{err}"
    );
    let value = ds.get("value").unwrap().isel("n", -1).unwrap();
    assert_eq!(
        value.compute().unwrap().to_f64_vec(),
        vec![(1 << 20) as f64]
    );
}
