//! Zarr read benchmark (BENCHMARKS.md records the figures): over a generated 512 MiB
//! f32 store (v3, zstd level 1, 256 chunks of 2 MiB, written once by tessera under
//! `target/bench-io/`),
//!
//! - `bare_zarrs_read_sum`: zarrs alone, every chunk read and decoded on rayon with a
//!   codec concurrency of 1, then summed: the floor for any reader;
//! - `open_zarr_sum`: `tessera::open_zarr(..).get("x").sum(all)`, the same work
//!   through the engine (target: within 1.3x of the first).
//!
//! Run: `cargo bench --bench io` (set `TESSERA_BENCH_THREADS` to pin both pools).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tessera::labelled::Dims;

const SHAPE: [usize; 3] = [2048, 256, 256];
const CHUNK: [usize; 3] = [8, 256, 256];

/// The generated store, written once under `target/bench-io/`.
fn ensure_store() -> PathBuf {
    common::store_once("bench-io", "x", || {
        common::bench_dataset(&SHAPE, &CHUNK, None)
    })
}

fn tessera_sum(path: &std::path::Path) -> f64 {
    let ds = tessera::open_zarr(path.to_str().expect("utf-8")).expect("open");
    let total = ds.get("x").expect("x").sum(Dims::All).expect("sum");
    total
        .compute_with(&common::compute())
        .expect("compute")
        .to_f64_vec()[0]
}

fn zarr_read(c: &mut Criterion) {
    let path = ensure_store();
    common::pin_global_pool();
    let (a, b) = (common::bare_zarrs_sum(&path, "x"), tessera_sum(&path));
    assert!(
        (a - b).abs() <= 1e-6 * a.abs().max(1.0),
        "sums differ: {a} vs {b}"
    );
    let bytes: u64 = SHAPE.iter().product::<usize>() as u64 * 4;
    let mut group = c.benchmark_group("zarr_read_512mib");
    group.throughput(Throughput::Bytes(bytes));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("bare_zarrs_read_sum", |bench| {
        bench.iter(|| black_box(common::bare_zarrs_sum(&path, "x")))
    });
    group.bench_function("open_zarr_sum", |bench| {
        bench.iter(|| black_box(tessera_sum(&path)))
    });
    group.finish();
}

criterion_group!(benches, zarr_read);
criterion_main!(benches);
