//! `tessera convert`: the 30 daily files of `scripts/mf_fixtures.py` (Zarr, and netCDF
//! with the `netcdf` feature) converted and compared by xarray with its own
//! `open_mfdataset(...).to_zarr(...)` (`scripts/cli_convert_check.py`), directly and
//! through an intermediate store; a conversion killed with SIGKILL twice (in each pass)
//! and re-run gives the same bytes as an uninterrupted one. The xarray comparisons are
//! skipped, with a printed reason, without python3 and xarray.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ndarray::{ArrayD, IxDyn};
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use tessera::io::{WriteMode, WriteOptions};
use tessera::labelled::{Dataset, Variable};

use super::info::tessera;
use crate::support::zarr_fixtures::{Cleanup, script_fixtures, temp_dir};

fn check_with_xarray(pattern: &str, out: &Path, chunks: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/cli_convert_check.py");
    let res = Command::new("python3")
        .arg(script)
        .arg(pattern)
        .arg(out)
        .arg(chunks)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(
        res.status.success() && text.trim() == "OK",
        "{pattern} -> {}: {text}{}",
        out.display(),
        String::from_utf8_lossy(&res.stderr)
    );
}

fn convert_ok(args: &[&str]) -> String {
    let mut all = vec!["convert"];
    all.extend_from_slice(args);
    let out = tessera(&all);
    assert!(
        out.status.success(),
        "tessera {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn daily_files_convert_as_xarray_converts_them() {
    let dir = match script_fixtures(
        "mf_fixtures.py",
        "cli-mf",
        "xarray, netCDF4, zarr, dask",
        &["30"],
    ) {
        Ok(d) => d,
        Err(why) => {
            println!("skipping the conversion comparison with xarray: {why}");
            return;
        }
    };
    let _clean = Cleanup(dir.clone());
    let mut kinds = vec![("zarr", "sla_*.zarr")];
    if cfg!(feature = "netcdf") {
        kinds.push(("nc", "sla_*.nc"));
    }
    for (sub, glob) in kinds {
        let pattern = format!("{}/{sub}/{glob}", dir.display());
        // Direct: time chunks of a week from daily files, lat halved.
        let direct = dir.join(format!("{sub}-direct.zarr"));
        let said = convert_ok(&[
            &pattern,
            direct.to_str().unwrap(),
            "--chunks",
            "time=7,lat=3",
            "--memory-limit",
            "64MiB",
            "--quiet",
        ]);
        assert!(!said.contains("intermediate"), "{said}");
        check_with_xarray(&pattern, &direct, r#"{"time": 7, "lat": 3}"#);
        // Whole time series per point under a budget that forces the intermediate store.
        let pixels = dir.join(format!("{sub}-pixels.zarr"));
        let said = convert_ok(&[
            &pattern,
            pixels.to_str().unwrap(),
            "--chunks",
            "time=30,lat=1,lon=1",
            "--memory-limit",
            "4000",
            "--zarr-version",
            "2",
            "--quiet",
        ]);
        // Both 3-d arrays (in the dataset's order, which differs between the formats).
        let (_, two_pass) = said.split_once("through an intermediate store: ").unwrap();
        let mut names: Vec<&str> = two_pass.trim().split(", ").collect();
        names.sort();
        assert_eq!(names, ["area", "sla"], "{said}");
        check_with_xarray(&pattern, &pixels, r#"{"time": 30, "lat": 1, "lon": 1}"#);
        assert!(!dir.join(format!("{sub}-pixels.zarr.tessera-tmp")).exists());
    }
}

const NT: usize = 200;

/// A (time, y, x) float64 store chunked one time step at a time, values `t*1e4 + y*100 + x`.
fn space_chunked_store(url: &str) {
    let grid = ChunkGrid::regular(&[NT, 40, 40], &[1, 40, 40]).unwrap();
    let data = LazyArray::from_fn("cube", DType::F64, grid, |_, r: &[Range<usize>]| {
        let shape: Vec<usize> = r.iter().map(|x| x.len()).collect();
        let a = ArrayD::from_shape_fn(IxDyn(&shape), |i| {
            ((r[0].start + i[0]) * 10_000 + (r[1].start + i[1]) * 100 + r[2].start + i[2]) as f64
        });
        Ok(ArrayData::new(a))
    });
    let time = LazyArray::from_ndarray(ArrayD::from_shape_fn(IxDyn(&[NT]), |i| i[0] as f64), &[NT])
        .unwrap();
    let mut ds = Dataset::new();
    ds.insert("v", Variable::new(["time", "y", "x"], data).unwrap())
        .unwrap();
    ds.insert_coord("time", Variable::new(["time"], time).unwrap())
        .unwrap();
    ds.to_zarr(url, &WriteOptions::mode(WriteMode::Create))
        .unwrap();
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    let mut out = vec![];
    walk(dir, dir, &mut out);
    out.sort();
    out
}

const ARGS: [&str; 8] = [
    "--chunks",
    "time=200,y=4,x=4",
    "--memory-limit",
    "200000",
    "--threads",
    "2",
    "--quiet",
    "--compressor=zstd:1",
];

/// Starts a conversion and SIGKILLs it once its state lists `lines` lines.
fn kill_after(input: &str, out: &Path, lines: usize) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["convert", input, out.to_str().unwrap()])
        .args(ARGS)
        .spawn()
        .unwrap();
    let state = out.join(".tessera-convert");
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the conversion ended ({status}) before {lines} state lines; make it longer");
        }
        let n = std::fs::read_to_string(&state).map_or(0, |s| s.lines().count());
        if n >= lines {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(300), "no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
fn a_killed_conversion_resumes_to_the_same_bytes() {
    let dir = temp_dir("cli-resume");
    let _clean = Cleanup(dir.clone());
    let input = dir.join("in.zarr").display().to_string();
    space_chunked_store(&input);
    let whole = dir.join("whole.zarr");
    let said = convert_ok(&[&[input.as_str(), whole.to_str().unwrap()][..], &ARGS[..]].concat());
    assert!(said.contains("intermediate store: v"), "{said}");
    // 200 time steps in pass-1 blocks of 3 (67 blocks), then 100 pass-2 blocks: kill in
    // pass 1, again in pass 2, then finish.
    let resumed = dir.join("resumed.zarr");
    kill_after(&input, &resumed, 30);
    assert!(resumed.join(".tessera-convert").exists());
    kill_after(&input, &resumed, 120);
    let said = convert_ok(&[&[input.as_str(), resumed.to_str().unwrap()][..], &ARGS[..]].concat());
    assert!(said.contains("finished before (resumed)"), "{said}");
    let (a, b) = (tree(&whole), tree(&resumed));
    let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    assert!(a == b, "same files, different bytes");
    assert!(!dir.join("resumed.zarr.tessera-tmp").exists());
    // And the values are the input's.
    let back = tessera::open_zarr(resumed.to_str().unwrap()).unwrap();
    let v = back.get("v").unwrap().compute().unwrap().to_f64_vec();
    assert_eq!(v.len(), NT * 1600);
    for (k, x) in v.iter().enumerate().step_by(997) {
        let (t, y, xx) = (k / 1600, k / 40 % 40, k % 40);
        assert_eq!(*x, (t * 10_000 + y * 100 + xx) as f64);
    }
    // A re-run with other options is refused while a conversion is unfinished.
    let other = dir.join("other.zarr");
    kill_after(&input, &other, 10);
    let out = tessera(&[
        "convert",
        &input,
        other.to_str().unwrap(),
        "--chunks",
        "time=100",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("interrupted conversion started with other options")
    );
}

#[test]
fn convert_refuses_bad_requests_in_the_users_words() {
    let dir = temp_dir("cli-refuse");
    let _clean = Cleanup(dir.clone());
    let input = format!(
        "{}/data-fixtures/zarr/v3_zstd.zarr",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = dir.join("o.zarr");
    let o = out.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--chunks", "depth=3"], "unknown dimension \"depth\""),
        (
            &["--variables", "salinity"],
            "no variable named \"salinity\"",
        ),
        (
            &["--chunks", "time=12,lat=5,lon=4", "--memory-limit", "100"],
            "raise --memory-limit",
        ),
        (&["--compressor", "lzma"], "unknown compressor \"lzma\""),
    ];
    for (extra, want) in cases {
        let mut args = vec!["convert", input.as_str(), o];
        // Refused before anything is written.
        args.extend_from_slice(extra);
        let res = tessera(&args);
        let err = String::from_utf8_lossy(&res.stderr);
        assert!(err.contains(want), "{extra:?}: {err}");
        assert_ne!(res.status.code(), Some(0));
        assert!(!out.join(".tessera-convert").exists(), "{extra:?}");
    }
    let said = convert_ok(&[&input, o, "--variables", "temp", "--quiet"]);
    assert!(said.contains("arrays"));
    let ds = tessera::open_zarr(o).unwrap();
    assert_eq!(ds.data_var_names(), vec!["temp".to_string()]);
    // The output exists now: a second conversion into it is refused.
    let res = tessera(&["convert", &input, o]);
    assert!(String::from_utf8_lossy(&res.stderr).contains("already exists"));
}
