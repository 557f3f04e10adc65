//! Opening many files as one dataset (BENCHMARKS.md, "Opening many files"): 1,000
//! tiny daily files of `scripts/mf_fixtures.py` (sla int32 6x8 per day, lat/lon, area,
//! crs), as netCDF-4 files and as Zarr v2 stores (consolidated), generated once under
//! `target/bench-mf/` (python3 with xarray, netCDF4 and zarr; a minute or two):
//!
//! - `open_zarr_1000`, `open_netcdf_1000` (feature `netcdf`): `open_mfdataset(glob)` by
//!   coordinates: the files opened in parallel, ordered by time, checked, concatenated;
//! - `open_and_mean_*`: the same, then the mean of `sla` over everything (reads every
//!   file's chunk once): the first compute over the result.
//!
//! Run: `cargo bench --features netcdf --bench open_mfdataset` (set
//! `TESSERA_BENCH_THREADS` to pin both pools). `scripts/xarray_open_mfdataset_bench.py
//! target/bench-mf` times xarray on the same files.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use tessera::io::{MultiFileOptions, open_mfdataset};
use tessera::labelled::Dims;

const N: usize = 1000;

/// The generated files, written once (their `expected.json` records how many).
fn ensure_files() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-mf");
    let done = std::fs::read_to_string(dir.join("expected.json"))
        .is_ok_and(|t| t.contains(&format!("\"n\": {N}")));
    if done {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let start = Instant::now();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/mf_fixtures.py");
    let status = std::process::Command::new("python3")
        .arg(script)
        .arg(&dir)
        .arg(N.to_string())
        .status()
        .expect("python3 runs scripts/mf_fixtures.py");
    assert!(status.success(), "mf_fixtures.py failed");
    println!(
        "wrote {N} netCDF files and {N} Zarr stores in {:?}",
        start.elapsed()
    );
    dir
}

fn open(glob: &str) -> tessera::Dataset {
    open_mfdataset(glob, &MultiFileOptions::default()).expect("open_mfdataset")
}

fn open_and_mean(glob: &str) -> f64 {
    let ds = open(glob);
    let mean = ds.get("sla").expect("sla").mean(Dims::All).expect("mean");
    mean.compute_with(&common::compute())
        .expect("compute")
        .to_f64_vec()[0]
}

fn bench_kind(c: &mut Criterion, kind: &str, glob: &str) {
    let start = Instant::now();
    let ds = open(glob);
    assert_eq!(ds.dim_len("time"), Some(N));
    println!("{kind}: first open of {N} files in {:?}", start.elapsed());
    let mut group = c.benchmark_group(format!("open_mfdataset_{kind}"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function(format!("open_{kind}_{N}"), |b| {
        b.iter(|| black_box(open(glob)))
    });
    group.bench_function(format!("open_and_mean_{kind}_{N}"), |b| {
        b.iter(|| black_box(open_and_mean(glob)))
    });
    group.finish();
}

fn many_files(c: &mut Criterion) {
    common::pin_global_pool();
    let dir = ensure_files();
    let zarr = dir.join("zarr").join("sla_*.zarr");
    bench_kind(c, "zarr", zarr.to_str().expect("utf-8"));
    #[cfg(feature = "netcdf")]
    {
        let nc = dir.join("nc").join("sla_*.nc");
        bench_kind(c, "netcdf", nc.to_str().expect("utf-8"));
    }
}

criterion_group!(benches, many_files);
criterion_main!(benches);
