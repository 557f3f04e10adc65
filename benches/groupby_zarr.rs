//! Climatology + anomaly std read from a Zarr store, against one bare read of it
//! (issue 5's target: at most 2x). BENCHMARKS.md records the figures.
//!
//! The store (written once under `target/bench-groupby/`) is the synthetic altimetry
//! `sla`: 1000 daily steps x 360 x 360 float32 (518 MB), chunks of 10 days, Zarr v3,
//! zstd level 1, with land as NaN, a seasonal cycle and noise, so it compresses as
//! real data does rather than as a constant.
//!
//! - `bare_zarrs_read`: zarrs alone reads and decodes every chunk (and sums it);
//! - `climatology_plus_anomaly_std`: `g = sla.groupby("time.month")`, `g.mean()` and
//!   `(g - g.mean()).std("time")`, computed together;
//! - `..._one_read`: the same two results with `GroupBy::anomaly_std`, one read.
//!
//! Run: `cargo bench --bench groupby_zarr` (`TESSERA_BENCH_THREADS` pins both pools).

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tessera::labelled::{DataArray, Dataset};
use tessera::synthetic::{Packing, SeaLevel};

/// The synthetic `sla` store, written once under `target/bench-groupby/`.
fn ensure_store() -> PathBuf {
    common::store_once("bench-groupby", "sla", || {
        let full = SeaLevel {
            n_time: 1000,
            n_lat: 360,
            n_lon: 360,
            time_chunk: 10,
            packing: Packing::Float32,
            ..SeaLevel::small()
        }
        .dataset()
        .expect("synthetic dataset");
        Dataset::from_array(&full.get("sla").expect("sla")).expect("dataset")
    })
}

fn open_sla(path: &std::path::Path) -> DataArray {
    tessera::open_zarr(path.to_str().expect("utf-8 path"))
        .and_then(|ds| ds.get("sla"))
        .expect("opening the bench store")
}

fn climatology_vs_bare_read(c: &mut Criterion) {
    let path = ensure_store();
    common::pin_global_pool();
    let run = common::compute();
    let sla = open_sla(&path);
    let bytes = sla.data().nbytes() as u64;
    let g = sla.groupby("time.month").expect("groupby");
    let clim = g.mean().expect("climatology");
    let anomaly_std = g.sub(&clim).expect("anomaly").std("time", 0).expect("std");
    let one_read = g.anomaly_std(0).expect("one-read anomaly std");

    let mut group = c.benchmark_group("groupby_zarr_518mb");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Bytes(bytes));
    group.bench_function("bare_zarrs_read", |b| {
        b.iter(|| black_box(common::bare_zarrs_sum(&path, "sla")))
    });
    group.bench_function("climatology_plus_anomaly_std", |b| {
        b.iter(|| {
            black_box(DataArray::compute_many(&[&clim, &anomaly_std], &run).expect("anomaly std"))
        })
    });
    group.bench_function("climatology_plus_anomaly_std_one_read", |b| {
        b.iter(|| {
            black_box(DataArray::compute_many(&[&clim, &one_read], &run).expect("anomaly std"))
        })
    });
    group.finish();
}

criterion_group!(benches, climatology_vs_bare_read);
criterion_main!(benches);
