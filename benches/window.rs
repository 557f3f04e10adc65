//! Windowed analyses (issue 20's goal: at most 2x one read of the store): 30-day centred
//! rolling mean, sum, std, min and max, and a 5-day coarsen mean, each followed by a
//! reduction over time (as an analysis uses them: `rolling(...).mean().std("time")`),
//! on an in-memory array and on a Zarr store, against one bare read of the store.
//!
//! The store (written once under `target/bench-window/`) is the synthetic altimetry
//! `sla`: 730 daily steps x 180 x 360 float32 (189 MB), 5-day chunks holding the whole
//! grid (as the product's and the examples' stores are), Zarr v3, zstd level 1, land as
//! NaN. The in-memory array is its first 365 days, persisted.
//!
//! Run: `cargo bench --bench window` (`TESSERA_BENCH_THREADS` pins both pools).

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use tessera::engine::Compute;
use tessera::labelled::{DataArray, Dataset};
use tessera::synthetic::{Packing, SeaLevel};

/// The synthetic `sla` store, written once under `target/bench-window/`.
fn ensure_store() -> PathBuf {
    common::store_once("bench-window", "sla", || {
        let full = SeaLevel {
            n_time: 730,
            n_lat: 180,
            n_lon: 360,
            time_chunk: 5,
            packing: Packing::Float32,
            ..SeaLevel::small()
        }
        .dataset()
        .expect("synthetic dataset");
        Dataset::from_array(&full.get("sla").expect("sla")).expect("dataset")
    })
}

/// The analyses: each windowed statistic, reduced over time.
fn analyses(sla: &DataArray) -> Vec<(&'static str, DataArray)> {
    let roll = || sla.rolling("time", 30).expect("rolling").center(true);
    vec![
        (
            "rolling_mean_then_std",
            roll().mean().and_then(|r| r.std("time", 0)),
        ),
        (
            "rolling_sum_then_mean",
            roll().sum().and_then(|r| r.mean("time")),
        ),
        (
            "rolling_std_then_mean",
            roll().std(0).and_then(|r| r.mean("time")),
        ),
        (
            "rolling_min_then_mean",
            roll().min().and_then(|r| r.mean("time")),
        ),
        (
            "rolling_max_then_mean",
            roll().max().and_then(|r| r.mean("time")),
        ),
        (
            "coarsen_mean_then_std",
            sla.coarsen(&[("time", 5)])
                .and_then(|c| c.mean())
                .and_then(|r| r.std("time", 0)),
        ),
    ]
    .into_iter()
    .map(|(name, r)| (name, r.expect("building the analysis")))
    .collect()
}

fn run_all(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, sla: &DataArray) {
    let run = common::compute();
    for (name, a) in analyses(sla) {
        group.bench_function(name, |b| {
            b.iter(|| black_box(a.compute_with(&run).expect("analysis")))
        });
    }
}

fn windows_on_zarr(c: &mut Criterion) {
    let path = ensure_store();
    common::pin_global_pool();
    let sla = tessera::open_zarr(path.to_str().expect("utf-8 path"))
        .and_then(|ds| ds.get("sla"))
        .expect("opening the bench store");
    let mut group = c.benchmark_group("window_zarr_189mb");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Bytes(sla.data().nbytes() as u64));
    group.bench_function("bare_zarrs_read", |b| {
        b.iter(|| black_box(common::bare_zarrs_sum(&path, "sla")))
    });
    run_all(&mut group, &sla);
    group.finish();
}

fn windows_in_memory(c: &mut Criterion) {
    let path = ensure_store();
    let sla = tessera::open_zarr(path.to_str().expect("utf-8 path"))
        .and_then(|ds| ds.get("sla"))
        .and_then(|s| s.isel_slice("time", Some(0), Some(365), 1))
        .and_then(|s| DataArray::persist_many(&[&s], &Compute::new()))
        .map(|mut v| v.remove(0))
        .expect("the in-memory array");
    let mut group = c.benchmark_group("window_memory_95mb");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Bytes(sla.data().nbytes() as u64));
    run_all(&mut group, &sla);
    group.finish();
}

criterion_group!(benches, windows_on_zarr, windows_in_memory);
criterion_main!(benches);
